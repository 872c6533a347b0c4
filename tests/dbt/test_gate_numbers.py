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
from cc_warehouse.quality import suites
from cc_warehouse.quality.gate import GateFailed, assert_gate, run_gate
from cc_warehouse.quality.number_checks import Options, dbt_relationships, run_checks, source_freshness_specs

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


def _options(numbers: dict, raw: Path, **options) -> Options:
    settings = {
        "contracts": EXPECTATIONS / "number_checks.yml",
        "dbt_project_dir": ROOT / "dbt_project",
        "raw_db": raw,
        "published_db": numbers["published"],
        "now": NOW,
        "volume_min_rows": 1,
        **options,
    }
    return Options(**settings)


def _gate(numbers: dict, tmp_path: Path, *, run_id: str, build_sql: str = "", raw_sql: str = "", **options):
    tmp_path.mkdir(parents=True, exist_ok=True)
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
    return run_gate(
        build,
        reports_dir=tmp_path / "reports",
        run_id=run_id,
        work_dir=tmp_path / "gx",
        expectations_dir=numbers["expectations"],
        numbers=_options(numbers, raw, **options),
    )


def _number_failures(result) -> dict[str, list[dict]]:
    return {
        s["suite"]: s["failed_expectations"]
        for s in result.suites
        if s["suite"].startswith("numbers.") and not s["success"]
    }


def _found(failures: list[dict]) -> set[tuple]:
    return {(f["table"], f["column"], f["rule"], f["observed_value"]) for f in failures}


def _count(db: Path, sql: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]


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


# One gate run per family of planted defects keeps the module fast: every check's failures are attributed
# to its own suite, and each assertion below is the exact set of failures of one check.
BUILD_DEFECTS = f"""
-- reconciliation: a paid Douyin order (with the fixture's Douyin refund) lost from the marts; a RED order
-- one fen off; the RED after-sale refund (red.aftersales, status 3) lost from its order
delete from conversion.fct_order_lines where order_id = '6900000000000000002';
delete from conversion.fct_orders where order_id = '6900000000000000002';
update conversion.fct_orders set pay_amount_fen = pay_amount_fen + 1
where order_id = (select min(order_id) from conversion.fct_orders where platform = 'red' and is_paid);
update conversion.fct_orders set refund_amount_fen = 0 where order_id = 'P7000000000000001';
-- rates: a retention rate of 1.3, and a new share column (no dbt test) below 0
update repurchase.fct_customer_cohorts set retention_rate = 1.3
where rowid = (select min(rowid) from repurchase.fct_customer_cohorts);
alter table conversion.fct_live_sessions add column refund_share double;
update conversion.fct_live_sessions set refund_share = -0.2;
-- durations: release -> warehouse-out of -240 h
update fulfilment.fct_crossborder_shipments set hours_cleared_to_released = -240
where rowid = (select min(rowid) from fulfilment.fct_crossborder_shipments);
-- volume: 80% of the daily content rows gone against the published build
delete from seeding.fct_content_daily where rowid % 5 <> 0;
-- referential integrity: an orphan customer key (a dbt relationships test), and a new fact whose product
-- key matches no product (the naming contract: no dbt test exists for it)
update conversion.fct_orders set customer_id = '{ORPHAN}' where order_id = '6900000000000000006';
create table conversion.fct_product_daily as
select product_id, 1 as units from core.dim_product union all select 'red-nope', 1;
"""


@pytest.fixture(scope="module")
def defects(numbers, tmp_path_factory):
    return _gate(numbers, tmp_path_factory.mktemp("defects"), run_id="numbers-defects", build_sql=BUILD_DEFECTS)


def _failures_of(result, suite: str) -> list[dict]:
    assert not result.success
    with pytest.raises(GateFailed, match=suite.replace(".", r"\.")):
        assert_gate(result)
    return _number_failures(result)[suite]


def test_planted_defects_fail_reconciliation_per_platform_and_metric(defects):
    red_day = "1 red paid day(s) differ between raw and conversion.fct_orders"
    douyin_day = "1 douyin paid day(s) differ between raw and conversion.fct_orders"
    assert _found(_failures_of(defects, "numbers.reconciliation")) == {
        ("conversion.fct_orders", "douyin", "paid_orders_per_day_equal_raw", douyin_day),
        ("conversion.fct_orders", "douyin", "gmv_per_day_equal_raw", douyin_day),
        ("conversion.fct_orders", "douyin", "refunds_per_day_equal_raw", douyin_day),
        ("conversion.fct_orders", "red", "gmv_per_day_equal_raw", red_day),
        ("conversion.fct_orders", "red", "refunds_per_day_equal_raw", red_day),
    }


def test_planted_rates_outside_unit_interval_fail(defects, numbers):
    sessions = _count(numbers["build"], "select count(*) from conversion.fct_live_sessions")
    assert _found(_failures_of(defects, "numbers.rates")) == {
        ("repurchase.fct_customer_cohorts", "retention_rate", "rate_in_unit_interval", "1 row(s) outside [0, 1]"),
        ("conversion.fct_live_sessions", "refund_share", "rate_in_unit_interval", f"{sessions} row(s) outside [0, 1]"),
    }


def test_planted_negative_stage_duration_fails(defects):
    assert _found(_failures_of(defects, "numbers.durations")) == {
        (
            "fulfilment.fct_crossborder_shipments",
            "hours_cleared_to_released",
            "duration_non_negative",
            "1 row(s) outside >= 0",
        )
    }


def test_planted_volume_drop_against_the_published_build_fails(defects, numbers):
    before = _count(numbers["build"], "select count(*) from seeding.fct_content_daily")
    after = _count(numbers["build"], "select count(*) from seeding.fct_content_daily where rowid % 5 = 0")
    assert after < 0.5 * before
    failures = _failures_of(defects, "numbers.volume")
    assert [(f["table"], f["rule"]) for f in failures] == [
        ("seeding.fct_content_daily", "row_count_change_vs_published")
    ]
    assert failures[0]["observed_value"].startswith(f"published {before} rows, build {after} (")


def test_planted_orphan_keys_fail_referential_integrity_without_showing_them(defects, tmp_path_factory):
    assert _found(_failures_of(defects, "numbers.referential_integrity")) == {
        (
            "conversion.fct_orders",
            "customer_id",
            "references core.dim_customer.customer_id",
            "1 row(s) without a core.dim_customer row",
        ),
        (
            "conversion.fct_product_daily",
            "product_id",
            "references core.dim_product.product_id",
            "1 row(s) without a core.dim_product row",
        ),
    }
    reports = defects.results_path.parents[1]
    texts = [defects.results_path.read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in reports.rglob("*.html")]
    assert not any(ORPHAN in text or "red-nope" in text for text in texts)
    assert "numbers.source_freshness" not in _number_failures(defects)


RAW_DEFECTS = f"""
-- the latest raw version of paid order ...008 cancels it: the (unchanged) marts now count one too many
insert into douyin_orders
select json_merge_patch(record, '{{"order_status": 4, "update_time": 1893456000}}'), record_key, _source_file,
    _file_sha256, _line_number + 1000, _partition, _interval_start, _interval_end + interval 1 day, _run_id, _loaded_at
from douyin_orders where record_key = '6900000000000000008';
-- RED orders last loaded 100 h before the clock
update red_orders set _loaded_at = '{NOW.isoformat()}'::timestamptz - interval 100 hour;
"""


@pytest.fixture(scope="module")
def raw_defects(numbers, tmp_path_factory):
    return _gate(numbers, tmp_path_factory.mktemp("raw_defects"), run_id="numbers-raw", raw_sql=RAW_DEFECTS)


def test_raw_side_reads_the_latest_raw_versions(raw_defects):
    day = "1 douyin paid day(s) differ between raw and conversion.fct_orders"
    assert _found(_failures_of(raw_defects, "numbers.reconciliation")) == {
        ("conversion.fct_orders", "douyin", "paid_orders_per_day_equal_raw", day),
        ("conversion.fct_orders", "douyin", "gmv_per_day_equal_raw", day),
    }


def test_stale_source_fails_freshness_with_its_name_and_age(raw_defects):
    failures = _failures_of(raw_defects, "numbers.source_freshness")
    assert _found(failures) == {
        (
            "source red.red_orders",
            "_loaded_at",
            "source_freshness",
            "source red.red_orders last loaded 100.0 h ago; error_after 74 h",
        )
    }
    with pytest.raises(GateFailed, match="source red.red_orders last loaded 100.0 h ago"):
        assert_gate(raw_defects)
    assert set(_number_failures(raw_defects)) == {"numbers.reconciliation", "numbers.source_freshness"}


def _checks(numbers: dict, tmp_path: Path, build_sql: str, raw_sql: str = "", **options) -> dict:
    """The number checks without GX (their bounds), for the variants of one check."""
    build, raw = tmp_path / "build.duckdb", tmp_path / "raw.duckdb"
    shutil.copy(numbers["build"], build)
    shutil.copy(numbers["raw"], raw)
    for path, sql in ((build, build_sql), (raw, raw_sql)):
        if sql:
            with duckdb.connect(str(path)) as con:
                con.execute(sql)
    keys = suites.load_keys(EXPECTATIONS / "keys.yml")
    return {c.name: c for c in run_checks(build, _options(numbers, raw, **options), keys)}


def test_volume_override_and_first_publish_pass(numbers, tmp_path):
    drop = "delete from seeding.fct_content_daily where rowid % 5 <> 0"
    failing = _checks(numbers, tmp_path, drop)["volume"]
    assert [i.table for i in failing.items if not i.ok] == ["seeding.fct_content_daily"]
    overridden = _checks(numbers, tmp_path, drop, volume_override=("seeding.fct_content_daily",))["volume"]
    assert all(i.ok for i in overridden.items)
    assert overridden.notes == ["seeding.fct_content_daily: volume change accepted by CCWH_GATE_VOLUME_OVERRIDE"]
    first = _checks(numbers, tmp_path, drop, published_db=tmp_path / "never_published.duckdb")["volume"]
    assert first.items == [] and first.notes
    small = _checks(numbers, tmp_path, drop, volume_min_rows=10_000)["volume"]
    assert all(i.ok for i in small.items)


def test_a_platform_without_a_contract_fails_reconciliation(numbers, tmp_path):
    checks = _checks(
        numbers,
        tmp_path,
        "update conversion.fct_orders set platform = 'kuaishou' where order_id = '6900000000000000008'",
    )
    failing = {(i.column, i.rule) for i in checks["reconciliation"].items if not i.ok}
    assert ("kuaishou", "paid_orders_per_day_equal_raw") in failing
    assert ("douyin", "paid_orders_per_day_equal_raw") in failing
    assert any("no reconciliation contract" in (i.detail or "") for i in checks["reconciliation"].items if not i.ok)


def test_orders_purged_from_raw_by_retention_are_left_out_not_failed(numbers, tmp_path):
    """Retention deletes raw partitions while the incremental marts keep history: a paid order with no raw
    record left is not compared (and counted in a note); one whose latest raw version survives still is."""
    check = _checks(
        numbers, tmp_path, "", raw_sql="delete from douyin_orders where record_key = '6900000000000000008'"
    )["reconciliation"]
    assert all(i.ok for i in check.items), [i.detail for i in check.items if not i.ok]
    assert check.notes == ["1 paid order(s) of the mart have no raw record left (retention): not compared"]


EMPTY_RED_ORDERS = """
delete from red_orders;
create table if not exists load_audit (
    file VARCHAR, sha256 VARCHAR, partition VARCHAR, received BIGINT, loaded BIGINT, quarantined BIGINT,
    run_id VARCHAR, loaded_at TIMESTAMPTZ);
"""


def test_a_source_loaded_empty_is_fresh_and_one_never_loaded_is_not(numbers, tmp_path):
    """A day without after-sales is a successful load of nothing: freshness follows the load audit (every
    landed file, empty ones included), not only the newest row; a source never loaded at all still fails."""
    audited = EMPTY_RED_ORDERS + (
        "insert into load_audit values ('red/orders/dt=2026-11-20/part-20261120T0000-20261121T0000-x.jsonl', "
        f"'0', '2026-11-20', 0, 0, 0, 'r1', '{NOW.isoformat()}'::timestamptz - interval 2 hour);"
    )
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    fresh = _checks(numbers, tmp_path / "a", "", raw_sql=audited)["source_freshness"]
    red = [i for i in fresh.items if i.table == "source red.red_orders"]
    assert [(i.ok, i.detail) for i in red] == [
        (True, "source red.red_orders last loaded 2.0 h ago (empty load); error_after 74 h")
    ]
    never = _checks(numbers, tmp_path / "b", "", raw_sql=EMPTY_RED_ORDERS)["source_freshness"]
    assert [(i.ok, i.detail) for i in never.items if i.table == "source red.red_orders"] == [
        (False, "source red.red_orders never loaded; error_after 74 h")
    ]
