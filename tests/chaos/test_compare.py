"""The campaign's comparison sees a lost row, an extra row, a changed value and a duplicate key."""

from __future__ import annotations

import duckdb
import pytest

from tests.chaos.campaign import MARTS_DIR, _multiset_missing, digest, duplicate_keys, published_grains, table_rows


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


def test_every_published_mart_has_a_key_for_the_duplicate_check(tmp_path):
    """The grains come from the marts' uniqueness tests; a mart without one would escape the check."""
    marts = {p.stem for p in MARTS_DIR.rglob("*.sql")}
    assert marts and marts <= set(published_grains()), marts - set(published_grains())
    assert published_grains()["fct_content_daily"] == ["content_id", "date_day"]
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema core; create table core.mystery (x int)")
    with pytest.raises(LookupError, match="core.mystery"):
        duplicate_keys(tmp_path / "w.duckdb")
