import hashlib
import json
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import duckdb
import pytest
from cc_warehouse.landing.files import MANIFEST_NAME, atomic_write_bytes, land_records, read_manifest
from cc_warehouse.load.raw import LoadError, load_all_from_manifests, load_files, open_raw_db

SH = timezone(timedelta(hours=8))
START = datetime(2026, 11, 14, tzinfo=SH)
END = datetime(2026, 11, 15, tzinfo=SH)
TABLES = ["douyin_orders", "quarantine", "load_audit"]


def land(tmp_path, entity, lines, *, start=START, end=END, extracted_at=START + timedelta(days=1, hours=1)):
    """Land raw text ``lines`` (so that bad lines can be planted) and point the manifest at them."""
    landed = land_records(
        tmp_path / "landing",
        entity,
        [],
        interval_start=start,
        interval_end=end,
        dt=start.date(),
        run_id="extract-1",
        extracted_at=extracted_at,
    )
    data = "".join(line + "\n" for line in lines).encode()
    sha = hashlib.sha256(data).hexdigest()
    path = landed.path.with_name(landed.path.name.rsplit("-", 1)[0] + f"-{sha[:8]}.jsonl")
    atomic_write_bytes(path, data)
    manifest = read_manifest(path.parent)
    manifest["partitions"][landed.partition.rsplit("/", 1)[1]].update(
        file=path.name, sha256=sha, rows=len(lines), extracted_at=extracted_at.isoformat()
    )
    atomic_write_bytes(path.parent / MANIFEST_NAME, json.dumps(manifest).encode())
    return replace(landed, path=path, sha256=sha, rows=len(lines))


def table(db, name, order="all"):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select * from {name} order by {order}").fetchall()


GOOD = [json.dumps({"order_id": f"478132000000000000{i}", "update_time": 1}) for i in range(3)]
BAD = [
    '{"order_id": "4781320000000000009", ',
    json.dumps({"update_time": 1}),
    json.dumps({"order_id": "4.78132E+18"}),
    json.dumps({"order_id": ""}),
    "[1, 2]",
    json.dumps({"order_id": 4.78132e18}),
]


def test_bad_lines_are_quarantined_and_counts_balance(tmp_path):
    landed = land(tmp_path, "douyin.orders", GOOD + BAD)
    db = tmp_path / "raw.duckdb"
    [result] = load_files([landed], db, "run-1")
    assert (result.received, result.loaded, result.quarantined) == (9, 3, 6)
    reasons = [row[0] for row in table(db, "quarantine", "_line_number") for row in [row[5:6]]]
    assert reasons == [
        "invalid_json",
        "missing_key:order_id",
        "malformed_key:order_id",
        "missing_key:order_id",
        "invalid_json",
        "malformed_key:order_id",
    ]
    rows = table(db, "douyin_orders", "_line_number")
    assert [r[1] for r in rows] == [f"478132000000000000{i}" for i in range(3)]
    assert [r[4] for r in rows] == [1, 2, 3]
    assert rows[0][5] == "douyin/orders/20261114T0000-20261115T0000"
    assert rows[0][2].startswith("douyin/orders/dt=2026-11-14/part-")
    audit = table(db, "load_audit")
    # Lineage names the run that extracted the file (stable across reloads), not the loading run.
    assert [(a[3], a[4], a[5], a[6]) for a in audit] == [(9, 3, 6, "extract-1")]


def test_rerun_leaves_every_table_identical(tmp_path):
    landed = land(tmp_path, "douyin.orders", GOOD + BAD)
    db = tmp_path / "raw.duckdb"
    load_files([landed], db, "run-1")
    before = {name: table(db, name) for name in TABLES}
    time.sleep(0.01)
    load_files([landed], db, "run-1")
    load_all_from_manifests(tmp_path / "landing", db, "run-1")
    assert {name: table(db, name) for name in TABLES} == before


def test_late_re_extraction_replaces_the_partition(tmp_path):
    db = tmp_path / "raw.duckdb"
    other_day = land(tmp_path, "douyin.orders", GOOD[:1], start=END, end=END + timedelta(days=1))
    load_files([land(tmp_path, "douyin.orders", GOOD + BAD), other_day], db, "run-1")
    late = land(tmp_path, "douyin.orders", GOOD[:2] + [json.dumps({"order_id": "5", "update_time": 2})])
    [result] = load_files([late], db, "run-2")
    assert (result.loaded, result.quarantined) == (3, 0)
    rows = table(db, "douyin_orders", "_partition, _line_number")
    assert sorted(r[1] for r in rows if r[5].startswith("douyin/orders/20261114")) == [
        "4781320000000000000",
        "4781320000000000001",
        "5",
    ]
    assert len(rows) == 4  # the other day's partition is untouched
    assert table(db, "quarantine") == []


def test_composite_and_nested_keys(tmp_path):
    videos = land(
        tmp_path,
        "douyin.videos",
        [json.dumps({"video_id": "v1", "stat_date": "2026-11-14"}), json.dumps({"video_id": "v1"})],
    )
    contacts = land(
        tmp_path,
        "wecom.contacts",
        [
            json.dumps({"external_contact": {"external_user_token": "tk1_" + "a" * 32}}),
            json.dumps({"external_contact": {"external_userid": "wmABC"}}),
        ],
    )
    db = tmp_path / "raw.duckdb"
    load_files([videos, contacts], db, "run-1")
    assert [r[1] for r in table(db, "douyin_videos")] == ["v1|2026-11-14"]
    assert [r[1] for r in table(db, "wecom_contacts")] == ["tk1_" + "a" * 32]
    assert sorted(r[5] for r in table(db, "quarantine")) == [
        "missing_key:external_contact.external_user_token",
        "missing_key:stat_date",
    ]


def test_a_failure_rolls_back_the_whole_call(tmp_path):
    db = tmp_path / "raw.duckdb"
    good = land(tmp_path, "douyin.orders", GOOD)
    stale = land(tmp_path, "douyin.orders", GOOD[:1], start=END, end=END + timedelta(days=1))
    land(tmp_path, "douyin.orders", GOOD[:2], start=END, end=END + timedelta(days=1))  # supersedes `stale`
    load_files([good], db, "run-1")
    before = {name: table(db, name) for name in TABLES}
    late = land(tmp_path, "douyin.orders", GOOD[:1])
    with pytest.raises(LoadError, match="not the current file"):
        load_files([late, stale], db, "run-2")
    assert {name: table(db, name) for name in TABLES} == before


def test_a_changed_file_is_refused(tmp_path):
    landed = land(tmp_path, "douyin.orders", GOOD)
    landed.path.write_text(GOOD[0] + "\n")
    with pytest.raises(LoadError, match="sha256"):
        load_files([landed], tmp_path / "raw.duckdb", "run-1")


def test_waits_for_another_writer_then_gives_a_clear_error(tmp_path):
    db = tmp_path / "raw.duckdb"
    duckdb.connect(str(db)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(float(sys.argv[2]))",
            str(db),
            "1.5",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(LoadError, match="locked by another writer"):
            open_raw_db(db, timeout=0.3)
        started = time.monotonic()
        open_raw_db(db, timeout=20).close()  # succeeds once the holder exits
        assert time.monotonic() - started < 15
    finally:
        holder.kill()
        holder.wait()
