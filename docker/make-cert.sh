#!/bin/sh
# A self-signed certificate for trying the compose stack: docker/certs/server.{crt,key}.
#   docker/make-cert.sh [host name, default localhost]
# Browsers and clients will warn about it; use a real certificate in production.
set -eu
cd "$(dirname "$0")"
mkdir -p certs
umask 077
openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=${1:-localhost}" \
  -addext "subjectAltName=DNS:${1:-localhost},IP:127.0.0.1" \
  -keyout certs/server.key -out certs/server.crt 2>/dev/null
echo "Wrote $(pwd)/certs/server.crt and server.key (self-signed, for ${1:-localhost})."
