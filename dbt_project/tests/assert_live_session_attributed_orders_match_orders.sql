-- Reconciliation (METRICS.md §1.7 / §4.2): a room's attributed orders and GMV are exactly the paid orders
-- whose attributed_live_session_id is the room, and only douyin_live orders name a room, so the rooms'
-- attributed GMV sums to douyin_live GMV.
with

from_orders as (
    select
        attributed_live_session_id as live_session_id,
        count(*) as orders,
        sum(pay_amount) as gmv
    from {{ ref('fct_orders') }}
    where is_paid and attributed_live_session_id is not null
    group by attributed_live_session_id
)

select sessions.live_session_id
from {{ ref('fct_live_sessions') }} as sessions
left join from_orders on sessions.live_session_id = from_orders.live_session_id
where sessions.attributed_orders <> coalesce(from_orders.orders, 0)
    or sessions.attributed_gmv <> coalesce(from_orders.gmv, 0)
union all
select order_id
from {{ ref('fct_orders') }}
where attributed_live_session_id is not null and channel_id <> 'douyin_live'
