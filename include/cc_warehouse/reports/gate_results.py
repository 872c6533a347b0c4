"""Read the gate's JSON result (``reports/gate/<run_id>.json``) into a small, uniform summary.

The gate writes its success flag and, per suite, the failed expectations with counts (never values).
This reader accepts suites as a list or a name-keyed mapping and the usual key spellings, and keeps
only names, columns and counts, so nothing the gate might have added by mistake is rendered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FailedExpectation:
    suite: str
    expectation: str
    column: str | None
    unexpected_count: int | None

    @property
    def is_pii(self) -> bool:
        """A PII check: its suite or expectation name says so."""
        return "pii" in self.suite.lower() or "pii" in self.expectation.lower()


@dataclass(frozen=True)
class GateSummary:
    result_id: str
    success: bool | None
    suites: list[dict[str, Any]] = field(default_factory=list)
    failed: list[FailedExpectation] = field(default_factory=list)

    @property
    def pii_failed(self) -> list[FailedExpectation]:
        return [f for f in self.failed if f.is_pii]


def _first(mapping: Mapping[str, Any], *keys: str) -> Any:
    return next((mapping[k] for k in keys if mapping.get(k) is not None), None)


def _as_int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _failures(suite: str, spec: Mapping[str, Any]) -> list[FailedExpectation]:
    items = _first(spec, "failed_expectations", "failures", "failed") or []
    if not isinstance(items, list):
        return []
    failed = []
    for item in items:
        if isinstance(item, str):
            failed.append(FailedExpectation(suite, item, None, None))
            continue
        kwargs = item.get("kwargs") if isinstance(item.get("kwargs"), Mapping) else {}
        failed.append(FailedExpectation(
            suite=suite,
            expectation=str(_first(item, "expectation", "expectation_type", "type", "name") or "?"),
            column=_first(item, "column") or _first(kwargs, "column"),
            unexpected_count=_as_int(_first(item, "unexpected_count", "count", "failed_count")),
        ))
    return failed


def read_gate_result(path: Path) -> GateSummary:
    """Summarise one gate JSON file."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    raw_suites = doc.get("suites") or []
    if isinstance(raw_suites, Mapping):
        raw_suites = [{"name": name, **spec} for name, spec in raw_suites.items()]
    suites, failed = [], []
    for spec in raw_suites:
        name = str(_first(spec, "name", "suite", "suite_name") or "?")
        suite_failed = _failures(name, spec)
        failed.extend(suite_failed)
        suites.append({
            "name": name,
            "success": spec.get("success"),
            "evaluated": _as_int(_first(spec, "evaluated", "evaluated_expectations", "expectations")),
            "failed": _as_int(_first(spec, "failed_count", "unsuccessful_expectations")) or len(suite_failed),
        })
    success = doc.get("success")
    return GateSummary(
        result_id=str(doc.get("run_id") or Path(path).stem),
        success=success if isinstance(success, bool) else None,
        suites=suites,
        failed=failed,
    )


def latest_gate_json(gate_dir: Path) -> Path | None:
    """The most recently written gate result in ``gate_dir``, if any."""
    files = sorted(Path(gate_dir).glob("*.json"), key=lambda p: (p.stat().st_mtime, p.name))
    return files[-1] if files else None
