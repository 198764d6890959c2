"""Where an authorization response travels: the query, the fragment or a posted form (OAuth 2.0
Multiple Response Type Encoding Practices, Form Post Response Mode), with RFC 9207's `iss` in the
same place in rfc6749 mode; never a token in a query string; errors in the mode asked for."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from oauth_apps.services import RegisteredClient, register_application
from tests.oauth import returned
from tests.test_authorize import BACKEND, CALLBACK, authorize_url
from workspaces.models import ErrorMode, User, Workspace

ISSUER = "http://testserver/workflow"


@pytest.fixture
def web_app(admin: User) -> RegisteredClient:
    return register_application(admin.workspace, admin, name="Web", website="https://c.example", callback=CALLBACK)


@pytest.fixture
def logged_in(client: Client, operator_user: User) -> Client:
    client.force_login(operator_user, backend=BACKEND)
    return client


def rfc6749(workspace: Workspace) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(error_mode=ErrorMode.RFC6749)


def posted_form(response: Any) -> tuple[str, dict[str, str], bool]:
    """The callback a form-post page posts to, its fields, and whether it posts itself."""
    assert response.status_code in (200, 400) and not response.has_header("Location")
    page = response.content.decode()
    form = re.search(r'<form method="post" action="([^"]+)"( data-autosubmit)?>(.*?)</form>', page, re.S)
    assert form is not None, page[:2000]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(3)))
    return html.unescape(form.group(1)), {k: html.unescape(v) for k, v in fields.items()}, bool(form.group(2))


@pytest.mark.parametrize("mode", [ErrorMode.PROCESSMAKER, ErrorMode.RFC6749])
def test_a_token_is_never_sent_in_a_query_string(
    logged_in: Client, web_app: RegisteredClient, workspace: Workspace, mode: str
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(error_mode=mode)
    response = logged_in.get(authorize_url(web_app, response_type="token", response_mode="query", state="s"))
    query, fragment = returned(response)
    assert query["error"] == ["invalid_request"] and "never sent in a query string" in query["error_description"][0]
    assert "access_token" not in query and fragment == {}
    accepted = logged_in.post(authorize_url(web_app, response_type="token", response_mode="query"), {"accept": "1"})
    assert accepted.status_code == 400 and "access_token" not in accepted.content.decode()


def test_an_unknown_response_mode_is_refused(logged_in: Client, web_app: RegisteredClient) -> None:
    query, _ = returned(logged_in.get(authorize_url(web_app, response_mode="web_message", state="s")))
    assert query["error"] == ["invalid_request"] and "web_message" in query["error_description"][0]


def test_fragment_mode_puts_the_code_state_and_iss_in_the_fragment(
    logged_in: Client, web_app: RegisteredClient, workspace: Workspace
) -> None:
    rfc6749(workspace)
    response = logged_in.post(authorize_url(web_app, response_mode="fragment", state="s1"), {"accept": "Accept"})
    parts = urlsplit(response["Location"])
    assert parts.query == ""
    fragment = parse_qs(parts.fragment)
    assert set(fragment) == {"code", "state", "iss"} and fragment["state"] == ["s1"] and fragment["iss"] == [ISSUER]


@pytest.mark.parametrize("mode", [ErrorMode.PROCESSMAKER, ErrorMode.RFC6749])
def test_form_post_posts_the_code_to_the_callback_by_itself(
    logged_in: Client, web_app: RegisteredClient, workspace: Workspace, mode: str
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(error_mode=mode)
    response = logged_in.post(authorize_url(web_app, response_mode="form_post", state="s2"), {"accept": "Accept"})
    action, fields, automatic = posted_form(response)
    assert action == CALLBACK and automatic and "no-store" in response["Cache-Control"]
    expected = {"code", "state", "iss"} if mode == ErrorMode.RFC6749 else {"code", "state"}
    assert set(fields) == expected and fields["state"] == "s2" and len(fields["code"]) == 40
    assert b"pm/autosubmit.js" in response.content


def test_form_post_carries_a_denial_and_an_error_in_the_same_way(logged_in: Client, web_app: RegisteredClient) -> None:
    denied = logged_in.post(authorize_url(web_app, response_mode="form_post", state="s3"), {"cancel": "Deny"})
    action, fields, automatic = posted_form(denied)
    assert automatic and fields == {
        "error": "access_denied", "error_description": "The user denied access to your application", "state": "s3",
    }  # fmt: skip
    failed = logged_in.get(authorize_url(web_app, response_mode="form_post", scope="bogus", state="s4"))
    action, fields, automatic = posted_form(failed)
    assert failed.status_code == 400 and not automatic  # before the user decided: a button, not a post
    assert action == CALLBACK and fields["error"] == "invalid_scope" and fields["state"] == "s4"


def test_errors_of_the_implicit_flow_go_in_the_fragment(logged_in: Client, web_app: RegisteredClient) -> None:
    query, fragment = returned(logged_in.get(authorize_url(web_app, response_type="token", scope="bogus")))
    assert query == {} and fragment["error"] == ["invalid_scope"]


@pytest.mark.parametrize("mode", [ErrorMode.PROCESSMAKER, ErrorMode.RFC6749])
def test_an_error_before_the_decision_is_a_page_in_either_mode(
    logged_in: Client, web_app: RegisteredClient, workspace: Workspace, mode: str
) -> None:
    Workspace.objects.filter(pk=workspace.pk).update(error_mode=mode)
    query, _ = returned(logged_in.get(authorize_url(web_app, scope="bogus", state="s5")))
    expected = {"error", "error_description", "state", "iss"} if mode == ErrorMode.RFC6749 else {
        "error", "error_description", "state"}  # fmt: skip
    assert set(query) == expected


def test_the_metadata_lists_the_modes_that_work(client: Client, workspace: Workspace) -> None:
    meta = client.get("/.well-known/oauth-authorization-server/workflow").json()
    assert meta["response_modes_supported"] == ["query", "fragment", "form_post"]


def test_processmaker_clients_see_no_change(logged_in: Client, web_app: RegisteredClient, operator_user: User) -> None:
    """The seed's JavaScript reads the code as location.search.substr(6)."""
    response = logged_in.post(authorize_url(web_app), {"accept": "Accept"})
    assert re.fullmatch(rf"{re.escape(CALLBACK)}\?code=[0-9a-f]{{40}}", response["Location"])
