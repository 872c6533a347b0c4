import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cc_warehouse.landing.files import read_manifest
from cc_warehouse.privacy.tokens import TokenKey
from cc_warehouse.sources.extract import day_chunks, extract_window
from cc_warehouse.sources.http_client import PlatformClient

SH = timezone(timedelta(hours=8))
KEY = TokenKey(1, b"test-secret-not-real-32-bytes-long")
DAY1 = datetime(2026, 11, 14, tzinfo=SH)
TOKEN_PREFIX = "tk1_"


def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_day_chunks_split_at_shanghai_midnight():
    start = datetime(2026, 11, 13, 16, 0, tzinfo=UTC)  # 2026-11-14 00:00 local
    chunks = day_chunks(start, start + timedelta(hours=30))
    assert [(a.isoformat(), b.isoformat()) for a, b in chunks] == [
        ("2026-11-14T00:00:00+08:00", "2026-11-15T00:00:00+08:00"),
        ("2026-11-15T00:00:00+08:00", "2026-11-15T06:00:00+08:00"),
    ]


def douyin_orders_route(orders, decrypt_calls):
    def route(method, path, query, body):
        if path == "/douyin/order/batchDecrypt":
            decrypt_calls.append(len(body["cipher_infos"]))
            infos = [
                {
                    "auth_id": c["auth_id"],
                    "cipher_text": c["cipher_text"],
                    "decrypt_text": "" if c["auth_id"].endswith("07") else "1380013" + c["auth_id"][-4:],
                    "err_no": 1 if c["auth_id"].endswith("07") else 0,
                }
                for c in body["cipher_infos"]
            ]
            return 200, {}, {"code": 10000, "data": {"decrypt_infos": infos}}
        lo, hi = int(query["update_time_start"]), int(query["update_time_end"])
        page, size = int(query["page"]), int(query["size"])
        hits = [o for o in orders if lo <= o["update_time"] < hi]
        return (
            200,
            {},
            {
                "code": 10000,
                "msg": "success",
                "data": {"shop_order_list": hits[page * size : (page + 1) * size], "total": len(hits)},
            },
        )

    return route


def test_douyin_orders_are_decrypted_tokenised_and_landed_per_day(fake_platform, tmp_path):
    base = int(DAY1.timestamp())
    orders = [
        {
            "order_id": f"47813200000000{i:05d}",
            "update_time": base + 600 * i,
            "encrypt_post_tel": f"#cipher{i}#",
            "mask_post_tel": "138****0000",
            "encrypt_post_receiver": "#name#",
            "buyer_words": "call 13800138000",
        }
        for i in range(200)
    ]
    decrypt_calls = []
    server = fake_platform(douyin_orders_route(orders, decrypt_calls))
    landed = extract_window(
        "douyin.orders",
        DAY1,
        DAY1 + timedelta(days=2),
        client=PlatformClient(server.base_url, "t"),
        key=KEY,
        run_id="r1",
        landing_dir=tmp_path,
    )
    assert [f.path.parent.name for f in landed] == ["dt=2026-11-14", "dt=2026-11-15"]
    assert [f.rows for f in landed] == [144, 56]
    assert max(decrypt_calls) <= 50 and sum(decrypt_calls) == 200
    text = "".join(f.path.read_text(encoding="utf-8") for f in landed)
    assert "#cipher" not in text and "13800138000" not in text and "1380013" not in text
    records = [r for f in landed for r in lines(f.path)]
    assert all("encrypt_post_tel" not in r and "encrypt_post_receiver" not in r for r in records)
    tokens = [r["receiver_phone_token"] for r in records]
    assert sum(t is None for t in tokens) == 2  # order ids ending in 07 could not be decrypted
    assert all(t.startswith(TOKEN_PREFIX) for t in tokens if t is not None)
    assert [f.redactions.get("encrypt_post_tel:undecrypted", 0) for f in landed] == [2, 0]
    entry = read_manifest(landed[0].path.parent)["partitions"]["20261114T0000-20261115T0000"]
    assert entry["run_id"] == "r1" and entry["rows"] == 144


def test_red_orders_get_receivers_merged_without_open_address_id(fake_platform, tmp_path):
    base = int(DAY1.timestamp() * 1000)
    orders = [
        {"orderId": f"P{i:08d}", "updateTime": base + i * 1000, "openAddressId": f"addr{i}"} for i in range(150)
    ] + [{"orderId": "P99999999", "updateTime": base, "openAddressId": None}]
    receiver_calls = []

    def route(method, path, query, body):
        if path == "/red/order/receivers":
            receiver_calls.append(len(body["openAddressIds"]))
            infos = [
                {
                    "openAddressId": a,
                    "receiverName": "王小明",
                    "receiverPhone": "13800138000",
                    "receiverProvinceName": "上海",
                    "receiverCityName": "上海市",
                    "receiverDistrictName": "徐汇区",
                    "receiverAddress": "某路1号",
                    "declare": {
                        "buyerName": "王小明",
                        "idNumber": "11010519491231002X",
                        "idCardFrontUrl": "https://x/front.jpg",
                    },
                }
                for a in body["openAddressIds"]
            ]
            return 200, {}, {"success": True, "data": {"receiverInfos": infos}}
        page, size = int(query["page_no"]), int(query["page_size"])
        return (
            200,
            {},
            {
                "success": True,
                "code": 0,
                "data": {"orderList": orders[(page - 1) * size : page * size], "total": len(orders), "pageNo": page},
            },
        )

    server = fake_platform(route)
    [landed] = extract_window(
        "red.orders",
        DAY1,
        DAY1 + timedelta(days=1),
        client=PlatformClient(server.base_url, "t"),
        key=KEY,
        run_id="r1",
        landing_dir=tmp_path,
    )
    assert landed.rows == 151 and max(receiver_calls) <= 100
    text = landed.path.read_text(encoding="utf-8")
    secrets = ("openAddressId", "13800138000", "王小明", "某路1号", "徐汇区", "front.jpg", "11010519491231002X")
    for secret in secrets:
        assert secret not in text
    records = lines(landed.path)
    receiver = records[0]["receiver"]
    assert receiver["receiverCityName"] == "上海市"
    assert receiver["receiver_phone_token"].startswith(TOKEN_PREFIX)
    assert receiver["declare"]["buyer_id_token"].startswith(TOKEN_PREFIX)
    assert records[-1]["receiver"] is None


def test_snapshot_entity_lands_one_file_dated_by_the_end(fake_platform, tmp_path):
    contacts = [
        {
            "external_contact": {"external_userid": f"wm{i}", "name": "张三", "type": 1},
            "follow_info": {"userid": "staff1", "remark_mobiles": ["13800138000"]},
        }
        for i in range(3)
    ]
    server = fake_platform(lambda *a: (200, {}, {"errcode": 0, "external_contact_list": contacts, "next_cursor": ""}))
    [landed] = extract_window(
        "wecom.contacts",
        DAY1,
        DAY1 + timedelta(days=1),
        client=PlatformClient(server.base_url, "t"),
        key=KEY,
        run_id="r1",
        landing_dir=tmp_path,
    )
    assert landed.path.parent.name == "dt=2026-11-15" and landed.rows == 3
    record = lines(landed.path)[0]
    assert record["external_contact"]["external_user_token"].startswith(TOKEN_PREFIX)
    assert "张三" not in landed.path.read_text(encoding="utf-8")
    assert "start_time" not in server.requests[0][2]


def test_injected_treatment_is_applied_to_every_record(fake_platform, tmp_path):
    server = fake_platform(
        lambda *a: (200, {}, {"ok": True, "total": 2, "items": [{"event_id": "e1"}, {"event_id": "e2"}]})
    )
    seen = []

    def treat(entity, record, key, as_of):
        seen.append((entity, as_of))
        return {**record, "treated": True}, {"stub": 1}

    [landed] = extract_window(
        "logistics.events",
        DAY1,
        DAY1 + timedelta(hours=6),
        client=PlatformClient(server.base_url, "t"),
        key=KEY,
        run_id="r1",
        landing_dir=tmp_path,
        treat=treat,
    )
    assert [r["treated"] for r in lines(landed.path)] == [True, True]
    assert seen == [("logistics.events", DAY1.date())] * 2 and landed.redactions == {"stub": 2}


def test_schema_drift_stops_the_extract(fake_platform, tmp_path):
    from cc_warehouse.sources.registry import UnclassifiedFieldError

    server = fake_platform(
        lambda *a: (200, {}, {"ok": True, "total": 1, "items": [{"event_id": "e1", "new_field": 1}]})
    )
    with pytest.raises(UnclassifiedFieldError, match="new_field"):
        extract_window(
            "logistics.events",
            DAY1,
            DAY1 + timedelta(hours=6),
            client=PlatformClient(server.base_url, "t"),
            key=KEY,
            run_id="r1",
            landing_dir=tmp_path,
        )
    assert not list(tmp_path.rglob("*.jsonl"))
