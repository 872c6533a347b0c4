"""HTTP client for the platform APIs: one session, Bearer auth, bounded retries with backoff.

Retries what a later attempt can fix: connection errors and resets (also mid-body: an incomplete read),
a 2xx body that is not complete JSON (cut by a proxy), HTTP 429 (honouring ``Retry-After`` clamped to
``[0, ceiling]``; a negative, non-finite or unparsable value counts as absent and the exponential backoff
applies, so a broken header can never cause a hot loop), HTTP 5xx and the platforms' transient codes
(Douyin ``code`` 40004 "system busy"). Everything else (4xx other than 429, platform error codes) raises
at once as a *permanent* ``ExtractError`` with the platform's own message, so the orchestration does not
retry it either.

How many retries: a platform under strain fails a large share of requests (the fault campaign plants ~45%:
5xx, 429 and cut bodies); at that rate a run of ten failures in a row comes about once per 3,000 requests,
so five retries lose a day's extract. ``DEFAULT_MAX_RETRIES`` (20) leaves a request failing at 50% a chance
of 5e-7 to exhaust them, while each wait stays capped by the ceiling (worst case ~8 minutes of waiting per
request at the defaults) and the extract deadline bounds the whole extract on top.

Two deadlines bound the time spent: ``request_deadline`` for one attempt including its body (a server
that trickles one byte at a time never trips the per-read timeout), and ``extract_deadline`` for all the
calls of one client (an extract), waits included. Logs never contain the token or payloads.
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable
from typing import Any

import requests
from urllib3.exceptions import HTTPError as Urllib3Error

log = logging.getLogger(__name__)

TRANSIENT_PLATFORM_CODES = frozenset({40004})
DEFAULT_MAX_RETRIES = 20  # see the module docstring: sized for a platform failing about half its requests
_OK_CODES = frozenset({0, 10000})


class ExtractError(RuntimeError):
    """An API call failed: ``permanent`` when retrying cannot help (4xx, platform error), else retries or
    the deadline ran out on a transient fault (a later run may succeed)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class _Transient(Exception):
    def __init__(self, status: str, retry_after: float | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.retry_after = retry_after


def _platform_error(body: Any) -> str | None:
    """The platform's error message if the JSON body reports a failure, else None."""
    if not isinstance(body, dict):
        return "response body is not a JSON object"
    if body.get("error"):
        return str(body["error"])[:200]
    if body.get("success") is False or body.get("ok") is False:
        return str(body.get("msg") or body.get("message") or "request failed")[:200]
    if "errcode" in body and body["errcode"] != 0:
        return f"errcode {body['errcode']}: {str(body.get('errmsg', ''))[:200]}"
    if "code" in body and body["code"] not in _OK_CODES and body.get("success") is not True:
        return f"code {body['code']}: {str(body.get('msg', ''))[:200]}"
    return None


def _retry_after_seconds(response: requests.Response) -> float | None:
    """Seconds of a ``Retry-After`` header; None when absent or unusable (negative, NaN, infinite, a date)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


class PlatformClient:
    """Calls one platform base URL with a reused ``requests.Session``."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: tuple[float, float] = (5, 30),
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff_base: float = 0.5,
        retry_after_ceiling: float = 30.0,
        request_deadline: float = 120.0,
        extract_deadline: float | None = 3600.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.retry_after_ceiling = retry_after_ceiling
        self.request_deadline = request_deadline
        self._extract_ends = None if extract_deadline is None else time.monotonic() + extract_deadline
        self._sleep = sleep
        self.session = session or requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def __enter__(self) -> PlatformClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return self.request("POST", path, json=body)

    def request(
        self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None
    ) -> dict[str, Any]:
        """Send one logical request, retrying transient failures; return the decoded JSON body."""
        endpoint = f"{method} {path}"
        last_status = ""
        for attempt in range(1, self.max_retries + 2):
            self._check_extract_deadline(endpoint, last_status)
            try:
                return self._attempt(method, path, endpoint, params, json)
            except _Transient as transient:
                last_status = transient.status
                if attempt > self.max_retries:
                    break
                wait = self._wait_seconds(attempt, transient.retry_after)
                if self._extract_ends is not None and time.monotonic() + wait > self._extract_ends:
                    self._check_extract_deadline(endpoint, last_status, force=True)
                log.info("retrying %s after %s: attempt %d, waiting %.2fs", endpoint, transient.status, attempt, wait)
                self._sleep(wait)
        raise ExtractError(f"{endpoint} failed after {self.max_retries} retries (last: {last_status})")

    def _check_extract_deadline(self, endpoint: str, last_status: str, *, force: bool = False) -> None:
        if self._extract_ends is not None and (force or time.monotonic() >= self._extract_ends):
            raise ExtractError(f"{endpoint}: extract deadline reached (last: {last_status or 'none'})")

    def _read_body(self, response: requests.Response, endpoint: str, ends: float) -> bytes:
        """The whole body, read as it arrives; a transient error if it is cut or outlives ``ends``."""
        chunks = []
        try:
            while True:
                chunk = response.raw.read1(65536, decode_content=True)
                if not chunk:
                    break
                chunks.append(chunk)
                if time.monotonic() > ends:
                    response.close()
                    raise _Transient(f"request deadline of {self.request_deadline:g}s reached reading the body")
        except (Urllib3Error, requests.RequestException, OSError) as exc:
            response.close()
            raise _Transient(f"connection broken mid-body ({type(exc).__name__})") from None
        response.raw.release_conn()
        return b"".join(chunks)

    def _attempt(
        self, method: str, path: str, endpoint: str, params: dict[str, Any] | None, json: Any
    ) -> dict[str, Any]:
        ends = time.monotonic() + self.request_deadline
        if self._extract_ends is not None:
            ends = min(ends, self._extract_ends)
        connect, read = self.timeout
        read = max(0.05, min(read, ends - time.monotonic()))
        try:
            response = self.session.request(
                method, self.base_url + path, params=params, json=json, timeout=(connect, read), stream=True
            )
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            raise _Transient(type(exc).__name__) from None
        status = response.status_code
        if status == 429 or status >= 500:
            response.close()
            raise _Transient(f"HTTP {status}", _retry_after_seconds(response) if status == 429 else None)
        raw = self._read_body(response, endpoint, ends)
        try:
            body = _json_loads(raw)
        except ValueError:
            if status < 400:  # a 2xx that is not complete JSON was cut on the way: ask again
                raise _Transient(f"HTTP {status} with a truncated or malformed JSON body") from None
            raise ExtractError(f"{endpoint} returned HTTP {status} with a non-JSON body", permanent=True) from None
        if isinstance(body, dict) and body.get("code") in TRANSIENT_PLATFORM_CODES:
            raise _Transient(f"platform code {body['code']}")
        message = _platform_error(body)
        if status >= 400 or message:
            raise ExtractError(f"{endpoint} failed: HTTP {status}: {message or 'error'}", permanent=True)
        return body

    def _wait_seconds(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_ceiling)
        backoff = self.backoff_base * 2 ** (attempt - 1) + random.uniform(0, self.backoff_base)
        return min(backoff, self.retry_after_ceiling)


def _json_loads(raw: bytes) -> Any:
    """Strict JSON (``NaN``/``Infinity`` literals refused, like a truncated document)."""

    def refuse(token: str) -> Any:
        raise ValueError(f"non-standard JSON constant {token}")

    return json.loads(raw.decode("utf-8"), parse_constant=refuse)
