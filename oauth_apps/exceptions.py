"""What the token services raise: plain exceptions, no oauthlib.

The validator maps them to ProcessMaker's oauthlib errors (`oauth_apps.errors`).
"""

from __future__ import annotations

import uuid


class CredentialRefused(Exception):
    """An authorization code or refresh token that cannot be used: unknown, another client's,
    already used, or its user can no longer log in."""


class CredentialExpired(CredentialRefused):
    """A code or refresh token past its expiry (and never used)."""


class CredentialReplayed(CredentialRefused):
    """A code or refresh token presented again after it was used: a sign it leaked.

    `family` names every token descended from the same original grant, which the caller
    revokes once the failed request has been rolled back (RFC 9700 4.2.4, 4.14.2).
    """

    def __init__(self, what: str, family: uuid.UUID | None) -> None:
        super().__init__(what)
        self.what = what
        self.family = family
