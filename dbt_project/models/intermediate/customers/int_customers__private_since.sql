-- The instant each customer (phone token) became private-domain (METRICS.md §1.8): the earliest of a WeCom
-- add (createtime, matched through remark_mobiles), a CRM join (joined_at) and a 社群 join of an external
-- member (join_time; member -> external_userid -> contact -> phone). Membership is permanent once gained
-- (no deletion feed), so is_private_at(customer, t) = private_since_at <= t. Never joined on unionid.
with

contact_phones as (
    select
        unnest(remark_mobile_tokens) as customer_id,
        external_user_token,
        added_at
    from {{ ref('stg_wecom__contacts') }}
),

wecom as (
    select
        customer_id,
        min(added_at) as since_at
    from contact_phones
    where customer_id is not null
    group by customer_id
),

crm as (
    select
        mobile_token as customer_id,
        min(joined_at) as since_at
    from {{ ref('stg_crm__members') }}
    where mobile_token is not null
    group by mobile_token
),

community as (
    select
        contact_phones.customer_id,
        min(members.joined_at) as since_at
    from {{ ref('stg_wecom__group_members') }} as members
    inner join contact_phones on members.member_token = contact_phones.external_user_token
    where members.member_type = 2 and contact_phones.customer_id is not null
    group by contact_phones.customer_id
),

unioned as (
    select
        customer_id,
        since_at as wecom_added_at,
        null::timestamp as crm_joined_at,
        null::timestamp as group_joined_at
    from wecom
    union all by name
    select
        customer_id,
        since_at as crm_joined_at
    from crm
    union all by name
    select
        customer_id,
        since_at as group_joined_at
    from community
)

select
    customer_id,
    min(wecom_added_at) as wecom_added_at,
    min(crm_joined_at) as crm_joined_at,
    min(group_joined_at) as group_joined_at,
    least(min(wecom_added_at), min(crm_joined_at), min(group_joined_at)) as private_since_at
from unioned
group by customer_id
