-- One row per WeCom external contact, dated by its first add ever (METRICS.md §5.1 wecom_new_contacts:
-- min createtime over all follow_user rows; a contact added by two staff members counts once). add_way and
-- the state code are those of that first add; state_prefix splits live_ / note_ / other / none. New contacts
-- per Shanghai day = count(*) by first_added_date.
with

adds as (
    select
        external_user_token,
        staff_userid,
        added_at,
        add_way,
        channel_state
    from {{ ref('stg_wecom__contacts') }}
    where external_user_token is not null and added_at is not null
),

first_adds as (
    select
        *,
        count(distinct staff_userid) over (partition by external_user_token) as staff_count
    from adds
    qualify row_number() over (partition by external_user_token order by added_at, staff_userid) = 1
),

final as (
    select
        cast(external_user_token as varchar) as external_user_token,
        cast(added_at as timestamp) as first_added_at,
        {{ cn_date('added_at') }} as first_added_date,
        cast(add_way as integer) as add_way,
        cast(channel_state as varchar) as channel_state,
        cast(case
            when channel_state is null or channel_state = '' then 'none'
            when starts_with(channel_state, 'live_') then 'live'
            when starts_with(channel_state, 'note_') then 'note'
            else 'other'
        end as varchar) as state_prefix,
        cast(staff_count as bigint) as staff_count
    from first_adds
)

select * from final
