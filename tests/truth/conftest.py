"""A default-demo-sized warehouse for the truth tests, built once per session without Airflow.

The generator (`make demo` defaults: 30 days x 2000 customers, seed 7) → the stand-in API → the production
extractors (treatment, tokens, landing) → the production loader → `dbt build` → the real publish step. The
Airflow path itself is covered by tests/e2e; this is the same code minus the scheduler, so a demo-sized build
costs a couple of minutes instead of many. `CCWH_GT_WAREHOUSE` / `CCWH_GT_TRUTH` (the published file and
ground_truth.json of a `make demo` run) replace it.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cc_warehouse.config import Settings
from cc_warehouse.load.raw import load_files
from cc_warehouse.orchestration.families import FAMILIES
from cc_warehouse.privacy.tokens import TokenKey
from cc_warehouse.sources.extract import extract_crm_inbox, extract_window
from cc_warehouse.sources.http_client import PlatformClient
from cc_warehouse_demo.demo import generate
from cc_warehouse_demo.localenv import StandIn

from tests.dbt.conftest import run_dbt
from tests.dbt.published import publish_copy

ROOT = Path(__file__).resolve().parents[2]
CN = timezone(timedelta(hours=8))
# cc_warehouse_demo.demo's defaults; CCWH_TRUTH_DAYS (e.g. 75) makes 30-day windows mature (slower build)
DAYS = int(os.environ.get("CCWH_TRUTH_DAYS", "30"))
CUSTOMERS, SEED, END = 2000, 7, date(2026, 11, 15)


@dataclass(frozen=True)
class TruthBuild:
    warehouse: Path  # the published analytics file
    data_dir: Path  # the generator's records (ground_truth.json beside them)


@pytest.fixture(scope="session")
def truth_build(tmp_path_factory) -> TruthBuild:
    warehouse, truth = os.environ.get("CCWH_GT_WAREHOUSE"), os.environ.get("CCWH_GT_TRUTH")
    if warehouse and truth:
        return TruthBuild(Path(warehouse), Path(truth).parent)
    work = tmp_path_factory.mktemp("truth")
    cfg = Settings(root=ROOT, var=work / "var")
    cfg.ensure_dirs()
    generate(cfg, days=DAYS, end_date=END, customers=CUSTOMERS, seed=SEED)
    key = TokenKey(version=1, secret=secrets.token_hex(32).encode())
    end = datetime.combine(END + timedelta(days=1), datetime.min.time(), CN)
    start = end - timedelta(days=DAYS + 1)
    landed = []
    with StandIn(cfg, token="truth-token", now=end.isoformat()) as stand_in:
        client = PlatformClient(stand_in.base_url, "truth-token")
        try:
            for family in FAMILIES.values():
                for entity in family.api_entities:
                    landed += extract_window(
                        entity, start, end, client=client, key=key, run_id="truth", landing_dir=cfg.landing_dir
                    )
        finally:
            client.close()
        landed += extract_crm_inbox(cfg.inbox_dir, key=key, run_id="truth", landing_dir=cfg.landing_dir)
    load_files(landed, cfg.raw_db, "truth")
    build_db = work / "build.duckdb"
    built = run_dbt(["build"], cfg.raw_db, build_db, work)
    assert built.returncode == 0, built.stdout[-4000:]
    return TruthBuild(publish_copy(build_db, work / "analytics.duckdb"), cfg.sim_data_dir)
