"""The production topology, natively: PostgreSQL metadata, Redis broker, Airflow's api-server, scheduler,
dag-processor, triggerer and a Celery worker from the project's venv, with the settings of
``deploy/airflow.env`` (the same file docker-compose.yml reads). The DAGs are unpaused and the *scheduler*
runs them: two daily intervals of each ingestion DAG (catch-up from a start date two days back),
``transform_warehouse`` started by its four raw Assets, and ``purge_retention``.

Slow (several minutes): runs only under ``make test-deploy`` (CCWH_TEST_DEPLOY=1).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from cc_warehouse.config import Settings
from cc_warehouse.orchestration.families import FAMILIES
from cc_warehouse.publish import PUBLISHED_SCHEMAS
from cc_warehouse_demo.demo import generate
from cc_warehouse_demo.localenv import StandIn, free_port

from tests.alert_sinks import start_sinks
from tests.deploy.services import PostgresServer, Processes, RedisServer, wait_for_port
from tests.old_duckdb import read_with_old_duckdb

pytestmark = [
    pytest.mark.deploy,
    pytest.mark.skipif(os.environ.get("CCWH_TEST_DEPLOY") != "1", reason="slow: run with `make test-deploy`"),
    pytest.mark.timeout(2700),  # the first test carries the deployment's start-up and the scheduled runs
]

ROOT = Path(__file__).resolve().parents[2]
SHARED_ENV = ROOT / "deploy" / "airflow.env"
TZ = ZoneInfo("Asia/Shanghai")
INGEST_DAGS = sorted(f.dag_id for f in FAMILIES.values())
ALL_DAGS = [*INGEST_DAGS, "transform_warehouse", "purge_retention"]
INTERVALS = 2
TOKEN = "deploy-token"
WORKER_NAME = "ccwh-deploy-test"
TIMEOUT_S = 20 * 60  # ~9 min alone on 2 cores; more when the machine is shared


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines as Docker Compose's env_file reads them (no quotes, no interpolation)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            out[key.strip()] = value.strip()
    return out


def _sql(pg: PostgresServer, query: str, params: tuple = ()) -> list[tuple]:
    import psycopg2

    with psycopg2.connect(pg.dsn) as con, con.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _airflow(env: dict, *args: str, timeout: float = 300) -> str:
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"airflow {' '.join(args)} failed: {proc.stderr[-3000:]}"
    return proc.stdout


def _dag_runs(pg: PostgresServer) -> list[tuple]:
    return _sql(pg, "select dag_id, run_id, run_type, state from dag_run order by dag_id, logical_date nulls last")


def _wait_until_done(pg: PostgresServer, log_dir: Path, deadline: float) -> list[tuple]:
    """Until every ingestion DAG has INTERVALS successful runs, transform has a successful run after them and
    nothing is left queued or running. Fails fast on a failed run, with the task that failed."""
    settled_since = None
    while time.monotonic() < deadline:
        runs = _dag_runs(pg)
        failed = [r for r in runs if r[3] == "failed"]
        if failed:
            tis = _sql(
                pg,
                "select dag_id, run_id, task_id, state from task_instance where state in ('failed', 'upstream_failed')",
            )
            raise AssertionError(f"failed DAG runs {failed}; task instances {tis}; logs in {log_dir}")
        ok = {d: sum(1 for r in runs if r[0] == d and r[3] == "success") for d in ALL_DAGS}
        active = [r for r in runs if r[3] in ("queued", "running")]
        if (
            all(ok[d] >= INTERVALS for d in INGEST_DAGS)
            and ok["transform_warehouse"] >= 1
            and ok["purge_retention"] >= 1
            and not active
        ):
            # the scheduler may still be turning the last Asset events into a transform run
            settled_since = settled_since or time.monotonic()
            if time.monotonic() - settled_since > 20:
                return runs
        else:
            settled_since = None
        time.sleep(5)
    raise TimeoutError(f"the scheduler did not finish in {TIMEOUT_S}s: {_dag_runs(pg)}; logs in {log_dir}")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    started = time.monotonic()
    base = tmp_path_factory.mktemp("deploy")
    cfg = Settings(root=ROOT, var=base / "var")
    cfg.ensure_dirs()
    log_dir = base / "logs"
    log_dir.mkdir()
    # The scheduled intervals are the last INTERVALS local days; if local midnight fell during the run, one more
    # interval would become due mid-test. Start after midnight instead (waits only near midnight, at most 16 min).
    now = datetime.now(TZ)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), TZ)
    if midnight - now < timedelta(minutes=15):
        time.sleep((midnight - now).total_seconds() + 60)
        now = datetime.now(TZ)
    today = now.date()
    first_day = today - timedelta(days=INTERVALS)
    # The generated window covers the scheduled days plus the first day's late-data lookback.
    generate(cfg, days=INTERVALS + 1, end_date=today - timedelta(days=1), customers=300, seed=5)

    procs = Processes(log_dir)
    pg, redis = PostgresServer(procs), RedisServer(procs)
    sinks, stop_sinks = start_sinks()
    try:
        with StandIn(cfg, token=TOKEN, now=now.isoformat(timespec="seconds")) as stand_in:
            pg.start()
            redis.start()
            api_port = free_port()
            from cryptography.fernet import Fernet

            env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CCWH_"))}
            env.update(read_env_file(SHARED_ENV))
            env.update(
                {
                    # host-specific, as docker-compose.yml sets them for its containers
                    "PROJECT_ROOT": str(ROOT),
                    "PYTHONPATH": os.pathsep.join([str(ROOT / "include"), str(ROOT)]),
                    "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
                    "AIRFLOW_HOME": str(base / "airflow"),
                    "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
                    "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
                    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": pg.sqlalchemy_url,
                    "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + pg.sqlalchemy_url,
                    "AIRFLOW__CELERY__BROKER_URL": redis.url,
                    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
                    "AIRFLOW__API__HOST": "127.0.0.1",
                    "AIRFLOW__API__PORT": str(api_port),
                    "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_SERVER_PORT": str(free_port()),
                    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                    "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
                    # the secrets compose requires from .env
                    "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
                    "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
                    "CCWH_HMAC_KEY": secrets.token_hex(32),
                    "CCWH_VAR_DIR": str(cfg.var),
                    "AIRFLOW_CONN_CCWH_PLATFORM_API": json.dumps(
                        {"conn_type": "http", "host": stand_in.base_url, "password": TOKEN}
                    ),
                    # test-only: let the scheduler catch up INTERVALS daily intervals
                    "CCWH_DAG_START_DATE": first_day.isoformat(),
                    "CCWH_DAG_CATCHUP": "true",
                    # test-only: every transform run misses a 5-second publish deadline, so the deadline alert
                    # goes scheduler → triggerer → notifier → the local SMTP sink / webhook receiver
                    "CCWH_PUBLISH_DEADLINE_SECONDS": "5",
                    **sinks.connections_env(),
                }
            )
            _airflow(env, "db", "migrate", timeout=600)
            _airflow(env, "pools", "set", "duckdb_raw", "1", "one writer per DuckDB file")
            api = procs.start("api-server", ["airflow", "api-server", "--workers", "1"], env=env)
            procs.start("scheduler", ["airflow", "scheduler"], env=env)
            procs.start("dag-processor", ["airflow", "dag-processor"], env=env)
            procs.start("triggerer", ["airflow", "triggerer"], env=env)
            procs.start(
                "celery-worker", ["airflow", "celery", "worker", "--celery-hostname", f"{WORKER_NAME}@%h"], env=env
            )
            wait_for_port(api_port, api, log_dir / "api-server.log", timeout=180)
            deadline = time.monotonic() + TIMEOUT_S - (time.monotonic() - started)
            while len(_sql(pg, "select dag_id from dag where dag_id = any(%s)", (ALL_DAGS,))) < len(ALL_DAGS):
                assert time.monotonic() < deadline, f"DAGs not parsed; see {log_dir}/dag-processor.log"
                time.sleep(3)
            _airflow(
                env,
                "dags",
                "unpause",
                "--treat-dag-id-as-regex",
                "-y",
                "^(ingest_.*|transform_warehouse|purge_retention)$",
            )
            runs = _wait_until_done(pg, log_dir, deadline)
            yield {
                "cfg": cfg,
                "pg": pg,
                "env": env,
                "runs": runs,
                "api_port": api_port,
                "log_dir": log_dir,
                "first_day": first_day,
                "elapsed": time.monotonic() - started,
                "alerts": sinks,
            }
    finally:
        procs.stop()
        stop_sinks()
        pg.cleanup()
        redis.cleanup()


def test_api_server_reports_healthy_components(deployment):
    import requests

    health = requests.get(f"http://127.0.0.1:{deployment['api_port']}/api/v2/monitor/health", timeout=30).json()
    assert health["metadatabase"]["status"] == "healthy"
    assert health["scheduler"]["status"] == "healthy"
    assert health["triggerer"]["status"] == "healthy"
    assert health["dag_processor"]["status"] == "healthy"


def test_the_scheduler_ran_every_dag(deployment):
    runs = deployment["runs"]
    for dag_id in INGEST_DAGS:
        mine = [r for r in runs if r[0] == dag_id]
        assert [r[2] for r in mine] == ["scheduled"] * INTERVALS, mine  # no manual or `dags test` runs
        assert all(r[3] == "success" for r in mine), mine
    transform = [r for r in runs if r[0] == "transform_warehouse"]
    assert transform and all(r[2] == "asset_triggered" and r[3] == "success" for r in transform), transform
    purge = [r for r in runs if r[0] == "purge_retention"]
    assert purge and all(r[2] == "scheduled" and r[3] == "success" for r in purge), purge


def test_transform_was_started_by_all_four_raw_assets(deployment):
    pg = deployment["pg"]
    consumed = _sql(
        pg,
        """
        select distinct a.name from dag_run dr
        join dagrun_asset_event dae on dae.dag_run_id = dr.id
        join asset_event ae on ae.id = dae.event_id
        join asset a on a.id = ae.asset_id
        where dr.dag_id = 'transform_warehouse'""",
    )
    from cc_warehouse.assets import RAW_ASSETS

    assert {row[0] for row in consumed} == {a.name for a in RAW_ASSETS}


def test_asset_events_carry_counts_and_name_the_files(deployment):
    cfg = deployment["cfg"]
    events = _sql(
        deployment["pg"],
        """
        select a.name, a.uri, ae.extra from asset_event ae join asset a on a.id = ae.asset_id""",
    )
    raw = [(n, u, e) for n, u, e in events if n.startswith("ccwh_raw_")]
    assert len(raw) == 4 * INTERVALS
    for name, uri, extra in raw:
        assert uri == f"{cfg.raw_db.absolute().as_uri()}?family={name.removeprefix('ccwh_raw_')}"
        assert extra["rows_received"] == extra["rows_loaded"] + extra["rows_quarantined"], extra
        assert sum(extra["rows_loaded_by_entity"].values()) == extra["rows_loaded"]
    assert sum(e["rows_loaded"] for _, _, e in raw) > 0
    published = [(u, e) for n, u, e in events if n == "ccwh_warehouse"]
    assert published and all(u == cfg.warehouse_db.absolute().as_uri() for u, _ in published)
    with duckdb.connect(str(cfg.warehouse_db), read_only=True) as con:
        tables = con.execute("select count(*) from information_schema.tables").fetchall()[0][0]
    assert published[-1][1]["tables"] == tables and published[-1][1]["rows_published"] > 0


def test_missed_publish_deadline_alerts_once_per_run(deployment):
    transform = [r for r in deployment["runs"] if r[0] == "transform_warehouse"]
    sinks = deployment["alerts"]
    deadline = time.monotonic() + 60  # the triggerer delivers asynchronously
    while len(sinks.mails) < len(transform) and time.monotonic() < deadline:
        time.sleep(2)
    subjects = sorted(" ".join(m["Subject"].split()) for m in sinks.mails)  # header folding adds spaces
    assert subjects == sorted(
        f"[cc-warehouse] deadline MISSED: transform_warehouse {r[1]} has not finished — the publish is late"
        for r in transform
    )
    assert len(sinks.posts) == len(transform)


def test_every_task_ran_on_the_celery_worker(deployment):
    pg = deployment["pg"]
    tis = _sql(pg, "select dag_id, task_id, state, external_executor_id, hostname, queue from task_instance")
    assert len(tis) >= 4 * INTERVALS * 7, tis
    assert {t[2] for t in tis} == {"success"}, [t for t in tis if t[2] != "success"]
    celery = dict(_sql(pg, "select task_id, status from celery_taskmeta"))
    for dag_id, task_id, _, celery_id, hostname, queue in tis:
        assert celery_id and celery.get(celery_id) == "SUCCESS", (dag_id, task_id, celery_id)
        assert hostname and queue == "default", (dag_id, task_id, hostname, queue)
    worker_log = (deployment["log_dir"] / "celery-worker.log").read_text(errors="replace")
    assert f"{WORKER_NAME}@" in worker_log and "execute_workload" in worker_log


def test_published_warehouse_matches_the_generated_orders(deployment):
    cfg = deployment["cfg"]
    truth = json.loads((cfg.sim_data_dir / "ground_truth.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(cfg.warehouse_db), read_only=True) as con:
        schemas = {r[0] for r in con.sql("select distinct table_schema from information_schema.tables").fetchall()}
        paid = dict(
            con.sql("select platform, count(*) from conversion.fct_orders where is_paid group by all").fetchall()
        )
        orders = con.sql("select count(*) from conversion.fct_orders").fetchall()[0][0]
    assert schemas == set(PUBLISHED_SCHEMAS)
    assert paid == {k: v for k, v in truth["paid_orders"].items() if v}
    old = read_with_old_duckdb(cfg.warehouse_db)  # and an analyst's DuckDB 1.1 client opens it
    assert len(old["tables"]["conversion.fct_orders"]) == orders


def test_audit_rows_for_every_scheduled_run(deployment):
    cfg, runs = deployment["cfg"], deployment["runs"]
    with duckdb.connect(str(cfg.raw_db), read_only=True) as con:
        audit = {
            (r[0], r[1]): r[2:]
            for r in con.execute("select dag_id, run_id, status, gate_success from run_audit").fetchall()
        }
    expected = {(dag_id, run_id) for dag_id, run_id, _, _ in runs}  # purge runs are audited too
    assert set(audit) == expected  # ingestion runs share run ids across DAGs: one row each all the same
    assert {status for status, _ in audit.values()} == {"success"}
    assert all(gate is True for (dag_id, _), (_, gate) in audit.items() if dag_id == "transform_warehouse")
    print(f"deployment test: scheduler finished in {deployment['elapsed']:.0f}s")


def test_make_docs_writes_the_static_single_file_docs(deployment):
    """`make docs` on the deployment's build: dbt's site plus static_index.html (manifest and catalog inside)."""
    cfg = deployment["cfg"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CCWH_"))}
    proc = subprocess.run(
        ["make", "-s", "--no-print-directory", "docs", f"CCWH_VAR_DIR={cfg.var}"],
        cwd=ROOT,
        env={**env, "CCWH_VAR_DIR": str(cfg.var)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    static = cfg.reports_dir / "dbt_docs" / "static_index.html"
    text = static.read_text(encoding="utf-8")
    assert "model.cc_warehouse.fct_orders" in text and "catalog" in text
