"""The HTTP stand-in: routing, bearer auth, chaos, admin endpoints, one log line per request."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from cc_warehouse_demo.simulator import api
from cc_warehouse_demo.simulator.chaos import Chaos, ChaosConfig
from cc_warehouse_demo.simulator.store import Store, load_store

log = logging.getLogger("cc_warehouse_demo.simulator")


class SimulatorServer(ThreadingHTTPServer):
    """ThreadingHTTPServer carrying the loaded store, token, clock, chaos and request counters."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: Store, token: str, now_ms: int, chaos: Chaos) -> None:
        super().__init__(address, _Handler)
        self.store, self.token, self.now_ms, self.chaos = store, token, now_ms, chaos
        self.routes = {e.spec.api["path"]: e for e in store.entities.values()}
        self.stats: Counter[str] = Counter()
        self.stats_lock = threading.Lock()

    def count(self, path: str, status: int) -> None:
        with self.stats_lock:
            self.stats["requests"] += 1
            self.stats[f"path:{path}"] += 1
            self.stats[f"status:{status}"] += 1

    def stats_body(self) -> dict[str, Any]:
        with self.stats_lock:
            s = dict(self.stats)
        return {
            "requests": s.get("requests", 0),
            "by_path": {k[5:]: v for k, v in s.items() if k.startswith("path:")},
            "by_status": {k[7:]: v for k, v in s.items() if k.startswith("status:")},
        }

    def shutdown(self) -> None:
        super().shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: with Nagle on, the body waits for the client's delayed ACK of the
    # headers (40 ms on Linux) on every keep-alive request, which made the stand-in, not the client, the
    # bottleneck of every extract (~44 ms per page whatever its size).
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default access log (it prints query strings); `_send` logs instead."""

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        started = time.perf_counter()
        url = urlsplit(self.path)
        path = url.path
        status, body, headers = self._handle(method, path, dict(parse_qsl(url.query, keep_blank_values=True)))
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        fault = headers.pop("X-Body-Fault", None)
        declared = len(payload)
        if fault == "truncate":
            payload = payload[: len(payload) // 2]
            declared = len(payload)
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(declared))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        # Counted and logged before the body goes out, so a client that has read it sees itself counted.
        self.server.count(path, status)
        log.info("%s %s %d %.1fms", method, path, status, (time.perf_counter() - started) * 1000)
        try:
            if fault == "reset":
                self.wfile.write(payload[: len(payload) // 2])
                self.wfile.flush()
                self.close_connection = True
            elif fault == "trickle":
                pieces = 50
                step = max(1, -(-len(payload) // pieces))
                for i in range(0, len(payload), step):
                    self.wfile.write(payload[i : i + step])
                    self.wfile.flush()
                    time.sleep(self.server.chaos.config.trickle_seconds / pieces)
            else:
                self.wfile.write(payload)
        except OSError:  # the client gave up on a trickled body
            self.close_connection = True

    def _read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b"{}"
        body = json.loads(raw.decode("utf-8") or "{}")
        if not isinstance(body, dict):
            raise ValueError("JSON object expected")
        return body

    def _handle(self, method: str, path: str, params: dict[str, str]) -> tuple[int, dict[str, Any], dict[str, str]]:
        srv = self.server
        body: dict[str, Any] = {}
        if method == "POST":
            try:
                body = self._read_json()
            except ValueError:
                return 400, {"error": "invalid JSON body"}, {}
        if self.headers.get("Authorization", "") != f"Bearer {srv.token}":
            return 401, {"error": "unauthorized"}, {}
        if path == "/_admin/stats" and method == "GET":
            return 200, srv.stats_body(), {}
        if path == "/_admin/chaos":
            if method == "POST":
                try:
                    srv.chaos.configure(ChaosConfig.parse({**srv.chaos.as_dict(), **body}))
                except (TypeError, ValueError) as exc:
                    return 400, {"error": str(exc)}, {}
            return 200, srv.chaos.as_dict(), {}
        entity = srv.routes.get(path)
        helper = {
            "/douyin/order/batchDecrypt": api.batch_decrypt,
            "/red/order/receivers": api.red_receivers,
        }.get(path)
        if (entity is None or method != entity.spec.api["method"]) and (helper is None or method != "POST"):
            return 404, {"error": "not found"}, {}
        trouble, delay = srv.chaos.roll()
        if delay:
            time.sleep(delay)
        if trouble == "429":
            return 429, {"error": "too many requests"}, {"Retry-After": srv.chaos.retry_after_header()}
        if trouble in ("500", "503"):
            return (
                int(trouble),
                {"error": "internal error" if trouble == "500" else "service unavailable"},
                {},
            )
        if trouble == "busy" and path.startswith("/douyin/"):
            return 200, {"code": 40004, "msg": "系统繁忙", "data": None}, {}
        reply = helper(srv.store, body) if helper else api.list_records(entity, params, srv.now_ms, srv.chaos)
        fault = srv.chaos.roll_body() if reply.status == 200 else None
        return reply.status, reply.body, ({"X-Body-Fault": fault} if fault else {})


def make_server(
    data_dir: Path,
    token: str,
    host: str = "127.0.0.1",
    port: int = 0,
    now_ms: int | None = None,
    chaos: str | dict[str, Any] | ChaosConfig | None = None,
) -> SimulatorServer:
    """Load the datasets and bind (not yet serving). `now_ms` defaults to the dataset window end."""
    if not token:
        raise ValueError("a token is required")
    store = load_store(Path(data_dir))
    if now_ms is None:
        now_ms = default_now_ms(Path(data_dir))
    config = chaos if isinstance(chaos, ChaosConfig) else ChaosConfig.parse(chaos)
    return SimulatorServer((host, port), store, token, now_ms, Chaos(config))


def default_now_ms(data_dir: Path) -> int:
    """The generated window's end (ground_truth.json), else the wall clock."""
    truth = data_dir / "ground_truth.json"
    if truth.exists():
        end = json.loads(truth.read_text(encoding="utf-8"))["window"]["end"]
        return int(datetime.fromisoformat(end).timestamp() * 1000)
    return int(time.time() * 1000)


def serve_in_thread(
    data_dir: Path | str,
    token: str,
    port: int = 0,
    chaos: str | dict[str, Any] | ChaosConfig | None = None,
    now_ms: int | None = None,
) -> tuple[SimulatorServer, str]:
    """Start the stand-in on 127.0.0.1 in a daemon thread; returns (server, base_url); stop: shutdown()."""
    server = make_server(Path(data_dir), token, port=port, now_ms=now_ms, chaos=chaos)
    threading.Thread(target=server.serve_forever, name="simulator", daemon=True).start()
    host, bound_port = server.server_address[:2]
    return server, f"http://{host}:{bound_port}"
