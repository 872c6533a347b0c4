"""Runs that die between landing and loading are repaired by the next run of the DAG (real task callables)."""

from __future__ import annotations

import duckdb
from cc_warehouse.orchestration import dag_factory

CSV = "会员编号,手机号\nM1,13800000000\nM2,13900000000\n"


def test_crm_rows_landed_by_a_killed_run_reach_raw_on_the_next_run(var):
    (var / "inbox" / "crm" / "members_20261115.csv").write_text(CSV, encoding="utf-8")
    dag_factory.extract_inbox_entity.function("crm.members", run_id="killed")  # killed before its load
    landed = dag_factory.extract_inbox_entity.function("crm.members", run_id="next")
    assert landed == []  # the inbox is empty now: nothing new to land
    loads = dag_factory.load_entity.function(landed, "crm.members", run_id="next")
    assert [(r["received"], r["loaded"]) for r in loads] == [(2, 2)]
    with duckdb.connect(str(var / "restricted" / "raw.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from crm_members").fetchone()[0] == 2
