"""The stand-in over a real socket: auth, paging to exhaustion, window limits, chaos, helpers, inbox."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import requests
from cc_warehouse_demo.simulator import serve_in_thread
from cc_warehouse_demo.simulator.inbox import drop_crm_files

TOKEN = "test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(dataset):
    out, truth = dataset
    srv, url = serve_in_thread(out, TOKEN)
    yield url, out, truth
    srv.shutdown()


def _window(truth):
    return datetime.fromisoformat(truth["window"]["start"]), datetime.fromisoformat(truth["window"]["end"])


def test_requires_bearer_token(server):
    url, _, _ = server
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        r = requests.get(f"{url}/wecom/externalcontact/groupchat/list", headers=headers, timeout=10)
        assert r.status_code == 401 and r.json() == {"error": "unauthorized"}


def test_douyin_paging_returns_each_order_of_the_window_once(server):
    url, out, truth = server
    start, end = _window(truth)
    params = {
        "update_time_start": int(start.timestamp()),
        "update_time_end": int(end.timestamp()),
        "size": 100,
    }
    seen, page = [], 0
    while True:
        body = requests.get(
            f"{url}/douyin/order/searchList", params={**params, "page": page}, headers=AUTH, timeout=10
        ).json()
        assert body["code"] == 10000
        rows = body["data"]["shop_order_list"]
        if not rows:
            break
        seen += [(r["order_id"], r["encrypt_post_tel"]) for r in rows]
        page += 1
    table = pq.read_table(out / "douyin.orders.parquet")
    assert body["data"]["total"] == table.num_rows == len(seen) == len(set(seen))


def test_red_pages_over_daily_windows_cover_every_note_row_once(server):
    url, out, truth = server
    start, end = _window(truth)
    seen = []
    day = start
    while day < end:
        nxt = day + timedelta(days=1)
        page = 1
        while True:
            body = requests.get(
                f"{url}/red/pgy/note/daily",
                headers=AUTH,
                timeout=10,
                params={
                    "start_time": int(day.timestamp() * 1000),
                    "end_time": int(nxt.timestamp() * 1000),
                    "page_no": page,
                    "page_size": 50,
                },
            ).json()
            assert body["success"] is True
            seen += [(r["note_id"], r["stat_date"]) for r in body["data"]["list"]]
            if page >= body["data"]["maxPageNo"]:
                break
            page += 1
        day = nxt
    assert len(seen) == len(set(seen)) == pq.read_metadata(out / "red.notes.parquet").num_rows


def test_simple_and_cursor_paging_exhaust(server):
    url, out, truth = server
    start, end = _window(truth)
    params = {
        "start_time": start.strftime("%Y-%m-%d %H:%M:%S"),
        "end_time": end.strftime("%Y-%m-%d %H:%M:%S"),
        "page_size": 100,
    }
    ids, page = [], 1
    while True:
        body = requests.get(f"{url}/logistics/events", params={**params, "page": page}, headers=AUTH, timeout=10).json()
        assert body["ok"] is True
        if not body["items"]:
            break
        ids += [r["event_id"] for r in body["items"]]
        page += 1
    assert len(ids) == len(set(ids)) == body["total"] == pq.read_metadata(out / "logistics.events.parquet").num_rows

    users, cursor = [], ""
    while True:
        body = requests.get(
            f"{url}/wecom/externalcontact/batch/get_by_user",
            params={"cursor": cursor, "limit": 100},
            headers=AUTH,
            timeout=10,
        ).json()
        assert body["errcode"] == 0
        users += [c["external_contact"]["external_userid"] for c in body["external_contact_list"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert len(users) == len(set(users)) == truth["row_counts"]["wecom.contacts"]


def test_half_open_windows_split_without_overlap(server):
    url, out, truth = server
    start, end = _window(truth)
    mid = start + (end - start) / 2
    totals = []
    for a, b in ((start, mid), (mid, end)):
        body = requests.get(
            f"{url}/customs/receipts",
            headers=AUTH,
            timeout=10,
            params={
                "start_time": a.strftime("%Y%m%d%H%M%S"),
                "end_time": b.strftime("%Y%m%d%H%M%S"),
                "page_size": 1,
            },
        ).json()
        totals.append(body["total"])
    assert sum(totals) == truth["row_counts"]["customs.receipts"] and all(totals)


def test_window_and_page_limits_answer_platform_style_errors(server):
    url, _, truth = server
    _, end = _window(truth)
    e = int(end.timestamp())
    dy = f"{url}/douyin/order/searchList"
    too_old = requests.get(
        dy,
        params={"update_time_start": e - 91 * 86400, "update_time_end": e, "size": 10},
        headers=AUTH,
        timeout=10,
    )
    assert too_old.status_code == 200 and too_old.json()["code"] not in (10000, 40004)
    big = requests.get(
        dy,
        params={"update_time_start": e - 86400, "update_time_end": e, "size": 101},
        headers=AUTH,
        timeout=10,
    ).json()
    assert big["code"] != 10000
    deep = requests.get(
        dy,
        params={"update_time_start": e - 86400, "update_time_end": e, "size": 100, "page": 501},
        headers=AUTH,
        timeout=10,
    ).json()
    assert deep["code"] != 10000
    red = requests.get(
        f"{url}/red/order/list",
        headers=AUTH,
        timeout=10,
        params={
            "start_time": (e - 25 * 3600) * 1000,
            "end_time": e * 1000,
            "page_no": 1,
            "page_size": 10,
            "time_type": 1,
        },
    )
    assert red.status_code == 200 and red.json()["success"] is False
    by_update = requests.get(
        f"{url}/red/order/list",
        headers=AUTH,
        timeout=10,
        params={
            "start_time": (e - 3600) * 1000,
            "end_time": e * 1000,
            "page_no": 1,
            "page_size": 10,
            "time_type": 2,
        },
    )
    assert by_update.json()["success"] is False
    simple = requests.get(
        f"{url}/customs/declarations",
        headers=AUTH,
        timeout=10,
        params={"start_time": "20261101000000", "end_time": "20261102000000", "page_size": 101},
    )
    assert simple.status_code == 400 and simple.json()["ok"] is False
    missing = requests.get(f"{url}/customs/declarations", headers=AUTH, timeout=10, params={"page_size": 10})
    assert missing.status_code == 400


def test_batch_decrypt_and_red_receivers(server):
    url, out, _ = server
    orders = pq.read_table(out / "douyin.orders.parquet").slice(0, 3)
    infos = [
        {"auth_id": o, "cipher_text": c}
        for o, c in zip(
            orders.column("order_id").to_pylist(), orders.column("encrypt_post_tel").to_pylist(), strict=True
        )
    ]
    body = requests.post(
        f"{url}/douyin/order/batchDecrypt",
        json={"cipher_infos": infos + [{"auth_id": "x", "cipher_text": "#unknown#"}]},
        headers=AUTH,
        timeout=10,
    ).json()
    decrypted = body["data"]["decrypt_infos"]
    assert body["code"] == 10000 and [d["err_no"] for d in decrypted] == [0, 0, 0, 300008]
    masks = orders.column("mask_post_tel").to_pylist()
    pairs = zip(decrypted[:3], masks, strict=True)
    assert all(d["decrypt_text"][-2:] == m[-2:] and len(d["decrypt_text"]) == 11 for d, m in pairs)
    too_many = requests.post(
        f"{url}/douyin/order/batchDecrypt", json={"cipher_infos": infos * 20}, headers=AUTH, timeout=10
    ).json()
    assert too_many["code"] != 10000

    red = pq.read_table(out / "red.orders.parquet")
    cb = red.filter(pc.greater(red.column("logisticsMode"), 1)).slice(0, 2)
    ids = red.slice(0, 2).column("openAddressId").to_pylist() + cb.column("openAddressId").to_pylist()
    infos = requests.post(f"{url}/red/order/receivers", json={"openAddressIds": ids}, headers=AUTH, timeout=10).json()[
        "data"
    ]["receiverInfos"]
    assert [i["openAddressId"] for i in infos] == ids
    assert all(i["declare"] and i["declare"]["idNumber"] for i in infos[2:])


def test_chaos_429_with_retry_after_and_500_at_runtime(dataset):
    out, _ = dataset
    srv, url = serve_in_thread(out, TOKEN, chaos="429=1.0")
    try:
        target = f"{url}/wecom/externalcontact/groupchat/list"
        r = requests.get(target, headers=AUTH, timeout=10)
        assert r.status_code == 429 and r.headers["Retry-After"] == "1"
        set_chaos = requests.post(
            f"{url}/_admin/chaos", json={"rate_429": 0, "rate_500": 1.0}, headers=AUTH, timeout=10
        )
        assert set_chaos.json()["rate_500"] == 1.0
        assert requests.get(target, headers=AUTH, timeout=10).status_code in (500, 503)
        requests.post(f"{url}/_admin/chaos", json={"rate_500": 0, "rate_busy": 1.0}, headers=AUTH, timeout=10)
        busy = requests.get(f"{url}/douyin/afterSale/List", headers=AUTH, timeout=10).json()
        assert busy["code"] == 40004
        requests.post(f"{url}/_admin/chaos", json={"rate_busy": 0}, headers=AUTH, timeout=10)
        assert requests.get(target, headers=AUTH, timeout=10).status_code == 200
        stats = requests.get(f"{url}/_admin/stats", headers=AUTH, timeout=10).json()
        assert stats["by_status"]["429"] == 1 and stats["by_path"][target[len(url) :]] == 3
    finally:
        srv.shutdown()


def test_drop_inbox_copies_crm_files(dataset, tmp_path):
    out, _ = dataset
    files = sorted((out / "crm_members").glob("*.csv"))
    placed = drop_crm_files(files, tmp_path / "inbox")
    assert [p.name for p in placed] == [f.name for f in files]
    assert all(p.read_bytes() == f.read_bytes() for p, f in zip(placed, files, strict=True))
    assert not list((tmp_path / "inbox" / "crm").glob(".*"))


def test_cli_prints_listening_line_and_writes_ready_file(dataset, tmp_path):
    out, _ = dataset
    ready = tmp_path / "ready"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cc_warehouse_demo.simulator",
            "--data-dir",
            str(out),
            "--port",
            "0",
            "--token",
            TOKEN,
            "--ready-file",
            str(ready),
            "--drop-inbox",
            str(tmp_path / "in"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("simulator listening on http://127.0.0.1:")
        base = line.split()[-1]
        deadline = time.time() + 10
        while not ready.exists() and time.time() < deadline:
            time.sleep(0.05)
        assert ready.read_text().strip() == base
        assert len(list((tmp_path / "in" / "crm").glob("*.csv"))) == 3
        r = requests.get(f"{base}/wecom/externalcontact/groupchat/list", params={"limit": 5}, headers=AUTH, timeout=10)
        assert r.status_code == 200
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    logged = [ln for ln in err.splitlines() if "/wecom/externalcontact/groupchat/list" in ln]
    assert logged and "200" in logged[0] and "limit" not in logged[0]


def test_network_fault_modes_over_a_real_socket(dataset):
    """reset: half the promised body then close; truncate: cut JSON with a matching length; Retry-After
    sent verbatim; drift: the window's first record moves to its end after page 0."""
    out, truth = dataset
    srv, url = serve_in_thread(out, TOKEN, chaos={"rate_reset": 1.0})
    target = f"{url}/wecom/externalcontact/groupchat/list"
    try:
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            requests.get(target, headers=AUTH, timeout=10).content  # noqa: B018 - reading is the test
        requests.post(f"{url}/_admin/chaos", json={"rate_reset": 0, "rate_truncate": 1.0}, headers=AUTH, timeout=10)
        cut = requests.get(target, headers=AUTH, timeout=10)
        assert cut.status_code == 200 and len(cut.content) == int(cut.headers["Content-Length"])
        with pytest.raises(ValueError):
            cut.json()
        for value, header in (("nan", "nan"), (-10, "-10"), (3600, "3600")):
            requests.post(
                f"{url}/_admin/chaos",
                json={"rate_truncate": 0, "rate_429": 1.0, "retry_after": value},
                headers=AUTH,
                timeout=10,
            )
            assert requests.get(target, headers=AUTH, timeout=10).headers["Retry-After"] == header
        start, end = _window(truth)
        params = {"update_time_start": int(start.timestamp()), "update_time_end": int(end.timestamp()), "size": 5}

        def page_ids(page):
            return [
                r["order_id"]
                for r in requests.get(
                    f"{url}/douyin/order/searchList", params={**params, "page": page}, headers=AUTH, timeout=10
                ).json()["data"]["shop_order_list"]
            ]

        requests.post(f"{url}/_admin/chaos", json={"rate_429": 0}, headers=AUTH, timeout=10)
        calm = page_ids(0) + page_ids(1) + page_ids(2)
        requests.post(f"{url}/_admin/chaos", json={"drift": 1}, headers=AUTH, timeout=10)
        drifted = page_ids(0) + page_ids(1)
        assert drifted[:5] == calm[:5] and drifted[5:] == calm[6:11]  # calm[5] is never served: a gap
    finally:
        srv.shutdown()


def test_retry_after_may_vary_between_429s(dataset):
    """``retry_after=nan|3600|-10``: each 429 sends one of the values (seeded), so one fault run meets all."""
    out, _ = dataset
    srv, url = serve_in_thread(out, TOKEN, chaos="429=1.0,retry_after=nan|3600|-10,seed=4")
    try:
        headers = [
            requests.get(f"{url}/wecom/externalcontact/groupchat/list", headers=AUTH, timeout=10).headers
            for _ in range(30)
        ]
        assert {h["Retry-After"] for h in headers} == {"nan", "3600", "-10"}
        changed = requests.post(f"{url}/_admin/chaos", json={"rate_429": 0.5}, headers=AUTH, timeout=10).json()
        assert changed["rate_429"] == 0.5 and len(changed["retry_after"]) == 3  # survives a reconfiguration
    finally:
        srv.shutdown()


def test_keep_alive_requests_do_not_wait_for_delayed_acks(server):
    """Sequential requests on one connection (as the client's session makes them) answer without the 40 ms
    Nagle / delayed-ACK stall the server's two writes (headers, body) caused on every request."""
    url, _, _ = server
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {TOKEN}"
    timings = []
    for _ in range(15):
        started = time.perf_counter()
        assert session.get(f"{url}/_admin/stats", timeout=10).status_code == 200
        timings.append(time.perf_counter() - started)
    session.close()
    assert sorted(timings)[len(timings) // 2] < 0.035  # Linux's delayed ACK is at least 40 ms
