"""The validation gate: run every suite on a dbt build, write a counts-only summary and Data Docs.

Callers (the Airflow task) do ``result = run_gate(...); assert_gate(result); publish(...)`` so a failed
expectation fails the task and the build is never published.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import FileDataContext
from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

from cc_warehouse.duckdb_sql import quote_ident
from cc_warehouse.quality import file_scan, number_checks, pii_scan, suites

log = logging.getLogger(__name__)

_SYSTEM_SCHEMAS = ("information_schema", "pg_catalog")


class GateFailed(RuntimeError):
    """The build failed at least one expectation and must not be published."""


class GateSetupError(RuntimeError):
    """The gate itself is broken (an expectation raised instead of evaluating)."""


@dataclass
class GateResult:
    success: bool
    suites: list[dict[str, Any]]
    data_docs_index: Path
    results_path: Path
    run_id: str = ""
    failures: list[str] = field(default_factory=list)


def _catalog(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """``{"schema.table": [(column, data_type), ...]}`` for every table and view of the build."""
    rows = con.sql(
        "select c.table_schema, c.table_name, c.column_name, c.data_type "
        "from information_schema.columns c "
        "where c.table_catalog = current_database() "
        f"and c.table_schema not in {_SYSTEM_SCHEMAS} "
        "order by c.table_schema, c.table_name, c.ordinal_position"
    ).fetchall()
    catalog: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, data_type in rows:
        catalog.setdefault(f"{schema}.{table}", []).append((column, data_type))
    return catalog


def _key_frame(con: duckdb.DuckDBPyConnection, table: str, keys: list[str]) -> pd.DataFrame:
    schema, name = table.split(".", 1)
    columns = ", ".join(quote_ident(key) for key in keys)
    return con.sql(f"select {columns} from {quote_ident(schema)}.{quote_ident(name)}").df()


def _summarise(suite_name: str, table: str, result: Any) -> dict[str, Any]:
    """Counts and names only: never a value from the data."""
    failed = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        meta = config.meta or {}
        failed.append(
            {
                "expectation": config.type,
                "table": table,
                "column": meta.get("source_column") or config.kwargs.get("column") or config.kwargs.get("column_list"),
                "rule": meta.get("rule"),
                "unexpected_count": (item.result or {}).get("unexpected_count"),
                "observed_value": (item.result or {}).get("observed_value") if "row_count" in config.type else None,
            }
        )
    stats = result.statistics
    return {
        "suite": suite_name,
        "success": bool(result.success),
        "evaluated": stats["evaluated_expectations"],
        "failed": stats["unsuccessful_expectations"],
        "failed_expectations": failed,
    }


def _missing(suite_name: str, table: str, what: str, columns: list[str] | None = None) -> dict[str, Any]:
    return {
        "suite": suite_name,
        "success": False,
        "evaluated": 0,
        "failed": 1,
        "failed_expectations": [
            {
                "expectation": what,
                "table": table,
                "column": columns,
                "rule": None,
                "unexpected_count": None,
                "observed_value": None,
            }
        ],
    }


def _raise_on_exceptions(suite_name: str, result: Any) -> None:
    broken = [
        f"{item.expectation_config.type}({item.expectation_config.kwargs.get('column')})"
        for item in result.results
        if (item.exception_info or {}).get("raised_exception")
    ]
    if broken:
        # Exception messages can quote data: report expectation names only.
        raise GateSetupError(f"suite {suite_name}: expectations raised instead of evaluating: {', '.join(broken)}")


def _validate(context: FileDataContext, suite, frame: pd.DataFrame, run: RunIdentifier) -> Any:
    stored = suites.save_suite(context, suite)
    definition = suites.validation_definition(context, stored)
    result = definition.run(batch_parameters={"dataframe": frame}, result_format=suites.RESULT_FORMAT, run_id=run)
    _raise_on_exceptions(suite.name, result)
    return result


def _configure_data_docs(context: FileDataContext, docs_dir: Path) -> None:
    """Point Data Docs at the reports dir for this process only (the committed config has no site)."""
    context.variables.data_docs_sites = {
        "gate": {
            "class_name": "SiteBuilder",
            "show_how_to_buttons": False,
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        }
    }


def _build_data_docs(context: FileDataContext, run_id: str, suite_names: list[str]) -> None:
    """Render this run's validation pages and suites (older pages stay); the index lists every run."""
    results = [key for key in context.validation_results_store.list_keys() if key.run_id.run_name == run_id]
    suite_ids = [ExpectationSuiteIdentifier(name=name) for name in suite_names]
    context.build_data_docs(site_names=["gate"], resource_identifiers=results + suite_ids)


def _working_copy(expectations_dir: Path, work_dir: Path) -> Path:
    """GX writes suites, validation definitions and results wherever its context lives: run it in a copy
    of the committed context under var/, so the project tree stays read-only and unchanged."""
    work_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        expectations_dir / "gx", work_dir / "gx", dirs_exist_ok=True, ignore=shutil.ignore_patterns("uncommitted")
    )
    shutil.copy2(expectations_dir / "keys.yml", work_dir / "keys.yml")
    return work_dir


def run_gate(
    build_db: Path,
    *,
    reports_dir: Path,
    run_id: str,
    work_dir: Path,
    expectations_dir: Path | None = None,
    raw_db: Path | None = None,
    file_roots: dict[str, Path] | None = None,
    names_only: tuple[str, ...] = (),
    numbers: number_checks.Options | None = None,
) -> GateResult:
    """Validate ``build_db`` (opened read-only) and, when given, the PII rules on every raw table of
    ``raw_db`` (attached read-only, JSON leaves as columns); never raises for a failed expectation.

    GX runs in a copy of the committed context under ``work_dir`` (``Settings.gx_dir`` in the pipeline);
    the verdict goes to ``reports_dir/gate/<run_id>.json`` (``GateResult.results_path``). With ``numbers``
    (the pipeline passes ``number_checks.Options.from_settings()``) the number checks run too."""
    if not build_db.is_file():
        raise FileNotFoundError(f"build database not found: {build_db}")
    if expectations_dir is None:
        from cc_warehouse.config import settings

        expectations_dir = settings().expectations_dir
    keys = suites.load_keys(expectations_dir / "keys.yml")
    empty_ok = suites.load_may_be_empty(expectations_dir / "keys.yml")
    context = suites.open_context(_working_copy(expectations_dir, work_dir))
    docs_dir = (reports_dir / "data_docs").resolve()
    _configure_data_docs(context, docs_dir)
    run = RunIdentifier(run_name=run_id, run_time=dt.datetime.now(dt.UTC))

    summaries: list[dict[str, Any]] = []
    con = duckdb.connect(str(build_db), read_only=True)
    try:
        pii_scan.register_detectors(con)
        catalog = _catalog(con)
        for table, key_columns in keys.items():
            name = f"structural.{table}"
            columns = {column for column, _ in catalog.get(table, [])}
            if table not in catalog:
                summaries.append(_missing(name, table, "table_missing_from_build"))
            elif missing := [key for key in key_columns if key not in columns]:
                summaries.append(_missing(name, table, "key_columns_missing", missing))
            else:
                frame = _key_frame(con, table, key_columns)
                result = _validate(context, suites.structural_suite(table, key_columns, table in empty_ok), frame, run)
                summaries.append(_summarise(name, table, result))
        for table, columns in catalog.items():
            checks = pii_scan.flag_checks(columns)
            if not checks:
                continue
            schema, name = table.split(".", 1)
            frame = pii_scan.flag_frame(con, schema, name, checks)
            result = _validate(context, suites.pii_suite(table, checks), frame, run)
            summaries.append(_summarise(f"pii.{table}", table, result))
        if raw_db is not None and Path(raw_db).is_file():
            for table, columns in pii_scan.raw_leaf_views(con, str(raw_db)).items():
                checks = pii_scan.flag_checks(columns)
                if not checks:
                    continue
                view = "raw__" + table.split(".", 1)[1]
                frame = pii_scan.flag_frame(con, "main", view, checks, catalog="temp")
                result = _validate(context, suites.pii_suite(table, checks), frame, run)
                summaries.append(_summarise(f"pii.{table}", table, result))
    finally:
        con.close()
    if numbers is not None:
        summaries += _number_summaries(context, build_db, numbers, keys, run)
    for label, findings in file_scan.scan_roots(file_roots or {}, names_only).items():
        summaries.append(_file_summary(context, label, findings, run))

    _build_data_docs(context, run_id, [summary["suite"] for summary in summaries if summary["evaluated"]])
    success = all(summary["success"] for summary in summaries)
    failures = [_describe(failure) for summary in summaries for failure in summary["failed_expectations"]]
    results_path = reports_dir / "gate" / f"{run_id}.json"
    result = GateResult(
        success=success,
        suites=summaries,
        data_docs_index=docs_dir / "index.html",
        results_path=results_path,
        run_id=run_id,
        failures=failures,
    )
    results_path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        **asdict(result),
        "build_db": str(build_db),
        "data_docs_index": str(result.data_docs_index),
        "results_path": str(results_path),
    }
    results_path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    log.info(
        "gate %s: %s, %d suites, %d failed expectations",
        run_id,
        "passed" if success else "FAILED",
        len(summaries),
        len(failures),
    )
    return result


def _number_summaries(
    context: FileDataContext, build_db: Path, options: number_checks.Options, keys: dict, run: RunIdentifier
) -> list[dict[str, Any]]:
    """One ``numbers.<check>`` suite per number check (quality/number_checks.py)."""
    summaries = []
    for check in number_checks.run_checks(build_db, options, keys):
        if not check.items:
            summaries.append(number_checks.empty_summary(check))
            continue
        result = _validate(context, number_checks.suite(check), number_checks.frame(check), run)
        summary = number_checks.summarise(check, result)
        if not number_checks.consistent(check, summary):
            raise GateSetupError(f"suite {check.suite_name}: the GX verdict disagrees with the check's bounds")
        summaries.append(summary)
    return summaries


def _file_summary(context: FileDataContext, label: str, findings: list, run: RunIdentifier) -> dict[str, Any]:
    """One GX suite per scanned folder: a boolean per finding (a single False when the folder is clean)."""
    check = pii_scan.FlagCheck(column=label, rule="file_content" if label not in ("inbox",) else "file_name", sql="")
    frame = pd.DataFrame({check.flag: [True] * len(findings) or [False]})
    result = _validate(context, suites.pii_suite(f"files.{label}", [check]), frame, run)
    summary = _summarise(f"pii.files.{label}", f"files.{label}", result)
    where = sorted({finding.file for finding in findings})[:10]  # file names only, never a value
    for failure in summary["failed_expectations"]:
        failure["column"] = where
    return summary


def _describe(failure: dict[str, Any]) -> str:
    parts = [failure["table"], failure["expectation"]]
    if failure["column"]:
        parts.append(f"column={failure['column']}")
    if failure["rule"]:
        parts.append(f"rule={failure['rule']}")
    if failure["unexpected_count"] is not None:
        parts.append(f"unexpected_count={failure['unexpected_count']}")
    if failure["observed_value"] is not None:
        parts.append(f"observed={failure['observed_value']}")
    return " ".join(str(part) for part in parts)


def describe_failure(run_id: str, failures: list[str], results_path: Path | str) -> str:
    """The message of ``GateFailed``: the failed expectations by name, column and count only."""
    listing = "\n  ".join(failures)
    return f"gate {run_id} failed ({len(failures)} expectations); details in {results_path}:\n  {listing}"


def assert_gate(result: GateResult) -> None:
    """Raise ``GateFailed`` listing the failed expectations (names, columns and counts only)."""
    if not result.success:
        raise GateFailed(describe_failure(result.run_id, result.failures, result.results_path))
