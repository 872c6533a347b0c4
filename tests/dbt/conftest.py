"""Shared fixtures for the dbt tests: one fixture raw DB replayed in two loads, built by dbt twice."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.dbt.raw_fixture import build_raw_fixture
from tests.generated_warehouse import GeneratedWarehouse, build

ROOT = Path(__file__).resolve().parents[2]
PROJECT_DIR = ROOT / "dbt_project"
FIRST_LOAD_UNTIL = "2026-11-02 12:00:00"


@dataclass(frozen=True)
class FixtureBuild:
    """The fixture warehouse after an early partial load and a later full load."""

    raw_db: Path
    build_db: Path
    first: subprocess.CompletedProcess
    second: subprocess.CompletedProcess


def run_dbt(args: list[str], raw_db: Path, build_db: Path, work: Path) -> subprocess.CompletedProcess:
    """Run the dbt CLI of this interpreter's environment on the project, output under `work`."""
    dbt = Path(sys.executable).with_name("dbt")
    env = {
        **os.environ,
        "CCWH_RAW_DB": str(raw_db),
        "CCWH_BUILD_DB": str(build_db),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [
        str(dbt),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(work / "target"),
        "--log-path",
        str(work / "logs"),
    ]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture(scope="session")
def fixture_build(tmp_path_factory) -> FixtureBuild:
    """`dbt run` on the records extracted by FIRST_LOAD_UNTIL, then `dbt build` on everything.

    The second run sees re-extracted versions (status change, refund completed, live GMV that was
    '数据将于第二天更新'), so incremental facts must update in place.
    """
    work = tmp_path_factory.mktemp("dbt")
    raw_db, build_db = work / "raw.duckdb", work / "build.duckdb"
    build_raw_fixture(raw_db, loaded_until=FIRST_LOAD_UNTIL)
    first = run_dbt(["run"], raw_db, build_db, work)
    raw_db.unlink()
    build_raw_fixture(raw_db)
    second = run_dbt(["build"], raw_db, build_db, work)
    return FixtureBuild(raw_db, build_db, first, second)


@pytest.fixture(scope="session")
def generated_build(tmp_path_factory) -> GeneratedWarehouse:
    """Marts built from 30 generated days × 1,000 customers through the production ingestion code (a few
    minutes; shared by the slow tests that compare marts with the generator's labels and records)."""
    return build(tmp_path_factory.mktemp("generated") / "var", days=30, customers=1000, seed=11)
