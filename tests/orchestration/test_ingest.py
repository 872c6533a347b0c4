"""Task bodies of the ingestion DAGs: the window a run extracts and what travels between tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pendulum
import pytest
from cc_warehouse.landing.files import LandedFile
from cc_warehouse.orchestration.ingest import _from_xcom, _to_xcom, extraction_window
from cc_warehouse.sources.extract import day_chunks

START = pendulum.datetime(2026, 11, 14, 16, tz="UTC")  # Airflow hands intervals over in UTC
END = pendulum.datetime(2026, 11, 15, 16, tz="UTC")


def test_window_is_the_interval_widened_by_backfill_and_lookback():
    assert extraction_window(START, END) == (START, END)
    assert extraction_window(START, END, lookback_days=1) == (START - timedelta(days=1), END)
    assert extraction_window(START, END, backfill_days=28, lookback_days=1) == (END - timedelta(days=29), END)


def test_zero_length_interval_is_refused_with_a_hint():
    with pytest.raises(ValueError, match="cron interval"):
        extraction_window(END, END)


def test_landed_files_cross_xcom_without_shifting_their_interval():
    """Airflow's pendulum datetimes print without an offset; the interval must survive unchanged."""
    chunk_start, chunk_end = day_chunks(START, END)[0]
    landed = LandedFile(
        path=Path("/landing/x.jsonl"),
        entity="douyin.orders",
        partition="p",
        rows=3,
        sha256="0" * 64,
        interval_start=pendulum.instance(chunk_start),
        interval_end=chunk_end,
        redactions={},
    )
    [back] = _from_xcom(_to_xcom([landed]))
    assert back.interval_start == datetime(2026, 11, 14, 16, tzinfo=UTC)
    assert back.interval_end == datetime(2026, 11, 15, 16, tzinfo=UTC)
    assert back.path == Path("/landing/x.jsonl")


def test_day_chunks_are_shanghai_days_as_plain_datetimes():
    chunks = day_chunks(START - timedelta(hours=3), END)
    assert [(a.isoformat(), b.isoformat()) for a, b in chunks] == [
        ("2026-11-14T21:00:00+08:00", "2026-11-15T00:00:00+08:00"),
        ("2026-11-15T00:00:00+08:00", "2026-11-16T00:00:00+08:00"),
    ]
    assert all(type(a) is datetime and type(b) is datetime for a, b in chunks)
