"""Opening the project's DuckDB files. DuckDB allows one read-write process per file (and no reader while
it writes), so every open waits, with a bounded back-off, while another process holds the lock."""

from __future__ import annotations

import logging
import random
import time
from pathlib import Path

import duckdb

log = logging.getLogger(__name__)


class DatabaseLocked(RuntimeError):
    """Another process kept the file locked for longer than we were willing to wait."""


def connect_with_retry(
    path: Path | str, *, read_only: bool = False, timeout: float = 120.0
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` that waits on lock conflicts only (exponential back-off with jitter, ≤ 5 s a
    step) and raises ``DatabaseLocked`` after ``timeout`` seconds; any other error is raised at once."""
    if not read_only:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DatabaseLocked(f"{path} is locked by another writer; gave up after {timeout:.0f}s") from None
            attempt += 1
            wait = min(remaining, min(5.0, 0.1 * 2**attempt) * random.uniform(0.5, 1.0))
            log.info("%s is locked by another process, retrying in %.1fs", path, wait)
            time.sleep(wait)
