"""DAG integrity: every DAG imports cleanly, is tagged from the approved set, retries, and parses fast
without secrets or heavy imports at top level."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DAGS_DIR = ROOT / "dags"
APPROVED_TAGS = {"ingest", "transform", "publish", "privacy", "retention", "douyin", "red", "fulfilment", "crm"}
EXPECTED_DAGS = {
    "ingest_douyin",
    "ingest_red",
    "ingest_fulfilment",
    "ingest_crm",
    "transform_warehouse",
    "purge_retention",
    "privacy_deletion_request",
}
HEAVY_MODULES = ("duckdb", "pandas", "great_expectations", "dbt", "requests", "pyarrow", "numpy")


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    # No connections, variables or secrets exist here: DAGs must parse without them.
    home = tmp_path_factory.mktemp("airflow_home")
    os.environ["AIRFLOW_HOME"] = str(home)
    os.environ.pop("CCWH_HMAC_KEY", None)
    os.environ.pop("AIRFLOW_CONN_CCWH_PLATFORM_API", None)
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_expected_dags_present(dagbag):
    assert set(dagbag.dag_ids) == EXPECTED_DAGS


@pytest.mark.parametrize("dag_id", sorted(EXPECTED_DAGS))
def test_tags_retries_and_schedule(dagbag, dag_id):
    dag = dagbag.dags[dag_id]
    assert dag.tags, f"{dag_id} has no tags"
    assert set(dag.tags) <= APPROVED_TAGS, f"{dag_id} uses unapproved tags {set(dag.tags) - APPROVED_TAGS}"
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    for task in dag.tasks:
        assert task.retries >= 1, f"{dag_id}.{task.task_id} has no retries"
        assert task.execution_timeout is not None, f"{dag_id}.{task.task_id} has no execution timeout"


def test_ingestion_dags_have_real_data_intervals(dagbag):
    """Cron schedules in Airflow 3 default to zero-length intervals; ours must extract a whole day."""
    import pendulum
    from airflow.serialization.encoders import coerce_to_core_timetable

    for dag_id in ("ingest_douyin", "ingest_red", "ingest_fulfilment", "ingest_crm"):
        dag = dagbag.dags[dag_id]
        run_after = pendulum.datetime(2026, 11, 16, tz="Asia/Shanghai")
        interval = coerce_to_core_timetable(dag.timetable).infer_manual_data_interval(run_after=run_after)
        assert interval.end - interval.start == pendulum.duration(days=1), dag_id
        assert interval.end == run_after


def test_ingestion_dags_emit_their_asset_and_transform_consumes_all(dagbag):
    from cc_warehouse.assets import RAW_ASSETS

    emitted = set()
    for dag_id in ("ingest_douyin", "ingest_red", "ingest_fulfilment", "ingest_crm"):
        outlets = [o for t in dagbag.dags[dag_id].tasks for o in t.outlets]
        assert len(outlets) == 1, dag_id
        emitted.add(outlets[0].uri)
    assert emitted == {a.uri for a in RAW_ASSETS}
    transform = dagbag.dags["transform_warehouse"]
    assert {a.uri for a in transform.timetable.asset_condition.objects} == emitted


def test_raw_writers_share_the_single_writer_pool(dagbag):
    for dag in dagbag.dags.values():
        for task in dag.tasks:
            if task.task_id.startswith(("load_", "dbt_build", "purge_")):
                assert task.pool == "duckdb_raw", f"{dag.dag_id}.{task.task_id}"


def test_dag_files_are_cheap_to_import():
    """Top-level DAG code must not import heavy libraries (parsing happens every few seconds)."""
    code = (
        "import sys, time, runpy, glob; t = time.time()\n"
        f"[runpy.run_path(p) for p in sorted(glob.glob({str(DAGS_DIR)!r} + '/*.py'))]\n"
        f"heavy = [m for m in {HEAVY_MODULES!r} if m in sys.modules]\n"
        "print(repr(heavy))\n"
    )
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'include'}:{ROOT}"}
    started = time.time()
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout
    assert time.time() - started < 30
