"""The published warehouse agrees with the generator's ground truth.

Runs on the session's real pipeline run through Airflow (tests/pipeline_fixture.py), or on the files named
by `CCWH_GT_WAREHOUSE` (published analytics.duckdb) and `CCWH_GT_TRUTH` (ground_truth.json).
Tolerances: counts exact, GMV within 1%, ratios and medians within 5%.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.dbt.test_dbt_build import GRAINS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def truth(published_warehouse) -> dict:
    return json.loads(Path(published_warehouse[1]).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def con(published_warehouse):
    with duckdb.connect(str(published_warehouse[0]), read_only=True) as connection:
        yield connection


@pytest.mark.parametrize("table", sorted(GRAINS))
def test_every_mart_is_non_empty_with_unique_grain(con, table):
    keys = ", ".join(GRAINS[table])
    rows, distinct_keys = con.execute(f"select count(*), count(distinct ({keys})) from {table}").fetchone()
    assert rows > 0 and distinct_keys == rows


def test_paid_orders_per_platform_exact(con, truth):
    got = dict(
        con.execute("select platform, count(*) from conversion.fct_orders where is_paid group by platform").fetchall()
    )
    assert got == {p: n for p, n in truth["paid_orders"].items() if n}


def test_gmv_per_platform_within_one_percent(con, truth):
    got = dict(
        con.execute(
            "select platform, sum(pay_amount_fen) from conversion.fct_orders where is_paid group by platform"
        ).fetchall()
    )
    for platform, fen in truth["gmv_fen"].items():
        assert got.get(platform, 0) == pytest.approx(fen, rel=0.01), platform


def test_live_session_attributed_orders_exact(con, truth):
    got = dict(con.execute("select live_session_id, attributed_orders from conversion.fct_live_sessions").fetchall())
    expected = truth["live_session_attributed_orders"]
    mismatched = {room: (n, got.get(room)) for room, n in expected.items() if got.get(room, 0) != n}
    assert not mismatched


def test_repurchase_private_vs_public_within_five_percent(con, truth):
    got = dict(
        con.execute(
            "select is_private_domain_member, sum(paid_orders) / count(*) from core.dim_customer "
            "where paid_orders > 0 group by is_private_domain_member"
        ).fetchall()
    )
    expected = truth["repurchase"]
    assert got[True] == pytest.approx(expected["private_orders_per_customer"], rel=0.05)
    assert got[False] == pytest.approx(expected["public_orders_per_customer"], rel=0.05)


def test_median_crossborder_cycle_hours_within_five_percent(con, truth):
    got = dict(
        con.execute(
            "select customs_mode, median(total_cycle_hours) from fulfilment.fct_crossborder_shipments "
            "where is_delivered group by customs_mode"
        ).fetchall()
    )
    for mode, hours in truth["fulfilment_median_cycle_hours"].items():
        if hours is None:
            assert mode not in got
        else:
            assert float(got[mode]) == pytest.approx(hours, rel=0.05), mode


def test_planted_bad_rows_never_reach_the_marts(con, truth):
    got = dict(con.execute("select platform, count(*) from conversion.fct_orders group by platform").fetchall())
    for platform in ("douyin", "red"):
        entity = f"{platform}.orders"
        clean = truth["row_counts"][entity] - truth["planted_bad_rows"].get(entity, 0)
        assert got.get(platform, 0) <= clean, platform
    mangled = con.execute(
        "select count(*) from conversion.fct_orders where not regexp_full_match(order_id, '[0-9A-Za-z_-]+')"
    ).fetchone()[0]
    assert mangled == 0
