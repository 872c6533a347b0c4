"""Fault-injection campaign: kill -9 the pipeline at each named point, rerun, compare with a clean run.

1. The clean run: generated data (4 days x 400 customers) served by a calm stand-in, the five stages
   (``tests.chaos.steps``, each its own process) on a fresh ``var/``, a copy of ``var/`` kept before each
   stage (the snapshots).
2. For every point in ``cc_warehouse.faults.POINTS``: a copy of the snapshot before the stage holding the
   point, the stages from there to the end with ``CCWH_FAULT_POINT`` armed (the process SIGKILLs itself
   there, as when a worker is lost; a point never reached is a failure), then the rerun an operator (or
   Airflow's task retry) does: the killed stage and everything after it, no fault armed.
3. One run of the whole pipeline against a misbehaving stand-in at rates the demo never uses
   (``STANDIN_FAULTS``: 30% 5xx, 10% 429 with Retry-After nan/3600/-10, resets and cut JSON, trickled
   bodies, drifting pages), in one go: no second attempt.
4. Each outcome compared with the clean run by content: every published table's rows as text, ordered by
   the table's key (from the dbt models' uniqueness tests) and hashed; the raw tables (``record_key`` +
   ``record``, quarantine rows) the same way; rows lost / extra counted as multisets; duplicate keys per
   published grain. Columns named ``*loaded_at*`` are left out (wall-clock load stamps), and so are the
   audit tables (they record each run, so a kill and a rerun add rows on purpose).

Points run ``CCWH_CHAOS_JOBS`` at a time (default 2), each in its own temporary ``var/``. The table is
printed as points finish and again at the end; the exit code is 1 when any row is not clean.
``make chaos`` or ``python -m tests.chaos.campaign [point ...]``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import yaml

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "chaos-token"
NOW = "2026-11-16T00:00:00+08:00"
STAGES = ("ingest", "dbt", "gate", "publish", "purge")
# point → the stage it lives in (the campaign starts from the snapshot before that stage)
STAGE_OF = {
    "mid_page": "ingest",
    "after_landing_before_manifest": "ingest",
    "after_receipt_before_unlink": "ingest",
    "after_manifest_before_load": "ingest",
    "mid_load": "ingest",
    "before_commit": "ingest",
    "mid_dbt": "dbt",
    "mid_gate": "gate",
    "publish_before_rename": "publish",
    "publish_after_rename": "publish",
    "mid_purge": "purge",
}
STANDIN = "standin_faults"
STANDIN_FAULTS = (
    "500=0.3,429=0.1,retry_after=nan|3600|-10,reset=0.05,truncate=0.05,trickle=0.05,trickle_seconds=2,drift=3,seed=7"
)
# The client policy of every stage: the product's retry count (the default), shorter waits so the fault run
# takes minutes. Retry-After 3600 must be clamped to the 1 s ceiling: a client that waited for it would hit
# the extract deadline and fail the run.
HTTP_POLICY = {
    "CCWH_HTTP_BACKOFF_BASE": "0.05",
    "CCWH_HTTP_RETRY_AFTER_CEILING": "1",
    "CCWH_HTTP_EXTRACT_DEADLINE": "300",
}
AUDIT_TABLES = {"load_audit", "run_audit", "privacy_audit"}  # history of runs: a rerun adds rows by design
QUARANTINE_COLUMNS = ["source", "entity", "_line_number", "reason", "record_excerpt"]
MARTS_DIR = ROOT / "dbt_project" / "models" / "marts"


@dataclass
class Outcome:
    point: str
    killed: bool | None  # None: no kill planned (the clean run, the stand-in fault run)
    raw_lost: int = 0
    raw_extra: int = 0
    raw_identical: bool = False
    published_lost: int = 0
    published_extra: int = 0
    duplicate_keys: int = 0
    identical: bool = False
    seconds: float = 0.0
    error: str = ""  # a stage that failed, a comparison that could not be made: the row fails
    info: str = ""

    @property
    def ok(self) -> bool:
        return (
            self.killed is not False
            and not self.error
            and self.raw_lost == self.raw_extra == self.published_lost == self.published_extra == 0
            and self.duplicate_keys == 0
            and self.raw_identical
            and self.identical
        )


def _env(var: Path, base_url: str, fault: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CCWH_", "AIRFLOW_"))}
    env.update(
        PYTHONPATH=f"{ROOT / 'include'}:{ROOT}",
        PROJECT_ROOT=str(ROOT),
        AIRFLOW_HOME=str(var / "airflow"),  # the gate scans its logs: this run's, not the checkout's
        CCWH_VAR_DIR=str(var),
        CCWH_API_BASE_URL=base_url,
        CCWH_API_TOKEN=TOKEN,
        CCWH_HMAC_KEY="chaos-campaign-key-of-at-least-32-bytes",
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        **HTTP_POLICY,
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


def pipeline(var: Path, base_url: str, run_id: str, stages=STAGES, fault: str | None = None) -> tuple[bool, str]:
    """Run ``stages`` in order, stopping at a kill or a failure; (killed?, the failed stage or "")."""
    for name in stages:
        code = stage(name, var, base_url, run_id, fault)
        if code == -9:
            return True, ""
        if code != 0:
            return False, f"{run_id} failed at {name} (exit {code}, log {run_id}-{name}.log)"
    return False, ""


def fresh_var(path: Path, sim: Path) -> Path:
    inbox = path / "inbox" / "crm"
    inbox.mkdir(parents=True)
    for export in sorted((sim / "crm_members").glob("*.csv")):
        shutil.copy2(export, inbox / export.name)
    return path


@cache
def published_grains() -> dict[str, list[str]]:
    """Published table name → its key: the column with a ``unique`` test, else the model's first
    ``unique_combination`` test, in the marts' YAML (the models' own statement of their grain)."""
    grains: dict[str, list[str]] = {}
    for path in sorted(MARTS_DIR.rglob("*.yml")):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            unique = [
                column["name"]
                for column in model.get("columns", [])
                if any(test == "unique" or (isinstance(test, dict) and "unique" in test) for test in _tests(column))
            ]
            combos = [
                test["unique_combination"]["arguments"]["combination"]
                for test in _tests(model)
                if isinstance(test, dict) and "unique_combination" in test
            ]
            if unique or combos:
                grains[model["name"]] = unique[:1] or combos[0]
    return grains


def _tests(node: dict) -> list:
    return list(node.get("data_tests") or node.get("tests") or [])


def _columns(con, schema: str, table: str) -> list[str]:
    return [
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "and column_name not like '%loaded_at%' order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def table_rows(db: Path, raw: bool = False) -> dict[str, list[str]]:
    """Every table's rows as text, ordered by the table's key then the whole row (raw tables: record_key and
    record; quarantine: where and why). Published tables without a known key are ordered by the row alone."""
    out = {}
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            if raw and table in AUDIT_TABLES:
                continue
            if raw and table == "quarantine":
                cols, key = QUARANTINE_COLUMNS, []
            elif raw:
                cols, key = ["record_key", "record::varchar"], ["record_key"]
            else:
                cols = [f'"{c}"' for c in _columns(con, schema, table)]
                key = [f'"{c}"' for c in published_grains().get(table, [])]
            text = "concat_ws(chr(31), " + ", ".join(f"coalesce(cast({c} as varchar), chr(0))" for c in cols) + ")"
            order = ", ".join([*key, text])
            rows = con.execute(f'select {text} from "{schema}"."{table}" order by {order}').fetchall()
            out[f"{schema}.{table}"] = [r[0] for r in rows]
    return out


def digest(rows: dict[str, list[str]]) -> str:
    h = hashlib.sha256()
    for name in sorted(rows):
        h.update(name.encode() + b"\n")
        for row in rows[name]:
            h.update(row.encode() + b"\n")
    return h.hexdigest()


def _multiset_missing(expected: dict[str, list[str]], got: dict[str, list[str]]) -> int:
    lost = 0
    for name, rows in expected.items():
        lost += sum((Counter(rows) - Counter(got.get(name, []))).values())
    return lost


def duplicate_keys(db: Path) -> int:
    """Rows beyond the first per key, over every published table; a table with no known key is an error."""
    dup = 0
    grains = published_grains()
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, name in tables:
            if name not in grains:
                raise LookupError(f"{schema}.{name} is published but no uniqueness test in the marts names its key")
            cols = ", ".join(f'"{c}"' for c in grains[name])
            dup += con.execute(f'select count(*) - count(distinct ({cols})) from "{schema}"."{name}"').fetchone()[0]
    return dup


def compare(outcome: Outcome, var: Path, clean: dict) -> Outcome:
    warehouse = var / "warehouse" / "analytics.duckdb"
    if not warehouse.exists():
        outcome.error = outcome.error or "nothing published"
        return outcome
    published = table_rows(warehouse)
    raw = table_rows(var / "restricted" / "raw.duckdb", raw=True)
    outcome.raw_lost = _multiset_missing(clean["raw"], raw)
    outcome.raw_extra = _multiset_missing(raw, clean["raw"])
    outcome.raw_identical = digest(raw) == clean["raw_digest"]
    outcome.published_lost = _multiset_missing(clean["published"], published)
    outcome.published_extra = _multiset_missing(published, clean["published"])
    outcome.duplicate_keys = duplicate_keys(warehouse)
    outcome.identical = digest(published) == clean["digest"]
    return outcome


HEAD = (
    f"{'injection point':30} {'killed':>6} {'raw lost':>8} {'raw extra':>9} {'raw':>9} {'pub lost':>8} "
    f"{'pub extra':>9} {'dup keys':>8} {'published':>9} {'secs':>5}  result"
)


def render_row(o: Outcome) -> str:
    killed = "-" if o.killed is None else ("yes" if o.killed else "NO")
    same = "identical" if o.identical else "DIFFERS"
    raw_same = "identical" if o.raw_identical else "DIFFERS"
    result = "ok" if o.ok else "FAIL"
    extra = "  ".join(filter(None, (o.error, o.info)))
    return (
        f"{o.point:30} {killed:>6} {o.raw_lost:>8} {o.raw_extra:>9} {raw_same:>9} {o.published_lost:>8} "
        f"{o.published_extra:>9} {o.duplicate_keys:>8} {same:>9} {o.seconds:>5.0f}  {result}"
        + (f"  {extra}" if extra else "")
    )


def render(outcomes: list[Outcome]) -> str:
    return "\n".join([HEAD, "-" * len(HEAD), *(render_row(o) for o in outcomes)])


def _stand_in_stats(base_url: str, var: Path) -> str:
    """What the stand-in served (by status) and what the client retried (by cause, from the stage logs)."""
    import re

    import requests

    stats = requests.get(f"{base_url}/_admin/stats", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
    by_status = stats.json().get("by_status", {})
    served = ", ".join(f"{status}x{count}" for status, count in sorted(by_status.items()))
    causes: Counter = Counter()
    for log in (var / "logs").glob("run1-ingest.log"):
        for match in re.finditer(r"retrying \S+ \S+ after (.+?): attempt", log.read_text(errors="replace")):
            cause = match.group(1)
            causes["cut body" if "truncated" in cause else "reset" if "mid-body" in cause else cause] += 1
    retried = ", ".join(f"{cause}x{count}" for cause, count in sorted(causes.items()))
    return f"served {served}; retried {retried}"


def run_point(point: str, work: Path, snapshots: dict[str, Path], clean: dict, base_url: str) -> Outcome:
    started = time.monotonic()
    var = work / point
    outcome = Outcome(point, killed=False)
    try:
        first = STAGE_OF[point]
        shutil.copytree(snapshots[first], var, symlinks=True)
        rest = STAGES[STAGES.index(first) :]
        outcome.killed, outcome.error = pipeline(var, base_url, "run1", rest, fault=point)
        if not outcome.error:
            _, outcome.error = pipeline(var, base_url, "rerun", rest)
        compare(outcome, var, clean)
    except Exception as exc:  # reported as a failed row, the other points still run
        outcome.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    outcome.seconds = time.monotonic() - started
    shutil.rmtree(var, ignore_errors=True)
    return outcome


def run_stand_in_faults(work: Path, base, snapshots: dict[str, Path], clean: dict) -> Outcome:
    from cc_warehouse_demo.localenv import StandIn

    started = time.monotonic()
    var = work / STANDIN
    outcome = Outcome("stand-in faults", killed=None)
    try:
        shutil.copytree(snapshots["ingest"], var, symlinks=True)
        with StandIn(base, token=TOKEN, now=NOW, chaos=STANDIN_FAULTS) as faulty:
            _, outcome.error = pipeline(var, faulty.base_url, "run1")
            outcome.info = _stand_in_stats(faulty.base_url, var)
        compare(outcome, var, clean)
    except Exception as exc:
        outcome.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    outcome.seconds = time.monotonic() - started
    shutil.rmtree(var, ignore_errors=True)
    return outcome


def run_campaign(work: Path, chosen: list[str] | None = None, jobs: int = 2) -> list[Outcome]:
    sys.path.insert(0, str(ROOT / "include"))
    from cc_warehouse.config import Settings
    from cc_warehouse.faults import POINTS
    from cc_warehouse_demo.demo import generate
    from cc_warehouse_demo.localenv import StandIn

    if set(STAGE_OF) != set(POINTS):
        raise SystemExit(f"kill points without a stage in the campaign: {sorted(set(POINTS) ^ set(STAGE_OF))}")
    unknown = set(chosen or ()) - set(POINTS) - {STANDIN}
    if unknown:
        raise SystemExit(f"unknown points {sorted(unknown)}; known: {', '.join(POINTS)}, {STANDIN}")
    points = [p for p in POINTS if chosen is None or p in chosen]
    base = Settings(root=ROOT, var=work / "base")
    base.ensure_dirs()
    generate(base, days=4, end_date=date(2026, 11, 15), customers=400, seed=11)
    print(HEAD + "\n" + "-" * len(HEAD), flush=True)
    lock = threading.Lock()

    def report(outcome: Outcome) -> Outcome:
        with lock:
            print(render_row(outcome), flush=True)
        return outcome

    with StandIn(base, token=TOKEN, now=NOW) as calm:
        started = time.monotonic()
        clean_var = fresh_var(work / "clean", base.sim_data_dir)
        snapshots = {}
        for name in STAGES:  # the clean run, keeping var/ as it was before each stage
            snapshots[name] = work / f"snapshot-{name}"
            shutil.copytree(clean_var, snapshots[name], symlinks=True)
            code = stage(name, clean_var, calm.base_url, "clean")
            if code != 0:
                log = clean_var / "logs" / f"clean-{name}.log"
                print(log.read_text(encoding="utf-8", errors="replace")[-4000:], file=sys.stderr)
                raise SystemExit(f"the clean run failed at {name} (exit {code})")
        published = table_rows(clean_var / "warehouse" / "analytics.duckdb")
        raw = table_rows(clean_var / "restricted" / "raw.duckdb", raw=True)
        clean = {"published": published, "digest": digest(published), "raw": raw, "raw_digest": digest(raw)}
        outcomes = [compare(Outcome("(clean run)", killed=None), clean_var, clean)]
        outcomes[0].seconds = time.monotonic() - started
        outcomes[0].info = f"{sum(map(len, published.values()))} published rows, {sum(map(len, raw.values()))} raw"
        report(outcomes[0])
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = []
            if chosen is None or STANDIN in chosen:  # the longest job first
                futures.append(pool.submit(lambda: report(run_stand_in_faults(work, base, snapshots, clean))))
            for point in points:
                futures.append(pool.submit(lambda p=point: report(run_point(p, work, snapshots, clean, calm.base_url))))
            outcomes += [f.result() for f in futures]
    order = {name: i for i, name in enumerate(["(clean run)", *POINTS, "stand-in faults"])}
    return sorted(outcomes, key=lambda o: order[o.point])


def main(argv: list[str]) -> int:
    import resource
    import tempfile

    jobs = int(os.environ.get("CCWH_CHAOS_JOBS", "2"))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="ccwh-chaos-") as tmp:
        outcomes = run_campaign(Path(tmp), argv or None, jobs=jobs)
    failed = [o.point for o in outcomes if not o.ok]
    print(f"\n{render(outcomes)}\n")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(
        f"{len(outcomes) - 1} scenario(s) against the clean run, {jobs} at a time, "
        f"{time.monotonic() - started:.0f} s wall, {children.ru_utime + children.ru_stime:.0f} s CPU in the stages: "
        + (f"FAILED {', '.join(failed)}" if failed else "all clean")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
