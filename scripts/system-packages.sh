#!/bin/sh
# Installs the Debian packages the project needs, when some are missing.
#   scripts/system-packages.sh run    -> what `make run` needs (mysqlclient's and python-ldap's build deps)
#   scripts/system-packages.sh test   -> plus PHP (the seed's client examples), Chromium, nginx, Redis and OpenLDAP
set -eu
packages="default-libmysqlclient-dev pkg-config build-essential python3-dev python3-venv libldap2-dev libsasl2-dev"
if [ "${1:-run}" = "test" ]; then
  packages="$packages php-cli php-curl chromium nginx-light redis-server openssl slapd ldap-utils"
fi
missing=""
for package in $packages; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
echo "Installing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $missing >/dev/null
