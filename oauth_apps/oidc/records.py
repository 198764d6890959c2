"""What OpenID Connect keeps: the sign-in an authorization code was given in, and the ID tokens issued.

An ID token describes a sign-in: when it happened (`auth_time`), how (`amr`, RFC 8176) and in which
web session (`sid`). The authorization code carries it from the authorize page to the token
endpoint; each ID token keeps it, so a refresh of the same token family (`token_family`) repeats it.
"""

from __future__ import annotations

from django.db import models
from oauth2_provider.models import AbstractIDToken


class SignInRecord(models.Model):
    """The sign-in behind a credential; empty for one given outside a web sign-in."""

    auth_time = models.DateTimeField(null=True, blank=True, help_text="When the user signed in (OpenID Connect).")
    amr = models.CharField(
        "methods", max_length=64, blank=True, help_text="How the user signed in: RFC 8176 values, space-separated."
    )
    sid = models.CharField("session ID", max_length=64, blank=True, help_text="The web session it was given in.")

    class Meta:
        abstract = True


class IDToken(SignInRecord, AbstractIDToken):
    """An OpenID Connect ID token issued (its `jti`): ProcessMaker has none. Not linked to the access
    token issued beside it, so deleting old ones (`manage.py periodic`) never takes a live access
    token with them."""

    token_family = models.UUIDField(null=True, blank=True, editable=False)

    class Meta(AbstractIDToken.Meta):
        swappable = "OAUTH2_PROVIDER_ID_TOKEN_MODEL"
        db_table = "OAUTH_ID_TOKENS"
        indexes = [
            models.Index(fields=["token_family", "created"], name="id_token_family"),
            models.Index(fields=["sid"], name="id_token_session"),  # the clients a session's end is told to
        ]

    def __str__(self) -> str:
        return f"ID token {self.jti}"
