-- Order attribution, in order of precedence:
--   1. platform fields on the order's lines (first line that has any): Douyin room -> douyin_live,
--      Douyin video / content (or a creator in a live context) -> douyin_short_video / douyin_live,
--      RED note or KOL -> red_note;
--   2. private domain: the customer (phone token) is a WeCom contact, CRM member or 社群 member who was added
--      before the order -> private_domain; the channel code (state live_<room_id> / note_<note_id>) of
--      the buyer's LATEST WeCom add at or before the order credits that room / note
--      (attribution_source private_domain_state) when the order is created within
--      var('attribution_window_days') days of that add. This is private-domain credit: the order never
--      gets an attributed_live_session_id, which only douyin_live orders carry (METRICS.md §1.7);
--   3. otherwise organic_unknown.
-- private_domain_loaded_at (load time of the matching contacts / members) lets the incremental facts
-- rebuild an order when the contact that explains it is loaded after the order.
with

orders as (
    select * from {{ ref('int_orders__unioned') }}
),

lines as (
    select * from {{ ref('int_order_lines__unioned') }}
),

contacts as (
    select * from {{ ref('stg_wecom__contacts') }}
),

members as (
    select * from {{ ref('stg_crm__members') }}
),

platform_attribution as (
    select
        order_id,
        case
            when platform = 'red' then 'red_note'
            when room_id is not null or is_live_context then 'douyin_live'
            else 'douyin_short_video'
        end as channel_id,
        case when platform = 'douyin' then coalesce(room_id, content_id) else content_id end as content_id,
        creator_id,
        room_id as live_session_id
    from lines
    where coalesce(room_id, video_id, content_id, creator_id) is not null
    qualify row_number() over (partition by order_id order by line_number, order_line_id) = 1
),

contact_phones as (
    select
        unnest(remark_mobile_tokens) as customer_id,
        external_user_token,
        added_at,
        channel_state,
        loaded_at
    from contacts
),

private_domain_candidates as (
    select
        orders.order_id,
        contact_phones.added_at,
        contact_phones.channel_state,
        true as is_wecom,
        contact_phones.loaded_at
    from orders
    inner join contact_phones
        on orders.customer_id = contact_phones.customer_id
            and orders.created_at >= contact_phones.added_at
    union all
    select
        orders.order_id,
        members.joined_at as added_at,
        cast(null as varchar) as channel_state,
        false as is_wecom,
        members.loaded_at
    from orders
    inner join members
        on orders.customer_id = members.mobile_token
            and orders.created_at >= members.joined_at
    union all
    -- METRICS.md §1.8: a 社群 member (member -> external_userid -> contact -> phone) is private too
    select
        orders.order_id,
        group_members.joined_at as added_at,
        cast(null as varchar) as channel_state,
        false as is_wecom,
        group_members.loaded_at
    from orders
    inner join contact_phones on orders.customer_id = contact_phones.customer_id
    inner join {{ ref('stg_wecom__group_members') }} as group_members
        on contact_phones.external_user_token = group_members.member_token
            and group_members.member_type = 2
            and orders.created_at >= group_members.joined_at
),

private_domain as (
    select
        private_domain_candidates.order_id,
        max(private_domain_candidates.loaded_at) over (partition by private_domain_candidates.order_id)
            as private_domain_loaded_at,
        case
            when orders.created_at < private_domain_candidates.added_at
                + to_days({{ var('attribution_window_days') }})
                then private_domain_candidates.channel_state
        end as state_in_window
    from private_domain_candidates
    inner join orders on private_domain_candidates.order_id = orders.order_id
    qualify row_number() over (
            partition by private_domain_candidates.order_id
            order by private_domain_candidates.is_wecom desc, private_domain_candidates.added_at desc
        ) = 1
),

final as (
    select
        orders.order_id,
        case
            when platform_attribution.order_id is not null then 'platform'
            when nullif(regexp_extract(private_domain.state_in_window, '^(live|note)_(.+)$', 2), '') is not null
                then 'private_domain_state'
            when private_domain.order_id is not null then 'private_domain'
            else 'none'
        end as attribution_source,
        coalesce(
            platform_attribution.channel_id,
            case when private_domain.order_id is not null then 'private_domain' end,
            'organic_unknown'
        ) as channel_id,
        coalesce(
            platform_attribution.content_id,
            regexp_extract(private_domain.state_in_window, '^(live|note)_(.+)$', 2)
        ) as attributed_content_id,
        case
            when platform_attribution.order_id is not null then platform_attribution.creator_id
        end as attributed_creator_id,
        case
            when platform_attribution.channel_id = 'douyin_live' then platform_attribution.live_session_id
        end as attributed_live_session_id,
        private_domain.private_domain_loaded_at
    from orders
    left join platform_attribution on orders.order_id = platform_attribution.order_id
    left join private_domain on orders.order_id = private_domain.order_id
)

select
    order_id,
    attribution_source,
    channel_id,
    nullif(attributed_content_id, '') as attributed_content_id,
    attributed_creator_id,
    nullif(attributed_live_session_id, '') as attributed_live_session_id,
    private_domain_loaded_at
from final
