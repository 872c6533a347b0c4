"""Open a DuckDB file, retrying while another process holds its lock (one writer process at a time)."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

LOCK_MESSAGE = "Could not set lock"


def connect_with_retry(
    path: Path | str, *, read_only: bool = False, attempts: int = 20, delay_seconds: float = 0.25
) -> duckdb.DuckDBPyConnection:
    """``duckdb.connect`` with a bounded, linearly growing back-off on lock conflicts only."""
    for attempt in range(1, attempts):
        try:
            return duckdb.connect(str(path), read_only=read_only)
        except duckdb.IOException as exc:
            if LOCK_MESSAGE not in str(exc):
                raise
            time.sleep(delay_seconds * attempt)
    return duckdb.connect(str(path), read_only=read_only)
