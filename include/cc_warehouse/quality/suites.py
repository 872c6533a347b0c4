"""Great Expectations suites for the gate, written in Python and stored by the file context in expectations/.

Two families, generated from the build at run time:

- ``structural.<schema>.<table>`` for every published table in ``expectations/keys.yml``: non-empty,
  grain key columns not null and (compound-)unique. Validated on a frame of the key columns.
- ``pii.<schema>.<table>`` for every table of the build: one expectation per privacy flag column of
  ``pii_scan.flag_frame`` (all rows must be False). GX only ever sees booleans.

Data is handed to GX through one pandas datasource (``gate`` / asset ``frame`` / whole-dataframe
batch definition) with the DataFrame as a batch parameter; GX's SQL datasource over duckdb-engine
returns no metric rows in GX 1.24, so it is not used.
"""

from __future__ import annotations

from pathlib import Path

import great_expectations as gx
import great_expectations.expectations as gxe
import yaml
from great_expectations.core.batch_definition import BatchDefinition
from great_expectations.data_context import FileDataContext

from cc_warehouse.quality.pii_scan import FlagCheck

DATASOURCE = "gate"
ASSET = "frame"
BATCH_DEFINITION = "whole_dataframe"
# Counts only: never copy unexpected values into results or Data Docs.
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 0}


def load_keys(path: Path) -> dict[str, list[str]]:
    """``{"schema.table": [grain key columns]}`` from ``keys.yml``."""
    tables = yaml.safe_load(path.read_text(encoding="utf-8"))["tables"]
    return {name: list(columns) for name, columns in tables.items()}


def load_may_be_empty(path: Path) -> set[str]:
    """Published tables ``keys.yml`` lists under ``may_be_empty`` (empty by definition on a young warehouse)."""
    return set(yaml.safe_load(path.read_text(encoding="utf-8")).get("may_be_empty") or [])


def open_context(expectations_dir: Path) -> FileDataContext:
    """The file context rooted at ``expectations_dir`` (config and suites under ``gx/``)."""
    context = gx.get_context(mode="file", project_root_dir=str(expectations_dir))
    assert isinstance(context, FileDataContext)
    return context


def batch_definition(context: FileDataContext) -> BatchDefinition:
    """The whole-dataframe batch definition every gate validation uses (created once, then committed)."""
    try:
        datasource = context.data_sources.get(DATASOURCE)
    except (KeyError, ValueError):
        datasource = context.data_sources.add_pandas(DATASOURCE)
    try:
        asset = datasource.get_asset(ASSET)
    except LookupError:
        asset = datasource.add_dataframe_asset(ASSET)
    try:
        return asset.get_batch_definition(BATCH_DEFINITION)
    except KeyError:
        return asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)


def structural_suite(table: str, keys: list[str], may_be_empty: bool = False) -> gx.ExpectationSuite:
    """Non-empty table (unless listed as ``may_be_empty``), grain key columns not null and unique together."""
    suite = gx.ExpectationSuite(name=f"structural.{table}", meta={"table": table, "grain": keys})
    minimum = 0 if may_be_empty else 1
    suite.add_expectation(gxe.ExpectTableRowCountToBeBetween(min_value=minimum, meta={"table": table}))
    for column in keys:
        suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column=column, meta={"table": table}))
    if len(keys) == 1:
        suite.add_expectation(gxe.ExpectColumnValuesToBeUnique(column=keys[0], meta={"table": table}))
    else:
        suite.add_expectation(gxe.ExpectCompoundColumnsToBeUnique(column_list=keys, meta={"table": table}))
    return suite


def pii_suite(table: str, checks: list[FlagCheck]) -> gx.ExpectationSuite:
    """Every privacy flag column must be False on every row."""
    suite = gx.ExpectationSuite(name=f"pii.{table}", meta={"table": table})
    for check in checks:
        meta = {"table": table, "source_column": check.column, "rule": check.rule}
        suite.add_expectation(gxe.ExpectColumnValuesToBeInSet(column=check.flag, value_set=[False], meta=meta))
    return suite


def save_suite(context: FileDataContext, suite: gx.ExpectationSuite) -> gx.ExpectationSuite:
    """Store ``suite``, rewriting its JSON only when its expectations changed (stable files in git)."""
    try:
        stored = context.suites.get(suite.name)
    except Exception:  # noqa: BLE001 - GX raises several types for "not found"
        return context.suites.add(suite)
    if stored.expectations == suite.expectations and stored.meta == suite.meta:
        return stored
    return context.suites.add_or_update(suite)


def validation_definition(context: FileDataContext, suite: gx.ExpectationSuite) -> gx.ValidationDefinition:
    """The stored validation definition pairing ``suite`` with the gate's dataframe batch."""
    definition = gx.ValidationDefinition(name=suite.name, data=batch_definition(context), suite=suite)
    return context.validation_definitions.add_or_update(definition)


def write_structural_suites(expectations_dir: Path) -> list[str]:
    """(Re)write the committed structural suites from ``keys.yml``; returns their names."""
    context = open_context(expectations_dir)
    batch_definition(context)
    keys = load_keys(expectations_dir / "keys.yml")
    empty_ok = load_may_be_empty(expectations_dir / "keys.yml")
    return [
        save_suite(context, structural_suite(table, columns, table in empty_ok)).name for table, columns in keys.items()
    ]


if __name__ == "__main__":
    from cc_warehouse.config import settings

    print("\n".join(write_structural_suites(settings().expectations_dir)))
