"""Task bodies of the transform and retention DAGs: dbt build → gate → publish → reports; purge."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cc_warehouse.config import LOCAL_TZ, settings
from cc_warehouse.faults import ENV as FAULT_ENV
from cc_warehouse.faults import fault_point

log = logging.getLogger(__name__)


class NotPublished(RuntimeError):
    """The run wrote its reports but did not pass the gate or publish."""


def safe_run_id(run_id: str) -> str:
    """Run ids carry ':' and '+'; file names get a portable form."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", run_id)


def dbt_build(*, run_id: str, select: list[str] | None = None) -> dict:
    """One `dbt build` over the whole project (models, seeds, tests) into the build file, whose path the
    result carries to the gate and the publish step (``build_db``).

    dbt runs as one child process so that its DuckDB handles are released when it ends: the gate and the
    publish step open the same files next (in `airflow dags test` every task shares one process)."""
    cfg = settings()
    cfg.ensure_dirs()
    if not cfg.raw_db.exists():
        raise FileNotFoundError(f"raw database {cfg.raw_db} does not exist yet: run the ingestion DAGs first")
    target = cfg.dbt_target_dir
    args = [
        str(Path(sys.executable).with_name("dbt")),
        "build",
        "--project-dir",
        str(cfg.dbt_project_dir),
        "--profiles-dir",
        str(cfg.dbt_project_dir),
        "--target-path",
        str(target),
        "--log-path",
        str(cfg.dbt_log_dir),
    ]
    if select:
        args += ["--select", *select]
    env = {**os.environ, "CCWH_BUILD_DB": str(cfg.build_db), "CCWH_RAW_DB": str(cfg.raw_db)}
    log.info("%s", " ".join(args[1:]))
    run_results = target / "run_results.json"
    run_results.unlink(missing_ok=True)
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in proc.stdout:  # dbt's own progress lines, into the task log
        log.info("dbt | %s", line.rstrip())
        if " OK created " in line and os.environ.get(FAULT_ENV) == "mid_dbt":
            proc.kill()  # a killed worker takes its child with it (Airflow kills the process group)
            fault_point("mid_dbt")
    code = proc.wait()
    results = []
    if run_results.exists():
        for r in json.loads(run_results.read_text(encoding="utf-8")).get("results", []):
            results.append(
                {
                    "unique_id": r["unique_id"],
                    "status": r["status"],
                    "execution_time": round(float(r.get("execution_time") or 0), 3),
                }
            )
    failed = [r["unique_id"] for r in results if r["status"] in ("error", "fail", "runtime error")]
    if code != 0:
        detail = f"{len(failed)} failing node(s): {', '.join(failed[:20])}" if failed else f"exit code {code}"
        raise RuntimeError(f"dbt build failed ({detail}); nothing will be published")
    log.info("dbt build ok: %d nodes", len(results))
    return {"build_db": str(cfg.build_db), "run_id": run_id, "results": results}


def quality_gate(*, build_db: str, run_id: str) -> dict:
    """Validate the build with Great Expectations; never raises for a failed expectation.

    Returns the verdict (``success``, ``results_path`` of the counts-only JSON, ``failures``) for the
    caller to hand on to the reports before ``assert_gate_passed`` fails the task."""
    from cc_warehouse.quality.gate import run_gate
    from cc_warehouse.quality.number_checks import Options

    cfg = settings()
    result = run_gate(
        Path(build_db),
        reports_dir=cfg.reports_dir,
        run_id=safe_run_id(run_id),
        work_dir=cfg.gx_dir,
        raw_db=cfg.raw_db,
        file_roots=gate_file_roots(),
        names_only=("inbox",),
        numbers=Options.from_settings(cfg),
    )
    fault_point("mid_gate")
    return {
        "success": result.success,
        "results_path": str(result.results_path),
        "data_docs_index": str(result.data_docs_index),
        "run_id": result.run_id,
        "failures": result.failures,
    }


def assert_gate_passed(gate: dict) -> None:
    """Raise ``GateFailed`` (names, columns and counts only) unless the verdict of ``quality_gate`` passed."""
    from cc_warehouse.quality.gate import GateFailed, describe_failure

    if not gate["success"]:
        raise GateFailed(describe_failure(gate["run_id"], gate["failures"], gate["results_path"]))


def gate_file_roots() -> dict[str, Path]:
    """Folders the gate scans for personal data besides the tables: landing files and receipts, inbox file
    names, dbt logs and target files, and the Airflow task logs (the embedded home's and the demo's)."""
    cfg = settings()
    airflow_home = Path(os.environ.get("AIRFLOW_HOME", cfg.var / "airflow"))
    return {
        "landing": cfg.landing_dir,
        "inbox": cfg.inbox_dir,
        "dbt_logs": cfg.dbt_log_dir,
        "dbt_target": cfg.dbt_target_dir,
        "airflow_logs": airflow_home / "logs",
        "run_logs": cfg.var / "logs",
    }


def publish_warehouse(*, build_db: str) -> dict:
    """Replace the analyst-facing file atomically with the validated build's marts."""
    from cc_warehouse.publish.warehouse import publish

    cfg = settings()
    result = publish(Path(build_db), cfg.warehouse_db)
    log.info("published %s (%d tables)", result.path, len(result.tables))
    return {"path": str(result.path), "tables": result.tables}


def write_reports(
    *,
    run_id: str,
    gate_results: str | None = None,
    dbt_results: list[dict] | None = None,
    published: dict | None = None,
    as_of: datetime | date | None = None,
) -> dict:
    """Run summary, privacy report and the run audit; then fail if this run's gate did not pass.

    ``gate_results`` is the path of the gate's verdict as ``quality_gate`` returned it (None when the gate
    did not run). ``as_of`` (the run's data interval end) is the clock the retention figures use: the same one
    the retention DAG purges by, so "overdue" means overdue for the pipeline, not for the wall clock."""
    from cc_warehouse.audit.log import record_run
    from cc_warehouse.reports.privacy_report import write_privacy_report
    from cc_warehouse.reports.run_summary import write_run_summary

    cfg = settings()
    cfg.ensure_dirs()
    gate_path = Path(gate_results) if gate_results else None
    gate = json.loads(gate_path.read_text(encoding="utf-8")) if gate_path and gate_path.exists() else None
    summary = write_run_summary(
        raw_db=cfg.raw_db,
        warehouse_db=cfg.warehouse_db,
        gate_json=gate_path if gate else None,
        reports_dir=cfg.reports_dir,
        run_id=run_id,
    )
    day = as_of.astimezone(ZoneInfo(LOCAL_TZ)).date() if isinstance(as_of, datetime) else as_of
    privacy = write_privacy_report(
        raw_db=cfg.raw_db,
        warehouse_db=cfg.warehouse_db,
        landing_dir=cfg.landing_dir,
        reports_dir=cfg.reports_dir,
        as_of=day,
    )
    gate_success = bool(gate and gate.get("success"))
    published_rows = (published or {}).get("tables", {})
    now = datetime.now().astimezone()
    record_run(
        cfg.raw_db,
        run_id=run_id,
        dag_id="transform_warehouse",
        interval_start=now,
        interval_end=now,
        input_files=[],
        rows={t: {"published": n} for t, n in published_rows.items()},
        gate_success=gate_success if gate else None,
        gate_result_id=gate_path.name if gate else None,
        dbt_results=dbt_results or [],
        status="success" if gate_success and published else "failed",
    )
    log.info("reports written: %s, %s", summary, privacy)
    if not gate_success or not published:
        raise NotPublished(
            "this run did not pass the gate or was not published; the published warehouse "
            f"is unchanged. Reports: {summary}"
        )
    return {"summary": str(summary), "privacy_report": str(privacy)}


def purge_expired(*, as_of: datetime | date, run_id: str | None = None) -> dict:
    """Retention: purge landing files and quarantine rows older than their registry retention.

    The run is audited (``purge_retention`` in run_audit) whether it succeeds or fails."""
    from cc_warehouse.audit.log import record_run
    from cc_warehouse.retention.purge import purge

    cfg = settings()
    day = as_of.astimezone(ZoneInfo(LOCAL_TZ)).date() if isinstance(as_of, datetime) else as_of
    run_id = run_id or f"purge__{day.isoformat()}"
    now = datetime.now().astimezone()

    def audit(status: str) -> None:
        record_run(
            cfg.raw_db,
            run_id=run_id,
            dag_id="purge_retention",
            interval_start=now,
            interval_end=now,
            input_files=[],
            rows={},
            gate_success=None,
            gate_result_id=None,
            dbt_results=[],
            status=status,
        )

    try:
        result = purge(
            cfg.landing_dir, cfg.raw_db, as_of=day, gx_dir=cfg.gx_dir, build_dir=cfg.build_dir, keep_build=cfg.build_db
        )
    except BaseException:
        audit("failed")
        raise
    audit("success")
    log.info(
        "retention purge as of %s: %d partitions, %d files, %d quarantine rows removed",
        day,
        result.partitions_removed,
        result.files_removed,
        result.quarantine_rows_removed,
    )
    return {
        "as_of": day.isoformat(),
        "partitions_removed": result.partitions_removed,
        "files_removed": result.files_removed,
        "quarantine_rows_removed": result.quarantine_rows_removed,
        "raw_rows_removed": result.raw_rows_removed,
        "build_files_removed": result.build_files_removed,
        "validation_results_removed": result.validation_results_removed,
    }


def delete_subject_request(*, token: str | None = None, member_id: str | None = None) -> dict:
    """Task body of the deletion DAG: counts only in the result, the subject named by token."""
    from cc_warehouse.privacy.deletion import delete_subject

    if bool(token) == bool(member_id):
        raise ValueError("give exactly one of token or member_id")
    if token and not re.fullmatch(r"tk[0-9]+_[0-9a-f]{32}", token):
        raise ValueError("token must look like tk<version>_<32 hex> (phones go through the CLI, never conf)")
    cfg = settings()
    result = delete_subject(
        token or member_id,
        landing_dir=cfg.landing_dir,
        raw_db=cfg.raw_db,
        build_dbs=[cfg.build_db],
        published_db=cfg.warehouse_db,
    )
    return {"subject_token": result.subject_token, "removed": dict(result.removed)}
