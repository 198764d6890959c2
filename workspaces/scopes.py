"""The scopes: ProcessMaker's API scopes `*`, `view_process`, `edit_process`, and OpenID Connect's.

ProcessMaker's server knows them as `view_processes` / `edit_processes`, its documentation
as `view_process` / `edit_process`; both spellings are accepted and the singular one is
what we grant. `*` stands for every API scope, as it does to ProcessMaker; it does not imply
`openid` or any identity scope, which give no API access themselves (OpenID Connect Core 5.4).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

ALL = "*"
VIEW = "view_process"
EDIT = "edit_process"
OPENID = "openid"
# The scope catalogue: every scope, with the words the consent page shows for it.
API_CATALOGUE = {
    ALL: "Full access: read and change everything your account can reach",
    VIEW: "Read your processes and other resources",
    EDIT: "Create, change and delete your processes and other resources",
}
IDENTITY_CATALOGUE = {
    OPENID: "Sign you in and know who you are (your user ID)",
    "profile": "See your name, user name, language, time zone and when your profile last changed",
    "email": "See your e-mail address",
    "phone": "See your phone number",
    "address": "See your postal address",
}
CATALOGUE = {**API_CATALOGUE, **IDENTITY_CATALOGUE}
KNOWN = tuple(CATALOGUE)
API = tuple(API_CATALOGUE)
IDENTITY = tuple(IDENTITY_CATALOGUE)
ALIASES = {"view_processes": VIEW, "edit_processes": EDIT}


def split(scope: str | Iterable[str] | None) -> list[str]:
    """Scope names from a scope string (space or literal %20 separated) or a list."""
    if scope is None:
        return []
    items = scope.split() if isinstance(scope, str) else list(scope)
    return [part for item in items for part in item.replace("%20", " ").split()]


def normalise(scope: str | Iterable[str] | None) -> list[str]:
    """Aliases replaced by the canonical names, duplicates dropped, request order kept."""
    names: list[str] = []
    for name in split(scope):
        canonical = ALIASES.get(name, name)
        if canonical not in names:
            names.append(canonical)
    return names


def describe(names: Iterable[str]) -> list[str]:
    """What each scope lets the client do, in words for the person asked to consent."""
    return [CATALOGUE.get(name, name) for name in names]


def all_known(names: Iterable[str]) -> bool:
    return all(name in KNOWN for name in names)


def identity(names: Iterable[str]) -> list[str]:
    """The OpenID Connect scopes among `names`."""
    return [name for name in names if name in IDENTITY]


def within(requested: Iterable[str], original: Iterable[str]) -> bool:
    """Whether `requested` asks for nothing beyond `original` (`*` covers every API scope, and no
    identity scope)."""
    granted = set(original)
    beyond = set(requested) - granted
    return not beyond or (ALL in granted and not identity(beyond))


def refresh_allows(asked: list[str], original: list[str]) -> bool:
    """Whether a refresh may ask for the scopes `asked` (normalised) of a token granted `original`:
    each one literally among the token's own (oauthlib's own test, before it asks the validator),
    else known and within them (ours)."""
    return all(name in original for name in asked) or (all_known(asked) and within(asked, original))


def allows_read(names: Iterable[str]) -> bool:
    """Whether a token granted `names` may read (ProcessMaker's plural names count too: tokens
    imported before they were normalised carry them)."""
    return bool({ALL, VIEW, EDIT} & set(normalise(names)))


def allows_write(names: Iterable[str]) -> bool:
    return bool({ALL, EDIT} & set(normalise(names)))


def validate_scope_list(value: str) -> None:
    """A workspace's default scope: one or more API scopes of the catalogue, space-separated (any other
    name would make every token request that names no scope fail with invalid_scope)."""
    names = split(value)
    unknown = [name for name in names if ALIASES.get(name, name) not in API]
    if not names or unknown:
        said = f"{', '.join(repr(name) for name in unknown)}: not an API scope. " if unknown else ""
        raise ValidationError(f"{said}Use one or more of {', '.join(API)}, separated by spaces.", code="invalid_scope")
