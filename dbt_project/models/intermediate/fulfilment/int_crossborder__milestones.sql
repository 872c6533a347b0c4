-- One row per cross-border order with a payment (O_payment, METRICS.md §8.1: unpaid orders are not in the
-- customs population): milestone times from the order, its declaration (三单 + CEB621), the CEB622
-- receipts and the logistics events; stage durations in hours per mode (§8.5: 1210 bonded is declared,
-- released, then leaves the bonded warehouse; 9610 direct mail leaves the overseas warehouse, arrives at
-- port, then is declared); the dutiable value both limits use (§8.3); SLA status (§8.6) against
-- var('sla_hours_bonded_1210') / var('sla_hours_direct_mail_9610'). Undelivered orders are judged against
-- the latest event time in the data (never now()). CC personal parcels stay as rows but are out of every
-- CBEC metric (no SLA, no limits).
with

orders as (
    select * from {{ ref('int_orders__unioned') }}
),

declarations as (
    select * from {{ ref('stg_customs__declarations') }}
),

receipts as (
    select * from {{ ref('stg_customs__receipts') }}
),

events as (
    select * from {{ ref('stg_logistics__events') }}
),

crossborder_orders as (
    select orders.*
    from orders
    where (orders.is_cross_border or orders.order_id in (select order_id from declarations))
        and orders.paid_at is not null
),

line_totals as (
    select
        order_id,
        sum(pay_amount_fen) as goods_amount_fen
    from {{ ref('int_order_lines__unioned') }}
    group by order_id
),

receipt_milestones as (
    select
        order_id,
        min(returned_at) filter (where return_status = 120) as entered_at,
        min(returned_at) filter (where return_status = 399) as cleared_at,
        min(returned_at) filter (where return_status = 800) as released_at,
        coalesce(bool_or(return_status = 700), false) as has_customs_return,
        coalesce(bool_or(return_status = 800), false) as has_release,
        coalesce(bool_or(return_status = 500), false) as had_inspection,
        coalesce(bool_or(return_status between 501 and 503 or return_status = 599), false) as was_detained,
        coalesce(bool_or(return_status < 0 or return_status = 4), false) as had_declaration_error,
        arg_max(return_status, returned_at) as latest_customs_status,
        max(returned_at) as latest_receipt_at
    from receipts
    group by order_id
),

event_milestones as (
    select
        order_id,
        min(event_at) filter (where event_code = 'WAREHOUSE_OUT') as warehouse_out_at,
        min(event_at) filter (where event_code = 'ARRIVED_PORT') as arrived_at,
        min(event_at) filter (where event_code = 'DELIVERED') as delivered_at,
        coalesce(bool_or(event_code = 'EXCEPTION'), false) as had_logistics_exception,
        max(event_at) as latest_event_at
    from events
    group by order_id
),

waybill_check as (
    select
        events.order_id,
        bool_or(declarations.waybill_no is null or events.waybill_no <> declarations.waybill_no) as has_other_waybill
    from events
    inner join declarations on events.order_id = declarations.order_id
    where nullif(events.waybill_no, '') is not null
    group by events.order_id
),

as_of as (
    select greatest(
        (select max(returned_at) from receipts),
        (select max(event_at) from events),
        (select max(paid_at) from orders)
    ) as as_of_at
),

joined as (
    select
        crossborder_orders.order_id,
        crossborder_orders.platform,
        crossborder_orders.customer_id,
        coalesce(declarations.customs_mode, crossborder_orders.customs_mode_hint) as customs_mode,
        declarations.customs_port_code,
        declarations.waybill_no,
        coalesce(declarations.buyer_id_token, crossborder_orders.buyer_id_token) as buyer_id_token,
        declarations.payer_id_token,
        declarations.payment_no_token as declared_payment_no_token,
        crossborder_orders.payment_no_token as order_payment_no_token,
        declarations.order_id is not null as is_declared,
        declarations.order_doc_at,
        declarations.total_price + coalesce(declarations.freight, 0) + coalesce(declarations.tax_total, 0)
            as declared_pay_amount,
        crossborder_orders.pay_amount_fen,
        coalesce(waybill_check.has_other_waybill, false) as has_other_waybill,
        declarations.payment_doc_at,
        declarations.waybill_doc_at,
        coalesce(declarations.total_price, {{ fen_to_yuan('crossborder_orders.pay_amount_fen') }}) as declared_amount,
        case
            when declarations.order_id is not null
                then declarations.total_price + coalesce(declarations.freight, 0) + declarations.insured_fee
            else cast(
                    (line_totals.goods_amount_fen + coalesce(crossborder_orders.shipping_fee_fen, 0)) / 100
                    as decimal(18, 2)
                )
        end as dutiable_value,
        crossborder_orders.is_paid,
        crossborder_orders.order_status,
        crossborder_orders.paid_at,
        declarations.declared_at,
        receipt_milestones.entered_at,
        receipt_milestones.cleared_at,
        receipt_milestones.released_at,
        event_milestones.warehouse_out_at,
        event_milestones.arrived_at,
        event_milestones.delivered_at,
        -- outcome (METRICS.md §8.2): released if any 800; else returned if any 700, or the latest receipt is
        -- 100 (rejected) and the order is cancelled / closed
        not coalesce(receipt_milestones.has_release, false)
        and (
            coalesce(receipt_milestones.has_customs_return, false)
            or (receipt_milestones.latest_customs_status = 100 and crossborder_orders.order_status = 'cancelled')
        ) as is_returned,
        coalesce(receipt_milestones.had_inspection, false) as had_inspection,
        coalesce(receipt_milestones.was_detained, false) as was_detained,
        coalesce(receipt_milestones.had_declaration_error, false) as had_declaration_error,
        coalesce(event_milestones.had_logistics_exception, false) as had_logistics_exception,
        receipt_milestones.latest_customs_status,
        as_of.as_of_at
    from crossborder_orders
    cross join as_of
    left join declarations on crossborder_orders.order_id = declarations.order_id
    left join receipt_milestones on crossborder_orders.order_id = receipt_milestones.order_id
    left join event_milestones on crossborder_orders.order_id = event_milestones.order_id
    left join line_totals on crossborder_orders.order_id = line_totals.order_id
    left join waybill_check on crossborder_orders.order_id = waybill_check.order_id
),

final as (
    select
        *,
        case
            when not is_declared then 'not_declared'
            when order_doc_at is null then 'missing_order'
            when payment_doc_at is null then 'missing_payment'
            when waybill_doc_at is null then 'missing_waybill'
            -- METRICS.md §8.4, first failing check wins
            when buyer_id_token is null or payer_id_token is null or buyer_id_token <> payer_id_token
                then 'payer_mismatch'
            when declared_payment_no_token is not null and order_payment_no_token is not null
                and declared_payment_no_token <> order_payment_no_token then 'payment_no_mismatch'
            when cast(round(declared_pay_amount * 100) as bigint) <> pay_amount_fen then 'amount_mismatch'
            when has_other_waybill then 'waybill_mismatch'
            else 'matched'
        end as three_document_match_status,
        buyer_id_token is not null and buyer_id_token = payer_id_token as is_buyer_payer_match,
        -- 1210 bonded sequence (the other mode's stages stay NULL)
        case when customs_mode = '1210' then {{ hours_between('paid_at', 'declared_at') }} end
            as hours_paid_to_declared,
        case when customs_mode = '1210' then {{ hours_between('released_at', 'warehouse_out_at') }} end
            as hours_released_to_warehouse_out,
        case when customs_mode = '1210' then {{ hours_between('warehouse_out_at', 'delivered_at') }} end
            as hours_warehouse_out_to_delivered,
        -- both CBEC modes
        case when customs_mode in ('1210', '9610') then {{ hours_between('declared_at', 'cleared_at') }} end
            as hours_declared_to_cleared,
        case when customs_mode in ('1210', '9610') then {{ hours_between('cleared_at', 'released_at') }} end
            as hours_cleared_to_released,
        -- 9610 direct-mail sequence
        case when customs_mode = '9610' then {{ hours_between('paid_at', 'warehouse_out_at') }} end
            as hours_paid_to_dispatched,
        case when customs_mode = '9610' then {{ hours_between('warehouse_out_at', 'arrived_at') }} end
            as hours_dispatched_to_arrived,
        case when customs_mode = '9610' then {{ hours_between('arrived_at', 'declared_at') }} end
            as hours_arrived_to_declared,
        case when customs_mode = '9610' then {{ hours_between('released_at', 'delivered_at') }} end
            as hours_released_to_delivered,
        {{ hours_between('paid_at', 'delivered_at') }} as total_cycle_hours,
        case customs_mode
            when '1210' then {{ var('sla_hours_bonded_1210') }}
            when '9610' then {{ var('sla_hours_direct_mail_9610') }}
        end as sla_hours,
        customs_mode in ('1210', '9610') and is_paid as is_quota_order
    from joined
)

select
    *,
    case
        when sla_hours is null or paid_at is null then null
        when delivered_at is not null then total_cycle_hours > sla_hours
        -- out of scope (§8.6): returned by customs, cancelled / closed, without delivery
        when is_returned or order_status = 'cancelled' then null
        when date_diff('second', paid_at, as_of_at) / 3600.0 >= sla_hours then true
    end as is_sla_breached
from final
