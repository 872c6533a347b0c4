"""Content metric records consistent with the orders: Douyin live sessions and video dailies, RED notes."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cc_warehouse_demo.datagen import arrays as A
from cc_warehouse_demo.datagen import fake_engagement as FE
from cc_warehouse_demo.datagen import freetext as T
from cc_warehouse_demo.datagen.calendar import DAY_S, SHANGHAI, Window
from cc_warehouse_demo.datagen.content import (
    AGENCY_ANCHOR_ID,
    BRAND_ANCHOR_ID,
    BRAND_ANCHOR_NAMES,
    MODE_NAMES,
    SELF,
    LiveSessions,
    Pieces,
)
from cc_warehouse_demo.datagen.orders import DOUYIN, LIVE, NOTE, RED, VIDEO, Orders, paid_mask
from cc_warehouse_demo.datagen.population import REGIONS, Creators

PENDING = "数据将于第二天更新"


def _yuan_export(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


def _date(unix_s: int) -> str:
    return datetime.fromtimestamp(unix_s, SHANGHAI).strftime("%Y-%m-%d")


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _wan(values: np.ndarray, rng: np.random.Generator, share: float) -> pa.Array:
    """Counts as exported: plain digits, or `1.2w` / `80.0万` for a share of values ≥ 10,000."""
    plain = pa.array(values).cast(pa.string())
    tenk = A.concat(
        pa.array(np.round(values / 10000, 1)).cast(pa.string()),
        A.pick(["w", "万"], rng.integers(0, 2, size=values.size)),
    )
    use = (values >= 10000) & (rng.random(values.size) < share)
    return pc.if_else(pa.array(use), _one_decimal(tenk), plain)


def _one_decimal(values: pa.Array) -> pa.Array:
    """`80w` → `80.0w` (pyarrow prints 80.0 as `80`)."""
    return pc.replace_substring_regex(values, r"^(\d+)([w万])$", r"\1.0\2")


def live_sessions_table(
    rng: np.random.Generator, s: LiveSessions, o: Orders, creators: Creators, window: Window
) -> tuple[pa.Table, dict[str, int], dict[str, dict[str, str]]]:
    """One compass record per session; returns the table, paid attributed orders per room and the planted
    fake-engagement episodes (room id -> kind, date)."""
    ok = paid_mask(o) & (o.platform == DOUYIN) & (o.channel == LIVE)
    n = s.mode.size
    orders = np.bincount(o.session[ok], minlength=n)
    gmv = np.bincount(o.session[ok], weights=o.total_pay[ok], minlength=n).astype(np.int64)
    items = np.bincount(o.session[ok], weights=o.order_sum(o.line_qty)[ok], minlength=n).astype(np.int64)
    pairs = np.unique(np.stack([o.session[ok], o.customer[ok]]), axis=1)
    buyers = np.bincount(pairs[0], minlength=n)
    room_ids = s.room_id.to_pylist()
    records = []
    for i in range(n):
        conv = rng.uniform(0.02, 0.04)
        viewers = max(int(buyers[i] / conv), int(rng.integers(50, 300)))
        views = int(viewers * rng.uniform(1.8, 2.6))
        duration = int(s.end_s[i] - s.start_s[i])
        stay = int(rng.integers(40, 300))
        avg_online = max(1, views * stay // max(duration, 1))
        exposures = int(views * rng.uniform(0.3, 0.6))
        platform_gmv = int(gmv[i] * rng.uniform(0.97, 1.03))
        pending = s.end_s[i] >= window.end_s - DAY_S
        ad_spend = int(platform_gmv / rng.uniform(2, 6)) if s.mode[i] == SELF else 0
        creator = int(s.creator[i])
        records.append(
            {
                "room_id": room_ids[i],
                "anchor_id": int(creators.ids[creator].as_py())
                if creator >= 0
                else (BRAND_ANCHOR_ID if s.mode[i] == SELF else AGENCY_ANCHOR_ID),
                "anchor_name": creators.names[creator] if creator >= 0 else BRAND_ANCHOR_NAMES[int(s.mode[i])],
                "broadcast_mode": MODE_NAMES[int(s.mode[i])],
                "title": ["品牌直播间 好物限时秒杀", "新品首发专场", "会员福利日", "跨境好物直播"][i % 4],
                "start_time": datetime.fromtimestamp(int(s.start_s[i]), SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                "end_time": datetime.fromtimestamp(int(s.end_s[i]), SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
                "duration": _hms(duration),
                "viewers": viewers,
                "views": views,
                "peak_online": int(avg_online * rng.uniform(1.5, 4)),
                "avg_online": avg_online,
                "avg_stay": f"{stay // 60}分{stay % 60}秒",
                "comments": int(views * rng.uniform(0.02, 0.1)),
                "likes": int(views * rng.uniform(0.5, 3)),
                "shares": int(views * rng.uniform(0.005, 0.02)),
                "new_followers": int(viewers * rng.uniform(0.005, 0.03)),
                "new_fan_club_members": int(viewers * rng.uniform(0.001, 0.005)),
                "product_exposures": exposures,
                "product_clicks": int(exposures * rng.uniform(0.05, 0.15)),
                "buyers": int(buyers[i]),
                "items_sold": int(items[i]),
                "orders": int(orders[i]),
                "gmv": PENDING if pending else _yuan_export(platform_gmv),
                "user_paid_amount": PENDING if pending else _yuan_export(int(platform_gmv * rng.uniform(0.93, 0.98))),
                "refund_amount": _yuan_export(int(platform_gmv * rng.uniform(0.0, 0.08))),
                "ad_spend": f"{ad_spend / 100:.2f}",
            }
        )
    # 刷量: bought views (spike) or bought comments above the views, on some rooms
    views = np.array([r["views"] for r in records], dtype=np.int64)
    anchor_key = np.where(s.creator >= 0, s.creator, -1 - s.mode)
    episodes = FE.choose(rng, anchor_key, s.start_s, np.arange(n), views, ["interactions_above_reads"])
    for i, kind in episodes.kind.items():
        if kind == "reads_spike":
            records[i]["views"] = int(views[i])
        else:
            records[i]["comments"] = int(records[i]["views"] * rng.uniform(1.1, 1.6))
    labels = episodes.label(room_ids, lambda i: _date(int(s.start_s[i])))
    schema = pa.schema([(k, pa.int64() if isinstance(v, int) else pa.string()) for k, v in records[0].items()])
    attributed = {room_ids[i]: int(orders[i]) for i in range(n)}
    return pa.Table.from_pylist(records, schema=schema), attributed, labels


def _daily_rows(pieces: Pieces, window: Window, max_days: int) -> tuple[np.ndarray, np.ndarray]:
    """(piece index, window day index) for each day a piece is tracked: publish day .. +max_days-1."""
    first = np.maximum((pieces.publish_s - window.start_s) // DAY_S, 0)
    last = np.minimum((pieces.publish_s - window.start_s) // DAY_S + max_days - 1, window.days - 1)
    count = np.maximum(last - first + 1, 0)
    piece = np.repeat(np.arange(count.size), count)
    start = np.concatenate([[0], np.cumsum(count)])[:-1]
    day = np.repeat(first, count) + np.arange(count.sum()) - np.repeat(start, count)
    return piece, day


def _orders_per_piece_day(
    o: Orders, platform: int, channel: int, piece: np.ndarray, day: np.ndarray, n_pieces: int, window: Window
) -> np.ndarray:
    ok = paid_mask(o) & (o.platform == platform) & (o.channel == channel)
    key = o.piece[ok] * window.days + (o.create_s[ok] - window.start_s) // DAY_S
    per_key = np.bincount(key, minlength=n_pieces * window.days)
    return per_key[piece * window.days + day]


def videos_table(
    rng: np.random.Generator, v: Pieces, o: Orders, creators: Creators, window: Window
) -> tuple[pa.Table, dict[str, dict[str, str]]]:
    """Video dailies and the planted fake-engagement episodes (video id -> kind, date)."""
    piece, day = _daily_rows(v, window, 14)
    k = piece.size
    orders = _orders_per_piece_day(o, DOUYIN, VIDEO, piece, day, len(v.ids), window)
    age = day - (v.publish_s[piece] - window.start_s) // DAY_S
    plays = (v.weight[piece] * 20000 * np.exp(-0.35 * np.maximum(age, 0)) * rng.uniform(0.5, 1.5, size=k)).astype(
        np.int64
    ) + orders * 50
    episodes = FE.choose(rng, v.creator, v.publish_s, piece, plays, ["interactions_above_reads"])
    likes = (plays * rng.uniform(0.02, 0.08, size=k)).astype(np.int64)
    bought = FE.rows_of(episodes, "interactions_above_reads")
    likes[bought] += (plays[bought] * rng.uniform(1.1, 1.6, size=bought.size)).astype(np.int64)
    labels = episodes.label(v.ids.to_pylist(), lambda row: _date(int(window.start_s + day[row] * DAY_S)))
    author = np.where(
        v.creator[piece] >= 0,
        np.asarray(creators.ids.take(pa.array(np.maximum(v.creator[piece], 0))).cast(pa.int64())),
        BRAND_ANCHOR_ID,
    )
    table = pa.table(
        {
            "video_id": v.ids.take(pa.array(piece)),
            "author_id": pa.array(author),
            "title": T.choose(rng, T.TITLES, len(v.ids)).take(pa.array(piece)),
            "publish_time": pa.array(v.publish_s[piece]),
            "stat_date": A.local_strings(window.start_s + day * DAY_S, "%Y-%m-%d"),
            "plays": pa.array(plays),
            "likes": pa.array(likes),
            "comments": pa.array((plays * rng.uniform(0.001, 0.005, size=k)).astype(np.int64)),
            "shares": pa.array((plays * rng.uniform(0.001, 0.004, size=k)).astype(np.int64)),
            "collects": pa.array((plays * rng.uniform(0.002, 0.01, size=k)).astype(np.int64)),
            "new_followers": pa.array((plays * rng.uniform(0.0005, 0.002, size=k)).astype(np.int64)),
            "completion_rate": A.concat(pa.array(np.round(rng.uniform(8, 60, size=k), 1)).cast(pa.string()), "%"),
            "product_clicks": pa.array(orders * rng.integers(8, 20, size=k) + (plays * 0.002).astype(np.int64)),
            "ad_spend": pa.array(np.where(v.creator[piece] < 0, rng.integers(0, 500000, size=k), 0)),
        }
    )
    return table, labels


def notes_tables(
    rng: np.random.Generator,
    notes: Pieces,
    o: Orders,
    creators: Creators,
    window: Window,
    phones: pa.Array,
    pii_rate: float,
) -> tuple[pa.Table, pa.Table, dict[str, dict[str, int]], dict[str, dict[str, str]]]:
    """red.notes dailies and red.note_comments (every comment the counter counts), with e-mails planted in
    titles and phones in comments; also the planted fake-engagement episodes (note id -> kind, date)."""
    n_notes = len(notes.ids)
    piece, day = _daily_rows(notes, window, 14)
    k = piece.size
    orders = _orders_per_piece_day(o, RED, NOTE, piece, day, n_notes, window)
    age = day - (notes.publish_s[piece] - window.start_s) // DAY_S
    reads = (notes.weight[piece] * 8000 * np.exp(-0.3 * np.maximum(age, 0)) * rng.uniform(0.5, 1.5, size=k)).astype(
        np.int64
    ) + orders * 30
    episodes = FE.choose(
        rng, notes.creator, notes.publish_s, piece, reads, ["interactions_above_reads", "comment_concentration"]
    )
    exposures = (reads * rng.uniform(3, 8, size=k)).astype(np.int64)
    likes = (reads * rng.uniform(0.02, 0.08, size=k)).astype(np.int64)
    bought = FE.rows_of(episodes, "interactions_above_reads")
    likes[bought] += (reads[bought] * rng.uniform(1.1, 1.6, size=bought.size)).astype(np.int64)
    collects = (reads * rng.uniform(0.01, 0.05, size=k)).astype(np.int64)
    comments = rng.poisson(2, size=k) + (reads * rng.uniform(0.0002, 0.0008, size=k)).astype(np.int64)
    burst = np.zeros(k, dtype=np.int64)  # comments posted by a handful of accounts
    burst_rows = FE.rows_of(episodes, "comment_concentration")
    burst[burst_rows] = np.maximum(30, 3 * comments[burst_rows] + 20)
    comments = comments + burst
    labels = episodes.label(notes.ids.to_pylist(), lambda row: _date(int(window.start_s + day[row] * DAY_S)))
    shares = (reads * rng.uniform(0.002, 0.01, size=k)).astype(np.int64)
    titles, _ = T.plant(rng, T.choose(rng, T.TITLES, n_notes), pii_rate, T.emails(rng, n_notes), " 合作请联系")
    has_email = np.asarray(pc.match_substring(titles, "@"))
    creator = notes.creator[piece]
    fee = np.where(
        creators.tier[np.maximum(creator, 0)] == 0,
        5_000_000,
        np.where(creators.tier[np.maximum(creator, 0)] == 1, 800_000, 80_000),
    )
    publish_day = age == 0
    brand_name = "品牌官方号"
    nick = A.pick([brand_name, *creators.names], creator + 1)
    creator_id = pc.fill_null(
        A.null_where(creators.ids.take(pa.array(np.maximum(creator, 0))), creator < 0),
        "5f00000000000000000000aa",
    )
    followers = np.where(creator >= 0, creators.followers[np.maximum(creator, 0)], 150_000)
    tags_vocab = ["护肤", "美妆", "穿搭", "母婴", "美食", "跨境", "好物分享", "测评"]
    tag_a, tag_b = rng.integers(0, 8, size=n_notes), rng.integers(0, 8, size=n_notes)
    tags = pa.ListArray.from_arrays(
        pa.array(np.arange(0, 2 * n_notes + 1, 2, dtype=np.int32)),
        A.pick(tags_vocab, np.stack([tag_a, tag_b], axis=1).ravel()),
    )
    notes_table = pa.table(
        {
            "note_id": notes.ids.take(pa.array(piece)),
            "title": titles.take(pa.array(piece)),
            "creator_id": creator_id,
            "creator_nickname": nick,
            "creator_followers": _wan(followers, rng, 0.5),
            "publish_time": pa.array(notes.publish_s[piece] * 1000),
            "note_type": A.pick(["图文", "视频"], (rng.random(n_notes) < 0.35).astype(int)[piece]),
            "tags": tags.take(pa.array(piece)),
            "cooperation_fee": A.null_where(A.yuan_strings(fee), ~publish_day | (creator < 0)),
            "stat_date": A.local_strings(window.start_s + day * DAY_S, "%Y-%m-%d"),
            "exposures": _wan(exposures, rng, 0.3),
            "reads": _wan(reads, rng, 0.3),
            "interactions": pa.array(likes + collects + comments + shares),
            "likes": pa.array(likes),
            "collects": pa.array(collects),
            "comments": pa.array(comments),
            "shares": pa.array(shares),
            "new_followers": pa.array((reads * rng.uniform(0.001, 0.005, size=k)).astype(np.int64)),
            "product_clicks": pa.array(orders * rng.integers(8, 20, size=k) + (reads * 0.003).astype(np.int64)),
            "ad_spend": A.yuan_strings(np.where(creator < 0, rng.integers(0, 300000, size=k), 0)),
        }
    )
    planted = {"red.notes": {"title": int(has_email[piece].sum())}}

    # comments: every counted comment of a note-day, posted on that day after publication; a burst's
    # comments come from 2-4 accounts
    organic = np.repeat(np.arange(k), comments - burst)
    c_row = np.concatenate([organic, np.repeat(np.arange(k), burst)])
    m = c_row.size
    user_ids = A.random_hex(rng, m, 24)
    if burst.sum():
        accounts = rng.integers(2, 5, size=k)
        first_of_row = np.repeat(organic.size + np.cumsum(burst) - burst, burst)
        within = np.arange(organic.size, m) - first_of_row
        repeat_of = first_of_row + within % np.repeat(accounts, burst)
        user_ids = user_ids.take(pa.array(np.concatenate([np.arange(organic.size), repeat_of])))
    day_start = window.start_s + day[c_row] * DAY_S
    lo = np.maximum(day_start, notes.publish_s[piece[c_row]])
    created = lo + (rng.random(m) * (day_start + DAY_S - lo)).astype(np.int64)
    phone_idx = rng.integers(0, len(phones), size=m)
    content, planted_comments = T.plant(
        rng,
        T.choose(rng, T.COMMENTS, m),
        pii_rate,
        T.fullwidth(phones.take(pa.array(phone_idx))),
        " 加我vx聊 ",
    )
    planted["red.note_comments"] = {"content": planted_comments}
    comments_table = pa.table(
        {
            "comment_id": A.random_hex(rng, m, 24),
            "note_id": notes.ids.take(pa.array(piece[c_row])),
            "user_id": user_ids,
            "nickname": A.concat("小红薯", A.random_hex(rng, m, 6)),
            "content": content,
            "create_time": pa.array(created * 1000 + rng.integers(0, 1000, size=m)),
            "like_count": pa.array(rng.poisson(3, size=m)),
            "ip_location": A.pick([r[1] for r in REGIONS], rng.integers(0, len(REGIONS), size=m)),
        }
    )
    return notes_table, comments_table, planted, labels


BRAND_DOUYIN_FOLLOWERS = 2_300_000  # the brand's own account is big, and still never a creator tier


def creator_profiles_table(rng: np.random.Generator, creators: Creators, window: Window) -> pa.Table:
    """douyin.creators: one follower snapshot per account per day (星图 author daily). Every creator plus the
    brand's own account; followers grow slowly, reaching `creators.followers` on the window's last day."""
    ids = [*creators.ids.to_pylist(), str(BRAND_ANCHOR_ID)]
    names = [*creators.names, BRAND_ANCHOR_NAMES[SELF]]
    end_followers = np.append(creators.followers, BRAND_DOUYIN_FOLLOWERS).astype(float)
    growth = rng.uniform(0.0, 0.004, size=len(ids))
    days_before_end = np.arange(window.days - 1, -1, -1)
    followers = (end_followers[:, None] * np.exp(-growth[:, None] * days_before_end[None, :])).astype(np.int64)
    account = np.repeat(np.arange(len(ids)), window.days)
    return pa.table(
        {
            "author_id": pa.array(ids).take(pa.array(account)),
            "nick_name": pa.array(names).take(pa.array(account)),
            "follower_count": pa.array(followers.ravel()),
            "stat_date": A.local_strings(np.tile(window.day_starts, len(ids)), "%Y-%m-%d"),
        }
    )
