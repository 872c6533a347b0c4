"""dbt build on the fixture raw DB: passes every test, fills every mart, keeps every grain unique."""

from __future__ import annotations

import duckdb
import pytest

GRAINS = {
    "core.dim_date": ["date_day"],
    "core.dim_creator": ["creator_version_id"],
    "core.dim_content": ["content_id"],
    "core.dim_product": ["product_id"],
    "core.dim_customer": ["customer_id"],
    "core.dim_channel": ["channel_id"],
    "seeding.fct_content_daily": ["content_id", "date_day"],
    "seeding.fct_seeding_funnel_daily": ["content_id", "date_day"],
    "seeding.fct_content_performance": ["content_id"],
    "conversion.fct_wecom_new_contacts": ["external_user_token"],
    "repurchase.fct_group_members": ["chat_id", "member_token"],
    "repurchase.fct_order_gaps": ["order_id"],
    "conversion.fct_orders": ["order_id"],
    "conversion.fct_order_lines": ["order_line_id"],
    "conversion.fct_live_sessions": ["live_session_id"],
    "repurchase.fct_customer_cohorts": [
        "cohort_month",
        "months_since_first",
        "acquisition_channel",
        "is_private_domain",
    ],
    "repurchase.fct_customer_lifecycle_monthly": ["customer_id", "month_start"],
    "repurchase.fct_customer_repurchase": ["customer_id"],
    "fulfilment.fct_crossborder_shipments": ["order_id"],
    "fulfilment.fct_customs_events": ["customs_event_id"],
}


@pytest.fixture(scope="module")
def con(fixture_build):
    with duckdb.connect(str(fixture_build.build_db), read_only=True) as connection:
        yield connection


def test_partial_load_builds(fixture_build):
    assert fixture_build.first.returncode == 0, fixture_build.first.stdout[-3000:]


def test_full_build_passes_every_test(fixture_build):
    assert fixture_build.second.returncode == 0, fixture_build.second.stdout[-5000:]
    assert "ERROR=0" in fixture_build.second.stdout and "PASS=" in fixture_build.second.stdout


@pytest.mark.parametrize("table", sorted(GRAINS))
def test_mart_is_non_empty_with_unique_grain(con, table):
    keys = ", ".join(GRAINS[table])
    rows, distinct_keys = con.execute(f"select count(*), count(distinct ({keys})) from {table}").fetchone()
    assert rows > 0
    assert distinct_keys == rows


def test_late_status_change_and_refund_update_orders_in_place(con):
    rows = con.execute(
        "select order_status, refund_amount_fen, net_pay_amount from conversion.fct_orders "
        "where order_id in ('6900000000000000001', '6900000000000000002') order by order_id"
    ).fetchall()
    assert [r[0] for r in rows] == ["completed", "shipped"]
    assert rows[1][1] == 19900 and float(rows[1][2]) == 105.0
    assert con.execute("select count(*) - count(distinct order_id) from conversion.fct_orders").fetchone() == (0,)


def test_pending_live_gmv_is_replaced_when_tomorrows_data_lands(con):
    row = con.execute(
        "select is_gmv_pending, gmv_reported, attributed_orders, gpm, conversion_rate "
        "from conversion.fct_live_sessions where live_session_id = '7300000000000000001'"
    ).fetchone()
    assert row[0] is False and float(row[1]) == 105.0 and row[2] == 1
    assert float(row[3]) == pytest.approx(105.0 / 35000 * 1000, abs=1e-6)
    assert float(row[4]) == pytest.approx(1 / 12000, abs=1e-6)


def test_export_quirks_are_parsed(con):
    session = con.execute(
        "select duration_seconds, avg_stay_seconds, viewers, peak_online from conversion.fct_live_sessions "
        "where live_session_id = '7300000000000000002'"
    ).fetchone()
    assert session == (7200, 45, 12000, 1234)
    note = con.execute(
        "select exposures, reads, cooperation_fee from seeding.fct_content_daily "
        "where content_id = '65a1b2c3d4e5f6a7b8c9d0e1' and date_day = date '2026-11-02'"
    ).fetchone()
    assert note == (20000, 9000, 0)
    assert con.execute("select points from staging.stg_crm__members where member_id = 'M001'").fetchone() == (1200,)


def test_times_are_utc_with_local_copies(con):
    created_at, created_at_cn = con.execute(
        "select created_at, created_at_cn from conversion.fct_orders where order_id = '6900000000000000001'"
    ).fetchone()
    assert str(created_at) == "2026-11-01 12:05:00" and str(created_at_cn) == "2026-11-01 20:05:00"
    event_at = con.execute(
        "select event_at from fulfilment.fct_customs_events where customs_event_id = 'g1'"
    ).fetchone()[0]
    assert str(event_at) == "2026-11-03 01:00:00.123000"


def test_creator_tier_changes_open_a_new_scd2_version(con):
    versions = con.execute(
        "select tier, valid_from, valid_to, is_current from core.dim_creator "
        "where platform = 'red' and creator_id = 'red_kol_1' order by version_number"
    ).fetchall()
    assert [v[0] for v in versions] == ["mid", "waist"]  # 800k then 6M followers (METRICS.md §2.4)
    assert str(versions[1][1]) == "2026-11-03" and versions[0][2] == versions[1][1] and versions[1][3]


def test_customers_are_tokens_with_consent_flags(con):
    rows = con.execute(
        "select customer_id, is_private_domain_member, has_marketing_consent from core.dim_customer "
        "order by customer_id"
    ).fetchall()
    assert all(r[0].startswith("tk1_") and len(r[0]) == 36 for r in rows)
    by_id = {r[0]: r[1:] for r in rows}
    assert by_id["tk1_" + "0" * 31 + "3"] == (True, True)
    assert by_id["tk1_" + "0" * 31 + "1"] == (True, False)
    eligible = con.execute(
        "select bool_or(is_marketing_eligible) from repurchase.fct_customer_lifecycle_monthly "
        "where customer_id = 'tk1_" + "0" * 31 + "1'"
    ).fetchone()[0]
    assert eligible is False


def test_crossborder_limits_and_match_status(con):
    rows = dict(
        con.execute(
            "select order_id, (three_document_match_status, exceeds_transaction_limit, is_buyer_payer_match) "
            "from fulfilment.fct_crossborder_shipments"
        ).fetchall()
    )
    assert rows["6900000000000000003"] == ("matched", False, True)
    assert rows["P7000000000000001"] == ("missing_payment", True, False)


def test_douyin_creator_profiles_give_douyin_creators_a_tier(con):
    """METRICS.md §2.4 by hand: 1,950,000 then 205.0w = 2,050,000 followers → waist (1M-9,999,999); the
    brand's own Douyin account (23M followers, var brand_account_ids / 自播 anchor) stays `brand`."""
    rows = con.execute(
        "select creator_id, creator_type, followers, tier from core.dim_creator "
        "where platform = 'douyin' and is_current and creator_id in ('a_creator', 'a_brand') order by 1"
    ).fetchall()
    assert rows == [("a_brand", "brand", 23_000_000, "brand"), ("a_creator", "creator", 2_050_000, "waist")]


def test_red_aftersales_refund_red_orders(con):
    """By hand: P...01 (¥258.00 goods) got a completed 退货退款 of ¥50.00 on SKU rs1 (its first extract was
    still processing) and a rejected refund-only request: refund 5000 fen, a return, not fully refunded."""
    row = con.execute(
        "select refund_amount_fen, has_refund, has_return, is_fully_refunded from conversion.fct_orders "
        "where order_id = 'P7000000000000001'"
    ).fetchone()
    assert row == (5000, True, True, False)
    others = con.execute(
        "select count(*) from conversion.fct_orders where platform = 'red' and order_id <> 'P7000000000000001' "
        "and (refund_amount_fen <> 0 or has_return)"
    ).fetchone()[0]
    assert others == 0
