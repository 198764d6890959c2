"""A ProcessMaker workspace's password security policy, from the `PPP_*` constants of its
shared/sites/<ws>/db.php, as this workspace's settings (workspaces.password_policy).

A constant the file does not define takes the value ProcessMaker's own code falls back to
(`UsersProperties::validatePassword`: 5 to 20 characters, no composition rule, no expiry), so the
imported workspace asks what ProcessMaker asked. The two checks ProcessMaker has not (the
common-password list and the username) keep this workspace's values. A value outside this project's
ranges is brought to the nearest one allowed, and said so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pmimport.source import SourceError, php_defines

ExpirationUnit = Literal["hours", "days"]

# constant (with the old misspellings ProcessMaker still reads) -> setting, and ProcessMaker's default
CONSTANTS: dict[str, tuple[str, int]] = {
    "PPP_MINIMUM_LENGTH": ("password_min_length", 5),
    "PPP_MAXIMUM_LENGTH": ("password_max_length", 20),
    "PPP_NUMERICAL_CHARACTER_REQUIRED": ("password_needs_digit", 0),
    "PPP_UPPERCASE_CHARACTER_REQUIRED": ("password_needs_uppercase", 0),
    "PPP_SPECIAL_CHARACTER_REQUIRED": ("password_needs_special", 0),
    "PPP_EXPIRATION_IN": ("password_expiry_days", 0),
    "PPP_PASSWORD_HISTORY": ("password_history", 0),
    "PPP_FAILED_LOGINS": ("failed_logins_deactivate", 0),
}
OLD_SPELLINGS = {"PPP_MINIMUN_LENGTH": "PPP_MINIMUM_LENGTH", "PPP_MAXIMUN_LENGTH": "PPP_MAXIMUM_LENGTH"}
RANGES = {
    "password_min_length": (1, 128),
    "password_max_length": (8, 1024),
    "password_expiry_days": (0, 3650),
    "password_history": (0, 24),
    "failed_logins_deactivate": (0, 1000),
}
WORDS = {"true": 1, "false": 0}


@dataclass
class Policy:
    """The settings to give the workspace, and what had to be adjusted on the way."""

    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return ", ".join(f"{name}={value}" for name, value in self.values.items())


def read_policy(path: Path, expiration_unit: ExpirationUnit = "hours") -> Policy:
    """The policy `path` (a db.php) sets. `expiration_unit`: what PPP_EXPIRATION_IN counts, hours in
    ProcessMaker 3.3 and later, days before; this project counts whole days (rounded up)."""
    defined = php_defines(path)
    for old, new in OLD_SPELLINGS.items():
        if old in defined:
            defined.setdefault(new, defined[old])
    policy = Policy()
    for constant, (setting, default) in CONSTANTS.items():
        number = number_of(path, constant, defined[constant]) if constant in defined else default
        if setting == "password_expiry_days" and expiration_unit == "hours" and number > 0:
            days = math.ceil(number / 24)
            if days * 24 != number:
                policy.notes.append(f"{constant} {number} hours: {days} days here (expiry counts whole days)")
            number = days
        if setting.startswith("password_needs_"):
            policy.values[setting] = number == 1  # ProcessMaker's test: == 1
            continue
        low, high = RANGES[setting]
        if not low <= number <= high:
            kept = min(max(number, low), high)
            policy.notes.append(f"{constant} {number} is outside {low} to {high} here: set to {kept}")
            number = kept
        policy.values[setting] = number
    if policy.values["password_max_length"] < policy.values["password_min_length"]:
        policy.values["password_max_length"] = policy.values["password_min_length"]
        policy.notes.append("the maximum length was below the minimum: set to the minimum")
    return policy


def number_of(path: Path, constant: str, text: str) -> int:
    value = text.strip().lower()
    if value in WORDS:
        return WORDS[value]
    try:
        return int(value)
    except ValueError:
        raise SourceError(f"{path}: {constant} {text[:40]!r} is not a whole number.") from None
