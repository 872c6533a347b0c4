"""Independent truth for ../shared/domain/METRICS.md, computed in plain Python from the generator's records.

Reads only what the generator wrote (its per-entity Parquet files, helper tables, CRM CSV exports) and the
vars of dbt_project.yml that METRICS.md makes part of a definition. It never runs the project's SQL, dbt or
DuckDB: every rule is re-implemented here from METRICS.md, as simply as possible (loops over dicts), so a
mart that disagrees is wrong or this file is, and a reader can check this file against the spec line by line.

Identity: a customer is the receiver's phone number (the marts use its keyed token, a 1:1 map), a WeCom
contact its external_userid. Records the pipeline must quarantine (null or Excel-mangled order ids) are
left out, as the source contract says.

    python -m tests.truth.metrics_truth <generated data dir>   # prints the truth as JSON
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import yaml

CN = timezone(timedelta(hours=8))
DAY = 86400
PROJECT = Path(__file__).resolve().parents[2] / "dbt_project" / "dbt_project.yml"
DOUYIN_UNPAID, DOUYIN_CLOSED = {1}, {4}
RED_UNPAID, RED_CLOSED = {1}, {8, 9}
PENDING = {"数据将于第二天更新", "-", ""}
TIERED = ("head", "waist", "mid", "tail_koc")


def _vars() -> dict[str, Any]:
    return yaml.safe_load(PROJECT.read_text(encoding="utf-8"))["vars"]


def _rows(data: Path, entity: str) -> list[dict]:
    path = data / f"{entity}.parquet"
    return pq.read_table(path).to_pylist() if path.exists() else []


def _phone(value: Any) -> str | None:
    digits = re.sub(r"\D", "", str(value or ""))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if len(digits) == 11 else None


def _cn_date(ts: float) -> date:
    return datetime.fromtimestamp(ts, CN).date()


def _local(text: str) -> float:
    """A Shanghai wall-clock string 'YYYY-MM-DD HH:MM:SS' -> epoch seconds."""
    return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CN).timestamp()


def _yuan_fen(text: Any) -> int | None:
    """'¥4,073.34' / '1.2万' -> fen; pending placeholders -> None."""
    if text is None:
        return None
    s = str(text).strip().replace("¥", "").replace(",", "").replace(" ", "")
    if s in PENDING or s == "None":
        return None
    mult = 1
    if s.endswith(("万", "w")):
        s, mult = s[:-1], 10000
    whole, _, frac = s.partition(".")
    fen = int(whole or 0) * 100 + int((frac + "00")[:2])
    return fen * mult


def _count(text: Any) -> int | None:
    fen = _yuan_fen(text)
    return None if fen is None else fen // 100


def _ratio(num: float | None, den: float | None) -> float | None:
    return None if not den else num / den


# ----------------------------------------------------------------------------------------------- sources


def load_orders(data: Path) -> list[dict]:
    """Shop orders in one shape: id, platform, status class, instants (s), amounts (fen), lines, phone."""
    cipher = {r["cipher_text"]: r["decrypt_text"] for r in _rows(data, "_douyin_cipher")}
    receivers = {r["openAddressId"]: r["receiverPhone"] for r in _rows(data, "_red_receivers")}
    refunds: dict[str, int] = defaultdict(int)
    for r in _rows(data, "douyin.refunds"):
        if int(r["aftersale_status"]) == 12 and int(r["refund_time"] or 0) > 0:
            refunds[str(r["order_id"])] += int(r["refund_amount"])
    # RED after-sales (售后) by the same §1.4 / §7 rule: status 3 = refund succeeded, with a refund time (ms)
    for r in _rows(data, "red.aftersales"):
        if int(r["status"]) == 3 and int(r["refundTime"] or 0) > 0:
            refunds[str(r["orderId"])] += int(r["refundFee"])
    customs_returned = {str(r["orderNo"]) for r in _rows(data, "customs.receipts") if str(r["returnStatus"]) == "700"}
    orders = []
    for r in _rows(data, "douyin.orders"):
        oid = r["order_id"]
        if not oid or not re.fullmatch(r"\d{19}", str(oid)):
            continue
        status = int(r["order_status"])
        lines = [
            {
                "pay": int(li["pay_amount"]),
                "live": bool(li.get("room_id_str")) or li.get("theme_type") == 1 or li.get("ad_env_type") == "live",
                "room": li.get("room_id_str") or li.get("content_id") or None,
                "video": li.get("video_id") or li.get("content_id") or None,
                "creator": str(li["author_id"]) if li.get("author_id") else None,
            }
            for li in r["sku_order_list"] or []
        ]
        for li in lines:
            li["credit"] = (
                ("douyin_live", li["room"])
                if li["live"]
                else ("douyin_short_video", li["video"])
                if li["video"]
                else None
            )
        orders.append(
            {
                "id": str(oid),
                "platform": "douyin",
                "unpaid": status in DOUYIN_UNPAID,
                "closed": status in DOUYIN_CLOSED,
                "created": int(r["create_time"]),
                "paid_at": int(r["pay_time"]) or None,
                "pay": int(r["pay_amount"]),
                "goods": sum(li["pay"] for li in lines),
                "refund": refunds.get(str(oid), 0),
                "phone": _phone(cipher.get(r["encrypt_post_tel"])),
                "mode_hint": {21: "1210", 22: "9610", 23: "CC"}.get(int(r["biz"] or 0)),
                "lines": lines,
            }
        )
    for r in _rows(data, "red.orders"):
        oid = r["orderId"]
        if not oid or not re.fullmatch(r"P\d+", str(oid)):
            continue
        status = int(r["orderStatus"])
        lines = [
            {
                "pay": int(li["totalPaidAmount"]),
                "credit": ("red_note", li["noteId"]) if li.get("noteId") else None,
                "creator": li.get("kolId"),
            }
            for li in r["skuList"] or []
        ]
        paid_ms = int(r["paidTime"] or 0)
        orders.append(
            {
                "id": str(oid),
                "platform": "red",
                "unpaid": status in RED_UNPAID,
                "closed": status in RED_CLOSED,
                "created": int(r["createdTime"]) / 1000,
                "paid_at": paid_ms / 1000 if paid_ms else None,
                "pay": int(r["totalPayAmount"]),
                "goods": sum(li["pay"] for li in lines),
                "refund": refunds.get(str(oid), 0),
                "phone": _phone(receivers.get(r["openAddressId"])),
                "mode_hint": {2: "1210", 3: "9610", 4: "CC"}.get(int(r["logisticsMode"] or 0)),
                "lines": lines,
            }
        )
    for o in orders:
        # §1.4 O_paid: a pay time, status not unpaid / cancelled / closed, not returned by customs (CEB622 700)
        o["is_paid"] = bool(o["paid_at"]) and not o["unpaid"] and not o["closed"] and o["id"] not in customs_returned
        o["fully_refunded"] = bool(o["refund"]) and o["refund"] >= o["goods"]
        o["is_valid"] = o["is_paid"] and not o["fully_refunded"]
        o["paid_date"] = _cn_date(o["paid_at"]) if o["paid_at"] else None
    return orders


def load_contacts(data: Path) -> list[dict]:
    out = []
    for r in _rows(data, "wecom.contacts"):
        contact, follow = r["external_contact"] or {}, r["follow_info"] or {}
        if not contact.get("external_userid") or not follow.get("createtime"):
            continue
        out.append(
            {
                "external": contact["external_userid"],
                "staff": follow.get("userid"),
                "added": int(follow["createtime"]),
                "add_way": follow.get("add_way"),
                "state": follow.get("state") or "",
                "phones": [p for p in (_phone(m) for m in follow.get("remark_mobiles") or []) if p],
            }
        )
    return out


def load_crm_joins(data: Path) -> dict[str, float]:
    """phone -> earliest CRM 入会时间 (Shanghai wall clock) over every export file."""
    joins: dict[str, float] = {}
    for path in sorted((data / "crm_members").glob("*.csv")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        lines = text.splitlines()
        start = next(i for i, line in enumerate(lines) if "会员编号" in line)
        for row in csv.DictReader(io.StringIO("\n".join(lines[start:]))):
            phone, joined = _phone(row.get("手机号")), (row.get("入会时间") or "").strip()
            if phone and joined:
                at = _local(joined)
                joins[phone] = min(at, joins.get(phone, at))
    return joins


def load_group_members(data: Path) -> list[dict]:
    out = {}
    for chat in _rows(data, "wecom.group_chats"):
        for m in chat["member_list"] or []:
            if int(m["type"]) == 2 and m.get("userid"):
                key = (chat["chat_id"], m["userid"])
                out[key] = min(int(m["join_time"]), out.get(key, int(m["join_time"])))
    return [{"chat": c, "external": e, "joined": t} for (c, e), t in out.items()]


# ------------------------------------------------------------------------------------------------ truth


def compute(data: Path) -> dict[str, Any]:  # noqa: C901, PLR0912, PLR0915 - one pass per METRICS.md section
    v = _vars()
    orders = load_orders(data)
    contacts = load_contacts(data)
    crm = load_crm_joins(data)
    members = load_group_members(data)
    paid = [o for o in orders if o["is_paid"]]
    watermark = max(o["paid_at"] for o in paid)
    t: dict[str, Any] = {"order_watermark_at": watermark}

    # §1.8 private_since per phone: earliest WeCom add, CRM join, 社群 join (member -> contact -> phone)
    since: dict[str, float] = {}

    def _private(phone: str, at: float) -> None:
        since[phone] = min(at, since.get(phone, at))

    ext_phones: dict[str, set[str]] = defaultdict(set)
    for c in contacts:
        for p in c["phones"]:
            _private(p, c["added"])
            ext_phones[c["external"]].add(p)
    for p, at in crm.items():
        _private(p, at)
    for m in members:
        for p in ext_phones.get(m["external"], ()):
            _private(p, m["joined"])

    def domain(o: dict) -> str:
        if not o["phone"]:
            return "unknown"
        return "private" if since.get(o["phone"], float("inf")) <= o["created"] else "public"

    # §1.4 / §1.5 / §6.4 order metrics per platform
    for p in ("douyin", "red"):
        rows = [o for o in paid if o["platform"] == p]
        ident = [o for o in rows if o["phone"]]
        t[f"paid_orders.{p}"] = len(rows)
        t[f"gmv_fen.{p}"] = sum(o["pay"] for o in rows)
        t[f"net_revenue_fen.{p}"] = sum(o["pay"] - (o["refund"] or 0) for o in rows)
        t[f"aov_per_order.{p}"] = _ratio(sum(o["pay"] for o in rows) / 100, len(rows))
        t[f"gmv_per_buyer.{p}"] = _ratio(sum(o["pay"] for o in ident) / 100, len({o["phone"] for o in ident}))

    # §5.3 private_gmv_share (domain at created_at; unknown stays in the denominator)
    t["private_gmv_share"] = _ratio(sum(o["pay"] for o in paid if domain(o) == "private"), sum(o["pay"] for o in paid))

    # §1.7 attribution: platform path (first line with fields), else private-domain WeCom state credit
    adds_by_phone: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for c in contacts:
        for ph in c["phones"]:
            adds_by_phone[ph].append((c["added"], c["state"]))
    window = v["attribution_window_days"] * DAY
    for o in orders:
        o["channel"], o["content"], o["creator"] = "organic_unknown", None, None
        first = next((li for li in o["lines"] if li.get("credit")), None)
        if first:
            o["channel"], o["content"] = first["credit"]
            o["creator"], o["source"] = first.get("creator"), "platform"
        elif domain(o) == "private":
            o["channel"], o["source"] = "private_domain", "private_domain"
            prior = [a for a in adds_by_phone.get(o["phone"], []) if a[0] <= o["created"]]
            if prior:
                added, state = max(prior)
                if state.startswith(("live_", "note_")) and o["created"] < added + window:
                    o["content"], o["source"] = state.split("_", 1)[1], "private_domain_state"

    # §1.7 GMV by channel (and by paid day), §3 converted orders (platform path only), §6.3 orders per buyer
    by_channel: dict[str, int] = defaultdict(int)
    by_day_channel: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    converted: dict[str, int] = defaultdict(int)
    for o in paid:
        by_channel[o["channel"]] += o["pay"]
        cell = by_day_channel[f"{o['paid_date']}|{o['channel']}"]
        cell[0], cell[1], cell[2] = cell[0] + 1, cell[1] + o["pay"], cell[2] + (o["refund"] or 0)
        if o.get("source") == "platform":
            converted[o["channel"]] += 1
    t["gmv_fen_by_channel"] = dict(by_channel)
    t["paid_day_channel"] = dict(by_day_channel)
    t["converted_orders_by_type"] = dict(converted)
    per_domain: dict[str, list] = defaultdict(lambda: [0, set(), 0])
    for o in paid:
        if o["phone"]:
            cell = per_domain[domain(o)]
            cell[0] += 1
            cell[1].add(o["phone"])
            cell[2] += o["pay"]
    t["orders_per_buyer_by_domain"] = {k: c[0] / len(c[1]) for k, c in per_domain.items()}
    t["aov_per_order_by_domain"] = {k: c[2] / 100 / c[0] for k, c in per_domain.items()}
    t["gmv_per_buyer_by_domain"] = {k: c[2] / 100 / len(c[1]) for k, c in per_domain.items()}

    # §4.2 / §4.3 live rooms
    sessions = {}
    for r in _rows(data, "douyin.live_sessions"):
        if not r.get("room_id"):
            continue
        sessions[str(r["room_id"])] = {
            "anchor": str(r["anchor_id"]),
            "mode": r["broadcast_mode"],
            "start": _local(r["start_time"]),
            "views": _count(r["views"]),
            "viewers": _count(r["viewers"]),
            "buyers": _count(r["buyers"]),
            "gmv": _yuan_fen(r["gmv"]),
            "ad_spend": _yuan_fen(r["ad_spend"]) or 0,
            "interactions": _count(r["comments"]) + _count(r["shares"]),  # live: comments + shares (§2.1)
            "product_clicks": _count(r["product_clicks"]),
        }
    room_gmv: dict[str, int] = defaultdict(int)
    for o in paid:
        if o["channel"] == "douyin_live":
            room_gmv[o["content"]] += o["pay"]
    t["room_attributed_gmv_fen"] = {room: room_gmv.get(room, 0) for room in sessions}
    t["douyin_live_gmv_fen"] = sum(o["pay"] for o in paid if o["channel"] == "douyin_live")
    modes = {"自播": "self_broadcast", "达播": "creator", "代运营": "agency"}
    by_mode: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in sessions.values():
        m = by_mode[modes.get(s["mode"], "unknown")]
        if s["gmv"] is not None:  # settled rooms only, on both sides (A2, trap 2)
            m["gmv"] += s["gmv"]
            m["views"] += s["views"] or 0
            m["viewers"] += s["viewers"] or 0
        if s["buyers"] is not None:
            m["buyers"] += s["buyers"]
            m["buyer_viewers"] += s["viewers"] or 0
    mode_gmv: dict[str, int] = defaultdict(int)
    for room, s in sessions.items():
        mode_gmv[modes.get(s["mode"], "unknown")] += room_gmv.get(room, 0)
    # §4.4 live_mode_gmv_share: Σ attributed GMV of the mode's rooms / Σ attributed GMV of all rooms
    t["live_mode_gmv_share"] = {k: _ratio(g, sum(mode_gmv.values())) for k, g in mode_gmv.items()}
    t["gpm"] = {k: _ratio(m["gmv"] / 100 * 1000, m["views"]) for k, m in by_mode.items()}
    t["uv_value"] = {k: _ratio(m["gmv"] / 100, m["viewers"]) for k, m in by_mode.items()}
    t["live_conversion_rate"] = {k: _ratio(m["buyers"], m["buyer_viewers"]) for k, m in by_mode.items()}

    # §5.1 WeCom: new contacts per day (first add ever), adds per content within 7 days, add rates
    first_add: dict[str, tuple[float, str]] = {}
    for c in contacts:
        if c["external"] not in first_add or c["added"] < first_add[c["external"]][0]:
            first_add[c["external"]] = (c["added"], c["state"])
    per_day: dict[str, int] = defaultdict(int)
    for added, _ in first_add.values():
        per_day[_cn_date(added).isoformat()] += 1
    t["wecom_new_contacts_per_day"] = dict(per_day)
    first_state_add: dict[tuple[str, str], float] = {}
    for c in contacts:
        key = (c["external"], c["state"])
        if c["state"]:
            first_state_add[key] = min(c["added"], first_state_add.get(key, c["added"]))
    add_window = v["wecom_add_window_days"] * DAY

    def adds_for(code: str, start: float) -> int:
        return sum(1 for (_, st), at in first_state_add.items() if st == code and start <= at < start + add_window)

    t["room_wecom_adds"] = {room: adds_for(f"live_{room}", s["start"]) for room, s in sessions.items()}
    mature_rooms = [r for r, s in sessions.items() if s["start"] <= watermark - add_window and s["viewers"] is not None]
    t["wecom_add_rate"] = _ratio(
        sum(t["room_wecom_adds"][r] for r in mature_rooms), sum(sessions[r]["viewers"] for r in mature_rooms)
    )

    # seeding: content days (§2.1), notes' publish times, ad spend by tool
    notes: dict[str, dict] = {}
    days: list[dict] = []
    for r in _rows(data, "red.notes"):
        if not r.get("note_id"):
            continue
        note = notes.setdefault(
            r["note_id"], {"publish": int(r["publish_time"]) / 1000, "creator": r["creator_id"], "followers": {}}
        )
        if r.get("creator_followers") not in (None, "", "None"):
            note["followers"][r["stat_date"]] = _count(r["creator_followers"])
        parts = [_count(r[k]) for k in ("likes", "collects", "comments", "shares")]
        days.append(
            {
                "content": r["note_id"],
                "type": "red_note",
                "date": r["stat_date"],
                "exposures": _count(r["exposures"]),
                "reads": _count(r["reads"]),
                "interactions": None if None in parts else sum(parts),
                "product_clicks": _count(r["product_clicks"]),
                "ad_spend": _yuan_fen(r["ad_spend"]) or 0,
                "fee": _yuan_fen(r["cooperation_fee"]) or 0,
                "tool": "red_juguang_or_shutiao",
            }
        )
    for r in _rows(data, "douyin.videos"):
        if not r.get("video_id"):
            continue
        parts = [_count(r[k]) for k in ("likes", "collects", "comments", "shares")]
        days.append(
            {
                "content": r["video_id"],
                "type": "douyin_short_video",
                "date": r["stat_date"],
                "exposures": None,
                "reads": _count(r["plays"]),
                "interactions": None if None in parts else sum(parts),
                "product_clicks": _count(r["product_clicks"]),
                "ad_spend": int(r["ad_spend"] or 0),  # fen in the Douyin API
                "fee": 0,
                "tool": "douyin_video_dou_or_qianchuan",
            }
        )
    for room, s in sessions.items():
        days.append(
            {
                "content": room,
                "type": "douyin_live",
                "exposures": None,
                "reads": s["views"],
                "interactions": s["interactions"],
                "product_clicks": s["product_clicks"],
                "tool": "qianchuan",
                "ad_spend": s["ad_spend"],
                "fee": 0,
            }
        )
    # §3 funnel stages by content type over the whole period (Σ counters; orders by attribution path)
    content_type = {d["content"]: d["type"] for d in days}
    funnel: dict[str, dict[str, Any]] = defaultdict(lambda: defaultdict(int))
    for d in days:
        f = funnel[d["type"]]
        for k in ("reads", "interactions", "product_clicks"):
            f[k] += d[k] or 0
        if d["exposures"] is not None:
            f["exposures"] += d["exposures"]
            f["reads_with_exposures"] += d["reads"] or 0
    for o in paid:
        kind = content_type.get(o["content"])
        if kind and o.get("source") == "platform":
            funnel[kind]["converted_orders"] += 1
        elif kind and o.get("source") == "private_domain_state":
            funnel[kind]["private_domain_assisted_orders"] += 1
    t["funnel_by_type"] = {k: dict(f) for k, f in funnel.items()}
    t["click_rate"] = {
        k: _ratio(f["reads_with_exposures"], f["exposures"]) for k, f in funnel.items() if f["exposures"]
    }
    t["product_click_rate"] = {k: _ratio(f["product_clicks"], f["reads"]) for k, f in funnel.items()}
    live_eng: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for s in sessions.values():
        cell = live_eng[modes.get(s["mode"], "unknown")]
        cell[0] += s["interactions"]
        cell[1] += s["views"] or 0
    t["live_engagement_rate"] = {k: _ratio(*c) for k, c in live_eng.items()}
    spend_by_tool: dict[str, int] = defaultdict(int)
    for d in days:
        spend_by_tool[d["tool"]] += d["ad_spend"]
    t["ad_spend_fen_by_tool"] = dict(spend_by_tool)
    eng: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d in days:
        if d["type"] != "douyin_live" and d["interactions"] is not None and d["reads"] is not None:
            eng[d["type"]][0] += d["interactions"]
            eng[d["type"]][1] += d["reads"]
    t["engagement_rate"] = {k: _ratio(n, r) for k, (n, r) in eng.items()}

    # §5.1 note rate: adds within 7 days / reads of the same Shanghai days, mature notes only
    note_adds = note_reads = 0
    for nid, note in notes.items():
        if note["publish"] > watermark - add_window:
            continue
        first_day = _cn_date(note["publish"])
        reads = [
            d["reads"]
            for d in days
            if d["content"] == nid and first_day <= date.fromisoformat(d["date"]) < first_day + timedelta(days=7)
        ]
        if reads:
            note_adds += adds_for(f"note_{nid}", note["publish"])
            note_reads += sum(r or 0 for r in reads)
    t["wecom_adds_per_1k_reads"] = _ratio(note_adds * 1000, note_reads)

    # §2.3 CPM over RED notes published on or after the first loaded stat_date (cost complete)
    first_red_day = min((d["date"] for d in days if d["type"] == "red_note"), default=None)
    spend = exposures = 0
    for nid, note in notes.items():
        if _cn_date(note["publish"]).isoformat() < first_red_day:
            continue
        nd = [d for d in days if d["content"] == nid]
        if any(d["exposures"] is not None for d in nd):
            spend += sum(d["ad_spend"] + d["fee"] for d in nd)
            exposures += sum(d["exposures"] or 0 for d in nd)
    t["red_cpm"] = _ratio(spend / 100 * 1000, exposures)

    # §2.4 creator tiers: follower counts from RED note exports and Douyin creator profiles (星图 daily);
    # tier on the content's publish date (live: the session date)
    cut = v["creator_tier_min_followers"]
    brand = set(v["brand_account_ids"].get("red", []))
    dy_brand = set(v["brand_account_ids"].get("douyin", []))
    dy_brand |= {s["anchor"] for s in sessions.values() if s["mode"] == "自播"}
    dy_agency = {s["anchor"] for s in sessions.values() if s["mode"] == "代运营"} - dy_brand

    def tier(followers: int | None) -> str:
        if followers is None:
            return "unknown"
        if followers >= cut["head"]:
            return "head"
        if followers >= cut["waist"]:
            return "waist"
        return "mid" if followers >= cut["mid"] else "tail_koc"

    by_creator_day: dict[str, dict[str, int]] = defaultdict(dict)
    for note in notes.values():
        for day, f in note["followers"].items():
            by_creator_day[note["creator"]][day] = f

    dy_by_creator_day: dict[str, dict[str, int]] = defaultdict(dict)
    for r in _rows(data, "douyin.creators"):
        f = _count(r.get("follower_count"))
        if f is not None:
            dy_by_creator_day[str(r["author_id"])][str(r["stat_date"])] = f

    def tier_on(creator: str, day: date, platform: str = "red") -> str:
        if creator in (brand if platform == "red" else dy_brand):
            return "brand"
        if platform == "douyin" and creator in dy_agency:
            return "agency"
        known = (by_creator_day if platform == "red" else dy_by_creator_day).get(creator, {})
        on_or_before = [d for d in known if d <= day.isoformat()]
        # the first observed version is valid from 1900-01-01
        pick = max(on_or_before) if on_or_before else (min(known) if known else None)
        return tier(known[pick] if pick else None)

    tier_gmv: dict[str, int] = defaultdict(int)
    for o in paid:
        if o["content"] in notes:
            note = notes[o["content"]]
            tier_gmv[tier_on(note["creator"], _cn_date(note["publish"]))] += o["pay"]
    tiered_total = sum(tier_gmv[k] for k in TIERED)
    t["red_tier_gmv_share"] = {k: _ratio(tier_gmv[k], tiered_total) for k in TIERED if tier_gmv[k]}

    # §2.3 cost per attributed order by platform x tier (content lifetime, cost-complete contents only)
    first_day = {}
    for d in days:
        day = d.get("date") or _cn_date(sessions[d["content"]]["start"]).isoformat()
        plat = "red" if d["type"] == "red_note" else "douyin"
        first_day[plat] = min(day, first_day.get(plat, day))
    contents: dict[str, dict] = {}
    for nid, note in notes.items():
        contents[nid] = {
            "platform": "red",
            "publish": note["publish"],
            "tier": tier_on(note["creator"], _cn_date(note["publish"])),
        }
    for r in _rows(data, "douyin.videos"):
        if r.get("video_id") and r["video_id"] not in contents:
            publish = int(r["publish_time"])
            kind = tier_on(str(r["author_id"]), _cn_date(publish), "douyin")
            contents[r["video_id"]] = {"platform": "douyin", "publish": publish, "tier": kind}
    for room, s in sessions.items():
        kind = tier_on(s["anchor"], _cn_date(s["start"]), "douyin")
        contents[room] = {"platform": "douyin", "publish": s["start"], "tier": kind}
    # §2.4 tier_gmv_share on Douyin: credited GMV of the tier's videos and sessions / all tiered ones
    dy_tier_gmv: dict[str, int] = defaultdict(int)
    for o in paid:
        c = contents.get(o["content"]) if o["content"] else None
        if c and c["platform"] == "douyin":
            dy_tier_gmv[c["tier"]] += o["pay"]
    dy_tiered = sum(dy_tier_gmv[k] for k in TIERED)
    t["douyin_tier_gmv_share"] = {k: _ratio(dy_tier_gmv[k], dy_tiered) for k in TIERED if dy_tier_gmv[k]}
    credited: dict[str, int] = defaultdict(int)
    for o in paid:
        if o["content"]:
            credited[o["content"]] += 1
    spend_by_content: dict[str, int] = defaultdict(int)
    for d in days:
        spend_by_content[d["content"]] += d["ad_spend"] + d["fee"]
    cost: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for cid, c in contents.items():
        if _cn_date(c["publish"]).isoformat() >= first_day[c["platform"]]:
            cell = cost[f"{c['platform']}|{c['tier']}"]
            cell[0] += 1
            cell[1] += spend_by_content[cid]
            cell[2] += credited.get(cid, 0)
    t["cost_by_platform_tier"] = {
        k: {"contents": c[0], "spend_fen": c[1], "credited_orders": c[2]} for k, c in cost.items()
    }

    # §8.1 / §8.5 cycle time: CBEC orders with a payment, mode from the declaration (else the platform hint),
    # total_cycle_hours = pay -> first DELIVERED event, median by Shanghai paid month and mode
    trade_mode = {str(r["orderNo"]): str(r["tradeMode"]) for r in _rows(data, "customs.declarations")}
    delivered: dict[str, float] = {}
    for r in _rows(data, "logistics.events"):
        if r["event_code"] == "DELIVERED" and r.get("orderNo"):
            at = _local(r["event_time"])
            delivered[str(r["orderNo"])] = min(at, delivered.get(str(r["orderNo"]), at))
    cycle: dict[str, list[float]] = defaultdict(list)
    for o in orders:
        mode = trade_mode.get(o["id"]) or o["mode_hint"]
        if o["paid_at"] and mode in ("1210", "9610") and o["id"] in delivered:
            month = _cn_date(o["paid_at"]).replace(day=1).isoformat()
            cycle[f"{month}|{mode}"].append(round((delivered[o["id"]] - o["paid_at"]) / 3600, 2))
    t["cycle_hours_by_month_mode"] = {
        k: {"delivered": len(h), "median": statistics.median(h)} for k, h in cycle.items()
    }

    # §6 customers: entry order, repurchase (maturity, O_valid repeats), days between orders, join rate
    by_phone: dict[str, list[dict]] = defaultdict(list)
    for o in paid:
        if o["phone"]:
            by_phone[o["phone"]].append(o)
    rep: dict[tuple[str, str, int], list[int]] = defaultdict(lambda: [0, 0])
    joins = [0, 0]
    for phone, os_ in by_phone.items():
        os_.sort(key=lambda o: (o["paid_at"], o["id"]))
        entry = os_[0]
        key_month = entry["paid_date"].replace(day=1).isoformat()
        for n in (30, 90):
            if entry["paid_at"] <= watermark - n * DAY:
                again = any(
                    o["is_valid"] and entry["paid_at"] < o["paid_at"] <= entry["paid_at"] + n * DAY for o in os_[1:]
                )
                cell = rep[(key_month, domain(entry), n)]
                cell[0] += int(again)
                cell[1] += 1
        if domain(entry) == "public" and entry["paid_at"] <= watermark - 30 * DAY:
            joins[0] += int(since.get(phone, float("inf")) <= entry["paid_at"] + 30 * DAY)
            joins[1] += 1
    for n in (30, 90):
        num = sum(c[0] for k, c in rep.items() if k[2] == n)
        den = sum(c[1] for k, c in rep.items() if k[2] == n)
        t[f"repurchase_rate_{n}d"] = _ratio(num, den)
        t[f"repurchase_rate_{n}d_by_month_domain"] = {f"{k[0]}|{k[1]}": _ratio(*c) for k, c in rep.items() if k[2] == n}
    t["private_domain_join_rate_30d"] = _ratio(*joins)
    gaps = []
    for os_ in by_phone.values():
        valid = [o for o in os_ if o["is_valid"]]
        gaps += [(b["paid_date"] - a["paid_date"]).days for a, b in zip(valid, valid[1:], strict=False)]
    t["days_between_orders_median"] = statistics.median(gaps) if gaps else None
    t["days_between_orders_mean"] = statistics.fmean(gaps) if gaps else None
    t["order_gaps"] = len(gaps)

    # §5.2 社群
    valid_by_phone = {p: [o["paid_at"] for o in os_ if o["is_valid"]] for p, os_ in by_phone.items()}
    group_joins: dict[str, int] = defaultdict(int)
    mapped = bought = mature_mapped = 0
    for m in members:
        group_joins[_cn_date(m["joined"]).isoformat()] += 1
        phones = sorted(ext_phones.get(m["external"], ()))
        if not phones:
            continue
        mapped += 1
        if m["joined"] <= watermark - 30 * DAY:
            mature_mapped += 1
            bought += int(any(m["joined"] < at <= m["joined"] + 30 * DAY for at in valid_by_phone.get(phones[0], [])))
    t["group_members"] = len(members)
    t["group_joins_per_day"] = dict(group_joins)
    t["group_mapping_coverage"] = _ratio(mapped, len(members))
    t["group_member_buyer_rate_30d"] = _ratio(bought, mature_mapped)

    # §7 refunds per platform: mature O_paid orders (paid <= watermark - refund_maturity_days); both platforms
    # have an after-sale feed now (Douyin refunds, RED after-sales)
    maturity = v.get("refund_maturity_days", 30) * DAY
    for p in ("douyin", "red"):
        rows = [o for o in paid if o["platform"] == p and o["paid_at"] <= watermark - maturity]
        t[f"refund_order_rate.{p}"] = _ratio(sum(1 for o in rows if o["refund"]), len(rows))
        t[f"full_refund_order_rate.{p}"] = _ratio(sum(o["fully_refunded"] for o in rows), len(rows))
        t[f"refund_amount_rate.{p}"] = _ratio(sum(o["refund"] or 0 for o in rows), sum(o["pay"] for o in rows))
    return t


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    json.dump(compute(Path(args[0])), sys.stdout, ensure_ascii=False, indent=2, default=str)


if __name__ == "__main__":
    main()


__all__ = ["compute", "load_orders", "UTC"]
