"""A dbt build on freshly generated data through the production ingestion code (no Airflow scheduler).

Generated data → stand-in API → every API entity's extract and load, the CRM inbox → `dbt build`: the
task bodies the DAGs call, in one child process per stage (Settings come from the environment). Used by
tests that compare mart columns with the generator's planted labels and event-level truth.

    python -m tests.generated_warehouse ingest DAYS LAST_DAY inbox|no-inbox
    python -m tests.generated_warehouse dbt DAYS LAST_DAY
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "generated-token"
KEY = "generated-warehouse-key-of-at-least-32-bytes"
CHUNK_DAYS = 85


@dataclass(frozen=True)
class GeneratedWarehouse:
    build_db: Path
    truth: dict
    sim_dir: Path


def _interval(end_date: date) -> tuple[datetime, datetime]:
    end = datetime.fromisoformat(f"{(end_date + timedelta(days=1)).isoformat()}T00:00:00+08:00")
    return end - timedelta(days=1), end


def _stage(name: str, args: list[str], env: dict) -> None:
    log = Path(env["CCWH_VAR_DIR"]) / "logs" / f"generated-{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        code = subprocess.run(
            [sys.executable, "-m", "tests.generated_warehouse", name, *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=3600,
            check=False,
        ).returncode
    if code != 0:
        tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
        raise RuntimeError(f"stage {name} failed (exit {code}); log {log}:\n{tail}")


def chunks(days: int, end_date: date, max_days: int = CHUNK_DAYS) -> list[tuple[int, date]]:
    """(days, last day) per extraction chunk, oldest first: the platforms serve at most 90 days back from
    their `now`, so long histories are extracted chunk by chunk with the stand-in's clock at each chunk end."""
    out, last, left = [], end_date, days
    while left > 0:
        size = min(left, max_days)
        out.append((size, last))
        last, left = last - timedelta(days=size), left - size
    return out[::-1]


def build(
    var: Path, *, days: int, customers: int, seed: int, end_date: date = date(2026, 11, 15)
) -> GeneratedWarehouse:
    """Generate `days` × `customers` into var/, ingest it through the stand-in and build the marts."""
    from cc_warehouse.config import Settings
    from cc_warehouse_demo.datagen.generate import GenConfig, generate
    from cc_warehouse_demo.localenv import StandIn

    cfg = Settings(root=ROOT, var=var)
    cfg.ensure_dirs()
    truth = generate(GenConfig(cfg.sim_data_dir, seed=seed, days=days, end_date=end_date, customers=customers))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCWH_")}
    env.update(
        PYTHONPATH=f"{ROOT / 'include'}:{ROOT}",
        PROJECT_ROOT=str(ROOT),
        CCWH_VAR_DIR=str(var),
        CCWH_API_TOKEN=TOKEN,
        CCWH_HMAC_KEY=KEY,
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    plan = chunks(days, end_date)
    for number, (size, last) in enumerate(plan, start=1):
        inbox = "inbox" if number == len(plan) else "no-inbox"
        with StandIn(cfg, token=TOKEN, now=_interval(last)[1].isoformat()) as stand_in:
            _stage("ingest", [str(size), last.isoformat(), inbox], {**env, "CCWH_API_BASE_URL": stand_in.base_url})
    _stage("dbt", [str(days), end_date.isoformat()], env)
    return GeneratedWarehouse(cfg.build_db, truth, cfg.sim_data_dir)


def _ingest(days: int, end_date: date, run_id: str, inbox: bool) -> None:
    from cc_warehouse.orchestration import ingest
    from cc_warehouse.orchestration.families import FAMILIES

    start, end = _interval(end_date)
    for family in FAMILIES.values():
        for entity in family.api_entities:
            files = ingest.extract(entity, start, end, run_id=run_id, backfill_days=days)
            ingest.load(files, run_id=run_id, entity=entity)
        for entity in family.inbox_entities if inbox else ():
            ingest.load(ingest.extract_inbox(entity, run_id=run_id), run_id=run_id, entity=entity)


def main(stage: str, days: int, end_date: date) -> None:
    from cc_warehouse.orchestration import transform

    run_id = f"generated__{end_date.isoformat()}"
    if stage == "ingest":
        _ingest(days, end_date, run_id, inbox=sys.argv[4] == "inbox")
    elif stage == "dbt":
        print(json.dumps({"nodes": len(transform.dbt_build(run_id=run_id)["results"])}))
    else:
        raise SystemExit(f"unknown stage {stage}")


if __name__ == "__main__":
    import logging

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    main(sys.argv[1], int(sys.argv[2]), date.fromisoformat(sys.argv[3]))
