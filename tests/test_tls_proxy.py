"""docker/nginx.conf in front of a real server: HTTPS by default, forwarded headers from nginx only.

The compose file's nginx config is used as written, with only the upstream address, the ports and
the certificate paths pointed at this test's own (a self-signed pair from docker/make-cert.sh).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import PROJECT, free_port, nginx_config, open_url, start_nginx, stop, wait_until_up

pytestmark = [pytest.mark.live, pytest.mark.own_database]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[int, int]]:
    upstream, http, https = free_port(), free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if key != "PM_ALLOW_HTTP"}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", PYTHON=sys.executable,
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}", PM_BOOTSTRAP_WORKSPACE="demo",
        PM_ADMIN_PASSWORD="entrypoint password", PM_BIND=f"127.0.0.1:{upstream}", WEB_CONCURRENCY="1",
        PM_TRUSTED_PROXY="127.0.0.1", PM_PUBLIC_URL=f"https://127.0.0.1:{https}",
    )  # fmt: skip
    log = (tmp_path / "server.log").open("wb")
    app = subprocess.Popen(
        [str(PROJECT / "docker" / "entrypoint.sh")], env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    nginx = start_nginx(tmp_path, nginx_config(tmp_path, [upstream], http, https))
    try:
        wait_until_up(f"http://127.0.0.1:{upstream}/health", app)
        wait_until_up(f"http://127.0.0.1:{http}/health", nginx)
        yield http, https
    finally:
        stop(nginx)
        stop(app)


LOGIN = "/sysdemo/en/neoclassic/login/login"


def test_plain_http_is_sent_to_https(stack: tuple[int, int]) -> None:
    http, _ = stack
    status, headers, _ = open_url(f"http://127.0.0.1:{http}{LOGIN}")
    assert status == 301 and headers["Location"].startswith("https://")


def test_https_pages_have_secure_cookies_and_hsts(stack: tuple[int, int]) -> None:
    _, https = stack
    status, headers, body = open_url(f"https://127.0.0.1:{https}{LOGIN}")
    assert status == 200, body[:300]
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    cookies = headers.get_all("Set-Cookie") or []
    assert cookies and all("Secure" in cookie for cookie in cookies)


def test_a_client_cannot_claim_https_or_an_address_past_nginx(stack: tuple[int, int], tmp_path: Path) -> None:
    http, _ = stack
    # nginx overwrites X-Forwarded-Proto and appends the real address to X-Forwarded-For.
    forged = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.50"}
    status, headers, _ = open_url(f"http://127.0.0.1:{http}{LOGIN}", forged)
    assert status == 301


def test_no_log_holds_a_token_sent_in_the_path(stack: tuple[int, int], tmp_path: Path) -> None:
    """ProcessMaker's /{ws}/oauth2/{token}/expire and /{ws}/oauth2/{token} (also under /api/1.0/):
    requests that fail (a wrong method, no such route, a workspace in the wrong case), through both of
    nginx's servers; neither nginx's access log nor the app's log holds the token."""
    http, https = stack
    token = secrets.token_hex(20)
    requests = [
        ("GET", f"/demo/oauth2/{token}/expire"), ("PUT", f"/demo/oauth2/{token}"),
        ("POST", f"/api/1.0/demo/oauth2/{token}/expire/now"), ("GET", f"/DEMO/oauth2/{token}"),
        ("PATCH", f"/api/1.0/Demo/oauth2/{token}/expire"), ("DELETE", f"/demo/oauth2/{token}"),
    ]  # fmt: skip
    for method, path in requests:
        for base in (f"https://127.0.0.1:{https}", f"http://127.0.0.1:{http}"):
            open_url(base + path, method=method)
    access = (tmp_path / "access.log").read_text()
    assert access.count("/oauth2/[token]") == 2 * len(requests)
    app = (tmp_path / "server.log").read_text()
    assert "/oauth2/[token]" in app  # Django's request logger wrote the failures
    for log in (access, app, (tmp_path / "error.log").read_text()):
        assert token not in log
