"""Extract one entity's window from the platform API (or CRM files from the inbox) into the landing zone.

Records are tokenised/redacted by the privacy registry before anything touches the disk.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cc_warehouse.config import LOCAL_TZ
from cc_warehouse.landing.files import LandedFile, atomic_write_bytes, land_records
from cc_warehouse.privacy.registry import UnclassifiedFieldError, apply_treatments, load_registry
from cc_warehouse.sources.douyin import decrypt_phones
from cc_warehouse.sources.http_client import PlatformClient
from cc_warehouse.sources.paging import iter_pages
from cc_warehouse.sources.red import merge_receivers

log = logging.getLogger(__name__)

_TZ = ZoneInfo(LOCAL_TZ)
RECEIPTS_DIR = "members_received"  # PII-free receipts of taken inbox files
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
    api = load_registry().entity(entity).api
    records: list[dict[str, Any]] = []
    counts: Counter = Counter()
    pages = 0
    for page in iter_pages(client, api, start, end):
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
        landed.append(land_records(
            landing_dir, entity, records, interval_start=chunk_start, interval_end=chunk_end, dt=dt,
            run_id=run_id, redactions=counts,
        ))
    return landed


# --- CRM member exports (CSV drops) ----------------------------------------------------------------

_DATE_IN_NAME = re.compile(r"(20\d{2})[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])")
_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?$")


def decode_csv(data: bytes) -> str:
    """Text of an Excel/CRM export: UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _clean(value: str) -> str | None:
    value = value.strip()
    if not value:
        return None
    folded = unicodedata.normalize("NFKC", value)
    return folded if _NUMBER.match(folded) else value


def parse_member_csv(text: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Rows of a member export as dicts keyed by field name; title rows above the header are skipped.

    The header row is the first row that contains the key column's header.
    An unknown header raises ``UnclassifiedFieldError`` (schema drift stops the load).
    """
    rows = list(csv.reader(io.StringIO(text)))
    key_header = next(h for h, f in headers.items() if f == load_registry().entity(CRM_ENTITY).key)
    index = next((i for i, row in enumerate(rows) if key_header in (c.strip() for c in row)), None)
    if index is None:
        raise ValueError(f"no header row with {key_header!r} found")
    cells = [c.strip() for c in rows[index]]
    unknown = [c for c in cells if c and c not in headers]
    if unknown:
        raise UnclassifiedFieldError(CRM_ENTITY, unknown[0], "CSV header not in the registry's headers")
    records = []
    for row in rows[index + 1:]:
        if not any(c.strip() for c in row):
            continue
        records.append({headers[h]: _clean(v) for h, v in zip(cells, row, strict=False) if h})
    return records


def _drop_date(path: Path) -> date:
    match = _DATE_IN_NAME.search(path.stem)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    return datetime.fromtimestamp(path.stat().st_mtime, _TZ).date()


def extract_crm_inbox(
    inbox_dir: Path, *, key: Any, run_id: str, landing_dir: Path, treat: Treat | None = None
) -> list[LandedFile]:
    """Land every CSV in ``<inbox_dir>/crm/`` as tokenised JSONL, then remove it from the inbox.

    The clear-text export is never copied: only a receipt without personal data (name, sha256, size,
    landed partition) is kept in ``<landing>/crm/members_received/<stem>-<sha8>.json``. A file whose
    content was already taken (same name and sha) is removed from the inbox without landing anything; a
    file replaced under the same name with new content lands as a new version (its own interval key).
    """
    treat = treat or apply_treatments
    spec = load_registry().entity(CRM_ENTITY)
    receipts = Path(landing_dir) / "crm" / RECEIPTS_DIR
    landed = []
    rejected = []
    for path in sorted((Path(inbox_dir) / spec.file["inbox"]).glob(spec.file["pattern"])):
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if name_holds_personal_data(path.name):  # the name would reach logs, receipts, raw and load_audit
            rejected.append(sha[:12])
            continue
        version = f"{path.stem}-{sha[:8]}"
        receipt = receipts / f"{version}.json"
        if receipt.exists() and json.loads(receipt.read_text(encoding="utf-8")).get("sha256") == sha:
            log.info("%s was already taken (same content), removing it from the inbox", path.name)
            path.unlink()
            continue
        dt = _drop_date(path)
        start = datetime.combine(dt, datetime.min.time(), _TZ)
        end = max(datetime.fromtimestamp(path.stat().st_mtime, _TZ).replace(microsecond=0), start)
        counts: Counter = Counter()
        records = []
        for record in parse_member_csv(decode_csv(data), spec.headers):
            treated, found = treat(CRM_ENTITY, record, key, dt)
            records.append(treated)
            counts.update(found)
        landed.append(land_records(
            landing_dir, CRM_ENTITY, records, interval_start=start, interval_end=end, dt=dt,
            run_id=run_id, redactions=counts, key=version,
        ))
        atomic_write_bytes(receipt, json.dumps(
            {"file": path.name, "sha256": sha, "bytes": len(data), "rows": len(records),
             "dt": dt.isoformat(), "landed": landed[-1].path.name}, ensure_ascii=False).encode("utf-8"))
        if hashlib.sha256(path.read_bytes()).hexdigest() == sha:
            path.unlink()
        log.info("extracted %s %s: %d rows", CRM_ENTITY, path.name, len(records))
    if rejected:
        raise InboxFileNameError(
            f"{len(rejected)} CRM inbox file(s) left in place: the file name holds personal data (a phone or ID "
            f"number); rename them without it. Files by content sha256 prefix: {', '.join(rejected)}"
        )
    return landed


class InboxFileNameError(ValueError):
    """An inbox file whose name holds personal data; the name itself is never repeated in the message."""


def name_holds_personal_data(name: str) -> bool:
    """True when a file name carries a phone, ID number, e-mail or contact id (detector or second net)."""
    from cc_warehouse.privacy.detectors import find_pii
    from cc_warehouse.quality.independent_check import suspicious

    spaced = name.replace("_", " ")  # no "prefixed code" excuse in a file name: vip_<ID number> is an ID
    return bool(find_pii(spaced)) or suspicious(spaced)
