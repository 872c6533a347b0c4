"""One bench stage as its own process, through the orchestration functions the DAG tasks call.

    python -m cc_warehouse_demo.bench.stages <stage> <params.json> <out.json>

Stages: ``ingest`` (extract + land every API entity of the four families and the CRM inbox), ``load`` (load
those files into raw and audit each family), ``dbt``, ``gate``, ``publish``, ``reports``; and the baselines
``base_extract`` (parse the recorded JSON pages, tokenise the same records, write JSON lines), ``base_load``
(DuckDB ``read_json`` of the same landing files into a table) and ``base_dbt`` (the compiled SQL of the
same dbt nodes as one plain DuckDB script). Each process is its own so that the driver reads its peak RSS
and CPU from ``wait4``; what the stage learns (rows, time spent landing/treating) goes to ``out.json``.
This is not Airflow's scheduler: it is the code of the tasks, as in tests/chaos/steps.py.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("cc_warehouse_demo.bench")


class _Timer:
    """Wall and CPU seconds spent inside a wrapped function (nested calls counted once)."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0
        self.depth = 0

    def wrap(self, fn):
        def timed(*args, **kwargs):
            if self.depth:
                return fn(*args, **kwargs)
            self.depth += 1
            w, c = time.perf_counter(), time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self.wall += time.perf_counter() - w
                self.cpu += time.process_time() - c
                self.depth -= 1

        return timed


def _record_pages(pages_dir: Path, cap_bytes: int, current: dict[str, str]) -> _Timer:
    """Keep the raw bytes of every list page the client decodes (up to ``cap_bytes`` per entity) for the
    extract baseline; the time spent keeping them is measured so that the stage can leave it out."""
    from cc_warehouse.sources import http_client

    original = http_client._json_loads
    written: dict[str, int] = defaultdict(int)
    timer = _Timer()

    def keep(raw: bytes) -> Any:
        entity = current.get("entity")
        if entity and written[entity] < cap_bytes:
            started = time.perf_counter(), time.process_time()
            folder = pages_dir / entity
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{len(list(folder.iterdir())):06d}.json").write_bytes(raw)
            written[entity] += len(raw)
            timer.wall += time.perf_counter() - started[0]
            timer.cpu += time.process_time() - started[1]
        return original(raw)

    http_client._json_loads = keep
    return timer


def ingest(p: dict) -> dict:
    from cc_warehouse.orchestration import ingest as tasks
    from cc_warehouse.orchestration.families import FAMILIES
    from cc_warehouse.sources import extract as extract_mod

    start, end = datetime.fromisoformat(p["interval_start"]), datetime.fromisoformat(p["interval_end"])
    startup_cpu = time.process_time()  # interpreter and imports: not per record
    land, treat = _Timer(), _Timer()
    extract_mod.land_records = land.wrap(extract_mod.land_records)
    extract_mod.apply_treatments = treat.wrap(extract_mod.apply_treatments)
    current: dict[str, str] = {}
    recording = _record_pages(Path(p["pages_dir"]), int(p["page_cap_bytes"]), current) if p.get("pages_dir") else None
    landed: dict[str, list[dict]] = {}
    rows: dict[str, int] = {}
    for family in FAMILIES.values():
        backfill = p.get("backfill_days", 0)
        lookback = 0 if backfill else family.lookback_days
        for entity in family.api_entities:
            current["entity"] = entity
            landed[entity] = tasks.extract(
                entity, start, end, run_id=p["run_id"], backfill_days=backfill, lookback_days=lookback
            )
        current.pop("entity", None)
        for entity in family.inbox_entities:
            landed[entity] = tasks.extract_inbox(entity, run_id=p["run_id"])
    for entity, files in landed.items():
        rows[entity] = sum(int(f.get("rows", 0)) for f in files)
    out = {
        "landed": landed,
        "rows": rows,
        "land_wall": land.wall,
        "land_cpu": land.cpu,
        "treat_wall": treat.wall,
        "treat_cpu": treat.cpu,
        "recording_wall": recording.wall if recording else 0.0,
        "recording_cpu": recording.cpu if recording else 0.0,
        "startup_cpu": startup_cpu,
    }
    return out


def load(p: dict) -> dict:
    from cc_warehouse.orchestration import ingest as tasks
    from cc_warehouse.orchestration.families import FAMILIES

    start, end = datetime.fromisoformat(p["interval_start"]), datetime.fromisoformat(p["interval_end"])
    landed = p["landed"]
    loaded: dict[str, int] = {}
    for family in FAMILIES.values():
        names = [e for e in (*family.api_entities, *family.inbox_entities) if e in landed]
        loads = [tasks.load(landed[e], run_id=p["run_id"], entity=e) for e in names]
        for name, results in zip(names, loads, strict=True):
            loaded[name] = sum(int(r["loaded"]) for r in results)
        tasks.audit(
            dag_id=family.dag_id,
            run_id=p["run_id"],
            interval_start=start,
            interval_end=end,
            landed=[landed[e] for e in names],
            loads=loads,
            entities=names,
        )
    return {"rows": loaded}


def dbt(p: dict) -> dict:
    from cc_warehouse.orchestration import transform

    result = transform.dbt_build(run_id=p["run_id"])
    (Path(p["work"]) / "dbt_results.json").write_text(json.dumps(result["results"]), encoding="utf-8")
    return {"nodes": len(result["results"]), "build_db": result["build_db"]}


def gate(p: dict) -> dict:
    from cc_warehouse.config import settings
    from cc_warehouse.orchestration import transform

    verdict = transform.quality_gate(build_db=str(settings().build_db), run_id=p["run_id"])
    (Path(p["work"]) / "gate.json").write_text(json.dumps(verdict), encoding="utf-8")
    return {"success": verdict["success"], "failures": verdict["failures"]}


def publish(p: dict) -> dict:
    from cc_warehouse.config import settings
    from cc_warehouse.orchestration import transform

    published = transform.publish_warehouse(build_db=str(settings().build_db))
    (Path(p["work"]) / "published.json").write_text(json.dumps(published), encoding="utf-8")
    return {"rows": published["tables"]}


def reports(p: dict) -> dict:
    from cc_warehouse.orchestration import transform

    work = Path(p["work"])
    gate_verdict = json.loads((work / "gate.json").read_text(encoding="utf-8"))
    transform.write_reports(
        run_id=p["run_id"],
        gate_results=gate_verdict["results_path"],
        dbt_results=json.loads((work / "dbt_results.json").read_text(encoding="utf-8")),
        published=json.loads((work / "published.json").read_text(encoding="utf-8")),
        as_of=datetime.fromisoformat(p["interval_end"]),
    )
    return {}


# --- baselines -------------------------------------------------------------------------------------


def _token_paths(fields: dict) -> list[tuple[str, Any]]:
    """(name, kind) of token fields at this level, and (name, sub-plan) of nested objects/lists."""
    plan: list[tuple[str, Any]] = []
    for name, spec in fields.items():
        if spec.treatment == "token":
            plan.append((name, spec.kind))
        elif spec.fields is not None:
            plan.append((name, ("object", _token_paths(spec.fields))))
        elif spec.items is not None:
            plan.append((name, ("items", _token_paths(spec.items))))
    return plan


def _tokenise_record(record: dict, plan: list[tuple[str, Any]], key: Any, tokenise: Any) -> None:
    for name, kind in plan:
        value = record.get(name)
        if value is None:
            continue
        if isinstance(kind, tuple):
            children = [value] if kind[0] == "object" else value
            for child in children if isinstance(children, list) else ():
                if isinstance(child, dict):
                    _tokenise_record(child, kind[1], key, tokenise)
        elif isinstance(value, list):
            record[name] = [tokenise(v, kind, key) for v in value]
        else:
            record[name] = tokenise(value, kind, key)


def base_extract(p: dict) -> dict:
    """The tight loop: json.loads each recorded page, tokenise the registry's token fields of its records,
    write them as JSON lines (one file per entity, fsynced once)."""
    from cc_warehouse.privacy.tokens import load_key, tokenise
    from cc_warehouse.sources.paging import _records
    from cc_warehouse.sources.registry import load_registry

    registry, key = load_registry(), load_key()
    pages_dir, out_dir = Path(p["pages_dir"]), Path(p["out_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    per_entity: dict[str, dict[str, float]] = {}
    total = 0
    for folder in sorted(d for d in pages_dir.iterdir() if d.is_dir()):
        spec = registry.entity(folder.name)
        plan = _token_paths(spec.fields)
        wall, cpu = time.perf_counter(), time.process_time()
        count = 0
        with open(out_dir / f"{folder.name}.jsonl", "wb") as fh:
            for page in sorted(folder.iterdir()):
                body = json.loads(page.read_bytes())
                try:
                    records = _records(body, spec.api)
                except Exception:  # a decrypt/receiver response, not a list page
                    continue
                lines = []
                for record in records:
                    if isinstance(record, dict):
                        _tokenise_record(record, plan, key, tokenise)
                        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
                count += len(lines)
                if lines:
                    fh.write(("\n".join(lines) + "\n").encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        per_entity[folder.name] = {
            "rows": count,
            "wall": time.perf_counter() - wall,
            "cpu": time.process_time() - cpu,
        }
        total += count
    return {"rows": total, "entities": per_entity}


def base_load(p: dict) -> dict:
    """DuckDB read_json of the same landing files, one table per entity, in a fresh database file."""
    import duckdb

    db = Path(p["db"])
    db.unlink(missing_ok=True)
    rows = 0
    with duckdb.connect(str(db)) as con:
        for i, (entity, files) in enumerate(sorted(p["files"].items())):
            if not files:
                continue
            con.execute(
                f"create table t{i} as select * from read_json(?, format='newline_delimited', "
                "union_by_name=true, filename=true)",
                [files],
            )
            rows += con.execute(f"select count(*) from t{i}").fetchone()[0]
            log.info("read_json %s: %d files", entity, len(files))
        con.execute("checkpoint")
    return {"rows": rows}


def _topological(nodes: dict[str, dict]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(uid: str) -> None:
        if uid in seen or uid not in nodes:
            return
        seen.add(uid)
        for dep in nodes[uid].get("depends_on", {}).get("nodes", []):
            visit(dep)
        order.append(uid)

    for uid in sorted(nodes):
        visit(uid)
    return order


def plain_script(manifest: dict, *, tests: bool = True) -> tuple[list[str], list[str]]:
    """(statements, seed relations): every model's compiled SQL as ``create or replace table/view``, in
    dependency order, then every data test's compiled SQL counted. Seeds are copied by the caller."""
    nodes = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] in ("model", "seed", "test")}
    statements: list[str] = []
    seeds: list[str] = []
    schemas: set[str] = set()
    for uid in _topological(nodes):
        node = nodes[uid]
        kind = node["resource_type"]
        if kind == "seed":
            seeds.append(node["relation_name"])
            schemas.add(node["schema"])
            continue
        code = node.get("compiled_code")
        if not code:
            continue
        if kind == "model":
            materialized = node["config"].get("materialized", "view")
            if materialized == "ephemeral":
                continue
            schemas.add(node["schema"])
            what = "view" if materialized == "view" else "table"
            statements.append(f"create or replace {what} {node['relation_name']} as (\n{code}\n)")
        elif tests:
            statements.append(f"select count(*) from (\n{code}\n) as failures")
    create = [f'create schema if not exists "{s}"' for s in sorted(schemas)]
    return create + statements, seeds


def base_dbt(p: dict) -> dict:
    """The same nodes as one plain DuckDB script into a fresh file with the build file's catalog name (the
    compiled SQL names relations as build.schema.table), raw attached as dbt's profile attaches it."""
    import duckdb

    manifest = json.loads(Path(p["manifest"]).read_text(encoding="utf-8"))
    statements, seeds = plain_script(manifest, tests=p.get("tests", True))
    build = Path(p["build_db"])
    db = Path(p["dir"]) / build.name
    db.parent.mkdir(parents=True, exist_ok=True)
    db.unlink(missing_ok=True)
    with duckdb.connect(str(db)) as con:
        con.execute(f"attach '{p['raw_db']}' as raw (read_only)")
        con.execute(f"attach '{build}' as seedsrc (read_only)")
        for stmt in statements[: sum(s.startswith("create schema") for s in statements)]:
            con.execute(stmt)
        for relation in seeds:
            con.execute(f"create or replace table {relation} as select * from seedsrc.{relation.split('.', 1)[1]}")
        con.execute("detach seedsrc")
        started = time.perf_counter()
        for stmt in statements:
            if not stmt.startswith("create schema"):
                con.execute(stmt).fetchall()
        seconds = time.perf_counter() - started
        con.execute("checkpoint")
    return {"statements": len(statements), "script_wall": seconds}


STAGES = {
    "ingest": ingest,
    "load": load,
    "dbt": dbt,
    "gate": gate,
    "publish": publish,
    "reports": reports,
    "base_extract": base_extract,
    "base_load": base_load,
    "base_dbt": base_dbt,
}


def main(argv: list[str]) -> None:
    stage, params, out = argv
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    p = json.loads(Path(params).read_text(encoding="utf-8"))
    result = STAGES[stage](p)
    Path(out).write_text(json.dumps(result, default=str), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
