"""Counts of personal information found or removed: landing redactions and a scan of the published file.

Only counts leave this module. The warehouse scan runs entirely inside DuckDB (regex counts per
column), so no scanned value is ever fetched into Python.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import duckdb

from cc_warehouse.landing.files import MANIFEST_NAME
from cc_warehouse.reports.warehouse import PUBLISHED_SCHEMAS, quote_ident

# RE2 patterns with explicit digit boundaries (no look-behind in DuckDB). Kept in step with the
# detectors of cc_warehouse.privacy; bank cards need a Luhn check and are left to those detectors.
SCAN_PATTERNS: dict[str, str] = {
    "mobile": r"(^|[^0-9])(\+?86|0086)?[ -]?1[3-9][0-9]{9}([^0-9]|$)",
    "id_number": r"(^|[^0-9])[1-9][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])"
                 r"[0-9]{3}[0-9Xx]([^0-9]|$)",
    "email": r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
}
# Warehouse tokens (tk<version>_<32 hex>) are removed before matching: their hex can contain digit runs.
TOKEN_SQL_PATTERN = r"tk[0-9]+_[0-9a-f]{32}"


def landing_redactions(landing_dir: Path) -> list[dict[str, Any]]:
    """Redactions per entity / field / kind, summed over the current entries of every landing manifest."""
    totals: Counter[tuple[str, str, str]] = Counter()
    for manifest in Path(landing_dir).glob(f"*/*/dt=*/{MANIFEST_NAME}"):
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        for entry in doc.get("partitions", {}).values():
            entity = f"{entry.get('source')}.{entry.get('entity')}"
            for key, count in (entry.get("redactions") or {}).items():
                field, _, kind = str(key).rpartition(":")
                totals[(entity, field or kind, kind if field else "?")] += int(count)
    return [{"entity": e, "field": f, "kind": k, "count": c} for (e, f, k), c in sorted(totals.items())]


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


def scan_published_strings(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Per published string column, the number of rows matching each PII pattern (counts only).

    Returns ``{"columns_scanned": n, "findings": [{"column": "schema.table.col", "kind", "rows"}]}``
    listing only non-zero counts.
    """
    findings = []
    scanned = 0
    for (schema, table), columns in _string_columns(con).items():
        selects, labels = [], []
        for column in columns:
            cleaned = f"regexp_replace({quote_ident(column)}, '{TOKEN_SQL_PATTERN}', '', 'g')"
            for kind in SCAN_PATTERNS:
                selects.append(f"count(*) filter (where regexp_matches({cleaned}, ?))")
                labels.append((column, kind))
        params = [SCAN_PATTERNS[kind] for _, kind in labels]
        counts = con.execute(
            f"select {', '.join(selects)} from {quote_ident(schema)}.{quote_ident(table)}", params
        ).fetchone()
        scanned += len(columns)
        findings.extend(
            {"column": f"{schema}.{table}.{column}", "kind": kind, "rows": int(n)}
            for (column, kind), n in zip(labels, counts, strict=True) if n
        )
    return {"columns_scanned": scanned, "findings": findings}
