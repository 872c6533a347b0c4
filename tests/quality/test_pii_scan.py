"""Privacy flags are computed in DuckDB per row; only booleans come out."""

from __future__ import annotations

import duckdb
import pytest
from cc_warehouse.privacy.detectors import luhn_ok
from cc_warehouse.quality.pii_scan import flag_checks, flag_frame, register_detectors

LUHN_ORDER_ID = next(str(n) for n in range(4781320000000000000, 4781320000000000100) if luhn_ok(str(n)))
TOKEN = "tk1_" + "0123456789abcdef" * 2


@pytest.fixture
def con():
    con = duckdb.connect()
    register_detectors(con)
    yield con
    con.close()


def _flags(con, rows: list[tuple], columns: str) -> dict[str, list[bool]]:
    con.execute(f"create or replace table main.t ({columns})")
    con.executemany(f"insert into main.t values ({', '.join('?' * len(rows[0]))})", rows)
    described = con.sql("select column_name, data_type from information_schema.columns where table_name = 't'")
    checks = flag_checks(described.fetchall())
    frame = flag_frame(con, "main", "t", checks)
    assert all(str(dtype) == "bool" for dtype in frame.dtypes)
    return {check.flag: frame[check.flag].tolist() for check in checks}


def test_clear_pii_flags_and_identifier_exemption(con):
    rows = [
        (LUHN_ORDER_ID, f"order {LUHN_ORDER_ID}", "fine", 1),
        ("1", f"token {TOKEN} and 5f3a0123456789abcdef0123", "a@b", 2),
        ("2", "身份证 11010519491231002X", "mail zhang@example.com", 3),
    ]
    flags = _flags(con, rows, "order_id varchar, remark varchar, contact varchar, amount integer")
    # A Luhn-valid 19-digit order id is a typed identifier (shape check only); the same digits in free text
    # look like a card.
    assert flags["order_id__identifier_format_violation"] == [False, False, False]
    assert flags["remark__clear_pii_violation"] == [True, False, True]
    assert flags["contact__clear_pii_violation"] == [False, False, True]
    assert not any("amount" in flag for flag in flags)


def test_token_and_mask_formats(con):
    rows = [
        (TOKEN, [TOKEN], "138****1234", "王**"),
        ("13812345678", [TOKEN, "abc"], "1********35", "王小明"),
        (None, None, "13812345678", None),
    ]
    flags = _flags(con, rows, "phone_token varchar, tag_tokens varchar[], mask_post_tel varchar, receiver_mask varchar")
    assert flags["phone_token__token_format_violation"] == [False, True, False]
    assert flags["tag_tokens__token_format_violation"] == [False, True, False]
    assert flags["mask_post_tel__mask_format_violation"] == [False, False, True]
    assert flags["receiver_mask__mask_format_violation"] == [False, True, False]


def test_rules_come_from_the_pii_registry():
    """Token outputs and masked fields named in the registry get format rules wherever they appear
    (including raw JSON leaves named <parent>__<field>), not only columns with conventional suffixes."""
    from cc_warehouse.quality.pii_scan import flag_checks
    from cc_warehouse.sources.registry import load_registry

    registry = load_registry()
    rules = {
        c.column: c.rule
        for c in flag_checks(
            [
                ("receiver__receiverName", "VARCHAR"),
                ("user_id_info__id_card_name", "VARCHAR"),
                ("user_token", "VARCHAR"),
                ("remark_mobile_tokens", "VARCHAR[]"),
                ("title", "VARCHAR"),
            ]
        )
        if c.rule not in ("token_version", "independent_check")
    }
    assert rules == {
        "receiver__receiverName": "mask_format",
        "user_id_info__id_card_name": "mask_format",
        "user_token": "token_format",
        "remark_mobile_tokens": "token_format",
        "title": "clear_pii",
    }
    outputs = {r.output for r in registry.fields_flat() if r.treatment == "token"}
    assert {"user_token", "remark_mobile_tokens"} <= outputs


@pytest.mark.parametrize(
    ("column", "value", "violation"),
    [
        ("receiver_phone_mask", "138****1234", False),
        ("receiver_phone_mask", "1********35", False),
        ("receiver_phone_mask", "13812345678", True),
        ("receiver_phone_mask", "138****12345678", True),
        ("receiver_name_mask", "王**", False),
        ("receiver_name_mask", "**", True),
        ("receiver_name_mask", "王小明", True),
        ("buyer_id_mask", "110101********1233", False),
        ("buyer_id_mask", "110101*****7123", False),  # what extraction makes of a 15-digit ID number
        ("buyer_id_mask", "110101199003071233", True),
    ],
)
def test_gate_accepts_exactly_the_masks_extraction_accepts(con, column, value, violation):
    """One mask rule: a value extraction keeps as a mask passes the gate, and a clear value fails both."""
    from cc_warehouse.privacy.masks import is_masked

    flags = _flags(con, [(value,)], f"{column} varchar")
    assert flags[f"{column}__mask_format_violation"] == [violation]
    kind = column.split("_")[-2]
    assert is_masked(value, kind) is (not violation)


def test_gate_and_report_scan_agree_on_card_like_ids(con):
    """One identifier rule: a Luhn-valid id inside an identifier column's text is not a bank card for the
    gate nor for the report scan, while the same text in a free-text column is one for both."""
    from cc_warehouse.reports.pii_scan import scan_published_strings

    text = f"order {LUHN_ORDER_ID}"
    flags = _flags(con, [(LUHN_ORDER_ID, text)], "order_id varchar, remark varchar")
    assert not any(values[0] for flag, values in flags.items() if flag.startswith("order_id__")), flags
    assert flags["remark__clear_pii_violation"] == [True]
    con.execute("create schema core")
    con.execute("create table core.t as select * from main.t")
    findings = {(f["column"], f["kind"]) for f in scan_published_strings(con)["findings"]}
    assert findings == {("core.t.remark", "bank_card")}
