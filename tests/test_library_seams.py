"""Where we lean on a library's private parts, each in one place, and the test that fails the day the
library changes them: django-oauth-toolkit's `_extract_params`, `_load_application` and
`_extract_basic_auth` hooks, Django's Redis client's `_get_connection_pool`; and what the compiled
INSERTs of plumbing/rows.py assume of the models they write (no save signals to send)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCacheClient
from django.db.models import signals
from django.test import Client
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator

from oauth_apps import fast_grants
from oauth_apps.models import AccessToken, Application, RefreshToken
from oauth_apps.services import RegisteredClient
from plumbing.failover_cache import ReusingRedisCacheClient
from tests.conftest import PASSWORD
from tests.oauth import password_grant, post_token, refresh_grant
from workspaces.models import User


def calls(function: Callable[..., Any], call: str) -> bool:
    return call in inspect.getsource(function)


@pytest.mark.parametrize(
    "method",
    ["create_token_response", "create_revocation_response", "create_device_authorization_response",
     "create_authorization_response", "validate_authorization_request", "verify_request"],
)  # fmt: skip
def test_every_oauthlib_core_entry_we_use_reads_the_request_through_extract_params(method: str) -> None:
    # ProcessMakerOAuthLibCore hands oauthlib the body's pairs through this hook (JSON bodies, repeated
    # parameters refused): an entry that stopped calling it would read the body its own way.
    assert calls(getattr(OAuthLibCore, method), "self._extract_params(request)")
    assert calls(OAuthLibCore._extract_params, "self._get_escaped_full_path(request)")


@pytest.mark.parametrize(
    ("method", "hook"),
    [("client_authentication_required", "self._extract_basic_auth(request)"),
     ("client_authentication_required", "self._load_application("),
     ("authenticate_client_id", "self._load_application(")],
)  # fmt: skip
def test_the_validator_hooks_we_override_are_still_called_where_we_rely_on_them(method: str, hook: str) -> None:
    # ProcessMakerValidator overrides these hooks and inherits the methods that call them (for
    # public clients, which name themselves without a secret): the workspace's client lookup, and
    # Basic whatever the case of its scheme.
    assert calls(getattr(OAuth2Validator, method), hook)


def test_django_builds_a_redis_client_per_operation_from_the_pool_we_reuse() -> None:
    # ReusingRedisCacheClient.get_client keeps what Django's makes afresh each time: if Django's
    # changes, ours must follow.
    source = inspect.getsource(RedisCacheClient.get_client)
    assert "pool = self._get_connection_pool(write)" in source
    assert "return self._client(connection_pool=pool)" in source
    assert list(inspect.signature(RedisCacheClient._get_connection_pool).parameters) == ["self", "write"]


def test_one_redis_client_per_pool_is_kept_and_answers() -> None:
    cache_client = caches["default"]._cache  # type: ignore[attr-defined]
    assert isinstance(cache_client, ReusingRedisCacheClient)
    assert cache_client.get_client(write=True) is cache_client.get_client(write=True)
    assert cache_client.get_client().ping()


@pytest.mark.parametrize("model", [AccessToken, RefreshToken])
def test_the_models_written_by_compiled_inserts_have_no_save_receivers(model: type) -> None:
    # plumbing.rows.insert writes these rows without Model.save(), so a receiver would never hear of them.
    assert not signals.pre_save.has_listeners(model)
    assert not signals.post_save.has_listeners(model)


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "oauthlib"])
def test_a_client_the_model_calls_unusable_is_refused_for_every_grant(
    client: Client, app: RegisteredClient, admin: User, monkeypatch: pytest.MonkeyPatch, fast: bool
) -> None:
    refresh_token = password_grant(client, app, admin.username, PASSWORD).json()["refresh_token"]
    monkeypatch.setattr(fast_grants, "ENABLED", fast)
    monkeypatch.setattr(Application, "is_usable", lambda self, request=None: False)
    for response in (
        post_token(client, {"grant_type": "client_credentials", "client_id": app.application.client_id,
                            "client_secret": app.client_secret}),
        refresh_grant(client, app, refresh_token),
        password_grant(client, app, admin.username, PASSWORD),
    ):  # fmt: skip
        assert response.json()["error"] == "invalid_client"  # ProcessMaker's 200 or RFC 6749's 401, by mode


def test_oauthlib_runs_the_code_modifiers_from_its_list() -> None:
    """oauth_apps.server puts ProcessMaker's code in first by inserting into the grant's private list of
    code modifiers, which oauthlib's authorization code grant reads as it makes a code."""
    from oauthlib.oauth2.rfc6749.grant_types import AuthorizationCodeGrant  # noqa: PLC0415

    assert calls(AuthorizationCodeGrant.create_authorization_response, "self._code_modifiers")
    assert isinstance(AuthorizationCodeGrant()._code_modifiers, list)
