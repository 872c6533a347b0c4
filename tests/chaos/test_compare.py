"""The campaign's comparison sees a lost row, an extra row, a changed value and a duplicate key."""

from __future__ import annotations

import duckdb

from tests.chaos.campaign import _multiset_missing, digest, duplicate_keys, table_rows


def _warehouse(path, rows):
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create schema conversion; create table conversion.fct_orders "
            "(order_id varchar, amount int, source_loaded_at timestamptz)"
        )
        con.executemany("insert into conversion.fct_orders values (?, ?, now())", rows)
    return path


def test_content_not_counts_and_load_stamps_ignored(tmp_path):
    clean = table_rows(_warehouse(tmp_path / "a.duckdb", [("o1", 1), ("o2", 2)]))
    same = table_rows(_warehouse(tmp_path / "b.duckdb", [("o2", 2), ("o1", 1)]))
    changed = table_rows(_warehouse(tmp_path / "c.duckdb", [("o1", 1), ("o2", 3)]))  # same count
    lost = table_rows(_warehouse(tmp_path / "d.duckdb", [("o1", 1)]))
    assert digest(clean) == digest(same)  # order and the wall-clock source_loaded_at do not matter
    assert digest(clean) != digest(changed) and _multiset_missing(clean, changed) == 1
    assert _multiset_missing(clean, lost) == 1 and _multiset_missing(lost, clean) == 0
    assert duplicate_keys(_warehouse(tmp_path / "e.duckdb", [("o1", 1), ("o1", 1), ("o2", 2)])) == 1
