"""Retention for every layer: raw rows and per-run build files past retention go too, and the purge is
recorded in privacy_audit (counts only). Expected rows are written by hand from the landing dates."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
from cc_warehouse.landing.files import land_records
from cc_warehouse.load.raw import load_all_from_manifests
from cc_warehouse.retention.purge import purge

AS_OF = date(2026, 11, 15)  # a test clock: 30-day retention keeps dt >= 2026-10-16
TZ = ZoneInfo("Asia/Shanghai")


def _land(landing, dt: date, order_id: str) -> None:
    start = datetime.combine(dt, datetime.min.time(), tzinfo=TZ)
    land_records(
        landing,
        "douyin.orders",
        [{"order_id": order_id}],
        interval_start=start,
        interval_end=start + timedelta(days=1),
        dt=dt,
        run_id="r",
        extracted_at=start,
    )


def test_raw_rows_and_build_files_past_retention_are_purged_and_audited(tmp_path):
    landing, raw_db, build = tmp_path / "landing", tmp_path / "raw.duckdb", tmp_path / "build"
    _land(landing, date(2026, 10, 10), "old-1")
    _land(landing, date(2026, 10, 15), "old-2")
    _land(landing, date(2026, 10, 16), "kept-1")
    _land(landing, date(2026, 11, 14), "kept-2")
    load_all_from_manifests(landing, raw_db, "load")
    build.mkdir()
    for name, day in (
        ("old_build.duckdb", datetime(2026, 10, 1, tzinfo=TZ)),
        ("warehouse_build.duckdb", datetime(2026, 11, 15, tzinfo=TZ)),
    ):
        (build / name).write_bytes(b"x")
        os.utime(build / name, (day.timestamp(), day.timestamp()))

    result = purge(landing, raw_db, as_of=AS_OF, build_dir=build)

    assert result.raw_rows_removed == 2 and result.build_files_removed == 1
    with duckdb.connect(str(raw_db), read_only=True) as con:
        kept = sorted(r[0] for r in con.execute("select record->>'order_id' from douyin_orders").fetchall())
        audits = con.execute("select count(*) from load_audit where file like '%dt=2026-10-1_%'").fetchone()[0]
        [(event, token, detail)] = con.execute("select event, subject_token, detail from privacy_audit").fetchall()
    assert kept == ["kept-1", "kept-2"]
    assert audits == 1  # only dt=2026-10-16's file is still audited
    assert [p.name for p in build.iterdir()] == ["warehouse_build.duckdb"]
    assert event == "retention_purge" and token is None
    assert json.loads(detail)["raw_rows"] == 2 and json.loads(detail)["build_files"] == 1
    again = purge(landing, raw_db, as_of=AS_OF, build_dir=build)
    assert (again.raw_rows_removed, again.build_files_removed) == (0, 0)
