"""Deterministic failures fail the task at once (AirflowFailException: no retry); transient ones stay retryable.

An export with an unknown header used to be retried twice with exponential backoff (~6 minutes) before
failing with the same error. The task bodies below are the DAGs' real task callables.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from airflow.sdk.exceptions import AirflowFailException
from cc_warehouse.orchestration import dag_factory
from cc_warehouse.sources.http_client import ExtractError

START = datetime(2026, 11, 15, tzinfo=timezone(timedelta(hours=8)))
END = START + timedelta(days=1)


def test_unknown_csv_header_fails_the_run_without_retry_after_the_good_files_load(var):
    (var / "inbox" / "crm" / "members_20261114.csv").write_text(
        "会员编号,手机号,新增列\n1001,13800000000,x\n", encoding="utf-8"
    )
    (var / "inbox" / "crm" / "members_20261115.csv").write_text("会员编号,手机号\nM1,13800000000\n", encoding="utf-8")
    landed = dag_factory.extract_inbox_entity.function("crm.members", run_id="r1")
    loads = dag_factory.load_entity.function(landed, run_id="r1")
    assert [r["loaded"] for r in loads] == [1]
    with pytest.raises(AirflowFailException, match="members_20261114.csv.*新增列"):
        dag_factory.audit_run.function(
            [landed],
            [loads],
            dag=type("D", (), {"dag_id": "ingest_crm"}),
            run_id="r1",
            data_interval_start=START,
            data_interval_end=END,
        )


def test_4xx_from_the_platform_fails_without_retry(monkeypatch):
    def refused(*args, **kwargs):
        raise ExtractError("GET /x failed: HTTP 403: forbidden", permanent=True)

    monkeypatch.setattr("cc_warehouse.orchestration.ingest.extract", refused)
    with pytest.raises(AirflowFailException, match="403"):
        dag_factory.extract_entity.function(
            "douyin.orders",
            params={"backfill_days": 0, "lookback_days": 0},
            data_interval_start=None,
            data_interval_end=None,
            run_id="r",
        )


def test_exhausted_retries_stay_retryable(monkeypatch):
    def busy(*args, **kwargs):
        raise ExtractError("GET /x failed after 5 retries (last: HTTP 503)")

    monkeypatch.setattr("cc_warehouse.orchestration.ingest.extract", busy)
    with pytest.raises(ExtractError):
        dag_factory.extract_entity.function(
            "douyin.orders",
            params={"backfill_days": 0, "lookback_days": 0},
            data_interval_start=None,
            data_interval_end=None,
            run_id="r",
        )
