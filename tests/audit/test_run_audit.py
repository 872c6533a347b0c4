import subprocess
import sys
import time
from datetime import UTC, datetime

import duckdb
from cc_warehouse.audit.log import latest_runs, record_run

PHONE = "13912345678"


def _record(raw_db, run_id, status, **overrides):
    params = {
        "run_id": run_id,
        "dag_id": "build_warehouse",
        "interval_start": datetime(2026, 11, 14, 16, tzinfo=UTC),
        "interval_end": datetime(2026, 11, 15, 16, tzinfo=UTC),
        "input_files": [
            {"file": "/var/landing/douyin/orders/dt=2026-11-15/part-a.jsonl", "sha256": "ab" * 32, "rows": 3}
        ],
        "rows": {"douyin_orders": {"received": 3, "loaded": 2, "quarantined": 1, "published": 2}},
        "gate_success": True,
        "gate_result_id": run_id,
        "dbt_results": [{"unique_id": "model.ccwh.fct_orders", "status": "success", "execution_time": 0.5}],
        "status": status,
    }
    record_run(raw_db, **{**params, **overrides})


def test_rerun_replaces_the_row(tmp_path):
    raw_db = tmp_path / "raw.duckdb"
    _record(raw_db, "run-1", "failed", recorded_at=datetime(2026, 11, 15, 17, tzinfo=UTC))
    _record(raw_db, "run-2", "success", recorded_at=datetime(2026, 11, 16, 17, tzinfo=UTC))
    _record(raw_db, "run-1", "success", gate_success=False, recorded_at=datetime(2026, 11, 17, 17, tzinfo=UTC))

    runs = latest_runs(raw_db)
    assert [r["run_id"] for r in runs] == ["run-1", "run-2"]
    assert runs[0]["status"] == "success" and runs[0]["gate_success"] is False
    assert runs[0]["input_files"] == [{"file": "part-a.jsonl", "sha256": "ab" * 32, "rows": 3}]
    assert runs[0]["row_counts"]["douyin_orders"] == {"received": 3, "loaded": 2, "quarantined": 1, "published": 2}
    assert runs[0]["dbt_results"][0]["status"] == "success"
    assert [r["run_id"] for r in latest_runs(raw_db, n=1)] == ["run-1"]


def test_latest_runs_without_audit(tmp_path):
    assert latest_runs(tmp_path / "missing.duckdb") == []
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    assert latest_runs(tmp_path / "empty.duckdb") == []


def test_audit_keeps_only_names_hashes_and_counts(tmp_path):
    raw_db = tmp_path / "raw.duckdb"
    _record(
        raw_db,
        "run-1",
        "success",
        input_files=[{"file": "a.jsonl", "sha256": "cd" * 32, "rows": 1, "sample": {"phone": PHONE}}],
        rows={"crm_members": {"received": 1, "loaded": 1, "first_bad_value": PHONE}},
        dbt_results=[
            {
                "unique_id": "test.ccwh.not_null",
                "status": "fail",
                "execution_time": 0.1,
                "message": f"Got 1 result: {PHONE}",
                "failures": [PHONE],
            }
        ],
    )
    con = duckdb.connect(str(raw_db), read_only=True)
    dumped = repr(con.execute("select * from run_audit").fetchall())
    con.close()
    assert PHONE not in dumped
    assert "a.jsonl" in dumped and "cd" * 32 in dumped


def test_waits_for_another_writer(tmp_path):
    raw_db = tmp_path / "raw.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('locked', flush=True); "
                "time.sleep(1.5); con.close()"
            ),
            str(raw_db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        _record(raw_db, "run-1", "success")
        assert time.monotonic() - started > 0.3  # it had to wait for the lock
    finally:
        holder.wait(timeout=30)
    assert [r["run_id"] for r in latest_runs(raw_db)] == ["run-1"]


def test_dags_scheduled_for_the_same_interval_each_keep_their_row(tmp_path):
    """The scheduler gives every DAG of one interval the same run id (`scheduled__<date>`)."""
    raw_db = tmp_path / "raw.duckdb"
    run_id = "scheduled__2026-11-30T16:00:00+00:00"
    for dag_id in ("ingest_douyin", "ingest_red", "ingest_crm"):
        _record(raw_db, run_id, "success", dag_id=dag_id)
    _record(raw_db, run_id, "failed", dag_id="ingest_red")  # a rerun still replaces its own row

    rows = {(r["dag_id"], r["run_id"]): r["status"] for r in latest_runs(raw_db)}
    assert rows == {
        ("ingest_douyin", run_id): "success",
        ("ingest_red", run_id): "failed",
        ("ingest_crm", run_id): "success",
    }


def test_a_file_keyed_on_run_id_alone_is_migrated(tmp_path):
    raw_db = tmp_path / "raw.duckdb"
    with duckdb.connect(str(raw_db)) as con:  # the table as earlier versions created it
        con.execute("""create table run_audit (run_id varchar primary key, dag_id varchar not null,
            interval_start timestamptz, interval_end timestamptz, input_files json, row_counts json,
            gate_success boolean, gate_result_id varchar, dbt_results json, status varchar not null,
            recorded_at timestamptz not null)""")
        con.execute(
            "insert into run_audit values ('scheduled__x', 'ingest_red', null, null, '[]', '{}', null, "
            "null, '[]', 'success', now())"
        )
    _record(raw_db, "scheduled__x", "success", dag_id="ingest_crm")
    assert sorted(r["dag_id"] for r in latest_runs(raw_db)) == ["ingest_crm", "ingest_red"]
