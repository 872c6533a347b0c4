import json
import os
from datetime import date, datetime, timedelta, timezone

from cc_warehouse.landing.files import land_records, landed_files_in_manifest, read_manifest

SH = timezone(timedelta(hours=8))
START = datetime(2026, 11, 14, tzinfo=SH)
END = datetime(2026, 11, 15, tzinfo=SH)
RECORDS = [{"order_id": "4781320000000000001", "note": "王**"}, {"order_id": "4781320000000000002"}]


def land(tmp_path, records=RECORDS, run_id="run-1"):
    return land_records(
        tmp_path,
        "douyin.orders",
        records,
        interval_start=START,
        interval_end=END,
        dt=date(2026, 11, 14),
        run_id=run_id,
        redactions={"mobile": 2},
    )


def test_lands_jsonl_under_partition_with_content_addressed_name(tmp_path):
    landed = land(tmp_path)
    assert landed.path.parent == tmp_path / "douyin" / "orders" / "dt=2026-11-14"
    assert landed.path.name == f"part-20261114T0000-20261115T0000-{landed.sha256[:8]}.jsonl"
    assert [json.loads(line) for line in landed.path.read_text(encoding="utf-8").splitlines()] == RECORDS
    assert "王**" in landed.path.read_text(encoding="utf-8")
    assert landed.rows == 2 and landed.partition == "douyin/orders/20261114T0000-20261115T0000"
    assert [p.name for p in landed.path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_manifest_describes_the_current_file(tmp_path):
    landed = land(tmp_path)
    entry = read_manifest(landed.path.parent)["partitions"]["20261114T0000-20261115T0000"]
    assert entry["file"] == landed.path.name and entry["rows"] == 2 and entry["sha256"] == landed.sha256
    assert entry["source"] == "douyin" and entry["entity"] == "orders" and entry["run_id"] == "run-1"
    assert entry["redactions"] == {"mobile": 2}
    assert datetime.fromisoformat(entry["interval_start"]) == START
    assert landed_files_in_manifest(landed.path.parent) == [landed]


def test_identical_content_is_a_no_op(tmp_path):
    first = land(tmp_path)
    manifest = (first.path.parent / "_manifest.json").read_bytes()
    os.utime(first.path, (1, 1))
    second = land(tmp_path, run_id="run-2")
    assert second == first
    assert first.path.stat().st_mtime == 1  # not rewritten
    assert (first.path.parent / "_manifest.json").read_bytes() == manifest  # run_id/extracted_at kept


def test_changed_content_replaces_the_manifest_entry_and_keeps_the_old_file(tmp_path):
    first = land(tmp_path)
    second = land(tmp_path, RECORDS[:1], run_id="run-2")
    assert second.path != first.path and first.path.exists()
    entry = read_manifest(first.path.parent)["partitions"]["20261114T0000-20261115T0000"]
    assert entry["file"] == second.path.name and entry["run_id"] == "run-2" and entry["rows"] == 1


def test_empty_interval_lands_an_empty_file(tmp_path):
    landed = land(tmp_path, [])
    assert landed.rows == 0 and landed.path.read_bytes() == b""
