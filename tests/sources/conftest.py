"""A tiny real HTTP server (stdlib, port 0) standing in for a platform API in client tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.sources.faults import RawBody

# route(method, path, query, body) -> (status, headers, json_body or RawBody)
Route = Callable[[str, str, dict[str, str], Any], tuple[int, dict[str, str], Any]]


@dataclass
class FakePlatform:
    base_url: str
    route: Route
    requests: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    auth_headers: list[str | None] = field(default_factory=list)
    connections: int = 0

    def calls(self, path: str) -> list[tuple[str, str, dict[str, str], Any]]:
        return [r for r in self.requests if r[1] == path]


@pytest.fixture
def fake_platform() -> Iterator[Callable[[Route], FakePlatform]]:
    servers: list[ThreadingHTTPServer] = []

    def start(route: Route) -> FakePlatform:
        state = FakePlatform(base_url="", route=route)
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with lock:
                    state.connections += 1

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                url = urlsplit(self.path)
                query = dict(parse_qsl(url.query, keep_blank_values=True))
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                with lock:
                    state.requests.append((self.command, url.path, query, body))
                    state.auth_headers.append(self.headers.get("Authorization"))
                status, headers, payload = state.route(self.command, url.path, query, body)
                raw = payload if isinstance(payload, RawBody) else None
                data = raw.data if raw else json.dumps(payload, ensure_ascii=False).encode()
                declared = raw.declared if raw and raw.declared is not None else len(data)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(declared))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if raw and raw.trickle:
                    for i in range(len(data)):
                        try:
                            self.wfile.write(data[i : i + 1])
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(raw.trickle)
                else:
                    self.wfile.write(data)
                if declared != len(data):
                    self.wfile.flush()
                    self.close_connection = True

            do_GET = _handle
            do_POST = _handle

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(server)
        state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
        return state

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
