"""HTTP client for the platform APIs: one session, Bearer auth, bounded retries with backoff.

Retries connection errors, HTTP 429 (honouring ``Retry-After`` up to a ceiling), HTTP 5xx and the
platforms' transient codes (Douyin ``code`` 40004 "system busy"). Other errors raise at once with the
platform's own message. Logs never contain the token or payloads.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any

import requests

log = logging.getLogger(__name__)

TRANSIENT_PLATFORM_CODES = frozenset({40004})
_OK_CODES = frozenset({0, 10000})


class ExtractError(RuntimeError):
    """An API call failed for good (non-transient error or retries exhausted)."""


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
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class PlatformClient:
    """Calls one platform base URL with a reused ``requests.Session``."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: tuple[float, float] = (5, 30),
        max_retries: int = 5,
        backoff_base: float = 0.5,
        retry_after_ceiling: float = 30.0,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.retry_after_ceiling = retry_after_ceiling
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
            try:
                return self._attempt(method, path, endpoint, params, json)
            except _Transient as transient:
                last_status = transient.status
                if attempt > self.max_retries:
                    break
                wait = self._wait_seconds(attempt, transient.retry_after)
                log.info("retrying %s after %s: attempt %d, waiting %.2fs", endpoint, transient.status,
                         attempt, wait)
                self._sleep(wait)
        raise ExtractError(f"{endpoint} failed after {self.max_retries} retries (last: {last_status})")

    def _attempt(
        self, method: str, path: str, endpoint: str, params: dict[str, Any] | None, json: Any
    ) -> dict[str, Any]:
        try:
            response = self.session.request(method, self.base_url + path, params=params, json=json,
                                            timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise _Transient(type(exc).__name__) from None
        status = response.status_code
        if status == 429:
            raise _Transient("HTTP 429", _retry_after_seconds(response))
        if status >= 500:
            raise _Transient(f"HTTP {status}")
        try:
            body = response.json()
        except ValueError:
            raise ExtractError(f"{endpoint} returned HTTP {status} with a non-JSON body") from None
        if isinstance(body, dict) and body.get("code") in TRANSIENT_PLATFORM_CODES:
            raise _Transient(f"platform code {body['code']}")
        message = _platform_error(body)
        if status >= 400 or message:
            raise ExtractError(f"{endpoint} failed: HTTP {status}: {message or 'error'}")
        return body

    def _wait_seconds(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.retry_after_ceiling)
        backoff = self.backoff_base * 2 ** (attempt - 1) + random.uniform(0, self.backoff_base)
        return min(backoff, self.retry_after_ceiling)
