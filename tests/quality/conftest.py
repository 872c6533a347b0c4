"""A small clean dbt-like build and a private copy of the committed GX context for gate tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

REPO_EXPECTATIONS = Path(__file__).resolve().parents[2] / "expectations"

TOKEN = "'tk1_' || md5(cast(i as varchar))"

CLEAN_BUILD_SQL = f"""
create schema staging; create schema intermediate; create schema core; create schema seeding;
create schema conversion; create schema repurchase; create schema fulfilment;
create table staging.stg_douyin__orders as
select
    cast(4781320000000000000 + i * 7 as varchar) as order_id,
    {TOKEN} as receiver_phone_token,
    ['tk1_' || md5('a' || i), 'tk1_' || md5('b' || i)] as tag_tokens,
    '13' || i || '****' || lpad(cast(1000 + i as varchar), 4, '0') as mask_post_tel,
    '王**' as mask_post_receiver,
    '请尽快发货，谢谢 [手机号] 订单 ' || i as buyer_words,
    '20261115103000' as declare_time_raw,
    '5f3a' || md5(cast(i as varchar))[:20] as note_id
from range(1, 6) t(i);
create table intermediate.int_orders as select order_id, buyer_words from staging.stg_douyin__orders;
create table core.dim_date as select date '2026-11-01' + cast(i as integer) as date_day from range(5) t(i);
create table core.dim_creator as
select 'cv' || i as creator_version_id, '达人' || i as creator_name from range(3) t(i);
create table core.dim_content as select 'c' || i as content_id, '笔记标题 ' || i as title from range(3) t(i);
create table core.dim_product as select 'p' || i as product_id from range(3) t(i);
create table core.dim_customer as select {TOKEN} as customer_id, '新' as lifecycle_layer from range(3) t(i);
create table core.dim_channel as select 'ch' || i as channel_id from range(3) t(i);
create table seeding.fct_content_daily as
select 'c' || i as content_id, date '2026-11-01' + cast(j as integer) as date_day, 10 as reads
from range(3) a(i), range(2) b(j);
create table seeding.fct_seeding_funnel_daily as select * from seeding.fct_content_daily;
create table seeding.fct_content_performance as select 'c' || i as content_id from range(3) t(i);
create table conversion.fct_wecom_new_contacts as
select 'tk1_' || md5('w' || i) as external_user_token from range(3) t(i);
create table repurchase.fct_group_members as
select 'wr1' as chat_id, 'tk1_' || md5('g' || i) as member_token from range(3) t(i);
create view conversion.fct_orders as select order_id, 100 as pay_amount_fen from staging.stg_douyin__orders;
create table conversion.fct_order_lines as
select order_id || '-1' as order_line_id from staging.stg_douyin__orders;
create table conversion.fct_live_sessions as select 'ls' || i as live_session_id from range(2) t(i);
create table repurchase.fct_customer_cohorts as
select date '2026-10-01' as cohort_month, i as months_since_first, '抖音' as acquisition_channel,
       i % 2 = 0 as is_private_domain
from range(3) t(i);
create table repurchase.fct_customer_lifecycle_monthly as
select {TOKEN} as customer_id, date '2026-11-01' as month_start from range(3) t(i);
create table repurchase.fct_customer_repurchase as select {TOKEN} as customer_id from range(3) t(i);
create table repurchase.fct_order_gaps as select 'o' || i as order_id from range(3) t(i);
create table fulfilment.fct_crossborder_shipments as select 'o' || i as order_id from range(2) t(i);
create table fulfilment.fct_customs_events as select 'e' || i as customs_event_id from range(2) t(i);
"""


@pytest.fixture(scope="module")
def expectations_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the committed context (config, keys.yml, structural suites) per test module."""
    target = tmp_path_factory.mktemp("expectations")
    shutil.copy(REPO_EXPECTATIONS / "keys.yml", target / "keys.yml")
    shutil.copytree(
        REPO_EXPECTATIONS / "gx",
        target / "gx",
        ignore=shutil.ignore_patterns("uncommitted", "validation_definitions", "checkpoints", "pii"),
    )
    return target


@pytest.fixture
def make_build(tmp_path: Path) -> Callable[..., Path]:
    """Create ``<tmp>/build.duckdb`` from the clean build plus optional defect SQL."""

    def _make(defect_sql: str = "") -> Path:
        path = tmp_path / "build.duckdb"
        with duckdb.connect(str(path)) as con:
            con.execute(CLEAN_BUILD_SQL)
            if defect_sql:
                con.execute(defect_sql)
        return path

    return _make
