"""The API's remembering content negotiation answers exactly as DRF's own, for every Accept header."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import Client
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from api import negotiation
from oauth_apps.services import RegisteredClient
from tests.oauth import bearer, issue
from workspaces.models import User

ME = "/api/1.0/workflow/light/user/data"
HEADERS = [
    None, "*/*", "application/json", "application/json; indent=4", "application/*",
    "application/json, text/javascript, */*; q=0.01", "text/html", "image/png, text/plain", "",
    "application/json;q=0", "*/*; charset=latin-1",
]  # fmt: skip


def answer(chooser: DefaultContentNegotiation, accept: str | None, query: str = "") -> tuple[type, str] | str:
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get("/" + query, **headers))
    try:
        renderer, media_type = chooser.select_renderer(request, [JSONRenderer()])
    except NotAcceptable:
        return "406"
    except Http404:  # a ?format= no renderer has
        return "404"
    return type(renderer), media_type


@pytest.mark.parametrize("query", ["", "?format=json", "?format=xml"])
def test_every_header_gets_drf_s_answer_the_first_time_and_every_time_after(query: str) -> None:
    negotiation._answers.clear()
    for _ in range(3):
        for accept in HEADERS:
            expected = answer(DefaultContentNegotiation(), accept, query)
            assert answer(negotiation.RememberingContentNegotiation(), accept, query) == expected, accept


def test_a_refused_header_is_never_remembered_and_made_up_headers_cannot_grow_the_table() -> None:
    negotiation._answers.clear()
    chooser = negotiation.RememberingContentNegotiation()
    assert answer(chooser, "text/html") == "406"
    assert not negotiation._answers
    for number in range(3 * negotiation.MAX_REMEMBERED):
        assert answer(chooser, f"application/json; x={number}") == (JSONRenderer, f"application/json; x={number}")
    assert len(negotiation._answers) == negotiation.MAX_REMEMBERED
    long = "application/json; y=" + "a" * 300
    assert answer(chooser, long) == answer(DefaultContentNegotiation(), long)
    assert len(negotiation._answers) == negotiation.MAX_REMEMBERED


def test_the_api_answers_json_for_any_acceptable_header_and_406_for_others(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    token = issue(app, operator_user)
    for _ in range(2):
        assert client.get(ME, headers=bearer(token)).json()["userName"] == "JohnDoe"
        response = client.get(ME, headers={**bearer(token), "Accept": "application/json, text/javascript, */*; q=0.01"})
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        refused = client.get(ME, headers={**bearer(token), "Accept": "text/html"})
        assert refused.status_code == 406
