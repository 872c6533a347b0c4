"""Every run leaves an audit row, failures included: ingestion (also when a task upstream failed), transform
and purge. Disk-full errors say so, and a killed publish leaves no temp file behind for ever."""

from __future__ import annotations

import errno
import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest
from airflow.sdk.exceptions import AirflowFailException
from cc_warehouse.audit.log import latest_runs
from cc_warehouse.load.raw import LoadError, load_files
from cc_warehouse.orchestration import dag_factory, transform
from cc_warehouse.publish import publish

SH = timezone(timedelta(hours=8))
START = datetime(2026, 11, 15, tzinfo=SH)
END = START + timedelta(days=1)
DAG = type("Dag", (), {"dag_id": "ingest_douyin"})


@pytest.fixture
def var(tmp_path, monkeypatch):
    monkeypatch.setenv("CCWH_VAR_DIR", str(tmp_path))
    return tmp_path


def test_an_ingestion_run_whose_extract_failed_is_audited_failed_and_fails(var):
    """The extract failed, so its XCom (and its load's) is None; the audit still records the run."""
    ok = [{"entity": "douyin.refunds", "received": 2, "loaded": 2, "quarantined": 0, "partition": "p"}]
    with pytest.raises(AirflowFailException, match="douyin.orders"):
        dag_factory.audit_run.function(
            [None, []],
            [None, ok],
            ["douyin.orders", "douyin.refunds"],
            dag=DAG,
            run_id="r-failed",
            data_interval_start=START,
            data_interval_end=END,
        )
    [run] = latest_runs(var / "restricted" / "raw.duckdb")
    assert (run["run_id"], run["status"]) == ("r-failed", "failed")
    assert run["row_counts"] == {"douyin.refunds": {"received": 2, "loaded": 2, "quarantined": 0}}


def test_audit_runs_after_failures_inside_the_single_writer_pool():
    dag = dag_factory.build_ingest_dag("douyin")
    audit = dag.get_task("audit_run")
    assert audit.trigger_rule == "all_done" and audit.pool == dag_factory.RAW_DB_POOL
    purge = dag_factory.build_retention_dag().get_task("purge_expired")
    assert purge.pool == dag_factory.RAW_DB_POOL


def test_purge_runs_are_audited_including_failures(var, monkeypatch):
    (var / "restricted").mkdir()
    duckdb.connect(str(var / "restricted" / "raw.duckdb")).close()
    transform.purge_expired(as_of=END, run_id="purge-ok")

    def broken(*args, **kwargs):
        raise PermissionError("landing is read-only")

    monkeypatch.setattr("cc_warehouse.retention.purge.purge", broken)
    with pytest.raises(PermissionError):
        transform.purge_expired(as_of=END, run_id="purge-bad")
    runs = {r["run_id"]: r for r in latest_runs(var / "restricted" / "raw.duckdb")}
    assert runs["purge-ok"]["status"] == "success" and runs["purge-ok"]["dag_id"] == "purge_retention"
    assert runs["purge-bad"]["status"] == "failed"


def test_a_killed_publish_leaves_no_temp_file_after_the_next_publish(tmp_path):
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema core; create table core.dim_date as select 1 as x")
    target = tmp_path / "warehouse" / "analytics.duckdb"
    target.parent.mkdir()
    leftovers = [target.parent / ".analytics.duckdb.0f0f.tmp", target.parent / ".analytics.duckdb.0f0f.tmp.wal"]
    for leftover in leftovers:
        leftover.write_bytes(b"x" * 1000)  # what a kill -9 mid-publish leaves
    publish(build, target)
    assert sorted(p.name for p in target.parent.iterdir()) == ["analytics.duckdb"]


def test_publish_on_a_full_disk_names_enospc(tmp_path, monkeypatch):
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create schema core; create table core.dim_date as select 1 as x")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("cc_warehouse.publish.warehouse.os.fsync", full)
    with pytest.raises(OSError, match="ENOSPC|No space left"):
        publish(build, tmp_path / "warehouse" / "analytics.duckdb")
    assert list((tmp_path / "warehouse").iterdir()) == []


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MB tmpfs (root in a container that allows mounts), else skip."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", str(mount)], capture_output=True
        ).returncode
        != 0
    ):
        pytest.skip("cannot mount a tmpfs here")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_load_onto_a_full_disk_says_no_space_left(tmp_path, tiny_disk):
    from cc_warehouse.landing.files import land_records

    records = [{"order_id": f"47813200{i:011d}", "pad": "x" * 400} for i in range(20_000)]
    landed = land_records(
        tmp_path / "landing",
        "douyin.orders",
        records,
        interval_start=START,
        interval_end=END,
        dt=START.date(),
        run_id="r",
    )
    with pytest.raises(LoadError, match="ENOSPC") as err:
        load_files([landed], Path(tiny_disk) / "raw.duckdb", "r")
    assert "no transaction is active" not in str(err.value)
