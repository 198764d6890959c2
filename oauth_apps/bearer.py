"""The bearer lookup, as one statement compiled once per process.

Every API request looks up its access token with the user it acts for (its own user, or for a
client-credentials token its client's owner), that user's role and the web session it may belong
to: one indexed query. Through the ORM, Django compiled that four-table
`select_related` query afresh on every request, a large share of the request (docs/performance.md). Here the
statement is built once from the models' own metadata, and each row is turned into model instances
by `plumbing.rows.Reader`, with the converters and `Model.from_db()` the ORM itself uses, so the
objects are the ones the ORM would have built (a column left out is loaded on first access, as a
deferred field).

Each process keeps the lookups it makes (`TOKENS`, `plumbing.row_cache`) for as long as none of the
tables they come from has changed: any committed update or delete of an access token, a user, a
role or a client, and any update or delete of a web-session link, renews their shared version in Redis
(`plumbing.table_versions`), so a revoked token, a deactivated user or a withdrawn permission is
refused by the very next request on every process and node. Expiry is checked on every use.
Unknown tokens are never kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.utils import timezone

from oauth_apps.identifiers import checksum
from oauth_apps.models import AccessToken, Application, UserSessionToken
from plumbing.row_cache import RowCache, clone
from plumbing.rows import Reader, column, fetch_one
from workspaces import audit
from workspaces.models import Role, User, Workspace

# (model, table alias, fields): what is read of each table, in this order.
ACCESS = ["id", "workspace", "user", "application", "client_id", "user_uid", "expires", "scope", "created"]
USER = ["id", "uid", "workspace", "username", "first_name", "last_name", "email", "status", "due_date", "role"]
ROLE = ["id", "workspace", "code", "status", "permissions"]
SESSION = ["id", "access_token", "session_key"]
PARTS: Sequence[tuple[type[Model], str, list[str]]] = [
    (AccessToken, "t", ACCESS),
    (User, "u", USER),
    (Role, "r", ROLE),
    (UserSessionToken, "s", SESSION),
]


@cache
def statement(using: str) -> tuple[str, list[Reader]]:
    """The SQL and a reader per table (once per database)."""
    quote = connections[using].ops.quote_name
    readers = [Reader(model, table_alias, names, using) for model, table_alias, names in PARTS]
    models: list[type[Model]] = [*(part[0] for part in PARTS), Application]
    token, user, role, session, client = (model._meta for model in models)
    # The user a token acts for: its own, or (client credentials: no user) its client's owner.
    acting = f"COALESCE(t.{quote(column(AccessToken, 'user'))}, a.{quote(column(Application, 'user'))})"
    tables = " ".join([
        f"{quote(token.db_table)} t",
        f"JOIN {quote(client.db_table)} a ON a.{quote('id')} = t.{quote(column(AccessToken, 'application'))}",
        f"LEFT JOIN {quote(user.db_table)} u ON u.{quote('id')} = {acting}",
        f"LEFT JOIN {quote(role.db_table)} r ON r.{quote('id')} = u.{quote(column(User, 'role'))}",
        f"LEFT JOIN {quote(session.db_table)} s"
        f" ON s.{quote(column(UserSessionToken, 'access_token'))} = t.{quote('id')}",
    ])  # fmt: skip
    where = f"t.{quote(column(AccessToken, 'token_checksum'))} = %s"
    columns = [name for reader in readers for name in reader.columns]
    # Names from the models' metadata, quoted by the backend; the one value is a parameter.
    sql = f"SELECT {', '.join(columns)} FROM {tables} WHERE {where}"  # noqa: S608
    return f"{sql} {connections[using].ops.limit_offset_sql(0, 1)}", readers


MAX_TOKEN_LENGTH = 255  # the ACCESS_TOKEN column: anything longer is no token of ours


def bearer_token(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (RFC 6750 2.1), or None when the header
    is something else: another scheme, no token, spaces inside, longer than any token is."""
    scheme, _, value = header.partition(" ")
    token = value.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH or " " in token:
        return None
    return token


class Presented(NamedTuple):
    access: AccessToken
    acting_user: User | None  # None only if a client-credentials token's client has no owner


def copy_presented(found: Presented) -> Presented:
    copies: dict[int, Model] = {}  # one user stays one instance
    acting = found.acting_user
    return Presented(clone(found.access, copies), clone(acting, copies) if acting is not None else None)  # type: ignore[arg-type]


CACHED_TOKENS = 1000
TOKENS: RowCache[Presented] = RowCache(
    "oauth:bearer:version",
    {
        AccessToken._meta.db_table: False,  # a new token changes no kept lookup
        User._meta.db_table: False,
        Role._meta.db_table: False,
        Application._meta.db_table: False,  # a client-credentials token acts for its client's owner
        # A web session's link is written with its new token, in one transaction: no process can
        # have kept a lookup of that token before, so a link's INSERT renews nothing (a web login
        # emptied every process's kept lookups when it did: docs/performance.md).
        UserSessionToken._meta.db_table: False,
    },
    CACHED_TOKENS,
    lambda: settings.PM_TOKEN_CACHE_SECONDS,
    copy_presented,
)


def find_access_token(token: str, using: str = "default") -> Presented | None:
    """The access token presented as `token` and the user it acts for, or None.

    `access` is what `AccessToken.objects.presented(token).select_related("user__role",
    "web_session")` would give; `acting_user` (with its role) is `access.user`, or for a
    client-credentials token the owner of its client."""
    key = checksum(token)
    found = TOKENS.get(key, lambda: read_access_token(key, using), using)
    if found is not None and found.access.expires <= timezone.now():
        # A web session's token has its expiry moved later without renewing the version
        # (oauth_apps.websessions): an expiry that has passed is read again before it counts.
        return read_access_token(key, using)
    return found


def find_own_access_token(workspace: Workspace, token: str, *, address: str, via: str) -> Presented | None:
    """`find_access_token`, for a token presented on `workspace`: one of another workspace is
    answered as unknown, and recorded (`audit.record_cross_workspace`, `via` naming how it came)."""
    presented = find_access_token(token)
    if presented is None or presented.access.workspace_id == workspace.pk:
        return presented
    audit.record_cross_workspace(
        workspace, client_id=presented.access.client_id, owner_workspace=presented.access.workspace_id,
        credential=via, address=address,
    )  # fmt: skip
    return None


def read_access_token(key: str, using: str = "default") -> Presented | None:
    """`find_access_token` from the database, by the token's checksum."""
    sql, readers = statement(using)
    instances = fetch_one(sql, [key], readers, using)
    if instances is None:
        return None
    access, user, role, link = instances
    assert isinstance(access, AccessToken) and (user is None or isinstance(user, User))
    assert role is None or isinstance(role, Role)
    if user is not None:
        user.role = role
    access.user = user if access.user_id is not None else None  # type: ignore[assignment]
    # The reverse one-to-one's cache, as select_related leaves it (None: no web session).
    AccessToken.web_session.related.set_cached_value(access, link)  # type: ignore[attr-defined]
    return Presented(access, user)
