"""The compiled statements (plumbing.rows, oauth_apps.refresh_claim) write and read exactly what the ORM does."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oauth_apps import refresh_claim
from oauth_apps.identifiers import checksum, new_token
from oauth_apps.models import AccessToken, Application, RefreshToken
from oauth_apps.services import RegisteredClient
from plumbing import rows
from tests.conftest import PASSWORD
from tests.oauth import password_grant
from workspaces.models import User


def every_column(instance: object) -> dict[str, object]:
    meta = instance._meta  # type: ignore[attr-defined]
    return {field.attname: getattr(instance, field.attname) for field in meta.concrete_fields}


def new_access(app: RegisteredClient, user: User | None) -> AccessToken:
    application = app.application
    return AccessToken(
        workspace=application.workspace, application=application, client_id=application.client_id, user=user,
        user_uid=user.uid if user else None, token=new_token(), scope="*",
        expires=timezone.now() + timedelta(hours=1),
    )  # fmt: skip


def test_insert_writes_the_row_save_would_write(app: RegisteredClient, operator_user: User) -> None:
    by_orm, by_rows = new_access(app, operator_user), new_access(app, operator_user)
    by_orm.save()
    with CaptureQueriesContext(connection) as queries:
        rows.insert(by_rows)
    assert len(queries) == 1 and queries[0]["sql"].startswith("INSERT")
    assert by_rows.pk is not None and by_rows.pk != by_orm.pk and not by_rows._state.adding
    stored_orm, stored_rows = (every_column(AccessToken.objects.get(pk=row.pk)) for row in (by_orm, by_rows))
    # The checksum is the field's own pre_save work: computed from the token, not left blank.
    assert stored_rows["token_checksum"] == checksum(by_rows.token)
    assert stored_rows["created"] is not None and stored_rows["updated"] is not None
    different = {"id", "token", "token_checksum", "created", "updated", "expires"}
    assert {k: v for k, v in stored_rows.items() if k not in different} == {
        k: v for k, v in stored_orm.items() if k not in different
    }
    assert stored_rows["expires"] == by_rows.expires


def test_first_reads_the_instance_filter_would(app: RegisteredClient, foreign_app: RegisteredClient) -> None:
    application = app.application
    with CaptureQueriesContext(connection) as queries:
        found = rows.first(Application, workspace_id=application.workspace_id, client_id=application.client_id)
    assert len(queries) == 1 and isinstance(found, Application)
    expected = Application.objects.get(pk=application.pk)
    assert every_column(found) == every_column(expected)
    assert model_to_dict(found) == model_to_dict(expected)
    assert not found._state.adding and found._state.db == "default"


def test_first_honours_every_condition(app: RegisteredClient, foreign_app: RegisteredClient) -> None:
    application = app.application
    assert (
        rows.first(Application, workspace_id=foreign_app.application.workspace_id, client_id=application.client_id)
        is None
    )
    assert (
        rows.first(Application, workspace_id=application.workspace_id, client_id=application.client_id, is_local=True)
        is None
    )
    local = Application.objects.get(workspace=application.workspace, is_local=True)
    assert rows.first(Application, workspace_id=local.workspace_id, client_id=local.client_id, is_local=True) == local
    assert rows.first(Application, client_id="NOSUCHCLIENT") is None


def test_the_refresh_lookup_reads_what_select_related_would(
    client: Client, app: RegisteredClient, foreign_app: RegisteredClient, operator_user: User
) -> None:
    token = password_grant(client, app, "johndoe", PASSWORD).json()["refresh_token"]
    application = app.application
    with CaptureQueriesContext(connection) as queries:
        found = refresh_claim.find_refresh_token(application.workspace, application, token)
    assert len(queries) == 1 and found is not None
    expected = RefreshToken.objects.presented(token).select_related("user__role").get()
    assert every_column(found) == every_column(expected)
    assert every_column(found.user) == every_column(expected.user)
    assert every_column(found.user.role) == every_column(expected.user.role)
    # Another client, another workspace: not found.
    assert refresh_claim.find_refresh_token(application.workspace, foreign_app.application, token) is None
    assert refresh_claim.find_refresh_token(foreign_app.application.workspace, application, token) is None


def test_a_refresh_token_is_marked_used_exactly_once_and_never_when_expired(
    client: Client, app: RegisteredClient, operator_user: User
) -> None:
    first, second = (password_grant(client, app, "johndoe", PASSWORD).json()["refresh_token"] for _ in range(2))
    application = app.application
    refresh = refresh_claim.find_refresh_token(application.workspace, application, first)
    assert refresh is not None
    now = timezone.now()
    assert refresh_claim.mark_used(refresh, now) and refresh.revoked == now
    assert not refresh_claim.mark_used(refresh, now)  # the second claim of the same token loses
    assert RefreshToken.objects.get(pk=refresh.pk).revoked == now
    expired = refresh_claim.find_refresh_token(application.workspace, application, second)
    assert expired is not None
    RefreshToken.objects.filter(pk=expired.pk).update(expires=now - timedelta(seconds=1))
    assert not refresh_claim.mark_used(expired, now) and RefreshToken.objects.get(pk=expired.pk).revoked is None
