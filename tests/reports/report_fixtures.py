"""Builders for a small restricted raw file, landing zone, published warehouse and gate result."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
from cc_warehouse.audit.log import record_run

PLANTED_PHONE = "13912345678"
PLANTED_ID = "11010519491231002X"


@dataclass(frozen=True)
class ReportInputs:
    raw_db: Path
    warehouse_db: Path
    landing_dir: Path
    reports_dir: Path
    gate_json: Path


LOAD_AUDIT = [
    # file, partition, received, loaded, quarantined, run_id, loaded_at
    ("z.jsonl", "douyin/orders/20261109T0000-20261110T0000", 5, 5, 0, "run-1", "2026-11-10 01:00:00+08"),
    ("a.jsonl", "douyin/orders/20261110T0000-20261111T0000", 10, 9, 1, "run-1", "2026-11-11 01:00:00+08"),
    ("b.jsonl", "douyin/orders/20261111T0000-20261112T0000", 7, 7, 0, "run-2", "2026-11-12 01:00:00+08"),
    # the first partition reloaded by run-2: it replaces run-1's load of that partition
    ("a2.jsonl", "douyin/orders/20261110T0000-20261111T0000", 12, 10, 2, "run-2", "2026-11-12 01:05:00+08"),
    ("c.jsonl", "crm/members/members_1110.csv-abcd1234", 4, 4, 0, "run-2", "2026-11-12 01:10:00+08"),
]


def build_raw(raw_db: Path) -> None:
    con = duckdb.connect(str(raw_db))
    con.execute("""create table load_audit (file varchar, sha256 varchar, partition varchar, received bigint,
                   loaded bigint, quarantined bigint, run_id varchar, loaded_at timestamptz)""")
    con.executemany(
        "insert into load_audit values (?, 'f' || ?, ?, ?, ?, ?, ?, ?)",
        [(f, f, p, r, lo, q, run, at) for f, p, r, lo, q, run, at in LOAD_AUDIT],
    )
    con.execute("""create table quarantine (source varchar, entity varchar, _partition varchar,
                   _source_file varchar, _line_number bigint, reason varchar, record_excerpt varchar,
                   _run_id varchar, _quarantined_at timestamptz)""")
    con.execute(f"""insert into quarantine values
        ('douyin', 'orders', 'douyin/orders/p', 'a.jsonl', 3, 'invalid json',
         '{{"buyer_words": "call {PLANTED_PHONE}"', 'run-1', '2026-10-01 10:00:00+08'),
        ('douyin', 'orders', 'douyin/orders/p', 'a.jsonl', 4, 'null key', '{{}}', 'run-1',
         '2026-11-11 10:00:00+08')""")
    con.execute("""create table crm_members (record json, record_key varchar, _source_file varchar,
                   _file_sha256 varchar, _line_number bigint, _partition varchar,
                   _interval_start timestamptz, _interval_end timestamptz, _run_id varchar,
                   _loaded_at timestamptz)""")
    members = [("m1", "是", "是"), ("m2", "是", "否"), ("m3", "否", "否"), ("m4", "是", "否")]
    con.executemany(
        "insert into crm_members values (?, ?, 'c.jsonl', 'x', ?, 'crm/members/k', "
        "'2026-11-10 00:00:00+08', '2026-11-11 00:00:00+08', 'run-2', '2026-11-12 01:10:00+08')",
        [
            (json.dumps({"member_id": m, "marketing_consent": mk, "crossborder_consent": cb}, ensure_ascii=False), m, i)
            for i, (m, mk, cb) in enumerate(members)
        ],
    )
    con.close()
    record_run(
        raw_db,
        run_id="run-2",
        dag_id="build_warehouse",
        interval_start=None,
        interval_end=None,
        input_files=[{"file": "b.jsonl", "sha256": "fb", "rows": 7}],
        rows={"douyin_orders": {"received": 7, "loaded": 7, "quarantined": 0, "published": 7}},
        gate_success=False,
        gate_result_id="run-2",
        dbt_results=[],
        status="failed",
    )


def build_warehouse(warehouse_db: Path, *, with_dim_customer: bool) -> None:
    con = duckdb.connect(str(warehouse_db))
    for schema in ("core", "conversion"):
        con.execute(f"create schema {schema}")
    con.execute("create table conversion.fct_orders (order_id varchar, buyer_note varchar, fen bigint)")
    con.execute(f"""insert into conversion.fct_orders values
        ('4781320000000000001', 'please call {PLANTED_PHONE}', 100),
        ('4781320000000000002', 'tk1_0123456789abcdef0123456789abcdef', 200),
        ('4781320000000000003', null, 300)""")
    if with_dim_customer:
        con.execute("""create table core.dim_customer (customer_id varchar, is_private_domain_member boolean,
                       has_marketing_consent boolean)""")
        con.execute("""insert into core.dim_customer values ('c1', true, true), ('c2', true, false),
                       ('c3', false, true), ('c4', true, true), ('c5', true, false)""")
    con.close()


def build_landing(landing_dir: Path) -> None:
    part = landing_dir / "douyin" / "orders" / "dt=2026-11-10"
    part.mkdir(parents=True)
    (part / "part-20261110T0000-20261111T0000-abcd1234.jsonl").write_text(
        json.dumps({"order_id": "1", "buyer_words": f"call {PLANTED_PHONE} id {PLANTED_ID}"}) + "\n", encoding="utf-8"
    )
    (part / "_manifest.json").write_text(
        json.dumps(
            {
                "partitions": {
                    "20261110T0000-20261111T0000": {
                        "file": "part-20261110T0000-20261111T0000-abcd1234.jsonl",
                        "rows": 1,
                        "sha256": "ab",
                        "source": "douyin",
                        "entity": "orders",
                        "redactions": {"buyer_words:mobile": 3, "buyer_words:id_number": 1},
                    }
                }
            }
        )
    )
    newer = landing_dir / "douyin" / "orders" / "dt=2026-11-12"
    newer.mkdir(parents=True)
    (newer / "part-x.jsonl").write_text("{}\n")
    (newer / "_manifest.json").write_text(
        json.dumps(
            {
                "partitions": {
                    "k": {
                        "file": "part-x.jsonl",
                        "rows": 1,
                        "sha256": "cd",
                        "source": "douyin",
                        "entity": "orders",
                        "redactions": {"buyer_words:mobile": 2, "token": 7, "drop": 4},
                    }
                }
            }
        )
    )
    originals = landing_dir / "crm" / "members_received"
    originals.mkdir(parents=True)
    (originals / "members_1110.csv").write_text(f"会员编号,手机号\nm1,{PLANTED_PHONE}\n", encoding="utf-8")


def gate_json(reports_dir: Path) -> Path:
    gate_dir = reports_dir / "gate"
    gate_dir.mkdir(parents=True)
    path = gate_dir / "run-2.json"
    # the shape cc_warehouse.quality.gate writes
    path.write_text(
        json.dumps(
            {
                "run_id": "run-2",
                "success": False,
                "suites": [
                    {
                        "suite": "pii.conversion.fct_orders",
                        "success": False,
                        "evaluated": 12,
                        "failed": 1,
                        "failed_expectations": [
                            {
                                "expectation": "expect_column_values_to_be_in_set",
                                "table": "conversion.fct_orders",
                                "column": "buyer_note",
                                "rule": "mobile",
                                "unexpected_count": 1,
                                "observed_value": None,
                            }
                        ],
                    },
                    {
                        "suite": "structure.core.dim_customer",
                        "success": True,
                        "evaluated": 30,
                        "failed": 0,
                        "failed_expectations": [],
                    },
                ],
                "failures": ["pii.conversion.fct_orders: expect_column_values_to_be_in_set buyer_note"],
            }
        )
    )
    return path
