"""Order facts shared by both shops: who buys, when, through which content, lines and amounts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cc_warehouse_demo.datagen.calendar import DAY_S, Window, sample_times
from cc_warehouse_demo.datagen.content import AGENCY, CREATOR, SELF, LiveSessions, Pieces, weighted_choice
from cc_warehouse_demo.datagen.population import Catalog, Creators, Customers

DOUYIN, RED = 0, 1
SHOP, LIVE, VIDEO, NOTE = 0, 1, 2, 3
UNPAID, CANCELLED, PAID = 0, 1, 2
CREATOR_TIER_GMV = np.array([0.40, 0.35, 0.25])  # head carry ~40% of creator GMV


@dataclass
class Orders:
    """Column arrays, one entry per order; `line_*` arrays are flat with `line_offsets`."""

    customer: np.ndarray
    platform: np.ndarray
    mode: np.ndarray  # Douyin sales mode (SELF / CREATOR / AGENCY), -1 on RED
    channel: np.ndarray
    session: np.ndarray
    piece: np.ndarray  # video (Douyin) or note (RED) index, -1 if none
    creator: np.ndarray  # creator index on the order's platform, -1 if none
    create_s: np.ndarray
    pay_state: np.ndarray
    pay_s: np.ndarray
    cancel_s: np.ndarray
    cross_border: np.ndarray
    cb_code: np.ndarray  # Douyin biz 21/22/23 or RED logisticsMode 2/3/4; domestic: biz 2 / mode 1
    trade_mode: np.ndarray  # 1210 / 9610 / 0
    post_amount: np.ndarray
    tax_amount: np.ndarray
    line_offsets: np.ndarray
    line_product: np.ndarray
    line_qty: np.ndarray
    line_origin: np.ndarray
    line_promo_shop: np.ndarray
    line_promo_platform: np.ndarray
    line_promo_talent: np.ndarray
    line_pay: np.ndarray
    # fulfilment, filled by `settle_fulfilment`
    ship_s: np.ndarray | None = None
    deliver_s: np.ndarray | None = None
    returned: np.ndarray | None = None
    is_bad: np.ndarray | None = None

    @property
    def n(self) -> int:
        return self.customer.size

    def order_sum(self, line_values: np.ndarray) -> np.ndarray:
        """Sum a line-level array per order."""
        return np.add.reduceat(line_values, self.line_offsets[:-1]) if self.n else line_values[:0]

    @property
    def goods_pay(self) -> np.ndarray:
        return self.order_sum(self.line_pay)

    @property
    def total_pay(self) -> np.ndarray:
        return self.goods_pay + self.post_amount + self.tax_amount


def _time_after(rng: np.random.Generator, publish_s: np.ndarray, window: Window) -> np.ndarray:
    """Purchase times after content went out: exponential decay (mean 2 days), inside the window."""
    base = np.maximum(publish_s, window.start_s)
    t = base + rng.exponential(2 * DAY_S, size=base.size).astype(np.int64)
    late = t >= window.end_s
    t[late] = base[late] + (rng.random(int(late.sum())) * (window.end_s - base[late])).astype(np.int64)
    return t


def _pick_by_tier(
    rng: np.random.Generator,
    tiers: np.ndarray,
    item_creator: np.ndarray,
    item_weight: np.ndarray,
    creators: Creators,
) -> np.ndarray:
    """For each requested creator tier, a creator-made item of that tier (any creator item as fallback)."""
    out = np.full(tiers.size, -1, dtype=np.int64)
    made = item_creator >= 0
    item_tier = np.where(made, creators.tier[np.maximum(item_creator, 0)], -1)
    for t in range(3):
        sel = np.flatnonzero(tiers == t)
        pool = np.flatnonzero(item_tier == t)
        if not pool.size:
            pool = np.flatnonzero(made)
        if sel.size and pool.size:
            out[sel] = pool[weighted_choice(rng, item_weight[pool], sel.size)]
    return out


def draw_orders(
    rng: np.random.Generator,
    window: Window,
    customers: Customers,
    catalog: Catalog,
    sessions: LiveSessions,
    videos: Pieces,
    notes: Pieces,
    dy_creators: Creators,
    red_creators: Creators,
) -> Orders:
    """Draw every order of the window (before fulfilment) fully vectorised."""
    expected = customers.monthly_rate * window.days / 30.0
    counts = rng.poisson(expected)
    customer = np.repeat(np.arange(customers.n), counts)
    n = customer.size
    platform = np.where(rng.random(n) < 0.65, DOUYIN, RED)
    dy = platform == DOUYIN

    # --- attribution -------------------------------------------------------------------------
    mode = np.where(dy, rng.choice(3, size=n, p=[0.55, 0.35, 0.10]), -1)
    channel = np.full(n, SHOP)
    u = rng.random(n)
    channel[(mode == SELF) & (u < 0.65)] = LIVE
    channel[(mode == SELF) & (u >= 0.65) & (u < 0.75)] = VIDEO
    channel[mode == AGENCY] = LIVE
    channel[(mode == CREATOR) & (u < 0.7)] = LIVE
    channel[(mode == CREATOR) & (u >= 0.7)] = VIDEO
    channel[(platform == RED) & (u < 0.45)] = NOTE

    session = np.full(n, -1, dtype=np.int64)
    piece = np.full(n, -1, dtype=np.int64)
    creator = np.full(n, -1, dtype=np.int64)
    tier = rng.choice(3, size=n, p=CREATOR_TIER_GMV)
    for m in (SELF, AGENCY):
        sel = np.flatnonzero((mode == m) & (channel == LIVE))
        pool = np.flatnonzero(sessions.mode == m)
        session[sel] = pool[weighted_choice(rng, sessions.weight[pool], sel.size)]
    sel = np.flatnonzero((mode == CREATOR) & (channel == LIVE))
    session[sel] = _pick_by_tier(rng, tier[sel], sessions.creator, sessions.weight, dy_creators)
    sel = np.flatnonzero((mode == CREATOR) & (channel == VIDEO))
    piece[sel] = _pick_by_tier(rng, tier[sel], videos.creator, videos.weight, dy_creators)
    sel = np.flatnonzero((mode == SELF) & (channel == VIDEO))
    brand_videos = np.flatnonzero(videos.creator < 0)
    if brand_videos.size:
        piece[sel] = brand_videos[weighted_choice(rng, videos.weight[brand_videos], sel.size)]
    else:
        channel[sel] = SHOP
    sel = np.flatnonzero(channel == NOTE)
    piece[sel] = weighted_choice(rng, notes.weight, sel.size)
    channel[(channel != SHOP) & (session < 0) & (piece < 0)] = SHOP
    is_live = channel == LIVE
    creator[is_live] = sessions.creator[session[is_live]]
    is_video = channel == VIDEO
    creator[is_video] = videos.creator[piece[is_video]]
    is_note = channel == NOTE
    creator[is_note] = notes.creator[piece[is_note]]

    # --- time ----------------------------------------------------------------------------------
    create_s = np.empty(n, dtype=np.int64)
    for p in (DOUYIN, RED):
        sel = platform == p
        create_s[sel] = sample_times(rng, int(sel.sum()), window, "douyin" if p == DOUYIN else "red")
    s = session[is_live]
    create_s[is_live] = sessions.start_s[s] + (rng.random(s.size) * (sessions.end_s[s] - sessions.start_s[s]))
    create_s[is_video] = _time_after(rng, videos.publish_s[piece[is_video]], window)
    create_s[is_note] = _time_after(rng, notes.publish_s[piece[is_note]], window)

    # --- cross-border and payment ----------------------------------------------------------------
    cross_border = rng.random(n) < np.where(dy, 0.12, 0.30)
    cb_pick = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    cb_code = np.where(dy, np.where(cross_border, 21 + cb_pick, 2), np.where(cross_border, 2 + cb_pick, 1))
    trade_mode = np.where(cross_border, np.where(cb_pick == 0, 1210, 9610), 0)
    pay_ok = rng.random(n) >= np.where(cross_border, 0.02, 0.04)
    pay_state = np.where(pay_ok, PAID, np.where(create_s >= window.end_s - 1800, UNPAID, CANCELLED))
    pay_s = np.where(pay_ok, create_s + rng.integers(5, 600, size=n), 0)
    late = pay_s >= window.end_s
    pay_state[late], pay_s[late] = UNPAID, 0
    cancel_s = np.where(pay_state == CANCELLED, create_s + 1800, 0)

    # --- lines and amounts -----------------------------------------------------------------------
    n_lines = rng.choice([1, 2, 3], size=n, p=[0.65, 0.25, 0.10])
    offsets = np.concatenate([[0], np.cumsum(n_lines)]).astype(np.int64)
    order_of_line = np.repeat(np.arange(n), n_lines)
    target = rng.lognormal(np.log(9000), 0.6, size=n) * customers.aov_factor[customer]
    target *= np.where(is_live, 1.4, 1.0)
    line_target = target[order_of_line] / n_lines[order_of_line]
    line_cb = cross_border[order_of_line]
    domestic_pool = np.flatnonzero(~catalog.cross_border)
    cb_pool = np.flatnonzero(catalog.cross_border)
    product = np.where(
        line_cb,
        cb_pool[rng.integers(0, cb_pool.size, size=line_cb.size)],
        domestic_pool[rng.integers(0, domestic_pool.size, size=line_cb.size)],
    )
    price = catalog.prices[product]
    qty = np.clip(np.rint(line_target / price + rng.random(line_cb.size) - 0.5), 1, 6).astype(np.int64)
    qty = np.where(line_cb, np.minimum(qty, np.maximum(1, 300000 // price)), qty)
    customer = _plant_limit_breaches(rng, customer, cross_border & pay_ok, offsets, price, qty, customers.n)
    origin = price * qty
    promo_shop = (origin * rng.uniform(0, 0.15, size=origin.size)).astype(np.int64)
    promo_platform = np.where(
        rng.random(origin.size) < 0.5, (origin * rng.uniform(0, 0.05, size=origin.size)).astype(np.int64), 0
    )
    promo_talent = np.where(
        mode[order_of_line] == CREATOR, (origin * rng.uniform(0, 0.05, size=origin.size)).astype(np.int64), 0
    )
    line_pay = origin - promo_shop - promo_platform - promo_talent
    goods = np.add.reduceat(line_pay, offsets[:-1]) if n else line_pay[:0]
    post_amount = np.where(~cross_border & (rng.random(n) < 0.2), 800, 0)
    tax_amount = np.where(cross_border, np.rint(goods * 0.091).astype(np.int64), 0)

    return Orders(
        customer,
        platform,
        mode,
        channel,
        session,
        piece,
        creator,
        create_s,
        pay_state,
        pay_s,
        cancel_s,
        cross_border,
        cb_code,
        trade_mode,
        post_amount,
        tax_amount,
        offsets,
        product,
        qty,
        origin,
        promo_shop,
        promo_platform,
        promo_talent,
        line_pay,
    )


DAIGOU_ORDERS = 12  # CBEC orders moved to each planted 代购 buyer


def _plant_limit_breaches(
    rng: np.random.Generator,
    customer: np.ndarray,
    cbec_paid: np.ndarray,
    offsets: np.ndarray,
    price: np.ndarray,
    qty: np.ndarray,
    n_customers: int,
) -> np.ndarray:
    """METRICS.md §8.3 phenomena (qty changed in place; returns the new customer array): ~2% of paid
    cross-border orders buy enough units of their first line to exceed ¥5,000 even after the deepest
    discounts (≥ ¥7,000 list), and a few 代购 buyers get DAIGOU_ORDERS paid cross-border orders of
    ~¥4,000-6,000 list each, so their calendar-year total passes ¥26,000. The generator's truth recomputes
    both from the final orders (generate._crossborder_limit_truth)."""
    cbec = np.flatnonzero(cbec_paid)
    if cbec.size < 2 * DAIGOU_ORDERS:
        return customer
    big = cbec[rng.random(cbec.size) < 0.02]
    first = offsets[big]
    qty[first] = np.ceil(rng.uniform(700_000, 900_000, size=big.size) / price[first]).astype(np.int64)
    rest = np.setdiff1d(cbec, big)
    buyers = rng.choice(n_customers, size=max(2, n_customers // 500), replace=False)
    moved = rng.choice(rest, size=min(rest.size, buyers.size * DAIGOU_ORDERS), replace=False)
    customer = customer.copy()
    customer[moved] = np.repeat(buyers, DAIGOU_ORDERS)[: moved.size]
    for order in moved:
        lines = np.arange(offsets[order], offsets[order + 1])
        share = rng.uniform(400_000, 600_000) / lines.size
        qty[lines] = np.maximum(1, np.ceil(share / price[lines])).astype(np.int64)
    return customer


def settle_fulfilment(
    rng: np.random.Generator,
    orders: Orders,
    window: Window,
    cb_ship_s: np.ndarray,
    cb_deliver_s: np.ndarray,
    cb_returned: np.ndarray,
    bad_rate: float,
) -> None:
    """Fill ship / deliver times (0 = not yet by the window end), customs returns and planted bad rows.

    `cb_*` arrays are aligned to all orders and only meaningful for paid cross-border orders.
    """
    n = orders.n
    paid = orders.pay_state == PAID
    ship = orders.pay_s + rng.integers(4 * 3600, 48 * 3600, size=n)
    deliver = ship + rng.integers(20 * 3600, 96 * 3600, size=n)
    cb = orders.cross_border & paid
    ship[cb], deliver[cb] = cb_ship_s[cb], cb_deliver_s[cb]
    ship = np.where(paid & (ship > 0) & (ship < window.end_s), ship, 0)
    deliver = np.where((ship > 0) & (deliver > 0) & (deliver < window.end_s), deliver, 0)
    orders.ship_s, orders.deliver_s = ship, deliver
    orders.returned = cb & cb_returned
    eligible = paid & ~orders.cross_border
    orders.is_bad = eligible & (rng.random(n) < bad_rate)


def paid_mask(orders: Orders) -> np.ndarray:
    """Paid, not cancelled or returned by customs, not a planted bad row."""
    return (orders.pay_state == PAID) & ~orders.returned & ~orders.is_bad
