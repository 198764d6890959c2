"""A WebAuthn authenticator in Python for tests that need a ceremony's answer shaped at will (a
credential id chosen by the test, say), where Chromium's virtual authenticator makes its own: a P-256
key, `none` attestation, answers py_webauthn verifies as it verifies a browser's (WebAuthn Level 2,
6.1 authenticator data and 6.5.4 attestation object)."""

from __future__ import annotations

import hashlib
import json
import struct
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

USER_PRESENT, USER_VERIFIED, ATTESTED = 0x01, 0x04, 0x40


class SoftwareAuthenticator:
    def __init__(self, credential_id: bytes, origin: str, rp_id: str) -> None:
        self.credential_id, self.origin, self.rp_id = credential_id, origin, rp_id
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.count = 0

    def _client_data(self, kind: str, options: dict[str, Any]) -> bytes:
        return json.dumps({"type": kind, "challenge": options["challenge"], "origin": self.origin}).encode()

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _auth_data(self, flags: int, attested: bytes = b"") -> bytes:
        return hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", self.count) + attested

    def register(self, options: dict[str, Any]) -> dict[str, Any]:
        """The answer to navigator.credentials.create() with these options (as the server sent them)."""
        attested = bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        auth_data = self._auth_data(USER_PRESENT | USER_VERIFIED | ATTESTED, attested)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        encoded = bytes_to_base64url(self.credential_id)
        return {"id": encoded, "rawId": encoded, "type": "public-key", "response": {
            "clientDataJSON": bytes_to_base64url(self._client_data("webauthn.create", options)),
            "attestationObject": bytes_to_base64url(attestation),
        }}  # fmt: skip

    def sign_in(self, options: dict[str, Any], user_handle: str = "") -> dict[str, Any]:
        """The answer to navigator.credentials.get() with these options."""
        self.count += 1
        auth_data = self._auth_data(USER_PRESENT | USER_VERIFIED)
        client_data = self._client_data("webauthn.get", options)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        encoded = bytes_to_base64url(self.credential_id)
        return {"id": encoded, "rawId": encoded, "type": "public-key", "response": {
            "clientDataJSON": bytes_to_base64url(client_data), "authenticatorData": bytes_to_base64url(auth_data),
            "signature": bytes_to_base64url(signature), "userHandle": user_handle,
        }}  # fmt: skip


def challenge_of(options: dict[str, Any]) -> bytes:
    return base64url_to_bytes(options["challenge"])
