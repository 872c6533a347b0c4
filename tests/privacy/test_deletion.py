"""Deletion requests (PIPL art. 47): a planted customer leaves no trace in landing, raw, quarantine, build
or the published file (scanned by token and by clear value), the audit names them by token only, and a
reload of an old landing file does not bring them back."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
from cc_warehouse.landing.files import land_records
from cc_warehouse.load.raw import load_all_from_manifests
from cc_warehouse.privacy.deletion import delete_subject
from cc_warehouse.privacy.tokens import TokenKey, tokenise

KEY = TokenKey(1, b"deletion-test-secret-at-least-32-bytes")
PHONE, OTHER = "13800138555", "13900139666"
TZ = ZoneInfo("Asia/Shanghai")


def _land(landing, entity, rows, dt=date(2026, 11, 14)):
    start = datetime.combine(dt, datetime.min.time(), tzinfo=TZ)
    return land_records(
        landing,
        entity,
        rows,
        interval_start=start,
        interval_end=start + timedelta(days=1),
        dt=dt,
        run_id="r",
        extracted_at=start,
    )


def _world(tmp_path):
    token, other = tokenise(PHONE, "phone", KEY), tokenise(OTHER, "phone", KEY)
    landing, raw = tmp_path / "landing", tmp_path / "restricted" / "raw.duckdb"
    raw.parent.mkdir()
    orders = [
        {"order_id": "1", "receiver_phone_token": token, "buyer_words": "好"},
        {"order_id": "2", "receiver_phone_token": other, "buyer_words": "好"},
    ]
    _land(landing, "douyin.orders", orders)
    _land(
        landing, "crm.members", [{"member_id": "M1", "mobile_token": token}, {"member_id": "M2", "mobile_token": other}]
    )
    load_all_from_manifests(landing, raw, "load")
    with duckdb.connect(str(raw)) as con:
        con.execute(
            "insert into quarantine values ('douyin', 'orders', 'p', 'f', 9, 'bad', ?, 'r', now())",
            [f'{{"receiver_phone_token": "{token}"'],
        )
    build, published = tmp_path / "build.duckdb", tmp_path / "warehouse.duckdb"
    for db in (build, published):
        with duckdb.connect(str(db)) as con:
            con.execute("create schema core")
            con.execute("create table core.dim_customer (customer_id varchar, tokens varchar[], layer varchar)")
            con.execute(
                "insert into core.dim_customer values (?, [?], '新'), (?, [?], '活跃')", [token, token, other, other]
            )
    return token, other, landing, raw, build, published


def _everything(tmp_path) -> str:
    """All text in every file and every DuckDB table under tmp_path (audit and tombstones excluded)."""
    parts = []
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".duckdb" and not path.name.endswith(".wal"):
            parts.append(path.read_text(encoding="utf-8", errors="ignore"))
        elif path.suffix == ".duckdb":
            with duckdb.connect(str(path), read_only=True) as con:
                for schema, table in con.execute(
                    "select table_schema, table_name from information_schema.tables"
                ).fetchall():
                    if table in ("privacy_audit", "deletion_tombstones"):
                        continue
                    parts.append(str(con.execute(f'select * from "{schema}"."{table}"').fetchall()))
    return "\n".join(parts)


def test_planted_customer_leaves_no_trace_and_stays_out(tmp_path):
    token, other, landing, raw, build, published = _world(tmp_path)
    assert token in _everything(tmp_path)
    result = delete_subject(
        "+86 138-0013-8555", landing_dir=landing, raw_db=raw, build_dbs=[build], published_db=published, key=KEY
    )
    everything = _everything(tmp_path)
    assert token not in everything and PHONE not in everything
    assert other in everything  # nobody else is touched
    assert result.removed["raw_rows"] == 2 and result.removed["quarantine_rows"] == 1
    assert result.removed["build_rows"] == 1 and result.removed["published_rows"] == 1
    with duckdb.connect(str(raw), read_only=True) as con:
        [(event, subject, detail)] = con.execute(
            "select event, subject_token, detail::varchar from privacy_audit"
        ).fetchall()
    assert (event, subject) == ("deletion_request", token) and PHONE not in detail

    # An old landing file re-delivered (or restored from a backup) is loaded again: the person stays out.
    _land(
        landing,
        "douyin.orders",
        [{"order_id": "1", "receiver_phone_token": token, "buyer_words": "好"}],
        dt=date(2026, 11, 13),
    )
    load_all_from_manifests(landing, raw, "reload")
    with duckdb.connect(str(raw), read_only=True) as con:
        assert not con.execute(
            "select count(*) from douyin_orders where contains(record::varchar, ?)", [token]
        ).fetchone()[0]


def test_deletion_by_member_id(tmp_path):
    token, other, landing, raw, build, published = _world(tmp_path)
    result = delete_subject("M2", landing_dir=landing, raw_db=raw, build_dbs=[build], published_db=published, key=KEY)
    assert result.tokens == [other]
    everything = _everything(tmp_path)
    assert other not in everything and token in everything
