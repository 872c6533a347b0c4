"""End to end against the real generator (and the real simulator once it is importable)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from cc_warehouse.load.raw import load_all_from_manifests
from cc_warehouse.privacy.tokens import TokenKey
from cc_warehouse.sources.extract import decode_csv, extract_crm_inbox

KEY = TokenKey(1, b"integration-secret")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sim_data(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    subprocess.run([sys.executable, "-m", "cc_warehouse.datagen", "--out", str(out), "--days", "3",
                    "--customers", "200"], check=True, cwd=ROOT, capture_output=True,
                   env={"PYTHONPATH": f"{ROOT / 'include'}:{ROOT}", "PATH": "/usr/bin:/bin"})
    return out


def test_generated_crm_exports_land_and_load_without_quarantine(sim_data, tmp_path):
    inbox = tmp_path / "inbox" / "crm"
    shutil.copytree(sim_data / "crm_members", inbox)
    phones, expected = set(), 0
    for path in inbox.glob("*.csv"):
        rows = list(csv.reader(io.StringIO(decode_csv(path.read_bytes()))))
        header = next(i for i, row in enumerate(rows) if "会员编号" in row)
        body = [r for r in rows[header + 1:] if any(r)]
        expected += len(body)
        phones.update(r[rows[header].index("手机号")] for r in body)
    landed = extract_crm_inbox(tmp_path / "inbox", key=KEY, run_id="it", landing_dir=tmp_path / "landing")
    assert sum(f.rows for f in landed) == expected and not list(inbox.glob("*.csv"))
    results = load_all_from_manifests(tmp_path / "landing", tmp_path / "raw.duckdb", "it")
    assert sum(r.loaded for r in results) == expected and sum(r.quarantined for r in results) == 0
    with duckdb.connect(str(tmp_path / "raw.duckdb"), read_only=True) as con:
        dump = "".join(r[0] for r in con.execute("select record::varchar from crm_members").fetchall())
    assert not any(phone in dump for phone in phones if phone)
