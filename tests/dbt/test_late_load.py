"""A partition recovered days late reaches the incremental marts on the next transform.

The raw row goes through the real loader (which stamps it) and the real dbt incremental models: the order
is first missing from raw, then loaded ten days after its extraction, then `dbt run` must add it exactly
as a full refresh would.
"""

from __future__ import annotations

import json
from datetime import timedelta

import duckdb
import pytest
from cc_warehouse.landing.files import land_records
from cc_warehouse.load.raw import load_files

from tests.dbt.conftest import run_dbt
from tests.dbt.raw_fixture import build_raw_fixture

pytestmark = pytest.mark.chaos  # three dbt runs (~60 s on 2 cores): `make chaos`, not `make test`
SELECT = ["--select", "+fct_orders", "+fct_order_lines"]


def _facts(build_db):
    with duckdb.connect(str(build_db), read_only=True) as con:
        orders = con.execute("select * exclude (source_loaded_at) from conversion.fct_orders order by order_id")
        lines = con.execute("select order_line_id, order_id from conversion.fct_order_lines order by 1")
        return orders.fetchall(), lines.fetchall()


def _order_ids(build_db):
    with duckdb.connect(str(build_db), read_only=True) as con:
        return {r[0] for r in con.execute("select order_id from conversion.fct_orders").fetchall()}


def test_an_order_loaded_ten_days_after_its_extraction_reaches_fct_orders(tmp_path):
    raw_db, build_db = tmp_path / "raw.duckdb", tmp_path / "build.duckdb"
    build_raw_fixture(raw_db)
    with duckdb.connect(str(raw_db)) as con:
        key, record, newest = con.execute("""
            select record_key, record::varchar, (select max(_loaded_at) from douyin_orders)
            from douyin_orders where record_key in (
                select record_key from douyin_orders group by 1 having count(*) = 1)
            order by record_key limit 1""").fetchone()
        con.execute("delete from douyin_orders where record_key = ?", [key])  # the killed run's partition
    first = run_dbt(["run", *SELECT], raw_db, build_db, tmp_path)
    assert first.returncode == 0, first.stdout[-3000:]
    assert key not in _order_ids(build_db)

    extracted = newest - timedelta(days=10)
    landed = land_records(
        tmp_path / "landing",
        "douyin.orders",
        [json.loads(record)],
        interval_start=extracted,
        interval_end=extracted + timedelta(hours=1),
        dt=extracted.date(),
        run_id="killed",
        extracted_at=extracted,
    )
    load_files([landed], raw_db, "recovery")
    second = run_dbt(["run", *SELECT], raw_db, build_db, tmp_path)
    assert second.returncode == 0, second.stdout[-3000:]
    incremental = _facts(build_db)
    assert key in _order_ids(build_db)

    refreshed = run_dbt(["run", "--full-refresh", *SELECT], raw_db, build_db, tmp_path)
    assert refreshed.returncode == 0, refreshed.stdout[-3000:]
    assert incremental == _facts(build_db)
