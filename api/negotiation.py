"""Content negotiation that remembers its answers.

DRF parses the Accept header and matches it against the renderers on every request; the answer
depends only on the header, the `format` override and the renderer classes, and nearly every
program sends the same few headers (none, `*/*`, jQuery's), so each answer is computed once per
process. Client-chosen headers cannot grow the table past MAX_REMEMBERED answers, and a header
DRF refuses (406) is never remembered: it is worked out afresh, by DRF, each time.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

MAX_REMEMBERED = 64
MAX_ACCEPT_LENGTH = 200

Key = tuple[Any, ...]
_answers: dict[Key, tuple[int, str]] = {}


class RememberingContentNegotiation(DefaultContentNegotiation):
    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderers = list(renderers)
        accept = request.META.get("HTTP_ACCEPT")  # None and "" differ: DRF reads no header as */*
        override = request.query_params.get(self.settings.URL_FORMAT_OVERRIDE) if not format_suffix else None
        key = (accept, format_suffix, override, *(type(renderer) for renderer in renderers))
        known = _answers.get(key)
        if known is not None:
            return renderers[known[0]], known[1]
        renderer, media_type = super().select_renderer(request, renderers, format_suffix)
        if len(accept or "") <= MAX_ACCEPT_LENGTH and len(_answers) < MAX_REMEMBERED:
            _answers[key] = (next(i for i, r in enumerate(renderers) if r is renderer), media_type)
        return renderer, media_type
