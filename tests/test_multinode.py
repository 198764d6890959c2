"""Two app nodes behind docker/nginx.conf on one MariaDB database and one Redis: whatever one node
does, the other sees at its very next request.

The nodes are real servers (granian, one worker each) with their workspace cache on; the database
(`pm_multinode`) and Redis (database 14) are their own, whichever database the rest of the suite uses.
Changes a node makes through its HTTP API are made through it; the others (a client secret
regenerated, a workspace deactivated) by `manage.py shell`, a third process like any other node.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import MySQLdb
import pytest
import redis

from tests.live import free_port, manage, nginx_config, open_url, serve, start_nginx, stop, wait_until_up

pytestmark = [pytest.mark.live, pytest.mark.multinode, pytest.mark.own_database]
DATABASE = "pm_multinode"
REDIS_DB = 14
PASSWORD = "a multinode password"


@dataclass
class Cluster:
    nodes: list[str]  # http://127.0.0.1:port of each app node
    proxy: str  # https://127.0.0.1:port of nginx
    env: dict[str, str]
    tmp: Path
    client_id: str = ""
    client_secret: str = ""

    def manage(self, *args: str) -> str:
        return manage(self.env, *args)

    def token(self, base: str, headers: dict[str, str] | None = None, **params: str) -> dict[str, Any]:
        body = {"client_id": self.client_id, "client_secret": self.client_secret, **params}
        _, _, answer = post(f"{base}/multi/oauth2/token", body, headers)
        return json.loads(answer)  # type: ignore[no-any-return]

    def password_grant(
        self, base: str, username: str, password: str = PASSWORD, headers: dict[str, str] | None = None
    ) -> dict[str, Any]:
        return self.token(base, headers, grant_type="password", username=username, password=password)


def post(url: str, body: dict[str, str], headers: dict[str, str] | None = None) -> tuple[int, Any, bytes]:
    data = urllib.parse.urlencode(body).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
    return open_url(url, headers, data, "POST")


def me(base: str, token: str) -> int:
    return open_url(f"{base}/api/1.0/multi/light/user/data", {"Authorization": f"Bearer {token}"})[0]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    tmp = tmp_path_factory.mktemp("multinode")
    server = MySQLdb.connect(host="127.0.0.1", port=3306, user="root", password="")
    with server.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        cursor.execute(f"CREATE DATABASE {DATABASE} CHARACTER SET utf8mb4")
    redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": f"mysql://root@127.0.0.1:3306/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "SECRET_KEY": "multinode test key, the same on every node",
        "PM_ALLOW_HTTP": "1",
        "PM_TRUSTED_PROXY": "127.0.0.1",
        "PM_WORKSPACE_CACHE_SECONDS": "300",
        "PM_ACCESS_LOG": "1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    cluster = Cluster([], "", env, tmp)
    cluster.manage("migrate", "--noinput")
    cluster.manage("createworkspace", "multi", "--admin-password", PASSWORD)
    for username in ("alice", "bob", "carol"):
        cluster.manage("createuser", "--workspace", "multi", username, "--password", PASSWORD)
    registered = json.loads(
        cluster.manage(
            "registerapp",
            "--workspace",
            "multi",
            "--owner",
            "admin",
            "--name",
            "Nodes",
            "--website",
            "https://nodes.example",
            "--json",
        )  # fmt: skip
    )
    cluster.client_id, cluster.client_secret = registered["client_id"], registered["client_secret"]
    processes = []
    try:
        ports = [free_port(), free_port()]
        processes += [serve(env, port, tmp / f"node{number}.log") for number, port in enumerate(ports)]
        http, https = free_port(), free_port()
        processes.append(start_nginx(tmp, nginx_config(tmp, ports, http, https)))
        for port, process in zip(ports, processes, strict=False):
            wait_until_up(f"http://127.0.0.1:{port}/health", process)
        wait_until_up(f"http://127.0.0.1:{http}/health", processes[-1])
        cluster.nodes = [f"http://127.0.0.1:{port}" for port in ports]
        cluster.proxy = f"https://127.0.0.1:{https}"
        yield cluster
    finally:
        for process in processes:
            stop(process)


def test_a_token_from_one_node_works_on_the_other_and_a_revocation_reaches_it_at_once(cluster: Cluster) -> None:
    a, b = cluster.nodes
    token = cluster.password_grant(a, "alice")["access_token"]
    assert me(b, token) == 200
    status, _, _ = post(f"{a}/multi/oauth2/revoke", {"token": token, "client_id": cluster.client_id,
                                                      "client_secret": cluster.client_secret})  # fmt: skip
    assert status == 200
    assert me(b, token) == 401


def test_a_regenerated_client_is_refused_on_every_node_at_once(cluster: Cluster) -> None:
    a, b = cluster.nodes
    token = cluster.token(b, grant_type="client_credentials")["access_token"]
    script = (
        "from oauth_apps.models import Application; from oauth_apps.services import regenerate_secret; "
        f"print(regenerate_secret(Application.objects.get(client_id='{cluster.client_id}')))"
    )
    old_secret, cluster.client_secret = cluster.client_secret, cluster.manage("shell", "-c", script).split()[-1]
    refused = post(f"{b}/multi/oauth2/token", {"grant_type": "client_credentials", "client_id": cluster.client_id,
                                               "client_secret": old_secret})  # fmt: skip
    assert json.loads(refused[2])["error"] == "invalid_client"
    assert me(a, token) == 401 and me(b, token) == 401  # its tokens went with the old secret
    assert "access_token" in cluster.token(a, grant_type="client_credentials")


def test_a_deactivated_user_is_refused_on_every_node_at_once(cluster: Cluster) -> None:
    a, b = cluster.nodes
    bob = cluster.password_grant(b, "bob")["access_token"]
    admin = cluster.password_grant(a, "admin")["access_token"]
    uid = json.loads(open_url(f"{a}/api/1.0/multi/light/user/data", {"Authorization": f"Bearer {bob}"})[2])["userId"]
    status, _, answer = open_url(
        f"{a}/api/1.0/multi/user/{uid}", {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"},
        json.dumps({"usr_status": "INACTIVE"}).encode(), "PUT",
    )  # fmt: skip
    assert status == 200, answer[:300]
    assert me(b, bob) == 401
    assert cluster.password_grant(b, "bob")["error"] == "invalid_grant"


def test_login_limits_are_counted_by_all_nodes_together(cluster: Cluster) -> None:
    """Nine failures from one address lock it out (threshold 10, minus one: a stranger's address
    never locks a username); split over two nodes they count as nine, not four and five."""
    a, b = cluster.nodes
    # The nodes trust 127.0.0.1 as their proxy: this client is 203.0.113.7 to them (and to nobody else).
    client = {"X-Forwarded-For": "203.0.113.7"}
    for attempt in range(9):
        answer = cluster.password_grant((a, b)[attempt % 2], "carol", "not carol's password", client)
        assert "minutes" not in answer["error_description"], attempt
    for node in (a, b):
        refused = cluster.password_grant(node, "carol", headers=client)  # even the right password
        assert "minutes" in refused["error_description"] and "access_token" not in refused
    assert "access_token" in cluster.password_grant(a, "carol")  # from another address


def test_exactly_one_of_sixteen_refreshes_of_one_token_wins_through_nginx(cluster: Cluster) -> None:
    granted = cluster.password_grant(cluster.proxy, "admin")
    results: list[dict[str, Any]] = []
    start = threading.Barrier(16)

    def refresh() -> None:
        start.wait()
        results.append(cluster.token(cluster.proxy, grant_type="refresh_token", refresh_token=granted["refresh_token"]))

    threads = [threading.Thread(target=refresh) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(results) == 16
    assert sum("access_token" in result for result in results) == 1
    assert all(result.get("error") == "invalid_grant" for result in results if "access_token" not in result)


def test_the_request_id_is_nginx_s_and_names_the_log_lines_of_the_node(cluster: Cluster) -> None:
    status, headers, _ = open_url(f"{cluster.proxy}/ready")
    request_id = headers["X-Request-ID"]
    assert status == 200 and len(request_id) == 32
    logs = "".join(path.read_text() for path in cluster.tmp.glob("node*.log"))
    assert f"[{request_id}] GET ready 200" in logs


def test_a_deactivated_workspace_answers_503_on_every_node_at_once(cluster: Cluster) -> None:
    a, b = cluster.nodes
    for node in (a, b):  # both nodes hold the workspace in their cache
        assert open_url(f"{node}/multi/oauth2/token")[0] == 200
    switch = (
        "from workspaces.models import Workspace; w = Workspace.objects.get(name='multi'); w.is_active = {}; w.save()"
    )
    cluster.manage("shell", "-c", switch.format(False))
    try:
        assert open_url(f"{a}/multi/oauth2/token")[0] == 503
        assert open_url(f"{b}/multi/oauth2/token")[0] == 503
    finally:
        cluster.manage("shell", "-c", switch.format(True))
    assert open_url(f"{a}/multi/oauth2/token")[0] == 200 and open_url(f"{b}/multi/oauth2/token")[0] == 200
