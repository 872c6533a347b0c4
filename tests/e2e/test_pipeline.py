"""End to end through Airflow: what a data engineer, an analyst and a compliance reviewer rely on."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from cc_warehouse.privacy.detectors import find_pii
from cc_warehouse.sources.extract import decode_csv

pytestmark = pytest.mark.slow
SUBJECT_SCHEMAS = ("core", "seeding", "conversion", "repurchase", "fulfilment")


def _tables(db: Path, schemas=None) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql("select table_schema, table_name from information_schema.tables").fetchall()
        return {
            f"{s}.{t}": con.sql(f'select count(*) from "{s}"."{t}"').fetchall()[0][0]
            for s, t in rows
            if schemas is None or s in schemas
        }
    finally:
        con.close()


def _table_digests(db: Path) -> dict[str, str]:
    """Order-independent content digest of every table, computed in DuckDB from each row's text."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        names = [
            r[0]
            for r in con.sql("select table_name from information_schema.tables where table_schema = 'main'").fetchall()
        ]
        return {
            name: con.sql(
                f"select count(*) || ':' || coalesce(md5(string_agg(cast(t as varchar), "
                f"chr(10) order by cast(t as varchar))), '') from \"{name}\" t"
            ).fetchall()[0][0]
            for name in names
        }
    finally:
        con.close()


def _content_digests(db: Path, schemas) -> dict[str, str]:
    """Per table of ``schemas``: row count and a hash of every row's text, sorted (content, not counts)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.sql("select table_schema, table_name from information_schema.tables").fetchall()
        return {
            f"{s}.{t}": con.sql(
                f"select count(*) || ':' || coalesce(md5(string_agg(cast(t as varchar), "
                f'chr(10) order by cast(t as varchar))), \'\') from "{s}"."{t}" t'
            ).fetchall()[0][0]
            for s, t in rows
            if s in schemas
        }
    finally:
        con.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_published_warehouse_has_every_subject_schema_and_nothing_else(pipeline):
    counts = _tables(pipeline.cfg.warehouse_db)
    schemas = {t.split(".")[0] for t in counts}
    assert schemas == set(SUBJECT_SCHEMAS), "analyst file must hold the marts only"
    for schema in SUBJECT_SCHEMAS:
        assert sum(n for t, n in counts.items() if t.startswith(schema + ".")) > 0, schema
    empty = [t for t, n in counts.items() if n == 0]
    assert not empty, f"empty published tables: {empty}"


def test_reports_are_written(pipeline):
    reports = pipeline.cfg.reports_dir
    assert (reports / "data_docs" / "index.html").stat().st_size > 0
    assert (reports / "privacy" / "index.html").stat().st_size > 0
    summary = json.loads((reports / "run_summary.json").read_text(encoding="utf-8"))
    assert summary, "run summary is empty"
    assert "个人信息" in (reports / "privacy" / "index.html").read_text(encoding="utf-8")


def test_every_landed_record_is_loaded_or_quarantined(pipeline):
    con = duckdb.connect(str(pipeline.cfg.raw_db), read_only=True)
    try:
        bad = con.sql("select file from load_audit where received <> loaded + quarantined").fetchall()
        totals = con.sql("select sum(received), sum(loaded), sum(quarantined) from load_audit").fetchall()[0]
        reasons = {r[0] for r in con.sql("select distinct split_part(reason, ':', 1) from quarantine").fetchall()}
    finally:
        con.close()
    assert bad == []
    assert totals[0] > 0 and totals[0] == totals[1] + totals[2]
    assert reasons <= {"invalid_json", "missing_key", "malformed_key"}


def test_orders_reach_the_marts_exactly_once(pipeline):
    """Every paid order the generator planted is in conversion.fct_orders once (no loss, no duplicates)."""
    con = duckdb.connect(str(pipeline.cfg.warehouse_db), read_only=True)
    try:
        dup = con.sql("select count(*) - count(distinct order_id) from conversion.fct_orders").fetchall()[0][0]
    finally:
        con.close()
    assert dup == 0


def test_every_planted_disguised_value_is_redacted(pipeline):
    """The generator plants phones, ID numbers, emails and cards in disguise in free text of every source;
    the landing manifests must count exactly as many redactions per field."""
    redacted: dict[tuple[str, str], int] = {}
    for manifest in pipeline.cfg.landing_dir.glob("*/*/dt=*/_manifest.json"):
        for entry in json.loads(manifest.read_text(encoding="utf-8"))["partitions"].values():
            for key, count in (entry.get("redactions") or {}).items():
                if ":" in key:
                    field = key.rsplit(":", 1)[0]
                    entity = f"{entry['source']}.{entry['entity']}"
                    redacted[(entity, field)] = redacted.get((entity, field), 0) + count
    planted = {(e, f): n for e, fields in pipeline.truth["planted_pii"].items() for f, n in fields.items()}
    assert planted, "the generator planted nothing: the check would be vacuous"
    for key, count in planted.items():
        assert redacted.get(key, 0) >= count, f"{key}: planted {count}, redacted {redacted.get(key, 0)}"


def _canonical(kind: str, text: str) -> str:
    """Comparable form of a finding: the 11 mobile digits, or the 18-character ID number."""
    text = unicodedata.normalize("NFKC", text)
    if kind == "mobile":
        return re.sub(r"\D", "", text)[-11:]
    return re.sub(r"[^0-9Xx]", "", text).upper()


def _identities_in(text: str) -> set[str]:
    return {_canonical(f.kind, text[f.start : f.end]) for f in find_pii(text) if f.kind in ("mobile", "id_number")}


def _generated_identities(cfg) -> set[str]:
    """Every phone and ID number the generator gave a customer (the values that must never leak)."""
    values: set[str] = set()
    for name in ("_douyin_cipher.parquet", "_red_receivers.parquet"):
        frame = pd.read_parquet(cfg.sim_data_dir / name)
        for cell in frame.to_numpy().ravel():
            values |= _identities_in(str(cell))
    for export in (cfg.sim_data_dir / "crm_members").glob("*.csv"):
        values |= _identities_in(decode_csv(export.read_bytes()))
    return values


def _leaks_in_text_files(root: Path, identities: set[str]) -> list[str]:
    leaks = []
    for path in root.rglob("*"):
        if path.is_file() and path.suffix not in (".duckdb", ".wal", ".parquet", ".png", ".key"):
            text = unicodedata.normalize("NFKC", path.read_bytes().decode("utf-8", errors="ignore"))
            if _identities_in(text) & identities:
                leaks.append(str(path.relative_to(root)))
    return leaks


def test_no_personal_data_in_warehouse_reports_or_airflow_logs(pipeline):
    cfg = pipeline.cfg
    identities = _generated_identities(cfg)
    assert len(identities) > 100, "the generator's identities were not found: the check would be vacuous"
    leaks = []
    for folder in (cfg.reports_dir, cfg.var / "airflow" / "logs", cfg.landing_dir, pipeline.log_dir):
        leaks += _leaks_in_text_files(folder, identities)
    assert leaks == [], f"personal data found in {leaks[:10]}"
    for db in (cfg.warehouse_db, cfg.raw_db, cfg.build_db):
        con = duckdb.connect(str(db), read_only=True)
        try:
            cols = con.sql(
                "select table_catalog, table_schema, table_name, column_name "
                "from information_schema.columns where data_type in ('VARCHAR', 'JSON') "
                "and table_catalog = current_database()"
            ).fetchall()
            for _, s, t, c in cols:
                found: set[str] = set()
                for (value,) in con.sql(
                    f'select distinct "{c}"::varchar from "{s}"."{t}" where "{c}" is not null'
                ).fetchall():
                    found |= _identities_in(value)
                assert not (found & identities), f"clear personal data in {db.name}:{s}.{t}.{c}"
        finally:
            con.close()


def test_rerunning_an_interval_changes_nothing(pipeline):
    cfg = pipeline.cfg
    raw_before = _table_digests(cfg.raw_db)
    marts_before = _content_digests(cfg.warehouse_db, SUBJECT_SCHEMAS)
    pipeline.run("ingest_douyin", "2026-11-16T00:00:00+08:00")
    pipeline.run("ingest_crm", "2026-11-16T00:00:00+08:00")
    raw_after = _table_digests(cfg.raw_db)
    changed = {t for t in raw_before if t != "run_audit" and raw_before[t] != raw_after.get(t)}
    assert changed == set(), f"rerun changed raw tables {changed}"
    pipeline.run("transform_warehouse", "2026-11-16T00:00:00+08:00")
    marts_after = _content_digests(cfg.warehouse_db, SUBJECT_SCHEMAS)
    assert {t for t in marts_before if marts_before[t] != marts_after.get(t)} == set()
    assert marts_after.keys() == marts_before.keys()


def test_clear_phone_planted_in_build_fails_gate_and_keeps_published_file(pipeline):
    cfg = pipeline.cfg
    published_sha = _sha(cfg.warehouse_db)
    build = cfg.build_db
    con = duckdb.connect(str(build))
    con.execute("create table seeding.planted_notes as select 'call me +86 139 0013 8000' as remark")
    con.close()
    try:
        assert pipeline.alerts.mails == [], "successful runs must not alert"
        with pytest.raises(SystemExit, match="did not succeed"):
            pipeline.run("transform_warehouse", "2026-11-16T00:00:00+08:00")
        # exactly one alert per channel, naming the DAG, run, failed check and count, never the number
        assert len(pipeline.alerts.mails) == 1 and len(pipeline.alerts.posts) == 1
        mail = pipeline.alerts.mails[0]
        assert "quality gate FAILED: transform_warehouse" in mail["Subject"]
        body = mail.get_content()
        assert re.search(r"^Run: manual__\S+", body, re.M), body  # (mail bodies end lines with \r\n)
        assert "seeding.planted_notes" in body and "column=remark" in body and "unexpected_count=1" in body
        alert_text = body + json.dumps(pipeline.alerts.posts, ensure_ascii=False)
        assert "13900138000" not in alert_text and "139 0013 8000" not in alert_text and "0013 8000" not in alert_text
        assert _sha(cfg.warehouse_db) == published_sha, "a failed gate must leave the published file as it was"
        gate_files = sorted((cfg.reports_dir / "gate").glob("*.json"), key=lambda p: p.stat().st_mtime)
        latest = json.loads(gate_files[-1].read_text(encoding="utf-8"))
        assert latest["success"] is False
        for path in [
            *cfg.reports_dir.rglob("*.html"),
            *cfg.reports_dir.rglob("*.json"),
            *(cfg.var / "airflow" / "logs").rglob("*"),
        ]:
            if path.is_file():
                text = path.read_bytes().decode("utf-8", errors="ignore")
                assert "13900138000" not in text and "139 0013 8000" not in text, path
    finally:
        con = duckdb.connect(str(build))
        con.execute("drop table if exists seeding.planted_notes")
        con.close()


def test_retention_dag_purges_what_is_past_retention(pipeline):
    """Runs last: purge_retention through Airflow, 40 days after the data, removes every landing partition
    (30-day retention) and its quarantine rows, and leaves the published warehouse alone."""
    cfg = pipeline.cfg
    published_sha = _sha(cfg.warehouse_db)
    assert list(cfg.landing_dir.glob("*/*/dt=*"))
    pipeline.run("purge_retention", "2026-12-26T00:00:00+08:00")
    assert list(cfg.landing_dir.glob("*/*/dt=*")) == []
    con = duckdb.connect(str(cfg.raw_db), read_only=True)
    try:
        assert con.sql("select count(*) from quarantine").fetchall()[0][0] == 0
    finally:
        con.close()
    assert _sha(cfg.warehouse_db) == published_sha
