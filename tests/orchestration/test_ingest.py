"""Task bodies of the ingestion DAGs: the window a run extracts and what travels between tasks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pendulum
import pytest
from cc_warehouse.landing.files import LandedFile
from cc_warehouse.orchestration import ingest
from cc_warehouse.orchestration.ingest import _from_xcom, _to_xcom, extraction_window
from cc_warehouse.sources.extract import day_chunks

START = pendulum.datetime(2026, 11, 14, 16, tz="UTC")  # Airflow hands intervals over in UTC
END = pendulum.datetime(2026, 11, 15, 16, tz="UTC")
SH = timezone(timedelta(hours=8))


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


def test_retry_policy_of_the_extract_task_comes_from_settings(var, monkeypatch):
    """A deployment tunes the client to its platform (CCWH_HTTP_*; the campaign shortens the waits): the
    task's client uses it. The API here refuses connections: one retry, then a transient failure."""
    from cc_warehouse.sources.http_client import ExtractError

    monkeypatch.setenv("CCWH_HTTP_MAX_RETRIES", "1")
    monkeypatch.setenv("CCWH_HTTP_BACKOFF_BASE", "0.01")
    monkeypatch.setenv("CCWH_HTTP_RETRY_AFTER_CEILING", "0.02")
    with pytest.raises(ExtractError, match="failed after 1 retries") as err:
        ingest.extract(
            "douyin.orders",
            datetime(2026, 11, 15, tzinfo=SH),
            datetime(2026, 11, 16, tzinfo=SH),
            run_id="policy",
        )
    assert not err.value.permanent  # transient: Airflow's task retry may still succeed


def test_http_settings_parse_and_refuse_nonsense(monkeypatch):
    from cc_warehouse.config import settings

    assert settings().http_client_options == {}
    monkeypatch.setenv("CCWH_HTTP_MAX_RETRIES", "7")
    monkeypatch.setenv("CCWH_HTTP_EXTRACT_DEADLINE", "90.5")
    assert settings().http_client_options == {"max_retries": 7, "extract_deadline": 90.5}
    monkeypatch.setenv("CCWH_HTTP_BACKOFF_BASE", "-1")
    with pytest.raises(ValueError, match="CCWH_HTTP_BACKOFF_BASE"):
        settings().http_client_options  # noqa: B018 - the property raises
