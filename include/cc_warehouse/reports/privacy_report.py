"""The privacy report for compliance reviewers: ``reports/privacy/index.html`` (self-contained HTML).

Sections: (1) personal-information inventory from the registry, with the purpose of every published mart
column (PIPL art. 6, ``mart_purposes`` in the registry), (2) PII scan results, (3) consent
coverage, (4) retention status, (5) latest runs, (6) data-quality summary. Everything shown is a
name, a date or a count: record values are never read into the report.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from cc_warehouse.audit.log import latest_runs
from cc_warehouse.config import LOCAL_TZ
from cc_warehouse.duckdb_files import connect_with_retry
from cc_warehouse.duckdb_sql import table_exists
from cc_warehouse.landing.files import RECEIPTS_ENTITY
from cc_warehouse.reports.gate_results import latest_gate_json, read_gate_result
from cc_warehouse.reports.pii_scan import landing_redactions, scan_published_strings
from cc_warehouse.reports.rendering import render
from cc_warehouse.reports.run_summary import gate_outcome
from cc_warehouse.reports.warehouse import published_tables
from cc_warehouse.retention.landing_inventory import landing_partitions, receipts
from cc_warehouse.retention.policy import (
    RegistryArg,
    landing_retention_days,
    quarantine_retention_days,
    resolve_registry,
)
from cc_warehouse.sources.registry import Registry

LEVEL_LABELS = {"basic": "基础信息", "behaviour": "行为数据", "transaction": "交易数据"}
MARKETING, CROSSBORDER = "marketing 营销授权", "cross-border 跨境授权"
CONSENT_COLUMNS = {"has_marketing_consent": MARKETING, "has_crossborder_consent": CROSSBORDER}
RAW_CONSENT_FIELDS = {"marketing_consent": MARKETING, "crossborder_consent": CROSSBORDER}


# --- (1) inventory ------------------------------------------------------------------------------------
def registry_inventory(registry: Registry) -> list[dict[str, Any]]:
    """One row per registry field (nested objects as ``a.b``, list items as ``a[].b``)."""
    return [
        {
            **row._asdict(),
            "level_label": LEVEL_LABELS.get(row.level, ""),
            "retention_days": landing_retention_days(registry, row.entity),
        }
        for row in registry.fields_flat()
    ]


def published_purposes(warehouse_db: Path, registry: Registry) -> list[dict[str, Any]] | None:
    """Per published table: its purpose and every column's purpose with the registry rule that gives it
    (``None`` for a column without one); None when nothing is published yet."""
    if not Path(warehouse_db).exists():
        return None
    purposes = registry.mart_purposes
    out = []
    with connect_with_retry(warehouse_db, read_only=True) as con:
        for schema, table in published_tables(con):
            name = f"{schema}.{table}"
            columns = con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?"
                " order by ordinal_position",
                [schema, table],
            ).fetchall()
            rows = []
            for (column,) in columns:
                purpose, rule = purposes.column(name, column) or (None, None)
                rows.append({"column": column, "purpose": purpose, "rule": rule})
            out.append({"table": name, "purpose": purposes.tables.get(name), "columns": rows})
    return out


def entity_summary(inventory: list[dict[str, Any]], treatments: list[str]) -> list[dict[str, Any]]:
    """Per entity: field count, sensitive count, count per treatment, retention days."""
    summary: dict[str, dict[str, Any]] = {}
    for row in inventory:
        entry = summary.setdefault(
            row["entity"],
            {
                "entity": row["entity"],
                "fields": 0,
                "sensitive": 0,
                "retention_days": row["retention_days"],
                "treatments": dict.fromkeys(treatments, 0),
            },
        )
        entry["fields"] += 1
        entry["sensitive"] += row["sensitive"]
        entry["treatments"][row["treatment"]] += 1
    return list(summary.values())


# --- (3) consent --------------------------------------------------------------------------------------
def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def consent_from_warehouse(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Consent shares among private-domain members of ``core.dim_customer`` (all customers if no flag)."""
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'core' and table_name = 'dim_customer'"
        ).fetchall()
    }
    notes = []
    member_filter = "is_private_domain_member" if "is_private_domain_member" in columns else "true"
    if member_filter == "true":
        notes.append("core.dim_customer has no is_private_domain_member column: all customers counted.")
    present = [c for c in CONSENT_COLUMNS if c in columns]
    notes.extend(f"core.dim_customer has no {c} column." for c in CONSENT_COLUMNS if c not in columns)
    selects = ["count(*)"] + [f"count(*) filter (where {c})" for c in present]
    counts = con.execute(f"select {', '.join(selects)} from core.dim_customer where {member_filter}").fetchone()
    members = int(counts[0])
    return {
        "source": "core.dim_customer (published)",
        "members": members,
        "consents": [
            {"consent": CONSENT_COLUMNS[c], "members": int(n), "pct": _pct(int(n), members)}
            for c, n in zip(present, counts[1:], strict=True)
        ],
        "notes": notes,
    }


def consent_from_raw(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Consent shares over the latest raw record of each CRM member (``是`` = consented)."""
    selects = ", ".join(
        f"count(*) filter (where json_extract_string(record, '$.{f}') = '是')" for f in RAW_CONSENT_FIELDS
    )
    counts = con.execute(f"""
        with latest as (
            select record from crm_members
            qualify row_number() over (
                partition by record_key order by _interval_end desc, _loaded_at desc, _line_number desc) = 1
        )
        select count(*), {selects} from latest""").fetchone()
    members = int(counts[0])
    return {
        "source": "raw crm_members (restricted; latest record per member)",
        "members": members,
        "consents": [
            {"consent": label, "members": int(n), "pct": _pct(int(n), members)}
            for label, n in zip(RAW_CONSENT_FIELDS.values(), counts[1:], strict=True)
        ],
        "notes": ["No published core.dim_customer yet: computed from the raw CRM export."],
    }


def consent_coverage(raw_db: Path, warehouse_db: Path) -> dict[str, Any]:
    if Path(warehouse_db).exists():
        with connect_with_retry(warehouse_db, read_only=True) as con:
            if table_exists(con, "dim_customer", schema="core"):
                return consent_from_warehouse(con)
    if Path(raw_db).exists():
        with connect_with_retry(raw_db, read_only=True) as con:
            if table_exists(con, "crm_members"):
                return consent_from_raw(con)
    return {"source": None, "members": 0, "consents": [], "notes": ["No customer or CRM member data available yet."]}


# --- (4) retention ------------------------------------------------------------------------------------
def _retention_row(entity: str, held: int, oldest: date | None, days: int, as_of: date) -> dict[str, Any]:
    due = oldest + timedelta(days=days) if oldest else None
    return {
        "entity": entity,
        "held": held,
        "oldest": oldest,
        "retention_days": days,
        "purge_due": due,
        "overdue": bool(due and due < as_of),
    }


def landing_retention(landing_dir: Path, registry: Registry, as_of: date) -> list[dict[str, Any]]:
    """Per entity (registry entities, plus any found on disk): files held, oldest date, purge due date."""
    held: dict[str, list[date]] = {entity: [] for entity in registry.entity_names}
    for part in landing_partitions(landing_dir):
        held.setdefault(part.entity, []).extend(part.dt for _ in part.data_files)
    rows = [
        _retention_row(entity, len(days), min(days, default=None), landing_retention_days(registry, entity), as_of)
        for entity, days in sorted(held.items())
    ]
    taken = [day for _, day in receipts(landing_dir)]
    rows.append(
        _retention_row(
            f"{RECEIPTS_ENTITY} (inbox receipts, no personal data)",
            len(taken),
            min(taken, default=None),
            landing_retention_days(registry, RECEIPTS_ENTITY),
            as_of,
        )
    )
    return rows


def quarantine_held(raw_db: Path, registry: Registry, as_of: date) -> list[dict[str, Any]]:
    """Quarantine rows held per entity, the oldest, and when that one falls due."""
    if not Path(raw_db).exists():
        return []
    with connect_with_retry(raw_db, read_only=True) as con:
        if not table_exists(con, "quarantine"):
            return []
        rows = con.execute(
            "select source || '.' || entity, count(*), min(_quarantined_at) from quarantine group by all order by 1"
        ).fetchall()
    days = quarantine_retention_days(registry)
    return [
        _retention_row(entity, int(count), oldest_at.astimezone(ZoneInfo(LOCAL_TZ)).date(), days, as_of)
        for entity, count, oldest_at in rows
    ]


# --- (5) runs -----------------------------------------------------------------------------------------
def run_rows(raw_db: Path) -> list[dict[str, Any]]:
    """Latest runs with their row totals (counts only)."""
    rows = []
    for run in latest_runs(raw_db, 20):
        totals: Counter[str] = Counter()
        for counts in (run["row_counts"] or {}).values():
            totals.update(counts)
        rows.append(
            {
                "run_id": run["run_id"],
                "dag_id": run["dag_id"],
                "status": run["status"],
                "interval_start": run["interval_start"],
                "interval_end": run["interval_end"],
                "gate_success": run["gate_success"],
                "files": len(run["input_files"] or []),
                "totals": dict(totals),
            }
        )
    return rows


# --- assembly -----------------------------------------------------------------------------------------
def write_privacy_report(
    *,
    raw_db: Path,
    warehouse_db: Path,
    landing_dir: Path,
    reports_dir: Path,
    registry: RegistryArg = None,
    as_of: date | None = None,
) -> Path:
    """Write ``reports_dir/privacy/index.html`` and return its path."""
    doc = resolve_registry(registry)
    as_of = as_of or datetime.now(ZoneInfo(LOCAL_TZ)).date()
    inventory = registry_inventory(doc)
    redactions, treated = landing_redactions(landing_dir)
    treatment_counts = sorted(Counter(r["treatment"] for r in inventory).items())
    gate_path = latest_gate_json(Path(reports_dir) / "gate")
    gate = read_gate_result(gate_path) if gate_path else None
    warehouse_scan = None
    if Path(warehouse_db).exists():
        with connect_with_retry(warehouse_db, read_only=True) as con:
            warehouse_scan = scan_published_strings(con)
    purposes = published_purposes(warehouse_db, doc)
    context = {
        "as_of": as_of,
        "purposes": purposes,
        "purposes_missing": sum(
            (t["purpose"] is None) + sum(c["purpose"] is None for c in t["columns"]) for t in purposes or []
        ),
        "generated_at": datetime.now(ZoneInfo(LOCAL_TZ)).isoformat(timespec="seconds"),
        "entities": entity_summary(inventory, [t for t, _ in treatment_counts]),
        "inventory": inventory,
        "treatment_counts": treatment_counts,
        "level_counts": sorted(Counter(r["level"] for r in inventory).items()),
        "sensitive_count": sum(r["sensitive"] for r in inventory),
        "level_labels": LEVEL_LABELS,
        "redactions": redactions,
        "treated": treated,
        "gate_pii": gate.pii_failed if gate else None,
        "warehouse_scan": warehouse_scan,
        "consent": consent_coverage(raw_db, warehouse_db),
        "landing_retention": landing_retention(landing_dir, doc, as_of),
        "quarantine": quarantine_held(raw_db, doc, as_of),
        "quarantine_days": quarantine_retention_days(doc),
        "runs": run_rows(raw_db),
        "gate": gate_outcome(gate),
    }
    out = Path(reports_dir) / "privacy" / "index.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render("privacy_report.html.j2", **context), encoding="utf-8")
    return out
