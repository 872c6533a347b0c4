"""Builds the DAGs from the family table. Only Airflow and the standard library at import time:
every task body imports its heavy modules (duckdb, requests, dbt, great_expectations) when it runs."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pendulum
from airflow.sdk import (
    AsyncCallback,
    CronDataIntervalTimetable,
    DeadlineAlert,
    DeadlineReference,
    Param,
    TriggerRule,
    dag,
    task,
)

from cc_warehouse.assets import RAW_ASSETS, RAW_CRM, RAW_DOUYIN, RAW_FULFILMENT, RAW_RED, WAREHOUSE
from cc_warehouse.config import LOCAL_TZ
from cc_warehouse.notify.notifier import DeadlineNotifier, FailureNotifier
from cc_warehouse.orchestration.families import FAMILIES

# One slot: DuckDB allows one writer process per file, so tasks that write the raw file queue here.
RAW_DB_POOL = "duckdb_raw"
# A deployment may move the start and let the scheduler catch up (tests/deploy runs two scheduled days
# this way); by default the scheduler only runs the latest interval and history is a `backfill_days` run.
START_DATE = pendulum.parse(os.environ.get("CCWH_DAG_START_DATE", "2026-01-01"), tz=LOCAL_TZ)
CATCHUP = os.environ.get("CCWH_DAG_CATCHUP", "false").lower() == "true"
DEFAULT_ARGS = {
    "owner": "data-engineering",
    "retries": 2,
    "retry_delay": timedelta(minutes=2),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(hours=1),
}
GATE_XCOM = "gate"  # the gate verdict (paths and counts only), pushed before a failed gate fails its task
# Alerts: once per task that failed for good (after its retries) where a failure means nothing new is
# published — extract, load, dbt, gate, publish. Not on write_reports (it fails again after a failed gate
# on purpose) nor on the audit, so a planted gate failure produces exactly one alert.
ALERT_ON_FAILURE = [FailureNotifier()]
# A transform run (the daily publish) that has not finished this long after it was queued is late.
# 0 switches the deadline off: the local `airflow dags test` path does (Airflow 3.3.2's `dags test` fails a
# successful run of a DAG with a deadline: it looks the in-memory alerts up as if they were database ids).
PUBLISH_DEADLINE = timedelta(seconds=float(os.environ.get("CCWH_PUBLISH_DEADLINE_SECONDS", 2 * 3600)))
FAMILY_ASSETS = {"douyin": RAW_DOUYIN, "red": RAW_RED, "fulfilment": RAW_FULFILMENT, "crm": RAW_CRM}


@contextmanager
def fail_fast() -> Iterator[None]:
    """Turn errors that retrying cannot fix (``ingest.is_permanent``) into AirflowFailException (no retry)."""
    try:
        yield
    except Exception as exc:
        from airflow.sdk.exceptions import AirflowFailException

        from cc_warehouse.orchestration.ingest import is_permanent

        if is_permanent(exc):
            raise AirflowFailException(f"{type(exc).__name__}: {exc}") from exc
        raise


@task(on_failure_callback=ALERT_ON_FAILURE)
def extract_entity(entity: str, **context) -> list[dict]:
    from cc_warehouse.orchestration import ingest

    params = context["params"]
    with fail_fast():
        return ingest.extract(
            entity,
            context["data_interval_start"],
            context["data_interval_end"],
            run_id=context["run_id"],
            backfill_days=int(params["backfill_days"]),
            lookback_days=int(params["lookback_days"]),
        )


@task(on_failure_callback=ALERT_ON_FAILURE)
def extract_inbox_entity(entity: str, **context) -> list[dict]:
    from cc_warehouse.orchestration import ingest

    with fail_fast():
        return ingest.extract_inbox(entity, run_id=context["run_id"])


@task(pool=RAW_DB_POOL, on_failure_callback=ALERT_ON_FAILURE)
def load_entity(landed: list[dict], entity: str | None = None, **context) -> list[dict]:
    from cc_warehouse.orchestration import ingest

    with fail_fast():
        return ingest.load(landed, run_id=context["run_id"], entity=entity)


@task(trigger_rule=TriggerRule.ALL_DONE, pool=RAW_DB_POOL)  # audits failed runs too; writes the raw file
def audit_run(
    landed: list[list[dict] | None], loads: list[list[dict] | None], entities: list[str] | None = None, **context
) -> dict:
    from cc_warehouse.orchestration import ingest

    with fail_fast():
        rows = ingest.audit(
            dag_id=context["dag"].dag_id,
            run_id=context["run_id"],
            interval_start=context["data_interval_start"],
            interval_end=context["data_interval_end"],
            landed=landed,
            loads=loads,
            entities=entities,
        )
    for outlet in context["task"].outlets:  # counts on the Asset event, shown in the UI
        context["outlet_events"][outlet].extra.update(
            {
                **{f"rows_{k}": sum(v[k] for v in rows.values()) for k in ("received", "loaded", "quarantined")},
                "files": sum(len(group) for group in landed),
                "rows_loaded_by_entity": {entity: v["loaded"] for entity, v in sorted(rows.items())},
            }
        )
    return rows


def build_ingest_dag(family_key: str):
    """One ingestion DAG per source family: extract each entity → load it → audit and emit the raw Asset."""
    family = FAMILIES[family_key]
    asset = FAMILY_ASSETS[family_key]

    @dag(
        dag_id=family.dag_id,
        description=family.description,
        # Calendar days in Asia/Shanghai: a run extracts exactly its day; backfills replay days.
        schedule=CronDataIntervalTimetable("0 0 * * *", timezone=LOCAL_TZ),
        start_date=START_DATE,
        catchup=CATCHUP,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["ingest", family_key],
        params={
            "backfill_days": Param(
                0,
                type="integer",
                minimum=0,
                maximum=90,
                description="Extract this many days before the interval end (history load).",
            ),
            "lookback_days": Param(
                family.lookback_days,
                type="integer",
                minimum=0,
                maximum=7,
                description="Also re-extract this many days before the interval (late data).",
            ),
        },
        doc_md=f"{family.description}\n\nExtract → land (atomic, tokenised) → load raw (quarantine) → audit.",
    )
    def ingest_dag():
        landed, loads = [], []
        for entity in family.api_entities:
            name = entity.replace(".", "_")
            files = extract_entity.override(task_id=f"extract_{name}")(entity)
            landed.append(files)
            loads.append(load_entity.override(task_id=f"load_{name}")(files, entity))
        for entity in family.inbox_entities:
            name = entity.replace(".", "_")
            files = extract_inbox_entity.override(task_id=f"extract_{name}")(entity)
            landed.append(files)
            loads.append(load_entity.override(task_id=f"load_{name}")(files, entity))
        audit_run.override(outlets=[asset])(landed, loads, [*family.api_entities, *family.inbox_entities])

    return ingest_dag()


@task(pool=RAW_DB_POOL, on_failure_callback=ALERT_ON_FAILURE)
def dbt_build(**context) -> dict:
    from cc_warehouse.orchestration import transform

    return transform.dbt_build(run_id=context["run_id"])


@task(pool=RAW_DB_POOL, on_failure_callback=ALERT_ON_FAILURE)
def quality_gate(**context) -> None:
    """The verdict travels as XCom ``gate`` before a failed gate fails the task: the reports need it."""
    from airflow.sdk.exceptions import AirflowFailException

    from cc_warehouse.orchestration import transform
    from cc_warehouse.quality.gate import GateFailed

    ti = context["ti"]
    built = ti.xcom_pull(task_ids="dbt_build")
    gate = transform.quality_gate(build_db=built["build_db"], run_id=context["run_id"])
    ti.xcom_push(key=GATE_XCOM, value=gate)
    try:
        transform.assert_gate_passed(gate)
    except GateFailed as failed:  # deterministic: retrying cannot change the verdict
        raise AirflowFailException(str(failed)) from None


@task(outlets=[WAREHOUSE], on_failure_callback=ALERT_ON_FAILURE)
def publish_warehouse(**context) -> dict:
    from cc_warehouse.orchestration import transform

    built = context["ti"].xcom_pull(task_ids="dbt_build")
    published = transform.publish_warehouse(build_db=built["build_db"])
    context["outlet_events"][WAREHOUSE].extra.update(
        {
            "file": published["path"],
            "tables": len(published["tables"]),
            "rows_published": sum(published["tables"].values()),
        }
    )
    return published


@task(trigger_rule=TriggerRule.ALL_DONE, pool=RAW_DB_POOL)
def write_reports(**context) -> dict:
    from airflow.sdk.exceptions import AirflowFailException

    from cc_warehouse.orchestration import transform

    ti = context["ti"]
    built = ti.xcom_pull(task_ids="dbt_build") or {}
    gate = ti.xcom_pull(task_ids="quality_gate", key=GATE_XCOM) or {}
    published = ti.xcom_pull(task_ids="publish_warehouse")
    try:
        return transform.write_reports(
            run_id=context["run_id"],
            gate_results=gate.get("results_path"),
            dbt_results=built.get("results"),
            published=published,
            as_of=context.get("data_interval_end"),
        )
    except transform.NotPublished as not_published:  # reports are written; the run must still fail
        raise AirflowFailException(str(not_published)) from None


def build_transform_dag():
    """dbt build (one invocation) → GX gate → atomic publish → reports; scheduled on all raw Assets."""

    @dag(
        dag_id="transform_warehouse",
        description="Build staging and marts with dbt, gate with Great Expectations, publish, report.",
        schedule=RAW_ASSETS,
        start_date=START_DATE,
        catchup=CATCHUP,
        max_active_runs=1,
        default_args={**DEFAULT_ARGS, "retries": 1},
        tags=["transform", "publish"],
        doc_md="Runs when every raw family has new data. A failed gate leaves the published file untouched.",
        deadline=DeadlineAlert(
            reference=DeadlineReference.DAGRUN_QUEUED_AT,
            interval=PUBLISH_DEADLINE,
            callback=AsyncCallback(DeadlineNotifier),
        )
        if PUBLISH_DEADLINE
        else None,
    )
    def transform_dag():
        built = dbt_build()
        gated = quality_gate()
        published = publish_warehouse()
        reports = write_reports()
        built >> gated >> published >> reports

    return transform_dag()


@task
def purge_expired(**context) -> dict:
    from cc_warehouse.orchestration import transform

    return transform.purge_expired(as_of=context["data_interval_end"], run_id=context["run_id"])


def build_retention_dag():
    """Daily purge of landing files and quarantine rows past their retention period (PIPL art. 19)."""

    @dag(
        dag_id="purge_retention",
        description="Purge landing files and quarantine rows past retention.",
        schedule=CronDataIntervalTimetable("30 3 * * *", timezone=LOCAL_TZ),
        start_date=START_DATE,
        catchup=CATCHUP,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["privacy", "retention"],
    )
    def retention_dag():
        purge_expired.override(pool=RAW_DB_POOL)()

    return retention_dag()


@task
def delete_subject_task(**context) -> dict:
    from cc_warehouse.orchestration import transform

    params = context["params"]
    return transform.delete_subject_request(
        token=params.get("token") or None, member_id=params.get("member_id") or None
    )


def build_deletion_dag():
    """Deletion requests (PIPL art. 47), triggered by hand with a token or a CRM member id. A phone number
    is never put in a DAG run's conf (Airflow keeps conf in its database): turn it into a token with
    ``python -m cc_warehouse.privacy.deletion --phone …`` (which also runs the deletion itself)."""

    @dag(
        dag_id="privacy_deletion_request",
        description="Remove a data subject (token or member id) from landing, raw, build and published file.",
        schedule=None,
        start_date=START_DATE,
        catchup=False,
        max_active_runs=1,
        default_args=DEFAULT_ARGS,
        tags=["privacy"],
        params={
            "token": Param("", type="string", description="tk<v>_<32 hex> of the data subject"),
            "member_id": Param("", type="string", description="CRM member id"),
        },
    )
    def deletion_dag():
        delete_subject_task.override(pool=RAW_DB_POOL)()

    return deletion_dag()
