"""What a ProcessMaker row becomes here: pure functions from source rows to our model fields.

Facts from ../shared/reference/processmaker-database.md (sections 2 to 5). Each function returns a
`Mapped` (the fields, and notes for the report) or raises `Skipped` (a row ProcessMaker itself would
not let anyone use: a CLOSED user, an expired token) or `Refused` (a row that cannot be imported).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from oauth_apps.identifiers import checksum
from workspaces import scopes

LOCAL_CLIENTS = frozenset({"x-pm-local-client", "x-pm-mobile-client"})
PROCESSMAKER_SYSTEM = "00000000000000000000000000000002"
LDAP_AUTH_TYPES = frozenset({"ldap", "ldapadvanced"})
HEX_DIGEST = re.compile(r"\A[0-9a-fA-F]+\Z")
NO_SCOPE = "*"  # ProcessMaker stores NULL when none was asked and never checks scopes


class Skipped(Exception):
    """A row deliberately left behind; the message says why."""


class Refused(Exception):
    """A row that cannot be imported; the message says why."""


@dataclass
class Mapped:
    key: str  # the source row's identity: ROL_UID, USR_UID, CLIENT_ID, or a token's SHA-256
    label: str  # how the report names the row (never a secret or a token)
    values: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    secret: str = field(default="", repr=False)  # a value kept out of the ledger's digests (a search password)


def text(row: dict[str, Any], column: str, default: str = "") -> str:
    """A column as text. MySQLdb gives bytes for a binary column (VARBINARY, BLOB, a *_bin collation
    on some servers): decoded as UTF-8, an invalid byte as U+FFFD, never written as a Python repr."""
    value = row.get(column)
    if value is None:
        return default
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def day(value: object) -> date | None:
    """A DATE column: MySQL's zero date and NULL are no date."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def moment(value: object, zone: ZoneInfo) -> datetime | None:
    """A DATETIME column, written in the ProcessMaker server's local time."""
    return value.replace(tzinfo=zone) if isinstance(value, datetime) else None


# --- Roles ----------------------------------------------------------------------------------


def map_role(row: dict[str, Any], name: str, permissions: list[str]) -> Mapped:
    """An RBAC_ROLES row of the PROCESSMAKER system, with its name from CONTENT and the codes of its
    active permissions (ProcessMaker lists a role's permissions with PER_STATUS = 1 only)."""
    code = text(row, "ROL_CODE").strip()
    if not re.fullmatch(r"[A-Z0-9_]{1,64}", code):
        raise Refused(f"role code {code[:64]!r} is not upper-case letters, digits and _: not imported")
    status = "ACTIVE" if text(row, "ROL_STATUS", "1") == "1" else "INACTIVE"
    values = {"code": code, "name": name[:128], "status": status, "permissions": sorted(set(permissions))}
    return Mapped(key=text(row, "ROL_UID"), label=code, values=values)


# --- Users ----------------------------------------------------------------------------------


def password_hash(stored: str) -> str | None:
    """ProcessMaker's unsalted hex digest behind our prefix, told apart by length (md5 32, sha256 64);
    None when it is neither (the seeded guest's bcrypt string, an empty one)."""
    if HEX_DIGEST.match(stored) and len(stored) == 64:
        return f"pm_sha256${stored.lower()}"
    if HEX_DIGEST.match(stored) and len(stored) == 32:
        return f"pm_md5${stored.lower()}"
    return None


def user_status(users_row: dict[str, Any] | None, rbac_row: dict[str, Any]) -> str:
    """USERS.USR_STATUS (ACTIVE, INACTIVE, VACATION, CLOSED), held to RBAC_USERS.USR_STATUS, which
    login reads: not 1 means the user cannot log in, whatever USERS says."""
    status = text(users_row or {}, "USR_STATUS", "ACTIVE").strip().upper() or "ACTIVE"
    if status == "CLOSED":
        raise Skipped("CLOSED in ProcessMaker (a deleted user): not imported")
    if status not in ("ACTIVE", "INACTIVE", "VACATION"):
        status = "INACTIVE"
    if status == "ACTIVE" and text(rbac_row, "USR_STATUS", "1").strip() != "1":
        status = "INACTIVE"
    return status


# USERS columns and the model fields they fill, as stored (checked by the importer's full_clean).
PROFILE_COLUMNS = {
    "USR_ADDRESS": "address",
    "USR_ZIP_CODE": "zip_code",
    "USR_COUNTRY": "country",
    "USR_CITY": "city",
    "USR_LOCATION": "location",
    "USR_PHONE": "phone",
    "USR_FAX": "fax",
    "USR_CELLULAR": "cellular",
    "USR_POSITION": "position",
    "DEP_UID": "department",
    "USR_UNIT_COST": "unit_cost",
    "USR_TIME_ZONE": "time_zone",
    "USR_DEFAULT_LANG": "default_lang",
}
REFERENCE_COLUMNS = {"USR_REPLACED_BY": "replaced_by", "USR_REPORTS_TO": "reports_to"}


def map_user(
    rbac_row: dict[str, Any],
    users_row: dict[str, Any] | None,
    role_code: str | None,
    must_change: bool,
    sources: frozenset[str] = frozenset(),
) -> Mapped:
    """A user from RBAC_USERS (what login reads: username, password, status, due date) and USERS
    (the profile). References to other users (`replaced_by`, `reports_to`) stay USR_UIDs here."""
    uid = text(rbac_row, "USR_UID").strip()
    username = text(rbac_row, "USR_USERNAME").strip() or text(users_row or {}, "USR_USERNAME").strip()
    if not uid or not username:
        raise Refused("no USR_UID or username")
    if len(uid) > 32:
        raise Refused(f"USR_UID {uid[:40]!r} is longer than 32 characters")
    status = user_status(users_row, rbac_row)
    notes: list[str] = []
    profile = users_row or rbac_row
    auth_type = text(rbac_row, "USR_AUTH_TYPE").strip().lower()
    password = password_hash(text(rbac_row, "USR_PASSWORD").strip())
    source = text(rbac_row, "UID_AUTH_SOURCE").strip() if auth_type in LDAP_AUTH_TYPES else ""
    if auth_type in LDAP_AUTH_TYPES:
        password = None  # their password is the directory's
        if source not in sources:
            source = ""
            if status == "ACTIVE":
                status = "INACTIVE"
            notes.append(
                "a directory user whose authentication source did not come over: imported INACTIVE with no "
                "password; give them a source (or a password) and status ACTIVE to let them log in"
            )
    elif password is None:
        notes.append("the stored password is not an md5 or sha256 digest: imported with no usable password")
    if role_code is None:
        notes.append("no role of the PROCESSMAKER system: imported with no role (cannot log in)")
    values: dict[str, Any] = {
        "username": username[:100],
        "password": password or "",  # "": the importer sets an unusable password
        "first_name": text(profile, "USR_FIRSTNAME"),
        "last_name": text(profile, "USR_LASTNAME"),
        "email": text(profile, "USR_EMAIL").strip(),
        "status": status,
        "due_date": day(rbac_row.get("USR_DUE_DATE")) or day(profile.get("USR_DUE_DATE")),
        "role": role_code,
        "birthday": day(profile.get("USR_BIRTHDAY")),
        "ux": text(profile, "USR_UX", "NORMAL").strip().upper() or "NORMAL",
        "cost_by_hour": cost(profile.get("USR_COST_BY_HOUR")),
        "must_change_password": must_change,
        "auth_source": source or None,  # AUTH_SOURCE_UID
        "directory_dn": text(rbac_row, "USR_AUTH_USER_DN").strip() if source else "",
    }
    values.update({name: text(profile, column).strip() for column, name in PROFILE_COLUMNS.items()})
    values.update({name: text(profile, column).strip() or None for column, name in REFERENCE_COLUMNS.items()})
    return Mapped(key=uid, label=f"{username} ({uid})", values=values, notes=notes)


def cost(value: object) -> Decimal:
    try:
        amount = Decimal(str(value if value is not None else 0))
    except InvalidOperation:
        return Decimal(0)
    return amount if amount.is_finite() else Decimal(0)


COLUMN_OF = {
    **{name: column for column, name in PROFILE_COLUMNS.items()},
    "username": "USR_USERNAME",
    "first_name": "USR_FIRSTNAME",
    "last_name": "USR_LASTNAME",
    "email": "USR_EMAIL",
    "birthday": "USR_BIRTHDAY",
    "ux": "USR_UX",
    "cost_by_hour": "USR_COST_BY_HOUR",
}

# Profile fields the importer may leave empty (with a note) when ProcessMaker holds a value that
# is not valid here, rather than leave the whole user behind.
OPTIONAL_FIELDS = frozenset(
    {"first_name", "last_name", "email", "birthday", "ux", "cost_by_hour", *PROFILE_COLUMNS.values()}
)


# --- Clients --------------------------------------------------------------------------------


def map_client(row: dict[str, Any]) -> Mapped:
    client_id = text(row, "CLIENT_ID").strip()
    if client_id in LOCAL_CLIENTS:
        raise Skipped("ProcessMaker's own web client: this server has its own (users log in again)")
    if not client_id or len(client_id) > 80:
        raise Refused("CLIENT_ID is empty or longer than 80 characters")
    secret = text(row, "CLIENT_SECRET")
    if not secret:
        raise Refused("no client secret (ProcessMaker has no public clients)")
    name = text(row, "CLIENT_NAME").strip()
    notes = [] if name else ["no name in ProcessMaker: named after its client id"]
    values = {
        "client_id": client_id,
        "client_secret": secret,
        "name": (name or client_id)[:256],
        "description": text(row, "CLIENT_DESCRIPTION")[:1024],
        "website": text(row, "CLIENT_WEBSITE").strip()[:1024],
        "redirect_uris": text(row, "REDIRECT_URI").strip(),
        "user": text(row, "USR_UID").strip() or None,
    }
    return Mapped(key=client_id, label=f"{values['name']} ({client_id})", values=values, notes=notes)


# --- Tokens ---------------------------------------------------------------------------------


def map_token(row: dict[str, Any], column: str, zone: ZoneInfo, now: datetime) -> Mapped:
    """A live row of OAUTH_ACCESS_TOKENS (`column` ACCESS_TOKEN) or OAUTH_REFRESH_TOKENS
    (REFRESH_TOKEN). The report names it by the start of its SHA-256, never by the token."""
    token = text(row, column).strip()
    if not token or len(token) > 255:
        raise Refused(f"{column} is empty or longer than 255 characters")
    digest = checksum(token)
    expires = moment(row.get("EXPIRES"), zone)
    if expires is None or expires <= now:
        raise Skipped("expired")
    # ProcessMaker's own names (view_processes, edit_processes) become the ones granted here.
    scope = " ".join(scopes.normalise(text(row, "SCOPE"))) or NO_SCOPE
    values = {
        "token": token,
        "client_id": text(row, "CLIENT_ID").strip(),
        "user": text(row, "USER_ID").strip() or None,
        "expires": expires,
        "scope": scope,
    }
    return Mapped(key=digest, label=f"token sha256:{digest[:12]}", values=values)


def expiry_floor(now: datetime, zone: ZoneInfo) -> datetime:
    """The source-local time before which every token has expired (a WHERE on EXPIRES), a day early
    so that no time-zone edge drops a live token; each row is checked exactly afterwards."""
    return (now.astimezone(zone) - timedelta(days=1)).replace(tzinfo=None)
