"""Fault-injection campaign: kill -9 the pipeline at each named point, rerun, compare with a clean run.

For every point in ``cc_warehouse.faults.POINTS`` (and one run against a misbehaving stand-in):

1. a fresh ``var/`` (for transform and purge points: a copy of the clean run's state just before the
   stage under test) with the generated CRM exports in its inbox;
2. the pipeline stages (``tests.chaos.steps``, each its own process) with ``CCWH_FAULT_POINT`` armed:
   the process SIGKILLs itself at that point and the run stops there, as when a worker is lost;
3. the rerun an operator does: the killed DAG again (ingestion points: ingestion then transform and
   purge; transform points: the transform; the purge point: the purge), no fault armed;
4. the published warehouse and the raw tables compared with the clean run's, by content: every table's
   rows as text, sorted, hashed (columns named ``*loaded_at*`` left out: they are wall-clock load stamps).

The table printed per point: raw rows lost / extra, published rows lost, duplicate keys in the published
grains, published content identical. ``python -m tests.chaos.campaign`` or ``make chaos``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "chaos-token"
NOW = "2026-11-16T00:00:00+08:00"
STANDIN_FAULTS = "500=0.3,429=0.1,retry_after=nan,reset=0.05,truncate=0.05,trickle=0.02,trickle_seconds=2,drift=3"
INGEST_POINTS = (
    "mid_page",
    "after_landing_before_manifest",
    "after_receipt_before_unlink",
    "after_manifest_before_load",
    "mid_load",
    "before_commit",
)
TRANSFORM_POINTS = {
    "mid_dbt": "dbt",
    "mid_gate": "gate",
    "publish_before_rename": "publish",
    "publish_after_rename": "publish",
}
GRAINS = {  # published table → its key (from the models' docs)
    "conversion.fct_orders": ["order_id"],
    "conversion.fct_order_lines": ["order_line_id"],
    "conversion.fct_live_sessions": ["live_session_id"],
    "core.dim_content": ["content_id"],
    "core.dim_product": ["product_id"],
    "core.dim_customer": ["customer_id"],
    "core.dim_creator": ["creator_version_id"],
    "fulfilment.fct_crossborder_shipments": ["order_id"],
    "fulfilment.fct_customs_events": ["customs_event_id"],
}
RAW_SKIP = {"load_audit", "run_audit"}


@dataclass
class Outcome:
    point: str
    killed: bool
    raw_lost: int
    raw_extra: int
    published_lost: int
    duplicate_keys: int
    identical: bool
    seconds: float
    note: str = ""


def _env(var: Path, base_url: str, fault: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCWH_")}
    env.update(
        PYTHONPATH=f"{ROOT / 'include'}:{ROOT}",
        PROJECT_ROOT=str(ROOT),
        CCWH_VAR_DIR=str(var),
        CCWH_API_BASE_URL=base_url,
        CCWH_API_TOKEN=TOKEN,
        CCWH_HMAC_KEY="chaos-campaign-key-of-at-least-32-bytes",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    if fault:
        env["CCWH_FAULT_POINT"] = fault
    return env


def stage(name: str, var: Path, base_url: str, run_id: str, fault: str | None = None) -> int:
    """Run one stage; returns its exit code (-9: killed at the fault point). Output → var/logs."""
    logs = var / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / f"{run_id}-{name}.log", "ab") as out:
        return subprocess.run(
            [sys.executable, "-m", "tests.chaos.steps", name, run_id],
            cwd=ROOT,
            env=_env(var, base_url, fault),
            stdout=out,
            stderr=subprocess.STDOUT,
        ).returncode


def pipeline(
    var: Path,
    base_url: str,
    run_id: str,
    stages=("ingest", "dbt", "gate", "publish", "purge"),
    fault: str | None = None,
) -> tuple[bool, list[str]]:
    """Run ``stages`` in order, stopping at a kill or a failure; (killed?, failed stages)."""
    failed = []
    for name in stages:
        code = stage(name, var, base_url, run_id, fault)
        if code == -9:
            return True, failed
        if code != 0:
            failed.append(name)
            return False, failed
    return False, failed


def fresh_var(path: Path, sim: Path) -> Path:
    inbox = path / "inbox" / "crm"
    inbox.mkdir(parents=True)
    for export in sorted((sim / "crm_members").glob("*.csv")):
        shutil.copy2(export, inbox / export.name)
    return path


def _columns(con, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "and column_name not like '%loaded_at%' order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def table_rows(db: Path, schemas: tuple[str, ...] | None = None, raw: bool = False) -> dict[str, list[str]]:
    """Every table's rows as sorted text (raw tables: record_key and record only)."""
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            if (schemas and schema not in schemas) or (raw and table in RAW_SKIP):
                continue
            if raw and table == "quarantine":
                cols = ["source", "entity", "_line_number", "reason", "record_excerpt"]
            elif raw:
                cols = ["record_key", "record::varchar"]
            else:
                cols = [f'"{c}"' for c in _columns(con, schema, table)]
            text = ", ".join(f"coalesce(cast({c} as varchar), chr(0))" for c in cols)
            rows = con.execute(f'select concat_ws(chr(31), {text}) from "{schema}"."{table}"').fetchall()
            out[f"{schema}.{table}"] = sorted(r[0] for r in rows)
    return out


def digest(rows: dict[str, list[str]]) -> str:
    h = hashlib.sha256()
    for name in sorted(rows):
        h.update(name.encode())
        for row in rows[name]:
            h.update(row.encode() + b"\n")
    return h.hexdigest()


def _multiset_missing(expected: dict[str, list[str]], got: dict[str, list[str]]) -> int:
    from collections import Counter

    lost = 0
    for name, rows in expected.items():
        lost += sum((Counter(rows) - Counter(got.get(name, []))).values())
    return lost


def duplicate_keys(db: Path) -> int:
    dup = 0
    with duckdb.connect(str(db), read_only=True) as con:
        for table, key in GRAINS.items():
            schema, name = table.split(".")
            if not con.execute(
                "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
                [schema, name],
            ).fetchone()[0]:
                continue
            cols = ", ".join(key)
            dup += con.execute(f"select count(*) - count(distinct ({cols})) from {table}").fetchone()[0]
    return dup


def compare(point: str, var: Path, clean: dict, killed: bool, seconds: float, note: str = "") -> Outcome:
    warehouse = var / "warehouse" / "analytics.duckdb"
    published = table_rows(warehouse) if warehouse.exists() else {}
    raw = table_rows(var / "restricted" / "raw.duckdb", raw=True)
    return Outcome(
        point,
        killed,
        raw_lost=_multiset_missing(clean["raw"], raw),
        raw_extra=_multiset_missing(raw, clean["raw"]),
        published_lost=_multiset_missing(clean["published"], published),
        duplicate_keys=duplicate_keys(warehouse) if warehouse.exists() else -1,
        identical=digest(published) == clean["digest"],
        seconds=seconds,
        note=note,
    )


def render(outcomes: list[Outcome]) -> str:
    head = (
        f"{'injection point':32} {'killed':>6} {'raw lost':>8} {'raw extra':>9} {'pub lost':>8} "
        f"{'dup keys':>8} {'content':>9} {'secs':>6}"
    )
    lines = [head, "-" * len(head)]
    for o in outcomes:
        lines.append(
            f"{o.point:32} {('yes' if o.killed else 'NO'):>6} {o.raw_lost:>8} {o.raw_extra:>9} "
            f"{o.published_lost:>8} {o.duplicate_keys:>8} "
            f"{('identical' if o.identical else 'DIFFERS'):>9} {o.seconds:>6.0f}" + (f"  {o.note}" if o.note else "")
        )
    return "\n".join(lines)


def run_campaign(work: Path, points: list[str] | None = None) -> list[Outcome]:
    sys.path.insert(0, str(ROOT / "include"))
    from cc_warehouse.config import Settings
    from cc_warehouse.faults import POINTS
    from cc_warehouse_demo.demo import generate
    from cc_warehouse_demo.localenv import StandIn

    base = Settings(root=ROOT, var=work / "base")
    base.ensure_dirs()
    generate(base, days=4, end_date=date(2026, 11, 15), customers=400, seed=11)
    sim = base.sim_data_dir
    outcomes: list[Outcome] = []
    with StandIn(base, token=TOKEN, now=NOW) as calm:
        # the clean run, with snapshots before each stage for the transform and purge points
        started = time.monotonic()
        clean_var = fresh_var(work / "clean", sim)
        snapshots = {}
        for name in ("ingest", "dbt", "gate", "publish", "purge"):
            snapshots[name] = work / f"snapshot-{name}"
            shutil.copytree(clean_var, snapshots[name], symlinks=True)
            code = stage(name, clean_var, calm.base_url, "clean")
            if code != 0:
                raise RuntimeError(f"the clean run failed at {name} (exit {code}); logs in {clean_var / 'logs'}")
        published = table_rows(clean_var / "warehouse" / "analytics.duckdb")
        clean = {
            "published": published,
            "digest": digest(published),
            "raw": table_rows(clean_var / "restricted" / "raw.duckdb", raw=True),
        }
        outcomes.append(compare("(clean run)", clean_var, clean, False, time.monotonic() - started))
        print(render(outcomes), flush=True)

        for point in [p for p in POINTS if points is None or p in points]:
            started = time.monotonic()
            var = work / point
            if point in INGEST_POINTS:
                fresh_var(var, sim)
                killed, _ = pipeline(var, calm.base_url, "run1", ("ingest",), fault=point)
                _, failed = pipeline(var, calm.base_url, "rerun")
            elif point in TRANSFORM_POINTS:
                shutil.copytree(snapshots["dbt"], var, symlinks=True)
                stages = ("dbt", "gate", "publish")
                killed, _ = pipeline(var, calm.base_url, "run1", stages, fault=point)
                _, failed = pipeline(var, calm.base_url, "rerun", stages)
            else:  # mid_purge
                shutil.copytree(snapshots["purge"], var, symlinks=True)
                killed, _ = pipeline(var, calm.base_url, "run1", ("purge",), fault=point)
                _, failed = pipeline(var, calm.base_url, "rerun", ("purge",))
            note = f"rerun failed at {failed}" if failed else ""
            outcomes.append(compare(point, var, clean, killed, time.monotonic() - started, note))
            print(render(outcomes[-1:]).splitlines()[-1], flush=True)
            shutil.rmtree(var, ignore_errors=True)

    if points is None or "standin_faults" in points:
        started = time.monotonic()
        var = fresh_var(work / "standin_faults", sim)
        with StandIn(base, token=TOKEN, now=NOW, chaos=STANDIN_FAULTS) as faulty:
            _, failed = pipeline(var, faulty.base_url, "run1")
            if failed:  # what the DAG's retries do for a transient failure
                _, failed = pipeline(var, faulty.base_url, "retry")
        outcomes.append(
            compare(
                "stand-in: " + STANDIN_FAULTS.replace(",", " "),
                var,
                clean,
                True,
                time.monotonic() - started,
                f"failed at {failed}" if failed else "",
            )
        )
        print(render(outcomes[-1:]).splitlines()[-1], flush=True)
    return outcomes


def ok(outcomes: list[Outcome]) -> bool:
    return all(
        o.killed
        and o.raw_lost == 0
        and o.raw_extra == 0
        and o.published_lost == 0
        and o.duplicate_keys == 0
        and o.identical
        and not o.note
        for o in outcomes[1:]
    )


if __name__ == "__main__":
    import tempfile

    chosen = sys.argv[1:] or None
    with tempfile.TemporaryDirectory(prefix="ccwh-chaos-") as tmp:
        results = run_campaign(Path(tmp), chosen)
    print("\n" + render(results))
    sys.exit(0 if ok(results) else 1)
