"""What an alert says. Only identifiers and counts: DAG, run, task, failed expectation, row counts.

Exception texts are not copied into messages: database and parser errors quote the offending value
(``Could not convert string '1380013…' to INT``), and an alert goes to mailboxes and chat groups.
For the gate, the failed checks come from the gate's own JSON result, field by field, never its
``observed_value`` unless that is a plain count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

GATE_TASK = "quality_gate"
MAX_CHECKS = 20


@dataclass(frozen=True)
class Alert:
    subject: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join([self.subject, "", *self.lines])


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def gate_checks(gate_json: Path) -> tuple[list[str], int]:
    """The failed expectations of a gate result as ``table expectation column=… unexpected_count=N`` lines,
    and how many failed in total."""
    data = json.loads(gate_json.read_text(encoding="utf-8"))
    lines = []
    for suite in data.get("suites", []):
        for failure in suite.get("failed_expectations", []):
            parts = [str(failure.get("table") or suite.get("table") or "?"), str(failure.get("expectation") or "?")]
            for key in ("column", "rule"):
                if failure.get(key):
                    parts.append(f"{key}={failure[key]}")
            if _is_count(failure.get("unexpected_count")):
                parts.append(f"unexpected_count={failure['unexpected_count']}")
            if _is_count(failure.get("observed_value")):
                parts.append(f"observed_count={failure['observed_value']}")
            lines.append(" ".join(parts))
    return lines, len(lines)


def failure_alert(context: dict, *, gate_json: Path | None = None) -> Alert:
    """The alert for a failed task (final failure, after retries), from the Airflow task context."""
    dag_id = _attr(context.get("dag"), "dag_id") or _attr(context.get("dag_run"), "dag_id") or "?"
    run_id = _attr(context.get("dag_run"), "run_id") or context.get("run_id") or "?"
    ti = context.get("ti") or context.get("task_instance")
    task_id = _attr(ti, "task_id") or _attr(context.get("task"), "task_id") or "?"
    try_number = _attr(ti, "try_number")
    error = context.get("exception")
    lines = [f"DAG: {dag_id}", f"Run: {run_id}", f"Task: {task_id}" + (f" (try {try_number})" if try_number else "")]
    if task_id == GATE_TASK and gate_json is not None and gate_json.is_file():
        checks, total = gate_checks(gate_json)
        subject = f"[cc-warehouse] quality gate FAILED: {dag_id} {run_id} — {total} failed check(s), nothing published"
        lines.append(f"Failed checks ({total}):")
        lines += [f"  - {check}" for check in checks[:MAX_CHECKS]]
        if total > MAX_CHECKS:
            lines.append(f"  … and {total - MAX_CHECKS} more")
        lines.append(f"Gate result: {gate_json.name} (reports/gate/, counts only)")
    else:
        kind = "load" if task_id.startswith("load_") else "task"
        subject = f"[cc-warehouse] {kind} FAILED: {dag_id} {run_id} {task_id}"
        if error is not None:
            lines.append(f"Error type: {type(error).__name__} (message withheld: it may quote data; see the task log)")
    log_url = _attr(ti, "log_url")
    if log_url:
        lines.append(f"Log: {log_url}")
    return Alert(subject=subject, lines=lines)


def deadline_alert(context: dict) -> Alert:
    """The alert for a missed deadline (Airflow deadline alert: the run has not finished in time)."""
    run = context.get("dag_run") or {}
    deadline = context.get("deadline") or {}
    dag_id = _attr(run, "dag_id") or "?"
    run_id = _attr(run, "dag_run_id") or _attr(run, "run_id") or "?"
    subject = f"[cc-warehouse] deadline MISSED: {dag_id} {run_id} has not finished — the publish is late"
    lines = [
        f"DAG: {dag_id}",
        f"Run: {run_id}",
        f"State: {_attr(run, 'state') or '?'}",
        f"Queued at: {_attr(run, 'queued_at') or '?'}",
        f"Deadline: {_attr(deadline, 'deadline_time') or '?'}",
    ]
    return Alert(subject=subject, lines=lines)
