"""Extract one entity's window from the platform API (or CRM files from the inbox) into the landing zone.

Records are tokenised/redacted by the privacy registry before anything touches the disk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cc_warehouse.config import LOCAL_TZ
from cc_warehouse.faults import fault_point
from cc_warehouse.landing.files import LandedFile, atomic_write_bytes, land_records, receipts_dir
from cc_warehouse.privacy.treatment import apply_treatments
from cc_warehouse.sources.douyin import decrypt_phones
from cc_warehouse.sources.http_client import PlatformClient
from cc_warehouse.sources.paging import iter_pages
from cc_warehouse.sources.red import merge_receivers
from cc_warehouse.sources.registry import UnclassifiedFieldError, load_registry

log = logging.getLogger(__name__)

_TZ = ZoneInfo(LOCAL_TZ)
CRM_ENTITY = "crm.members"
Treat = Callable[[str, dict[str, Any], Any, Any], tuple[dict[str, Any], Counter]]


def day_chunks(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Split ``[start, end)`` at Asia/Shanghai midnights (RED allows at most 24 h per call)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("window bounds must be timezone-aware")
    # Plain datetimes in Asia/Shanghai (Airflow hands over pendulum ones, whose str() drops the offset).
    chunks, cursor = [], datetime.fromtimestamp(start.timestamp(), _TZ)
    end = datetime.fromtimestamp(end.timestamp(), _TZ)
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), datetime.min.time(), _TZ)
        chunk_end = min(midnight, end)
        chunks.append((cursor, chunk_end))
        cursor = chunk_end
    return chunks


def _fetch(
    entity: str, client: PlatformClient, start: datetime, end: datetime, key: Any, as_of: Any, treat: Treat
) -> tuple[list[dict[str, Any]], int, Counter]:
    spec = load_registry().entity(entity)
    records: list[dict[str, Any]] = []
    counts: Counter = Counter()
    pages = 0
    for page in iter_pages(client, spec.api, start, end, key_fields=spec.key_fields if spec.key else ()):
        pages += 1
        if entity == "douyin.orders":
            decrypt_phones(client, page)
        elif entity == "red.orders":
            merge_receivers(client, page)
        for record in page:
            treated, found = treat(entity, record, key, as_of)
            records.append(treated)
            counts.update(found)
    return records, pages, counts


def extract_window(
    entity: str,
    start: datetime,
    end: datetime,
    *,
    client: PlatformClient,
    key: Any,
    run_id: str,
    landing_dir: Path,
    as_of: Any = None,
    treat: Treat | None = None,
) -> list[LandedFile]:
    """Fetch ``[start, end)`` of an API entity day by day and land one tokenised file per day chunk.

    Snapshot entities (no window in the registry) land one file per snapshot day: the partition is the day
    ending at ``end`` whatever the run's window, so re-running or backfilling the same day replaces it.
    ``as_of`` (for age bands) defaults to the local date of ``end``; ``treat`` defaults to the privacy
    registry's ``apply_treatments``.
    """
    treat = treat or apply_treatments
    as_of = as_of or end.astimezone(_TZ).date()
    windowed = bool(load_registry().entity(entity).api.get("window"))
    chunks = day_chunks(start, end) if windowed else [(max(start, end - timedelta(days=1)), end)]
    landed = []
    for chunk_start, chunk_end in chunks:
        records, pages, counts = _fetch(entity, client, chunk_start, chunk_end, key, as_of, treat)
        dt = chunk_start.astimezone(_TZ).date() if windowed else end.astimezone(_TZ).date()
        log.info("extracted %s %s: %d pages, %d rows", entity, dt, pages, len(records))
        landed.append(
            land_records(
                landing_dir,
                entity,
                records,
                interval_start=chunk_start,
                interval_end=chunk_end,
                dt=dt,
                run_id=run_id,
                redactions=counts,
            )
        )
    return landed


# --- CRM member exports (CSV drops) ----------------------------------------------------------------

_DATE_IN_NAME = re.compile(r"(20\d{2})[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])")
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?$")
# What Excel shows (and saves) for a long digit string in a General cell: 1.10101E+17, 1.35001E+10.
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
PROCESSING_DIR = ".processing"  # inbox files move here (atomic rename) before they are read
REJECTED_DIR = "rejected"  # whole files that cannot be read, kept with <name>.reason.txt for a person


class MalformedExport(ValueError):
    """A whole export that cannot be read (empty, undecodable, no header, unknown header); names the file."""


def decode_csv(data: bytes, name: str = "file") -> str:
    """Text of an Excel/CRM export: UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK).

    A UTF-8 file cut inside a multi-byte character is reported as truncated at its byte offset (it is not
    GB18030 text); a file that is neither names both offsets."""
    body, offset = (data[3:], 3) if data.startswith(b"\xef\xbb\xbf") else (data, 0)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.reason == "unexpected end of data" or offset:
            cut = (
                "truncated: the file ends inside a character"
                if err.reason == "unexpected end of data"
                else f"not valid UTF-8 ({err.reason})"
            )
            raise MalformedExport(f"{name}: UTF-8 text {cut} at byte {err.start + offset}") from None
        utf8_at = err.start
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as err:
        raise MalformedExport(
            f"{name}: neither UTF-8 (invalid at byte {utf8_at}) nor GBK/GB18030 (invalid at byte {err.start})"
        ) from None


def _clean(value: str, identifier: bool = False) -> str | None:
    """Trimmed cell; numbers and identifiers NFKC-folded (full-width IME digits become ASCII)."""
    value = value.strip()
    if not value:
        return None
    folded = unicodedata.normalize("NFKC", value)
    return folded if identifier or _NUMBER.match(folded) else value


@dataclass(frozen=True)
class CsvRow:
    """One data row: its physical row number in the CSV and either a record or the reason it is rejected."""

    row: int
    record: dict[str, Any] | None
    reason: str | None = None


def _identifier_fields() -> set[str]:
    spec = load_registry().entity(CRM_ENTITY)
    return set(spec.key_fields) | {name for name, f in spec.fields.items() if f.treatment == "token"}


def read_member_rows(text: str, headers: dict[str, str], name: str = "file", complete: bool = True) -> list[CsvRow]:
    """Rows of a member export (title rows above the header skipped), each checked on its own.

    The header row is the first row that contains the key column's header; an unknown header raises
    ``UnclassifiedFieldError`` (schema drift: the whole file stops). A row with more or fewer cells than
    headers, an identifier Excel turned into scientific notation, or a last row cut short (``complete`` is
    False when the file does not end with a line break) is rejected with a reason, never loaded half-right.
    """
    if not text.strip():
        raise MalformedExport(f"{name}: empty file")
    reader = csv.reader(io.StringIO(text))
    key_header = next(h for h, f in headers.items() if f == load_registry().entity(CRM_ENTITY).key)
    identifiers = _identifier_fields()
    cells: list[str] | None = None
    out: list[CsvRow] = []
    try:
        raw_rows = [(reader.line_num, row) for row in reader]
    except csv.Error as err:
        raise MalformedExport(f"{name}: unreadable CSV ({err}) near row {reader.line_num}") from None
    for position, (row_number, row) in enumerate(raw_rows):
        if cells is None:
            if key_header in (c.strip() for c in row):
                cells = [c.strip() for c in row]
                unknown = [c for c in cells if c and c not in headers]
                if unknown:
                    raise UnclassifiedFieldError(CRM_ENTITY, unknown[0], "CSV header not in the registry's headers")
            continue
        if not any(c.strip() for c in row):
            continue
        width = f"{len(row)}_cells_for_{len(cells)}_headers"
        if len(row) < len(cells):
            last = position == len(raw_rows) - 1 and not complete
            out.append(CsvRow(row_number, None, ("truncated_last_row:" if last else "short_row:") + width))
            continue
        if len(row) > len(cells) and any(c.strip() for c in row[len(cells) :]):
            out.append(CsvRow(row_number, None, "long_row:" + width))
            continue
        record = {headers[h]: _clean(v, headers[h] in identifiers) for h, v in zip(cells, row, strict=False) if h}
        damaged = next((f for f in sorted(identifiers) if record.get(f) and _SCIENTIFIC.match(record[f])), None)
        if damaged:
            out.append(CsvRow(row_number, None, f"excel_scientific_notation:{damaged}"))
            continue
        out.append(CsvRow(row_number, record))
    if cells is None:
        raise MalformedExport(f"{name}: no header row with {key_header!r} found")
    return out


def parse_member_csv(text: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """The loadable records of a member export (rejected rows left out); see ``read_member_rows``."""
    return [r.record for r in read_member_rows(text, headers) if r.record is not None]


def _drop_date(path: Path) -> date:
    match = _DATE_IN_NAME.search(path.stem)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    return datetime.fromtimestamp(path.stat().st_mtime, _TZ).date()


def _reject(path: Path, reason: str) -> None:
    """Move a whole unreadable file out of the way (kept for a person, with the reason beside it)."""
    folder = path.parent.parent / REJECTED_DIR
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(folder / f"{path.name}.reason.txt", (reason + "\n").encode("utf-8"))
    os.replace(path, folder / path.name)


def _take_into_processing(inbox: Path, pattern: str) -> list[Path]:
    """Move each new inbox file into the processing area (atomic rename), after any a crash left there."""
    processing = inbox / PROCESSING_DIR
    processing.mkdir(parents=True, exist_ok=True)
    for path in sorted(inbox.glob(pattern)):
        if name_holds_personal_data(path.name):  # left in the inbox, never moved or named (see the caller)
            continue
        target = processing / path.name
        if target.exists():  # same name still being processed (left by a crash): take that one first
            continue
        os.replace(path, target)
    return sorted(processing.glob(pattern))


def extract_crm_inbox(
    inbox_dir: Path,
    *,
    key: Any,
    run_id: str,
    landing_dir: Path,
    treat: Treat | None = None,
    rejected: list[tuple[str, str]] | None = None,
) -> list[LandedFile]:
    """Land every CSV in ``<inbox_dir>/crm/`` as tokenised JSONL, then remove it from the inbox.

    Each file first moves (atomic rename) into ``crm/.processing/``, so a crash at any point leaves it
    there and the next run takes it; nothing is ever stranded. The clear-text export is never copied: only
    a receipt without personal data (name, sha256, size, landed partition) is kept in
    ``<landing>/crm/members_received/<stem>-<sha8>.json``. A file whose content was already taken (same
    name and sha) is removed without landing anything; a file replaced under the same name with new content
    lands as a new version (its own interval key).

    Every data row becomes one landed line: a tokenised record with its ``_csv_row``, or, for a rejected
    row, a stub ``{_csv_file, _csv_row, _reject}`` without any cell value, which the loader quarantines
    under that CSV row number; so received = loaded + quarantined counts CSV rows. A file that cannot be
    read at all moves to ``crm/rejected/`` with ``<name>.reason.txt``; the others still land. With a
    ``rejected`` list the (file name, reason) pairs are appended there, else the first one is raised
    (``MalformedExport``) after the good files have landed.
    """
    treat = treat or apply_treatments
    spec = load_registry().entity(CRM_ENTITY)
    receipts = receipts_dir(landing_dir)
    landed = []
    refused: list[tuple[str, str]] = []
    inbox = Path(inbox_dir) / spec.file["inbox"]
    # A name that holds personal data would reach logs, receipts, raw and load_audit: such a file stays in
    # the inbox for the operator to rename, known only by its content hash.
    named = sorted(
        hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in inbox.glob(spec.file["pattern"])
        if name_holds_personal_data(path.name)
    )
    for path in _take_into_processing(inbox, spec.file["pattern"]):
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        version = f"{path.stem}-{sha[:8]}"
        receipt = receipts / f"{version}.json"
        if receipt.exists() and json.loads(receipt.read_text(encoding="utf-8")).get("sha256") == sha:
            log.info("%s was already taken (same content), removing it from the inbox", path.name)
            path.unlink()
            continue
        dt = _drop_date(path)
        start = datetime.combine(dt, datetime.min.time(), _TZ)
        # The interval ends at the receipt (now), not the file's mtime: a corrected re-export with an older
        # file time must still be the newer delivery (staging keeps the latest delivery of each export name).
        end = max(datetime.now(_TZ), start)
        try:
            rows = read_member_rows(
                decode_csv(data, path.name), spec.headers, path.name, complete=data.endswith((b"\n", b"\r"))
            )
        except (MalformedExport, UnclassifiedFieldError) as exc:
            reason = str(exc) if str(exc).startswith(path.name) else f"{path.name}: {exc}"
            log.error("rejected %s: %s", path.name, reason)
            _reject(path, reason)
            refused.append((path.name, reason))
            continue
        counts: Counter = Counter()
        records = []
        for row in rows:
            if row.record is None:
                records.append({"_csv_file": path.name, "_csv_row": row.row, "_reject": row.reason})
                continue
            treated, found = treat(CRM_ENTITY, row.record, key, dt)
            records.append({**treated, "_csv_row": row.row})
            counts.update(found)
        landed.append(
            land_records(
                landing_dir,
                CRM_ENTITY,
                records,
                interval_start=start,
                interval_end=end,
                dt=dt,
                run_id=run_id,
                redactions=counts,
                key=version,
            )
        )
        good = sum(1 for r in rows if r.record is not None)
        atomic_write_bytes(
            receipt,
            json.dumps(
                {
                    "file": path.name,
                    "sha256": sha,
                    "bytes": len(data),
                    "rows": len(records),
                    "rejected_rows": len(records) - good,
                    "dt": dt.isoformat(),
                    "landed": landed[-1].path.name,
                },
                ensure_ascii=False,
            ).encode("utf-8"),
        )
        fault_point("after_receipt_before_unlink")
        if hashlib.sha256(path.read_bytes()).hexdigest() == sha:
            path.unlink()
        log.info("extracted %s %s: %d rows (%d rejected)", CRM_ENTITY, path.name, len(records), len(records) - good)
    if named:
        message = (
            f"{len(named)} CRM inbox file(s) left in place: the file name holds personal data (a phone or "
            f"ID number); rename them without it. Files by content sha256 prefix: {', '.join(named)}"
        )
        if rejected is None:
            raise InboxFileNameError(message)
        refused.append((f"sha256:{','.join(named)}", message))
    if rejected is not None:
        rejected.extend(refused)
    elif refused:
        raise MalformedExport("; ".join(reason for _, reason in refused))
    return landed


class InboxFileNameError(ValueError):
    """An inbox file whose name holds personal data; the name itself is never repeated in the message."""


def name_holds_personal_data(name: str) -> bool:
    """True when a file name carries a phone, ID number, e-mail or contact id (detector or second net)."""
    from cc_warehouse.privacy.detectors import find_pii
    from cc_warehouse.quality.independent_check import suspicious

    spaced = name.replace("_", " ")  # no "prefixed code" excuse in a file name: vip_<ID number> is an ID
    return bool(find_pii(spaced)) or suspicious(spaced)
