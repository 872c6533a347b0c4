"""The run audit: one row per pipeline run in ``run_audit`` of the restricted raw DuckDB file.

Only file names, hashes, counts, statuses and timings are stored: every input is projected onto a
fixed set of keys and coerced to numbers where a count is expected, so no record value can slip in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from cc_warehouse.duckdb_files import connect_with_retry
from cc_warehouse.duckdb_sql import table_exists

RUN_AUDIT_DDL = """
create table if not exists run_audit (
    run_id varchar not null,
    dag_id varchar not null,
    interval_start timestamptz,
    interval_end timestamptz,
    input_files json,
    row_counts json,
    gate_success boolean,
    gate_result_id varchar,
    dbt_results json,
    status varchar not null,
    recorded_at timestamptz not null,
    primary key (dag_id, run_id)
)
"""
# Run ids are unique per DAG only: every DAG scheduled for the same interval gets the same
# `scheduled__<date>` id. Files written when run_id alone was the key are migrated on first write.
_OLD_KEY = "PRIMARY KEY(run_id)"

ROW_COUNT_KEYS = ("received", "loaded", "quarantined", "published")


def _input_files(files: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"file": Path(str(f["file"])).name, "sha256": str(f["sha256"]), "rows": int(f["rows"])} for f in files]


def _row_counts(rows: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    return {
        str(table): {k: int(counts[k]) for k in ROW_COUNT_KEYS if counts.get(k) is not None}
        for table, counts in rows.items()
    }


def _dbt_results(results: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "unique_id": str(r["unique_id"]),
            "status": str(r["status"]),
            "execution_time": float(r.get("execution_time") or 0.0),
        }
        for r in results
    ]


def record_run(
    raw_db: Path | str,
    *,
    run_id: str,
    dag_id: str,
    interval_start: datetime | None,
    interval_end: datetime | None,
    input_files: Sequence[Mapping[str, Any]],
    rows: Mapping[str, Mapping[str, Any]],
    gate_success: bool | None,
    gate_result_id: str | None,
    dbt_results: Sequence[Mapping[str, Any]],
    status: str,
    recorded_at: datetime | None = None,
) -> None:
    """Write (or, on a rerun of ``dag_id``/``run_id``, replace) the audit row of one run."""
    params = [
        run_id,
        dag_id,
        interval_start,
        interval_end,
        json.dumps(_input_files(input_files)),
        json.dumps(_row_counts(rows)),
        gate_success,
        gate_result_id,
        json.dumps(_dbt_results(dbt_results)),
        status,
        recorded_at or datetime.now().astimezone(),
    ]
    with connect_with_retry(raw_db) as con:
        _migrate_key(con)
        con.execute(RUN_AUDIT_DDL)
        con.execute("begin transaction")
        con.execute("delete from run_audit where dag_id = ? and run_id = ?", [dag_id, run_id])
        con.execute("insert into run_audit values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", params)
        con.execute("commit")


def _migrate_key(con) -> None:
    """Re-key a run_audit created with ``run_id`` alone as primary key (rows kept, columns unchanged)."""
    keys = con.execute(
        "select constraint_text from duckdb_constraints() where table_name = 'run_audit' "
        "and schema_name = 'main' and constraint_type = 'PRIMARY KEY'"
    ).fetchall()
    if [k[0] for k in keys] != [_OLD_KEY]:
        return
    con.execute("begin transaction")
    con.execute("alter table run_audit rename to run_audit_old_key")
    con.execute(RUN_AUDIT_DDL)
    con.execute("insert into run_audit select * from run_audit_old_key")
    con.execute("drop table run_audit_old_key")
    con.execute("commit")


def latest_runs(raw_db: Path | str, n: int = 20) -> list[dict[str, Any]]:
    """The ``n`` most recently recorded runs, newest first, JSON columns decoded; [] if none yet."""
    if not Path(raw_db).exists():
        return []
    with connect_with_retry(raw_db, read_only=True) as con:
        if not table_exists(con, "run_audit"):
            return []
        cursor = con.execute("select * from run_audit order by recorded_at desc, run_id desc limit ?", [n])
        names = [d[0] for d in cursor.description]
        records = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for record in records:
        for column in ("input_files", "row_counts", "dbt_results"):
            record[column] = json.loads(record[column]) if record[column] else None
    return records


PRIVACY_AUDIT_DDL = """
create table if not exists privacy_audit (
    event varchar not null,
    subject_token varchar,
    detail json,
    recorded_at timestamptz not null
)
"""


def record_privacy_event(
    raw_db: Path | str,
    *,
    event: str,
    detail: Mapping[str, int],
    subject_token: str | None = None,
    recorded_at: datetime | None = None,
) -> None:
    """Append one privacy event (``retention_purge`` or ``deletion_request``) to ``privacy_audit``: counts by
    layer only, and for a data subject only their token (tk<v>_…), never an identifier in clear."""
    if subject_token is not None and not subject_token.startswith("tk"):
        raise ValueError("privacy_audit takes a token, never a clear identifier")
    counts = {str(key): int(value) for key, value in detail.items()}
    with connect_with_retry(raw_db) as con:
        con.execute(PRIVACY_AUDIT_DDL)
        con.execute(
            "insert into privacy_audit values (?, ?, ?, ?)",
            [event, subject_token, json.dumps(counts), recorded_at or datetime.now().astimezone()],
        )
