"""The registerapp command: the contract other tools depend on, and bad input."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import CommandError, call_command

from oauth_apps.models import Application
from workspaces.models import User

ARGS = [
    "registerapp",
    "--workspace",
    "workflow",
    "--owner",
    "admin",
    "--name",
    "Reports",
    "--website",
    "https://example.com",
]


def run(*extra: str) -> str:
    out = io.StringIO()
    call_command(*ARGS, *extra, stdout=out)
    return out.getvalue()


def test_registerapp_json_gives_the_secret_once_and_stores_its_hash(admin: User) -> None:
    result = json.loads(run("--callback", "https://example.com/cb", "--description", "Monthly reports", "--json"))
    assert set(result) == {"client_id", "client_secret", "name", "workspace"}
    assert re.fullmatch(r"[A-Z]{32}", result["client_id"]) and re.fullmatch(r"[0-9a-f]{32}", result["client_secret"])
    application = Application.objects.get(client_id=result["client_id"])
    assert application.client_secret != result["client_secret"]
    assert application.client_secret.startswith("pm_client_secret$")
    assert check_password(result["client_secret"], application.client_secret)
    assert (application.name, application.description, application.redirect_uris) == (
        "Reports",
        "Monthly reports",
        "https://example.com/cb",
    )
    assert application.user == admin and application.workspace == admin.workspace


def test_registerapp_prints_both_credentials_for_people(admin: User) -> None:
    out = run()
    assert re.search(r"client_id: [A-Z]{32}", out) and re.search(r"client_secret: [0-9a-f]{32}", out)


def test_registerapp_public_client_has_no_secret(admin: User) -> None:
    result = json.loads(run("--public", "--json"))
    assert result["client_secret"] == ""
    application = Application.objects.get(client_id=result["client_id"])
    assert application.is_public and application.client_secret == ""


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ({"--workspace": "nowhere"}, "Unknown workspace"),
        ({"--owner": "ghost"}, "Unknown user"),
        ({"--website": "w" * 1025}, "at most 1024 characters"),
        ({"--name": " "}, "--name: This field is required"),
        ({"--name": "n" * 257}, "--name: Ensure this value has at most 256 characters"),
    ],
)
def test_registerapp_refuses_bad_input(admin: User, replace: dict[str, str], message: str) -> None:
    args = list(ARGS)
    for flag, value in replace.items():
        args[args.index(flag) + 1] = value
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(*args, stdout=io.StringIO())
    assert not Application.objects.filter(is_local=False).exists()


def test_the_web_site_is_free_text_as_processmaker_takes_it(admin: User) -> None:
    result = json.loads(run("--website", "example.com", "--json"))
    assert Application.objects.get(client_id=result["client_id"]).website == "example.com"


@pytest.mark.parametrize("callback", ["https://example.com/cb#frag", "ftp://example.com/cb", "not a url"])
def test_registerapp_refuses_bad_callbacks(admin: User, callback: str) -> None:
    with pytest.raises(CommandError, match="callback URL"):
        run("--callback", callback)


def test_the_web_site_is_optional_as_on_the_form(admin: User) -> None:
    args = ARGS[: ARGS.index("--website")]
    out = io.StringIO()
    call_command(*args, "--json", stdout=out)
    assert Application.objects.get(client_id=json.loads(out.getvalue())["client_id"]).website == ""


def test_the_help_states_the_forms_rule_once(capsys: pytest.CaptureFixture[str]) -> None:
    from oauth_apps.forms import ApplicationForm
    from oauth_apps.management.commands.registerapp import Command

    parser = Command().create_parser("manage.py", "registerapp")
    text = " ".join(parser.format_help().split())
    assert "Absolute URL" not in text and " ".join(ApplicationForm.Meta.help_texts["website"].split()) in text
    assert "--device-flow" in text


def test_registerapp_takes_the_forms_device_flow_choice(admin: User) -> None:
    result = json.loads(run("--device-flow", "--json"))
    assert Application.objects.get(client_id=result["client_id"]).allow_device_flow
    plain = json.loads(run("--json"))
    assert not Application.objects.get(client_id=plain["client_id"]).allow_device_flow


def test_registerapp_warns_of_a_plain_http_callback_as_the_page_does(admin: User) -> None:
    err = io.StringIO()
    call_command(*ARGS, "--callback", "http://example.com/cb", stdout=io.StringIO(), stderr=err)
    assert err.getvalue().startswith("Warning: The callback URL uses plain http")


def test_registerapp_says_when_the_owner_already_has_that_name(admin: User) -> None:
    run()
    err = io.StringIO()
    call_command(*ARGS, stdout=io.StringIO(), stderr=err)
    assert "Warning: admin already has an application called Reports" in err.getvalue()
    assert Application.objects.filter(name="Reports").count() == 2
