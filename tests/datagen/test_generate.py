"""Determinism, scale, CRM exports and the ground truth against the written data."""

from __future__ import annotations

import csv
import io
import json
import re
import time
import unicodedata
from datetime import date, datetime

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
from cc_warehouse_demo.datagen.__main__ import main
from cc_warehouse_demo.datagen.generate import GenConfig, generate
from cc_warehouse_demo.datagen.schema import load_entities


def test_same_seed_gives_byte_identical_outputs(tmp_path):
    args = ["--seed", "3", "--days", "5", "--end-date", "2026-06-18", "--customers", "400"]
    main(["--out", str(tmp_path / "a"), *args])
    main(["--out", str(tmp_path / "b"), *args])
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) > 15
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    generate(GenConfig(tmp_path / "c", seed=4, days=5, end_date=date(2026, 6, 18), customers=400))
    assert (tmp_path / "a/douyin.orders.parquet").read_bytes() != (tmp_path / "c/douyin.orders.parquet").read_bytes()


def test_scale_200k_orders_quickly(tmp_path):
    started = time.perf_counter()
    truth = generate(GenConfig(tmp_path, seed=1, days=30, customers=160_000))
    elapsed = time.perf_counter() - started
    orders = truth["row_counts"]["douyin.orders"] + truth["row_counts"]["red.orders"]
    assert orders >= 180_000
    assert elapsed < 40, f"{orders} orders took {elapsed:.1f}s"


def test_crm_exports_decode_to_the_registry_headers(dataset):
    out, truth = dataset
    headers = list(load_entities()["crm.members"].headers)
    files = sorted((out / "crm_members").glob("members_*.csv"))
    assert len(files) == 3
    raw = [f.read_bytes() for f in files]
    assert raw[1].startswith(b"\xef\xbb\xbf")
    assert any(not r.startswith(b"\xef\xbb\xbf") and _is_gbk_only(r) for r in raw)
    rows = 0
    for f, data in zip(files, raw, strict=True):
        text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("gbk")
        lines = list(csv.reader(io.StringIO(text)))
        if lines[0][0].startswith("会员导出"):
            lines = lines[1:]
        assert lines[0] == headers, f.name
        rows += len(lines) - 1
        assert {r[headers.index("营销授权")] for r in lines[1:]} <= {"是", "否"}
    assert rows == truth["row_counts"]["crm.members"]
    assert raw[0].decode("gbk").startswith("会员导出 2026-11-15")


def _is_gbk_only(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def _paid(out, truth):
    dy = pq.read_table(out / "douyin.orders.parquet")
    red = pq.read_table(out / "red.orders.parquet")
    dy_ok = pc.and_(
        pc.is_in(dy.column("order_status"), value_set=_arr(truth["paid_status_codes"]["douyin"])),
        pc.match_substring_regex(dy.column("order_id"), r"^\d{19}$"),
    )
    red_ok = pc.and_(
        pc.is_in(red.column("orderStatus"), value_set=_arr(truth["paid_status_codes"]["red"])),
        pc.is_valid(red.column("orderId")),
    )
    return dy.filter(pc.fill_null(dy_ok, False)), red.filter(pc.fill_null(red_ok, False))


def _arr(values):
    import pyarrow as pa

    return pa.array(values, pa.int64())


def test_ground_truth_matches_orders(dataset):
    out, truth = dataset
    assert json.loads((out / "ground_truth.json").read_text(encoding="utf-8")) == truth
    dy, red = _paid(out, truth)
    assert truth["paid_orders"] == {"douyin": dy.num_rows, "red": red.num_rows}
    assert truth["gmv_fen"] == {
        "douyin": pc.sum(dy.column("pay_amount")).as_py(),
        "red": pc.sum(red.column("totalPayAmount")).as_py(),
    }
    for entity, rows in truth["row_counts"].items():
        if entity != "crm.members":
            assert pq.read_metadata(out / f"{entity}.parquet").num_rows == rows
    sku_lists = dy.column("sku_order_list").combine_chunks()
    lines = pc.list_flatten(sku_lists)
    parents = pc.list_parent_indices(sku_lists)
    rooms = {}
    for parent, room in zip(parents.to_pylist(), lines.field("room_id_str").to_pylist(), strict=True):
        if room:
            rooms.setdefault(room, set()).add(parent)
    assert {k: v for k, v in truth["live_session_attributed_orders"].items() if v} == {
        k: len(v) for k, v in rooms.items()
    }
    sessions = pq.read_table(out / "douyin.live_sessions.parquet").to_pylist()
    assert {s["room_id"] for s in sessions} == set(truth["live_session_attributed_orders"])
    assert all(s["orders"] == truth["live_session_attributed_orders"][s["room_id"]] for s in sessions)
    assert all(re.fullmatch(r"\d{2}:\d{2}:\d{2}", s["duration"]) for s in sessions)
    assert any(s["gmv"] == "数据将于第二天更新" for s in sessions)
    assert any(re.fullmatch(r"¥[\d,]+\.\d{2}", s["gmv"]) for s in sessions)


def test_ground_truth_repurchase_uses_phone_across_platforms(dataset):
    out, truth = dataset
    dy, red = _paid(out, truth)
    ciphers = dict(
        zip(
            *(
                pq.read_table(out / "_douyin_cipher.parquet").column(c).to_pylist()
                for c in ("cipher_text", "decrypt_text")
            ),
            strict=True,
        )
    )
    receivers = dict(
        zip(
            *(
                pq.read_table(out / "_red_receivers.parquet").column(c).to_pylist()
                for c in ("openAddressId", "receiverPhone")
            ),
            strict=True,
        )
    )
    phones = [ciphers[c] for c in dy.column("encrypt_post_tel").to_pylist()]
    phones += [receivers[a] for a in red.column("openAddressId").to_pylist()]
    members = set()
    for f in (out / "crm_members").glob("*.csv"):
        data = f.read_bytes()
        text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("gbk")
        lines = [ln for ln in csv.reader(io.StringIO(text)) if len(ln) > 2]
        members |= {row[lines[0].index("手机号")] for row in lines[1:]}
    counts = {}
    for p in phones:
        counts[p] = counts.get(p, 0) + 1
    private = [c for p, c in counts.items() if p in members]
    public = [c for p, c in counts.items() if p not in members]
    rep = truth["repurchase"]
    assert abs(rep["private_orders_per_customer"] - sum(private) / len(private)) < 1e-3
    assert abs(rep["public_orders_per_customer"] - sum(public) / len(public)) < 1e-3
    assert rep["private_orders_per_customer"] > 1.5 * rep["public_orders_per_customer"]
    assert set(dy_phones := phones[: dy.num_rows]) & set(phones[dy.num_rows :]), "same people buy on both"
    assert dy_phones


def test_ground_truth_fulfilment_medians(dataset):
    out, truth = dataset
    events = pq.read_table(out / "logistics.events.parquet").to_pandas()
    delivered = events[events.event_code == "DELIVERED"].set_index("orderNo").event_time
    decl = pq.read_table(out / "customs.declarations.parquet").to_pandas().set_index("orderNo")
    dy, red = _paid(out, truth)
    pay = {o: t for o, t in zip(dy.column("order_id").to_pylist(), dy.column("pay_time").to_pylist(), strict=True)}
    pay |= {
        o: t // 1000 for o, t in zip(red.column("orderId").to_pylist(), red.column("paidTime").to_pylist(), strict=True)
    }
    for mode in ("1210", "9610"):
        hours = [
            (datetime.fromisoformat(t + "+08:00").timestamp() - pay[o]) / 3600
            for o, t in delivered.items()
            if o in pay and decl.loc[o, "tradeMode"] == mode
        ]
        assert abs(np.median(hours) - truth["fulfilment_median_cycle_hours"][mode]) < 0.01
    assert 72 <= truth["fulfilment_median_cycle_hours"]["1210"] <= 120
    assert 240 <= truth["fulfilment_median_cycle_hours"]["9610"] <= 480


def test_planted_pii_counts(dataset):
    out, truth = dataset
    planted = truth["planted_pii"]
    words = pq.read_table(out / "douyin.orders.parquet").column("buyer_words").to_pylist()
    assert sum(bool(re.search(r"(\+86 |0086-)1[3-9]\d", w)) for w in words) == planted["douyin.orders"]["buyer_words"]
    comments = pq.read_table(out / "red.note_comments.parquet").column("content").to_pylist()
    wide = [c for c in comments if re.search(r"１[３-９][０-９]{9}", c)]
    assert len(wide) == planted["red.note_comments"]["content"] > 0
    assert all(re.search(r"1[3-9]\d{9}", unicodedata.normalize("NFKC", c)) for c in wide)
    titles = pq.read_table(out / "red.notes.parquet").column("title").to_pylist()
    assert sum("@" in t for t in titles) == planted["red.notes"]["title"] > 0
    remarks = pq.read_table(out / "red.orders.parquet").column("customerRemark").to_pylist()
    assert sum(bool(re.search(r"\d{17}[\dX]", r)) for r in remarks) == planted["red.orders"]["customerRemark"]
    reasons = pq.read_table(out / "douyin.refunds.parquet").column("reason_text").to_pylist()
    cards = [m for r in reasons for m in re.findall(r"\d{19}", r)]
    assert len(cards) == planted["douyin.refunds"]["reason_text"]
    assert all(_luhn(c) for c in cards)


def _luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0
