"""The gate passes a clean build, fails planted defects, and never copies an offending value anywhere."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import pytest
from cc_warehouse.quality.gate import GateFailed, assert_gate, run_gate

PLANTED = {
    "plain": "13812345678",
    "disguised": "+86 138 1234 5678",
    "full_width": "１３８１２３４５６７８",
}
# Each planted form goes into its own text column so each must be reported on its own.
PII_DEFECTS = """
alter table staging.stg_douyin__orders add column remark_plain varchar;
alter table staging.stg_douyin__orders add column remark_disguised varchar;
alter table staging.stg_douyin__orders add column remark_full_width varchar;
update staging.stg_douyin__orders set
    remark_plain = case when order_id like '%07' then '请联系 13812345678 谢谢' else '无' end,
    remark_disguised = case when order_id like '%07' then '电话+86 138 1234 5678' else '无' end,
    remark_full_width = case when order_id like '%07' then '手机１３８１２３４５６７８' else '无' end;
"""
OTHER_DEFECTS = """
update staging.stg_douyin__orders set receiver_phone_token = 'not-a-token' where order_id like '%07';
update staging.stg_douyin__orders set mask_post_tel = '13912345678' where order_id like '%14';
insert into seeding.fct_content_daily select * from seeding.fct_content_daily limit 1;
drop table fulfilment.fct_customs_events;
create table conversion.fct_new_thing as
select 'x' || i as thing_id, case when i = 1 then 'buyer: zhang.san@example.com' else 'ok' end as note,
       case when i = 2 then '11010519491231002X' else null end as holder
from range(3) t(i);
"""


def _failures(result, suite: str) -> list[dict]:
    return next(s["failed_expectations"] for s in result.suites if s["suite"] == suite)


def _no_raised_exceptions(gx_work_dir: Path, run_id: str) -> None:
    files = [
        p
        for p in (gx_work_dir / "gx" / "uncommitted" / "validations").rglob("*.json")
        if run_id in p.read_text(encoding="utf-8")
    ]
    assert files, "validation results were stored"
    for path in files:
        for item in json.loads(path.read_text(encoding="utf-8"))["results"]:
            assert item["exception_info"]["raised_exception"] is False, path


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_clean_build_passes(make_build, expectations_dir, tmp_path):
    build = make_build()
    committed = _tree(expectations_dir)
    result = run_gate(
        build,
        reports_dir=tmp_path / "reports",
        run_id="clean",
        work_dir=tmp_path / "gx",
        expectations_dir=expectations_dir,
    )
    assert _tree(expectations_dir) == committed, "the gate must not write into the committed GX context"
    assert result.success, result.failures
    assert_gate(result)
    assert result.data_docs_index.is_file()
    summary = json.loads(result.results_path.read_text(encoding="utf-8"))
    assert summary["success"] is True
    names = {s["suite"] for s in summary["suites"]}
    assert "structural.conversion.fct_orders" in names  # a view in the build is validated like a table
    assert "pii.staging.stg_douyin__orders" in names
    assert all(s["evaluated"] > 0 for s in summary["suites"])
    _no_raised_exceptions(tmp_path / "gx", "clean")


def test_planted_mobiles_fail_without_leaking(make_build, expectations_dir, tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    build = make_build(PII_DEFECTS)
    reports = tmp_path / "reports"
    result = run_gate(
        build, reports_dir=reports, run_id="pii", work_dir=tmp_path / "gx", expectations_dir=expectations_dir
    )

    assert result.success is False
    failed = {
        (f["column"], f["rule"]): f["unexpected_count"] for f in _failures(result, "pii.staging.stg_douyin__orders")
    }
    # the detector and the independent second check both see each planted mobile
    assert failed == {(f"remark_{form}", rule): 1 for form in PLANTED for rule in ("clear_pii", "independent_check")}
    _no_raised_exceptions(tmp_path / "gx", "pii")
    with pytest.raises(GateFailed, match="remark_disguised") as raised:
        assert_gate(result)

    captured = capsys.readouterr()
    texts = {
        "gate summary": result.results_path.read_text(encoding="utf-8"),
        "GateFailed": str(raised.value),
        "logs": caplog.text,
        "stdout": captured.out,
        "stderr": captured.err,
    }
    docs = [p for p in reports.rglob("*") if p.suffix in (".html", ".json")]
    assert any(p.suffix == ".html" for p in docs)
    texts |= {str(p): p.read_text(encoding="utf-8") for p in docs}
    stored = (tmp_path / "gx").rglob("*.json")
    texts |= {str(p): p.read_text(encoding="utf-8") for p in stored}
    for where, text in texts.items():
        for form in (*PLANTED.values(), "13812345678", "1234 5678", "１３８"):
            assert form not in text, f"{form!r} leaked into {where}"


def test_structural_and_format_defects_fail(make_build, expectations_dir, tmp_path):
    build = make_build(OTHER_DEFECTS)
    result = run_gate(
        build,
        reports_dir=tmp_path / "reports",
        run_id="defects",
        work_dir=tmp_path / "gx",
        expectations_dir=expectations_dir,
    )

    assert result.success is False
    orders = {
        (f["column"], f["rule"]): f["unexpected_count"] for f in _failures(result, "pii.staging.stg_douyin__orders")
    }
    assert orders == {("receiver_phone_token", "token_format"): 1, ("mask_post_tel", "mask_format"): 1}
    duplicate = _failures(result, "structural.seeding.fct_content_daily")
    assert [(f["expectation"], f["unexpected_count"]) for f in duplicate] == [
        ("expect_compound_columns_to_be_unique", 2)
    ]
    missing = _failures(result, "structural.fulfilment.fct_customs_events")
    assert [f["expectation"] for f in missing] == ["table_missing_from_build"]
    new_table = {f["column"]: f["unexpected_count"] for f in _failures(result, "pii.conversion.fct_new_thing")}
    assert new_table == {"note": 1, "holder": 1}
    # Untouched tables still pass: failures are attributed, not global.
    assert next(s for s in result.suites if s["suite"] == "structural.core.dim_date")["success"]
    _no_raised_exceptions(tmp_path / "gx", "defects")
    with pytest.raises(GateFailed, match="fulfilment.fct_customs_events table_missing_from_build"):
        assert_gate(result)


def _luhn_valid(prefix: str) -> str:
    """``prefix`` plus the digit that makes it pass a Luhn check (so it reads like a bank card)."""
    from cc_warehouse.privacy.detectors import luhn_ok

    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


def _raw_db(path: Path, remark: str) -> Path:
    """A raw file as the loader writes it: tokenised JSON records plus load metadata. Its ids and times
    pass Luhn, so without the identifier-column rule they would read as bank cards."""
    records = [
        {
            "order_id": _luhn_valid("478132000000000000"),
            "orderNo": "P" + _luhn_valid("71234567890123456"),
            "returnTime": _luhn_valid("2026111112000012"),
            "receiver_phone_token": "tk1_" + "0" * 32,
            "mask_post_tel": "138****5678",
            "sku_order_list": [{"sku_order_id": _luhn_valid("690000000000000002"), "author_name": "达人"}],
            "buyer_words": remark,
        },
        {
            "order_id": _luhn_valid("478132000000000001"),
            "orderNo": "P" + _luhn_valid("71234567890123457"),
            "returnTime": _luhn_valid("2026111112000045"),
            "receiver_phone_token": "tk1_" + "1" * 32,
            "mask_post_tel": "1********35",
            "sku_order_list": [],
            "buyer_words": "请尽快发货",
        },
    ]
    with duckdb.connect(str(path)) as con:
        con.execute("create table douyin_orders (record JSON, record_key VARCHAR)")
        for record in records:
            con.execute(
                "insert into douyin_orders values (?::JSON, ?)",
                [json.dumps(record, ensure_ascii=False), record["order_id"]],
            )
    return path


def test_raw_records_are_scanned_leaf_by_leaf(make_build, expectations_dir, tmp_path):
    """Raw JSON leaves get the same column rules as staging and marts: ids and times are exempt from the
    card check only; a phone in free text fails the gate without its value reaching the results."""
    build = make_build()
    clean = run_gate(
        build,
        reports_dir=tmp_path / "r1",
        run_id="raw-clean",
        work_dir=tmp_path / "gx",
        expectations_dir=expectations_dir,
        raw_db=_raw_db(tmp_path / "raw_clean.duckdb", "包装好一点 [手机号]"),
    )
    assert clean.success, clean.failures
    assert "pii.raw.douyin_orders" in {s["suite"] for s in clean.suites}

    leaked = run_gate(
        build,
        reports_dir=tmp_path / "r2",
        run_id="raw-leak",
        work_dir=tmp_path / "gx",
        expectations_dir=expectations_dir,
        raw_db=_raw_db(tmp_path / "raw_leak.duckdb", "电话 138 0013 8000"),
    )
    assert not leaked.success
    failures = _failures(leaked, "pii.raw.douyin_orders")
    assert {(f["column"], f["rule"], f["unexpected_count"]) for f in failures} == {
        ("buyer_words", "clear_pii", 1),
        ("buyer_words", "independent_check", 1),
    }
    text = leaked.results_path.read_text(encoding="utf-8")
    assert "0013" not in text and "13800138000" not in text
