"""Deletion requests (PIPL art. 47): remove a data subject from every layer in one run, and keep them out.

Input is a phone number, a CRM member id or a token. It is turned into the subject's tokens at once (the
phone with the HMAC key; a member id through the member's tokenised records in raw) and from then on only
tokens are used: the audit row (``privacy_audit``) and the tombstone list carry tokens, never the clear
identifier. Then, in one run:

- landing: every JSONL line that holds one of the tokens is dropped and the manifest points at the
  rewritten file (new sha256), so the partition can still be reloaded;
- raw: rows whose record holds a token, quarantine rows whose excerpt holds one;
- build and published file: rows where any text column (or list element) equals a token;
- tombstones: the tokens go to ``deletion_tombstones`` in the raw file, which the loader consults on
  every load, so re-delivering or reloading an old landing file does not bring the person back.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from cc_warehouse.duckdb_files import connect_with_retry
from cc_warehouse.duckdb_sql import quote_ident
from cc_warehouse.landing.files import MANIFEST_NAME, atomic_write_bytes, manifest_lock, read_manifest
from cc_warehouse.privacy.detectors import normalise_phone
from cc_warehouse.privacy.tokens import TokenKey, load_key, tokenise

log = logging.getLogger(__name__)
TOMBSTONES_DDL = "create table if not exists deletion_tombstones (token varchar primary key, requested_at timestamptz)"
_TOKEN_PREFIX = "tk"


@dataclass
class DeletionResult:
    subject_token: str
    tokens: list[str]
    removed: Counter = field(default_factory=Counter)


def subject_tokens(identifier: str, *, key: TokenKey, raw_db: Path) -> list[str]:
    """Every token of the subject: the token itself, a phone's token, or a CRM member's tokens."""
    identifier = identifier.strip()
    if identifier.startswith(_TOKEN_PREFIX) and "_" in identifier:
        return [identifier]
    phone = normalise_phone(identifier)
    if phone:
        return [tokenise(phone, "phone", key)]
    tokens: list[str] = []
    if Path(raw_db).exists():
        with connect_with_retry(raw_db, read_only=True) as con:
            if con.execute(
                "select count(*) from information_schema.tables where table_name = 'crm_members'"
            ).fetchone()[0]:
                rows = con.execute(
                    "select record::varchar from crm_members where record_key = ?", [identifier]
                ).fetchall()
                for (record,) in rows:
                    doc = json.loads(record)
                    tokens.extend(str(v) for k, v in doc.items() if k.endswith("_token") and v)
    if not tokens:
        raise ValueError("no data subject found for this member id (nothing to delete)")
    return sorted(set(tokens))


def _purge_landing(landing_dir: Path, tokens: list[str], removed: Counter) -> None:
    needles = [token.encode() for token in tokens]
    for manifest_path in sorted(Path(landing_dir).glob(f"**/{MANIFEST_NAME}")):
        directory = manifest_path.parent
        with manifest_lock(directory):
            manifest = read_manifest(directory)
            changed = False
            for key, entry in manifest["partitions"].items():
                path = directory / entry["file"]
                if not path.exists():
                    continue
                data = path.read_bytes()
                if not any(needle in data for needle in needles):
                    continue
                lines = [line for line in data.splitlines(keepends=True) if not any(n in line for n in needles)]
                new = b"".join(lines)
                sha = hashlib.sha256(new).hexdigest()
                new_path = directory / f"part-{key}-{sha[:8]}.jsonl"
                atomic_write_bytes(new_path, new)
                removed["landing_lines"] += entry["rows"] - len(lines)
                entry.update(file=new_path.name, sha256=sha, rows=len(lines))
                if new_path != path:
                    path.unlink()
                changed = True
            if changed:
                payload = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
                atomic_write_bytes(directory / MANIFEST_NAME, payload.encode("utf-8"))
    for receipt in Path(landing_dir).glob("crm/*_received/*.json"):
        if any(token in receipt.read_text(encoding="utf-8") for token in tokens):
            receipt.unlink()
            removed["landing_receipts"] += 1


def _purge_raw(raw_db: Path, tokens: list[str], removed: Counter, requested_at: datetime) -> None:
    with connect_with_retry(raw_db) as con:
        con.execute(TOMBSTONES_DDL)
        for token in tokens:
            con.execute("insert or ignore into deletion_tombstones values (?, ?)", [token, requested_at])
        tables = [
            r[0]
            for r in con.execute(
                "select table_name from information_schema.columns where table_schema = 'main' "
                "and column_name = 'record' group by 1 order by 1"
            ).fetchall()
        ]
        for table in tables:
            removed["raw_rows"] += drop_tombstoned(con, table)
        if (
            tables
            and con.execute(
                "select count(*) from information_schema.tables where table_name = 'quarantine'"
            ).fetchone()[0]
        ):
            for token in tokens:
                n = con.execute(
                    "select count(*) from quarantine where contains(record_excerpt, ?)", [token]
                ).fetchone()[0]
                con.execute("delete from quarantine where contains(record_excerpt, ?)", [token])
                removed["quarantine_rows"] += n


def drop_tombstoned(con: duckdb.DuckDBPyConnection, table: str) -> int:
    """Delete the rows of raw ``table`` that hold a tombstoned token (the loader calls this on every load)."""
    if not con.execute(
        "select count(*) from information_schema.tables where table_name = 'deletion_tombstones'"
    ).fetchone()[0]:
        return 0
    where = (
        f"exists (select 1 from deletion_tombstones t where contains({quote_ident(table)}.record::varchar, t.token))"
    )
    count = con.execute(f"select count(*) from {quote_ident(table)} where {where}").fetchone()[0]
    if count:
        con.execute(f"delete from {quote_ident(table)} where {where}")
    return count


def _purge_database(db: Path, tokens: list[str], removed: Counter, label: str) -> None:
    if not Path(db).exists():
        return
    with connect_with_retry(db) as con:
        columns = con.execute(
            "select c.table_schema, c.table_name, c.column_name, c.data_type from information_schema.columns c "
            "join information_schema.tables t using (table_catalog, table_schema, table_name) "
            "where t.table_type = 'BASE TABLE' and (c.data_type = 'VARCHAR' or c.data_type = 'VARCHAR[]') "
            "and c.table_schema not in ('information_schema', 'pg_catalog')"
        ).fetchall()
        for schema, table, column, data_type in columns:
            name = f"{quote_ident(schema)}.{quote_ident(table)}"
            test = (
                f"list_has_any({quote_ident(column)}, ?::varchar[])"
                if data_type == "VARCHAR[]"
                else f"{quote_ident(column)} in (select unnest(?::varchar[]))"
            )
            count = con.execute(f"select count(*) from {name} where {test}", [tokens]).fetchone()[0]
            if count:
                con.execute(f"delete from {name} where {test}", [tokens])
                removed[f"{label}_rows"] += count


def delete_subject(
    identifier: str,
    *,
    landing_dir: Path,
    raw_db: Path,
    build_dbs: Iterable[Path],
    published_db: Path,
    key: TokenKey | None = None,
) -> DeletionResult:
    """Remove the subject from landing, raw, quarantine, build and published file; tombstone; audit."""
    from cc_warehouse.audit.log import record_privacy_event

    key = key or load_key()
    tokens = subject_tokens(identifier, key=key, raw_db=raw_db)
    result = DeletionResult(subject_token=tokens[0], tokens=tokens)
    requested_at = datetime.now().astimezone()
    _purge_landing(landing_dir, tokens, result.removed)
    _purge_raw(raw_db, tokens, result.removed, requested_at)
    for build in build_dbs:
        _purge_database(build, tokens, result.removed, "build")
    _purge_database(published_db, tokens, result.removed, "published")
    record_privacy_event(
        raw_db,
        event="deletion_request",
        subject_token=result.subject_token,
        detail=dict(result.removed),
        recorded_at=requested_at,
    )
    log.info("deletion request %s: %s", result.subject_token, dict(result.removed))
    return result


def main(argv: list[str] | None = None) -> None:
    """CLI: ``python -m cc_warehouse.privacy.deletion --phone … | --member-id … | --token …``."""
    from cc_warehouse.config import settings

    parser = argparse.ArgumentParser(prog="cc_warehouse.privacy.deletion", description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--phone")
    group.add_argument("--member-id")
    group.add_argument("--token")
    args = parser.parse_args(argv)
    cfg = settings()
    result = delete_subject(
        args.phone or args.member_id or args.token,
        landing_dir=cfg.landing_dir,
        raw_db=cfg.raw_db,
        build_dbs=[cfg.build_db],
        published_db=cfg.warehouse_db,
    )
    print(json.dumps({"subject_token": result.subject_token, "removed": dict(result.removed)}))


if __name__ == "__main__":
    main()
