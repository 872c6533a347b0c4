"""Read the gate's JSON result (``reports/gate/<run_id>.json``, written by ``cc_warehouse.quality.gate``).

Only suite names, expectation names, tables, columns and counts are kept, so nothing the gate might
have added by mistake is ever rendered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FailedExpectation:
    suite: str
    expectation: str
    table: str | None
    column: str | None
    unexpected_count: int | None

    @property
    def is_pii(self) -> bool:
        """A PII check: the gate names its PII suites ``pii.<table>``."""
        return self.suite.lower().startswith("pii")


@dataclass(frozen=True)
class GateSummary:
    result_id: str
    success: bool | None
    suites: list[dict[str, Any]] = field(default_factory=list)
    failed: list[FailedExpectation] = field(default_factory=list)

    @property
    def pii_failed(self) -> list[FailedExpectation]:
        return [f for f in self.failed if f.is_pii]


def _count(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _column(value: Any) -> str | None:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return None if value is None else str(value)


def read_gate_result(path: Path) -> GateSummary:
    """Summarise one gate JSON file."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    suites, failed = [], []
    for spec in doc.get("suites") or []:
        name = str(spec.get("suite", "?"))
        suite_failed = [
            FailedExpectation(
                suite=name,
                expectation=str(item.get("expectation", "?")),
                table=item.get("table"),
                column=_column(item.get("column")),
                unexpected_count=_count(item.get("unexpected_count")),
            )
            for item in spec.get("failed_expectations") or []
        ]
        failed.extend(suite_failed)
        suites.append(
            {
                "name": name,
                "success": spec.get("success"),
                "evaluated": _count(spec.get("evaluated")),
                "failed": _count(spec.get("failed")) or len(suite_failed),
            }
        )
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
