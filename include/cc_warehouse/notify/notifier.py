"""Airflow's notifier interface for the project's alerts.

``FailureNotifier`` is the ``on_failure_callback`` of the tasks whose failure means data is not
published (extract, load, dbt build, gate, publish); it runs once per task, after the last retry.
``DeadlineNotifier`` is the callback of the transform DAG's deadline alert: Airflow's triggerer awaits it
with the dag-run context when a run has not finished in time.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from airflow.sdk import BaseNotifier

from cc_warehouse.notify.alerts import GATE_TASK, deadline_alert, failure_alert
from cc_warehouse.notify.channels import deliver


class FailureNotifier(BaseNotifier):
    """Failed task → one alert (gate: the failed checks and counts from the gate's JSON result)."""

    template_fields = ()

    def notify(self, context) -> None:
        gate_json = None
        ti = context.get("ti")
        if getattr(ti, "task_id", None) == GATE_TASK:
            from cc_warehouse.orchestration.dag_factory import GATE_XCOM

            verdict = ti.xcom_pull(task_ids=GATE_TASK, key=GATE_XCOM) or {}
            gate_json = Path(verdict["results_path"]) if verdict.get("results_path") else None
        deliver(failure_alert(context, gate_json=gate_json))


class DeadlineNotifier(BaseNotifier):
    """Missed deadline → one alert. Delivery is blocking I/O, so it runs in a thread of the triggerer."""

    template_fields = ()

    def notify(self, context) -> None:
        deliver(deadline_alert(context))

    async def async_notify(self, context) -> None:
        await asyncio.to_thread(self.notify, context)
