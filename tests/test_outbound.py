"""plumbing/outbound.py, the one way this server calls an address someone else chose: what it refuses
before connecting, and the limits it keeps once connected (against a real server on loopback)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from plumbing import outbound


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x", "http://10.1.2.3/x", "http://192.168.0.1/", "http://172.16.0.1/", "http://169.254.169.254/",
        "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://[fd00::1]/", "http://0.0.0.0/", "http://100.64.0.1/",
        "http://localhost/", "http://224.0.0.1/",
    ],
)  # fmt: skip
def test_special_addresses_are_refused_before_connecting(url: str) -> None:
    with pytest.raises(outbound.OutboundRefused, match="loopback or private"):
        outbound.post_form(url, {"a": "b"})


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/",
        "file:///etc/passwd",
        "http://user:pw@example.com/",
        "https:///nohost",
        "http://example.com:99999/",
    ],
)
def test_only_plain_http_and_https_urls(url: str) -> None:
    with pytest.raises(outbound.OutboundRefused):
        outbound.post_form(url, {})


def test_an_unknown_host_fails_clearly() -> None:
    with pytest.raises(outbound.OutboundFailed, match="cannot resolve"):
        outbound.post_form("http://no-such-host.invalid/", {})


class Server(ThreadingHTTPServer):
    def __init__(self, body: bytes = b"ok", delay: float = 0.0) -> None:
        self.received: list[bytes] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                outer.received.append(self.rfile.read(int(self.headers["Content-Length"])))
                time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.daemon_threads = True


@pytest.fixture
def serve() -> Iterator[Any]:
    started: list[Server] = []

    def start(**kwargs: Any) -> Server:
        server = Server(**kwargs)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.mark.live
def test_a_form_is_posted_and_a_large_answer_read_only_up_to_the_cap(serve: Any) -> None:
    server = serve(body=b"x" * (outbound.MAX_RESPONSE_BYTES * 4))
    answer = outbound.post_form(f"http://127.0.0.1:{server.server_address[1]}/in?q=1", {"logout_token": "a b"},
                                allow_private=True)  # fmt: skip
    assert answer.status == 200 and len(answer.body) == outbound.MAX_RESPONSE_BYTES
    assert server.received == [b"logout_token=a+b"]


@pytest.mark.live
def test_a_stalled_server_times_out(serve: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound, "READ_SECONDS", 0.5)
    server = serve(delay=5)
    started = time.monotonic()
    with pytest.raises(outbound.OutboundFailed, match="timed out|TimeoutError"):
        outbound.post_form(f"http://127.0.0.1:{server.server_address[1]}/", {}, allow_private=True)
    assert time.monotonic() - started < 2


@pytest.mark.live
def test_https_to_a_server_that_speaks_no_tls_fails_clearly(serve: Any) -> None:
    server = serve()
    with pytest.raises(outbound.OutboundFailed, match="SSL|EOF|Connection"):
        outbound.post_form(f"https://127.0.0.1:{server.server_address[1]}/", {}, allow_private=True)
