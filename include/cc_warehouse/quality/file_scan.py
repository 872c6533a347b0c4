"""Scan files for personal data the way the gate scans tables: landing JSONL and manifests, CRM receipts,
inbox file names, dbt logs and target files, and the run's Airflow task logs.

Data (JSON string leaves, file names) goes through both nets: the precise detectors (``find_pii``,
structured kinds) and the independent second check (``independent_check.suspicious``); plain log lines
through ``find_pii`` only (the skeleton rule reads ``DateTime(2026, 12, 2, 14, 9, 49, …)`` as a number).
JSON lines are read field by field so that
typed identifiers (an 11-digit SKU, a ``note_<24 hex>`` code) are never asked "is this a phone?", token
and mask fields get no detector, and JSON numbers in the mobile range are caught. Only file names, line
numbers and kinds come out — never a value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from cc_warehouse.privacy.detectors import find_pii
from cc_warehouse.quality import independent_check
from cc_warehouse.sources.registry import load_registry

_DIGIT_LIKE = re.compile(r"[\d零〇一二两三四五六七八九幺壹贰叁肆伍陆柒捌玖\u2460-\u24ff]")
_CUE = re.compile(r"@|艾特|微信|vx|wx|qq|扣扣|企鹅|薇|v信|at|#", re.IGNORECASE)
_BINARY_SUFFIXES = frozenset(
    {".duckdb", ".wal", ".parquet", ".gz", ".zip", ".png", ".jpg", ".db", ".lock", ".pyc", ".msgpack", ".key"}
)
_MEASURE = re.compile(
    r"amount|gmv|fen|yuan|revenue|price|cost|spend|fee|total|sum|value|_ms|time|epoch|count|cnt"
    r"|bytes|rows|size|_at$|duration|seconds"
)
MAX_BYTES = 64 * 1024 * 1024


class FileFinding(NamedTuple):
    """Where a file holds something that looks like personal data (no value)."""

    file: str
    line: int
    kind: str


def _role_mailboxes() -> frozenset[str]:
    """Role mailboxes (team addresses in dbt exposures) listed in the registry: not personal data."""
    return load_registry().role_mailboxes


def _text_hit(text: str, independent: bool = True) -> str | None:
    if not _CUE.search(text) and len(_DIGIT_LIKE.findall(text)) < 11:
        return None
    found = [
        f for f in find_pii(text) if not (f.kind == "email" and text[f.start : f.end].lower() in _role_mailboxes())
    ]
    if found:
        return found[0].kind
    return "independent_check" if independent and independent_check.suspicious(text) else None


def _leaf_hits(value: Any, key: str) -> Iterator[str]:
    registry = load_registry()
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from _leaf_hits(child, str(child_key))
    elif isinstance(value, list):
        for item in value:
            yield from _leaf_hits(item, key)
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int | float):
        if not _MEASURE.search(key.lower()) and not registry.identifier_type(key) and float(value).is_integer():
            number = int(value)
            if any(low <= number <= high for low, high in independent_check.MOBILE_INTEGER_RANGES):
                yield "numeric_phone"
    elif isinstance(value, str):
        lowered = key.lower()
        if registry.identifier_type(key) or lowered.endswith(("_token", "_tokens")) or "mask" in lowered:
            return
        hit = _text_hit(value)
        if hit:
            yield hit


def scan_file(path: Path, root: Path) -> list[FileFinding]:
    """Findings in one text file; JSON lines and JSON documents are read field by field."""
    name = str(path.relative_to(root))
    if path.suffix in _BINARY_SUFFIXES or path.stat().st_size > MAX_BYTES:
        return []
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    findings: list[FileFinding] = []
    if path.suffix == ".json":
        try:
            doc = json.loads(text)
        except ValueError:
            doc = None
        if doc is not None:
            return [FileFinding(name, 0, kind) for kind in dict.fromkeys(_leaf_hits(doc, ""))]
    for number, line in enumerate(text.splitlines(), start=1):
        if path.suffix == ".jsonl" and line.startswith("{"):
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if record is not None:
                findings.extend(FileFinding(name, number, kind) for kind in dict.fromkeys(_leaf_hits(record, "")))
                continue
        # log lines: Python reprs of dates fool the skeleton rule (the detectors end a digit chain at a spaced
        # pipe and never take digits from a UUID, so dbt's banner "16:27:18.014919 | 764258d8-…" is no phone)
        hit = _text_hit(line, independent=False)
        if hit:
            findings.append(FileFinding(name, number, hit))
    return findings


def scan_tree(root: Path, *, names_only: bool = False) -> list[FileFinding]:
    """Every file under ``root`` (recursively): its content, or with ``names_only`` just its name."""
    root = Path(root)
    if not root.exists():
        return []
    findings: list[FileFinding] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = str(path.relative_to(root))
        hit = _text_hit(path.name.replace("_", " "))
        if hit:
            findings.append(FileFinding(relative if not hit else "<file name withheld>", 0, f"file_name:{hit}"))
        if not names_only:
            findings.extend(scan_file(path, root))
    return findings


def scan_roots(roots: dict[str, Path], names_only: Iterable[str] = ()) -> dict[str, list[FileFinding]]:
    """``{label: findings}`` for each labelled root (``names_only`` labels: file names only)."""
    only = set(names_only)
    return {label: scan_tree(root, names_only=label in only) for label, root in roots.items()}
