"""Per-row privacy flags computed inside DuckDB, so the gate validates booleans and never holds values.

Every text column of a table gets one boolean "violation" column in the flag frame:

- ``*_token`` / ``*_tokens``: the value (each list element) must be a keyed token ``tk<v>_<32 hex>``, all of
  one key version per column unless ``CCWH_KEY_ROTATION_IN_PROGRESS=1`` (docs/privacy.md, rotation);
- ``*_mask`` / ``mask_*``: the value must be a platform mask (phone, name or ID mask);
- typed identifier columns (``identifier:`` in the registry): the value has its type's shape, and the PII
  detectors are never asked about it (an 11-digit SKU or a ``note_<24 hex>`` code is not a mobile);
- any other text column: no clear-text mobile, resident ID, email or bank card. A set-based RE2
  pre-filter (``detectors.SQL_ANY_PII``) picks candidate values; only those go through the precise
  ``detectors.find_pii`` (a DuckDB UDF); and, as a second net, ``independent_check.suspicious`` (a
  different technique: skeleton of letters and digits, shape rules) must be false too;
- numeric columns (raw JSON numbers included) that are not measures: no integer in the mobile range.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import duckdb
import pandas as pd

from cc_warehouse.duckdb_sql import quote_ident, sql_literal
from cc_warehouse.privacy.detectors import IDENTIFIER_EXEMPT_KINDS, SQL_ANY_PII, SQL_PATTERNS, exempt_kinds, find_pii
from cc_warehouse.privacy.masks import MASK_PATTERNS, mask_kind
from cc_warehouse.privacy.tokens import rotation_in_progress
from cc_warehouse.quality import independent_check
from cc_warehouse.sources.registry import load_registry

_UDF_ANY = "ccwh_has_clear_pii"
_UDF_NO_CARDS = "ccwh_has_clear_pii_except_cards"
_UDF_INDEPENDENT = "ccwh_independent_suspicious"
_TEXT_TYPES = ("VARCHAR", "JSON")
_NUMERIC_TYPES = frozenset({"BIGINT", "UBIGINT", "HUGEINT", "INTEGER", "DOUBLE"})
# Numeric columns that are measures, not contact numbers (a fen total can reach the mobile range).
_NOT_A_PHONE = independent_check.MEASURE_NAME


@dataclass(frozen=True)
class FlagCheck:
    """One privacy rule on one column: ``sql`` is true for a violating row."""

    column: str
    rule: str  # clear_pii | token_format | mask_format
    sql: str

    @property
    def flag(self) -> str:
        """Name of the boolean column in the flag frame."""
        return f"{self.column}__{self.rule}_violation"


def _mask_patterns(column: str) -> tuple[str, ...]:
    """The mask of the column's kind (by name, as at extraction); any mask when the name tells none."""
    kind = mask_kind(column)
    return (MASK_PATTERNS[kind],) if kind else tuple(MASK_PATTERNS.values())


def _format_violation(expr: str, patterns: tuple[str, ...], is_list: bool) -> str:
    def bad(value: str) -> str:
        return " and ".join(f"not regexp_full_match({value}, {sql_literal(p)})" for p in patterns)

    if is_list:
        return f"coalesce(list_bool_or(list_transform({expr}, lambda x: x is not null and {bad('x')})), false)"
    return f"coalesce({bad(expr)}, false)"


def _identifier_violation(expr: str, pattern: str, is_list: bool) -> str:
    """True when a typed identifier does not have its type's shape (empty strings are "no identifier")."""

    def bad(value: str) -> str:
        return f"({value} <> '' and not regexp_full_match({value}, {sql_literal(pattern)}))"

    if is_list:
        return f"coalesce(list_bool_or(list_transform({expr}, lambda x: x is not null and {bad('x')})), false)"
    return f"coalesce({bad(expr)}, false)"


def _mixed_versions(expr: str, is_list: bool) -> str:
    """True on every row of a token column that holds more than one key version (``tk<v>_``): tokens of two
    keys do not join, so a half-rotated column silently splits customers."""

    def version(value: str) -> str:
        return f"try_cast(regexp_extract({value}, '^tk([0-9]+)_', 1) as integer)"

    if is_list:
        low = f"list_min(list_transform({expr}, lambda x: {version('x')}))"
        high = f"list_max(list_transform({expr}, lambda x: {version('x')}))"
    else:
        low = high = version(expr)
    return f"coalesce(max({high}) over () <> min({low}) over (), false)"


@lru_cache(maxsize=1)
def registry_columns() -> tuple[str, frozenset[str], frozenset[str]]:
    """From the PII registry: the token pattern, every token output name, every masked field name."""
    registry = load_registry()
    tokens, masks = set(), set()
    for row in registry.fields_flat():
        if row.treatment == "token" and row.output:
            tokens.add(row.output.lower())
        elif row.treatment == "mask":
            masks.add(row.path.rsplit(".", 1)[-1].removesuffix("[]").lower())
    return registry.token_pattern, frozenset(tokens), frozenset(masks)


def flag_checks(columns: list[tuple[str, str]]) -> list[FlagCheck]:
    """Choose the rule for every text-bearing column of ``(name, duckdb data_type)`` pairs: typed identifiers
    must have their shape; registry token outputs and ``*_token(s)`` must be tokens; registry mask fields
    and ``*_mask`` / ``mask_*`` must be masks; every other text column must hold no clear personal data."""
    token_pattern, token_names, mask_names = registry_columns()
    checks = []
    for column, data_type in columns:
        is_list = data_type == "VARCHAR[]"
        if data_type in _NUMERIC_TYPES or data_type.startswith("DECIMAL"):
            if not load_registry().identifier_type(column) and not _NOT_A_PHONE.search(column):
                checks.append(FlagCheck(column, "numeric_phone", independent_check.numeric_sql(quote_ident(column))))
            continue
        if data_type not in _TEXT_TYPES and not is_list and "VARCHAR" not in data_type:
            continue
        expr = quote_ident(column)
        lowered = column.lower()
        leaf = lowered.rsplit("__", 1)[-1]  # raw JSON leaves are named <parent>__<field>
        plain_text = is_list or data_type == "VARCHAR"
        identifier = load_registry().identifier_type(column)
        if plain_text and identifier:
            pattern = load_registry().identifier_types[identifier]
            checks.append(FlagCheck(column, "identifier_format", _identifier_violation(expr, pattern, is_list)))
        elif plain_text and (leaf.endswith(("_token", "_tokens")) or leaf in token_names):
            checks.append(FlagCheck(column, "token_format", _format_violation(expr, (token_pattern,), is_list)))
            if not rotation_in_progress():
                checks.append(FlagCheck(column, "token_version", _mixed_versions(expr, is_list)))
        elif plain_text and (leaf.endswith("_mask") or leaf.startswith("mask_") or leaf in mask_names):
            checks.append(FlagCheck(column, "mask_format", _format_violation(expr, _mask_patterns(column), is_list)))
        else:
            text = expr if data_type == "VARCHAR" else f"cast({expr} as varchar)"
            udf = _UDF_NO_CARDS if exempt_kinds(column) else _UDF_ANY
            sql = (
                f"coalesce(case when regexp_matches({text}, {sql_literal(SQL_ANY_PII)}) "
                f"then {udf}({text}) else false end, false)"
            )
            checks.append(FlagCheck(column, "clear_pii", sql))
            checks.append(
                FlagCheck(
                    column,
                    "independent_check",
                    (
                        f"coalesce(case when regexp_matches({text}, {sql_literal(SQL_PATTERNS['mobile'])}) "
                        f"then {_UDF_INDEPENDENT}({text}) else false end, false)"
                    ),
                )
            )
    return checks


def _pii_predicate(ignore: frozenset[str]) -> Callable[[str], bool]:
    def has_pii(text: str) -> bool:
        return any(finding.kind not in ignore for finding in find_pii(text))

    return has_pii


def register_detectors(con: duckdb.DuckDBPyConnection) -> None:
    """Register the precise detector UDFs on ``con`` (works on read-only connections)."""
    con.create_function(_UDF_ANY, _pii_predicate(frozenset()), ["VARCHAR"], "BOOLEAN")
    # 19-digit order ids pass Luhn one time in ten: identifier columns are not checked for bank cards.
    con.create_function(_UDF_NO_CARDS, _pii_predicate(IDENTIFIER_EXEMPT_KINDS), ["VARCHAR"], "BOOLEAN")
    con.create_function(_UDF_INDEPENDENT, independent_check.suspicious, ["VARCHAR"], "BOOLEAN")


def flag_frame(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, checks: list[FlagCheck], catalog: str | None = None
) -> pd.DataFrame:
    """One row per table row, one boolean column per check; no source value leaves DuckDB."""
    selects = ", ".join(f"{check.sql} as {quote_ident(check.flag)}" for check in checks)
    prefix = f"{quote_ident(catalog)}." if catalog else ""
    return con.sql(f"select {selects} from {prefix}{quote_ident(schema)}.{quote_ident(table)}").df()


RAW_CATALOG = "raw_src"


def raw_leaf_views(con: duckdb.DuckDBPyConnection, raw_db: str) -> dict[str, list[tuple[str, str]]]:
    """Attach the raw file read-only and expose every raw table's JSON records as a temp view with one
    column per string leaf path (``sku_order_list[*].author_id`` → ``sku_order_list__author_id``, a list),
    so the column-name rules (ids, tokens, masks) apply to raw data exactly as to staging and marts.
    Tables without a ``record`` column (quarantine, audits) get a view of their own columns.
    Returns ``{"raw.<table>": [(view column, type), ...]}``; the views are named ``temp.main.raw__<table>``."""
    con.execute(f"attach {sql_literal(raw_db)} as {RAW_CATALOG} (read_only)")
    tables = [
        r[0]
        for r in con.sql(
            f"select table_name from information_schema.columns where table_catalog = '{RAW_CATALOG}' "
            "and table_schema = 'main' and column_name = 'record' order by 1"
        ).fetchall()
    ]
    catalog: dict[str, list[tuple[str, str]]] = {}
    for table in tables:
        paths = [
            r[0]
            for r in con.sql(
                "select distinct regexp_replace(t.fullkey, '\\[[0-9]+\\]', '[*]', 'g') "
                f"from {RAW_CATALOG}.main.{quote_ident(table)} r, json_tree(r.record) t "
                "where t.type = 'VARCHAR' order by 1"
            ).fetchall()
        ]
        numeric = [
            r[0]
            for r in con.sql(
                "select distinct t.fullkey "
                f"from {RAW_CATALOG}.main.{quote_ident(table)} r, json_tree(r.record) t "
                "where t.type in ('BIGINT', 'UBIGINT', 'DOUBLE') and t.fullkey not like '%[%' order by 1"
            ).fetchall()
        ]
        numeric = [path for path in numeric if path not in paths]
        columns = [
            (path, re.sub(r"[^0-9A-Za-z_]+", "__", path.removeprefix("$.").replace("[*]", "")).strip("_"))
            for path in paths + numeric
        ]
        selects = (
            ", ".join(
                (
                    f"json_extract_string(record, {sql_literal(path)})"
                    if path in paths
                    else f"try_cast(json_extract_string(record, {sql_literal(path)}) as double)"
                )
                + f" as {quote_ident(name)}"
                for path, name in columns
            )
            or "null::varchar as record_is_empty"
        )
        con.execute(
            f"create or replace temp view {quote_ident('raw__' + table)} as "
            f"select {selects} from {RAW_CATALOG}.main.{quote_ident(table)}"
        )
        catalog[f"raw.{table}"] = [
            (name, "DOUBLE" if path in numeric else "VARCHAR[]" if "[*]" in path else "VARCHAR")
            for path, name in columns
        ]
    # Tables without JSON records (quarantine excerpts, load/run/privacy audit, tombstones) are scanned
    # column by column as they are.
    with_records = ", ".join(sql_literal(t) for t in tables) or "''"
    plain = con.sql(
        f"select table_name, column_name, data_type from information_schema.columns where table_catalog = "
        f"'{RAW_CATALOG}' and table_schema = 'main' and table_name not in ({with_records}) "
        "order by table_name, ordinal_position"
    ).fetchall()
    for table in sorted({row[0] for row in plain}):
        con.execute(
            f"create or replace temp view {quote_ident('raw__' + table)} as "
            f"select * from {RAW_CATALOG}.main.{quote_ident(table)}"
        )
        catalog[f"raw.{table}"] = [(column, data_type) for name, column, data_type in plain if name == table]
    return catalog
