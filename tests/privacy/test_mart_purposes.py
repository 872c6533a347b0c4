"""PIPL art. 6: every published mart table and column has a documented purpose (registry ``mart_purposes``).

The published columns are read from the dbt models' contracts (``models/marts/<schema>/_*.yml``, enforced, so
they are exactly the published columns); the end-to-end check on a real published file is in
``tests/e2e/test_privacy_corpus.py``.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from cc_warehouse.sources.registry import MartPurposes, load_registry

MARTS = Path(__file__).resolve().parents[2] / "dbt_project" / "models" / "marts"


def _published_columns() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted(MARTS.glob("*/_*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models") or []:
            out[f"{path.parent.name}.{model['name']}"] = [column["name"] for column in model.get("columns") or []]
    return out


def _without_purpose(columns: dict[str, list[str]]) -> list[str]:
    purposes = load_registry().mart_purposes
    missing = [table for table in columns if not purposes.tables.get(table)]
    missing += [f"{t}.{c}" for t, names in columns.items() for c in names if purposes.column(t, c) is None]
    return missing


def test_every_published_table_and_column_has_a_purpose():
    columns = _published_columns()
    assert len(columns) >= 16 and sum(map(len, columns.values())) > 300
    assert _without_purpose(columns) == []


def test_a_new_column_or_table_without_a_purpose_is_caught():
    assert _without_purpose({"conversion.fct_orders": ["order_id", "buyer_shoe_size"]}) == [
        "conversion.fct_orders.buyer_shoe_size"
    ]
    assert _without_purpose({"conversion.fct_new_thing": ["order_id"]}) == ["conversion.fct_new_thing"]


def test_pseudonymous_personal_columns_are_named_not_left_to_a_pattern():
    """A customer key or a token column gets its own purpose; a pattern cannot stand in for it."""
    purposes = load_registry().mart_purposes
    personal = [
        (table, column)
        for table, names in _published_columns().items()
        for column in names
        if column == "customer_id" or column.endswith(("_token", "_tokens"))
    ]
    assert len(personal) >= 6
    for table, column in personal:
        purpose, rule = purposes.column(table, column)
        assert rule in (column, f"{table.split('.')[-1]}.{column}", f"{table}.{column}"), (table, column, rule)
        assert len(purpose) > 20
    assert purposes.column("conversion.fct_orders", "new_thing_token") is None


def test_table_qualified_entries_win_over_bare_names_and_patterns():
    purposes = MartPurposes(
        {}, {"fct_orders.status": "table entry", "status": "bare entry"}, (("stat*", "pattern"), ("*", "any"))
    )
    assert purposes.column("conversion.fct_orders", "status") == ("table entry", "fct_orders.status")
    assert purposes.column("conversion.fct_refunds", "status") == ("bare entry", "status")
    assert purposes.column("conversion.fct_refunds", "state") == ("pattern", "stat*")
    assert load_registry().mart_purposes.column("core.dim_customer", "customer_id")[1] == "customer_id"
