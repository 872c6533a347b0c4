from datetime import UTC, datetime, timedelta, timezone

import pytest
from cc_warehouse.sources import paging
from cc_warehouse.sources.http_client import ExtractError, PlatformClient
from cc_warehouse.sources.paging import format_time, iter_pages
from cc_warehouse.sources.registry import load_registry

SH = timezone(timedelta(hours=8))
START = datetime(2026, 11, 14, tzinfo=SH)
END = datetime(2026, 11, 15, tzinfo=SH)


def api_of(entity):
    return load_registry().entity(entity).api


RECORDS = [{"id": str(i)} for i in range(237)]


def _slice(page_index, size):
    return RECORDS[page_index * size : (page_index + 1) * size]


def douyin_route(method, path, query, body):
    page, size = int(query["page"]), int(query["size"])
    items = _slice(page, size)
    return (
        200,
        {},
        {
            "code": 10000,
            "msg": "success",
            "data": {"shop_order_list": items, "total": len(RECORDS), "page": page, "size": size},
        },
    )


def red_route(method, path, query, body):
    page, size = int(query["page_no"]), int(query["page_size"])
    return (
        200,
        {},
        {
            "success": True,
            "code": 0,
            "data": {
                "orderList": _slice(page - 1, size),
                "total": len(RECORDS),
                "pageNo": page,
                "pageSize": size,
                "maxPageNo": -(-len(RECORDS) // size),
            },
        },
    )


def simple_route(method, path, query, body):
    page, size = int(query["page"]), int(query["page_size"])
    return 200, {}, {"ok": True, "total": len(RECORDS), "items": _slice(page - 1, size)}


def wecom_route(method, path, query, body):
    offset, limit = int(query["cursor"] or 0), int(query["limit"])
    nxt = offset + limit if offset + limit < len(RECORDS) else ""
    return (
        200,
        {},
        {
            "errcode": 0,
            "errmsg": "ok",
            "external_contact_list": RECORDS[offset : offset + limit],
            "next_cursor": str(nxt),
        },
    )


@pytest.mark.parametrize(
    "entity, route",
    [
        ("douyin.orders", douyin_route),
        ("red.orders", red_route),
        ("customs.declarations", simple_route),
        ("wecom.contacts", wecom_route),
    ],
)
def test_each_paging_style_reads_to_exhaustion(fake_platform, entity, route):
    server = fake_platform(route)
    pages = list(iter_pages(PlatformClient(server.base_url, "t"), api_of(entity), START, END))
    assert [r for page in pages for r in page] == RECORDS
    assert len(pages) == 3 and len(server.requests) == 3


def test_window_and_extra_params_are_sent_in_the_entity_unit(fake_platform):
    server = fake_platform(red_route)
    list(iter_pages(PlatformClient(server.base_url, "t"), api_of("red.orders"), START, END))
    query = server.requests[0][2]
    assert query["start_time"] == str(int(START.timestamp() * 1000))
    assert query["end_time"] == str(int(END.timestamp() * 1000))
    assert query["time_type"] == "1"


def test_stops_on_an_empty_page_and_a_total_never_reached_is_a_gap_not_silence(fake_platform):
    def route(method, path, query, body):
        page = int(query["page"])
        return 200, {}, {"ok": True, "total": 10_000, "items": _slice(page - 1, 100)}

    server = fake_platform(route)
    api = api_of("logistics.events")
    with pytest.raises(ExtractError, match="page drift.*platform total 10000, received 237"):
        list(iter_pages(PlatformClient(server.base_url, "t"), api, START, END))
    assert len(server.requests) == 4 * (paging.DRIFT_REPAGES + 1)  # each pass stops at the empty page


def _inserting_douyin(inserts_per_pass):
    """Douyin paging over a live table: ``inserts_per_pass[n]`` records are inserted at the head of the
    list right after page 0 of pass n is served (a new order arriving while we page)."""
    table = [{"order_id": str(i)} for i in range(237)]
    state = {"pass": -1, "new": 0}

    def route(method, path, query, body):
        page, size = int(query["page"]), int(query["size"])
        if page == 0:
            state["pass"] += 1
        served = table[page * size : (page + 1) * size]
        reply = {"code": 10000, "data": {"shop_order_list": served, "total": len(table)}}
        if page == 0 and state["pass"] < len(inserts_per_pass):
            for _ in range(inserts_per_pass[state["pass"]]):
                state["new"] += 1
                table.insert(0, {"order_id": f"new-{state['new']}"})
        return 200, {}, reply

    return route, table


def test_insert_while_paging_is_detected_and_re_paged(fake_platform):
    route, table = _inserting_douyin([1])  # one insert during the first pass, none later
    server = fake_platform(route)
    got = [
        r["order_id"]
        for p in iter_pages(
            PlatformClient(server.base_url, "t"), api_of("douyin.orders"), START, END, key_fields=("order_id",)
        )
        for r in p
    ]
    assert sorted(got) == sorted(r["order_id"] for r in table)  # nothing lost, nothing twice
    assert len(got) == len(set(got)) == 238


def test_drift_that_never_settles_fails_clearly(fake_platform):
    route, _ = _inserting_douyin([1, 1, 1, 1])
    server = fake_platform(route)
    with pytest.raises(ExtractError, match="page drift did not settle.*duplicate key"):
        list(
            iter_pages(
                PlatformClient(server.base_url, "t"), api_of("douyin.orders"), START, END, key_fields=("order_id",)
            )
        )


def test_repeated_cursor_is_an_error_not_an_endless_loop(fake_platform):
    server = fake_platform(
        lambda *a: (200, {}, {"errcode": 0, "external_contact_list": [{"a": 1}], "next_cursor": "same"})
    )
    with pytest.raises(ExtractError, match="cursor repeated"):
        list(iter_pages(PlatformClient(server.base_url, "t"), api_of("wecom.contacts")))


def test_douyin_window_is_halved_when_page_times_size_would_pass_the_limit(fake_platform, monkeypatch):
    limit, size = 50, 10
    monkeypatch.setattr(paging, "DOUYIN_MAX_OFFSET", limit)
    # 120 records spread evenly over the day, filtered by the requested window
    stamps = [int(START.timestamp()) + i * 720 for i in range(120)]

    def route(method, path, query, body):
        page, size_ = int(query["page"]), int(query["size"])
        if page * size_ > limit:
            return 200, {}, {"code": 40001, "msg": "page*size too large"}
        lo, hi = int(query["update_time_start"]), int(query["update_time_end"])
        hits = [{"order_id": str(s)} for s in stamps if lo <= s < hi]
        return (
            200,
            {},
            {"code": 10000, "data": {"shop_order_list": hits[page * size_ : (page + 1) * size_], "total": len(hits)}},
        )

    server = fake_platform(route)
    api = api_of("douyin.orders")
    got = [
        r["order_id"]
        for p in iter_pages(PlatformClient(server.base_url, "t"), api, START, END, page_size=size)
        for r in p
    ]
    assert sorted(got) == sorted(str(s) for s in stamps)
    assert len(got) == len(set(got))


def test_format_time_units():
    moment = datetime(2026, 11, 15, 1, 2, 3, tzinfo=UTC)
    assert format_time(moment, "unix_s") == 1794704523
    assert format_time(moment, "unix_ms") == 1794704523000
    assert format_time(moment, "yyyymmddhhmmss") == "20261115090203"
    assert format_time(moment, "local_string") == "2026-11-15 09:02:03"
    with pytest.raises(ValueError):
        format_time(datetime(2026, 11, 15), "unix_s")
