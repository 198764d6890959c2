"""A workspace's authentication sources: the LDAP or Active Directory servers its directory users sign
in against (ProcessMaker's RBAC_AUTHENTICATION_SOURCE). A model of the `workspaces` app
(workspaces.models re-exports it); talking to the servers is the `directory` package's.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from cryptography import x509
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from plumbing.encryption import EncryptedTextField
from workspaces.workspace import between

ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,63}\Z")
ATTRIBUTE = RegexValidator(ATTRIBUTE_NAME, "An LDAP attribute name: a letter, then letters, digits or -.")
HOST = re.compile(r"^[A-Za-z0-9.:\[\]-]{1,253}\Z")
# Our profile fields a directory attribute may fill, and what each is read from by default.
DEFAULT_ATTRIBUTES = {"first_name": "givenName", "last_name": "sn", "email": "mail"}
MAPPABLE_FIELDS = ("first_name", "last_name", "email", "phone", "cellular", "position", "address", "zip_code")


def new_uid() -> str:
    """ProcessMaker's uid shape (32 lowercase hex), from a CSPRNG."""
    return secrets.token_hex(16)


def validate_dn(value: str) -> None:
    """An LDAP distinguished name (RFC 4514), or empty."""
    import ldap.dn

    if value and not ldap.dn.is_dn(value):
        raise ValidationError(f"{value[:100]!r} is not a distinguished name such as ou=people,dc=example,dc=com.")


def is_one_filter(text: str) -> bool:
    """Whether `text` is one parenthesised LDAP filter: its parentheses balanced, the first closed
    by the last (a literal parenthesis in a value is escaped, RFC 4515: \\28 and \\29)."""
    depth = 0
    for position, character in enumerate(text):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth < 0 or (depth == 0 and position < len(text) - 1):
            return False
    return text.startswith("(") and depth == 0


def validate_certificates(value: str) -> None:
    """PEM text holding one or more CA certificates, or empty."""
    if not value.strip():
        return
    try:
        x509.load_pem_x509_certificates(value.encode())
    except ValueError:
        raise ValidationError("Paste the CA certificate(s) in PEM form (-----BEGIN CERTIFICATE-----...).") from None


class AuthSource(models.Model):
    class Kind(models.TextChoices):
        LDAP = "ldap", "LDAP (OpenLDAP, 389 Directory Server)"
        AD = "ad", "Active Directory"

    class Encryption(models.TextChoices):
        STARTTLS = "starttls", "StartTLS (port 389)"
        LDAPS = "ldaps", "LDAPS (port 636)"
        NONE = "none", "None: passwords cross the network in clear"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="auth_sources")
    uid = models.CharField(
        "AUTH_SOURCE_UID", max_length=32, default=new_uid, editable=False,
        help_text="ProcessMaker's id of the source (kept from an import).",
    )  # fmt: skip
    name = models.CharField(max_length=128)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.LDAP)
    servers = models.CharField(
        max_length=1000,
        help_text="Host names or addresses, comma-separated, tried in this order when one does not answer.",
    )
    port = models.PositiveIntegerField(default=389, validators=between(1, 65535))
    encryption = models.CharField(
        max_length=8, choices=Encryption.choices, default=Encryption.STARTTLS,
        help_text="The server's certificate and host name are always verified.",
    )  # fmt: skip
    ca_certificates = models.TextField(
        "CA certificates", blank=True, validators=[validate_certificates],
        help_text="PEM text of the CA(s) that signed the server's certificate; empty: the system's trusted CAs.",
    )  # fmt: skip
    base_dn = models.CharField("base DN", max_length=500, validators=[validate_dn])
    bind_dn = models.CharField(
        "search user DN", max_length=500, blank=True, validators=[validate_dn],
        help_text="Who searches for users; empty: anonymous searches.",
    )  # fmt: skip
    bind_password = EncryptedTextField(
        "search user password", blank=True, help_text="Stored encrypted (PM_ENCRYPTION_KEYS).",
    )  # fmt: skip
    id_attribute = models.CharField(
        "identifier attribute", max_length=64, default="uid", validators=[ATTRIBUTE],
        help_text="The attribute holding the username: uid, sAMAccountName or userPrincipalName.",
    )  # fmt: skip
    users_filter = models.CharField(
        max_length=500, blank=True,
        help_text="An LDAP filter every user must also match, e.g. (objectClass=inetOrgPerson).",
    )  # fmt: skip
    retired_ou = models.CharField(
        "retired users' OU", max_length=500, blank=True, validators=[validate_dn],
        help_text="Users under this DN are refused and deactivated here.",
    )  # fmt: skip
    attribute_map = models.JSONField(
        default=dict, blank=True,
        help_text="Profile field -> directory attribute, e.g. {\"first_name\": \"givenName\"}; empty: "
        "givenName, sn and mail (userPrincipalName when there is no mail).",
    )  # fmt: skip
    group_roles = models.JSONField(
        "group to role", default=dict, blank=True,
        help_text="Group DN -> role code, e.g. {\"cn=managers,ou=groups,dc=example,dc=com\": "
        "\"PROCESSMAKER_MANAGER\"}: at each sign-in and sync the first group listed that the user belongs to "
        "(nested groups too, on Active Directory) gives their role; in none of them, the role stays as it is.",
    )  # fmt: skip
    auto_register = models.BooleanField(
        "register unknown users", default=False,
        help_text="A username nobody has here, found in this directory and signing in with its password, becomes "
        "a user of the workspace (with the role its groups give, else the role below).",
    )  # fmt: skip
    register_role = models.ForeignKey(
        "workspaces.Role", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The role of users registered on their first sign-in when no group gives one.",
    )  # fmt: skip
    sync_hours = models.PositiveIntegerField(
        "sync every (hours)", default=0, validators=between(0, 24 * 30),
        help_text="How often `manage.py periodic` runs syncdirectory for this source: 0 never (run it yourself).",
    )  # fmt: skip
    last_synced = models.DateTimeField(null=True, blank=True, editable=False, help_text="When syncdirectory last ran.")
    connect_timeout = models.PositiveIntegerField(
        default=5, validators=between(1, 60), help_text="Seconds to wait for a server to answer a connection."
    )
    operation_timeout = models.PositiveIntegerField(
        default=10, validators=between(1, 120), help_text="Seconds to wait for a bind or a search."
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="auth_source_name_per_workspace")]
        ordering = ["workspace", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.workspace})"

    @property
    def server_list(self) -> list[str]:
        return [server.strip() for server in re.split(r"[,\s]+", self.servers) if server.strip()]

    @property
    def attributes(self) -> dict[str, str]:
        """Profile field -> attribute, the defaults under what the source sets."""
        return {**DEFAULT_ATTRIBUTES, **(self.attribute_map or {})}

    def clean(self) -> None:
        super().clean()
        problems: dict[str, Any] = {}
        servers = self.server_list
        if not servers or any(not HOST.match(server) for server in servers):
            problems["servers"] = "Host names or addresses, comma-separated."
        mapping = self.attribute_map
        if not isinstance(mapping, dict) or any(
            field not in MAPPABLE_FIELDS or not isinstance(attribute, str) or not ATTRIBUTE_NAME.match(attribute)
            for field, attribute in (mapping.items() if isinstance(mapping, dict) else [])
        ):
            problems["attribute_map"] = f"An object of profile fields ({', '.join(MAPPABLE_FIELDS)}) to attributes."
        if self.users_filter and not is_one_filter(self.users_filter):
            problems["users_filter"] = "An LDAP filter in parentheses, e.g. (objectClass=person)."
        groups = self.group_roles
        if not isinstance(groups, dict) or any(not isinstance(v, str) for v in groups.values()):
            problems["group_roles"] = "An object of group DNs to role codes."
        else:
            codes = set(self.workspace.roles.values_list("code", flat=True)) if self.workspace_id else set()
            for group, code in groups.items():
                try:
                    validate_dn(group)
                except ValidationError:
                    problems["group_roles"] = f"{group[:100]!r} is not a group's DN."
                if code not in codes:
                    problems["group_roles"] = f"No role {code[:64]!r} in this workspace."
        if self.register_role is not None and self.register_role.workspace_id != self.workspace_id:
            problems["register_role"] = "The role belongs to another workspace."
        if problems:
            raise ValidationError(problems)
