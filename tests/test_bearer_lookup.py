"""The precompiled bearer lookup builds exactly what the ORM's select_related would."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from oauth_apps.bearer import ACCESS, ROLE, SESSION, USER, find_access_token
from oauth_apps.models import AccessToken, UserSessionToken
from oauth_apps.services import RegisteredClient
from oauth_apps.websessions import SESSION_TOKEN_KEY
from tests.conftest import PASSWORD
from tests.oauth import issue
from workspaces.models import User


def attnames(instance: object, names: list[str]) -> dict[str, object]:
    meta = instance._meta  # type: ignore[attr-defined]
    return {meta.get_field(name).attname: getattr(instance, meta.get_field(name).attname) for name in names}


def assert_same_as_the_orm(token: str) -> AccessToken:
    with CaptureQueriesContext(connection) as queries:
        presented = find_access_token(token)
    assert presented is not None and len(queries) == 1
    found, acting = presented
    expected = AccessToken.objects.presented(token).select_related("user__role", "web_session").get()
    assert attnames(found, ACCESS) == attnames(expected, ACCESS)
    if expected.user is None:
        assert found.user is None
        # Acting for its client's owner, with the owner's role, from the same one query.
        owner = User.objects.select_related("role").get(oauth_apps_application__pk=expected.application_id)
        assert acting is not None and attnames(acting, USER) == attnames(owner, USER)
        assert attnames(acting.role, ROLE) == attnames(owner.role, ROLE)  # type: ignore[arg-type]
    else:
        assert acting is found.user
        assert attnames(found.user, USER) == attnames(expected.user, USER)
        assert attnames(found.user.role, ROLE) == attnames(expected.user.role, ROLE)  # type: ignore[arg-type]
    try:
        link = expected.web_session
    except UserSessionToken.DoesNotExist:
        with CaptureQueriesContext(connection) as queries:
            try:
                found.web_session  # noqa: B018 - raises, from the cache, without a query
                raise AssertionError("a web session that does not exist")
            except UserSessionToken.DoesNotExist:
                pass
        assert len(queries) == 0
    else:
        assert attnames(found.web_session, SESSION) == attnames(link, SESSION)
    return found


def test_a_users_token(app: RegisteredClient, operator_user: User) -> None:
    found = assert_same_as_the_orm(issue(app, operator_user))
    assert found.user.can_log_in() and found.expires.tzinfo is not None  # type: ignore[union-attr]


def test_a_client_credentials_token_has_no_user_and_acts_for_the_owner(app: RegisteredClient) -> None:
    assert assert_same_as_the_orm(issue(app, None)).user is None


def test_a_web_session_token(client: Client, operator_user: User) -> None:
    client.post("/sysworkflow/en/neoclassic/login/login", {"username": "johndoe", "password": PASSWORD})
    access = AccessToken.objects.get(pk=client.session[SESSION_TOKEN_KEY])
    assert assert_same_as_the_orm(access.token).web_session.session_key == client.session.session_key


def test_an_unknown_token_is_none(db: None) -> None:
    assert find_access_token("0" * 40) is None
