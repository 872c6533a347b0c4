"""Failures reach a person: the DAGs' own failure callbacks and the deadline callback, through Airflow's
notifier interface, to a real SMTP sink (aiosmtpd) and a real webhook receiver on loopback sockets.

A gate failure is produced by the real gate on a build with a planted mobile number; the alert must name
the DAG, the run, the failed check and its count, exactly once per channel, and never the number itself.
"""

from __future__ import annotations

import asyncio
import shutil
from types import SimpleNamespace

import duckdb
import pytest
from airflow.sdk.exceptions import AirflowFailException
from cc_warehouse.notify.alerts import deadline_alert
from cc_warehouse.notify.channels import webhook_payload
from cc_warehouse.orchestration.transform import safe_run_id
from cc_warehouse.quality.gate import run_gate

from tests.alert_sinks import start_sinks
from tests.quality.conftest import CLEAN_BUILD_SQL, REPO_EXPECTATIONS

PLANTED_MOBILE = "13912345678"
RUN_ID = "asset_triggered__2026-11-16T01:02:03+00:00"


@pytest.fixture
def sinks(monkeypatch, var_dir):
    sinks, stop = start_sinks()
    for key, value in sinks.connections_env().items():
        monkeypatch.setenv(key, value)
    yield sinks
    stop()


@pytest.fixture(scope="module")
def transform_dag():
    from cc_warehouse.orchestration.dag_factory import build_transform_dag

    return build_transform_dag()


def _context(dag, task_id: str, exception: BaseException, gate_verdict: dict | None = None) -> dict:
    """What Airflow hands a failure callback; the gate's verdict is the XCom the gate task pushed."""
    ti = SimpleNamespace(task_id=task_id, try_number=1, log_url=None, xcom_pull=lambda **_: gate_verdict)
    return {
        "dag": dag,
        "dag_run": SimpleNamespace(run_id=RUN_ID, dag_id=dag.dag_id),
        "ti": ti,
        "task_instance": ti,
        "exception": exception,
        "run_id": RUN_ID,
    }


def _callbacks(dag, task_id: str) -> list:
    callbacks = dag.get_task(task_id).on_failure_callback
    return callbacks if isinstance(callbacks, list) else [callbacks]


def _everything(sinks) -> str:
    return "\n".join([*(m.as_string() for m in sinks.mails), *(str(p) for p in sinks.posts)])


def test_a_planted_gate_failure_sends_exactly_one_alert_naming_the_check(sinks, var_dir, tmp_path, transform_dag):
    expectations = tmp_path / "expectations"
    shutil.copy(REPO_EXPECTATIONS / "keys.yml", expectations.mkdir() or expectations / "keys.yml")
    shutil.copytree(
        REPO_EXPECTATIONS / "gx",
        expectations / "gx",
        ignore=shutil.ignore_patterns("uncommitted", "validation_definitions", "checkpoints", "pii"),
    )
    build = tmp_path / "build.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute(CLEAN_BUILD_SQL)
        con.execute(f"create table seeding.planted_notes as select 'call me {PLANTED_MOBILE}' as remark")
    result = run_gate(
        build,
        reports_dir=var_dir / "reports",
        run_id=safe_run_id(RUN_ID),
        work_dir=tmp_path / "gx",
        expectations_dir=expectations,
    )
    assert result.success is False and result.results_path.is_file()
    verdict = {"success": False, "results_path": str(result.results_path)}

    for callback in _callbacks(transform_dag, "quality_gate"):  # what Airflow calls after the task failed
        callback(_context(transform_dag, "quality_gate", AirflowFailException(str(result.failures)), verdict))

    assert len(sinks.mails) == 1 and len(sinks.posts) == 1
    mail = sinks.mails[0]
    body = mail.get_content()
    assert "quality gate FAILED" in mail["Subject"] and "transform_warehouse" in mail["Subject"]
    assert mail["To"] == "oncall@example.com"
    assert f"Run: {RUN_ID}" in body
    assert "seeding.planted_notes" in body and "column=remark" in body and "unexpected_count=1" in body
    path, payload = sinks.posts[0]
    assert path.startswith("/cgi-bin/webhook/send") and payload["msgtype"] == "text"
    assert "seeding.planted_notes" in payload["text"]["content"]
    everything = _everything(sinks)
    for form in (PLANTED_MOBILE, PLANTED_MOBILE[-4:] + "'", "139 1234"):
        assert form not in everything


def test_write_reports_failing_after_the_gate_does_not_alert_twice(transform_dag):
    assert not transform_dag.get_task("write_reports").on_failure_callback
    for task_id in ("dbt_build", "quality_gate", "publish_warehouse"):
        assert _callbacks(transform_dag, task_id), task_id


def test_a_failed_load_alerts_without_the_error_text(sinks):
    from cc_warehouse.orchestration.dag_factory import build_ingest_dag

    dag = build_ingest_dag("red")
    error = duckdb.ConversionException(f"Could not convert string '{PLANTED_MOBILE}' to INT32")
    for callback in _callbacks(dag, "load_red_orders"):
        callback(_context(dag, "load_red_orders", error))

    assert len(sinks.mails) == 1 and len(sinks.posts) == 1
    assert "load FAILED: ingest_red" in sinks.mails[0]["Subject"]
    assert "ConversionException" in sinks.mails[0].get_content()
    assert PLANTED_MOBILE not in _everything(sinks)


def test_deadline_alert_runs_through_airflows_callback_trigger(sinks, transform_dag):
    """The scheduler queues the DAG's deadline callback for the triggerer; run it the way the triggerer does."""
    from airflow.triggers.callback import CallbackTrigger

    deadline = transform_dag.deadline[0] if isinstance(transform_dag.deadline, list) else transform_dag.deadline
    context = {
        "dag_run": {
            "dag_id": "transform_warehouse",
            "dag_run_id": RUN_ID,
            "state": "running",
            "queued_at": "2026-11-16T01:02:03Z",
        },
        "deadline": {"id": "x", "deadline_time": "2026-11-16T03:02:03Z"},
    }
    trigger = CallbackTrigger(deadline.callback.path, {**deadline.callback.kwargs, "context": context})

    async def run():
        return [event async for event in trigger.run()]

    events = asyncio.run(run())
    assert events[-1].payload["state"] == "success", events
    assert len(sinks.mails) == 1 and len(sinks.posts) == 1
    assert "deadline MISSED: transform_warehouse" in sinks.mails[0]["Subject"]


@pytest.mark.parametrize(
    "flavour, text_of",
    [
        ("wecom", lambda p: p["text"]["content"]),
        ("dingtalk", lambda p: p["text"]["content"]),
        ("feishu", lambda p: p["content"]["text"]),
    ],
)
def test_webhook_flavours(flavour, text_of):
    alert = deadline_alert({"dag_run": {"dag_id": "d", "dag_run_id": "r"}})
    assert text_of(webhook_payload(alert, flavour)) == alert.text


def test_no_channel_configured_is_an_error_not_silence(monkeypatch, var_dir):
    from cc_warehouse.notify.channels import deliver

    monkeypatch.delenv("AIRFLOW_CONN_CCWH_ALERT_SMTP", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_CCWH_ALERT_WEBHOOK", raising=False)
    with pytest.raises(RuntimeError, match="no alert connection configured"):
        deliver(deadline_alert({}))


def test_sinks_are_real_sockets(sinks):
    import smtplib

    with smtplib.SMTP("127.0.0.1", sinks.smtp_port, timeout=5) as smtp:
        smtp.sendmail("a@example.com", ["b@example.com"], "Subject: ping\n\nx")
    assert len(sinks.mails) == 1
