import html
import re
from collections import Counter
from datetime import date

from cc_warehouse.reports.privacy_report import write_privacy_report
from cc_warehouse.sources.registry import DEFAULT_REGISTRY_PATH as REGISTRY_PATH
from cc_warehouse.sources.registry import load_registry
from report_fixtures import PLANTED_ID, PLANTED_PHONE, build_warehouse

AS_OF = date(2026, 11, 15)


def _write(inputs, **kwargs):
    params = {
        "raw_db": inputs.raw_db,
        "warehouse_db": inputs.warehouse_db,
        "landing_dir": inputs.landing_dir,
        "reports_dir": inputs.reports_dir,
        "as_of": AS_OF,
        **kwargs,
    }
    return write_privacy_report(**params).read_text(encoding="utf-8")


def _row(page, first_cell):
    """The text of the table row whose first cell is ``first_cell`` (tags stripped)."""
    match = re.search(rf"<tr><td>{re.escape(first_cell)}</td>(.*?)</tr>", page, re.S)
    assert match, first_cell
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def test_inventory_lists_every_entity_and_treatment_counts(report_inputs):
    page = _write(report_inputs)
    for entity in load_registry().entity_names:
        assert f"<td>{entity}</td>" in page
    # Independent count: every "treatment: x" in the YAML text is one registry field.
    expected = Counter(re.findall(r"treatment: (\w+)", REGISTRY_PATH.read_text(encoding="utf-8")))
    shown = {t: int(n) for t, n in re.findall(r'data-treatment="(\w+)">(\d+)<', page)}
    assert shown == dict(expected)
    assert "基础信息" in page and "行为数据" in page and "交易数据" in page
    assert '<meta charset="utf-8">' in page and "Noto Sans CJK SC" in page


def test_never_shows_planted_personal_information(report_inputs):
    page = _write(report_inputs)
    for secret in (PLANTED_PHONE, PLANTED_ID, "139****5678"):
        assert secret not in page
    # ...while the scan and the redaction counts do report them, as counts
    assert _row(page, "<code>conversion.fct_orders.buyer_note</code>") == "mobile 1"
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "douyin.orders buyer_words id_number 1" in text
    assert "douyin.orders buyer_words mobile 5" in text
    # Treatment counters are their own table, not redaction findings of an unknown kind.
    assert "douyin.orders token 7" in text and "douyin.orders drop 4" in text
    assert " ? " not in text


def test_retention_rows(report_inputs):
    page = _write(report_inputs)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "douyin.orders 2 2026-11-10 30 2026-12-10" in text
    assert "crm.members (inbox receipts, no personal data) 1" in text
    assert "red.notes 0 – 30 –" in text
    # quarantine: 2 rows, the oldest from 2026-10-01 is past its 30 days
    assert "douyin.orders 2 2026-10-01 2026-10-31 (overdue)" in text


def test_consent_from_published_dim_customer(report_inputs):
    text = " ".join(re.sub(r"<[^>]+>", " ", _write(report_inputs)).split())
    assert "Members 会员: 4" in text
    assert "marketing 营销授权 2 50.0" in text
    assert "has no has_crossborder_consent column" in text


def test_consent_falls_back_to_raw_crm_members(report_inputs, tmp_path):
    warehouse = tmp_path / "no_dim.duckdb"
    build_warehouse(warehouse, with_dim_customer=False)
    text = " ".join(re.sub(r"<[^>]+>", " ", _write(report_inputs, warehouse_db=warehouse)).split())
    assert "raw crm_members" in text
    assert "Members 会员: 4" in text
    assert "marketing 营销授权 3 75.0" in text and "cross-border 跨境授权 1 25.0" in text


def test_runs_gate_and_escaping(report_inputs, tmp_path):
    registry = tmp_path / "registry.yml"
    original = REGISTRY_PATH.read_text(encoding="utf-8")
    planted = re.sub(
        r"purpose: '?order key \(19-digit string\)'?", 'purpose: "<script>alert(1)</script>"', original, count=1
    )
    assert planted != original, "the registry line this test plants into has changed"
    registry.write_text(planted, encoding="utf-8")
    page = _write(report_inputs, registry=registry)
    assert "<script>" not in page and html.escape("<script>alert(1)</script>") in page
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "run-2 build_warehouse" in text and "7 7 0 7" in text
    assert "1 failing PII check(s)" in text
    assert "structure.core.dim_customer passed 30 0" in text


def test_shows_the_purpose_of_every_published_column_and_flags_those_without(report_inputs):
    page = _write(report_inputs)
    # the fixture's conversion.fct_orders has two columns the registry gives no purpose: buyer_note, fen
    assert "2 published table(s) or column(s) without a documented purpose." in page
    assert _row(page, "conversion.fct_orders</td><td><code>buyer_note</code>") == "no purpose"
    assert _row(page, "conversion.fct_orders</td><td><code>fen</code>") == "no purpose"
    customer_key = load_registry().mart_purposes.columns["customer_id"]
    assert _row(page, "core.dim_customer</td><td><code>customer_id</code>") == f"{customer_key} customer_id"
    assert _row(page, "conversion.fct_orders</td><td><code>order_id</code>").endswith("*_id")
