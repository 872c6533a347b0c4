import json
import logging
import time

import pytest
from cc_warehouse.sources.http_client import ExtractError, PlatformClient

from tests.sources.faults import RawBody

TOKEN = "secret-token-123"
OK = (200, {}, {"code": 10000, "msg": "success", "data": {"x": 1}})


def sequence(*responses):
    """A route answering with ``responses`` in order, then repeating the last one."""
    answers = list(responses)

    def route(method, path, query, body):
        return answers.pop(0) if len(answers) > 1 else answers[0]

    return route


def client(server, **kwargs):
    kwargs.setdefault("backoff_base", 0.01)
    return PlatformClient(server.base_url, TOKEN, **kwargs)


def test_sends_bearer_token_and_reuses_one_connection(fake_platform):
    server = fake_platform(sequence(OK))
    with client(server) as api:
        for _ in range(5):
            assert api.get("/douyin/x")["data"] == {"x": 1}
    assert server.auth_headers == [f"Bearer {TOKEN}"] * 5
    assert server.connections == 1


def test_429_waits_for_retry_after(fake_platform):
    server = fake_platform(sequence((429, {"Retry-After": "1"}, {"error": "slow down"}), OK))
    started = time.monotonic()
    assert client(server).get("/a")["code"] == 10000
    assert 1.0 <= time.monotonic() - started < 2.5
    assert len(server.requests) == 2


def test_retry_after_above_ceiling_waits_the_ceiling(fake_platform):
    server = fake_platform(sequence((429, {"Retry-After": "100"}, {}), OK))
    started = time.monotonic()
    client(server, retry_after_ceiling=0.4).get("/a")
    assert 0.4 <= time.monotonic() - started < 2.0


def test_5xx_retried_then_succeeds(fake_platform):
    server = fake_platform(sequence((500, {}, {}), (503, {}, {}), OK))
    assert client(server).get("/a")["code"] == 10000
    assert len(server.requests) == 3


def test_douyin_system_busy_is_retried(fake_platform):
    server = fake_platform(sequence((200, {}, {"code": 40004, "msg": "系统繁忙"}), OK))
    assert client(server).get("/douyin/order/searchList")["code"] == 10000
    assert len(server.requests) == 2


def test_retries_exhausted_names_endpoint_and_status_not_token(fake_platform, caplog):
    server = fake_platform(sequence((503, {}, {})))
    caplog.set_level(logging.INFO)
    with pytest.raises(ExtractError) as err:
        client(server, max_retries=3).get("/douyin/order/searchList", {"page": 0})
    message = str(err.value)
    assert "GET /douyin/order/searchList" in message and "503" in message
    assert TOKEN not in message and TOKEN not in caplog.text
    assert len(server.requests) == 4
    assert "attempt 3" in caplog.text


@pytest.mark.parametrize(
    "status, body, expected",
    [
        (200, {"code": 50002, "msg": "时间窗口超出90天"}, "时间窗口超出90天"),
        (200, {"success": False, "code": 1001, "msg": "window longer than 24h"}, "window longer than 24h"),
        (200, {"errcode": 40058, "errmsg": "invalid limit"}, "invalid limit"),
        (400, {"ok": False, "msg": "bad start_time"}, "bad start_time"),
        (401, {"error": "unauthorized"}, "unauthorized"),
    ],
)
def test_non_transient_errors_raise_at_once_with_platform_message(fake_platform, status, body, expected):
    server = fake_platform(sequence((status, {}, body)))
    with pytest.raises(ExtractError, match=expected):
        client(server).get("/a")
    assert len(server.requests) == 1


def test_connection_errors_are_retried_then_fail():
    api = PlatformClient("http://127.0.0.1:9", TOKEN, max_retries=2, backoff_base=0.01, timeout=(0.5, 0.5))
    with pytest.raises(ExtractError, match="GET /a failed after 2 retries"):
        api.get("/a")


def test_success_bodies_of_each_platform_pass(fake_platform):
    bodies = [
        {"success": True, "code": 0, "data": {}},
        {"ok": True, "total": 0, "items": []},
        {"errcode": 0, "errmsg": "ok", "next_cursor": ""},
    ]
    server = fake_platform(sequence(*[(200, {}, b) for b in bodies]))
    api = client(server)
    assert [api.get("/a") for _ in bodies] == bodies


# --- faults a real network produces (issue 10) -------------------------------------------------------


def test_connection_reset_mid_body_is_retried(fake_platform):
    """The server promises 400 bytes, sends 20 and closes: an incomplete read, retried like a reset."""
    cut = RawBody(b'{"code": 10000, "dat', declared=400)
    server = fake_platform(sequence((200, {}, cut), OK))
    assert client(server).get("/a")["data"] == {"x": 1}
    assert len(server.requests) == 2


def test_complete_but_cut_json_body_is_retried(fake_platform):
    """Content-Length matches, yet the JSON stops half way (a proxy cut it): transient, retried."""
    server = fake_platform(sequence((200, {}, RawBody(b'{"code": 10000, "data": {"x"')), OK))
    assert client(server).get("/a")["data"] == {"x": 1}
    assert len(server.requests) == 2


def test_cut_json_body_for_ever_fails_naming_the_endpoint(fake_platform):
    server = fake_platform(sequence((200, {}, RawBody(b'{"code": 100'))))
    with pytest.raises(ExtractError, match="GET /a failed after 2 retries .*truncated"):
        client(server, max_retries=2).get("/a")


def test_default_policy_rides_out_a_run_of_ten_failures(fake_platform):
    """A platform failing ~45% of requests (the campaign's stand-in: 30% 5xx, 10% 429, cut bodies) fails
    ten times in a row about once per 3,000 requests; the default policy must not give up there
    (it did after 5 retries: the stand-in fault run died at ingest)."""
    waits = []
    failures = [(503, {}, {}), (429, {"Retry-After": "nan"}, {}), (200, {}, RawBody(b'{"code": 1'))] * 4
    server = fake_platform(sequence(*failures[:10], OK))
    assert PlatformClient(server.base_url, TOKEN, sleep=waits.append).get("/a")["code"] == 10000
    assert len(server.requests) == 11 and len(waits) == 10


def test_default_policy_gives_up_within_minutes_not_hours(fake_platform):
    """Retrying for ever is not the answer either: a request that never succeeds fails after a bounded
    total wait (each wait capped by the ceiling; the extract deadline bounds everything on top)."""
    waits = []
    server = fake_platform(sequence((429, {"Retry-After": "3600"}, {})))
    api = PlatformClient(server.base_url, TOKEN, sleep=waits.append)
    with pytest.raises(ExtractError, match="failed after"):
        api.get("/a")
    assert len(waits) >= 10 and max(waits) == api.retry_after_ceiling
    assert sum(waits) <= 15 * 60


@pytest.mark.parametrize("header", ["-10", "nan", "inf", "-inf", "soon"])
def test_unusable_retry_after_falls_back_to_backoff_not_a_hot_loop(fake_platform, header):
    waits = []
    server = fake_platform(sequence((429, {"Retry-After": header}, {}), (429, {"Retry-After": header}, {}), OK))
    client(server, backoff_base=0.2, sleep=waits.append).get("/a")
    assert len(waits) == 2
    assert all(0.2 <= w <= 30 for w in waits), waits  # exponential backoff, never zero nor unbounded


def test_retry_after_3600_is_clamped_to_the_ceiling(fake_platform):
    waits = []
    server = fake_platform(sequence((429, {"Retry-After": "3600"}, {}), OK))
    client(server, retry_after_ceiling=7, sleep=waits.append).get("/a")
    assert waits == [7]


def test_trickled_body_is_bounded_by_the_request_deadline(fake_platform):
    """One byte every 0.1 s never trips the per-read timeout; the overall deadline stops it."""
    body = json.dumps({"code": 10000, "data": {"x": "y" * 200}}).encode()
    server = fake_platform(sequence((200, {}, RawBody(body, trickle=0.1))))
    started = time.monotonic()
    with pytest.raises(ExtractError, match="deadline"):
        client(server, timeout=(1, 1), request_deadline=1.0, max_retries=1).get("/a")
    assert time.monotonic() - started < 4


def test_extract_deadline_bounds_all_retries_together(fake_platform):
    server = fake_platform(sequence((503, {}, {})))
    started = time.monotonic()
    with pytest.raises(ExtractError, match="deadline"):
        client(server, max_retries=100, backoff_base=0.2, extract_deadline=1.5).get("/a")
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("status", [400, 403, 404, 422])
def test_4xx_other_than_429_is_permanent(fake_platform, status):
    server = fake_platform(sequence((status, {}, {"error": "nope"})))
    with pytest.raises(ExtractError) as err:
        client(server).get("/a")
    assert err.value.permanent and len(server.requests) == 1
