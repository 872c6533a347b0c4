"""One real pipeline run through Airflow for the end-to-end tests (session-scoped: it costs minutes).

Generated data → stand-in API (with 429/5xx chaos) → the four ingestion DAGs via `airflow dags test`
(one historical interval covering the generated window; the rerun test adds a daily one) →
transform_warehouse (dbt → GX gate → publish → reports).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from cc_warehouse.config import Settings
from cc_warehouse.orchestration.families import FAMILIES
from cc_warehouse_demo.demo import generate, run_dag
from cc_warehouse_demo.localenv import StandIn, airflow_env, init_airflow

from tests.alert_sinks import AlertSinks, start_sinks

ROOT = Path(__file__).resolve().parents[1]
INGEST_DAGS = [f.dag_id for f in FAMILIES.values()]
DAILY_END = "2026-11-16T00:00:00+08:00"  # the daily interval 2026-11-15 (Asia/Shanghai)
HISTORY_DAYS = 4  # with it, 2026-11-12 .. 2026-11-15: the generated window
TOKEN = "e2e-token"


@dataclass
class Pipeline:
    cfg: Settings
    env: dict
    log_dir: Path
    truth: dict
    alerts: AlertSinks | None = None  # the SMTP sink and webhook receiver the DAGs' alerts go to

    def run(self, dag_id: str, logical_date: str, conf: dict | None = None) -> float:
        return run_dag(self.env, dag_id, logical_date, self.log_dir, conf=conf)


@pytest.fixture(scope="session")
def alert_sinks():
    sinks, stop = start_sinks()
    yield sinks
    stop()


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory, alert_sinks) -> Pipeline:
    var = tmp_path_factory.mktemp("e2e") / "var"
    cfg = Settings(root=ROOT, var=var)
    cfg.ensure_dirs()
    generate(cfg, days=4, end_date=date(2026, 11, 15), customers=400, seed=11)
    log_dir = var / "logs" / "e2e"
    log_dir.mkdir(parents=True)
    with StandIn(cfg, token=TOKEN, now=DAILY_END, chaos="429=0.05,500=0.03") as stand_in:
        env = {**airflow_env(cfg, base_url=stand_in.base_url, token=TOKEN), **alert_sinks.connections_env()}
        init_airflow(env)
        p = Pipeline(
            cfg, env, log_dir, json.loads((cfg.sim_data_dir / "ground_truth.json").read_text()), alerts=alert_sinks
        )
        for dag_id in INGEST_DAGS:
            p.run(dag_id, DAILY_END, conf={"backfill_days": HISTORY_DAYS})
        p.run("transform_warehouse", DAILY_END)
        yield p


@pytest.fixture(scope="session")
def published_warehouse(request) -> tuple[Path, Path]:
    """(published analytics.duckdb, ground_truth.json): `CCWH_GT_WAREHOUSE` / `CCWH_GT_TRUTH` when set
    (e.g. after `make demo`), otherwise the session's real pipeline run through Airflow."""
    warehouse, truth = os.environ.get("CCWH_GT_WAREHOUSE"), os.environ.get("CCWH_GT_TRUTH")
    if warehouse and truth:
        return Path(warehouse), Path(truth)
    p = request.getfixturevalue("pipeline")
    return p.cfg.warehouse_db, p.cfg.sim_data_dir / "ground_truth.json"
