"""The published file opens read-only in DuckDB 1.1 (the oldest client the README promises), with the same
content DuckDB 2.0 sees: BI tools bundle 1.x drivers, and DuckDB 2.0's own storage format is unreadable to them."""

from __future__ import annotations

from pathlib import Path

import duckdb
from cc_warehouse.publish import publish
from cc_warehouse.publish.warehouse import STORAGE_VERSION

from tests.old_duckdb import OLDEST_CLIENT, read_with_current_duckdb, read_with_old_duckdb

# Column types the marts use (dbt-duckdb casts): decimals in yuan, dates, timestamptz, lists, structs, CJK text.
BUILD_SQL = """
set TimeZone = 'UTC';
create schema core; create schema conversion;
create table core.dim_customer as
select 'c' || i as customer_key, '上海市' as province, i % 2 = 0 as is_member,
       date '2026-11-01' + cast(i as integer) as first_seen_date,
       timestamptz '2026-11-11 00:00:00+08' + to_minutes(cast(i as bigint)) as first_paid_at,
       ['red', 'douyin'] as platforms, {'tier': 'gold', 'points': i} as loyalty
from range(50) t(i);
comment on table core.dim_customer is '客户维度';
create table conversion.fct_orders as
select 'o' || i as order_id, cast(i * 1.25 as decimal(18, 2)) as pay_amount, cast(i as hugeint) as big,
       cast(i as double) / 3 as ratio, uuid() is not null as ok
from range(200) t(i);
"""


def test_published_file_opens_read_only_in_duckdb_1_1(tmp_path: Path):
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute(BUILD_SQL)
    published = publish(build, tmp_path / "warehouse" / "analytics.duckdb").path

    old = read_with_old_duckdb(published)

    assert old["version"] == OLDEST_CLIENT
    assert set(old["tables"]) == {"core.dim_customer", "conversion.fct_orders"}
    assert old["tables"] == read_with_current_duckdb(published)  # content, not counts
    assert len(old["tables"]["conversion.fct_orders"]) == 200


def test_a_file_in_duckdb_2_format_is_what_old_clients_refuse(tmp_path: Path):
    """The control: without the explicit storage version, DuckDB 1.1 cannot open the file at all."""
    native = tmp_path / "native.duckdb"
    with duckdb.connect(str(native)) as con:
        con.execute("create table t as select 1 as x")
    try:
        read_with_old_duckdb(native)
    except AssertionError as refused:
        assert "version number" in str(refused)
    else:
        raise AssertionError("DuckDB 1.1 opened a DuckDB 2.0 file: the storage-version pin would be moot")
    assert STORAGE_VERSION == "v1.1.0"


def test_make_sql_opens_the_published_file_read_only(tmp_path: Path):
    """`make sql` is the DuckDB CLI (pinned duckdb-cli) on the published file, read-only."""
    import subprocess

    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute(BUILD_SQL)
    published = publish(build, tmp_path / "analytics.duckdb").path
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        ["make", "-s", "--no-print-directory", "sql", f"CCWH_WAREHOUSE_DB={published}"],
        cwd=root,
        text=True,
        capture_output=True,
        timeout=120,
        input="select count(*) as n from conversion.fct_orders;\ncreate table core.x as select 1;\n",
    )
    assert "200" in proc.stdout, proc.stdout + proc.stderr
    assert "read-only" in (proc.stdout + proc.stderr).lower()
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from information_schema.tables where table_name = 'x'").fetchall() == [(0,)]
