"""ProcessMaker-shaped identifiers, drawn from a CSPRNG (`secrets`).

ProcessMaker makes these with uniqid() and mt_rand(); the shapes stay the same so
clients that validate them keep working, the randomness does not.
"""

from __future__ import annotations

import hashlib
import secrets
import string
from typing import Any

CLIENT_ID_LENGTH = 32
MAX_CLIENT_ID_LENGTH = 80  # OAUTH_CLIENTS.CLIENT_ID is VARCHAR(80): ids imported from ProcessMaker may be longer
CLIENT_SECRET_HEX_BYTES = 16  # 32 lowercase hex
TOKEN_HEX_BYTES = 20  # 40 lowercase hex: access tokens, refresh tokens and codes


def new_client_id() -> str:
    return "".join(secrets.choice(string.ascii_uppercase) for _ in range(CLIENT_ID_LENGTH))


def new_client_secret() -> str:
    return secrets.token_hex(CLIENT_SECRET_HEX_BYTES)


def new_token(request: Any = None) -> str:
    """An access token, refresh token or authorization code (the oauthlib generator signature)."""
    return secrets.token_hex(TOKEN_HEX_BYTES)


def checksum(credential: str) -> str:
    """SHA-256 hex of a token or code: how access and refresh tokens are looked up (django-oauth-
    toolkit's token_checksum), and all that is stored of refresh tokens and authorization codes."""
    return hashlib.sha256(credential.encode("utf-8", "surrogatepass")).hexdigest()
