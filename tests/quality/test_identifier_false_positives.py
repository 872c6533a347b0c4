"""Typed identifiers never read as personal data: 10,000 random ids of each kind and realistic length pass
the gate's privacy flags, while the same flags still catch a phone in free text or junk in an id column."""

from __future__ import annotations

import random

import duckdb
import pytest
from cc_warehouse.quality.pii_scan import flag_checks, flag_frame, register_detectors

N = 10_000


def _digits(rng: random.Random, length: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(length - 1))


def _hex(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def _rows(seed: int = 20261202) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    for i in range(N):
        note = _hex(rng, 24)
        room = _digits(rng, 19, "7")
        order_id = _digits(rng, rng.choice((16, 18, 19)), "1234567")  # includes Luhn- and ID-shaped ones
        waybill = rng.choice((_digits(rng, 12), _digits(rng, 15), "YT" + _digits(rng, 13), "SF" + _digits(rng, 13)))
        sku = _digits(rng, 11, "1")  # 11 digits starting with 1: reads like a mobile
        code = f"note_{note}" if i % 2 else f"live_{room}"
        rows.append((order_id, waybill, sku, note, code, code, sku, f"来自渠道 {code}，笔记 {note}"))
    return rows


COLUMNS = (
    "order_id varchar, waybill_no varchar, sku_id varchar, note_id varchar, channel_state varchar, "
    "follow_user__state varchar, sku_order_list__sku_id varchar, remark varchar"
)


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    register_detectors(con)
    yield con
    con.close()


def _violations(con, rows: list[tuple]) -> dict[str, int]:
    con.execute(f"create or replace table main.ids ({COLUMNS})")
    con.executemany(f"insert into main.ids values ({', '.join('?' * len(rows[0]))})", rows)
    columns = con.sql("select column_name, data_type from information_schema.columns where table_name = 'ids'")
    checks = flag_checks(columns.fetchall())
    frame = flag_frame(con, "main", "ids", checks)
    return {check.column: int(frame[check.flag].sum()) for check in checks}


def test_random_identifiers_pass_the_privacy_flags(con):
    violations = _violations(con, _rows())
    assert set(violations) == {c.split()[0] for c in COLUMNS.split(", ")}
    assert violations == dict.fromkeys(violations, 0)


def test_the_same_flags_still_fail(con):
    rows = _rows()[:3]
    rows[0] = rows[0][:7] + ("收件电话138 0013 8000",)
    rows[1] = ("王小明 13800138000",) + rows[1][1:]
    rows[2] = rows[2][:4] + ("微信 wang_xm1990",) + rows[2][5:]
    violations = _violations(con, rows)
    assert violations["remark"] == 1
    assert violations["order_id"] == 1
    assert violations["channel_state"] == 1
