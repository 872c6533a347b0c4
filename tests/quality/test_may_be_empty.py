"""A published table that is legitimately empty on a young warehouse (no customer has a second order yet, so
``fct_order_gaps`` has no row) must not fail the gate's non-empty check; every other table still must.
Found by the Celery deployment test: two daily intervals, no repeat buyer, the gate failed on
``repurchase.fct_order_gaps expect_table_row_count_to_be_between observed=0``."""

from __future__ import annotations

import shutil
from pathlib import Path

from cc_warehouse.quality import suites

EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations"
KEYS = EXPECTATIONS / "keys.yml"


def _min_rows(suite) -> int | None:
    for expectation in suite.expectations:
        if type(expectation).__name__ == "ExpectTableRowCountToBeBetween":
            return expectation.min_value
    return None


def test_order_gaps_may_be_empty_but_orders_may_not(tmp_path):
    shutil.copytree(EXPECTATIONS / "gx", tmp_path / "gx", ignore=shutil.ignore_patterns("uncommitted"))
    suites.open_context(tmp_path)  # GX builds suites inside an active context
    may_be_empty = suites.load_may_be_empty(KEYS)
    assert may_be_empty == {"repurchase.fct_order_gaps"}
    keys = suites.load_keys(KEYS)
    assert "repurchase.fct_order_gaps" in keys  # still checked for its grain
    gaps = suites.structural_suite("repurchase.fct_order_gaps", keys["repurchase.fct_order_gaps"], may_be_empty=True)
    orders = suites.structural_suite("conversion.fct_orders", keys["conversion.fct_orders"])
    assert _min_rows(gaps) == 0
    assert _min_rows(orders) == 1
