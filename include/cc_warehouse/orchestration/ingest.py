"""Task bodies of the ingestion DAGs: extract an interval to the landing zone, load it into raw, audit.

Inputs and outputs are JSON-safe (they travel as XCom) and never carry personal data: file paths,
hashes and counts only.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cc_warehouse.config import LOCAL_TZ, settings
from cc_warehouse.faults import fault_point

log = logging.getLogger(__name__)

PLATFORM_CONN_ID = "ccwh_platform_api"


def is_permanent(exc: BaseException) -> bool:
    """True when retrying cannot change the outcome: a refused request (4xx other than 429, a platform error
    code), schema drift (a field or header the registry does not know), a malformed or undecodable file,
    a missing key. Connection trouble, 5xx, 429 and deadlines are transient and stay retryable."""
    from cc_warehouse.load.raw import LandingDamaged
    from cc_warehouse.privacy.tokens import MissingKeyError
    from cc_warehouse.sources.extract import MalformedExport
    from cc_warehouse.sources.http_client import ExtractError
    from cc_warehouse.sources.registry import UnclassifiedFieldError

    if isinstance(exc, ExtractError):
        return exc.permanent
    return isinstance(
        exc,
        (
            UnclassifiedFieldError,
            MissingKeyError,
            UnicodeDecodeError,
            MalformedExport,
            RejectedFiles,
            LandingDamaged,
            UpstreamFailed,
        ),
    )


class UpstreamFailed(RuntimeError):
    """An extract or load task of the run failed (it has already been retried as far as it deserved)."""


class RejectedFiles(RuntimeError):
    """Inbox files set aside as unreadable; raised by the audit once the good files are loaded."""


def extraction_window(
    interval_start: datetime, interval_end: datetime, *, backfill_days: int = 0, lookback_days: int = 0
) -> tuple[datetime, datetime]:
    """The window a run extracts: its data interval, widened back by a backfill and a late-data lookback."""
    if interval_end <= interval_start:
        raise ValueError(
            f"empty data interval {interval_start} → {interval_end}: ingestion DAGs need a cron interval "
            "timetable (trigger with a logical date, e.g. `airflow dags test <dag> 2026-11-15T00:00+08:00`)"
        )
    if backfill_days < 0 or lookback_days < 0:
        raise ValueError("backfill_days and lookback_days must be >= 0")
    start = interval_start
    if backfill_days:
        start = min(start, interval_end - timedelta(days=backfill_days))
    return start - timedelta(days=lookback_days), interval_end


def platform_credentials() -> tuple[str, str]:
    """Base URL and token of the platform API: Airflow connection first, then the environment."""
    base_url = os.environ.get("CCWH_API_BASE_URL")
    token = os.environ.get("CCWH_API_TOKEN")
    try:
        from airflow.sdk import Connection

        conn = Connection.get(PLATFORM_CONN_ID)
    except Exception:  # no Airflow context or no such connection: fall back to the environment
        conn = None
    if conn is not None:
        host = conn.host or ""
        if not host.startswith("http"):
            host = f"{conn.schema or 'http'}://{host}" + (f":{conn.port}" if conn.port else "")
        base_url, token = host.rstrip("/"), conn.password or token
    if not base_url or not token:
        raise RuntimeError(
            f"no platform API credentials: set the Airflow connection '{PLATFORM_CONN_ID}' "
            "(host = base URL, password = token) or CCWH_API_BASE_URL and CCWH_API_TOKEN"
        )
    return base_url, token


def _as_of(interval_end: datetime) -> date:
    from zoneinfo import ZoneInfo

    return interval_end.astimezone(ZoneInfo(LOCAL_TZ)).date()


def _jsonable(value: Any) -> Any:
    """XCom-safe form: paths as text, datetimes as ISO 8601 *with* their offset (``str()`` of Airflow's
    pendulum datetimes drops it, which would shift a partition's interval by eight hours)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot travel between tasks")
        return value.isoformat()
    return str(value) if isinstance(value, Path) else value


def _to_xcom(landed: list[Any]) -> list[dict]:
    return [{k: _jsonable(v) for k, v in dataclasses.asdict(item).items()} for item in landed]


def _from_xcom(rows: list[dict]) -> list[Any]:
    from cc_warehouse.landing.files import LandedFile

    files = []
    for row in rows:
        if "rejected" in row:  # an inbox file set aside whole (see extract_inbox)
            continue
        kwargs = {**row, "path": Path(row["path"])}
        for name in ("interval_start", "interval_end"):
            kwargs[name] = datetime.fromisoformat(row[name])
        files.append(LandedFile(**kwargs))
    return files


def extract(
    entity: str,
    interval_start: datetime,
    interval_end: datetime,
    *,
    run_id: str,
    backfill_days: int = 0,
    lookback_days: int = 0,
) -> list[dict]:
    """Extract one API entity for the run's window; returns the landed files (paths, rows, hashes)."""
    from cc_warehouse.privacy.tokens import load_key
    from cc_warehouse.sources.extract import extract_window
    from cc_warehouse.sources.http_client import PlatformClient

    start, end = extraction_window(
        interval_start, interval_end, backfill_days=backfill_days, lookback_days=lookback_days
    )
    base_url, token = platform_credentials()
    cfg = settings()
    log.info("extracting %s for %s → %s", entity, start.isoformat(), end.isoformat())
    client = PlatformClient(base_url, token, **cfg.http_client_options)
    try:
        landed = extract_window(
            entity,
            start,
            end,
            client=client,
            key=load_key(),
            run_id=run_id,
            landing_dir=cfg.landing_dir,
            as_of=_as_of(interval_end),
        )
    finally:
        client.close()
    rows = sum(f.rows for f in landed)
    log.info("%s: %d file(s), %d record(s) landed", entity, len(landed), rows)
    fault_point("after_manifest_before_load")
    return _to_xcom(landed)


def extract_inbox(entity: str, *, run_id: str) -> list[dict]:
    """Pick up the file drops of an inbox entity (CRM member exports).

    Unreadable files are set aside whole and listed as ``{"rejected": name, "reason": ...}`` after the
    landed files: the good files still load, and the audit fails the run naming the rejected ones."""
    from cc_warehouse.privacy.tokens import load_key
    from cc_warehouse.sources.extract import extract_crm_inbox

    if entity != "crm.members":
        raise ValueError(f"no inbox extractor for {entity}")
    cfg = settings()
    rejected: list[tuple[str, str]] = []
    landed = extract_crm_inbox(
        cfg.inbox_dir, key=load_key(), run_id=run_id, landing_dir=cfg.landing_dir, rejected=rejected
    )
    log.info("%s: %d new file(s) from the inbox, %d rejected", entity, len(landed), len(rejected))
    fault_point("after_manifest_before_load")
    return _to_xcom(landed) + [{"rejected": name, "reason": reason} for name, reason in rejected]


def load(landed: list[dict], *, run_id: str, entity: str | None = None) -> list[dict]:
    """Load landed files into the restricted raw DuckDB file, one transaction; returns per-file counts.

    Also loads every landed version of ``entity`` that missed its load (a run killed between landing and
    loading, a failed load): the next run of the DAG repairs it, whatever run landed the file."""
    from cc_warehouse.load.raw import load_files

    cfg = settings()
    cfg.ensure_dirs()
    files = _from_xcom(landed)
    entities = [entity] if entity else sorted({f.entity for f in files})
    results = load_files(files, cfg.raw_db, run_id, heal_from=cfg.landing_dir, entities=entities)
    out = [dataclasses.asdict(r) for r in results]
    for r in out:
        log.info(
            "loaded %s: received=%s loaded=%s quarantined=%s",
            r.get("partition"),
            r.get("received"),
            r.get("loaded"),
            r.get("quarantined"),
        )
    return [{k: _jsonable(v) for k, v in r.items()} for r in out]


def audit(
    *,
    dag_id: str,
    run_id: str,
    interval_start: datetime,
    interval_end: datetime,
    landed: list[list[dict] | None],
    loads: list[list[dict] | None],
    entities: list[str] | None = None,
) -> dict:
    """Record the run in the restricted audit log, also when a task upstream failed; returns the totals.

    Runs after every extract and load whatever their outcome: a failed task hands over no XCom (None),
    so the run is recorded ``failed`` with what did load, and then fails naming the entities (the audit is
    the DAG's last task, so it decides the run's state)."""
    from cc_warehouse.audit.log import record_run

    names = entities or [f"entity {i + 1}" for i in range(len(landed))]
    failed = [
        name for name, files, loaded in zip(names, landed, loads, strict=False) if files is None or loaded is None
    ]
    files = [f for group in landed if group for f in group if "rejected" not in f]
    refused = [f for group in landed if group for f in group if "rejected" in f]
    rows: dict[str, dict[str, int]] = {}
    for r in (r for group in loads if group for r in group):
        totals = rows.setdefault(r["entity"], {"received": 0, "loaded": 0, "quarantined": 0})
        for k in totals:
            totals[k] += int(r[k])
    status = "failed" if failed else "rejected_files" if refused else "success"
    record_run(
        settings().raw_db,
        run_id=run_id,
        dag_id=dag_id,
        interval_start=interval_start,
        interval_end=interval_end,
        input_files=[{"file": f["path"], "sha256": f["sha256"], "rows": f["rows"]} for f in files],
        rows=rows,
        gate_success=None,
        gate_result_id=None,
        dbt_results=[],
        status=status,
    )
    if failed:
        raise UpstreamFailed(f"extract or load failed for {', '.join(failed)}; the run is recorded as failed")
    if refused:
        raise RejectedFiles("inbox file(s) set aside, fix and drop again: " + "; ".join(f["reason"] for f in refused))
    return rows
