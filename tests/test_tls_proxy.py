"""docker/nginx.conf in front of a real server: HTTPS by default, forwarded headers from nginx only.

The compose file's nginx config is used as written, with only the upstream address, the ports and
the certificate paths pointed at this test's own (a self-signed pair from docker/make-cert.sh).
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from tests.live import PROJECT, free_port, stop, wait_until_up

pytestmark = pytest.mark.live


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def nginx_config(tmp_path: Path, upstream: int, http: int, https: int) -> Path:
    text = (PROJECT / "docker" / "nginx.conf").read_text()
    for old, new in [
        ("server app:8000;", f"server 127.0.0.1:{upstream};"),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https} ssl;"),
        ("/etc/nginx/certs/", f"{tmp_path}/certs/"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    text = text.replace("http {", f"http {{\n  access_log {tmp_path}/access.log;", 1)
    config = tmp_path / "nginx.conf"
    config.write_text(text)
    return config


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[tuple[int, int]]:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is not installed: scripts/system-packages.sh test installs it")
    shutil.copy(PROJECT / "docker" / "make-cert.sh", tmp_path / "make-cert.sh")
    subprocess.run([str(tmp_path / "make-cert.sh")], check=True, capture_output=True)
    upstream, http, https = free_port(), free_port(), free_port()
    env = {key: value for key, value in os.environ.items() if key != "PM_ALLOW_HTTP"}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", PYTHON=sys.executable,
        PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}", PM_BOOTSTRAP_WORKSPACE="demo",
        PM_ADMIN_PASSWORD="entrypoint password", PM_BIND=f"127.0.0.1:{upstream}", WEB_CONCURRENCY="1",
        PM_TRUSTED_PROXY="127.0.0.1",
    )  # fmt: skip
    log = (tmp_path / "server.log").open("wb")
    app = subprocess.Popen(
        [str(PROJECT / "docker" / "entrypoint.sh")], env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    config = nginx_config(tmp_path, upstream, http, https)
    directives = f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"
    nginx = subprocess.Popen(
        ["nginx", "-c", str(config), "-p", str(tmp_path), "-g", directives], start_new_session=True
    )
    try:
        wait_until_up(f"http://127.0.0.1:{upstream}/health", app)
        wait_until_up(f"http://127.0.0.1:{http}/health", nginx)
        yield http, https
    finally:
        stop(nginx)
        stop(app)


def open_url(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (by name in any case, as HTTP has them: granian sends them in lower case)
    and body."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback only
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


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
