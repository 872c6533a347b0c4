"""Purge restricted copies past their retention period (PIPL art. 19).

Removes landing ``dt=`` partitions (data files and their manifest) older than the entity's
``retention_days``, the receipts of taken CRM inbox files likewise, raw rows loaded from such partitions
(the raw table mirrors the landing retention: a row's age is its landing ``dt=``), their ``load_audit``
rows, stray build files (not the live one) older than ``retention_days.build``, and quarantine rows older
than ``retention_days.quarantine``. What was purged is appended to ``privacy_audit`` (counts only).
"Older than N days" means ``date < as_of - N days``. Idempotent: a second run with the same ``as_of``
removes nothing. Logs paths and counts only.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from cc_warehouse.config import LOCAL_TZ
from cc_warehouse.duckdb_files import connect_with_retry
from cc_warehouse.duckdb_sql import table_exists
from cc_warehouse.faults import fault_point
from cc_warehouse.landing.files import PARTITION_PREFIX, RECEIPTS_ENTITY, read_manifest, receipts_dir
from cc_warehouse.retention.landing_inventory import landing_partitions, receipts
from cc_warehouse.retention.policy import (
    RegistryArg,
    landing_retention_days,
    quarantine_retention_days,
    resolve_registry,
)
from cc_warehouse.sources.registry import Registry

log = logging.getLogger(__name__)
_TZ = ZoneInfo(LOCAL_TZ)


@dataclass
class PurgeResult:
    """What was (or, on a dry run, would be) removed."""

    as_of: date
    dry_run: bool
    partitions_removed: int = 0
    files_removed: int = 0
    manifest_entries_removed: int = 0
    receipts_removed: int = 0
    quarantine_rows_removed: int = 0
    raw_rows_removed: int = 0
    build_files_removed: int = 0
    validation_results_removed: int = 0
    removed_paths: list[str] = field(default_factory=list)


def _purge_partitions(landing_dir: Path, registry: Registry, result: PurgeResult) -> None:
    for part in landing_partitions(landing_dir):
        cutoff = result.as_of - timedelta(days=landing_retention_days(registry, part.entity))
        if part.dt >= cutoff:
            continue
        files = len(part.data_files)
        entries = len(read_manifest(part.path).get("partitions", {}))
        log.info(
            "purge %s: %s (%d files, %d manifest entries)%s",
            part.entity,
            part.path,
            files,
            entries,
            " [dry run]" if result.dry_run else "",
        )
        if not result.dry_run:  # rename first (atomic): a kill mid-removal leaves no half partition behind
            doomed = part.path.with_name(f".purging-{part.path.name}")
            os.replace(part.path, doomed)
            fault_point("mid_purge")
            shutil.rmtree(doomed)
        result.partitions_removed += 1
        result.files_removed += files
        result.manifest_entries_removed += entries
        result.removed_paths.append(str(part.path))


def _purge_receipts(landing_dir: Path, registry: Registry, result: PurgeResult) -> None:
    cutoff = result.as_of - timedelta(days=landing_retention_days(registry, RECEIPTS_ENTITY))
    for path, day in receipts(landing_dir):
        if day >= cutoff:
            continue
        log.info("purge CRM inbox receipt: %s%s", path, " [dry run]" if result.dry_run else "")
        if not result.dry_run:
            path.unlink()
        result.receipts_removed += 1
        result.removed_paths.append(str(path))
    root = receipts_dir(landing_dir)
    if not result.dry_run and root.is_dir():
        for directory in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
            if not any(directory.iterdir()):
                directory.rmdir()


def _purge_quarantine(raw_db: Path, registry: Registry, result: PurgeResult) -> None:
    if not Path(raw_db).exists():
        return
    cutoff_day = result.as_of - timedelta(days=quarantine_retention_days(registry))
    cutoff = datetime.combine(cutoff_day, time.min, tzinfo=_TZ)
    with connect_with_retry(raw_db, read_only=result.dry_run) as con:
        if not table_exists(con, "quarantine"):
            return
        per_entity = con.execute(
            "select source, entity, count(*) from quarantine where _quarantined_at < ? group by all order by all",
            [cutoff],
        ).fetchall()
        for source, entity, rows in per_entity:
            log.info(
                "purge quarantine %s.%s: %d rows older than %s%s",
                source,
                entity,
                rows,
                cutoff_day,
                " [dry run]" if result.dry_run else "",
            )
            result.quarantine_rows_removed += rows
        if per_entity and not result.dry_run:
            con.execute("delete from quarantine where _quarantined_at < ?", [cutoff])


_DT_SQL = "try_cast(regexp_extract(_source_file, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date)"


def _purge_raw(raw_db: Path, registry: Registry, result: PurgeResult) -> None:
    """Raw rows whose landing partition is past the entity's retention, and the matching load_audit rows."""
    if not Path(raw_db).exists():
        return
    with connect_with_retry(raw_db, read_only=result.dry_run) as con:
        tables = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.columns where table_schema = 'main' "
                "and column_name = '_source_file' and table_name <> 'quarantine' group by 1 order by 1"
            ).fetchall()
        ]
        for table in tables:
            try:
                entity = registry.entity(table).name
            except KeyError:
                continue
            cutoff = result.as_of - timedelta(days=landing_retention_days(registry, entity))
            rows = con.execute(f'select count(*) from "{table}" where {_DT_SQL} < ?', [cutoff]).fetchone()[0]
            if not rows:
                continue
            log.info(
                "purge raw %s: %d rows from partitions before %s%s",
                table,
                rows,
                cutoff,
                " [dry run]" if result.dry_run else "",
            )
            result.raw_rows_removed += rows
            if not result.dry_run:
                con.execute(f'delete from "{table}" where {_DT_SQL} < ?', [cutoff])
                if table_exists(con, "load_audit"):
                    con.execute(
                        "delete from load_audit where starts_with(file, ?) and "
                        "try_cast(regexp_extract(file, 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date) < ?",
                        [entity.replace(".", "/") + "/", cutoff],
                    )


def _purge_builds(build_dir: Path, registry: Registry, result: PurgeResult, keep: Path | None) -> None:
    """Build files other than the live one (``keep``: its staging follows raw at every build, and its
    incremental marts hold history only pseudonymised) older than ``retention_days.build`` (default: landing)."""
    if not Path(build_dir).is_dir():
        return
    days = int(registry.retention_days.get("build", registry.retention_days["landing"]))
    cutoff = datetime.combine(result.as_of - timedelta(days=days), time.min, tzinfo=_TZ).timestamp()
    for path in sorted(Path(build_dir).glob("*.duckdb*")):
        if keep is not None and path.name.startswith(Path(keep).name):
            continue
        if path.stat().st_mtime < cutoff:
            log.info("purge build file %s%s", path.name, " [dry run]" if result.dry_run else "")
            if not result.dry_run:
                path.unlink()
            result.build_files_removed += 1


def _purge_validation_results(gx_dir: Path, registry: Registry, result: PurgeResult) -> None:
    """Great Expectations' stored validation results (counts only) follow the quarantine retention."""
    root = gx_dir / "gx" / "uncommitted" / "validations"
    if not root.is_dir():
        return
    cutoff = datetime.combine(
        result.as_of - timedelta(days=quarantine_retention_days(registry)), time.min, tzinfo=_TZ
    ).timestamp()
    for path in sorted(root.rglob("*.json")):
        if path.stat().st_mtime < cutoff:
            if not result.dry_run:
                path.unlink()
            result.validation_results_removed += 1


def purge(
    landing_dir: Path,
    raw_db: Path,
    *,
    as_of: date,
    registry: RegistryArg = None,
    dry_run: bool = False,
    gx_dir: Path | None = None,
    build_dir: Path | None = None,
    keep_build: Path | None = None,
) -> PurgeResult:
    """Remove landing partitions, CRM inbox receipts, quarantine rows and (given ``gx_dir``, the gate's
    working context) stored validation results past retention as of ``as_of``."""
    doc = resolve_registry(registry)
    result = PurgeResult(as_of=as_of, dry_run=dry_run)
    if not dry_run:  # partitions a killed purge had already renamed for removal
        for doomed in Path(landing_dir).glob(f"*/*/.purging-{PARTITION_PREFIX}*"):
            shutil.rmtree(doomed)
    _purge_partitions(Path(landing_dir), doc, result)
    _purge_receipts(Path(landing_dir), doc, result)
    _purge_quarantine(Path(raw_db), doc, result)
    _purge_raw(Path(raw_db), doc, result)
    if build_dir is not None:
        _purge_builds(Path(build_dir), doc, result, keep_build)
    if gx_dir is not None:
        _purge_validation_results(Path(gx_dir), doc, result)
    if not dry_run and Path(raw_db).exists():
        from cc_warehouse.audit.log import record_privacy_event

        record_privacy_event(
            raw_db,
            event="retention_purge",
            detail={
                "as_of": int(as_of.strftime("%Y%m%d")),
                "landing_partitions": result.partitions_removed,
                "landing_files": result.files_removed,
                "crm_receipts": result.receipts_removed,
                "quarantine_rows": result.quarantine_rows_removed,
                "raw_rows": result.raw_rows_removed,
                "build_files": result.build_files_removed,
                "validation_results": result.validation_results_removed,
            },
        )
    log.info(
        "purge as of %s%s: %d partitions (%d files), %d CRM receipts, %d quarantine rows, %d raw rows, %d build files",
        as_of,
        " [dry run]" if dry_run else "",
        result.partitions_removed,
        result.files_removed,
        result.receipts_removed,
        result.quarantine_rows_removed,
        result.raw_rows_removed,
        result.build_files_removed,
    )
    return result
