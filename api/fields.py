"""Serializer pieces shared by the REST API resources."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework import serializers

from api import errors


class StrictCharField(serializers.CharField):
    """A string field that refuses numbers, booleans and objects instead of converting them."""

    default_error_messages = {"invalid": errors.NOT_A_STRING}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return str(super().to_internal_value(data))


class ProcessMakerSerializer(serializers.Serializer):
    """Field names ProcessMaker defines but we do not store are accepted and ignored;
    any other unknown name is a 400, so a typo is never silently dropped."""

    ignored_fields: Iterable[str] = ()

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": [errors.EXPECTED_OBJECT]})
        known = set(self.fields) | set(self.ignored_fields)
        unknown = sorted(str(key) for key in data if key not in known)
        if unknown:
            raise serializers.ValidationError({key: [errors.UNKNOWN_FIELD] for key in unknown})
        return super().to_internal_value({key: value for key, value in data.items() if key in self.fields})


def bounded_int(value: str | None, name: str, default: int, low: int, high: int) -> int:
    """A query-string integer within [low, high], or a 400 naming the parameter."""
    if value is None or value == "":
        return default
    out_of_range = serializers.ValidationError({name: [errors.WHOLE_NUMBER_RANGE.format(low=low, high=high)]})
    try:
        number = int(value)
    except ValueError:
        raise out_of_range from None
    if not low <= number <= high:
        raise out_of_range
    return number
