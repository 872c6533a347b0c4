"""`make bench`: every pipeline stage at scales S and M (L by `make bench-l`), each against a baseline.

    python -m cc_warehouse_demo.bench [--scales S,M] [--out var/bench]

Per scale: generate → stand-in (no chaos) → a history run (all days but the last: ingest, load, dbt build,
gate, publish, reports) → baselines (extract+land vs a tight parse/tokenise/write loop over the same recorded
pages; load vs DuckDB ``read_json`` of the same landing files; dbt build vs the same compiled SQL as one
plain DuckDB script) → a daily run (the last day on top of the history, the same stages). Each stage is its
own process (``cc_warehouse_demo.bench.stages``), so wall time, CPU and peak RSS are per stage; the stand-in's
CPU is read from /proc around the ingest stage. Results merge by scale into ``<out>/results.json`` and
``<out>/index.html``; the exit status is 1 when a checked target is missed.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from cc_warehouse.config import LOCAL_TZ, Settings, settings

TOKEN = "bench-token"
END_DATE = date(2026, 11, 15)
PAGE_CAP_BYTES = 64 * 2**20  # recorded pages per entity for the extract baseline (its rate is per record)


@dataclass(frozen=True)
class Scale:
    name: str
    customers: int
    days: int
    seed: int = 7


SCALES = {
    "T": Scale("T", 60, 3),  # the harness test's size: seconds, not a measurement
    "S": Scale("S", 2_000, 30),  # the demo's size
    "M": Scale("M", 200_000, 30),  # ~1M source rows
    "L": Scale("L", 350_000, 365),  # ≥ 20M source rows, a year (by hand: make bench-l)
}

# name → (comparison, limit, scales where the bench fails when missed)
TARGETS: dict[str, tuple[str, float, tuple[str, ...]]] = {
    "dbt_vs_plain": ("<=", 1.3, ("M", "L")),
    "daily_vs_full": ("<=", 0.05, ("L",)),
    "gate_vs_dbt": ("<=", 0.25, ("L",)),
    "load_vs_read_json": (">=", 0.5, ("M", "L")),
    "peak_rss_gib": ("<=", 8.0, ("L",)),
}
STAGES = ("extract", "land", "load", "dbt", "gate", "publish", "reports")


def _proc_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proc_hwm_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_process(cmd: list[str], env: dict[str, str], log_path: Path) -> dict[str, Any]:
    """Run ``cmd`` to completion; wall, user/sys CPU and peak RSS (its own and its children's) from wait4."""
    started = time.perf_counter()
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall": time.perf_counter() - started,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_rss_mib": usage.ru_maxrss / 1024,
        "exit": proc.returncode,
    }


class Runner:
    """Runs the stages of one scale in ``<out>/<scale>/var`` with its own environment."""

    def __init__(self, out: Path, scale: Scale) -> None:
        from cc_warehouse_demo.localenv import ensure_key

        self.scale = scale
        self.dir = out / scale.name
        self.cfg = Settings(root=settings().root, var=(self.dir / "var").resolve())
        self.work = self.dir / "work"
        self.logs = self.dir / "logs"
        for folder in (self.work, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        self.cfg.ensure_dirs()
        root = self.cfg.root
        self.env = {
            **os.environ,
            "PROJECT_ROOT": str(root),
            "CCWH_VAR_DIR": str(self.cfg.var),
            "AIRFLOW_HOME": str(self.cfg.var / "airflow"),
            "PYTHONPATH": os.pathsep.join([str(root / "include"), str(root)]),
            "CCWH_HMAC_KEY": ensure_key(self.cfg),
            "CCWH_API_TOKEN": TOKEN,
            "CCWH_PUBLISH_DEADLINE_SECONDS": "0",
        }
        self.env.pop("AIRFLOW_CONN_CCWH_PLATFORM_API", None)

    def stage(self, stage: str, params: dict[str, Any], tag: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """(process measures, what the stage wrote) of one stage process; a failed stage is reported, not
        raised (the gate may fail at scale; its time still counts)."""
        pfile, ofile = self.work / f"{tag}.params.json", self.work / f"{tag}.out.json"
        pfile.write_text(json.dumps(params, default=str), encoding="utf-8")
        ofile.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "cc_warehouse_demo.bench.stages", stage, str(pfile), str(ofile)]
        measured = run_process(cmd, self.env, self.logs / f"{tag}.log")
        result = json.loads(ofile.read_text(encoding="utf-8")) if ofile.exists() else {}
        if measured["exit"] != 0:
            print(f"  {tag}: exit {measured['exit']} (see {self.logs / (tag + '.log')})", flush=True)
        return measured, result


def _local_midnight(day: date) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, datetime.min.time(), ZoneInfo(LOCAL_TZ))


def _landing_files(landed: dict[str, list[dict]]) -> dict[str, list[str]]:
    return {e: [f["path"] for f in files if "path" in f] for e, files in landed.items()}


def _entry(measured: dict[str, Any], rows: int, **extra: Any) -> dict[str, Any]:
    wall = measured["wall"]
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(measured["cpu"], 3),
        "peak_rss_mib": round(measured["peak_rss_mib"], 1),
        "rows": rows,
        "rows_per_s": round(rows / wall, 1) if wall > 0 else None,
        "ok": measured.get("exit", 0) == 0,
        **extra,
    }


def run_pipeline(r: Runner, tag: str, start: datetime, end: datetime, backfill: int, pages: Path | None, pid: int):
    """One run (ingest → load → dbt → gate → publish → reports); per-stage entries and the raw results."""
    run_id = f"bench__{tag}__{end.date().isoformat()}"
    base = {"run_id": run_id, "interval_start": start.isoformat(), "interval_end": end.isoformat(), "work": ""}
    base["work"] = str(r.work / tag)
    (r.work / tag).mkdir(parents=True, exist_ok=True)
    cpu0 = _proc_cpu(pid)
    params = {**base, "backfill_days": backfill}
    if pages is not None:
        params |= {"pages_dir": str(pages), "page_cap_bytes": PAGE_CAP_BYTES}
    m, ing = r.stage("ingest", params, f"{tag}_ingest")
    standin_cpu = _proc_cpu(pid) - cpu0
    rows = sum(ing.get("rows", {}).values())
    rec_wall, rec_cpu = ing.get("recording_wall", 0.0), ing.get("recording_cpu", 0.0)
    land_wall, land_cpu = ing.get("land_wall", 0.0), ing.get("land_cpu", 0.0)
    client_cpu = m["cpu"] - rec_cpu
    stages: dict[str, dict[str, Any]] = {
        "extract": _entry(
            {**m, "wall": m["wall"] - land_wall - rec_wall, "cpu": m["cpu"] - land_cpu - rec_cpu},
            rows,
            client_cpu_s=round(m["cpu"] - land_cpu - rec_cpu, 3),
            startup_cpu_s=round(ing.get("startup_cpu", 0.0), 3),
            treat_cpu_s=round(ing.get("treat_cpu", 0.0), 3),
            standin_cpu_s=round(standin_cpu, 3),
            client_records_per_cpu_s=round(rows / client_cpu, 1) if client_cpu > 0 else None,
            note="wall, CPU and RSS of the ingest process less landing; the stand-in's CPU apart",
        ),
        "land": _entry({**m, "wall": land_wall, "cpu": land_cpu}, rows, note="inside the ingest process"),
    }
    landed = ing.get("landed", {})
    m, ld = r.stage("load", {**base, "landed": landed}, f"{tag}_load")
    stages["load"] = _entry(m, sum(ld.get("rows", {}).values()))
    source_rows = rows
    m, res = r.stage("dbt", base, f"{tag}_dbt")
    stages["dbt"] = _entry(m, source_rows, nodes=res.get("nodes"))
    manifest = r.cfg.dbt_target_dir / "manifest.json"
    if manifest.exists():
        (r.work / tag / "manifest.json").write_bytes(manifest.read_bytes())
    m, res = r.stage("gate", base, f"{tag}_gate")
    stages["gate"] = _entry(m, source_rows, passed=res.get("success"), failures=len(res.get("failures") or []))
    m, res = r.stage("publish", base, f"{tag}_publish")
    stages["publish"] = _entry(m, sum((res.get("rows") or {}).values()))
    m, _ = r.stage("reports", base, f"{tag}_reports")
    stages["reports"] = _entry(m, source_rows)
    return stages, landed, client_cpu, rows


def run_scale(out: Path, scale: Scale, with_daily: bool = True) -> dict[str, Any]:
    from cc_warehouse_demo.localenv import StandIn

    shutil.rmtree(out / scale.name, ignore_errors=True)
    r = Runner(out, scale)
    print(f"== scale {scale.name}: {scale.customers:,} customers × {scale.days} days", flush=True)
    gen_cmd = [sys.executable, "-m", "cc_warehouse_demo.datagen", "--out", str(r.cfg.sim_data_dir)]
    gen_cmd += ["--seed", str(scale.seed), "--days", str(scale.days), "--end-date", END_DATE.isoformat()]
    gen_cmd += ["--customers", str(scale.customers)]
    gen = run_process(gen_cmd, r.env, r.logs / "generate.log")
    result: dict[str, Any] = {
        "scale": scale.name,
        "customers": scale.customers,
        "days": scale.days,
        "measured_at": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine(),
        "generate": _entry(gen, 0),
    }
    end = _local_midnight(END_DATE + timedelta(days=1))
    last_day = _local_midnight(END_DATE)
    pages = r.dir / "pages"
    with StandIn(r.cfg, token=TOKEN, now=end.isoformat()) as stand_in:
        r.env["CCWH_API_BASE_URL"] = stand_in.base_url
        pid = stand_in.proc.pid
        full, landed, _, _ = run_pipeline(r, "full", last_day - timedelta(days=1), last_day, scale.days - 1, pages, pid)
        print(f"  history run: {_fmt(full)}", flush=True)
        baselines = run_baselines(r, landed, pages)
        daily = None
        if with_daily:
            daily, _, _, _ = run_pipeline(r, "daily", last_day, end, 0, None, pid)
            print(f"  daily run:   {_fmt(daily)}", flush=True)
        standin_rss = _proc_hwm_mib(pid)
    result["source_rows"] = _source_rows(r.cfg.sim_data_dir)
    result["stages"] = full
    result["daily"] = daily
    result["baselines"] = baselines
    result["standin_peak_rss_mib"] = round(standin_rss, 1)
    return evaluate(result)


def evaluate(result: dict[str, Any]) -> dict[str, Any]:
    """(Re)compute a scale's ratios and targets from its stored measures."""
    full, daily = result["stages"], result.get("daily")
    result["ratios"] = ratios(full, daily, result["baselines"])
    runs = [*full.values(), *(daily or {}).values()]
    peak = max([s["peak_rss_mib"] for s in runs] + [result["standin_peak_rss_mib"], result["generate"]["peak_rss_mib"]])
    result["ratios"]["peak_rss_gib"] = round(peak / 1024, 3)
    result["targets"] = check_targets(result["scale"], result["ratios"])
    return result


def run_baselines(r: Runner, landed: dict[str, list[dict]], pages: Path) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if pages.exists():
        m, res = r.stage("base_extract", {"pages_dir": str(pages), "out_dir": str(r.work / "base_out")}, "base_extract")
        out["extract_land"] = _entry(m, res.get("rows", 0), entities=res.get("entities"))
    files = _landing_files(landed)
    m, res = r.stage("base_load", {"files": files, "db": str(r.work / "read_json.duckdb")}, "base_load")
    out["read_json"] = _entry(m, res.get("rows", 0))
    (r.work / "read_json.duckdb").unlink(missing_ok=True)
    manifest = r.work / "full" / "manifest.json"
    if manifest.exists():
        params = {
            "manifest": str(manifest),
            "build_db": str(r.cfg.build_db),
            "raw_db": str(r.cfg.raw_db),
            "dir": str(r.work / "plain"),
        }
        m, res = r.stage("base_dbt", params, "base_dbt")
        out["plain_sql"] = _entry(m, 0, statements=res.get("statements"), script_wall_s=res.get("script_wall"))
    return out


def _safe_ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def ratios(full: dict[str, dict], daily: dict[str, dict] | None, baselines: dict[str, dict]) -> dict[str, float | None]:
    """The bench's ratios (pipeline ÷ baseline unless named the other way)."""
    out: dict[str, float | None] = {}
    base, extract = baselines.get("extract_land"), full["extract"]
    if base and base["rows"] and extract["rows"]:
        # per record, without process start-up on either side: the loop's own CPU, the client's less imports
        loop_cpu = sum(e["cpu"] for e in (base.get("entities") or {}).values()) or base["cpu_s"]
        client = extract["client_cpu_s"] - extract.get("startup_cpu_s", 0.0) + full["land"]["cpu_s"]
        out["extract_land_vs_loop_cpu"] = _safe_ratio(client / extract["rows"], loop_cpu / base["rows"])
        out["client_records_per_cpu_s"] = round(extract["rows"] / client, 1) if client > 0 else None
    rj = baselines.get("read_json")
    if rj and rj.get("rows_per_s"):
        out["load_vs_read_json"] = _safe_ratio(full["load"]["rows_per_s"], rj["rows_per_s"])
    plain = baselines.get("plain_sql")
    if plain:
        out["dbt_vs_plain"] = _safe_ratio(full["dbt"]["wall_s"], plain["wall_s"])
    out["gate_vs_dbt"] = _safe_ratio(full["gate"]["wall_s"], full["dbt"]["wall_s"])
    if daily:
        total = sum(full[s]["wall_s"] for s in STAGES)
        out["daily_vs_full"] = _safe_ratio(sum(daily[s]["wall_s"] for s in STAGES), total)
        out["daily_gate_vs_dbt"] = _safe_ratio(daily["gate"]["wall_s"], daily["dbt"]["wall_s"])
    return out


def check_targets(scale: str, measured: dict[str, float | None]) -> dict[str, dict[str, Any]]:
    """Each target with its measured value, whether it is met, and whether this scale is checked."""
    out = {}
    for name, (op, limit, scales) in TARGETS.items():
        value = measured.get(name)
        met = None if value is None else (value <= limit if op == "<=" else value >= limit)
        out[name] = {"value": value, "limit": f"{op} {limit:g}", "met": met, "checked": scale in scales}
    return out


def missed(results: dict[str, Any]) -> list[str]:
    """``scale:target`` of every checked target that is missed (or could not be measured)."""
    return [
        f"{scale}:{name}"
        for scale, res in sorted(results.items())
        for name, t in res.get("targets", {}).items()
        if t["checked"] and t["met"] is not True
    ]


def _source_rows(sim_dir: Path) -> int:
    import pyarrow.parquet as pq

    total = sum(pq.ParquetFile(p).metadata.num_rows for p in sim_dir.glob("*.parquet") if not p.name.startswith("_"))
    for csv in (sim_dir / "crm_members").glob("*.csv"):
        total += max(0, sum(1 for _ in csv.open("rb")) - 1)
    return total


def machine() -> dict[str, Any]:
    import platform

    mem = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return {
        "cpus": os.cpu_count(),
        "mem_gib": round(mem / 2**20, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_avg_at_start": os.getloadavg(),
    }


def _fmt(stages: dict[str, dict]) -> str:
    return ", ".join(f"{s} {stages[s]['wall_s']:.1f}s" for s in STAGES if s in stages)


def print_table(results: dict[str, Any]) -> None:
    head = f"{'scale':<5} {'stage':<9} {'wall s':>8} {'rows/s':>10} {'peak RSS MiB':>12}  note"
    print(head)
    for scale, res in sorted(results.items(), key=lambda kv: "TSML".find(kv[0])):
        for run in ("stages", "daily"):
            for name in STAGES if res.get(run) else ():
                s = res[run][name]
                note = ""
                if name == "extract":
                    note = f"client {s['client_cpu_s']}s CPU, stand-in {s['standin_cpu_s']}s CPU"
                label = name if run == "stages" else f"{name}+1d"
                print(
                    f"{scale:<5} {label:<9} {s['wall_s']:>8.1f} {s['rows_per_s'] or 0:>10.0f} "
                    f"{s['peak_rss_mib']:>12.0f}  {note}"
                )
        for name, t in res["targets"].items():
            mark = "—" if t["met"] is None else ("met" if t["met"] else "MISSED")
            info = "" if t["checked"] else " (info)"
            print(f"{scale:<5} target {name:<22} {t['value']!s:>8} {t['limit']:<8} {mark}{info}")
        for name, value in res["ratios"].items():
            if name not in res["targets"]:
                print(f"{scale:<5} ratio  {name:<22} {value}")


def write_html(results: dict[str, Any], path: Path) -> None:
    """A self-contained page: one bar chart (inline SVG) per stage across scales, then the targets."""
    order = sorted(results, key=lambda s: "TSML".find(s))
    parts = [
        "<!doctype html><meta charset='utf-8'><title>cc-warehouse bench</title>",
        "<style>body{font:14px sans-serif;margin:2em}svg{background:#fafafa;margin:0 1em 1em 0}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}</style>",
        "<h1>cc-warehouse bench</h1><p>Wall seconds per stage (history run, then the one-day run) by scale.</p>",
    ]
    for name in STAGES:
        bars = []
        values = [
            (s, results[s]["stages"][name]["wall_s"], (results[s].get("daily") or {}).get(name, {}).get("wall_s", 0.0))
            for s in order
        ]
        top = max([max(v[1], v[2]) for v in values] + [1e-9])
        for i, (scale, full, daily) in enumerate(values):
            for j, (v, colour) in enumerate(((full, "#4a7ab5"), (daily, "#e39b3b"))):
                h = 120 * v / top
                x = 20 + i * 70 + j * 26
                bars.append(f"<rect x='{x}' y='{140 - h:.1f}' width='24' height='{h:.1f}' fill='{colour}'/>")
                bars.append(f"<text x='{x}' y='{136 - h:.1f}' font-size='9'>{v:.1f}</text>")
            bars.append(f"<text x='{20 + i * 70 + 18}' y='156' font-size='12'>{html.escape(scale)}</text>")
        width = 40 + 70 * len(values)
        parts.append(
            f"<svg width='{width}' height='170' role='img' aria-label='{name}'>"
            f"<text x='4' y='14' font-weight='bold'>{name} (s)</text>{''.join(bars)}</svg>"
        )
    parts.append(
        "<h2>Targets</h2><table><tr><th>scale</th><th>target</th><th>value</th><th>limit</th><th>met</th></tr>"
    )
    for scale in order:
        for name, t in results[scale]["targets"].items():
            met = "n/a" if t["met"] is None else ("yes" if t["met"] else "NO")
            parts.append(
                f"<tr><td>{scale}</td><td>{name}</td><td>{t['value']}</td><td>{html.escape(t['limit'])}</td>"
                f"<td>{met}{'' if t['checked'] else ' (info)'}</td></tr>"
            )
    parts.append("</table><h2>Raw results</h2><pre>")
    parts.append(html.escape(json.dumps(results, indent=1)))
    parts.append("</pre>")
    path.write_text("\n".join(parts), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cc_warehouse_demo.bench", description=__doc__)
    parser.add_argument("--scales", default="S,M", help="comma-separated: T (harness test), S, M, L")
    parser.add_argument("--out", type=Path, default=None, help="default <var>/bench")
    parser.add_argument("--no-daily", action="store_true", help="skip the one-day run (no daily_vs_full ratio)")
    parser.add_argument("--recompute", action="store_true", help="only recompute ratios/targets of stored results")
    args = parser.parse_args(argv)
    out = (args.out or settings().var / "bench").resolve()
    out.mkdir(parents=True, exist_ok=True)
    path = out / "results.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    for name in args.scales.split(","):
        if args.recompute:
            results[name] = evaluate(results[name])
        else:
            results[name] = run_scale(out, SCALES[name.strip()], with_daily=not args.no_daily)
        path.write_text(json.dumps(results, indent=1), encoding="utf-8")
        write_html(results, out / "index.html")
    print_table(results)
    print(f"\nresults: {path}\npage:    {out / 'index.html'}")
    failing = missed({k: v for k, v in results.items() if k in args.scales.split(",")})
    if failing:
        print("targets missed: " + ", ".join(failing))
        return 1
    return 0
