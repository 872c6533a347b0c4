-- One row per cross-border order with a payment: customs mode (1210 bonded / 9610 direct mail / CC personal
-- parcel), port, milestones, stage durations per mode, 三单对碰 match status, exceptions, SLA breach and the
-- import limit checks (¥5,000 per transaction, ¥26,000 per person per calendar year) on the dutiable value
-- (goods + freight + insurance, tax excluded; METRICS.md §8.3), computed on the buyer ID token.
with

milestones as (
    select * from {{ ref('int_crossborder__milestones') }}
),

with_limits as (
    select
        *,
        -- METRICS.md §8.3: running dutiable value over quota orders only (CBEC, paid, not cancelled or
        -- returned by customs), per buyer ID token and Shanghai calendar year
        case when is_quota_order and buyer_id_token is not null then
                sum(case when is_quota_order then dutiable_value end) over (
                    partition by buyer_id_token, year({{ to_cn('paid_at') }})
                    order by paid_at, order_id rows between unbounded preceding and current row
                )
        end as buyer_year_to_date_amount
    from milestones
),

final as (
    select
        cast(order_id as varchar) as order_id,
        cast(platform as varchar) as platform,
        cast(customer_id as varchar) as customer_id,
        cast(buyer_id_token as varchar) as buyer_id_token,
        cast(customs_mode as varchar) as customs_mode,
        cast(
            case customs_mode
                when '1210' then 'bonded' when '9610' then 'direct_mail' when 'CC' then 'personal_parcel'
                else 'unknown'
            end as varchar
        ) as customs_mode_name,
        cast(customs_port_code as varchar) as customs_port_code,
        cast(waybill_no as varchar) as waybill_no,
        cast(paid_at as timestamp) as paid_at,
        {{ cn_date('paid_at') }} as paid_date,
        cast(declared_at as timestamp) as declared_at,
        cast(entered_at as timestamp) as entered_at,
        cast(cleared_at as timestamp) as cleared_at,
        cast(released_at as timestamp) as released_at,
        cast(warehouse_out_at as timestamp) as warehouse_out_at,
        cast(delivered_at as timestamp) as delivered_at,
        cast({{ to_cn('delivered_at') }} as timestamp) as delivered_at_cn,
        delivered_at is not null as is_delivered,
        cast(hours_paid_to_declared as decimal(12, 2)) as hours_paid_to_declared,
        cast(hours_declared_to_cleared as decimal(12, 2)) as hours_declared_to_cleared,
        cast(hours_cleared_to_released as decimal(12, 2)) as hours_cleared_to_released,
        cast(hours_released_to_warehouse_out as decimal(12, 2)) as hours_released_to_warehouse_out,
        cast(hours_warehouse_out_to_delivered as decimal(12, 2)) as hours_warehouse_out_to_delivered,
        cast(arrived_at as timestamp) as arrived_at,
        cast(hours_paid_to_dispatched as decimal(12, 2)) as hours_paid_to_dispatched,
        cast(hours_dispatched_to_arrived as decimal(12, 2)) as hours_dispatched_to_arrived,
        cast(hours_arrived_to_declared as decimal(12, 2)) as hours_arrived_to_declared,
        cast(hours_released_to_delivered as decimal(12, 2)) as hours_released_to_delivered,
        cast(total_cycle_hours as decimal(12, 2)) as total_cycle_hours,
        cast(is_declared as boolean) as is_declared,
        cast(three_document_match_status as varchar) as three_document_match_status,
        cast(is_buyer_payer_match as boolean) as is_buyer_payer_match,
        cast(latest_customs_status as integer) as latest_customs_status,
        cast(is_returned as boolean) as is_returned,
        cast(had_inspection as boolean) as had_inspection,
        cast(was_detained as boolean) as was_detained,
        cast(had_declaration_error as boolean) as had_declaration_error,
        cast(had_logistics_exception as boolean) as had_logistics_exception,
        cast(sla_hours as integer) as sla_hours,
        cast(is_sla_breached as boolean) as is_sla_breached,
        cast('CNY' as varchar) as currency,
        cast(declared_amount as decimal(18, 2)) as declared_amount,
        cast(dutiable_value as decimal(18, 2)) as dutiable_value,
        cast(is_quota_order as boolean) as is_quota_order,
        cast(buyer_year_to_date_amount as decimal(18, 2)) as buyer_year_to_date_amount,
        case when customs_mode in ('1210', '9610') then
                dutiable_value > {{ var('crossborder_limit_per_transaction_yuan') }}
        end as exceeds_transaction_limit,
        buyer_year_to_date_amount > {{ var('crossborder_limit_per_person_year_yuan') }} as exceeds_annual_limit
    from with_limits
)

select * from final
