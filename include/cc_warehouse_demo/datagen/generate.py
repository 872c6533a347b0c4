"""Orchestrate one synthetic dataset: Parquet per API entity, helper tables, CRM CSVs, ground truth."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from cc_warehouse_demo.datagen import corpus, schema
from cc_warehouse_demo.datagen.calendar import DAY_S, SHANGHAI, Window, iso
from cc_warehouse_demo.datagen.content import plan_live_sessions, plan_pieces
from cc_warehouse_demo.datagen.crossborder import simulate_customs
from cc_warehouse_demo.datagen.metrics import (
    creator_profiles_table,
    live_sessions_table,
    notes_tables,
    videos_table,
)
from cc_warehouse_demo.datagen.orders import DOUYIN, PAID, RED, Orders, draw_orders, paid_mask, settle_fulfilment
from cc_warehouse_demo.datagen.population import Customers, make_catalog, make_creators, make_customers
from cc_warehouse_demo.datagen.private_domain import (
    UTF8_EXPORT,
    contact_ids,
    crm_members,
    export_rows,
    wecom_contacts,
    wecom_groups,
    write_crm_exports,
)
from cc_warehouse_demo.datagen.shops import (
    DOUYIN_PAID_STATUSES,
    RED_PAID_STATUSES,
    build_shop_tables,
    order_numbers,
)


@dataclass(frozen=True)
class GenConfig:
    """Scale knobs: customers and days; everything else follows from the seed."""

    out: Path
    seed: int = 7
    days: int = 30
    end_date: date = date(2026, 11, 15)
    customers: int = 2000
    pii_rate: float = 0.01
    bad_rate: float = 0.002
    plant_corpus: Path | None = None  # hostile corpus file: its texts go into every free-text field


def _clip(value: int, lo: int, hi: int) -> int:
    return int(min(max(value, lo), hi))


def generate(cfg: GenConfig) -> dict[str, Any]:
    """Write the dataset into cfg.out and return the ground truth (also written as ground_truth.json)."""
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(cfg.seed).spawn(9)]
    window = Window(cfg.end_date, cfg.days)
    n = cfg.customers
    customers = make_customers(rngs[0], n, window)
    catalog = make_catalog(rngs[1])
    dy_creators = make_creators(rngs[1], _clip(n // 50, 20, 5000), "douyin")
    red_creators = make_creators(rngs[1], _clip(n // 40, 20, 5000), "red")
    sessions = plan_live_sessions(rngs[2], window, dy_creators, _clip(n // 2000, 2, 40))
    videos = plan_pieces(rngs[2], window, dy_creators, _clip(n // 1000, 3, 150), 0.3, "douyin")
    notes = plan_pieces(rngs[2], window, red_creators, _clip(n // 800, 3, 150), 0.1, "red")
    orders = draw_orders(rngs[3], window, customers, catalog, sessions, videos, notes, dy_creators, red_creators)
    order_no, pay_no = order_numbers(rngs[4], orders)
    customs = simulate_customs(rngs[5], orders, window, order_no, pay_no, customers)
    settle_fulfilment(rngs[5], orders, window, customs.ship_s, customs.deliver_s, customs.returned, cfg.bad_rate)
    shops = build_shop_tables(
        rngs[6],
        orders,
        window,
        customers,
        catalog,
        sessions,
        videos,
        notes,
        dy_creators,
        red_creators,
        order_no,
        pay_no,
        cfg.pii_rate,
    )
    live, attributed, fake_live = live_sessions_table(rngs[7], sessions, orders, dy_creators, window)
    videos_t, fake_videos = videos_table(rngs[7], videos, orders, dy_creators, window)
    notes_t, comments_t, planted_content, fake_notes = notes_tables(
        rngs[7], notes, orders, red_creators, window, customers.phone, cfg.pii_rate
    )
    external_ids = contact_ids(rngs[8], customers)
    tables: dict[str, pa.Table] = {
        **shops.tables,
        "douyin.live_sessions": live,
        "douyin.videos": videos_t,
        "douyin.creators": creator_profiles_table(rngs[7], dy_creators, window),
        "red.notes": notes_t,
        "red.note_comments": comments_t,
        "customs.declarations": customs.declarations,
        "customs.receipts": customs.receipts,
        "logistics.events": customs.events,
        "wecom.contacts": wecom_contacts(rngs[8], customers, external_ids, sessions, notes, window),
        "wecom.group_chats": wecom_groups(rngs[8], customers, external_ids, window),
    }
    entities = schema.load_entities()
    missing = set(schema.api_entities(entities)) - set(tables)
    if missing:
        raise ValueError(f"no generator for API entities {sorted(missing)}")
    members = crm_members(rngs[8], customers, external_ids, window)
    planted_corpus: dict[str, dict[str, list[dict]]] = {}
    if cfg.plant_corpus is not None:
        cases = corpus.load_corpus(cfg.plant_corpus)
        for entity in tables:
            tables[entity], planted_corpus[entity] = corpus.plant(tables[entity], entities[entity], cases)
        members, planted_corpus["crm.members"] = corpus.plant(
            members, entities["crm.members"], cases, rows=export_rows(members.num_rows)[UTF8_EXPORT]
        )
        planted_corpus = {entity: fields for entity, fields in planted_corpus.items() if fields}
    cfg.out.mkdir(parents=True, exist_ok=True)
    for entity, table in tables.items():
        schema.check_table(entity, table, entities[entity])
        pq.write_table(table, cfg.out / f"{entity}.parquet", compression="zstd")
    for name, table in shops.helpers.items():
        pq.write_table(table, cfg.out / f"{name}.parquet", compression="zstd")
    write_crm_exports(members, entities["crm.members"].headers, cfg.out / "crm_members", window)

    truth = {
        **_order_truth(orders, customers),
        "live_session_attributed_orders": attributed,
        "red_aftersales": _red_aftersale_truth(shops.tables["red.aftersales"]),
        "crossborder_limits": _crossborder_limit_truth(orders, order_no),
        "mixed_channel_orders": shops.mixed_channel_orders,
        "repurchase_rates": _repurchase_truth(orders, order_no, shops.tables),
        "fake_engagement": {"douyin_live": fake_live, "douyin_short_video": fake_videos, "red_note": fake_notes},
        "fulfilment_median_cycle_hours": _fulfilment_truth(orders),
        "planted_pii": {**shops.planted_pii, **planted_content},
        "planted_corpus": planted_corpus,
        "planted_bad_rows": shops.planted_bad_rows,
        "row_counts": {**{e: t.num_rows for e, t in tables.items()}, "crm.members": members.num_rows},
        "window": {"start": iso(window.start_s), "end": iso(window.end_s), "tz": "Asia/Shanghai"},
        "paid_status_codes": {"douyin": DOUYIN_PAID_STATUSES, "red": RED_PAID_STATUSES},
        "config": {
            "seed": cfg.seed,
            "days": cfg.days,
            "end_date": cfg.end_date.isoformat(),
            "customers": cfg.customers,
            "pii_rate": cfg.pii_rate,
            "bad_rate": cfg.bad_rate,
            "plant_corpus": cfg.plant_corpus.name if cfg.plant_corpus else None,
        },
    }
    (cfg.out / "ground_truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=2, sort_keys=True), encoding="utf-8"
    )
    return truth


def _order_truth(orders: Orders, customers: Customers) -> dict[str, Any]:
    paid = paid_mask(orders)
    total = orders.total_pay
    names = {DOUYIN: "douyin", RED: "red"}
    per_customer = np.bincount(orders.customer[paid], minlength=customers.n)
    buyers = per_customer > 0
    private, public = buyers & customers.is_member, buyers & ~customers.is_member
    return {
        "paid_orders": {names[p]: int((paid & (orders.platform == p)).sum()) for p in names},
        "gmv_fen": {names[p]: int(total[paid & (orders.platform == p)].sum()) for p in names},
        "repurchase": {
            "private_orders_per_customer": round(float(per_customer[private].sum() / max(private.sum(), 1)), 4),
            "public_orders_per_customer": round(float(per_customer[public].sum() / max(public.sum(), 1)), 4),
        },
    }


def _repurchase_truth(orders: Orders, order_no: pa.Array, tables: dict[str, pa.Table]) -> dict[str, Any]:
    """METRICS.md §6.1 from the order records: entry = first O_paid order per customer (paid_at, order id);
    a repeat = a later O_valid order (not fully refunded: completed refunds >= goods) within N days;
    mature = entry <= watermark - N days, watermark = the latest paid_at of O_paid."""
    ids = order_no.to_pylist()
    refunded: dict[str, int] = {}
    for r in tables["douyin.refunds"].to_pylist():
        if r["aftersale_status"] == 12:
            refunded[r["order_id"]] = refunded.get(r["order_id"], 0) + r["refund_amount"]
    for r in tables["red.aftersales"].to_pylist():
        if r["status"] == 3:
            refunded[r["orderId"]] = refunded.get(r["orderId"], 0) + r["refundFee"]
    goods = orders.goods_pay
    paid = np.flatnonzero(paid_mask(orders))
    watermark = int(orders.pay_s[paid].max()) if paid.size else 0
    by_customer: dict[int, list[int]] = {}
    for i in sorted(paid, key=lambda i: (int(orders.pay_s[i]), ids[i])):
        by_customer.setdefault(int(orders.customer[i]), []).append(i)
    out: dict[str, Any] = {}
    for days in (30, 90):
        mature = repeat = 0
        for entries in by_customer.values():
            entry_s = int(orders.pay_s[entries[0]])
            if entry_s > watermark - days * DAY_S:
                continue
            mature += 1
            repeat += any(
                entry_s < orders.pay_s[j] <= entry_s + days * DAY_S and refunded.get(ids[j], 0) < goods[j]
                for j in entries[1:]
            )
        out[f"{days}d"] = {"mature_customers": mature, "repurchased": repeat}
    return out


def _crossborder_limit_truth(orders: Orders, order_no: pa.Array) -> dict[str, Any]:
    """METRICS.md §8.3 from the order records, written out simply: dutiable value = goods + freight (the
    generator declares totalPrice = goods, freight = shipping, no insurance); per-transaction breaches over
    orders with a payment; running totals over quota orders (paid, not cancelled, not returned by customs)
    per buyer (one ID number per customer) and Shanghai calendar year, ordered by (paid_at, order id)."""
    ids = order_no.to_pylist()
    cbec = orders.cross_border & np.isin(orders.trade_mode, [1210, 9610])
    dutiable = orders.goods_pay + orders.post_amount
    paid = orders.pay_state == PAID
    over_transaction = sorted(ids[i] for i in np.flatnonzero(cbec & paid & ~orders.is_bad & (dutiable > 500_000)))
    quota = np.flatnonzero(cbec & paid_mask(orders))
    running: dict[tuple[int, int], int] = {}
    over_annual, totals = [], {}
    for i in sorted(quota, key=lambda i: (int(orders.pay_s[i]), ids[i])):
        key = (int(orders.customer[i]), datetime.fromtimestamp(int(orders.pay_s[i]), SHANGHAI).year)
        running[key] = running.get(key, 0) + int(dutiable[i])
        if running[key] > 2_600_000:
            over_annual.append(ids[i])
    for (_buyer, year), fen in running.items():
        totals[f"{year}"] = totals.get(f"{year}", 0) + fen
    return {
        "transaction_limit_orders": over_transaction,
        "annual_limit_orders": sorted(over_annual),
        "annual_limit_buyers": len({k for k, v in running.items() if v > 2_600_000}),
        "quota_dutiable_fen_by_year": totals,
    }


def _red_aftersale_truth(table: pa.Table) -> dict[str, int]:
    """Completed RED after-sales (status 3): refunded orders, refund fen, orders with a return (type 1)."""
    done = [r for r in table.to_pylist() if r["status"] == 3]
    return {
        "refunded_orders": len({r["orderId"] for r in done if r["refundFee"] > 0}),
        "refund_fen": sum(r["refundFee"] for r in done),
        "returned_orders": len({r["orderId"] for r in done if r["returnType"] == 1}),
    }


def _fulfilment_truth(orders: Orders) -> dict[str, float | None]:
    done = paid_mask(orders) & orders.cross_border & (orders.deliver_s > 0)
    out: dict[str, float | None] = {}
    for mode in (1210, 9610):
        sel = done & (orders.trade_mode == mode)
        hours = (orders.deliver_s[sel] - orders.pay_s[sel]) / 3600.0
        out[str(mode)] = round(float(np.median(hours)), 3) if sel.any() else None
    return out
