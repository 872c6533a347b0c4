"""The run summary: ``run_summary.json`` plus the reports landing page ``index.html``.

Raw counts come from ``load_audit`` (per entity, for this run and for the partitions currently held),
published counts from the analytics file, the gate outcome from the gate's JSON. DuckDB files are
opened read-only.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from cc_warehouse.config import LOCAL_TZ
from cc_warehouse.duckdb_files import connect_with_retry
from cc_warehouse.duckdb_sql import table_exists
from cc_warehouse.reports.gate_results import GateSummary, read_gate_result
from cc_warehouse.reports.rendering import render
from cc_warehouse.reports.warehouse import published_row_counts

_ENTITY = "split_part(partition, '/', 1) || '.' || split_part(partition, '/', 2)"

_THIS_RUN_SQL = f"""
select {_ENTITY} as entity, count(*) as files, sum(received) as received,
       sum(loaded) as loaded, sum(quarantined) as quarantined
from load_audit where run_id = ? group by all order by entity
"""

# The raw tables hold the latest load of each partition, so "held" counts that load only.
_HELD_SQL = f"""
with latest as (
    select * from load_audit
    qualify row_number() over (partition by partition order by loaded_at desc, run_id desc) = 1
)
select {_ENTITY} as entity, count(*) as files, sum(received) as received,
       sum(loaded) as loaded, sum(quarantined) as quarantined
from latest group by all order by entity
"""


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def raw_load_counts(raw_db: Path, run_id: str) -> dict[str, list[dict[str, Any]]]:
    """Per raw entity: files / received / loaded / quarantined for ``run_id`` and currently held."""
    if not Path(raw_db).exists():
        return {"this_run": [], "held": []}
    with connect_with_retry(raw_db, read_only=True) as con:
        if not table_exists(con, "load_audit"):
            return {"this_run": [], "held": []}
        return {"this_run": _rows(con, _THIS_RUN_SQL, [run_id]), "held": _rows(con, _HELD_SQL)}


def published_counts(warehouse_db: Path) -> list[dict[str, Any]] | None:
    """Rows per published table, or None when nothing has been published yet."""
    if not Path(warehouse_db).exists():
        return None
    with connect_with_retry(warehouse_db, read_only=True) as con:
        return published_row_counts(con)


def gate_outcome(gate: GateSummary | None) -> dict[str, Any] | None:
    """JSON-ready gate outcome: success, per-suite counts, failed expectations (names and counts only)."""
    if gate is None:
        return None
    return {
        "result_id": gate.result_id,
        "success": gate.success,
        "suites": gate.suites,
        "failed_expectations": [
            {
                "suite": f.suite,
                "expectation": f.expectation,
                "table": f.table,
                "column": f.column,
                "unexpected_count": f.unexpected_count,
            }
            for f in gate.failed
        ],
    }


def write_run_summary(
    *, raw_db: Path, warehouse_db: Path, gate_json: Path | None, reports_dir: Path, run_id: str
) -> Path:
    """Write ``reports_dir/run_summary.json`` and ``reports_dir/index.html``; return the HTML path."""
    reports_dir = Path(reports_dir)
    reports_dir.mkdir(parents=True, exist_ok=True)
    gate = read_gate_result(gate_json) if gate_json and Path(gate_json).exists() else None
    summary = {
        "run_id": run_id,
        "generated_at": datetime.now(ZoneInfo(LOCAL_TZ)).isoformat(timespec="seconds"),
        "raw_entities": raw_load_counts(raw_db, run_id),
        "published_tables": published_counts(warehouse_db),
        "gate": gate_outcome(gate),
    }
    (reports_dir / "run_summary.json").write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    html_path = reports_dir / "index.html"
    html_path.write_text(render("run_summary.html.j2", summary=summary), encoding="utf-8")
    return html_path
