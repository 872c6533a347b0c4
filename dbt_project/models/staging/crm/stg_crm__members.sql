with

-- Each export name (the partition without its -<sha8> version) is a snapshot: only its newest delivery
-- by receipt (_interval_end is when the file was taken from the inbox) counts, so a corrected re-export
-- replaces the previous one and a member missing from it is closed, not silently kept.
deliveries as (
    select
        *,
        regexp_replace(_partition, '-[0-9a-f]{8}$', '') as export_name
    from {{ source('crm', 'crm_members') }}
    where record_key is not null
),

current_deliveries as (
    select * exclude (export_name)
    from deliveries
    qualify _partition = first_value(_partition) over (
            partition by export_name order by _interval_end desc, _loaded_at desc, _partition desc
        )
),

source as (
    select *
    from current_deliveries
    qualify row_number() over (
            partition by record_key
            order by _interval_end desc nulls last, _loaded_at desc nulls last, _line_number desc
        ) = 1
),

renamed as (
    select
        {{ clean_text(json_text('member_id')) }} as member_id,
        {{ json_text('mobile_token') }} as mobile_token,
        {{ clean_text(json_text('age_band')) }} as age_band,
        coalesce({{ clean_text(json_text('tier')) }}, 'unknown') as member_tier,
        {{ parse_count(json_text('points')) }} as points,
        {{ to_utc(json_text('joined_at')) }} as joined_at,
        {{ clean_text(json_text('join_channel')) }} as join_channel,
        case {{ clean_text(json_text('marketing_consent')) }}
            when '是' then true when 'Y' then true when '1' then true when 'true' then true
            else false
        end as has_marketing_consent,
        case {{ clean_text(json_text('crossborder_consent')) }}
            when '是' then true when 'Y' then true when '1' then true when 'true' then true
            else false
        end as has_crossborder_consent,
        {{ json_text('id_token') }} as id_token,
        try_cast({{ json_text('id_is_under_14') }} as boolean) as is_under_14,
        {{ json_text('external_user_token') }} as external_user_token,
        {{ json_text('remark') }} as remark_redacted,
        _loaded_at as loaded_at
    from source
)

select * from renamed
