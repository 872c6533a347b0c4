"""A tiny raw.duckdb in the exact post-treatment shape (docs/architecture.md §3), for dbt builds in tests.

Hand-written records cover the export quirks staging must survive: re-extracted versions, fen vs yuan
strings, `80.0w` counts, `35.2%` rates, `04:39:26` / `1分5秒` durations, the `数据将于第二天更新`
placeholder, full-width digits, Unix s / ms / compact / local-string times.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

CN = timezone(timedelta(hours=8))
TABLES = (
    "douyin_orders",
    "douyin_refunds",
    "douyin_live_sessions",
    "douyin_videos",
    "douyin_creators",
    "red_notes",
    "red_note_comments",
    "red_orders",
    "red_aftersales",
    "customs_declarations",
    "customs_receipts",
    "logistics_events",
    "wecom_contacts",
    "wecom_group_chats",
    "crm_members",
)


def tok(n: int) -> str:
    """A token in the registry's pattern `tk<version>_<32 hex>`."""
    return f"tk1_{n:032x}"


def _cn(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CN)


def unix_s(text: str) -> int:
    return int(_cn(text).timestamp())


def unix_ms(text: str) -> int:
    return unix_s(text) * 1000


def compact(text: str) -> str:
    return _cn(text).strftime("%Y%m%d%H%M%S")


PHONE_A, PHONE_B, PHONE_C, PHONE_D, PHONE_E = tok(1), tok(2), tok(3), tok(4), tok(5)


def _dy_line(line_id: str, sku: str, pay: int, **attribution: object) -> dict:
    line = {
        "sku_order_id": line_id,
        "product_id_str": "3600000000000000001",
        "product_name": "日本 保湿面霜 50ml",
        "sku_id": sku,
        "item_num": 1,
        "origin_amount": pay + 1000,
        "pay_amount": pay,
        "promotion_shop_amount": 500,
        "promotion_platform_amount": 300,
        "promotion_talent_amount": 200,
        "author_id": "",
        "author_name": "",
        "room_id_str": "",
        "video_id": "",
        "content_id": "",
        "theme_type": 0,
        "c_biz": 8,
        "ad_env_type": "",
        "is_cross_border": False,
    }
    line.update(attribution)
    return line


def _dy_order(
    order_id: str,
    status: int,
    created: str,
    paid: str | None,
    updated: str,
    phone: str,
    lines: list[dict],
    biz: int = 0,
) -> dict:
    lines_pay = sum(line["pay_amount"] for line in lines)
    return {
        "order_id": order_id,
        "shop_id": "1001",
        "order_status": status,
        "create_time": unix_s(created),
        "pay_time": unix_s(paid) if paid else 0,
        "update_time": unix_s(updated),
        "finish_time": 0,
        "order_amount": lines_pay + 1000 * len(lines) + 600,
        "pay_amount": lines_pay + 600,
        "post_amount": 600,
        "promotion_amount": 1000 * len(lines),
        "promotion_shop_amount": 500 * len(lines),
        "promotion_platform_amount": 300 * len(lines),
        "promotion_talent_amount": 200 * len(lines),
        "tax_amount": 0,
        "biz": biz,
        "b_type": 2,
        "buyer_open_id_token": tok(100 + int(order_id[-1])),
        "receiver_phone_token": phone,
        "mask_post_tel": "1********35",
        "mask_post_receiver": "王**",
        "post_addr": {"province": {"id": "31", "name": "上海"}, "city": {"id": "3101", "name": "上海市"}},
        "buyer_words": "请尽快发货 [手机号]",
        "payment_no_token": tok(200 + int(order_id[-1])),
        "user_id_info": (
            {
                "buyer_id_token": tok(300),
                "buyer_id_is_valid": True,
                "buyer_id_is_under_14": False,
                "buyer_id_age_band": "25-34",
                "id_card_name": "王*",
            }
            if biz
            else None
        ),
        "sku_order_list": lines,
    }


def douyin_orders() -> list[tuple[str, dict, str]]:
    """(record_key, record, interval_end) triples; order ...001 has two versions (status change)."""
    live = {
        "room_id_str": "7300000000000000001",
        "author_id": "a_brand",
        "author_name": "品牌官方号",
        "theme_type": 1,
        "ad_env_type": "live",
        "c_biz": 8,
    }
    video = {
        "video_id": "7400000000000000001",
        "author_id": "a_creator",
        "author_name": "美妆达人",
        "c_biz": 2,
        "ad_env_type": "video",
    }
    o1_v1 = _dy_order(
        "6900000000000000001",
        105,
        "2026-11-01 20:05:00",
        "2026-11-01 20:06:00",
        "2026-11-01 20:06:00",
        PHONE_A,
        [_dy_line("6900000000000000011", "s1", 9900, **live)],
    )
    o1_v2 = dict(
        o1_v1, order_status=5, update_time=unix_s("2026-11-04 10:00:00"), finish_time=unix_s("2026-11-04 10:00:00")
    )
    o2 = _dy_order(
        "6900000000000000002",
        3,
        "2026-11-02 12:00:00",
        "2026-11-02 12:01:00",
        "2026-11-03 09:00:00",
        PHONE_B,
        [_dy_line("6900000000000000021", "s1", 9900, **video), _dy_line("6900000000000000022", "s2", 19900)],
    )
    line3 = _dy_line("6900000000000000031", "s3", 39900, is_cross_border=True, product_name="澳洲 婴儿奶粉")
    o3 = dict(
        _dy_order(
            "6900000000000000003",
            2,
            "2026-11-03 08:00:00",
            "2026-11-03 08:02:00",
            "2026-11-03 08:02:00",
            PHONE_A,
            [line3],
            biz=21,
        ),
        tax_amount=3631,
        pay_amount=39900 + 600 + 3631,
    )
    o4 = _dy_order(
        "6900000000000000004",
        1,
        "2026-11-05 08:00:00",
        None,
        "2026-11-05 08:00:00",
        PHONE_C,
        [_dy_line("6900000000000000041", "s1", 9900)],
    )
    # Quota trap (METRICS §8.3): a cancelled ¥26,000 cross-border order of the same buyer must not use up the
    # annual limit; a later paid, undeclared one is measured on goods + shipping (never tax-inclusive pay).
    o5 = _dy_order(
        "6900000000000000005",
        4,
        "2026-11-03 08:30:00",
        "2026-11-03 09:00:00",
        "2026-11-03 10:00:00",
        PHONE_A,
        [_dy_line("6900000000000000051", "s3", 2600000, is_cross_border=True, product_name="澳洲 婴儿奶粉")],
        biz=21,
    )
    o6 = dict(
        _dy_order(
            "6900000000000000006",
            2,
            "2026-11-04 08:00:00",
            "2026-11-04 08:01:00",
            "2026-11-04 08:01:00",
            PHONE_A,
            [_dy_line("6900000000000000061", "s3", 10000, is_cross_border=True, product_name="澳洲 婴儿奶粉")],
            biz=21,
        ),
        tax_amount=910,
        pay_amount=10000 + 600 + 910,
    )
    # Unpaid cross-border order: outside the 三单 / customs population (O_payment) and the quota.
    o7 = _dy_order(
        "6900000000000000007",
        1,
        "2026-11-04 09:00:00",
        None,
        "2026-11-04 09:00:00",
        PHONE_A,
        [_dy_line("6900000000000000071", "s3", 10000, is_cross_border=True, product_name="澳洲 婴儿奶粉")],
        biz=21,
    )
    # Personal parcel (biz 23, CC): not CBEC, never 9610.
    o8 = _dy_order(
        "6900000000000000008",
        2,
        "2026-11-04 10:00:00",
        "2026-11-04 10:01:00",
        "2026-11-04 10:01:00",
        PHONE_B,
        [_dy_line("6900000000000000081", "s3", 10000, is_cross_border=True, product_name="澳洲 婴儿奶粉")],
        biz=23,
    )
    # Lines mixing channels: the first attributed line (a video) wins; the room gets no credit for it.
    o9 = _dy_order(
        "6900000000000000009",
        3,
        "2026-11-01 21:00:00",
        "2026-11-01 21:01:00",
        "2026-11-02 09:00:00",
        PHONE_B,
        [_dy_line("6900000000000000091", "s1", 9900, **video), _dy_line("6900000000000000092", "s2", 5000, **live)],
    )
    # Returned by customs (CEB622 700): paid, but not in O_paid, no quota, never an SLA breach.
    o10 = _dy_order(
        "6900000000000000010",
        3,
        "2026-11-01 08:00:00",
        "2026-11-01 08:01:00",
        "2026-11-01 08:01:00",
        PHONE_A,
        [_dy_line("6900000000000000101", "s3", 30000, is_cross_border=True, product_name="澳洲 婴儿奶粉")],
        biz=21,
    )
    # Repurchase history (METRICS.md §6.1): PHONE_D (CRM member since 2020, pre-history) enters 09-01; the
    # 09-10 repeat is fully refunded (not O_valid), the 10-20 one is 49 days later. PHONE_E (public at entry)
    # enters 09-05, repeats 09-20 and orders again 10-03 after becoming a WeCom contact on 10-01.
    history = []
    for order_id, phone, at in (
        ("6910000000000000001", PHONE_D, "2026-09-01 10:00:00"),
        ("6910000000000000002", PHONE_D, "2026-09-10 10:00:00"),
        ("6910000000000000003", PHONE_D, "2026-10-20 10:00:00"),
        ("6910000000000000004", PHONE_E, "2026-09-05 10:00:00"),
        ("6910000000000000005", PHONE_E, "2026-09-20 10:00:00"),
        ("6910000000000000006", PHONE_E, "2026-10-03 10:00:00"),
    ):
        record = _dy_order(order_id, 5, at, at, at, phone, [_dy_line(order_id[:-1] + "9" + order_id[-1], "s1", 9900)])
        history.append((order_id, record, at))
    return [
        *history,
        ("6900000000000000010", o10, "2026-11-01 09:00:00"),
        ("6900000000000000001", o1_v1, "2026-11-01 21:00:00"),
        ("6900000000000000001", o1_v2, "2026-11-04 11:00:00"),
        ("6900000000000000002", o2, "2026-11-03 10:00:00"),
        ("6900000000000000003", o3, "2026-11-03 09:00:00"),
        ("6900000000000000004", o4, "2026-11-05 09:00:00"),
        ("6900000000000000005", o5, "2026-11-03 11:00:00"),
        ("6900000000000000006", o6, "2026-11-04 09:00:00"),
        ("6900000000000000007", o7, "2026-11-04 10:00:00"),
        ("6900000000000000008", o8, "2026-11-04 11:00:00"),
        ("6900000000000000009", o9, "2026-11-02 10:00:00"),
    ]


def douyin_refunds() -> list[tuple[str, dict, str]]:
    r = {
        "aftersale_id": "r1",
        "order_id": "6900000000000000002",
        "sku_order_id": "6900000000000000022",
        "aftersale_type": 0,
        "aftersale_status": 6,
        "refund_amount": 19900,
        "apply_time": unix_s("2026-11-04 09:00:00"),
        "update_time": unix_s("2026-11-04 09:00:00"),
        "refund_time": 0,
        "reason_text": "不想要了",
    }
    done = dict(
        r, aftersale_status=12, update_time=unix_s("2026-11-06 09:00:00"), refund_time=unix_s("2026-11-06 09:00:00")
    )
    # Full refund of PHONE_D's 09-10 repeat order: goods 99.00 refunded, shipping kept.
    full = dict(
        done,
        aftersale_id="r2",
        order_id="6910000000000000002",
        sku_order_id="69100000000000000092",
        refund_amount=9900,
        apply_time=unix_s("2026-09-12 09:00:00"),
        update_time=unix_s("2026-09-13 09:00:00"),
        refund_time=unix_s("2026-09-13 09:00:00"),
    )
    return [("r1", r, "2026-11-04 10:00:00"), ("r1", done, "2026-11-06 10:00:00"), ("r2", full, "2026-09-13 10:00:00")]


def douyin_live_sessions() -> list[tuple[str, dict, str]]:
    base = {
        "room_id": "7300000000000000001",
        "anchor_id": "a_brand",
        "anchor_name": "品牌官方号",
        "broadcast_mode": "自播",
        "title": "双11 预热",
        "start_time": "2026-11-01 19:00:00",
        "end_time": "2026-11-01 23:39:26",
        "duration": "04:39:26",
        "viewers": "1.2w",
        "views": "3.5w",
        "peak_online": "1,234",
        "avg_online": 456,
        "avg_stay": "1分5秒",
        "comments": 300,
        "likes": "2.1w",
        "shares": 40,
        "new_followers": 120,
        "new_fan_club_members": 15,
        "product_exposures": "2w",
        "product_clicks": 3000,
        "buyers": 1,
        "items_sold": 1,
        "orders": 1,
        "gmv": "数据将于第二天更新",
        "user_paid_amount": "-",
        "refund_amount": "-",
        "ad_spend": "¥1,000.00",
    }
    final = dict(base, gmv="¥105.00", user_paid_amount="¥105.00", refund_amount="¥0.00")
    other = dict(
        base,
        room_id="7300000000000000002",
        anchor_id="a_creator",
        anchor_name="美妆达人",
        broadcast_mode="达播",
        start_time="2026-11-03 20:00:00",
        end_time="2026-11-03 22:00:00",
        duration="02:00:00",
        avg_stay="４５秒",
        gmv="¥0.00",
        user_paid_amount="¥0.00",
        refund_amount="¥0.00",
        buyers=0,
        orders=0,
        items_sold=0,
    )
    # A self-broadcast room whose GMV is still pending at the last load: its views stay out of GPM.
    pending = dict(
        base,
        room_id="7300000000000000003",
        start_time="2026-11-07 19:00:00",
        end_time="2026-11-07 21:00:00",
        duration="02:00:00",
        views="1w",
        viewers="5000",
        buyers=0,
        orders=0,
        items_sold=0,
    )
    return [
        ("7300000000000000003", pending, "2026-11-08 00:00:00"),
        ("7300000000000000001", base, "2026-11-02 00:00:00"),
        ("7300000000000000001", final, "2026-11-03 00:00:00"),
        ("7300000000000000002", other, "2026-11-04 00:00:00"),
    ]


def douyin_videos() -> list[tuple[str, dict, str]]:
    rows = []
    for day, plays, likes in (("2026-11-01", 5000, 300), ("2026-11-02", 8000, 9000)):
        rec = {
            "video_id": "7400000000000000001",
            "author_id": "a_creator",
            "title": "面霜测评",
            "publish_time": unix_s("2026-11-01 10:00:00"),
            "stat_date": day,
            "plays": plays,
            "likes": likes,
            "comments": 40,
            "shares": 10,
            "collects": 20,
            "new_followers": 5,
            "completion_rate": "35.2%",
            "product_clicks": 120,
            "ad_spend": 5000,
        }
        rows.append((f"7400000000000000001|{day}", rec, f"{day} 23:59:59"))
    return rows


def douyin_creators() -> list[tuple[str, dict, str]]:
    """星图 profiles: a_creator at the million level (腰部); the brand's own account is big and still brand."""
    rows = []
    for author, name, day, followers in (
        ("a_creator", "美妆达人", "2026-11-01", 1_950_000),
        ("a_creator", "美妆达人", "2026-11-02", "205.0w"),
        ("a_brand", "品牌官方旗舰店", "2026-11-02", 23_000_000),
    ):
        rec = {"author_id": author, "nick_name": name, "follower_count": followers, "stat_date": day}
        rows.append((f"{author}|{day}", rec, f"{day} 23:59:59"))
    return rows


def red_notes() -> list[tuple[str, dict, str]]:
    rows = []
    spec = (
        ("2026-11-01", "80.0w", "1.2w", "8000", "¥2,000.00"),
        ("2026-11-02", "80.5万", "２万", 9000, "-"),
        ("2026-11-03", 6000000, 30000, 20000, "-"),
    )
    for day, followers, exposures, reads, fee in spec:
        rec = {
            "note_id": "65a1b2c3d4e5f6a7b8c9d0e1",
            "title": "秋冬面霜",
            "creator_id": "red_kol_1",
            "creator_nickname": "小红薯",
            "creator_followers": followers,
            "publish_time": unix_ms("2026-11-01 09:00:00"),
            "note_type": "图文",
            "tags": ["护肤", "面霜"],
            "cooperation_fee": fee,
            "stat_date": day,
            "exposures": exposures,
            "reads": reads,
            "interactions": 500,
            "likes": 300,
            "collects": 120,
            "comments": 60,
            "shares": 20,
            "new_followers": 30,
            "product_clicks": 200,
            "ad_spend": '"1,234.00"',
        }
        rows.append((f"65a1b2c3d4e5f6a7b8c9d0e1|{day}", rec, f"{day} 23:59:59"))
    # The brand's own RED account (var brand_account_ids): type brand, never a creator tier.
    brand = dict(
        rows[0][1],
        note_id="65a1b2c3d4e5f6a7b8c9d0e2",
        creator_id="5f00000000000000000000aa",
        creator_nickname="品牌官方薯",
        creator_followers="2.0w",
        cooperation_fee="-",
        stat_date="2026-11-02",
    )
    rows.append(("65a1b2c3d4e5f6a7b8c9d0e2|2026-11-02", brand, "2026-11-02 23:59:59"))
    return rows


def red_note_comments() -> list[tuple[str, dict, str]]:
    rec = {
        "comment_id": "c1",
        "note_id": "65a1b2c3d4e5f6a7b8c9d0e1",
        "user_token": tok(400),
        "content": "好用吗 [手机号]",
        "create_time": unix_ms("2026-11-01 12:00:00"),
        "like_count": 3,
        "ip_location": "上海",
    }
    return [
        ("c1", rec, "2026-11-02 00:00:00"),
        ("c2", dict(rec, comment_id="c2", user_token=tok(401)), "2026-11-02 00:00:00"),
    ]


def red_orders() -> list[tuple[str, dict, str]]:
    line = {
        "skuId": "rs1",
        "skuName": "韩国 精华液",
        "itemId": "ri1",
        "skuQuantity": 2,
        "totalPaidAmount": 25800,
        "totalMerchantDiscount": 1000,
        "totalRedDiscount": 500,
        "noteId": "65a1b2c3d4e5f6a7b8c9d0e1",
        "kolId": "red_kol_1",
    }
    o1 = {
        "orderId": "P7000000000000001",
        "orderStatus": 7,
        "orderType": 1,
        "createdTime": unix_ms("2026-11-02 10:00:00"),
        "paidTime": unix_ms("2026-11-02 10:01:00"),
        "updateTime": unix_ms("2026-11-08 10:00:00"),
        "deliveryTime": unix_ms("2026-11-03 10:00:00"),
        "finishTime": unix_ms("2026-11-08 10:00:00"),
        "totalPayAmount": 25800,
        "totalShippingFree": 0,
        "totalMerchantDiscount": 1000,
        "totalRedDiscount": 500,
        "logisticsMode": 2,
        "customsCode": "2244",
        "user_token": tok(500),
        "customerRemark": "",
        "skuList": [line],
        "receiver": {
            "receiverName": "李*",
            "receiver_phone_token": PHONE_B,
            "receiverProvinceName": "广东",
            "receiverCityName": "广州",
            "declare": {
                "buyerName": "李*",
                "buyer_phone_token": PHONE_B,
                "buyer_id_token": tok(301),
                "buyer_id_is_valid": True,
                "buyer_id_is_under_14": False,
                "buyer_id_age_band": "35-44",
            },
        },
    }
    o2 = dict(
        o1,
        orderId="P7000000000000002",
        orderStatus=4,
        logisticsMode=1,
        customsCode="",
        createdTime=unix_ms("2026-11-06 10:00:00"),
        paidTime=unix_ms("2026-11-06 10:01:00"),
        updateTime=unix_ms("2026-11-06 10:01:00"),
        deliveryTime=0,
        finishTime=0,
        totalPayAmount=12900,
        skuList=[
            dict(
                line,
                skuId="rs2",
                itemId="ri2",
                skuName="国产 洗面奶",
                skuQuantity=1,
                totalPaidAmount=12900,
                noteId="",
                kolId="",
            )
        ],
        receiver={
            "receiverName": "张*",
            "receiver_phone_token": PHONE_C,
            "receiverProvinceName": "北京",
            "receiverCityName": "北京",
            "declare": None,
        },
    )
    # A RED-note order from a buyer recruited on WeCom by a live room: credit stays with the note, never the room.
    o3 = dict(
        o2,
        orderId="P7000000000000003",
        orderStatus=7,
        logisticsMode=1,
        createdTime=unix_ms("2026-11-06 12:00:00"),
        paidTime=unix_ms("2026-11-06 12:01:00"),
        updateTime=unix_ms("2026-11-07 12:01:00"),
        totalPayAmount=8800,
        skuList=[dict(line, skuId="rs3", itemId="ri3", skuName="国产 洗面奶", skuQuantity=1, totalPaidAmount=8800)],
        receiver=dict(o2["receiver"], receiver_phone_token=PHONE_A),
    )
    return [
        ("P7000000000000001", o1, "2026-11-08 11:00:00"),
        ("P7000000000000002", o2, "2026-11-06 11:00:00"),
        ("P7000000000000003", o3, "2026-11-07 13:00:00"),
    ]


def red_aftersales() -> list[tuple[str, dict, str]]:
    """RED 售后 by order and SKU: a completed return-and-refund of ¥50 on P...01 (then re-extracted), and a
    rejected refund-only request that refunds nothing."""
    done = {
        "returnsId": "R100000000000000001",
        "orderId": "P7000000000000001",
        "skuId": "rs1",
        "returnType": 1,
        "status": 2,
        "refundFee": 5000,
        "applyTime": unix_ms("2026-11-05 09:00:00"),
        "updateTime": unix_ms("2026-11-05 09:00:00"),
        "refundTime": 0,
        "reason": "尺码不合适",
    }
    refunded = dict(
        done, status=3, updateTime=unix_ms("2026-11-07 09:00:00"), refundTime=unix_ms("2026-11-07 09:00:00")
    )
    rejected = dict(done, returnsId="R100000000000000002", returnType=3, status=4, refundFee=0)
    return [
        ("R100000000000000001", done, "2026-11-05 10:00:00"),
        ("R100000000000000001", refunded, "2026-11-07 10:00:00"),
        ("R100000000000000002", rejected, "2026-11-05 10:00:00"),
    ]


def customs_declarations() -> list[tuple[str, dict, str]]:
    d1 = {
        "orderNo": "6900000000000000003",
        "platform": "douyin",
        "ebpCode": "E1",
        "ebcCode": "C1",
        "tradeMode": "1210",
        "customsCode": "2244",
        "orderDocTime": compact("2026-11-03 08:10:00"),
        "paymentDocTime": compact("2026-11-03 08:11:00"),
        "waybillDocTime": compact("2026-11-03 08:12:00"),
        "invtDocTime": compact("2026-11-03 08:20:00"),
        "logisticsNo": "SF001",
        "payCode": "P1",
        "payment_no_token": tok(203),
        "buyerName": "王*",
        "buyerIdType": "1",
        "buyer_id_token": tok(300),
        "buyer_id_is_valid": True,
        "buyer_id_is_under_14": False,
        "buyer_id_age_band": "25-34",
        "buyer_phone_token": PHONE_A,
        "payer_id_token": tok(300),
        "totalPrice": "399.00",
        "freight": "6.00",
        "taxTotal": "36.31",
        "currency": "142",
        "grossWeight": "1.2",
    }
    d2 = dict(
        d1,
        orderNo="P7000000000000001",
        platform="red",
        tradeMode="9610",
        logisticsNo="EMS002",
        paymentDocTime="",
        payment_no_token=None,
        buyer_id_token=tok(301),
        payer_id_token=tok(302),
        buyer_phone_token=PHONE_B,
        totalPrice="5,258.00",
        invtDocTime=compact("2026-11-02 11:00:00"),
        orderDocTime=compact("2026-11-02 10:30:00"),
        waybillDocTime=compact("2026-11-02 10:40:00"),
    )
    d3 = dict(
        d1,
        orderNo="6900000000000000010",
        logisticsNo="SF010",
        payment_no_token=tok(200),
        totalPrice="300.00",
        taxTotal="27.85",
        orderDocTime=compact("2026-11-01 08:10:00"),
        paymentDocTime=compact("2026-11-01 08:11:00"),
        waybillDocTime=compact("2026-11-01 08:12:00"),
        invtDocTime=compact("2026-11-01 08:20:00"),
    )
    return [
        ("6900000000000000003", d1, "2026-11-04 00:00:00"),
        ("P7000000000000001", d2, "2026-11-04 00:00:00"),
        ("6900000000000000010", d3, "2026-11-04 00:00:00"),
    ]


def customs_receipts() -> list[tuple[str, dict, str]]:
    rows = []
    spec = (
        ("g1", "6900000000000000003", "120", "2026-11-03 09:00:00"),
        ("g2", "6900000000000000003", "399", "2026-11-03 12:00:00"),
        ("g3", "6900000000000000003", "800", "2026-11-03 13:00:00"),
        ("g4", "P7000000000000001", "120", "2026-11-02 12:00:00"),
        ("g5", "P7000000000000001", "500", "2026-11-02 13:00:00"),
        ("g6", "P7000000000000001", "800", "2026-11-02 18:00:00"),
        ("g7", "6900000000000000010", "120", "2026-11-01 09:00:00"),
        ("g8", "6900000000000000010", "700", "2026-11-01 15:00:00"),
    )
    for guid, order_no, status, at in spec:
        rec = {
            "guid": guid,
            "orderNo": order_no,
            "invtNo": f"I{order_no[-4:]}",
            "copNo": "cop",
            "preNo": "pre",
            "returnStatus": status,
            "returnTime": compact(at) + "123",
            "returnInfo": "[身份证号] 审核通过",
        }
        rows.append((guid, rec, "2026-11-04 00:00:00"))
    return rows


def logistics_events() -> list[tuple[str, dict, str]]:
    rows = []
    spec = (
        ("e1", "SF001", "6900000000000000003", "WAREHOUSE_OUT", "2026-11-03 15:00:00"),
        ("e2", "SF001", "6900000000000000003", "DELIVERED", "2026-11-05 10:02:00"),
        ("e3", "EMS002", "P7000000000000001", "WAREHOUSE_OUT", "2026-11-02 10:20:00"),
        ("e5", "EMS002", "P7000000000000001", "ARRIVED_PORT", "2026-11-02 10:50:00"),
        ("e4", "EMS002", "P7000000000000001", "DELIVERED", "2026-11-07 10:01:00"),
    )
    for event_id, waybill, order_no, code, at in spec:
        rec = {
            "event_id": event_id,
            "logisticsNo": waybill,
            "orderNo": order_no,
            "carrier": "SF",
            "event_code": code,
            "event_time": at,
            "city": "上海",
            "remark": "",
        }
        rows.append((event_id, rec, "2026-11-08 00:00:00"))
    return rows


def wecom_contacts() -> list[tuple[str, dict, str]]:
    rec = {
        "external_contact": {"external_user_token": tok(600), "type": 1, "unionid_token": tok(700)},
        "follow_info": {
            "userid": "staff1",
            "remark": "",
            "description": "",
            "createtime": unix_s("2026-11-05 07:00:00"),
            "tag_id": ["t1"],
            "remark_mobile_tokens": [PHONE_C],
            "add_way": 1,
            "state": "note_65a1b2c3d4e5f6a7b8c9d0e1",
        },
    }
    rec2 = {
        "external_contact": {"external_user_token": tok(601), "type": 1, "unionid_token": None},
        "follow_info": {
            "userid": "staff1",
            "remark": "",
            "description": "",
            "createtime": unix_s("2026-10-20 07:00:00"),
            "tag_id": [],
            "remark_mobile_tokens": [PHONE_A],
            "add_way": 1,
            "state": "live_7300000000000000001",
        },
    }
    rec3 = {
        "external_contact": {"external_user_token": tok(602), "type": 1, "unionid_token": None},
        "follow_info": dict(
            rec2["follow_info"],
            createtime=unix_s("2026-10-01 07:00:00"),
            remark_mobile_tokens=[PHONE_E],
            state="",
        ),
    }
    # WeCom adds with room 1's code: one inside [start, start + 7 days), one after it (METRICS.md §5.1).
    in_window = {
        "external_contact": {"external_user_token": tok(603), "type": 1, "unionid_token": None},
        "follow_info": dict(
            rec2["follow_info"], createtime=unix_s("2026-11-02 10:00:00"), remark_mobile_tokens=[], userid="staff2"
        ),
    }
    late = {
        "external_contact": {"external_user_token": tok(604), "type": 1, "unionid_token": None},
        "follow_info": dict(rec2["follow_info"], createtime=unix_s("2026-11-09 10:00:00"), remark_mobile_tokens=[]),
    }
    return [
        (tok(603), in_window, "2026-11-08 00:00:00"),
        (tok(604), late, "2026-11-09 11:00:00"),
        (tok(600), rec, "2026-11-08 00:00:00"),
        (tok(601), rec2, "2026-11-08 00:00:00"),
        (tok(602), rec3, "2026-11-08 00:00:00"),
    ]


def wecom_group_chats() -> list[tuple[str, dict, str]]:
    rec = {
        "chat_id": "wr1",
        "name": "会员福利群",
        "owner": "staff1",
        "create_time": unix_s("2026-10-01 10:00:00"),
        "member_list": [
            {"external_user_token": tok(600), "type": 2, "join_time": unix_s("2026-11-05 08:00:00"), "join_scene": 3},
            {"external_user_token": tok(601), "type": 2, "join_time": unix_s("2026-10-21 08:00:00"), "join_scene": 1},
        ],
    }
    return [("wr1", rec, "2026-11-08 00:00:00")]


def crm_members() -> list[tuple[str, dict, str]]:
    rec = {
        "member_id": "M001",
        "mobile_token": PHONE_C,
        "age_band": "25-34",
        "tier": "金卡",
        "points": "１２００",
        "joined_at": "2026/11/05 08:00:00",
        "join_channel": "wecom",
        "marketing_consent": "是",
        "crossborder_consent": "否",
        "id_token": None,
        "external_user_token": tok(600),
        "remark": "",
    }
    rec2 = dict(
        rec,
        member_id="M002",
        mobile_token=PHONE_A,
        tier="普通",
        marketing_consent="否",
        crossborder_consent="是",
        external_user_token=tok(601),
        joined_at="2026-10-20 08:00:00",
    )
    rec3 = dict(rec, member_id="M003", mobile_token=PHONE_D, external_user_token=None, joined_at="2020-05-01 10:00:00")
    return [
        ("M001", rec, "2026-11-08 00:00:00"),
        ("M002", rec2, "2026-11-08 00:00:00"),
        ("M003", rec3, "2026-11-08 00:00:00"),
    ]


BUILDERS = {name: globals()[name] for name in TABLES}


def build_raw_fixture(path: Path, loaded_until: str | None = None) -> Path:
    """Write the fixture raw DuckDB file at `path` (15 raw tables, schema main) and return the path.

    `loaded_until` ('yyyy-MM-dd HH:mm:ss' local) keeps only the versions extracted by then, to replay
    late-arriving data: build once with an early cut-off, then with everything.
    """
    import duckdb
    import pyarrow as pa

    cutoff = _cn(loaded_until).astimezone(UTC) if loaded_until else None
    con = duckdb.connect(str(path))
    try:
        for table in TABLES:
            rows = []
            for line, (key, record, interval_end) in enumerate(BUILDERS[table](), start=1):
                end = _cn(interval_end).astimezone(UTC)
                if cutoff is None or end <= cutoff:
                    rows.append(
                        {
                            "record": json.dumps(record, ensure_ascii=False),
                            "record_key": key,
                            "_source_file": f"{table}.jsonl",
                            "_file_sha256": "0" * 64,
                            "_line_number": line,
                            "_partition": f"{table}/fixture",
                            "_interval_start": end - timedelta(hours=1),
                            "_interval_end": end,
                            "_run_id": "fixture",
                            "_loaded_at": end,
                        }
                    )
            schema = pa.schema(
                [
                    ("record", pa.string()),
                    ("record_key", pa.string()),
                    ("_source_file", pa.string()),
                    ("_file_sha256", pa.string()),
                    ("_line_number", pa.int64()),
                    ("_partition", pa.string()),
                    ("_interval_start", pa.timestamp("us", "UTC")),
                    ("_interval_end", pa.timestamp("us", "UTC")),
                    ("_run_id", pa.string()),
                    ("_loaded_at", pa.timestamp("us", "UTC")),
                ]
            )
            batch = pa.Table.from_pylist(rows, schema=schema)
            con.register("batch", batch)
            con.execute(
                f"""create or replace table main.{table} as
                    select record::json as record, record_key, _source_file, _file_sha256, _line_number, _partition,
                        _interval_start::timestamptz as _interval_start, _interval_end::timestamptz as _interval_end,
                        _run_id, _loaded_at::timestamptz as _loaded_at
                    from batch"""
            )
            con.unregister("batch")
    finally:
        con.close()
    return path
