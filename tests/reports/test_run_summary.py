import json
from collections import defaultdict

from cc_warehouse.reports.run_summary import write_run_summary
from report_fixtures import LOAD_AUDIT


def _expected(rows):
    sums = defaultdict(lambda: {"files": 0, "received": 0, "loaded": 0, "quarantined": 0})
    for _file, partition, received, loaded, quarantined, *_ in rows:
        entity = ".".join(partition.split("/")[:2])
        for key, value in (("files", 1), ("received", received), ("loaded", loaded), ("quarantined", quarantined)):
            sums[entity][key] += value
    return [{"entity": e, **c} for e, c in sorted(sums.items())]


def _latest_per_partition(rows):
    latest = {}
    for row in sorted(rows, key=lambda r: r[6]):
        latest[row[1]] = row
    return list(latest.values())


def test_summary_counts_equal_load_audit_sums(report_inputs):
    html = write_run_summary(
        raw_db=report_inputs.raw_db,
        warehouse_db=report_inputs.warehouse_db,
        gate_json=report_inputs.gate_json,
        reports_dir=report_inputs.reports_dir,
        run_id="run-2",
    )
    summary = json.loads((report_inputs.reports_dir / "run_summary.json").read_text())

    assert summary["raw_entities"]["this_run"] == _expected([r for r in LOAD_AUDIT if r[5] == "run-2"])
    assert summary["raw_entities"]["held"] == _expected(_latest_per_partition(LOAD_AUDIT))
    assert summary["raw_entities"]["held"][1]["received"] == 5 + 7 + 12  # reload replaces, not adds
    assert summary["published_tables"] == [
        {"table": "conversion.fct_orders", "rows": 3},
        {"table": "core.dim_customer", "rows": 5},
    ]
    assert summary["gate"]["success"] is False
    assert summary["gate"]["failed_expectations"] == [
        {
            "suite": "pii.conversion.fct_orders",
            "expectation": "expect_column_values_to_be_in_set",
            "table": "conversion.fct_orders",
            "column": "buyer_note",
            "unexpected_count": 1,
        }
    ]

    page = html.read_text(encoding="utf-8")
    assert html == report_inputs.reports_dir / "index.html"
    assert 'href="data_docs/index.html"' in page and 'href="privacy/index.html"' in page
    assert "conversion.fct_orders" in page and "expect_column_values_to_be_in_set" in page


def test_summary_without_warehouse_or_gate(report_inputs, tmp_path):
    write_run_summary(
        raw_db=report_inputs.raw_db,
        warehouse_db=tmp_path / "missing.duckdb",
        gate_json=None,
        reports_dir=report_inputs.reports_dir,
        run_id="run-9",
    )
    summary = json.loads((report_inputs.reports_dir / "run_summary.json").read_text())
    assert summary["published_tables"] is None
    assert summary["gate"] is None
    assert summary["raw_entities"]["this_run"] == []
    assert "Nothing published yet" in (report_inputs.reports_dir / "index.html").read_text(encoding="utf-8")
