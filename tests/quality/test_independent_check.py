"""The gate's second net sees what the detector misses: with ``find_pii`` blinded, every hostile-corpus
phone and ID still fails the privacy flags; numeric columns and raw JSON numbers are checked too."""

from __future__ import annotations

import json

import duckdb
import pytest
from cc_warehouse.quality import pii_scan
from cc_warehouse.quality.independent_check import suspicious

from tests.privacy.hostile import load_corpus

DIGIT_CASES = [c for c in load_corpus() if c.kind.startswith(("phone", "id_number"))]
LEGACY_15 = {c.line for c in DIGIT_CASES if all(len(v) == 15 for v in c.values)}


def _flags(con, table: str, columns: list[tuple[str, str]], catalog: str | None = None) -> dict[str, int]:
    checks = pii_scan.flag_checks(columns)
    schema = "main"
    frame = pii_scan.flag_frame(con, schema, table, checks, catalog=catalog)
    return {check.flag: int(frame[check.flag].sum()) for check in checks}


def test_blind_detector_is_caught_by_the_independent_check(monkeypatch):
    monkeypatch.setattr(pii_scan, "find_pii", lambda text, kinds=None: [])  # a detector that misses all
    con = duckdb.connect()
    pii_scan.register_detectors(con)
    cases = [c for c in DIGIT_CASES if c.line not in LEGACY_15]
    con.execute("create table main.t (remark varchar)")
    con.executemany("insert into main.t values (?)", [[c.text] for c in cases])
    flags = _flags(con, "t", [("remark", "VARCHAR")])
    assert flags["remark__clear_pii_violation"] == 0  # the detector is blind...
    assert flags["remark__independent_check_violation"] == len(cases)  # ...the second net is not


def test_independent_check_is_quiet_on_redacted_and_benign_text():
    from cc_warehouse.privacy.redact import redact

    for case in load_corpus():
        assert not suspicious(redact(case.text)[0]), case.line
    for text in [
        "订单4937123456789012345已发货",
        "tk1_" + "13800138000abcdef" * 2,
        "2026-11-15 13:45:00",
        "note_5f3a13800138000dcba01234",
        "满300减40，共2件",
    ]:
        assert not suspicious(text), text


def test_numeric_columns_and_raw_json_numbers(tmp_path):
    con = duckdb.connect()
    pii_scan.register_detectors(con)
    con.execute("create table main.n (contact bigint, pay_amount bigint, score double)")
    con.execute("insert into main.n values (13800138000, 13800138000, 8613800138000), (12, 13, 1.5)")
    flags = _flags(con, "n", [("contact", "BIGINT"), ("pay_amount", "BIGINT"), ("score", "DOUBLE")])
    assert flags == {"contact__numeric_phone_violation": 1, "score__numeric_phone_violation": 1}

    raw = tmp_path / "raw.duckdb"
    with duckdb.connect(str(raw)) as rcon:
        rcon.execute("create table crm_members (record json)")
        rcon.execute(
            "insert into crm_members values (?), (?)",
            [json.dumps({"member_id": "m1", "contact": 13800138000}), json.dumps({"member_id": "m2"})],
        )
    views = pii_scan.raw_leaf_views(con, str(raw))
    flags = _flags(con, "raw__crm_members", views["raw.crm_members"], catalog="temp")
    assert flags["contact__numeric_phone_violation"] == 1


@pytest.mark.parametrize("text", ["138 -- 0013 --- 8000", "1\u200b3\u200b8\u00a0\u00a0\u00a0\u00a00013 8000"])
def test_unbounded_separators(text):
    assert suspicious(text)


def test_quarantine_excerpts_are_scanned(tmp_path):
    raw = tmp_path / "raw.duckdb"
    with duckdb.connect(str(raw)) as rcon:
        rcon.execute("create table douyin_orders (record json)")
        rcon.execute("create table quarantine (source varchar, record_excerpt varchar)")
        rcon.execute(
            "insert into quarantine values ('douyin', '{\"buyer_words\": \"电话 138 0013 8000\"'), "
            "('douyin', '{\"order_id\": ')"
        )
    con = duckdb.connect()
    pii_scan.register_detectors(con)
    views = pii_scan.raw_leaf_views(con, str(raw))
    assert "raw.quarantine" in views
    flags = _flags(con, "raw__quarantine", views["raw.quarantine"], catalog="temp")
    assert flags["record_excerpt__clear_pii_violation"] == 1


def test_json_measures_in_excerpts_are_not_phones():
    assert not suspicious('{"orderId":"P1","paidTime":13800138000,"totalPayAmount":13900139000,"logisticsMode"')
    assert suspicious('{"orderId":"P1","contact":13800138000,"logisticsMode"')
