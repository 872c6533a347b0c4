"""New sources end to end on generated data: the marts agree with the generator's event-level records.

Truth is computed here, in plain Python from the generated files (what the stand-in serves), by the rules
of METRICS.md written out by hand, never by the project's SQL.
"""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest

pytestmark = pytest.mark.slow

BRAND_ACCOUNTS = {"red": {"5f00000000000000000000aa"}, "douyin": {"100000000001"}}  # dbt var brand_account_ids


def _tier(followers: int) -> str:
    """METRICS.md §2.4: head ≥ 10,000,000; waist 1,000,000-9,999,999; mid 100,000-999,999; tail_koc below."""
    if followers >= 10_000_000:
        return "head"
    if followers >= 1_000_000:
        return "waist"
    if followers >= 100_000:
        return "mid"
    return "tail_koc"


@pytest.fixture(scope="module")
def con(generated_build):
    with duckdb.connect(str(generated_build.build_db), read_only=True) as connection:
        yield connection


def test_douyin_creators_get_tiers_from_their_profiles(con, generated_build):
    profiles = pq.read_table(generated_build.sim_dir / "douyin.creators.parquet").to_pylist()
    last: dict[str, tuple[str, int]] = {}
    for p in profiles:
        if p["author_id"] not in last or p["stat_date"] > last[p["author_id"]][0]:
            last[p["author_id"]] = (p["stat_date"], p["follower_count"])
    expected = {
        author: ("brand", "brand") if author in BRAND_ACCOUNTS["douyin"] else ("creator", _tier(followers))
        for author, (_, followers) in last.items()
    }
    got = {
        cid: (ctype, tier)
        for cid, ctype, tier in con.execute(
            "select creator_id, creator_type, tier from core.dim_creator where platform = 'douyin' and is_current"
        ).fetchall()
        if cid in expected
    }
    assert got == expected
    tiers = {tier for _, tier in expected.values()}
    assert {"head", "waist", "tail_koc", "brand"} <= tiers, tiers  # the generator covers the bands


def test_no_douyin_creator_with_a_profile_is_unknown(con, generated_build):
    authors = set(
        pq.read_table(generated_build.sim_dir / "douyin.creators.parquet", columns=["author_id"])[
            "author_id"
        ].to_pylist()
    )
    unknown = [
        cid
        for (cid,) in con.execute(
            "select creator_id from core.dim_creator where platform = 'douyin' and is_current and tier = 'unknown'"
        ).fetchall()
    ]
    assert not set(unknown) & authors


def test_brand_accounts_on_both_platforms_are_brand_never_tiered(con):
    rows = con.execute(
        "select platform, creator_id, creator_type, tier from core.dim_creator where is_current "
        "and creator_id in ('5f00000000000000000000aa', '100000000001')"
    ).fetchall()
    assert sorted(rows) == [
        ("douyin", "100000000001", "brand", "brand"),
        ("red", "5f00000000000000000000aa", "brand", "brand"),
    ]


def test_red_refunds_and_returns_per_order_match_the_aftersale_records(con, generated_build):
    """METRICS.md §7 inputs for RED: per order, Σ refundFee of completed (status 3) after-sales, and whether a
    completed return-and-refund (returnType 1) exists; from the generated after-sale records."""
    records = pq.read_table(generated_build.sim_dir / "red.aftersales.parquet").to_pylist()
    expected: dict[str, tuple[int, bool]] = {}
    for r in records:
        if r["status"] != 3:
            continue
        fen, returned = expected.get(r["orderId"], (0, False))
        expected[r["orderId"]] = (fen + r["refundFee"], returned or r["returnType"] == 1)
    assert expected and generated_build.truth["red_aftersales"]["refund_fen"] == sum(f for f, _ in expected.values())
    got = {
        oid: (fen, ret)
        for oid, fen, ret in con.execute(
            "select order_id, refund_amount_fen, has_return from conversion.fct_orders "
            "where platform = 'red' and (refund_amount_fen > 0 or has_return)"
        ).fetchall()
    }
    assert got == {k: v for k, v in expected.items() if v[0] > 0 or v[1]}


def test_planted_crossborder_limit_breaches_are_flagged(con, generated_build):
    """METRICS.md §8.3: the generator plants orders over ¥5,000 and 代购 buyers over ¥26,000 a year; its truth
    (generate._crossborder_limit_truth, from the order records) lists the breaching orders."""
    truth = generated_build.truth["crossborder_limits"]
    assert truth["transaction_limit_orders"] and truth["annual_limit_orders"], "nothing planted"
    over_transaction = {
        r[0]
        for r in con.execute(
            "select order_id from fulfilment.fct_crossborder_shipments where exceeds_transaction_limit"
        ).fetchall()
    }
    over_annual = {
        r[0]
        for r in con.execute(
            "select order_id from fulfilment.fct_crossborder_shipments where exceeds_annual_limit"
        ).fetchall()
    }
    assert over_transaction == set(truth["transaction_limit_orders"])
    assert over_annual == set(truth["annual_limit_orders"])


def test_orders_mixing_channels_across_lines_take_the_first_attributed_line(con, generated_build):
    """METRICS.md §1.7 step 1: the first line carrying attribution decides. The generator plants live orders
    whose later lines come from a short video and orders whose first line is a plain shop item."""
    expected = generated_build.truth["mixed_channel_orders"]
    assert len(expected) >= 5, "too few planted mixed orders"
    got = dict(
        con.execute(
            "select order_id, channel_id from conversion.fct_orders where order_id in (select unnest(?))",
            [list(expected)],
        ).fetchall()
    )
    assert got == {oid: ch for oid, ch in expected.items() if oid in got}
    assert len(got) >= 0.9 * len(expected)
