"""Content the orders are attributed to: Douyin live sessions and short videos, RED notes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from cc_warehouse_demo.datagen import arrays as A
from cc_warehouse_demo.datagen.calendar import DAY_S, Window, day_multiplier
from cc_warehouse_demo.datagen.population import Creators

SELF, CREATOR, AGENCY = 0, 1, 2
MODE_NAMES = ["自播", "达播", "代运营"]
BRAND_ANCHOR_ID = 100000000001
AGENCY_ANCHOR_ID = 100000000002
BRAND_ANCHOR_NAMES = {SELF: "品牌官方旗舰店", AGENCY: "品牌官方直播间(代运营)"}
TIER_ORDER_WEIGHT = np.array([12.0, 3.0, 1.0])  # head / waist / tail pull per piece of content
CONTENT_TIER_SHARE = np.array([0.05, 0.40, 0.55])  # tail/KOC produce ~55% of content


@dataclass
class LiveSessions:
    room_id: pa.Array
    mode: np.ndarray
    creator: np.ndarray  # creator index or -1 for brand / agency rooms
    start_s: np.ndarray
    end_s: np.ndarray
    weight: np.ndarray


@dataclass
class Pieces:
    """Short videos (Douyin) or notes (RED): id, creator (-1 = brand account), publish time, order pull."""

    ids: pa.Array
    creator: np.ndarray
    publish_s: np.ndarray
    weight: np.ndarray


def _creator_by_tier(rng: np.random.Generator, creators: Creators, tiers: np.ndarray) -> np.ndarray:
    """A random creator of each requested tier (any creator if the tier is empty)."""
    out = rng.integers(0, creators.n, size=tiers.size)
    for t in range(3):
        pool = np.flatnonzero(creators.tier == t)
        sel = tiers == t
        if pool.size and sel.any():
            out[sel] = pool[rng.integers(0, pool.size, size=int(sel.sum()))]
    return out


def plan_live_sessions(
    rng: np.random.Generator, window: Window, creators: Creators, creator_sessions_per_day: int
) -> LiveSessions:
    """Two self-broadcast sessions a day, one agency session, and creator sessions in the evening."""
    starts, ends, modes, who = [], [], [], []
    for d, day_start in zip(window.dates, window.day_starts, strict=True):
        slots = [(SELF, 10 * 3600, 4), (SELF, 19 * 3600, 4), (AGENCY, 14 * 3600, 3)]
        slots += [(CREATOR, 19 * 3600 + 1800 * (i % 4), 3) for i in range(creator_sessions_per_day)]
        for mode, offset, hours in slots:
            start = int(day_start) + offset + int(rng.integers(0, 1800))
            end = start + hours * 3600 + int(rng.integers(-3600, 5400))
            starts.append(start)
            ends.append(min(end, window.end_s - 60))
            modes.append(mode)
            who.append(day_multiplier(d, "douyin"))
    mode = np.array(modes, dtype=np.int64)
    n = mode.size
    creator = np.full(n, -1, dtype=np.int64)
    is_creator = mode == CREATOR
    tiers = rng.choice(3, size=int(is_creator.sum()), p=[0.15, 0.45, 0.40])
    creator[is_creator] = _creator_by_tier(rng, creators, tiers)
    start_s, end_s = np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)
    tier_pull = np.where(is_creator, TIER_ORDER_WEIGHT[creators.tier[np.maximum(creator, 0)]], 1.0)
    weight = np.array(who) * tier_pull * (end_s - start_s) / 3600.0
    room_id = A.fixed_digits(A.unique_numbers(rng, n, 10**18) + 7 * 10**18, 19)
    return LiveSessions(room_id, mode, creator, start_s, end_s, weight)


def plan_pieces(
    rng: np.random.Generator,
    window: Window,
    creators: Creators,
    per_day: int,
    brand_share: float,
    id_kind: str,
) -> Pieces:
    """Content published from a week before the window to its end; tail creators produce most of it."""
    n = per_day * (window.days + 7)
    publish_s = np.sort(rng.integers(window.start_s - 7 * DAY_S, window.end_s - 3600, size=n))
    creator = _creator_by_tier(rng, creators, rng.choice(3, size=n, p=CONTENT_TIER_SHARE))
    creator[rng.random(n) < brand_share] = -1
    pull = np.where(creator >= 0, TIER_ORDER_WEIGHT[creators.tier[np.maximum(creator, 0)]], 2.0)
    # an account's contents resemble each other (its own audience): a per-account level times a narrower
    # per-content draw, so that one content far above the account's others stands out (fake-engagement spikes)
    account_level = np.append(rng.lognormal(0.0, 0.7, size=creators.n), 1.0)
    weight = pull * account_level[creator] * rng.lognormal(0.0, 0.35, size=n)
    if id_kind == "douyin":
        ids = A.fixed_digits(A.unique_numbers(rng, n, 10**18) + 7 * 10**18, 19)
    else:
        ids = A.random_hex(rng, n, 24)
    return Pieces(ids, creator, publish_s, weight)


def weighted_choice(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    """n indices drawn with probability proportional to weights (vectorised)."""
    cum = np.cumsum(weights, dtype=float)
    return np.minimum(np.searchsorted(cum, rng.random(n) * cum[-1], side="right"), weights.size - 1)
