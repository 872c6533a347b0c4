"""The gate's number checks: what dbt tests do not check, aggregated in DuckDB, judged by Great Expectations.

Six checks, each one GX suite ``numbers.<check>`` over a one-row frame of counts (one column per item):

- ``reconciliation``: paid orders, GMV and refunds per platform per Shanghai paid day, computed here from the
  raw JSON records (the gate's own SQL after METRICS.md §1.4-1.5, never the dbt models) equal the mart;
- ``rates``: every proportion column of the published marts (naming contract) in [0, 1];
- ``durations``: no negative duration (stage hours of 1210 / 9610 fulfilment and the like);
- ``volume``: row counts against the last *published* warehouse within the configured change;
- ``source_freshness``: the ``freshness`` configured on the dbt sources, run on their ``loaded_at_field``;
- ``referential_integrity``: every fact → dimension key (dbt ``relationships`` tests plus the naming contract).

The contracts (platform fields, rate and duration names, refund sources) are in ``expectations/number_checks.yml``.
Results carry names and counts (rows, days, hours, row totals of tables), never a value from the data.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import great_expectations as gx
import great_expectations.expectations as gxe
import pandas as pd
import yaml

from cc_warehouse.duckdb_sql import quote_ident, sql_literal
from cc_warehouse.publish.warehouse import PUBLISHED_SCHEMAS

log = logging.getLogger(__name__)

CONTRACTS_FILE = "number_checks.yml"
NEVER_LOADED_HOURS = 1e9  # the age handed to GX for a source table that has no rows (or does not exist)
_NUMERIC = re.compile(
    r"^(tinyint|smallint|integer|bigint|hugeint|utinyint|usmallint|uinteger|ubigint|float|real|"
    r"double|decimal.*|numeric.*)$",
    re.IGNORECASE,
)
_PERIOD_HOURS = {"minute": 1 / 60, "hour": 1.0, "day": 24.0}
_FULL_WIDTH = ("０１２３４５６７８９．", "0123456789.")


@dataclass(frozen=True)
class Options:
    """What the number checks need besides the build: the contracts, the dbt project (relationships tests and
    source freshness), the raw file, the last published warehouse and the volume thresholds."""

    contracts: Path
    dbt_project_dir: Path
    raw_db: Path | None = None
    published_db: Path | None = None
    now: dt.datetime | None = None  # the freshness clock; the wall clock when None
    volume_max_drop: float = 0.5
    volume_max_growth: float = 10.0
    volume_min_rows: int = 100
    volume_override: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, cfg: Any = None) -> Options:
        if cfg is None:
            from cc_warehouse.config import settings

            cfg = settings()
        return cls(
            contracts=cfg.expectations_dir / CONTRACTS_FILE,
            dbt_project_dir=cfg.dbt_project_dir,
            raw_db=cfg.raw_db,
            published_db=cfg.warehouse_db,
            volume_max_drop=cfg.gate_volume_max_drop,
            volume_max_growth=cfg.gate_volume_max_growth,
            volume_min_rows=cfg.gate_volume_min_rows,
            volume_override=cfg.gate_volume_override,
        )


@dataclass
class Item:
    """One expectation: ``value`` (a count, an age in hours or a relative change) within [low, high]."""

    key: str  # the frame column
    value: float
    table: str
    column: str | None
    rule: str
    low: float | None = None
    high: float | None = 0
    detail: str | None = None  # printed on failure: counts and limits only

    @property
    def ok(self) -> bool:
        return (self.low is None or self.value >= self.low) and (self.high is None or self.value <= self.high)


@dataclass
class Check:
    name: str
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def suite_name(self) -> str:
        return f"numbers.{self.name}"


# --- SQL helpers over raw JSON records ----------------------------------------------------------------------


def _text(path: str) -> str:
    """A JSON field as trimmed ASCII text; '' is NULL."""
    raw = f"json_extract_string(record, {sql_literal('$.' + path)})"
    return f"nullif(trim(translate({raw}, {sql_literal(_FULL_WIDTH[0])}, {sql_literal(_FULL_WIDTH[1])})), '')"


def _number(path: str) -> str:
    return f"try_cast({_text(path)} as double)"


def _fen(path: str) -> str:
    return f"try_cast(try_cast({_text(path)} as decimal(20, 2)) as bigint)"


def _local_date(path: str) -> str:
    """The Shanghai date of a source time: Unix seconds or milliseconds (0 = none), or a local time string."""
    n = _number(path)
    return (
        f"case when {n} > 0 then cast(make_timestamp(cast(round("
        f"(case when {n} >= 1e11 then {n} / 1000 else {n} end) * 1000000) as bigint) + 28800000000) as date) "
        f"when {n} is null then cast(try_strptime({_text(path)}, ['%Y-%m-%d %H:%M:%S', '%Y/%m/%d %H:%M:%S', "
        f"'%Y-%m-%d']) as date) end"
    )


def _latest(table: str, updated_at: str | None) -> str:
    """The latest version of each raw record (docs/architecture.md §3: raw tables keep every extraction)."""
    order = f"{_number(updated_at)} desc nulls last, " if updated_at else ""
    return (
        f"select * from raw.main.{quote_ident(table)} where record_key is not null qualify row_number() over ("
        f"partition by record_key order by {order}_interval_end desc nulls last, _loaded_at desc nulls last, "
        "_line_number desc) = 1"
    )


def _in(expr: str, values: list[Any]) -> str:
    return f"{expr} in ({', '.join(str(int(v)) for v in values)})" if values else "false"


def _raw_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        row[0] for row in con.execute("select table_name from duckdb_tables() where database_name = 'raw'").fetchall()
    }


def _dbt_vars(dbt_project_dir: Path) -> dict[str, Any]:
    project = yaml.safe_load((dbt_project_dir / "dbt_project.yml").read_text(encoding="utf-8"))
    return project.get("vars") or {}


def _paid_orders_sql(platform: str, spec: dict, returns: dict | None, raw: set[str], dbt_vars: dict) -> str:
    """O_paid of one platform from raw records: a pay time, a status neither unpaid nor cancelled/closed, no
    customs return, not a test order (dbt vars named in ``exclude``), a clean platform id."""
    order_id = _text(spec["order_id"])
    status = f"try_cast({_text(spec['status'])} as integer)"
    excluded = []
    for path, var in (spec.get("exclude") or {}).items():
        values = [str(v) for v in (dbt_vars.get(var) or [])]
        if values:
            excluded.append(f"coalesce({_text(path)} in ({', '.join(sql_literal(v) for v in values)}), false)")
    returned = "false"
    if returns and returns["table"] in raw:
        returned = (
            f"{order_id} in (select {_text(returns['order_id'])} from ({_latest(returns['table'], None)}) "
            f"where {_in('try_cast(' + _text(returns['status']) + ' as integer)', returns['returned_statuses'])})"
        )
    return f"""
        select {sql_literal(platform)} as platform, {order_id} as order_id,
            {_local_date(spec["pay_time"])} as paid_date, {_fen(spec["pay_amount"])} as pay_amount_fen
        from ({_latest(spec["table"], spec.get("updated_at"))})
        where regexp_full_match(coalesce({order_id}, ''), '[0-9A-Za-z_-]+') and {order_id} <> '0'
            and {_local_date(spec["pay_time"])} is not null
            and not coalesce({_in(status, spec["unpaid_statuses"] + spec["cancelled_statuses"])}, false)
            and not coalesce({returned}, false)
            {"".join(" and not " + e for e in excluded)}
    """


def _refunds_sql(source: dict) -> str:
    status = f"try_cast({_text(source['status'])} as integer)"
    when = _number(source["refund_time"])
    return f"""
        select {sql_literal(source["platform"])} as platform, {_text(source["order_id"])} as order_id,
            {_fen(source["amount"])} as refund_fen
        from ({_latest(source["table"], source.get("updated_at"))})
        where {_in(status, source["succeeded_statuses"])}
            and ({when} > 0 or ({when} is null and {_text(source["refund_time"])} is not null))
    """


def reconciliation(con: duckdb.DuckDBPyConnection, contract: dict, dbt_vars: dict) -> Check:
    check = Check("reconciliation")
    raw = _raw_tables(con)
    platforms = contract["platforms"]
    returns = contract.get("customs_returns")
    paid = [
        _paid_orders_sql(name, spec, returns, raw, dbt_vars) for name, spec in platforms.items() if spec["table"] in raw
    ]
    missing = [spec["table"] for spec in platforms.values() if spec["table"] not in raw]
    check.notes += [f"raw table {table} not loaded: its platform counts as empty" for table in missing]
    paid_sql = (
        " union all ".join(paid)
        or "select null::varchar platform, null::varchar order_id, null::date "
        "paid_date, null::bigint pay_amount_fen where false"
    )
    refunds = [_refunds_sql(src) for src in contract.get("refunds", []) if src["table"] in raw]
    refunds_sql = (
        " union all ".join(refunds)
        or "select null::varchar platform, null::varchar order_id, null::bigint refund_fen where false"
    )
    schema, table = contract["mart"].split(".", 1)
    mart = f"build.{quote_ident(schema)}.{quote_ident(table)}"
    con.execute(f"create or replace temp table raw_paid as {paid_sql}")
    # Retention purges raw partitions past their retention while the incremental marts keep history: orders
    # of a loaded platform with no raw record left (any version, any status) are out of the comparison.
    loaded = [name for name, spec in platforms.items() if spec["table"] in raw]
    ids = [
        f"select distinct {sql_literal(name)} as platform, {_text(spec['order_id'])} as order_id "
        f"from raw.main.{quote_ident(spec['table'])}"
        for name, spec in platforms.items()
        if name in loaded
    ]
    con.execute(
        "create or replace temp table raw_ids as "
        + (" union all ".join(ids) or "select null::varchar platform, null::varchar order_id where false")
    )
    loaded_list = f"[{', '.join(map(sql_literal, loaded))}]::varchar[]"
    con.execute(
        f"create or replace temp view mart_paid as select * from {mart} m "
        f"where m.is_paid and (not list_contains({loaded_list}, m.platform) "
        "or exists (select 1 from raw_ids r where r.platform = m.platform and r.order_id = m.order_id))"
    )
    purged = (
        con.execute(f"select count(*) from {mart} where is_paid").fetchone()[0]
        - con.execute("select count(*) from mart_paid").fetchone()[0]
    )
    if purged:
        check.notes.append(f"{purged} paid order(s) of the mart have no raw record left (retention): not compared")
    rows = con.execute(
        f"""
        with raw_refunds as (
            select platform, order_id, sum(refund_fen) as refund_fen from ({refunds_sql}) group by all
        ),
        raw_days as (
            select p.platform, p.paid_date, count(*) as paid_orders, sum(p.pay_amount_fen) as gmv_fen,
                sum(coalesce(r.refund_fen, 0)) as refund_fen
            from raw_paid p left join raw_refunds r on p.platform = r.platform and p.order_id = r.order_id
            group by all
        ),
        mart_days as (
            select platform, paid_date, count(*) as paid_orders, sum(pay_amount_fen) as gmv_fen,
                sum(coalesce(refund_amount_fen, 0)) as refund_fen
            from mart_paid group by all
        ),
        platforms as (
            select unnest(?::varchar[]) as platform union select platform from mart_days
        )
        select pl.platform,
            count(*) filter (where coalesce(r.paid_orders, 0) <> coalesce(m.paid_orders, 0)),
            count(*) filter (where coalesce(r.gmv_fen, 0) <> coalesce(m.gmv_fen, 0)),
            count(*) filter (where coalesce(r.refund_fen, 0) <> coalesce(m.refund_fen, 0)),
            count(r.paid_date) + count(m.paid_date)
        from platforms pl
        left join (raw_days r full outer join mart_days m on r.platform = m.platform and r.paid_date = m.paid_date)
            on pl.platform = coalesce(r.platform, m.platform)
        group by pl.platform order by pl.platform
        """,
        [list(platforms)],
    ).fetchall()
    for platform, orders_off, gmv_off, refunds_off, _days in rows:
        configured = platform in platforms
        for metric, off in (("paid_orders", orders_off), ("gmv", gmv_off), ("refunds", refunds_off)):
            detail = f"{off} {platform} paid day(s) differ between raw and {contract['mart']}"
            if not configured:
                detail += f" (platform {platform} has no reconciliation contract in {CONTRACTS_FILE})"
            check.items.append(
                Item(
                    key=f"{platform}__{metric}",
                    value=off if configured else max(off, 1),
                    table=contract["mart"],
                    column=platform,
                    rule=f"{metric}_per_day_equal_raw",
                    detail=detail,
                )
            )
    return check


# --- column contracts over the published marts --------------------------------------------------------------


def _published_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute(
        "select schema_name, table_name, column_name, data_type from duckdb_columns() "
        "where database_name = 'build' and schema_name in (select unnest(?)) order by all",
        [list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for schema, table, column, data_type in rows:
        out.setdefault(f"{schema}.{table}", []).append((column, data_type))
    return out


def _bounds_check(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list[tuple[str, str]]], pick) -> Check:
    """Count, per matching numeric column, the rows outside its bounds (one query per table)."""
    check = Check(name)
    for table, cols in columns.items():
        chosen = [(c, *bounds) for c, t in cols if _NUMERIC.match(t) and (bounds := pick(c)) is not None]
        if not chosen:
            continue
        filters = []
        for column, low, high, _rule in chosen:
            conds = [f"{quote_ident(column)} < {low}"] + (
                [f"{quote_ident(column)} > {high}"] if high is not None else []
            )
            filters.append(f"count(*) filter (where {' or '.join(conds)})")
        schema, rel = table.split(".", 1)
        counts = con.execute(
            f"select {', '.join(filters)} from build.{quote_ident(schema)}.{quote_ident(rel)}"
        ).fetchone()
        for (column, low, high, rule), count in zip(chosen, counts, strict=True):
            bounds = f"[{low}, {high}]" if high is not None else f">= {low}"
            check.items.append(
                Item(
                    key=f"{table.replace('.', '__')}__{column}",
                    value=count,
                    table=table,
                    column=column,
                    rule=rule,
                    detail=f"{count} row(s) outside {bounds}",
                )
            )
    return check


def rates(con: duckdb.DuckDBPyConnection, contract: dict, columns: dict) -> Check:
    pattern = re.compile(contract["pattern"])
    unbounded = set(contract.get("unbounded") or {})

    def pick(column: str):
        if not pattern.search(column):
            return None
        return (0, None, "ratio_non_negative") if column in unbounded else (0, 1, "rate_in_unit_interval")

    return _bounds_check(con, "rates", columns, pick)


def durations(con: duckdb.DuckDBPyConnection, contract: dict, columns: dict) -> Check:
    pattern = re.compile(contract["pattern"])
    signed = set(contract.get("signed") or {})
    return _bounds_check(
        con,
        "durations",
        columns,
        lambda c: (0, None, "duration_non_negative") if pattern.search(c) and c not in signed else None,
    )


# --- volume against the last published build ----------------------------------------------------------------


def _relations(con: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    rows = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = ? "
        "and schema_name in (select unnest(?)) union select schema_name || '.' || view_name from duckdb_views() "
        "where database_name = ? and schema_name in (select unnest(?)) and not internal order by 1",
        [database, list(PUBLISHED_SCHEMAS), database, list(PUBLISHED_SCHEMAS)],
    ).fetchall()
    return [row[0] for row in rows]


def _count(con: duckdb.DuckDBPyConnection, database: str, table: str) -> int:
    schema, rel = table.split(".", 1)
    return con.execute(f"select count(*) from {database}.{quote_ident(schema)}.{quote_ident(rel)}").fetchone()[0]


def volume(con: duckdb.DuckDBPyConnection, options: Options, published_attached: bool) -> Check:
    check = Check("volume")
    if not published_attached:
        check.notes.append("no published warehouse yet: the first publish has no baseline")
        return check
    built = set(_relations(con, "build"))
    override = set(options.volume_override)
    for table in _relations(con, "published"):
        old = _count(con, "published", table)
        if "*" in override or table in override:
            check.notes.append(f"{table}: volume change accepted by CCWH_GATE_VOLUME_OVERRIDE")
            continue
        if old == 0:
            continue  # no baseline: an empty table may fill up
        new = _count(con, "build", table) if table in built else 0
        change = (new - old) / old
        counted = abs(new - old) >= options.volume_min_rows
        check.items.append(
            Item(
                key=table.replace(".", "__"),
                value=round(change, 6) if counted else 0.0,
                table=table,
                column=None,
                rule="row_count_change_vs_published",
                low=-options.volume_max_drop,
                high=options.volume_max_growth,
                detail=(
                    f"published {old} rows, build {new} ({change:+.1%}; allowed -{options.volume_max_drop:.0%} .. "
                    f"+{options.volume_max_growth:.0%}; CCWH_GATE_VOLUME_OVERRIDE={table} accepts a backfill)"
                ),
            )
        )
    return check


# --- source freshness ----------------------------------------------------------------------------------------


def _freshness(node: dict, inherited: dict | None) -> dict | None:
    config = node.get("config") or {}
    for holder in (config, node):
        if "freshness" in holder:
            return holder["freshness"]  # an explicit null switches freshness off
    return inherited


def _hours(limit: dict | None) -> float | None:
    if not limit or limit.get("count") is None:
        return None
    return float(limit["count"]) * _PERIOD_HOURS[limit.get("period", "hour")]


def source_freshness_specs(dbt_project_dir: Path) -> list[dict]:
    """``[{source, table, identifier, loaded_at_field, warn_hours, error_hours}]`` from the sources yml files."""
    specs = []
    for path in sorted((dbt_project_dir / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for source in document.get("sources") or []:
            source_fresh = _freshness(source, None)
            source_field = source.get("loaded_at_field") or (source.get("config") or {}).get("loaded_at_field")
            for table in source.get("tables") or []:
                fresh = _freshness(table, source_fresh)
                loaded_at = table.get("loaded_at_field") or (table.get("config") or {}).get("loaded_at_field")
                loaded_at = loaded_at or source_field
                if not fresh or not loaded_at:
                    continue
                specs.append(
                    {
                        "source": source["name"],
                        "table": table["name"],
                        "identifier": table.get("identifier") or table["name"],
                        "schema": source.get("schema") or "main",
                        "loaded_at_field": loaded_at,
                        "warn_hours": _hours(fresh.get("warn_after")),
                        "error_hours": _hours(fresh.get("error_after")),
                    }
                )
    return specs


def _as_utc(value: dt.date | dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def source_freshness(con: duckdb.DuckDBPyConnection, options: Options) -> Check:
    """dbt's ``source freshness``, run on the raw file: max(loaded_at_field) against the clock, or the entity's
    latest audited load when that is newer (an empty load of a quiet source is fresh; no rows = no stamp)."""
    check = Check("source_freshness")
    now = options.now or dt.datetime.now(dt.UTC)
    raw = {
        (s, t)
        for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'raw'"
        ).fetchall()
    }
    for spec in source_freshness_specs(options.dbt_project_dir):
        name = f"{spec['source']}.{spec['table']}"
        latest = None
        if (spec["schema"], spec["identifier"]) in raw:
            latest = con.execute(
                f"select max({quote_ident(spec['loaded_at_field'])}) "
                f"from raw.{quote_ident(spec['schema'])}.{quote_ident(spec['identifier'])}"
            ).fetchone()[0]
        audited = None
        if ("main", "load_audit") in raw:
            # every landed file of the entity is audited, empty ones too: a day with nothing to load is fresh
            audited = con.execute(
                "select max(loaded_at) from raw.main.load_audit "
                "where replace(split_part(file, '/dt=', 1), '/', '_') = ?",
                [spec["identifier"]],
            ).fetchone()[0]
        empty_load = audited is not None and (latest is None or _as_utc(audited) > _as_utc(latest))
        if empty_load:
            latest = audited
        if latest is None:
            age, said = NEVER_LOADED_HOURS, "never loaded"
        else:
            age = max((now - _as_utc(latest)).total_seconds() / 3600, 0.0)
            said = f"last loaded {age:.1f} h ago" + (" (empty load)" if empty_load else "")
        if spec["warn_hours"] is not None and spec["error_hours"] is not None:
            if spec["warn_hours"] < age <= spec["error_hours"]:
                check.notes.append(f"source {name}: {said} (warn_after {spec['warn_hours']:g} h)")
        if spec["error_hours"] is None:
            continue
        check.items.append(
            Item(
                key=name.replace(".", "__"),
                value=round(age, 3),
                table=f"source {name}",
                column=spec["loaded_at_field"],
                rule="source_freshness",
                high=spec["error_hours"],
                detail=f"source {name} {said}; error_after {spec['error_hours']:g} h",
            )
        )
    return check


# --- referential integrity -----------------------------------------------------------------------------------

_REF = re.compile(r"""ref\(\s*['"]([^'"]+)['"]\s*\)""")


def dbt_relationships(dbt_project_dir: Path) -> list[tuple[str, str, str, str]]:
    """``[(model, column, to_model, to_field)]`` from every ``relationships`` test in the models' yml."""
    found = []
    for path in sorted((dbt_project_dir / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            for column in model.get("columns") or []:
                for test in (column.get("data_tests") or []) + (column.get("tests") or []):
                    if isinstance(test, dict) and "relationships" in test:
                        spec = test["relationships"] or {}
                        args = spec.get("arguments") or spec
                        ref = _REF.search(str(args.get("to", "")))
                        if ref and args.get("field"):
                            found.append((model["name"], column["name"], ref.group(1), args["field"]))
    return found


def referential_integrity(
    con: duckdb.DuckDBPyConnection, contract: dict, columns: dict, keys: dict[str, list[str]], dbt_project_dir: Path
) -> Check:
    check = Check("referential_integrity")
    by_name = {table.split(".", 1)[1]: table for table in columns}
    relations: set[tuple[str, str, str, str]] = set()
    for model, column, to_model, to_field in dbt_relationships(dbt_project_dir):
        if model in by_name and to_model in by_name:
            relations.add((by_name[model], column, by_name[to_model], to_field))
    schema, prefix = contract["dimension_schema"], contract["dimension_prefix"]
    dims = {
        table: key[0]
        for table, key in keys.items()
        if table.startswith(f"{schema}.{prefix}") and len(key) == 1 and table in columns
    }
    for table, cols in columns.items():
        for column, _type in cols:
            for dim, key in dims.items():
                if table != dim and (column == key or column.endswith("_" + key)):
                    relations.add((table, column, dim, key))
    for table, column, dim, key in sorted(relations):
        present = {c for c, _ in columns.get(table, [])}
        if column not in present or key not in {c for c, _ in columns.get(dim, [])}:
            check.notes.append(f"{table}.{column} -> {dim}.{key}: column missing, not checked")
            continue
        fs, ft = (quote_ident(p) for p in table.split(".", 1))
        ds, dtb = (quote_ident(p) for p in dim.split(".", 1))
        orphans = con.execute(
            f"select count(*) from build.{fs}.{ft} f anti join build.{ds}.{dtb} d "
            f"on cast(f.{quote_ident(column)} as varchar) = cast(d.{quote_ident(key)} as varchar) "
            f"where f.{quote_ident(column)} is not null"
        ).fetchone()[0]
        check.items.append(
            Item(
                key=f"{table.replace('.', '__')}__{column}__{dim.replace('.', '__')}",
                value=orphans,
                table=table,
                column=column,
                rule=f"references {dim}.{key}",
                detail=f"{orphans} row(s) without a {dim} row",
            )
        )
    return check


# --- running the checks and handing them to GX ---------------------------------------------------------------


def run_checks(build_db: Path, options: Options, keys: dict[str, list[str]]) -> list[Check]:
    """Every number check on ``build_db`` (attached read-only beside the raw and the published files)."""
    contracts = yaml.safe_load(options.contracts.read_text(encoding="utf-8"))
    con = duckdb.connect()
    try:
        con.execute(f"attach {sql_literal(str(build_db))} as build (read_only)")
        has_raw = options.raw_db is not None and Path(options.raw_db).is_file()
        if has_raw:
            con.execute(f"attach {sql_literal(str(options.raw_db))} as raw (read_only)")
        published = options.published_db is not None and Path(options.published_db).is_file()
        if published:
            con.execute(f"attach {sql_literal(str(options.published_db))} as published (read_only)")
        columns = _published_columns(con)
        checks = []
        if has_raw:
            checks.append(reconciliation(con, contracts["reconciliation"], _dbt_vars(options.dbt_project_dir)))
        checks += [
            rates(con, contracts["rates"], columns),
            durations(con, contracts["durations"], columns),
            volume(con, options, published),
        ]
        if has_raw:
            checks.append(source_freshness(con, options))
        checks.append(
            referential_integrity(con, contracts["referential_integrity"], columns, keys, options.dbt_project_dir)
        )
        if not has_raw:
            log.warning("number checks: no raw file, so no reconciliation and no source freshness")
        return checks
    finally:
        con.close()


def suite(check: Check) -> gx.ExpectationSuite:
    """One expectation per item on its frame column (one row): the column's value within the item's bounds."""
    result = gx.ExpectationSuite(name=check.suite_name, meta={"check": check.name})
    for item in check.items:
        meta = {"table": item.table, "source_column": item.column, "rule": item.rule}
        result.add_expectation(
            gxe.ExpectColumnMaxToBeBetween(column=item.key, min_value=item.low, max_value=item.high, meta=meta)
        )
    return result


def frame(check: Check) -> pd.DataFrame:
    return pd.DataFrame({item.key: [float(item.value)] for item in check.items})


def summarise(check: Check, result: Any) -> dict[str, Any]:
    """The gate's summary shape; a failure names the table, column and rule, with its count and limits."""
    items = {item.key: item for item in check.items}
    failed = []
    for outcome in result.results:
        if outcome.success:
            continue
        item = items[outcome.expectation_config.kwargs["column"]]
        failed.append(
            {
                "expectation": f"{check.suite_name}",
                "table": item.table,
                "column": item.column,
                "rule": item.rule,
                "unexpected_count": None,
                "observed_value": item.detail,
            }
        )
    stats = result.statistics
    return {
        "suite": check.suite_name,
        "success": bool(result.success),
        "evaluated": stats["evaluated_expectations"],
        "failed": stats["unsuccessful_expectations"],
        "failed_expectations": failed,
        "notes": check.notes,
    }


def empty_summary(check: Check) -> dict[str, Any]:
    return {
        "suite": check.suite_name,
        "success": True,
        "evaluated": 0,
        "failed": 0,
        "failed_expectations": [],
        "notes": check.notes,
    }


def consistent(check: Check, summary: dict[str, Any]) -> bool:
    """GX's verdict agrees with the bounds (guards against an expectation that cannot fail)."""
    return summary["success"] == all(item.ok for item in check.items) and not any(
        math.isnan(float(item.value)) for item in check.items
    )
