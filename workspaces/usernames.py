"""What a username is, and when two are the same name.

Compared form (`fold_username`): NFKC(casefold(NFKC(name))), surrounding whitespace stripped, as
RFC 8265's UsernameCaseMapped profile compares them. Case and compatibility variants (`ADMIN`,
fullwidth `ａｄｍｉｎ`) are the same name; accented letters (`ádmin`) and letters of other
scripts (Cyrillic `а`, dotless `ı`) are other names. The folded form is stored beside the name as
typed and compared byte for byte (`FoldedNameField`: a binary collation on MySQL, whose `_ci`
collations would match `ádmin` to `admin`), so SQLite and MySQL answer alike. ProcessMaker is
case-insensitive and accent-sensitive too, but PHP's upper-casing lets `admın` in as `admin`:
refusing that is deliberate.

What a name may hold (`username_problem`), after RFC 8265's rules on what is invisible or
misleading: no control characters (Cc: NUL, CR, LF...), no line or paragraph separators (Zl, Zp),
no space but the plain one (Zs), no format characters (Cf: zero-width space, bidirectional
overrides) except the zero-width non-joiner and joiner between letters, which Persian and Indic
names need; and no surrogate or unassigned code point. A name that breaks this displays as another
(`admin\u200b` looks like `admin`) or breaks the lines it is logged on.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

MAX_LENGTH = 100
# Folding can lengthen a name (ß -> ss, ligatures, compatibility forms): room for that, and a name
# whose folded form would not fit is refused.
MAX_FOLDED_LENGTH = 255
ZERO_WIDTH_JOINERS = {"\u200c", "\u200d"}  # ZWNJ, ZWJ
REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Zs", "Cs", "Cn"}


def fold_username(username: str) -> str:
    """The form usernames are compared in (see the module's docstring)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", username.strip()).casefold())


def _is_letter(character: str) -> bool:
    return unicodedata.category(character)[0] in "LM"


def username_problem(username: str) -> str | None:
    """Why `username` (as typed, before stripping) cannot be a username, or None."""
    name = username.strip()
    if not name:
        return "A username cannot be empty."
    if len(name) > MAX_LENGTH:
        return f"A username has at most {MAX_LENGTH} characters."
    for position, character in enumerate(name):
        category = unicodedata.category(character)
        if category not in REFUSED_CATEGORIES or character == " ":
            continue
        if character in ZERO_WIDTH_JOINERS and 0 < position < len(name) - 1:
            if _is_letter(name[position - 1]) and _is_letter(name[position + 1]):
                continue
        return (
            f"A username cannot contain invisible, control or unassigned characters "
            f"(U+{ord(character):04X} at position {position + 1})."
        )
    if len(fold_username(name)) > MAX_FOLDED_LENGTH:
        return "A username is too long once its case and width are folded."
    return None


def validate_username(username: str) -> None:
    """The model field's validator: ValidationError for a name `username_problem` refuses."""
    problem = username_problem(username)
    if problem is not None:
        raise ValidationError(problem, code="invalid_username")


class FoldedNameField(models.CharField):  # type: ignore[type-arg]
    """A name's compared form: byte for byte on every database. SQLite's default collation (BINARY)
    already is; on MySQL the column gets `utf8mb4_bin`."""

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "mysql":
            parameters["collation"] = "utf8mb4_bin"
        return parameters
