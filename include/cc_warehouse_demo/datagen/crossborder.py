"""Cross-border fulfilment: customs declarations, CEB622 receipt sequences and logistics events."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cc_warehouse_demo.datagen import arrays as A
from cc_warehouse_demo.datagen.calendar import DAY_S, Window
from cc_warehouse_demo.datagen.orders import DOUYIN, PAID, Orders
from cc_warehouse_demo.datagen.population import MOBILE_PREFIXES, REGIONS, Customers

H = 3600
# (probability, [(returnStatus, min delay s, max delay s), ...]) after the CEB621 declaration
SCENARIOS = [
    (0.94, [(1, 60, 300), (2, 120, 900), (120, 600, H), (399, H, 6 * H), (800, 600, H)]),
    (
        0.03,
        [(1, 60, 300), (2, 120, 900), (120, 600, H), (500, H, 4 * H), (399, DAY_S, 3 * DAY_S), (800, 600, H)],
    ),
    (
        0.015,
        [(1, 60, 300), (2, 120, 900), (120, 600, H), (300, H, 4 * H), (399, 4 * H, DAY_S), (800, 600, H)],
    ),
    (0.01, [(1, 60, 300), (2, 120, 900), (100, H, 6 * H)]),
    (0.005, [(1, 60, 300), (2, 120, 900), (120, 600, H), (500, H, 4 * H), (700, DAY_S, 3 * DAY_S)]),
]
RETURN_INFO = {
    1: "电子口岸已暂存",
    2: "电子口岸申报中",
    100: "海关退单",
    120: "海关入库成功",
    300: "人工审核",
    399: "海关审结",
    500: "查验",
    700: "退运",
    800: "放行",
}
CUSTOMS_CODE = {1210: "5165", 9610: "2244"}
CARRIER = {1210: "顺丰速运", 9610: "中国邮政EMS"}
PORT_CITY = {1210: "广州市", 9610: "上海市"}
EBP_CODE = {DOUYIN: "31149679BB", 1: "3120461M2R"}
PLATFORM_NAME = {DOUYIN: "douyin", 1: "red"}
EVENT_CODES = ["WAREHOUSE_OUT", "IN_TRANSIT", "ARRIVED_PORT", "DELIVERING", "DELIVERED", "EXCEPTION"]
EVENT_REMARKS = ["包裹已出库", "运输中", "已到达口岸", "派送中", "已签收，感谢使用", "海关退运，包裹异常"]


@dataclass
class Customs:
    """Per-order results (aligned to all orders) and the three generated tables."""

    ship_s: np.ndarray
    deliver_s: np.ndarray
    returned: np.ndarray
    declarations: pa.Table
    receipts: pa.Table
    events: pa.Table


def _u(rng: np.random.Generator, lo: float, hi: float, n: int) -> np.ndarray:
    return rng.integers(int(lo), int(hi), size=n, dtype=np.int64)


def simulate_customs(
    rng: np.random.Generator,
    orders: Orders,
    window: Window,
    order_no: pa.Array,
    payment_no: pa.Array,
    customers: Customers,
) -> Customs:
    """Declare paid cross-border orders, walk receipts and logistics; keep what happened by the end."""
    n_all = orders.n
    idx = np.flatnonzero(orders.cross_border & (orders.pay_state == PAID))
    m = idx.size
    pay = orders.pay_s[idx]
    tm = orders.trade_mode[idx]
    bonded = tm == 1210
    invt = np.where(bonded, pay + _u(rng, H, 3 * H, m), pay + _u(rng, 9 * DAY_S, 15 * DAY_S, m))

    # --- receipts ------------------------------------------------------------------------------
    probs = np.array([p for p, _ in SCENARIOS])
    scen = rng.choice(len(SCENARIOS), size=m, p=probs / probs.sum())
    release = np.zeros(m, dtype=np.int64)
    returned_at = np.zeros(m, dtype=np.int64)
    r_order, r_status, r_time = [], [], []
    for s, (_, steps) in enumerate(SCENARIOS):
        sel = np.flatnonzero(scen == s)
        t = invt[sel].copy()
        for status, lo, hi in steps:
            t = t + _u(rng, lo, hi, sel.size)
            r_order.append(sel)
            r_status.append(np.full(sel.size, status))
            r_time.append(t.copy())
            if status == 800:
                release[sel] = t
            if status in (100, 700):
                returned_at[sel] = t
    r_order, r_status, r_time = (np.concatenate(a) for a in (r_order, r_status, r_time))
    keep = r_time < window.end_s
    r_order, r_status, r_time = r_order[keep], r_status[keep], r_time[keep]

    # --- logistics -----------------------------------------------------------------------------
    ev = {}
    wo = np.where(bonded, release + _u(rng, H, 6 * H, m), pay + _u(rng, 12 * H, 48 * H, m))
    ev["WAREHOUSE_OUT"] = (wo, bonded & (release > 0) | ~bonded)
    ev["IN_TRANSIT"] = (
        np.where(bonded, wo + _u(rng, 12 * H, 30 * H, m), wo + _u(rng, 12 * H, 24 * H, m)),
        ev["WAREHOUSE_OUT"][1],
    )
    ev["ARRIVED_PORT"] = (invt - _u(rng, H, 4 * H, m), ~bonded)
    delivering = np.where(
        bonded, ev["IN_TRANSIT"][0] + _u(rng, 30 * H, 60 * H, m), release + _u(rng, 24 * H, 72 * H, m)
    )
    ev["DELIVERING"] = (delivering, release > 0)
    delivered = delivering + _u(rng, 2 * H, 8 * H, m)
    ev["DELIVERED"] = (delivered, release > 0)
    ev["EXCEPTION"] = (returned_at + _u(rng, 600, H, m), (returned_at > 0) & ~bonded)
    e_order, e_code, e_time = [], [], []
    for code, (t, valid) in ev.items():
        sel = np.flatnonzero(valid & (t < window.end_s))
        e_order.append(sel)
        e_code.append(np.full(sel.size, EVENT_CODES.index(code)))
        e_time.append(t[sel])
    e_order, e_code, e_time = np.concatenate(e_order), np.concatenate(e_code), np.concatenate(e_time)

    ship_all = np.zeros(n_all, dtype=np.int64)
    deliver_all = np.zeros(n_all, dtype=np.int64)
    returned_all = np.zeros(n_all, dtype=bool)
    ship_all[idx] = np.where(ev["WAREHOUSE_OUT"][1], wo, 0)
    deliver_all[idx] = np.where(release > 0, delivered, 0)
    returned_all[idx] = (returned_at > 0) & (returned_at < window.end_s)

    declarations, logistics_no, invt_no = _declarations(
        rng, orders, idx, invt, pay, window, order_no, payment_no, customers
    )
    receipts = _receipts(rng, idx, r_order, r_status, r_time, order_no, invt_no, tm)
    events = _events(rng, orders, idx, e_order, e_code, e_time, order_no, logistics_no, tm, customers)
    return Customs(ship_all, deliver_all, returned_all, declarations, receipts, events)


def _declarations(
    rng, orders: Orders, idx, invt, pay, window: Window, order_no, payment_no, customers: Customers
) -> tuple[pa.Table, pa.Array, pa.Array]:
    m = idx.size
    cust = orders.customer[idx]
    tm = orders.trade_mode[idx]
    take = pa.array(idx)
    order_doc = pay + _u(rng, 60, 600, m)
    logistics_no = A.concat(
        pa.array(np.where(tm == 1210, "SF", "EM"), pa.string()),
        A.fixed_digits(A.unique_numbers(rng, m, 10**12), 12),
    )
    invt_no = A.concat(
        A.pick([CUSTOMS_CODE[1210], CUSTOMS_CODE[9610]], (tm == 9610).astype(int)),
        A.local_strings(pay, "%Y"),
        "I",
        A.fixed_digits(A.unique_numbers(rng, m, 10**9), 9),
    )
    fmt = "%Y%m%d%H%M%S"
    qty = orders.order_sum(orders.line_qty)[idx]
    region_city = [r[3] for r in REGIONS]
    table = pa.table(
        {
            "orderNo": order_no.take(take),
            "platform": A.pick(list(PLATFORM_NAME.values()), orders.platform[idx]),
            "ebpCode": A.pick([EBP_CODE[0], EBP_CODE[1]], orders.platform[idx]),
            "ebcCode": pa.array(["4403960ABC"] * m, pa.string()),
            "tradeMode": pa.array(tm).cast(pa.string()),
            "customsCode": A.pick([CUSTOMS_CODE[1210], CUSTOMS_CODE[9610]], (tm == 9610).astype(int)),
            "orderDocTime": A.local_strings(order_doc, fmt),
            "paymentDocTime": A.local_strings(pay + _u(rng, 60, 600, m), fmt),
            "waybillDocTime": A.local_strings(pay + _u(rng, 600, 3600, m), fmt),
            "invtDocTime": A.null_where(A.local_strings(invt, fmt), invt >= window.end_s),
            "logisticsNo": logistics_no,
            "payCode": A.pick(["4403169D3W", "31222699S7"], orders.platform[idx]),
            "payTransactionId": payment_no.take(take),
            "buyerName": customers.name.take(pa.array(cust)),
            "buyerIdType": pa.array(["1"] * m, pa.string()),
            "buyerIdNumber": customers.id_number.take(pa.array(cust)),
            "buyerTelephone": customers.phone.take(pa.array(cust)),
            "payerIdNumber": customers.id_number.take(pa.array(cust)),
            "consigneeAddress": A.concat(
                A.pick(region_city, customers.region[cust]), customers.address.take(pa.array(cust))
            ),
            "totalPrice": A.yuan_strings(orders.goods_pay[idx]),
            "freight": A.yuan_strings(orders.post_amount[idx]),
            "taxTotal": A.yuan_strings(orders.tax_amount[idx]),
            "currency": pa.array(["142"] * m, pa.string()),
            "grossWeight": pa.array(np.round(qty * rng.uniform(0.2, 0.8, size=m), 3)),
        }
    )
    keep = pa.array(order_doc < window.end_s)
    return table.filter(keep), logistics_no, invt_no


def _receipts(rng, idx, r_order, r_status, r_time, order_no, invt_no, tm) -> pa.Table:
    k = r_order.size
    pre_no = A.concat("B", A.fixed_digits(A.unique_numbers(rng, idx.size, 10**18), 18))
    t = A.local_strings(r_time, "%Y%m%d%H%M%S")
    with_ms = rng.random(k) < 0.3
    t = pa.array(
        np.where(
            with_ms,
            np.asarray(A.concat(t, A.fixed_digits(rng.integers(0, 1000, size=k), 3)), dtype=object),
            np.asarray(t, dtype=object),
        ),
        pa.string(),
    )
    guid = A.concat(*(x for part in (8, 4, 4, 4, 12) for x in ("-", A.random_hex(rng, k, part))))
    guid = pc.utf8_upper(pc.utf8_slice_codeunits(guid, 1))
    status_codes = sorted(RETURN_INFO)
    return pa.table(
        {
            "guid": guid,
            "orderNo": order_no.take(pa.array(idx[r_order])),
            "invtNo": invt_no.take(pa.array(r_order)),
            "copNo": A.concat("COP", invt_no.take(pa.array(r_order))),
            "preNo": pre_no.take(pa.array(r_order)),
            "returnStatus": pa.array(r_status, pa.int64()),
            "returnTime": t,
            "returnInfo": A.pick([RETURN_INFO[c] for c in status_codes], np.searchsorted(status_codes, r_status)),
        }
    )


def _events(
    rng, orders: Orders, idx, e_order, e_code, e_time, order_no, logistics_no, tm, customers: Customers
) -> pa.Table:
    k = e_order.size
    cust = orders.customer[idx[e_order]]
    cities = [r[3] for r in REGIONS] + [PORT_CITY[1210], PORT_CITY[9610]]
    port_city = np.where(tm[e_order] == 1210, len(REGIONS), len(REGIONS) + 1)
    local_leg = np.isin(e_code, [EVENT_CODES.index("DELIVERING"), EVENT_CODES.index("DELIVERED")])
    city = A.pick(cities, np.where(local_leg, customers.region[cust], port_city))
    courier = A.fixed_digits(
        np.array(MOBILE_PREFIXES)[rng.integers(0, len(MOBILE_PREFIXES), size=k)] * 10**8
        + rng.integers(0, 10**8, size=k),
        11,
    )
    return pa.table(
        {
            "event_id": A.concat("EV", A.fixed_digits(A.unique_numbers(rng, k, 10**14), 14)),
            "logisticsNo": logistics_no.take(pa.array(e_order)),
            "orderNo": order_no.take(pa.array(idx[e_order])),
            "carrier": A.pick([CARRIER[1210], CARRIER[9610]], (tm[e_order] == 9610).astype(int)),
            "event_code": A.pick(EVENT_CODES, e_code),
            "event_time": A.local_strings(e_time, "%Y-%m-%d %H:%M:%S"),
            "city": city,
            "longitude": pa.array(np.round(rng.uniform(103, 122, size=k), 6)),
            "latitude": pa.array(np.round(rng.uniform(22, 40, size=k), 6)),
            "courier_phone": A.null_where(courier, ~local_leg),
            "remark": A.pick(EVENT_REMARKS, e_code),
        }
    )
