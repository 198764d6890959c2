"""The rules of a user's profile fields, as ProcessMaker checks them (BusinessModel/User.php).

Country and region are ISO 3166 codes (pycountry holds the lists ProcessMaker keeps in its
ISO_COUNTRY and ISO_SUBDIVISION tables); the location is a UN/LOCODE place code, whose table this
server does not carry, so only its shape is checked. The model, the admin and the REST API all
validate through these functions.
"""

from __future__ import annotations

import re
import zoneinfo
from functools import cache

import pycountry
from django.core.exceptions import ValidationError

INVALID_VALUE = "Invalid value for '{field}'."
LOCATION_SHAPE = re.compile(r"[A-Z0-9]{1,3}\Z")
LANGUAGE_SHAPE = re.compile(r"[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})?\Z")
UX_CHOICES = ("NORMAL", "SIMPLIFIED", "SWITCHABLE", "SINGLE")


@cache
def time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_country(code: str) -> bool:
    return len(code) == 2 and code.isascii() and code.isupper() and pycountry.countries.get(alpha_2=code) is not None


def is_region(country: str, code: str) -> bool:
    """`code` is a subdivision of `country` (ProcessMaker stores "FL" for US-FL)."""
    return bool(code) and len(code) <= 3 and pycountry.subdivisions.get(code=f"{country}-{code}") is not None


def is_location(code: str) -> bool:
    return LOCATION_SHAPE.match(code) is not None


def is_time_zone(name: str) -> bool:
    return name in time_zones()


def is_language(tag: str) -> bool:
    return LANGUAGE_SHAPE.match(tag) is not None


def check_place(country: str, city: str, location: str) -> dict[str, str]:
    """What is wrong with a country/region/location triple, by model field name (empty: nothing).

    As ProcessMaker: a region or location needs a country; the region must lie in it."""
    problems: dict[str, str] = {}
    if country and not is_country(country):
        problems["country"] = INVALID_VALUE.format(field="usr_country")
    if (city or location) and not country:
        problems.setdefault("country", INVALID_VALUE.format(field="usr_country"))
    if city and country and "country" not in problems and not is_region(country, city):
        problems["city"] = INVALID_VALUE.format(field="usr_city")
    if location and not is_location(location):
        problems["location"] = INVALID_VALUE.format(field="usr_location")
    return problems


def validate_time_zone(value: str) -> None:
    if value and not is_time_zone(value):
        raise ValidationError(f"{value[:100]!r} is not a time zone (an IANA name such as Europe/Paris).")


def validate_language(value: str) -> None:
    if value and not is_language(value):
        raise ValidationError("Use a language code such as en, es or pt-BR.")
