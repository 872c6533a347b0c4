"""Publishing replaces the analyst warehouse atomically with the marts of a build, and only them."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest
from cc_warehouse.publish import PUBLISHED_SCHEMAS, publish

REPO_EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations"

BUILD_SQL = """
create schema staging; create schema intermediate; create schema quarantine;
create schema core; create schema conversion;
create table staging.stg_orders as select 'o' || i as order_id, '13812345678' as phone from range({n}) t(i);
create table intermediate.int_orders as select order_id from staging.stg_orders;
create table quarantine.bad_rows as select 1 as x;
create table main.raw_leftover as select 1 as x;
create table core.dim_date as
select date '2026-11-01' + cast(i as integer) as date_day, cast(i as decimal(18, 2)) as amount_yuan,
       ['a', 'b'] as tags
from range({n}) t(i);
comment on table core.dim_date is '日期维度';
comment on column core.dim_date.date_day is 'calendar day (Asia/Shanghai)';
create view conversion.fct_orders as select order_id, 100 as pay_amount_fen from staging.stg_orders;
"""


def _build(path: Path, rows: int, extra_sql: str = "") -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(BUILD_SQL.format(n=rows) + extra_sql)
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    target = tmp_path / "warehouse" / "analytics.duckdb"
    publish(_build(tmp_path / "v1.duckdb", 3), target)
    return target


def test_publishes_only_marts_preserving_types_and_comments(tmp_path, warehouse):
    result = publish(_build(tmp_path / "v2.duckdb", 4), warehouse)
    assert result.path == warehouse
    assert result.tables == {"conversion.fct_orders": 4, "core.dim_date": 4}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        schemas = {row[0] for row in con.sql("select distinct table_schema from information_schema.tables").fetchall()}
        assert schemas <= set(PUBLISHED_SCHEMAS)
        assert con.execute(
            "select table_type from information_schema.tables where table_name = 'fct_orders'"
        ).fetchall() == [("BASE TABLE",)]
        types = dict(
            con.sql(
                "select column_name, data_type from information_schema.columns where table_name = 'dim_date'"
            ).fetchall()
        )
        assert types == {"date_day": "DATE", "amount_yuan": "DECIMAL(18,2)", "tags": "VARCHAR[]"}
        assert con.execute("select comment from duckdb_tables() where table_name = 'dim_date'").fetchall() == [
            ("日期维度",)
        ]
        column_comment = con.execute("select comment from duckdb_columns() where column_name = 'date_day'").fetchall()
        assert column_comment == [("calendar day (Asia/Shanghai)",)]
    assert sorted(p.name for p in warehouse.parent.iterdir()) == ["analytics.duckdb"]


def test_open_reader_keeps_old_snapshot_and_does_not_block(tmp_path, warehouse):
    reader = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert reader.execute("select count(*) from core.dim_date").fetchall() == [(3,)]
        publish(_build(tmp_path / "v2.duckdb", 5), warehouse)
        assert reader.execute("select count(*) from core.dim_date").fetchall() == [(3,)]
    finally:
        reader.close()
    with duckdb.connect(str(warehouse), read_only=True) as fresh:
        assert fresh.execute("select count(*) from core.dim_date").fetchall() == [(5,)]


def test_failing_copy_leaves_published_file_identical(tmp_path, warehouse):
    before = _sha(warehouse)
    broken = _build(
        tmp_path / "broken.duckdb",
        4,
        "create table core.gone as select 1 as x; create view core.v_broken as select * from core.gone;"
        "drop table core.gone;",
    )
    with pytest.raises(duckdb.Error):
        publish(broken, warehouse)
    assert _sha(warehouse) == before
    assert sorted(p.name for p in warehouse.parent.iterdir()) == ["analytics.duckdb"]


def test_failed_gate_means_no_publish(tmp_path, warehouse):
    from cc_warehouse.quality.gate import GateFailed, assert_gate, run_gate

    expectations = tmp_path / "expectations"
    shutil.copytree(REPO_EXPECTATIONS, expectations, ignore=shutil.ignore_patterns("uncommitted", "pii"))
    before = _sha(warehouse)
    build = _build(tmp_path / "bad.duckdb", 4)  # clear phone in staging, most marts missing
    with pytest.raises(GateFailed):
        result = run_gate(
            build,
            reports_dir=tmp_path / "reports",
            run_id="bad",
            work_dir=tmp_path / "gx",
            expectations_dir=expectations,
        )
        assert_gate(result)
        publish(build, warehouse)
    assert _sha(warehouse) == before
