"""`make demo`: the whole path, offline, through Airflow.

generate data → start the stand-in → ingestion DAGs (one historical interval, then daily ones) →
transform DAG (dbt → GX gate → publish → reports) → print where everything is.

    python -m cc_warehouse_demo.demo [--days 30] [--end-date 2026-11-15] [--customers 2000] [--daily-runs 2]
        [--plant-corpus tests/privacy/hostile_corpus.txt]
    python -m cc_warehouse_demo.demo --days 400 --customers 300   # 13+ months: 90-day repurchase, annual limits
    python -m cc_warehouse_demo.demo ui        # Airflow standalone UI on the same home, with the stand-in
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from cc_warehouse.config import settings
from cc_warehouse.orchestration.families import FAMILIES

from cc_warehouse_demo.localenv import StandIn, airflow_bin, airflow_env, ensure_key, init_airflow

TOKEN = os.environ.get("CCWH_API_TOKEN", "demo-token")
CHAOS = "429=0.02,500=0.01"
SAMPLE_QUERY = """select platform, channel_id, count(*) as paid_orders, sum(pay_amount) as gmv_yuan
from conversion.fct_orders where is_paid group by all order by platform, gmv_yuan desc"""


class Progress:
    def __init__(self, total: int):
        self.total, self.done, self.started = total, 0, time.monotonic()

    def step(self, label: str) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.started
        print(f"[{self.done:>2}/{self.total}] {elapsed:6.0f}s  {label}", flush=True)


def run_dag(env: dict, dag_id: str, logical_date: str, log_dir: Path, conf: dict | None = None) -> float:
    """`airflow dags test` one run; raise with the log path when the run does not succeed."""
    cmd = [airflow_bin(), "dags", "test", dag_id, logical_date]
    if conf:
        cmd += ["--conf", json.dumps(conf)]
    log_path = log_dir / f"{dag_id}_{re.sub(r'[^0-9T]', '', logical_date)}.log"
    started = time.monotonic()
    with open(log_path, "wb") as log:
        code = subprocess.run(cmd, env=env, stdout=log, stderr=subprocess.STDOUT).returncode
    text = log_path.read_text(encoding="utf-8", errors="replace")
    finished = re.findall(r"DagRun Finished: .*?state=(\w+)", text)
    if code != 0 or not finished or finished[-1] != "success":
        failed = sorted(set(re.findall(r"task_id=(\w+).*?(?:new_state|state)=failed", text)))
        raise SystemExit(
            f"{dag_id} {logical_date} did not succeed (exit {code}, "
            f"state {finished[-1] if finished else 'unknown'}, failed tasks {failed}); log: {log_path}"
        )
    return time.monotonic() - started


def generate(cfg, *, days: int, end_date: date, customers: int, seed: int, plant_corpus: Path | None = None) -> None:
    cmd = [
        sys.executable,
        "-m",
        "cc_warehouse_demo.datagen",
        "--out",
        str(cfg.sim_data_dir),
        "--seed",
        str(seed),
        "--days",
        str(days),
        "--end-date",
        end_date.isoformat(),
        "--customers",
        str(customers),
    ]
    if plant_corpus is not None:
        cmd += ["--plant-corpus", str(plant_corpus)]
    subprocess.run(cmd, check=True, env={**os.environ, "PYTHONPATH": str(cfg.root / "include")})


def mart_counts(warehouse: Path) -> dict[str, int]:
    import duckdb
    from cc_warehouse.reports.warehouse import published_row_counts

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {row["table"]: row["rows"] for row in published_row_counts(con)}


HISTORY_CHUNK_DAYS = 85  # the platforms serve at most 90 days back from their `now`


def history_chunks(history_days: int, first_daily: date) -> list[tuple[int, date]]:
    """(days, interval end date) per historical ingestion run, oldest first; one run when it fits in 85 days."""
    out, end, left = [], first_daily, history_days
    while left > 0:
        size = min(left, HISTORY_CHUNK_DAYS)
        out.append((size, end))
        end, left = end - timedelta(days=size), left - size
    return out[::-1]


def demo(args: argparse.Namespace) -> None:
    cfg = settings()
    cfg.ensure_dirs()
    ensure_key(cfg)
    end = args.end_date
    first_daily = end - timedelta(days=args.daily_runs - 1)
    history_days = args.days - args.daily_runs
    sim_now = f"{(end + timedelta(days=1)).isoformat()}T00:00:00+08:00"
    dags = [f.dag_id for f in FAMILIES.values()]
    chunks = history_chunks(history_days, first_daily)
    long_history = len(chunks) > 1
    progress = Progress(
        total=3 + len(dags) * (len(chunks) + args.daily_runs) + 1 + 1 + 1 + (len(chunks) - 1) + int(long_history)
    )
    log_dir = cfg.var / "logs" / "demo"
    log_dir.mkdir(parents=True, exist_ok=True)

    generate(
        cfg, days=args.days, end_date=end, customers=args.customers, seed=args.seed, plant_corpus=args.plant_corpus
    )
    progress.step(f"generated {args.days} days × {args.customers} customers into {cfg.sim_data_dir}")
    # A history longer than the platforms' 90-day reach is extracted in chunks, the stand-in's clock at each
    # chunk's end (as if the pipeline had been running then), and built once before retention purges raw.
    for size, chunk_end in chunks[:-1]:
        chunk_now = f"{chunk_end.isoformat()}T00:00:00+08:00"
        with StandIn(cfg, token=TOKEN, now=chunk_now, chaos=CHAOS) as stand_in:
            progress.step(f"stand-in clock at {chunk_end} for {size} days of history")
            env = airflow_env(cfg, base_url=stand_in.base_url, token=TOKEN)
            init_airflow(env)
            for dag_id in dags:
                secs = run_dag(env, dag_id, chunk_now, log_dir, conf={"backfill_days": size})
                progress.step(f"{dag_id}: history {size} days up to {chunk_end} ok ({secs:.0f}s)")
    with StandIn(cfg, token=TOKEN, now=sim_now, chaos=CHAOS) as stand_in:
        progress.step(f"stand-in API listening on {stand_in.base_url} (429/5xx chaos on: {CHAOS})")
        env = airflow_env(cfg, base_url=stand_in.base_url, token=TOKEN)
        init_airflow(env)
        progress.step(f"Airflow metadata DB ready in {env['AIRFLOW_HOME']}")
        # One historical interval (ending where the daily runs start), then daily intervals.
        size, _ = chunks[-1]
        history_end = f"{first_daily.isoformat()}T00:00:00+08:00"
        for dag_id in dags:
            secs = run_dag(env, dag_id, history_end, log_dir, conf={"backfill_days": size})
            progress.step(f"{dag_id}: history {size} days up to {first_daily} ok ({secs:.0f}s)")
        if long_history:
            secs = run_dag(env, "transform_warehouse", history_end, log_dir)
            progress.step(f"transform_warehouse: history built before retention ({secs:.0f}s)")
        for offset in range(args.daily_runs):
            day = first_daily + timedelta(days=offset)
            logical = f"{(day + timedelta(days=1)).isoformat()}T00:00:00+08:00"
            for dag_id in dags:
                secs = run_dag(env, dag_id, logical, log_dir)
                progress.step(f"{dag_id}: daily interval {day} ok ({secs:.0f}s)")
        # The purge's clock is its data interval end, which for logical date D is D - 1 day; the report's clock is
        # the transform's interval end (sim_now's day). One day later, the purge runs as of the report's day: at
        # 20000 customers a landing partition one day past retention was otherwise reported overdue.
        purge_logical = f"{(end + timedelta(days=2)).isoformat()}T00:00:00+08:00"
        secs = run_dag(env, "purge_retention", purge_logical, log_dir)
        progress.step(f"purge_retention: landing, raw, build and quarantine past retention purged ({secs:.0f}s)")
        secs = run_dag(env, "transform_warehouse", sim_now, log_dir)
        progress.step(f"transform_warehouse: dbt build → gate → publish → reports ok ({secs:.0f}s)")

    counts = mart_counts(cfg.warehouse_db)
    progress.step("done")
    print(f"\nWarehouse (analysts, read-only): {cfg.warehouse_db}")
    print(
        f"Reports: {cfg.reports_dir / 'index.html'}\n         {cfg.reports_dir / 'data_docs' / 'index.html'}"
        f"\n         {cfg.reports_dir / 'privacy' / 'index.html'}"
    )
    print(f"Airflow logs: {cfg.var / 'airflow' / 'logs'}   demo logs: {log_dir}\n")
    print("Rows per published table:")
    for table, rows in counts.items():
        print(f"  {table:<48} {rows:>10,}")
    print(
        f"\nTry:\n  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{cfg.warehouse_db}', "
        f"read_only=True).sql('''{' '.join(SAMPLE_QUERY.split())}'''))\""
    )


def ui(_: argparse.Namespace) -> None:
    """Airflow standalone (UI on :8080) on the demo's home, with the stand-in running."""
    cfg = settings()
    cfg.ensure_dirs()
    with StandIn(cfg, token=TOKEN, now=os.environ.get("CCWH_SIM_NOW", "2026-11-16T00:00:00+08:00")) as stand_in:
        env = airflow_env(cfg, base_url=stand_in.base_url, token=TOKEN)
        init_airflow(env)
        print(f"stand-in on {stand_in.base_url}; starting Airflow standalone (login printed below) ...")
        subprocess.run([airflow_bin(), "standalone"], env=env)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="cc_warehouse_demo.demo", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", nargs="?", default="run", choices=["run", "ui"])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 11, 15))
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--daily-runs", type=int, default=2)
    parser.add_argument("--plant-corpus", type=Path, help="hostile corpus file planted into every free-text field")
    args = parser.parse_args(argv)
    if args.daily_runs < 1 or args.daily_runs >= args.days:
        parser.error("--daily-runs must be between 1 and days - 1")
    (ui if args.command == "ui" else demo)(args)


if __name__ == "__main__":
    main()
