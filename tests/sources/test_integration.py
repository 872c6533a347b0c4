"""End to end against the real generator (and the real simulator once it is importable)."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from cc_warehouse.load.raw import load_all_from_manifests
from cc_warehouse.privacy.tokens import TokenKey
from cc_warehouse.sources.extract import decode_csv, extract_crm_inbox, extract_window
from cc_warehouse.sources.http_client import PlatformClient
from cc_warehouse.sources.registry import load_registry

KEY = TokenKey(1, b"integration-secret-at-least-32-bytes")
SH = timezone(timedelta(hours=8))
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sim_data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    subprocess.run(
        [sys.executable, "-m", "cc_warehouse_demo.datagen", "--out", str(out), "--days", "3", "--customers", "200"],
        check=True,
        cwd=ROOT,
        capture_output=True,
        env={"PYTHONPATH": f"{ROOT / 'include'}:{ROOT}", "PATH": "/usr/bin:/bin"},
    )
    return out


def test_generated_crm_exports_land_and_load_without_quarantine(sim_data, tmp_path):
    inbox = tmp_path / "inbox" / "crm"
    shutil.copytree(sim_data / "crm_members", inbox)
    phones, expected = set(), 0
    for path in inbox.glob("*.csv"):
        rows = list(csv.reader(io.StringIO(decode_csv(path.read_bytes()))))
        header = next(i for i, row in enumerate(rows) if "会员编号" in row)
        body = [r for r in rows[header + 1 :] if any(r)]
        expected += len(body)
        phones.update(r[rows[header].index("手机号")] for r in body)
    landed = extract_crm_inbox(tmp_path / "inbox", key=KEY, run_id="it", landing_dir=tmp_path / "landing")
    assert sum(f.rows for f in landed) == expected and not list(inbox.glob("*.csv"))
    results = load_all_from_manifests(tmp_path / "landing", tmp_path / "raw.duckdb", "it")
    assert sum(r.loaded for r in results) == expected and sum(r.quarantined for r in results) == 0
    with duckdb.connect(str(tmp_path / "raw.duckdb"), read_only=True) as con:
        dump = "".join(r[0] for r in con.execute("select record::varchar from crm_members").fetchall())
    assert not any(phone in dump for phone in phones if phone)


def _serve(sim_data, chaos=None):
    simulator = pytest.importorskip("cc_warehouse_demo.simulator")
    if not hasattr(simulator, "serve_in_thread"):
        pytest.skip("cc_warehouse_demo.simulator.serve_in_thread is not available yet")
    return simulator.serve_in_thread(sim_data, "it-token", port=0, chaos=chaos)


API_ENTITIES = [name for name in load_registry().entity_names if load_registry().entity(name).api]


def _window(sim_data):
    config = json.loads((sim_data / "ground_truth.json").read_text())["config"]
    end = datetime.combine(date.fromisoformat(config["end_date"]), time(), SH) + timedelta(days=2)
    return end - timedelta(days=config["days"] + 4), end


def test_every_api_entity_extracts_and_loads_against_the_simulator(sim_data, tmp_path):
    server, base_url = _serve(sim_data)
    start, end = _window(sim_data)
    try:
        with PlatformClient(base_url, "it-token", backoff_base=0.05) as client:
            for entity in API_ENTITIES:
                extract_window(
                    entity, start, end, client=client, key=KEY, run_id="it", landing_dir=tmp_path / "landing"
                )
    finally:
        server.shutdown()
    results = load_all_from_manifests(tmp_path / "landing", tmp_path / "raw.duckdb", "it")
    received = Counter()
    for r in results:
        assert r.received == r.loaded + r.quarantined
        received[r.entity] += r.received
    for entity in API_ENTITIES:
        assert received[entity] == pq.ParquetFile(sim_data / f"{entity}.parquet").metadata.num_rows, entity
    with duckdb.connect(str(tmp_path / "raw.duckdb"), read_only=True) as con:
        orders = con.execute("select count(*), count(record->>'receiver_phone_token') from douyin_orders").fetchone()
        dump = con.execute("select string_agg(record::varchar, '') from douyin_orders").fetchone()[0]
        receivers = con.execute("select count(record->'receiver') from red_orders").fetchone()[0]
    assert orders[0] > 0 and orders[1] > 0.9 * orders[0]
    assert receivers > 0
    assert '"#' not in dump and "encrypt_post_tel" not in dump


def test_retries_under_chaos_land_the_same_bytes(sim_data, tmp_path):
    start, end = _window(sim_data)
    shas, stats = [], None
    chaos = {"rate_429": 0.2, "rate_500": 0.15, "rate_busy": 0.15, "retry_after": 1, "seed": 3}
    for name, settings in (("calm", None), ("chaos", chaos)):
        server, base_url = _serve(sim_data, settings)
        try:
            with PlatformClient(base_url, "it-token", backoff_base=0.01, retry_after_ceiling=0.2) as client:
                landed = extract_window(
                    "douyin.orders", start, end, client=client, key=KEY, run_id=name, landing_dir=tmp_path / name
                )
            stats = server.stats_body()["by_status"]
        finally:
            server.shutdown()
        shas.append([f.sha256 for f in landed])
    assert shas[0] == shas[1]
    assert sum(count for status, count in stats.items() if status != "200") > 0, stats


@pytest.mark.parametrize(
    "retry_after",
    [
        float("nan"),
        pytest.param(3600, marks=pytest.mark.chaos),
        pytest.param(-10, marks=pytest.mark.chaos),
    ],
)
def test_network_faults_and_page_drift_land_the_same_bytes(sim_data, tmp_path, retry_after):
    """Rates the demo never uses: 30% 5xx, resets mid-body, cut JSON, trickled bodies, odd Retry-After
    values and windows that drift while paged. The landed content must equal a calm run's (per partition,
    records sorted: a drifted window is served in another order, which is not a change of content)."""
    start, end = _window(sim_data)
    entities = ["douyin.orders", "red.orders", "customs.declarations"]
    chaos = {
        "rate_500": 0.3,
        "rate_429": 0.1,
        "retry_after": retry_after,
        "rate_reset": 0.1,
        "rate_truncate": 0.1,
        "rate_trickle": 0.05,
        "trickle_seconds": 3,
        "drift": 4,
        "seed": 5,
    }
    shas, stats, drifted = {}, None, 0  # partition → sorted landed lines
    for name, settings in (("calm", None), ("faults", chaos)):
        server, base_url = _serve(sim_data, settings)
        try:
            with PlatformClient(
                base_url,
                "it-token",
                backoff_base=0.01,
                retry_after_ceiling=0.05,
                max_retries=30,
                request_deadline=0.6,
                timeout=(2, 2),
            ) as client:
                shas[name] = [
                    (f.partition, sorted(f.path.read_text(encoding="utf-8").splitlines()))
                    for entity in entities
                    for f in extract_window(
                        entity, start, end, client=client, key=KEY, run_id=name, landing_dir=tmp_path / name
                    )
                ]
            stats, drifted = server.stats_body()["by_status"], len(server.chaos.drifted)
        finally:
            server.shutdown()
    assert shas["calm"] == shas["faults"]
    assert stats.get("500", 0) + stats.get("503", 0) > 0 and stats.get("429", 0) > 0, stats
    assert drifted > 0
