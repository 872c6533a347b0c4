"""Shop order records in each platform's API shape: Douyin orders and refunds, RED orders and receivers."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cc_warehouse_demo.datagen import arrays as A
from cc_warehouse_demo.datagen import freetext as T
from cc_warehouse_demo.datagen.calendar import DAY_S, Window
from cc_warehouse_demo.datagen.content import CREATOR, LiveSessions, Pieces
from cc_warehouse_demo.datagen.orders import CANCELLED, DOUYIN, LIVE, PAID, RED, UNPAID, VIDEO, Orders
from cc_warehouse_demo.datagen.population import REGIONS, SURNAMES, Catalog, Creators, Customers

DOUYIN_PAID_STATUSES = [105, 2, 101, 3, 5]
RED_PAID_STATUSES = [2, 3, 4, 5, 6, 7, 10]
DOMESTIC_SHOP_ID, CROSS_BORDER_SHOP_ID = 10001234, 10005678


@dataclass
class ShopTables:
    """Generated tables plus what was planted in them."""

    tables: dict[str, pa.Table]
    helpers: dict[str, pa.Table]
    planted_pii: dict[str, dict[str, int]] = field(default_factory=dict)
    planted_bad_rows: dict[str, int] = field(default_factory=dict)
    mixed_channel_orders: dict[str, str] = field(default_factory=dict)  # order id -> channel the order earns


def order_numbers(rng: np.random.Generator, orders: Orders) -> tuple[pa.Array, pa.Array]:
    """Platform order ids (Douyin 19 digits, RED `P` + 18 digits) and payment numbers (null if unpaid)."""
    n = orders.n
    dy = A.fixed_digits(A.unique_numbers(rng, n, 10**17) + 69 * 10**17, 19)
    red = A.concat("P", A.fixed_digits(A.unique_numbers(rng, n, 10**18), 18))
    order_no = pc.if_else(pa.array(orders.platform == DOUYIN), dy, red)
    pay_no = A.concat(
        "4200",
        A.fixed_digits(A.unique_numbers(rng, n, 10**18), 18),
        A.fixed_digits(rng.integers(0, 10**6, size=n), 6),
    )
    return order_no, A.null_where(pay_no, orders.pay_state != PAID)


def _mangle(ids: pa.Array) -> pa.Array:
    """What Excel does to a 19-digit id: `6.91234E+18`."""
    return A.concat(pc.utf8_slice_codeunits(ids, 0, 1), ".", pc.utf8_slice_codeunits(ids, 1, 6), "E+18")


def _struct(columns: dict[str, pa.Array], mask: np.ndarray | None = None) -> pa.StructArray:
    names = list(columns)
    null_mask = None if mask is None else pa.array(np.asarray(mask, dtype=bool))
    return pa.StructArray.from_arrays(list(columns.values()), names=names, mask=null_mask)


def _lists(offsets: np.ndarray, items: pa.StructArray) -> pa.ListArray:
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), items)


def _douyin_status(rng, o: Orders, sel: np.ndarray, window: Window) -> np.ndarray:
    n_lines = np.diff(o.line_offsets)[sel]
    ship, deliver, pay = o.ship_s[sel], o.deliver_s[sel], o.pay_s[sel]
    just_paid = pay >= window.end_s - 2 * 3600
    paid_status = np.select(
        [deliver > 0, (ship > 0) & (n_lines > 1) & (rng.random(sel.size) < 0.05), ship > 0, just_paid],
        [5, 101, 3, 105],
        2,
    )
    return np.select(
        [o.pay_state[sel] == UNPAID, o.pay_state[sel] == CANCELLED, o.returned[sel]], [1, 4, 4], paid_status
    )


def _red_status(rng, o: Orders, sel: np.ndarray, window: Window) -> np.ndarray:
    n_lines = np.diff(o.line_offsets)[sel]
    ship, deliver, pay = o.ship_s[sel], o.deliver_s[sel], o.pay_s[sel]
    paid_status = np.select(
        [
            (deliver > 0) & (rng.random(sel.size) < 0.01),
            deliver > 0,
            (ship > 0) & (n_lines > 1) & (rng.random(sel.size) < 0.05),
            ship > 0,
            o.cross_border[sel],
            pay >= window.end_s - 3600,
        ],
        [10, 7, 5, 6, 3, 2],
        4,
    )
    return np.select(
        [o.pay_state[sel] == UNPAID, o.pay_state[sel] == CANCELLED, o.returned[sel]], [1, 9, 8], paid_status
    )


def _update_s(o: Orders, sel: np.ndarray) -> np.ndarray:
    return np.max(np.stack([o.create_s[sel], o.pay_s[sel], o.ship_s[sel], o.deliver_s[sel], o.cancel_s[sel]]), axis=0)


def build_shop_tables(
    rng: np.random.Generator,
    o: Orders,
    window: Window,
    customers: Customers,
    catalog: Catalog,
    sessions: LiveSessions,
    videos: Pieces,
    notes: Pieces,
    dy_creators: Creators,
    red_creators: Creators,
    order_no: pa.Array,
    pay_no: pa.Array,
    pii_rate: float,
) -> ShopTables:
    """douyin.orders, douyin.refunds, red.orders and the cipher / receiver helper tables."""
    out = ShopTables({}, {})
    dy_orders, ciphers = _douyin_orders(
        rng, o, window, customers, catalog, sessions, videos, dy_creators, order_no, pay_no, pii_rate, out
    )
    out.tables["douyin.orders"] = dy_orders
    out.helpers["_douyin_cipher"] = ciphers
    out.tables["douyin.refunds"] = _douyin_refunds(rng, o, window, order_no, dy_orders, pii_rate, out)
    red_orders, receivers = _red_orders(
        rng, o, window, customers, catalog, notes, red_creators, order_no, pii_rate, out
    )
    out.tables["red.orders"] = red_orders
    out.helpers["_red_receivers"] = receivers
    out.tables["red.aftersales"] = _red_aftersales(rng, o, window, order_no, catalog, pii_rate, out)
    return out


def _line_columns(o: Orders, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Offsets of the selected orders' lines and the flat line index array."""
    starts, ends = o.line_offsets[sel], o.line_offsets[sel + 1]
    counts = ends - starts
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    line_idx = np.repeat(starts - offsets[:-1], counts) + np.arange(offsets[-1])
    return offsets, line_idx


def _douyin_orders(
    rng,
    o: Orders,
    window: Window,
    cu: Customers,
    catalog: Catalog,
    sessions: LiveSessions,
    videos: Pieces,
    creators: Creators,
    order_no,
    pay_no,
    pii_rate,
    out: ShopTables,
):
    sel = np.flatnonzero(o.platform == DOUYIN)
    n = sel.size
    cust = o.customer[sel]
    take_c = pa.array(cust)
    offsets, li = _line_columns(o, sel)
    line_order = np.repeat(sel, np.diff(offsets))
    k = li.size

    channel = o.channel[line_order]
    live = channel == LIVE
    video = channel == VIDEO
    creator = o.creator[line_order]
    piece = o.piece[line_order].copy()
    # Orders mixing channels across lines (METRICS.md §1.7: the first line carrying attribution wins): in
    # ~15% of attributed multi-line orders either the later lines come from a short video (live orders), or
    # the first line is a plain shop item without attribution.
    counts = np.diff(offsets)
    position = np.arange(k) - np.repeat(offsets[:-1], counts)
    mixed_order = (rng.random(n) < 0.15) & (counts > 1) & np.isin(o.channel[sel], [LIVE, VIDEO])
    later_video = mixed_order & (o.channel[sel] == LIVE) & (rng.random(n) < 0.5) & (videos.creator.size > 0)
    to_video = np.repeat(later_video, counts) & (position >= 1)
    blank = np.repeat(mixed_order & ~later_video, counts) & (position == 0)
    piece[to_video] = rng.integers(0, max(videos.creator.size, 1), size=int(to_video.sum()))
    creator = np.where(to_video, videos.creator[np.minimum(piece, videos.creator.size - 1)], creator)
    live, video = live & ~to_video & ~blank, (video | to_video) & ~blank
    creator = np.where(blank, -1, creator)
    out.mixed_channel_orders = {
        order_no[int(i)].as_py(): "douyin_live" if o.channel[i] == LIVE else "douyin_short_video"
        for i in sel[mixed_order]
    }
    author_id = np.where(
        creator >= 0, np.asarray(creators.ids.take(pa.array(np.maximum(creator, 0))).cast(pa.int64())), 0
    )
    author_name = A.pick(["", *creators.names], creator + 1)
    room = A.null_where(sessions.room_id.take(pa.array(np.maximum(o.session[line_order], 0))), ~live)
    room = pc.fill_null(room, "")
    vid = pc.fill_null(A.null_where(videos.ids.take(pa.array(np.maximum(piece, 0))), ~video), "")
    sku_lines = _struct(
        {
            "sku_order_id": A.fixed_digits(A.unique_numbers(rng, k, 10**17) + 69 * 10**17, 19),
            "product_id_str": catalog.product_ids.take(pa.array(o.line_product[li])),
            "product_name": A.pick(catalog.names, o.line_product[li]),
            "sku_id": catalog.sku_ids.take(pa.array(o.line_product[li])),
            "item_num": pa.array(o.line_qty[li]),
            "origin_amount": pa.array(o.line_origin[li]),
            "pay_amount": pa.array(o.line_pay[li]),
            "promotion_shop_amount": pa.array(o.line_promo_shop[li]),
            "promotion_platform_amount": pa.array(o.line_promo_platform[li]),
            "promotion_talent_amount": pa.array(o.line_promo_talent[li]),
            "author_id": pa.array(author_id, pa.int64()),
            "author_name": author_name,
            "room_id_str": room,
            "video_id": vid,
            "content_id": pc.if_else(pa.array(live), room, vid),
            "theme_type": pa.array(np.where(live, 1, 0)),
            "c_biz": pa.array(np.where(o.mode[line_order] == CREATOR, 2, 8)),
            "ad_env_type": A.pick(["", "live", "video"], np.select([live, video], [1, 2], 0)),
            "is_cross_border": pa.array(o.cross_border[line_order]),
        }
    )
    status = _douyin_status(rng, o, sel, window)
    cb = o.cross_border[sel]
    tel_c = A.concat("#", A.random_hex(rng, n, 40), "#")
    name_c = A.concat("#", A.random_hex(rng, n, 40), "#")
    addr_c = A.concat("#", A.random_hex(rng, n, 48), "#")
    phone = cu.phone.take(take_c)
    name = cu.name.take(take_c)
    region = cu.region[cust]
    post_addr = _struct(
        {
            "province": _struct(
                {
                    "id": A.pick([str(r[0]) for r in REGIONS], region),
                    "name": A.pick([r[1] for r in REGIONS], region),
                }
            ),
            "city": _struct(
                {
                    "id": A.pick([str(r[2]) for r in REGIONS], region),
                    "name": A.pick([r[3] for r in REGIONS], region),
                }
            ),
            "town": A.pick([d for r in REGIONS for d in r[5]], region * 3 + cu.district[cust]),
            "encrypt_detail": addr_c,
        }
    )
    words, planted = T.plant(rng, T.choose(rng, T.BUYER_WORDS, n), pii_rate, T.intl_phone(rng, phone), "电话")
    out.planted_pii.setdefault("douyin.orders", {})["buyer_words"] = planted
    ids = order_no.take(pa.array(sel))
    bad = o.is_bad[sel]
    mangled = bad & (rng.random(n) < 0.5)
    ids = A.null_where(pc.if_else(pa.array(mangled), _mangle(ids), ids), bad & ~mangled)
    out.planted_bad_rows["douyin.orders"] = int(bad.sum())
    promo = [o.order_sum(x)[sel] for x in (o.line_promo_shop, o.line_promo_platform, o.line_promo_talent)]
    table = pa.table(
        {
            "order_id": ids,
            "shop_id": pa.array(np.where(cb, CROSS_BORDER_SHOP_ID, DOMESTIC_SHOP_ID)),
            "order_status": pa.array(status),
            "create_time": pa.array(o.create_s[sel]),
            "pay_time": pa.array(o.pay_s[sel]),
            "update_time": pa.array(_update_s(o, sel)),
            "finish_time": pa.array(o.deliver_s[sel]),
            "order_amount": pa.array(o.order_sum(o.line_origin)[sel] + o.post_amount[sel] + o.tax_amount[sel]),
            "pay_amount": pa.array(o.total_pay[sel]),
            "post_amount": pa.array(o.post_amount[sel]),
            "promotion_amount": pa.array(promo[0] + promo[1] + promo[2]),
            "promotion_shop_amount": pa.array(promo[0]),
            "promotion_platform_amount": pa.array(promo[1]),
            "promotion_talent_amount": pa.array(promo[2]),
            "tax_amount": pa.array(o.tax_amount[sel]),
            "biz": pa.array(o.cb_code[sel]),
            "b_type": pa.array(np.where(rng.random(n) < 0.8, 2, 11)),
            "doudian_open_id": A.concat("1@#", A.fixed_digits(cust, 8), A.random_hex(rng, n, 24)),
            "encrypt_post_tel": tel_c,
            "encrypt_post_receiver": name_c,
            "mask_post_tel": A.concat("1********", pc.utf8_slice_codeunits(phone, 9, 11)),
            "mask_post_receiver": A.concat(A.pick(SURNAMES, cu.surname[cust]), "**"),
            "post_addr": post_addr,
            "buyer_words": words,
            "channel_payment_no": pay_no.take(pa.array(sel)),
            "user_id_info": _struct({"id_card_no": cu.id_number.take(take_c), "id_card_name": name}, mask=~cb),
            "sku_order_list": _lists(offsets, sku_lines),
        }
    )
    address = A.concat(A.pick([r[3] for r in REGIONS], region), cu.address.take(take_c))
    ciphers = pa.table(
        {
            "cipher_text": pa.concat_arrays([tel_c, name_c, addr_c]),
            "decrypt_text": pa.concat_arrays([phone, name, address]),
        }
    )
    return table, ciphers


def _douyin_refunds(
    rng, o: Orders, window: Window, order_no, dy_orders: pa.Table, pii_rate, out: ShopTables
) -> pa.Table:
    sel = np.flatnonzero((o.platform == DOUYIN) & (o.pay_state == PAID) & ~o.is_bad & ~o.returned)
    sel = sel[rng.random(sel.size) < 0.06]
    apply = o.pay_s[sel] + rng.integers(3600, 5 * DAY_S, size=sel.size)
    sel, apply = sel[apply < window.end_s], apply[apply < window.end_s]
    n = sel.size
    first_line = o.line_offsets[sel]
    status = rng.choice([12, 6, 27, 28], size=n, p=[0.7, 0.15, 0.08, 0.07])
    refund_time = apply + rng.integers(3600, 3 * DAY_S, size=n)
    status = np.where((status == 12) & (refund_time >= window.end_s), 6, status)
    refund_time = np.where(status == 12, refund_time, 0)
    update = np.where(status == 12, refund_time, np.minimum(apply + rng.integers(60, DAY_S, size=n), window.end_s - 1))
    # the line's sku_order_id as published in douyin.orders
    dy_index = np.searchsorted(np.flatnonzero(o.platform == DOUYIN), sel)
    line_ids = pc.list_flatten(dy_orders.column("sku_order_list").combine_chunks()).field("sku_order_id")
    dy_offsets = dy_orders.column("sku_order_list").combine_chunks().offsets.to_numpy()
    reasons, planted = T.plant(
        rng, T.choose(rng, T.REFUND_REASONS, n), pii_rate, T.bank_cards(rng, n), "，退款请打到卡号"
    )
    out.planted_pii.setdefault("douyin.refunds", {})["reason_text"] = planted
    return pa.table(
        {
            "aftersale_id": A.fixed_digits(A.unique_numbers(rng, n, 10**17) + 71 * 10**17, 19),
            "order_id": order_no.take(pa.array(sel)),
            "sku_order_id": line_ids.take(pa.array(dy_offsets[dy_index])),
            "aftersale_type": pa.array(np.where(o.ship_s[sel] > 0, rng.choice([1, 2], size=n, p=[0.9, 0.1]), 0)),
            "aftersale_status": pa.array(status),
            "refund_amount": pa.array(np.where(np.isin(status, [12, 6]), o.line_pay[first_line], 0)),
            "apply_time": pa.array(apply),
            "update_time": pa.array(update),
            "refund_time": pa.array(refund_time),
            "reason_text": reasons,
        }
    )


RED_RETURN_AND_REFUND, RED_EXCHANGE, RED_REFUND_ONLY = 1, 2, 3
RED_AFTERSALE_REFUNDED = 3  # 1 pending, 2 processing, 3 refunded (completed), 4 rejected, 5 closed


def _red_aftersales(rng, o: Orders, window: Window, order_no, catalog: Catalog, pii_rate, out: ShopTables) -> pa.Table:
    """red.aftersales (售后): ~7% of paid RED orders, one record per refunded SKU line; 40% of them cover every
    line of the order (full refunds). Return-and-refund only once shipped; exchanges refund nothing."""
    sel = np.flatnonzero((o.platform == RED) & (o.pay_state == PAID) & ~o.is_bad & ~o.returned)
    sel = sel[rng.random(sel.size) < 0.07]
    apply = o.pay_s[sel] + rng.integers(3600, 7 * DAY_S, size=sel.size)
    sel, apply = sel[apply < window.end_s], apply[apply < window.end_s]
    lines = o.line_offsets[sel + 1] - o.line_offsets[sel]
    counts = np.where(rng.random(sel.size) < 0.4, lines, 1)
    rec_order = np.repeat(sel, counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    line = np.repeat(o.line_offsets[sel], counts) + np.arange(counts.sum()) - first
    apply = np.repeat(apply, counts)
    m = rec_order.size
    kind = np.where(
        o.ship_s[rec_order] > 0,
        rng.choice([RED_RETURN_AND_REFUND, RED_EXCHANGE, RED_REFUND_ONLY], size=m, p=[0.6, 0.1, 0.3]),
        RED_REFUND_ONLY,
    )
    status = rng.choice([RED_AFTERSALE_REFUNDED, 2, 4, 5], size=m, p=[0.7, 0.15, 0.08, 0.07])
    refund_time = apply + rng.integers(3600, 3 * DAY_S, size=m)
    status = np.where((status == RED_AFTERSALE_REFUNDED) & (refund_time >= window.end_s), 2, status)
    refund_time = np.where(status == RED_AFTERSALE_REFUNDED, refund_time, 0)
    update = np.where(
        status == RED_AFTERSALE_REFUNDED,
        refund_time,
        np.minimum(apply + rng.integers(60, DAY_S, size=m), window.end_s - 1),
    )
    fee = np.where((kind != RED_EXCHANGE) & np.isin(status, [RED_AFTERSALE_REFUNDED, 2]), o.line_pay[line], 0)
    reasons, planted = T.plant(
        rng, T.choose(rng, T.REFUND_REASONS, m), pii_rate, T.bank_cards(rng, m), "，退款请打到卡号"
    )
    out.planted_pii.setdefault("red.aftersales", {})["reason"] = planted
    ms = rng.integers(0, 1000, size=m)
    return pa.table(
        {
            "returnsId": A.concat("R", A.fixed_digits(A.unique_numbers(rng, m, 10**17) + 10**17, 18)),
            "orderId": order_no.take(pa.array(rec_order)),
            "skuId": catalog.sku_ids.take(pa.array(o.line_product[line])),
            "returnType": pa.array(kind),
            "status": pa.array(status),
            "refundFee": pa.array(fee),
            "applyTime": pa.array(apply * 1000 + ms),
            "updateTime": pa.array(update * 1000 + ms),
            "refundTime": pa.array(np.where(refund_time > 0, refund_time * 1000 + ms, 0)),
            "reason": reasons,
        }
    )


def _red_orders(
    rng,
    o: Orders,
    window: Window,
    cu: Customers,
    catalog: Catalog,
    notes: Pieces,
    creators: Creators,
    order_no,
    pii_rate,
    out: ShopTables,
):
    sel = np.flatnonzero(o.platform == RED)
    n = sel.size
    cust = o.customer[sel]
    take_c = pa.array(cust)
    offsets, li = _line_columns(o, sel)
    line_order = np.repeat(sel, np.diff(offsets))
    seeded = o.piece[line_order] >= 0
    note_id = A.null_where(notes.ids.take(pa.array(np.maximum(o.piece[line_order], 0))), ~seeded)
    has_kol = o.creator[line_order] >= 0
    kol_id = A.null_where(creators.ids.take(pa.array(np.maximum(o.creator[line_order], 0))), ~has_kol)
    sku_list = _struct(
        {
            "skuId": catalog.sku_ids.take(pa.array(o.line_product[li])),
            "skuName": A.pick(catalog.names, o.line_product[li]),
            "itemId": catalog.product_ids.take(pa.array(o.line_product[li])),
            "skuQuantity": pa.array(o.line_qty[li]),
            "totalPaidAmount": pa.array(o.line_pay[li]),
            "totalMerchantDiscount": pa.array(o.line_promo_shop[li]),
            "totalRedDiscount": pa.array(o.line_promo_platform[li]),
            "noteId": note_id,
            "kolId": kol_id,
        }
    )
    ms = rng.integers(0, 1000, size=n)

    def to_ms(secs: np.ndarray) -> pa.Array:
        return pa.array(np.where(secs > 0, secs * 1000 + ms, 0))

    cb = o.cross_border[sel]
    remark, planted = T.plant(
        rng, T.choose(rng, T.CUSTOMER_REMARKS, n), pii_rate, cu.id_number.take(take_c), "，身份证"
    )
    out.planted_pii.setdefault("red.orders", {})["customerRemark"] = planted
    bad = o.is_bad[sel]
    out.planted_bad_rows["red.orders"] = int(bad.sum())
    open_address_id = A.random_hex(rng, n, 32)
    table = pa.table(
        {
            "orderId": A.null_where(order_no.take(pa.array(sel)), bad),
            "orderStatus": pa.array(_red_status(rng, o, sel, window)),
            "orderType": pa.array(np.where(rng.random(n) < 0.05, 2, 1)),
            "createdTime": to_ms(o.create_s[sel]),
            "paidTime": to_ms(o.pay_s[sel]),
            "updateTime": to_ms(_update_s(o, sel)),
            "deliveryTime": to_ms(o.ship_s[sel]),
            "finishTime": to_ms(o.deliver_s[sel]),
            "totalPayAmount": pa.array(o.total_pay[sel]),
            "totalShippingFree": pa.array(o.post_amount[sel]),
            "totalMerchantDiscount": pa.array(o.order_sum(o.line_promo_shop)[sel]),
            "totalRedDiscount": pa.array(o.order_sum(o.line_promo_platform)[sel]),
            "logisticsMode": pa.array(o.cb_code[sel]),
            "customsCode": A.pick(["", "5165", "2244"], np.where(cb, np.where(o.trade_mode[sel] == 1210, 1, 2), 0)),
            "openAddressId": open_address_id,
            "userId": A.concat("5f", A.fixed_digits(cust, 8), A.random_hex(rng, n, 14)),
            "customerRemark": remark,
            "skuList": _lists(offsets, sku_list),
        }
    )
    region = cu.region[cust]
    name, phone, id_number = cu.name.take(take_c), cu.phone.take(take_c), cu.id_number.take(take_c)
    photo = A.concat("https://img.example.com/idcard/", A.random_hex(rng, n, 16))
    receivers = pa.table(
        {
            "openAddressId": open_address_id,
            "receiverName": name,
            "receiverPhone": phone,
            "receiverProvinceName": A.pick([r[1] for r in REGIONS], region),
            "receiverCityName": A.pick([r[3] for r in REGIONS], region),
            "receiverDistrictName": A.pick([d for r in REGIONS for d in r[5]], region * 3 + cu.district[cust]),
            "receiverAddress": cu.address.take(take_c),
            "declare": _struct(
                {
                    "buyerName": name,
                    "buyerPhone": phone,
                    "idNumber": id_number,
                    "idCardFrontUrl": A.concat(photo, "_front.jpg"),
                    "idCardBackUrl": A.concat(photo, "_back.jpg"),
                },
                mask=~cb,
            ),
        }
    )
    return table, receivers
