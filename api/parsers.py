"""Request body parsing for the REST API."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from workspaces.http import parse_json


class StrictJSONParser(JSONParser):
    """DRF's JSON parser, refusing with a 400 what it would let through to a 500: JSON nested past
    the recursion limit and lone surrogates (see `workspaces.http.parse_json`)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return parse_json(stream.read() if stream is not None else b"", encoding)
        except ValueError as error:
            raise ParseError(f"JSON parse error: {error}") from None
