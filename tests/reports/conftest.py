"""Fixtures: the report inputs built by ``report_fixtures`` in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from report_fixtures import ReportInputs, build_landing, build_raw, build_warehouse, gate_json


@pytest.fixture
def report_inputs(tmp_path: Path) -> ReportInputs:
    inputs = ReportInputs(
        tmp_path / "raw.duckdb",
        tmp_path / "analytics.duckdb",
        tmp_path / "landing",
        tmp_path / "reports",
        tmp_path / "reports" / "gate" / "run-2.json",
    )
    build_raw(inputs.raw_db)
    build_warehouse(inputs.warehouse_db, with_dim_customer=True)
    build_landing(inputs.landing_dir)
    gate_json(inputs.reports_dir)
    return inputs
