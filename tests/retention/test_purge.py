import logging
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from cc_warehouse.landing.files import land_records, read_manifest
from cc_warehouse.retention.purge import purge
from cc_warehouse.sources.registry import DEFAULT_REGISTRY_PATH

AS_OF = date(2026, 11, 15)
TZ = ZoneInfo("Asia/Shanghai")


def _land(landing: Path, entity: str, dt: date, rows: list[dict]) -> None:
    start = datetime.combine(dt, datetime.min.time(), tzinfo=TZ)
    land_records(
        landing,
        entity,
        rows,
        interval_start=start,
        interval_end=start + timedelta(days=1),
        dt=dt,
        run_id="r",
        extracted_at=start,
    )


@pytest.fixture
def setup(tmp_path):
    registry = tmp_path / "registry.yml"
    text = DEFAULT_REGISTRY_PATH.read_text(encoding="utf-8")
    # red.notes keeps landing files 7 days only (the first retention_days after its header)
    head, tail = text.split("  red.notes:", 1)
    registry.write_text(
        head + "  red.notes:" + tail.replace("retention_days: 30", "retention_days: 7", 1), encoding="utf-8"
    )

    landing = tmp_path / "landing"
    _land(landing, "douyin.orders", date(2026, 10, 15), [{"order_id": "1"}])  # 31 days old: purged
    _land(landing, "douyin.orders", date(2026, 10, 15), [{"order_id": "1", "v": 2}])  # superseding file
    _land(landing, "douyin.orders", date(2026, 10, 16), [{"order_id": "2"}])  # exactly 30 days: kept
    _land(landing, "douyin.orders", date(2026, 11, 14), [{"order_id": "3"}])
    _land(landing, "red.notes", date(2026, 11, 7), [{"note_id": "a"}])  # 8 days > 7: purged
    _land(landing, "red.notes", date(2026, 11, 8), [{"note_id": "b"}])

    originals = landing / "crm" / "members_received"
    originals.mkdir(parents=True)
    for name, day in (
        ("old.csv", datetime(2026, 10, 1, 12, tzinfo=TZ)),
        ("new.csv", datetime(2026, 11, 10, 12, tzinfo=TZ)),
    ):
        (originals / name).write_text("会员编号,手机号\nm1,13912345678\n", encoding="utf-8")
        os.utime(originals / name, (day.timestamp(), day.timestamp()))

    raw_db = tmp_path / "raw.duckdb"
    con = duckdb.connect(str(raw_db))
    con.execute("""create table quarantine (source varchar, entity varchar, _partition varchar,
                   _source_file varchar, _line_number bigint, reason varchar, record_excerpt varchar,
                   _run_id varchar, _quarantined_at timestamptz)""")
    con.execute("""insert into quarantine values
        ('douyin', 'orders', 'p', 'f', 1, 'invalid json', 'x', 'r', '2026-10-10 09:00:00+08'),
        ('douyin', 'orders', 'p', 'f', 2, 'invalid json', 'x', 'r', '2026-10-15 23:59:00+08'),
        ('red', 'notes', 'p', 'f', 3, 'null key', 'x', 'r', '2026-10-16 00:00:00+08')""")
    con.close()
    return landing, raw_db, registry


def _state(landing: Path, raw_db: Path) -> tuple:
    files = sorted(str(p.relative_to(landing)) for p in landing.rglob("*") if p.is_file())
    con = duckdb.connect(str(raw_db), read_only=True)
    lines = sorted(r[0] for r in con.execute("select _line_number from quarantine").fetchall())
    con.close()
    return files, lines


def test_purge_removes_expired_and_keeps_the_rest(setup, caplog):
    landing, raw_db, registry = setup
    with caplog.at_level(logging.INFO, logger="cc_warehouse.retention.purge"):
        result = purge(landing, raw_db, as_of=AS_OF, registry=registry)

    assert (result.partitions_removed, result.files_removed, result.manifest_entries_removed) == (2, 3, 2)
    assert result.receipts_removed == 1 and result.quarantine_rows_removed == 2
    orders = landing / "douyin" / "orders"
    assert sorted(p.name for p in orders.iterdir()) == ["dt=2026-10-16", "dt=2026-11-14"]
    assert sorted(p.name for p in (landing / "red" / "notes").iterdir()) == ["dt=2026-11-08"]
    kept = read_manifest(orders / "dt=2026-10-16")["partitions"]
    assert len(kept) == 1 and (orders / "dt=2026-10-16" / next(iter(kept.values()))["file"]).exists()
    assert [p.name for p in (landing / "crm" / "members_received").iterdir()] == ["new.csv"]
    assert _state(landing, raw_db)[1] == [3]
    assert "dt=2026-10-15" in caplog.text and "13912345678" not in caplog.text


def test_dry_run_removes_nothing(setup):
    landing, raw_db, registry = setup
    before = _state(landing, raw_db)
    result = purge(landing, raw_db, as_of=AS_OF, registry=registry, dry_run=True)
    assert result.dry_run and result.partitions_removed == 2 and result.quarantine_rows_removed == 2
    assert result.receipts_removed == 1
    assert _state(landing, raw_db) == before


def test_purge_is_idempotent(setup):
    landing, raw_db, registry = setup
    purge(landing, raw_db, as_of=AS_OF, registry=registry)
    after_first = _state(landing, raw_db)
    again = purge(landing, raw_db, as_of=AS_OF, registry=registry)
    assert (
        again.partitions_removed,
        again.files_removed,
        again.receipts_removed,
        again.quarantine_rows_removed,
        again.removed_paths,
    ) == (0, 0, 0, 0, [])
    assert _state(landing, raw_db) == after_first


def test_missing_raw_db_and_landing(tmp_path):
    result = purge(tmp_path / "landing", tmp_path / "raw.duckdb", as_of=AS_OF)
    assert result.removed_paths == [] and not (tmp_path / "raw.duckdb").exists()


def test_stored_validation_results_follow_quarantine_retention(tmp_path):
    results = tmp_path / "gx" / "gx" / "uncommitted" / "validations" / "suite" / "run"
    results.mkdir(parents=True)
    old, new = results / "old.json", results / "new.json"
    old.write_text("{}")
    new.write_text("{}")
    long_ago = datetime(2026, 9, 1, tzinfo=UTC).timestamp()
    os.utime(old, (long_ago, long_ago))
    result = purge(tmp_path / "landing", tmp_path / "raw.duckdb", as_of=date(2026, 11, 15), gx_dir=tmp_path / "gx")
    assert result.validation_results_removed == 1
    assert not old.exists() and new.exists()
