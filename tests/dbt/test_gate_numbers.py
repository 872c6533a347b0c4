"""The gate guards the numbers (issue 8, build item 4): each number check passes the real fixture build and
fails a planted defect, naming the check, with counts only.

The fixture build is dbt's own output for the hand-written raw fixture (tests/dbt/raw_fixture.py), so the
clean run compares the gate's independent raw-side SQL with real marts; each defect is planted in a copy.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from cc_warehouse.publish import publish
from cc_warehouse.quality.gate import GateFailed, assert_gate, run_gate
from cc_warehouse.quality.number_checks import Options, dbt_relationships, source_freshness_specs

from tests.dbt.raw_fixture import TABLES

ROOT = Path(__file__).resolve().parents[2]
EXPECTATIONS = ROOT / "expectations"
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC)
ORPHAN = "tk1_" + "e" * 32


@pytest.fixture(scope="module")
def numbers(fixture_build, tmp_path_factory) -> dict:
    """The fixture build, a raw copy whose every table was last loaded an hour before NOW (fresh), the
    same build published once (the volume baseline) and a private copy of the committed GX context."""
    work = tmp_path_factory.mktemp("numbers")
    raw = work / "raw.duckdb"
    shutil.copy(fixture_build.raw_db, raw)
    with duckdb.connect(str(raw)) as con:
        for table in TABLES:  # shift each table as a whole: the order of its versions is unchanged
            con.execute(
                f"update {table} set _loaded_at = _loaded_at + "
                f"(?::timestamptz - interval 1 hour - (select max(_loaded_at) from {table}))",
                [NOW],
            )
    published = publish(fixture_build.build_db, work / "published.duckdb").path
    expectations = work / "expectations"
    expectations.mkdir(exist_ok=True)
    shutil.copy(EXPECTATIONS / "keys.yml", expectations / "keys.yml")
    shutil.copytree(EXPECTATIONS / "gx", expectations / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    return {"build": fixture_build.build_db, "raw": raw, "published": published, "expectations": expectations}


def _gate(numbers: dict, tmp_path: Path, *, run_id: str, build_sql: str = "", raw_sql: str = "", **options):
    build = tmp_path / "build.duckdb"
    shutil.copy(numbers["build"], build)
    if build_sql:
        with duckdb.connect(str(build)) as con:
            con.execute(build_sql)
    raw = numbers["raw"]
    if raw_sql:
        raw = tmp_path / "raw.duckdb"
        shutil.copy(numbers["raw"], raw)
        with duckdb.connect(str(raw)) as con:
            con.execute(raw_sql)
    settings = {
        "contracts": EXPECTATIONS / "number_checks.yml",
        "dbt_project_dir": ROOT / "dbt_project",
        "raw_db": raw,
        "published_db": numbers["published"],
        "now": NOW,
        "volume_min_rows": 1,
        **options,
    }
    return run_gate(
        build,
        reports_dir=tmp_path / "reports",
        run_id=run_id,
        work_dir=tmp_path / "gx",
        expectations_dir=numbers["expectations"],
        numbers=Options(**settings),
    )


def _number_failures(result) -> dict[str, list[dict]]:
    return {
        s["suite"]: s["failed_expectations"] for s in result.suites if s["suite"].startswith("numbers.") and not s["success"]
    }


def _only(result, suite: str) -> list[dict]:
    """The failures of ``suite``, asserting no other number check failed."""
    failures = _number_failures(result)
    assert set(failures) == {suite}, failures
    assert not result.success
    return failures[suite]


def test_clean_fixture_build_passes_every_number_check(numbers, tmp_path):
    result = _gate(numbers, tmp_path, run_id="numbers-clean")
    assert result.success, result.failures
    summary = json.loads(result.results_path.read_text(encoding="utf-8"))
    evaluated = {s["suite"]: s["evaluated"] for s in summary["suites"] if s["suite"].startswith("numbers.")}
    assert set(evaluated) == {
        "numbers.reconciliation",
        "numbers.rates",
        "numbers.durations",
        "numbers.volume",
        "numbers.source_freshness",
        "numbers.referential_integrity",
    }
    assert all(n > 0 for n in evaluated.values()), evaluated
    # Data Docs render each number check as its own suite page.
    docs = result.data_docs_index.parent
    for suite in evaluated:
        name = suite.split(".", 1)[1]
        assert (docs / "expectations" / "numbers" / f"{name}.html").is_file(), suite
        assert list((docs / "validations" / "numbers" / name / "numbers-clean").rglob("*.html")), suite


def test_contract_discovery_reads_the_dbt_project():
    """Freshness and relationships come from the dbt yml (a new source or test is covered), not a list here."""
    specs = {f"{s['source']}.{s['table']}": s for s in source_freshness_specs(ROOT / "dbt_project")}
    assert specs["douyin.douyin_orders"]["loaded_at_field"] == "_loaded_at"
    assert specs["douyin.douyin_orders"]["error_hours"] == 74
    relations = dbt_relationships(ROOT / "dbt_project")
    assert ("fct_orders", "customer_id", "dim_customer", "customer_id") in relations


def test_missing_paid_order_fails_reconciliation(numbers, tmp_path):
    """One paid Douyin order deleted from fct_orders: its day's paid orders and GMV no longer match raw."""
    result = _gate(
        numbers,
        tmp_path,
        run_id="numbers-recon",
        build_sql="delete from conversion.fct_orders where order_id = '6900000000000000002';"
        "delete from conversion.fct_order_lines where order_id = '6900000000000000002';",
    )
    failures = _only(result, "numbers.reconciliation")
    assert {(f["column"], f["rule"]) for f in failures} == {
        ("douyin", "paid_orders_per_day_equal_raw"),
        ("douyin", "gmv_per_day_equal_raw"),
        ("douyin", "refunds_per_day_equal_raw"),  # the deleted order carried the fixture's Douyin refund
    }
    assert all(f["observed_value"].startswith("1 douyin paid day(s) differ") for f in failures)
    with pytest.raises(GateFailed, match="numbers.reconciliation"):
        assert_gate(result)


def test_wrong_amounts_fail_reconciliation_per_metric(numbers, tmp_path):
    """GMV off by one fen on a RED order, and a refund that raw does not have: each metric fails on its own."""
    result = _gate(
        numbers,
        tmp_path,
        run_id="numbers-amounts",
        build_sql="update conversion.fct_orders set pay_amount_fen = pay_amount_fen + 1 "
        "where order_id = (select min(order_id) from conversion.fct_orders where platform = 'red' and is_paid);"
        "update conversion.fct_orders set refund_amount_fen = 500 where order_id = '6900000000000000003';",
    )
    failures = _only(result, "numbers.reconciliation")
    assert {(f["column"], f["rule"]) for f in failures} == {
        ("red", "gmv_per_day_equal_raw"),
        ("douyin", "refunds_per_day_equal_raw"),
    }


def test_raw_side_is_computed_from_raw_records(numbers, tmp_path):
    """A paid order present in raw but cancelled in its latest raw version: the marts (unchanged) now count
    one paid order too many, so the raw side really reads the raw records' latest versions."""
    result = _gate(
        numbers,
        tmp_path,
        run_id="numbers-raw",
        raw_sql="""
        insert into douyin_orders
        select json_merge_patch(record, '{"order_status": 4, "update_time": 1893456000}'), record_key,
            _source_file, _file_sha256, _line_number + 1000, _partition, _interval_start, _interval_end + interval 1 day,
            _run_id, _loaded_at
        from douyin_orders where record_key = '6900000000000000008'
        """,
    )
    failures = _only(result, "numbers.reconciliation")
    assert {(f["column"], f["rule"]) for f in failures} == {
        ("douyin", "paid_orders_per_day_equal_raw"),
        ("douyin", "gmv_per_day_equal_raw"),
    }


def test_unconfigured_platform_fails_reconciliation(numbers, tmp_path):
    result = _gate(
        numbers,
        tmp_path,
        run_id="numbers-platform",
        build_sql="update conversion.fct_orders set platform = 'kuaishou' where order_id = '6900000000000000008';",
    )
    failures = _only(result, "numbers.reconciliation")
    assert ("kuaishou", "paid_orders_per_day_equal_raw") in {(f["column"], f["rule"]) for f in failures}
    assert any("no reconciliation contract" in f["observed_value"] for f in failures)


def test_rate_above_one_fails_and_new_rate_columns_are_discovered(numbers, tmp_path):
    result = _gate(
        numbers,
        tmp_path,
        run_id="numbers-rates",
        build_sql="""
        update repurchase.fct_customer_cohorts set retention_rate = 1.3
        where rowid = (select min(rowid) from repurchase.fct_customer_cohorts);
        alter table conversion.fct_live_sessions add column refund_share double;
        update conversion.fct_live_sessions set refund_share = -0.2;
        """,
    )
    failures = _only(result, "numbers.rates")
    sessions = _count(numbers["build"], "select count(*) from conversion.fct_live_sessions")
    assert {(f["table"], f["column"], f["rule"], f["observed_value"]) for f in failures} == {
        ("repurchase.fct_customer_cohorts", "retention_rate", "rate_in_unit_interval", "1 row(s) outside [0, 1]"),
        ("conversion.fct_live_sessions", "refund_share", "rate_in_unit_interval", f"{sessions} row(s) outside [0, 1]"),
    }


def test_negative_stage_duration_fails(numbers, tmp_path):
    result = _gate(
        numbers,
        tmp_path,
        run_id="numbers-durations",
        build_sql="""
        update fulfilment.fct_crossborder_shipments set hours_cleared_to_released = -240
        where rowid = (select min(rowid) from fulfilment.fct_crossborder_shipments);
        """,
    )
    failures = _only(result, "numbers.durations")
    assert [(f["table"], f["column"], f["rule"], f["observed_value"]) for f in failures] == [
        ("fulfilment.fct_crossborder_shipments", "hours_cleared_to_released", "duration_non_negative", "1 row(s) outside >= 0")
    ]


def _count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


def test_volume_drop_against_the_published_build_fails_unless_overridden(numbers, tmp_path):
    before = _count(numbers["build"], "select count(*) from conversion.fct_order_lines")
    drop = "delete from conversion.fct_order_lines where rowid % 5 <> 0 and order_id not in ('6900000000000000002')"
    result = _gate(numbers, tmp_path / "a", run_id="numbers-volume", build_sql=drop)
    failures = _only(result, "numbers.volume")
    after = before - _count(
        numbers["build"],
        "select count(*) from conversion.fct_order_lines where rowid % 5 <> 0 and order_id <> '6900000000000000002'",
    )
    assert after < 0.5 * before
    assert [(f["table"], f["rule"]) for f in failures] == [("conversion.fct_order_lines", "row_count_change_vs_published")]
    assert failures[0]["observed_value"].startswith(f"published {before} rows, build {after} ")

    overridden = _gate(
        numbers, tmp_path / "b", run_id="numbers-volume-ok", build_sql=drop, volume_override=("conversion.fct_order_lines",)
    )
    assert "numbers.volume" not in _number_failures(overridden)
    first = _gate(numbers, tmp_path / "c", run_id="numbers-first", build_sql=drop, published_db=tmp_path / "none.duckdb")
    assert "numbers.volume" not in _number_failures(first)


def test_stale_source_fails_freshness_with_its_name_and_age(numbers, tmp_path):
    result = _gate(
        numbers,
        tmp_path,
        run_id="numbers-fresh",
        raw_sql="update red_orders set _loaded_at = ?::timestamptz - interval 100 hour".replace(
            "?", f"'{NOW.isoformat()}'"
        ),
    )
    failures = _only(result, "numbers.source_freshness")
    assert [(f["table"], f["column"]) for f in failures] == [("source red.red_orders", "_loaded_at")]
    assert failures[0]["observed_value"] == "source red.red_orders last loaded 100.0 h ago; error_after 74 h"
    with pytest.raises(GateFailed, match="source red.red_orders last loaded 100.0 h ago"):
        assert_gate(result)


def test_orphan_dimension_keys_fail_referential_integrity(numbers, tmp_path):
    """An orphan customer key (a dbt relationships test) and a new fact whose product key matches no product
    (the naming contract: no dbt test exists for it) both fail; the orphan's value is never reported."""
    result = _gate(
        numbers,
        tmp_path,
        run_id="numbers-ri",
        build_sql=f"""
        update conversion.fct_orders set customer_id = '{ORPHAN}' where order_id = '6900000000000000008';
        create table conversion.fct_product_daily as
        select product_id, 1 as units from core.dim_product union all select 'red-nope', 1;
        """,
    )
    failures = _only(result, "numbers.referential_integrity")
    assert {(f["table"], f["column"], f["rule"], f["observed_value"]) for f in failures} == {
        ("conversion.fct_orders", "customer_id", "references core.dim_customer.customer_id",
         "1 row(s) without a core.dim_customer row"),
        ("conversion.fct_product_daily", "product_id", "references core.dim_product.product_id",
         "1 row(s) without a core.dim_product row"),
    }
    texts = [result.results_path.read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in (tmp_path / "reports").rglob("*.html")]
    assert not any(ORPHAN in text or "red-nope" in text for text in texts)
