"""The marts follow ../shared/domain/METRICS.md on the hand-written fixture (issue 8's numbered defects).

Every expected value is written by hand from the fixture records in tests/dbt/raw_fixture.py and the
spec, never by running the project's SQL. Each test names the defect and the METRICS.md section.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.dbt.published import doc_queries, publish_copy

ROOM_1 = "7300000000000000001"
NOTE_1 = "65a1b2c3d4e5f6a7b8c9d0e1"
VIDEO_1 = "7400000000000000001"


@pytest.fixture(scope="module")
def con(fixture_build):
    with duckdb.connect(str(fixture_build.build_db), read_only=True) as connection:
        yield connection


def _orders(con) -> dict[str, tuple]:
    rows = con.execute(
        "select order_id, channel_id, attribution_source, attributed_content_id, attributed_live_session_id "
        "from conversion.fct_orders"
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def test_defect1_live_room_credit_only_for_douyin_live_orders(con):
    """§1.7: a WeCom state credit to a room is private-domain credit; a note order never gets a room."""
    orders = _orders(con)
    assert orders["P7000000000000003"] == ("red_note", "platform", NOTE_1, None)
    assert orders["6900000000000000003"] == ("private_domain", "private_domain_state", ROOM_1, None)
    assert orders["6900000000000000009"][0] == "douyin_short_video"
    assert orders["6900000000000000009"][3] is None
    assert all(v[3] is None for v in orders.values() if v[0] != "douyin_live")


def test_defect1_room_orders_are_exactly_its_douyin_live_orders(con):
    """§4.2: room 1 sold only order ...001 (¥105.00); the mixed order ...009 is a video order."""
    row = con.execute(
        "select attributed_orders, attributed_gmv from conversion.fct_live_sessions where live_session_id = ?",
        [ROOM_1],
    ).fetchone()
    assert row == (1, Decimal("105.00"))
    total_rooms, total_live = con.execute(
        "select (select sum(attributed_gmv) from conversion.fct_live_sessions), "
        "(select sum(pay_amount) from conversion.fct_orders where is_paid and channel_id = 'douyin_live')"
    ).fetchone()
    assert total_rooms == total_live == Decimal("105.00")


def test_defect2_brand_accounts_are_brand_not_creators(con):
    """§1.6: var brand_account_ids and every 自播 anchor are `brand`, tier `brand`."""
    rows = dict(
        con.execute(
            "select creator_id, (creator_type, tier) from core.dim_creator where is_current "
            "and creator_id in ('5f00000000000000000000aa', 'a_brand', 'a_creator')"
        ).fetchall()
    )
    assert rows == {
        "5f00000000000000000000aa": ("brand", "brand"),
        "a_brand": ("brand", "brand"),
        "a_creator": ("creator", "waist"),  # 2,050,000 followers in the Douyin creator profile (205.0w)
    }


def test_defect3_tier_cutoffs_follow_the_seeds(con):
    """§2.4: 800k / 805k followers are `mid` (neither 腰部 nor 尾部); 6M is `waist` (百万级), not head."""
    tiers = [
        r[0]
        for r in con.execute(
            "select tier from core.dim_creator where platform = 'red' and creator_id = 'red_kol_1' "
            "order by version_number"
        ).fetchall()
    ]
    assert tiers == ["mid", "waist"]


def test_defect4_direct_mail_stages_follow_the_9610_sequence(con):
    """§8.5: 9610 leaves the overseas warehouse before declaration; 1210 columns stay NULL for it."""
    row = con.execute(
        "select hours_paid_to_dispatched, hours_dispatched_to_arrived, hours_arrived_to_declared, "
        "hours_declared_to_cleared, hours_cleared_to_released, hours_released_to_delivered, "
        "hours_paid_to_declared, hours_released_to_warehouse_out, hours_warehouse_out_to_delivered, "
        "total_cycle_hours from fulfilment.fct_crossborder_shipments where order_id = 'P7000000000000001'"
    ).fetchone()
    expected = ("0.32", "0.50", "0.17", None, None, "112.02", None, None, None, "120.00")
    assert row == tuple(Decimal(v) if v else None for v in expected)
    stage_columns = [
        c[0]
        for c in con.execute(
            "select column_name from information_schema.columns where table_schema = 'fulfilment' "
            "and table_name = 'fct_crossborder_shipments' and column_name like 'hours_%'"
        ).fetchall()
    ]
    negatives = con.execute(
        "select count(*) from fulfilment.fct_crossborder_shipments where "
        + " or ".join(f"{c} < 0" for c in stage_columns)
    ).fetchone()[0]
    assert negatives == 0


def test_defect5_quota_counts_only_paid_orders_on_one_basis(con):
    """§8.3: cancelled and unpaid orders use no quota; dutiable = goods + freight (+ insurance), tax out."""
    rows = dict(
        con.execute(
            "select order_id, (dutiable_value, buyer_year_to_date_amount, exceeds_annual_limit) "
            "from fulfilment.fct_crossborder_shipments"
        ).fetchall()
    )
    assert "6900000000000000007" not in rows  # unpaid: not in the customs population
    assert rows["6900000000000000003"] == (Decimal("405.00"), Decimal("405.00"), False)
    assert rows["6900000000000000006"] == (Decimal("106.00"), Decimal("511.00"), False)
    assert rows["6900000000000000005"][1:] == (None, None)  # cancelled: not a quota order


def test_defect5_undeclared_orders_are_not_declared_not_mismatched(con):
    """§8.4: paid orders not yet declared are `not_declared`; unpaid orders are not in the population."""
    rows = dict(
        con.execute("select order_id, three_document_match_status from fulfilment.fct_crossborder_shipments").fetchall()
    )
    assert rows["6900000000000000006"] == "not_declared"
    assert rows["6900000000000000003"] == "matched"  # 399 + 6 + 36.31 = pay 441.31, buyer = payer
    assert rows["6900000000000000010"] == "amount_mismatch"  # 300 + 6 + 27.85 = 333.85 vs pay 306.00
    assert rows["P7000000000000001"] == "missing_payment"


def test_defect6_documented_gpm_leaves_pending_rooms_out(fixture_build, tmp_path):
    """§4.3: self-broadcast GPM = 105.00 x 1000 / 35,000 views = 3.00; the pending room's 10,000 views stay out."""
    warehouse = publish_copy(fixture_build.build_db, tmp_path / "analytics.duckdb")
    query = next(q for q in doc_queries() if "as gpm" in q and "broadcast_mode" in q)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(query)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    by_mode = {r["broadcast_mode"]: r for r in rows}
    assert float(by_mode["self_broadcast"]["gpm"]) == pytest.approx(3.00)


def test_defect7_funnel_stage_rates_follow_the_seed_order(con):
    """§3: click_rate = reads / exposures (NULL without exposures); conversion counts platform-path orders."""
    note = con.execute(
        "select exposures, reads, click_rate, engagement_rate, product_click_rate "
        "from seeding.fct_seeding_funnel_daily "
        "where content_id = ? and date_day = date '2026-11-02'",
        [NOTE_1],
    ).fetchone()
    assert note[:2] == (20000, 9000)
    assert float(note[2]) == pytest.approx(0.45, abs=1e-6)
    assert float(note[3]) == pytest.approx(500 / 9000, abs=1e-6)
    assert float(note[4]) == pytest.approx(200 / 9000, abs=1e-6)
    video = con.execute(
        "select exposures, click_rate from seeding.fct_seeding_funnel_daily where content_id = ? "
        "and date_day = date '2026-11-01'",
        [VIDEO_1],
    ).fetchone()
    assert video == (None, None)
    room = con.execute(
        "select sum(converted_orders), sum(private_domain_assisted_orders) from seeding.fct_seeding_funnel_daily "
        "where content_id = ?",
        [ROOM_1],
    ).fetchone()
    assert room == (1, 2)  # ...003 and ...006: paid, no line fields, buyer added via live_ state 10-20
    note_orders = con.execute(
        "select sum(converted_orders) from seeding.fct_seeding_funnel_daily where content_id = ?", [NOTE_1]
    ).fetchone()[0]
    assert note_orders == 2


def test_defect10_douyin_exposures_are_never_reads(con):
    """§2.1: Douyin videos and live rooms have no impressions source; exposures NULL, never reads."""
    rows = con.execute(
        "select count(*), count(exposures) from seeding.fct_content_daily where platform = 'douyin'"
    ).fetchone()
    assert rows[0] > 0 and rows[1] == 0


def test_defect10_personal_parcels_are_cc_not_9610(con):
    """§8.1: Douyin biz 23 is a CC personal parcel: no CBEC SLA, no limits."""
    row = con.execute(
        "select customs_mode, sla_hours, is_sla_breached, buyer_year_to_date_amount, exceeds_transaction_limit "
        "from fulfilment.fct_crossborder_shipments where order_id = '6900000000000000008'"
    ).fetchone()
    assert row == ("CC", None, None, None, None)


def test_defect5_customs_returned_orders_are_not_paid_and_use_no_quota(con):
    """§1.4 / §8.3 / §8.6: a CEB622 700 order leaves O_paid, uses no quota and is never an SLA breach."""
    is_paid = con.execute(
        "select is_paid from conversion.fct_orders where order_id = '6900000000000000010'"
    ).fetchone()[0]
    assert is_paid is False
    row = con.execute(
        "select is_returned, is_quota_order, buyer_year_to_date_amount, is_sla_breached "
        "from fulfilment.fct_crossborder_shipments where order_id = '6900000000000000010'"
    ).fetchone()
    assert row == (True, False, None, None)


PHONE_D, PHONE_E = "tk1_" + "0" * 31 + "4", "tk1_" + "0" * 31 + "5"


def test_defect8_domain_is_taken_at_order_time(con):
    """§1.8: PHONE_E was public at its September orders and private (WeCom 10-01) at its 10-03 order."""
    rows = dict(
        con.execute(
            "select order_id, customer_domain from conversion.fct_orders where customer_id = ?", [PHONE_E]
        ).fetchall()
    )
    assert rows == {
        "6910000000000000004": "public",
        "6910000000000000005": "public",
        "6910000000000000006": "private",
    }


def test_defect9_10_repurchase_uses_valid_repeats_and_maturity(con):
    """§6.1: watermark 2026-11-06 12:01; D and E are 30-day mature, nobody is 90-day mature.

    D's only repeat within 30 days is fully refunded, so D did not repurchase; E repeated after 15 days.
    """
    refunded = con.execute(
        "select is_fully_refunded from conversion.fct_orders where order_id = '6910000000000000002'"
    ).fetchone()[0]
    assert refunded is True  # §1.4: refund 99.00 >= goods 99.00 (shipping left out of the comparison)
    rows = dict(
        con.execute(
            "select customer_id, (domain_at_entry, is_pre_history, is_mature_30d, repurchased_30d, "
            "is_mature_90d, repurchased_90d) from repurchase.fct_customer_repurchase"
        ).fetchall()
    )
    assert rows[PHONE_D] == ("private", True, True, 0, False, None)
    assert rows[PHONE_E] == ("public", False, True, 1, False, None)
    mature = [r for r in rows.values() if r[2]]
    assert len(mature) == 2
    rate = con.execute(
        "select sum(repurchased_30d) / sum(case when is_mature_30d then 1 else 0 end), "
        "sum(repurchased_90d) from repurchase.fct_customer_repurchase"
    ).fetchone()
    assert rate == (0.5, None)


def test_governed_repurchase_rate_90d_and_30d_by_domain_and_month(fixture_build, tmp_path):
    """Issue 8 governed metrics: MetricFlow answers repurchase rates by domain at entry and entry month.

    Hand truth (fixture): September 2026 entries are D (private, no valid repeat within 30 days) and E (public,
    repeat after 15 days); nobody is 90-day mature, so the 90-day rate has an empty denominator (NULL).
    """
    import csv
    import os
    import shutil
    import subprocess
    import sys

    from tests.dbt.conftest import PROJECT_DIR

    # mf reads <project>/target/semantic_manifest.json: parse a private copy of the project.
    project = Path(shutil.copytree(PROJECT_DIR, tmp_path / "project", ignore=shutil.ignore_patterns("target", "logs")))
    build = shutil.copy(fixture_build.build_db, tmp_path / "build.duckdb")
    env = {
        **os.environ,
        "CCWH_RAW_DB": str(fixture_build.raw_db),
        "CCWH_BUILD_DB": str(build),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    dbt = Path(sys.executable).with_name("dbt")
    parsed = subprocess.run(
        [str(dbt), "parse", "--project-dir", str(project), "--profiles-dir", str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert parsed.returncode == 0, parsed.stdout[-2000:]
    out = tmp_path / "rates.csv"
    mf = Path(sys.executable).with_name("mf")
    result = subprocess.run(
        [
            str(mf),
            "query",
            "--metrics",
            "repurchase_rate_30d,repurchase_rate_90d,mature_customers_30d",
            "--group-by",
            "customer__domain_at_entry,metric_time__month",
            "--csv",
            str(out),
        ],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    with out.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    september = {r["customer__domain_at_entry"]: r for r in rows if r["metric_time__month"].startswith("2026-09-01")}
    assert float(september["private"]["repurchase_rate_30d"]) == 0.0
    assert float(september["public"]["repurchase_rate_30d"]) == 1.0
    assert all(r["repurchase_rate_90d"] in ("", "None") for r in rows)


def test_defect10_pre_history_customers_are_never_new(con):
    """§6.7: D joined the CRM in 2020 (before order_history_start_date): September 2026 is not `new` for D."""
    layers = dict(
        con.execute(
            "select customer_id, lifecycle_layer from repurchase.fct_customer_lifecycle_monthly "
            "where month_start = date '2026-09-01' and customer_id in (?, ?)",
            [PHONE_D, PHONE_E],
        ).fetchall()
    )
    assert layers[PHONE_E] == "new"
    assert layers[PHONE_D] == "active"  # recency 20 days at the 09-30 evaluation, 2 orders, net revenue 111.00


def test_defect9_red_import_tax_is_derived(con):
    """§1.5: RED tax = pay_amount - goods_amount - shipping_fee, never NULL for a RED order."""
    rows = dict(
        con.execute("select order_id, tax_amount_fen from conversion.fct_orders where platform = 'red'").fetchall()
    )
    assert rows["P7000000000000001"] == 0  # 258.00 paid = 258.00 goods + 0 shipping
    assert all(v is not None for v in rows.values())


def test_documented_refund_rates_are_mature_douyin_only(fixture_build, tmp_path):
    """§7: watermark 11-06 12:01; mature Douyin orders are 6910...01, 02, 04, 05, 06 (each 105.00); 02 is fully
    refunded (99.00). RED is NULL, never 0."""
    warehouse = publish_copy(fixture_build.build_db, tmp_path / "analytics.duckdb")
    query = next(q for q in doc_queries() if "refund_order_rate" in q)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cursor = con.execute(query)
        names = [d[0] for d in cursor.description]
        rows = {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}
    douyin = rows["douyin"]
    assert douyin["mature_paid_orders"] == 5
    assert float(douyin["refund_order_rate"]) == 0.2 and float(douyin["full_refund_order_rate"]) == 0.2
    assert float(douyin["refund_amount_rate"]) == round(99 / 525, 4)
    assert rows["red"]["refund_order_rate"] is None


def test_wecom_adds_per_live_room(con):
    """§5.1: room 1 (started 11-01 19:00) gets the 11-02 add with its code; the 10-20 add (before the start)
    and the 11-09 add (after 7 days) do not count; room 2 has none."""
    rows = dict(con.execute("select live_session_id, wecom_adds from conversion.fct_live_sessions").fetchall())
    assert rows[ROOM_1] == 1
    assert rows["7300000000000000002"] == 0
