"""Load landed JSONL files into ``raw.duckdb``: set-based, one transaction, idempotent per partition.

Each file replaces its partition's rows in ``<source>_<entity>``; lines that are not JSON objects or whose
key is missing or malformed go to ``quarantine``; ``load_audit`` records received = loaded + quarantined.
``_loaded_at`` is the first load of the file version (the incremental models select by it).
A line an extractor already rejected (``{"_reject": reason, ...}``, e.g. a CSV row Excel damaged) goes to
quarantine with that reason; ``_csv_row`` (CRM exports) replaces the JSONL line number, so quarantine and
raw rows point at the row a person finds in the delivered file.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from cc_warehouse import duckdb_files
from cc_warehouse.duckdb_sql import sql_literal
from cc_warehouse.faults import fault_point
from cc_warehouse.landing.files import (
    MANIFEST_NAME,
    PARTITION_PREFIX,
    LandedFile,
    landed_files_in_manifest,
    manifest_entry,
    manifest_paths,
    receipts_dir,
    relative_name,
)
from cc_warehouse.privacy.deletion import drop_tombstoned
from cc_warehouse.sources.registry import load_registry

log = logging.getLogger(__name__)

EXCERPT_CHARS = 300
CLEAN_KEY_REGEX = r"[A-Za-z0-9][A-Za-z0-9_\-]*"

RAW_COLUMNS = """
    record JSON, record_key VARCHAR, _source_file VARCHAR, _file_sha256 VARCHAR, _line_number BIGINT,
    _partition VARCHAR, _interval_start TIMESTAMPTZ, _interval_end TIMESTAMPTZ, _run_id VARCHAR,
    _loaded_at TIMESTAMPTZ
"""
SHARED_DDL = """
create table if not exists quarantine (
    source VARCHAR, entity VARCHAR, _partition VARCHAR, _source_file VARCHAR, _line_number BIGINT,
    reason VARCHAR, record_excerpt VARCHAR, _run_id VARCHAR, _quarantined_at TIMESTAMPTZ);
create table if not exists load_audit (
    file VARCHAR, sha256 VARCHAR, partition VARCHAR, received BIGINT, loaded BIGINT, quarantined BIGINT,
    run_id VARCHAR, loaded_at TIMESTAMPTZ);
"""


class LoadError(RuntimeError):
    """A landing file could not be loaded consistently; the whole call was rolled back."""


class LandingDamaged(RuntimeError):
    """Landed files that no longer match their manifest's sha256; everything else was loaded and committed.
    The message names each file and what repairs it (re-extract its interval, or restore the export)."""


@dataclass(frozen=True)
class LoadResult:
    entity: str
    partition: str
    file: str
    received: int
    loaded: int
    quarantined: int


def open_raw_db(raw_db: Path, *, timeout: float = 120.0) -> duckdb.DuckDBPyConnection:
    """Open ``raw_db`` for writing, waiting while another process holds DuckDB's lock (``LoadError`` when
    it is held for longer than ``timeout`` seconds)."""
    try:
        return duckdb_files.connect_with_retry(raw_db, timeout=timeout)
    except duckdb_files.DatabaseLocked as locked:
        raise LoadError(str(locked)) from None


def _classify_sql(entity: str) -> tuple[str, str]:
    """SQL expressions (reason, record_key) over ``doc``: the line if it is valid JSON, else null."""
    whens = [
        "when doc is null then 'invalid_json'",
        "when json_type(doc) <> 'OBJECT' then 'invalid_json'",
        "when json_extract_string(doc, '$._reject') is not null then json_extract_string(doc, '$._reject')",
    ]
    parts = []
    for stored in load_registry().entity(entity).landed_key:
        value = f"json_extract_string(doc, {sql_literal('$.' + stored)})"
        whens.append(f"when nullif(trim({value}), '') is null then {sql_literal('missing_key:' + stored)}")
        whens.append(
            f"when not regexp_full_match({value}, {sql_literal(CLEAN_KEY_REGEX)}) "
            f"then {sql_literal('malformed_key:' + stored)}"
        )
        parts.append(value)
    reason = "case " + " ".join(whens) + " end"
    key = parts[0] if len(parts) == 1 else f"concat_ws('|', {', '.join(parts)})"
    return reason, key


def _load_one(con: duckdb.DuckDBPyConnection, landed: LandedFile, run_id: str) -> LoadResult:
    path = Path(landed.path)
    entry = manifest_entry(path)
    if entry is None:
        raise LoadError(f"{relative_name(path)} is not the current file of its partition in the manifest")
    if hashlib.sha256(path.read_bytes()).hexdigest() != landed.sha256:
        raise LoadError(f"{relative_name(path)} does not match its sha256; refusing to load")
    source, name = landed.entity.split(".", 1)
    table = load_registry().entity(landed.entity).table_name
    file_name = relative_name(path)
    # Rows are stamped with the first load of this file version, not its extraction: a partition recovered
    # days late must look new to the incremental models (they select by load). Reloading the same version
    # keeps its first stamp, and lineage is the run that extracted it, so re-running an interval (a new
    # Airflow run id, identical content) leaves every raw, quarantine and load_audit row unchanged.
    first = con.execute(
        "select min(loaded_at) from load_audit where file = ? and sha256 = ?", [file_name, landed.sha256]
    ).fetchone()[0]
    stamp = first.isoformat() if first is not None else datetime.now(UTC).isoformat()
    run_id = entry.get("run_id") or run_id
    reason, key = _classify_sql(landed.entity)
    con.execute(f"create table if not exists {table} ({RAW_COLUMNS})")
    con.execute(
        """
        create or replace temp table _lines as
        with f as (select string_split(content, chr(10)) as lines from read_text(?)),
        u as (select unnest(lines) as raw_line, generate_subscripts(lines, 1) as line_number from f)
        select line_number, rtrim(raw_line, chr(13)) as line from u where trim(raw_line) <> ''
    """,
        [str(path)],
    )
    con.execute(f"""
        create or replace temp table _checked as
        with v as (select line_number, line, case when json_valid(line) then line end as doc from _lines)
        select coalesce(try_cast(json_extract_string(doc, '$._csv_row') as BIGINT), line_number) as line_number,
               line, doc, {reason} as reason, {key} as record_key from v
    """)
    con.execute(f"delete from {table} where _partition = ?", [landed.partition])
    con.execute("delete from quarantine where _partition = ?", [landed.partition])
    con.execute("delete from load_audit where file = ?", [file_name])
    con.execute(
        f"""
        insert into {table}
        select doc::JSON, record_key, $file, $sha, line_number, $partition, $start::TIMESTAMPTZ,
               $end::TIMESTAMPTZ, $run_id, $stamp::TIMESTAMPTZ
        from _checked where reason is null
    """,
        {
            "file": file_name,
            "sha": landed.sha256,
            "partition": landed.partition,
            "start": landed.interval_start.isoformat(),
            "end": landed.interval_end.isoformat(),
            "run_id": run_id,
            "stamp": stamp,
        },
    )
    tombstoned = drop_tombstoned(con, table)  # PIPL art. 47: a deleted person never comes back with an old file
    con.execute(
        """
        insert into quarantine
        select $source, $entity, $partition, $file, line_number, reason, left(line, $chars), $run_id,
               $stamp::TIMESTAMPTZ
        from _checked where reason is not null
    """,
        {
            "source": source,
            "entity": name,
            "partition": landed.partition,
            "file": file_name,
            "chars": EXCERPT_CHARS,
            "run_id": run_id,
            "stamp": stamp,
        },
    )
    received = con.execute("select count(*) from _lines").fetchone()[0]
    loaded = con.execute(f"select count(*) from {table} where _partition = ?", [landed.partition]).fetchone()[0]
    quarantined = con.execute("select count(*) from quarantine where _partition = ?", [landed.partition]).fetchone()[0]
    if received != loaded + quarantined + tombstoned:
        raise LoadError(f"{file_name}: received {received} != loaded {loaded} + quarantined {quarantined}")
    con.execute(
        "insert into load_audit values (?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ)",
        [file_name, landed.sha256, landed.partition, received, loaded, quarantined, run_id, stamp],
    )
    log.info("loaded %s: received %d, loaded %d, quarantined %d", file_name, received, loaded, quarantined)
    return LoadResult(landed.entity, landed.partition, file_name, received, loaded, quarantined)


def _file_sha(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def _repair_hint(landed: LandedFile) -> str:
    name = relative_name(landed.path)
    if landed.entity == "crm.members":  # an inbox file: only the sender has the clear-text export
        version = landed.partition.rsplit("/", 1)[1]
        receipt = receipts_dir(Path(landed.path).parents[3]) / f"{version}.json"
        export = f"{version.rsplit('-', 1)[0]}.csv"
        if receipt.exists():
            export = json.loads(receipt.read_text(encoding="utf-8")).get("file", export)
        return f"{name}: restore {export} (sha256 in {receipt.name}) and drop it in the inbox again"
    return (
        f"{name}: re-extract {landed.entity} for {landed.interval_start.isoformat()} → "
        f"{landed.interval_end.isoformat()} (a run covering it rewrites the file)"
    )


def unloaded_files(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, entities: list[str]
) -> tuple[list[LandedFile], list[LandedFile]]:
    """Current manifest files of ``entities`` whose version is not in ``load_audit``: (intact, damaged)."""
    done = set(con.execute("select file, sha256 from load_audit").fetchall())
    intact, damaged = [], []
    for entity in entities:
        source, name = entity.split(".", 1)
        for manifest in sorted((Path(landing_dir) / source / name).glob(f"{PARTITION_PREFIX}*/{MANIFEST_NAME}")):
            for landed in landed_files_in_manifest(manifest.parent):
                if (relative_name(landed.path), landed.sha256) in done:
                    continue
                (intact if _file_sha(landed.path) == landed.sha256 else damaged).append(landed)
    return intact, damaged


def _disk_full(exc: BaseException) -> bool:
    return (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "No space left on device" in str(exc)


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open (a failed commit has already ended it; DuckDB then says
    "no transaction is active", which must not hide the real error)."""
    try:
        con.execute("rollback")
    except duckdb.Error:
        pass


def load_files(
    files: list[LandedFile],
    raw_db: Path,
    run_id: str,
    *,
    lock_timeout: float = 120.0,
    heal_from: Path | None = None,
    entities: list[str] | tuple[str, ...] = (),
) -> list[LoadResult]:
    """Load ``files`` into ``raw_db`` in one transaction; each replaces its partition (rerun: same tables).

    With ``heal_from`` (the landing root) every current file version of ``entities`` missing from
    ``load_audit`` is loaded too, whatever run landed it: a crash between landing and loading is repaired by
    the next run. Such a file whose bytes no longer match its manifest is left out, the rest commits, and
    ``LandingDamaged`` then names it with its repair.
    """
    con = open_raw_db(raw_db, timeout=lock_timeout)
    damaged: list[LandedFile] = []
    try:
        con.execute("begin transaction")
        try:
            con.execute(SHARED_DDL)
            todo = list(files)
            if heal_from is not None:
                intact, damaged = unloaded_files(con, heal_from, list(entities))
                given = {Path(f.path) for f in files}
                todo += [f for f in intact if Path(f.path) not in given]
                if len(todo) > len(files):
                    log.info("loading %d landed file(s) that missed their load", len(todo) - len(files))
            results = []
            for landed in todo:
                results.append(_load_one(con, landed, run_id))
                fault_point("mid_load")
            fault_point("before_commit")
            con.execute("commit")
        except BaseException as exc:
            _rollback(con)
            if _disk_full(exc):
                raise LoadError(
                    f"no space left on the device of {raw_db} (ENOSPC): nothing was loaded; free space and rerun"
                ) from exc
            raise
    finally:
        con.close()
    if damaged:
        raise LandingDamaged(
            "landing file(s) no longer match their manifest: " + "; ".join(_repair_hint(f) for f in damaged)
        )
    return results


def load_all_from_manifests(
    landing_dir: Path, raw_db: Path, run_id: str, *, lock_timeout: float = 120.0
) -> list[LoadResult]:
    """(Re)load the current file of every partition listed in the landing zone's manifests."""
    files = [f for manifest in manifest_paths(landing_dir) for f in landed_files_in_manifest(manifest.parent)]
    return load_files(files, raw_db, run_id, lock_timeout=lock_timeout)
