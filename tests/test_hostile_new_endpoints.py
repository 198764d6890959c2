"""Hostile bodies, headers and parameters at the entry points added with issues 11-13: a clear 4xx, never a 500."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from oauth_apps.services import register_application
from tests.oauth import basic_auth, bearer, issue

BODIES = [b"", b"{", b"\xff\xfe", b"x" * 200000, json.dumps({"token": ["a", "b"]}).encode(), b"token=" + b"a" * 5000]
CTYPES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain"]


@pytest.mark.parametrize(
    "path",
    [
        "/workflow/oauth2/introspect",
        "/workflow/oauth2/device_authorization",
        "/api/1.0/workflow/oauth2/token",
        "/workflow/oauth2/" + "a" * 40 + "/expire",
    ],
)
def test_no_500(app, admin, other_workspace, path):
    cli = register_application(admin.workspace, admin, name="D", website="d", device_flow=True)
    header_sets = [
        {},
        {"Authorization": basic_auth(cli.application.client_id, cli.client_secret)},
        {"Authorization": "Basic %%%"},
    ]
    for i, body in enumerate(BODIES):
        for j, ctype in enumerate(CTYPES):
            # Every pair of body, content type and credentials meets at least once (the header set
            # turns with both), a third of the full product.
            headers = header_sets[(i + j) % len(header_sets)]
            r = Client(raise_request_exception=False).post(path, body, content_type=ctype, headers=headers)
            assert r.status_code < 500, (path, body[:20], ctype, r.status_code, r.content[:200])
            r = Client(raise_request_exception=False).delete(path, body, content_type=ctype, headers=headers)
            assert r.status_code < 500, (path, "DELETE", r.status_code)


def test_users_api_hostile(app, admin, operator_user, stranger):
    t = issue(app, admin)
    c = Client(raise_request_exception=False)
    for q in [
        "start=99999999999999999999",
        "limit=-0",
        "limit=1e3",
        "status=%00",
        "sort=usr_due_date&dir=desc&limit=1",
        "filter=%25%5F",
    ]:
        r = c.get("/api/1.0/workflow/users?" + q, headers=bearer(t))
        assert r.status_code in (200, 400), (q, r.status_code)
    for body in [
        {"usr_cost_by_hour": "1e10"},
        {"usr_cost_by_hour": "NaN"},
        {"usr_birthday": "0000-00-00"},
        {"usr_logged_next_time": True},
        {"usr_replaced_by": stranger.uid},
        {"usr_time_zone": "x" * 5000},
        {"usr_country": None},
        {"usr_city": "FL"},
        [1],
        "s",
    ]:
        r = c.put(
            f"/api/1.0/workflow/user/{operator_user.uid}",
            json.dumps(body),
            content_type="application/json",
            headers=bearer(t),
        )
        assert r.status_code == 400, (body, r.status_code, r.content[:200])
    for path in [
        "/user/" + "%00" * 10 + "/tokens",
        "/user/" + stranger.uid + "/tokens/X",
        "/user/" + "a" * 199 + "/tokens",
    ]:
        for m in ("get", "delete"):
            r = getattr(c, m)("/api/1.0/workflow" + path, headers=bearer(t))
            assert r.status_code < 500, (path, m, r.status_code)


def test_pages_hostile(client, operator_user, admin):
    client.force_login(admin, backend="workspaces.backends.WorkspaceBackend")
    for url in [
        "/sysworkflow/en/neoclassic/oauth2/device?user_code=" + "Z" * 5000,
        "/sysworkflow/en/neoclassic/oauth2/applications?page=-1&sort=%00&q=" + "q" * 5000,
        "/sysworkflow/en/neoclassic/oauth2/authorized/AAAA/revoke",
        "/sysworkflow/en/neoclassic/oauth2/applications/AAAA/credentials",
    ]:
        r = client.get(url)
        assert r.status_code < 500, (url, r.status_code)
    r = client.post("/sysworkflow/en/neoclassic/oauth2/applications/new", {"name": "x", "once": "o" * 10000})
    assert r.status_code < 500
