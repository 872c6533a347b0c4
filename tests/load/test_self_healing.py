"""Every load also loads any landed file version that missed its load, whatever run landed it; a damaged
landing file never blocks the others and is named with what to do about it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import duckdb
import pytest
from cc_warehouse.landing.files import land_records
from cc_warehouse.load.raw import LandingDamaged, load_files

SH = timezone(timedelta(hours=8))
DAY = datetime(2026, 11, 14, tzinfo=SH)


def land_day(tmp_path, day, ids, entity="douyin.orders"):
    records = [{"order_id": f"47813200000000{i:05d}", "update_time": 1} for i in ids]
    return land_records(
        tmp_path / "landing",
        entity,
        records,
        interval_start=day,
        interval_end=day + timedelta(days=1),
        dt=day.date(),
        run_id=f"extract-{day:%d}",
    )


def keys(db):
    with duckdb.connect(str(db), read_only=True) as con:
        return sorted(r[0] for r in con.execute("select record_key from douyin_orders").fetchall())


def test_a_file_landed_by_a_killed_run_is_loaded_by_the_next_run(tmp_path):
    db = tmp_path / "raw.duckdb"
    land_day(tmp_path, DAY, [1, 2])  # the run that landed this was killed before its load
    today = land_day(tmp_path, DAY + timedelta(days=1), [3])
    results = load_files([today], db, "run-2", heal_from=tmp_path / "landing", entities=["douyin.orders"])
    assert sorted(r.partition for r in results) == [
        "douyin/orders/20261114T0000-20261115T0000",
        "douyin/orders/20261115T0000-20261116T0000",
    ]
    assert keys(db) == ["4781320000000000001", "4781320000000000002", "4781320000000000003"]
    assert load_files([], db, "run-3", heal_from=tmp_path / "landing", entities=["douyin.orders"]) == []


def test_a_damaged_landing_file_is_named_and_does_not_block_the_others(tmp_path):
    db = tmp_path / "raw.duckdb"
    damaged = land_day(tmp_path, DAY, [1, 2])
    damaged.path.write_bytes(damaged.path.read_bytes()[:-10])  # bit rot, a bad restore, a half copy
    good = land_day(tmp_path, DAY + timedelta(days=1), [3])
    with pytest.raises(LandingDamaged) as err:
        load_files([good], db, "run-2", heal_from=tmp_path / "landing", entities=["douyin.orders"])
    message = str(err.value)
    assert "douyin/orders/dt=2026-11-14/" + damaged.path.name in message and "re-extract" in message
    assert "2026-11-14T00:00:00+08:00" in message
    assert keys(db) == ["4781320000000000003"]  # the good file loaded and committed
    # re-extracting the interval (same records) repairs the file in place; the next load heals it
    land_day(tmp_path, DAY, [1, 2])
    assert json.loads(damaged.path.read_text().splitlines()[1])["order_id"] == "4781320000000000002"
    load_files([], db, "run-3", heal_from=tmp_path / "landing", entities=["douyin.orders"])
    assert keys(db) == ["4781320000000000001", "4781320000000000002", "4781320000000000003"]


def test_a_damaged_inbox_landing_names_the_export_to_restore(tmp_path):
    db = tmp_path / "raw.duckdb"
    landed = land_records(
        tmp_path / "landing",
        "crm.members",
        [{"member_id": "M1"}],
        interval_start=DAY,
        interval_end=DAY,
        dt=DAY.date(),
        run_id="r",
        key="members_20261114-abcdef12",
    )
    landed.path.write_bytes(b"{}\n")
    with pytest.raises(LandingDamaged, match="restore members_20261114.csv"):
        load_files([], db, "run-2", heal_from=tmp_path / "landing", entities=["crm.members"])


def test_raw_rows_are_stamped_with_their_first_load_not_their_extraction(tmp_path):
    """A partition extracted long ago but loaded only now (a recovery) must look new to the incremental
    models; reloading the same version keeps its stamp (reruns leave raw identical)."""
    db = tmp_path / "raw.duckdb"
    old = land_records(
        tmp_path / "landing",
        "douyin.orders",
        [{"order_id": "4781320000000000001"}],
        interval_start=DAY,
        interval_end=DAY + timedelta(days=1),
        dt=DAY.date(),
        run_id="x",
        extracted_at=DAY + timedelta(days=1, hours=1),
    )
    before = datetime.now(SH)
    load_files([old], db, "recovery")
    with duckdb.connect(str(db), read_only=True) as con:
        [(stamp,)] = con.execute("select _loaded_at from douyin_orders").fetchall()
        [(audited,)] = con.execute("select loaded_at from load_audit").fetchall()
    assert stamp >= before and audited == stamp
    load_files([old], db, "rerun")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select _loaded_at from douyin_orders").fetchall() == [(stamp,)]
