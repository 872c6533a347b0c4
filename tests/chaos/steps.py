"""One pipeline stage as its own process, through the orchestration functions the DAG tasks call.

    python -m tests.chaos.steps ingest|dbt|gate|publish|purge

``ingest`` runs every ingestion task of the four DAGs in their DAG order (extract → load per entity, then
the family's audit), passing what would travel as XCom in memory; the other stages are the transform and
retention task bodies. Settings come from the environment (CCWH_VAR_DIR, CCWH_API_BASE_URL, ...), and
CCWH_FAULT_POINT arms one kill point. This is not Airflow's scheduler: it is the code of the tasks.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime

from cc_warehouse.config import settings
from cc_warehouse.orchestration import ingest, transform
from cc_warehouse.orchestration.families import FAMILIES

INTERVAL_START = datetime.fromisoformat("2026-11-15T00:00:00+08:00")
INTERVAL_END = datetime.fromisoformat("2026-11-16T00:00:00+08:00")
BACKFILL_DAYS = 4
PURGE_AS_OF = datetime.fromisoformat("2026-12-13T00:00:00+08:00")  # some landing partitions past retention


def run_ingest(run_id: str) -> None:
    for family in FAMILIES.values():
        landed, loads, names = [], [], []
        for entity in family.api_entities:
            files = ingest.extract(entity, INTERVAL_START, INTERVAL_END, run_id=run_id, backfill_days=BACKFILL_DAYS)
            landed.append(files)
            loads.append(ingest.load(files, run_id=run_id, entity=entity))
            names.append(entity)
        for entity in family.inbox_entities:
            files = ingest.extract_inbox(entity, run_id=run_id)
            landed.append(files)
            loads.append(ingest.load(files, run_id=run_id, entity=entity))
            names.append(entity)
        ingest.audit(
            dag_id=family.dag_id,
            run_id=run_id,
            interval_start=INTERVAL_START,
            interval_end=INTERVAL_END,
            landed=landed,
            loads=loads,
            entities=names,
        )


def main(stage: str, run_id: str) -> None:
    if stage == "ingest":
        run_ingest(run_id)
    elif stage == "dbt":
        transform.dbt_build(run_id=run_id)
    elif stage == "gate":  # the build file travels as XCom between the DAG's tasks; here it is the configured one
        transform.assert_gate_passed(transform.quality_gate(build_db=str(settings().build_db), run_id=run_id))
    elif stage == "publish":
        transform.publish_warehouse(build_db=str(settings().build_db))
    elif stage == "purge":
        transform.purge_expired(as_of=PURGE_AS_OF, run_id=run_id)
    else:
        raise SystemExit(f"unknown stage {stage}")


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    main(sys.argv[1], sys.argv[2])
