"""Load landed JSONL files into ``raw.duckdb``: set-based, one transaction, idempotent per partition.

Each file replaces its partition's rows in ``<source>_<entity>``; lines that are not JSON objects or whose
key is missing or malformed go to ``quarantine``; ``load_audit`` records received = loaded + quarantined.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cc_warehouse import duckdb_files
from cc_warehouse.landing.files import LandedFile, landed_files_in_manifest, manifest_entry
from cc_warehouse.privacy.deletion import drop_tombstoned
from cc_warehouse.privacy.registry import load_registry

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


@dataclass(frozen=True)
class LoadResult:
    entity: str
    partition: str
    file: str
    received: int
    loaded: int
    quarantined: int


def connect_with_retry(raw_db: Path, *, timeout: float = 120.0) -> duckdb.DuckDBPyConnection:
    """Open ``raw_db`` for writing, waiting while another process holds DuckDB's lock."""
    try:
        return duckdb_files.connect_with_retry(raw_db, timeout=timeout)
    except duckdb_files.DatabaseLocked as locked:
        raise LoadError(str(locked)) from None


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _classify_sql(entity: str) -> tuple[str, str]:
    """SQL expressions (reason, record_key) over ``doc``: the line if it is valid JSON, else null."""
    whens = ["when doc is null then 'invalid_json'", "when json_type(doc) <> 'OBJECT' then 'invalid_json'"]
    parts = []
    for stored in load_registry().entity(entity).landed_key:
        value = f"json_extract_string(doc, {_sql_str('$.' + stored)})"
        whens.append(f"when nullif(trim({value}), '') is null then {_sql_str('missing_key:' + stored)}")
        whens.append(f"when not regexp_full_match({value}, {_sql_str(CLEAN_KEY_REGEX)}) "
                     f"then {_sql_str('malformed_key:' + stored)}")
        parts.append(value)
    reason = "case " + " ".join(whens) + " end"
    key = parts[0] if len(parts) == 1 else f"concat_ws('|', {', '.join(parts)})"
    return reason, key


def _relative_name(path: Path) -> str:
    """``<source>/<entity>/dt=.../<file>``: the file's name relative to the landing root."""
    return "/".join(Path(path).parts[-4:])


def _load_one(con: duckdb.DuckDBPyConnection, landed: LandedFile, run_id: str) -> LoadResult:
    path = Path(landed.path)
    entry = manifest_entry(path)
    if entry is None:
        raise LoadError(f"{_relative_name(path)} is not the current file of its partition in the manifest")
    if hashlib.sha256(path.read_bytes()).hexdigest() != landed.sha256:
        raise LoadError(f"{_relative_name(path)} does not match its sha256; refusing to load")
    source, name = landed.entity.split(".", 1)
    table = load_registry().entity(landed.entity).table_name
    file_name = _relative_name(path)
    stamp = entry["extracted_at"]
    # Lineage is the run that extracted this file version, so re-running an interval (a new Airflow run
    # id, identical content) leaves every raw, quarantine and load_audit row unchanged.
    run_id = entry.get("run_id") or run_id
    reason, key = _classify_sql(landed.entity)
    con.execute(f"create table if not exists {table} ({RAW_COLUMNS})")
    con.execute("""
        create or replace temp table _lines as
        with f as (select string_split(content, chr(10)) as lines from read_text(?)),
        u as (select unnest(lines) as raw_line, generate_subscripts(lines, 1) as line_number from f)
        select line_number, rtrim(raw_line, chr(13)) as line from u where trim(raw_line) <> ''
    """, [str(path)])
    con.execute(f"""
        create or replace temp table _checked as
        with v as (select line_number, line, case when json_valid(line) then line end as doc from _lines)
        select line_number, line, doc, {reason} as reason, {key} as record_key from v
    """)
    con.execute(f"delete from {table} where _partition = ?", [landed.partition])
    con.execute("delete from quarantine where _partition = ?", [landed.partition])
    con.execute("delete from load_audit where file = ?", [file_name])
    con.execute(f"""
        insert into {table}
        select doc::JSON, record_key, $file, $sha, line_number, $partition, $start::TIMESTAMPTZ,
               $end::TIMESTAMPTZ, $run_id, $stamp::TIMESTAMPTZ
        from _checked where reason is null
    """, {"file": file_name, "sha": landed.sha256, "partition": landed.partition,
          "start": landed.interval_start.isoformat(), "end": landed.interval_end.isoformat(),
          "run_id": run_id, "stamp": stamp})
    tombstoned = drop_tombstoned(con, table)  # PIPL art. 47: a deleted person never comes back with an old file
    con.execute("""
        insert into quarantine
        select $source, $entity, $partition, $file, line_number, reason, left(line, $chars), $run_id,
               $stamp::TIMESTAMPTZ
        from _checked where reason is not null
    """, {"source": source, "entity": name, "partition": landed.partition, "file": file_name,
          "chars": EXCERPT_CHARS, "run_id": run_id, "stamp": stamp})
    received = con.execute("select count(*) from _lines").fetchone()[0]
    loaded = con.execute(f"select count(*) from {table} where _partition = ?",
                         [landed.partition]).fetchone()[0]
    quarantined = con.execute("select count(*) from quarantine where _partition = ?",
                              [landed.partition]).fetchone()[0]
    if received != loaded + quarantined + tombstoned:
        raise LoadError(f"{file_name}: received {received} != loaded {loaded} + quarantined {quarantined}")
    con.execute("insert into load_audit values (?, ?, ?, ?, ?, ?, ?, ?::TIMESTAMPTZ)",
                [file_name, landed.sha256, landed.partition, received, loaded, quarantined, run_id, stamp])
    log.info("loaded %s: received %d, loaded %d, quarantined %d", file_name, received, loaded, quarantined)
    return LoadResult(landed.entity, landed.partition, file_name, received, loaded, quarantined)


def load_files(
    files: list[LandedFile], raw_db: Path, run_id: str, *, lock_timeout: float = 120.0
) -> list[LoadResult]:
    """Load ``files`` into ``raw_db`` in one transaction; each replaces its partition (rerun: same tables)."""
    con = connect_with_retry(raw_db, timeout=lock_timeout)
    try:
        con.execute("begin transaction")
        try:
            con.execute(SHARED_DDL)
            results = [_load_one(con, landed, run_id) for landed in files]
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return results
    finally:
        con.close()


def load_all_from_manifests(
    landing_dir: Path, raw_db: Path, run_id: str, *, lock_timeout: float = 120.0
) -> list[LoadResult]:
    """(Re)load the current file of every partition listed in the landing zone's manifests."""
    files = [f for manifest in sorted(Path(landing_dir).glob("**/_manifest.json"))
             for f in landed_files_in_manifest(manifest.parent)]
    return load_files(files, raw_db, run_id, lock_timeout=lock_timeout)
