"""The bench harness at a tiny scale (seconds): per-process measures, the baselines, ratios, targets, page.

The full pipeline at S/M/L is `make bench` / `make bench-l` (minutes to hours), not part of `make test`.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
from cc_warehouse.landing.files import land_records
from cc_warehouse.privacy.tokens import TokenKey, tokenise
from cc_warehouse.sources.registry import load_registry
from cc_warehouse_demo.bench import run, stages

START = datetime.fromisoformat("2026-11-15T00:00:00+08:00")


def test_run_process_reads_peak_rss_and_cpu_of_the_child(tmp_path):
    code = (
        "import time\nb = bytearray(300 * 2**20)\nfor i in range(0, len(b), 4096): b[i] = 1\n"
        "t = time.process_time()\nwhile time.process_time() - t < 0.3: pass\n"
    )
    measured = run.run_process([sys.executable, "-c", code], {}, tmp_path / "child.log")
    assert measured["exit"] == 0
    assert measured["peak_rss_mib"] >= 300
    assert measured["cpu"] >= 0.3
    assert measured["wall"] >= measured["cpu"] * 0.5


def test_targets_by_hand():
    values = {
        "dbt_vs_plain": 1.31,
        "daily_vs_full": 0.05,
        "gate_vs_dbt": 0.1,
        "load_vs_read_json": 0.49,
        "peak_rss_gib": 8.5,
    }
    m = run.check_targets("M", values)
    assert m["dbt_vs_plain"] == {"value": 1.31, "limit": "<= 1.3", "met": False, "checked": True}
    assert m["load_vs_read_json"]["met"] is False and m["load_vs_read_json"]["checked"]
    assert m["daily_vs_full"] == {"value": 0.05, "limit": "<= 0.05", "met": True, "checked": False}
    assert m["peak_rss_gib"]["met"] is False and not m["peak_rss_gib"]["checked"]
    s = run.check_targets("S", values)
    assert not any(t["checked"] for t in s.values())
    ok = run.check_targets("L", {**values, "dbt_vs_plain": 1.2, "load_vs_read_json": 0.6, "peak_rss_gib": 3})
    assert run.missed({"L": {"targets": ok}}) == []
    assert run.missed({"M": {"targets": m}, "S": {"targets": s}}) == ["M:dbt_vs_plain", "M:load_vs_read_json"]
    missing = run.check_targets("L", {})
    assert sorted(run.missed({"L": {"targets": missing}})) == sorted(f"L:{t}" for t in run.TARGETS)


def test_base_load_reads_the_landing_files_into_a_table(tmp_path):
    files = []
    for day, n in ((date(2026, 11, 14), 3), (date(2026, 11, 15), 2)):
        records = [{"id": f"{day}-{i}", "amount": i * 1.5} for i in range(n)]
        start = datetime.combine(day, datetime.min.time(), START.tzinfo)
        landed = land_records(
            tmp_path / "landing",
            "red.notes",
            records,
            interval_start=start,
            interval_end=start + timedelta(days=1),
            dt=day,
            run_id="r",
        )
        files.append(str(landed.path))
    out = stages.base_load({"files": {"red.notes": files}, "db": str(tmp_path / "rj.duckdb")})
    assert out == {"rows": 5}
    with duckdb.connect(str(tmp_path / "rj.duckdb"), read_only=True) as con:
        ids = sorted(r[0] for r in con.execute("select id from t0").fetchall())
    assert ids == ["2026-11-14-0", "2026-11-14-1", "2026-11-14-2", "2026-11-15-0", "2026-11-15-1"]


def test_base_extract_parses_pages_and_tokenises_token_fields(tmp_path, monkeypatch):
    monkeypatch.setenv("CCWH_HMAC_KEY", "ab" * 32)
    entity = "red.note_comments"
    spec = load_registry().entity(entity)
    token_field = next(name for name, f in spec.fields.items() if f.treatment == "token" and f.kind)
    kind = spec.fields[token_field].kind
    records = [{token_field: f"value-{i}", "unlisted_but_kept": i} for i in range(4)]
    body: dict = {}
    node = body
    *parents, leaf = spec.api["list"].split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = records
    pages = tmp_path / "pages" / entity
    pages.mkdir(parents=True)
    (pages / "000000.json").write_text(json.dumps(body), encoding="utf-8")
    (pages / "000001.json").write_text(json.dumps({"errcode": 0}), encoding="utf-8")  # not a list page
    out = stages.base_extract({"pages_dir": str(tmp_path / "pages"), "out_dir": str(tmp_path / "out")})
    assert out["rows"] == 4
    written = [json.loads(line) for line in (tmp_path / "out" / f"{entity}.jsonl").read_text().splitlines()]
    key = TokenKey(version=1, secret=("ab" * 32).encode("utf-8"))
    assert [r[token_field] for r in written] == [tokenise(f"value-{i}", kind, key) for i in range(4)]
    assert not any("value-" in json.dumps(r) for r in written)


def test_plain_script_runs_the_compiled_sql_in_dependency_order(tmp_path):
    build = tmp_path / "build" / "analytics_build.duckdb"
    build.parent.mkdir()
    raw = tmp_path / "raw.duckdb"
    with duckdb.connect(str(raw)) as con:
        con.execute("create table red_orders as select * from (values (1, 10.0), (2, 5.5), (3, 7.0)) t(id, amount)")
    with duckdb.connect(str(build)) as con:
        con.execute("create schema seeds")
        con.execute("create table seeds.fx as select * from (values ('CNY', 1.0)) t(ccy, rate)")
    cat = '"analytics_build"'

    def node(kind, name, schema, code=None, deps=(), materialized="table"):
        return {
            "resource_type": kind,
            "schema": schema,
            "relation_name": f'{cat}."{schema}"."{name}"',
            "compiled_code": code,
            "config": {"materialized": materialized},
            "depends_on": {"nodes": list(deps)},
        }

    manifest = {
        "nodes": {
            # listed out of order on purpose: the script must follow depends_on
            "model.p.big": node(
                "model", "big", "marts", f'select * from {cat}."staging"."stg" where amount > 6', ["model.p.stg"]
            ),
            "test.p.t": node(
                "test", "t", "tests", f'select * from {cat}."marts"."big" where id is null', ["model.p.big"]
            ),
            "model.p.stg": node(
                "model",
                "stg",
                "staging",
                f'select o.id, o.amount * f.rate as amount from raw.main.red_orders o, {cat}."seeds"."fx" f',
                ["seed.p.fx"],
                "view",
            ),
            "seed.p.fx": node("seed", "fx", "seeds"),
        }
    }
    out = stages.base_dbt(
        {
            "manifest": _write(tmp_path / "m.json", manifest),
            "build_db": str(build),
            "raw_db": str(raw),
            "dir": str(tmp_path / "plain"),
        }
    )
    assert out["statements"] == 3 + 2 + 1  # three schemas, two models, one test
    with duckdb.connect(str(tmp_path / "plain" / build.name), read_only=True) as con:
        assert sorted(con.execute("select id, amount from marts.big").fetchall()) == [(1, 10.0), (3, 7.0)]


def _write(path: Path, data: dict) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_html_has_a_chart_per_stage_across_scales(tmp_path):
    def stages_of(x):
        return {s: {"wall_s": x, "rows_per_s": 1.0, "peak_rss_mib": 10.0} for s in run.STAGES}

    results = {
        scale: {"stages": stages_of(w), "daily": stages_of(w / 10), "targets": run.check_targets(scale, {})}
        for scale, w in (("S", 2.0), ("M", 20.0))
    }
    page = tmp_path / "index.html"
    run.write_html(results, page)
    text = page.read_text(encoding="utf-8")
    assert text.count("<svg") == len(run.STAGES)
    for name in run.STAGES:
        assert f"aria-label='{name}'" in text
    assert "<script" not in text and "http" not in text  # self-contained
