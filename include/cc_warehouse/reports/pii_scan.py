"""Counts of personal information found or removed: landing redactions and a scan of the published file.

Only counts leave this module. The warehouse scan pre-selects candidate values inside DuckDB with the
detectors' RE2 patterns and confirms them with ``find_pii``; values are never logged or returned.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from cc_warehouse.duckdb_sql import quote_ident
from cc_warehouse.landing.files import manifest_paths
from cc_warehouse.privacy.detectors import SQL_ANY_PII, exempt_kinds, find_pii
from cc_warehouse.publish.warehouse import PUBLISHED_SCHEMAS
from cc_warehouse.sources.registry import load_registry


def landing_redactions(landing_dir: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """From the current entries of every landing manifest: redactions per entity / field / kind (free-text
    findings replaced by placeholders), and values treated per entity / treatment (tokenised, dropped, …)."""
    found: Counter[tuple[str, str, str]] = Counter()
    treated: Counter[tuple[str, str]] = Counter()
    for manifest in manifest_paths(landing_dir):
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        for entry in doc.get("partitions", {}).values():
            entity = f"{entry.get('source')}.{entry.get('entity')}"
            for key, count in (entry.get("redactions") or {}).items():
                field, _, kind = str(key).rpartition(":")
                if field:
                    found[(entity, field, kind)] += int(count)
                else:
                    treated[(entity, kind)] += int(count)
    return (
        [{"entity": e, "field": f, "kind": k, "count": c} for (e, f, k), c in sorted(found.items())],
        [{"entity": e, "treatment": t, "count": c} for (e, t), c in sorted(treated.items())],
    )


def _string_columns(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], list[str]]:
    placeholders = ", ".join("?" for _ in PUBLISHED_SCHEMAS)
    columns: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in con.execute(
        f"select table_schema, table_name, column_name from information_schema.columns "
        f"where table_schema in ({placeholders}) and data_type = 'VARCHAR' order by 1, 2, ordinal_position",
        list(PUBLISHED_SCHEMAS),
    ).fetchall():
        columns.setdefault((schema, table), []).append(column)
    return columns


def _column_findings(con: duckdb.DuckDBPyConnection, table: str, column: str) -> Counter[str]:
    """Findings per kind in one column: SQL pre-scan for candidates, ``find_pii`` to confirm them. Typed
    identifier columns are not asked (the gate checks their shape instead), so no identifier shows up
    as a false "finding" that the gate does not report."""
    if load_registry().identifier_type(column):
        return Counter()
    exempt = exempt_kinds(column)
    candidates = con.execute(
        f"select {quote_ident(column)}, count(*) from {table} "
        f"where regexp_matches({quote_ident(column)}, ?) group by 1",
        [SQL_ANY_PII],
    ).fetchall()
    counts: Counter[str] = Counter()
    for value, rows in candidates:
        for finding in find_pii(value):
            if finding.kind not in exempt:
                counts[finding.kind] += rows
    return counts


def scan_published_strings(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Per published string column, the number of PII findings of each kind (counts only).

    Returns ``{"columns_scanned": n, "findings": [{"column": "schema.table.col", "kind", "count"}]}``
    listing only non-zero counts. Candidate values stay in memory for the check and are never kept.
    """
    findings = []
    columns = _string_columns(con)
    for (schema, table), names in columns.items():
        qualified = f"{quote_ident(schema)}.{quote_ident(table)}"
        for column in names:
            findings.extend(
                {"column": f"{schema}.{table}.{column}", "kind": kind, "count": n}
                for kind, n in sorted(_column_findings(con, qualified, column).items())
            )
    return {"columns_scanned": sum(len(names) for names in columns.values()), "findings": findings}
