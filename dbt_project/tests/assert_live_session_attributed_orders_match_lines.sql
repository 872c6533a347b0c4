-- Reconciliation: fct_live_sessions.attributed_orders equals the paid Douyin orders with any line in the room.
with

from_lines as (
    select lines.live_session_id, count(distinct lines.order_id) as orders
    from {{ ref('fct_order_lines') }} as lines
    where lines.is_paid and lines.platform = 'douyin' and lines.live_session_id is not null
    group by lines.live_session_id
)

select sessions.live_session_id
from {{ ref('fct_live_sessions') }} as sessions
left join from_lines on sessions.live_session_id = from_lines.live_session_id
where sessions.attributed_orders <> coalesce(from_lines.orders, 0)
