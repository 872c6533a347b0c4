with

source as (
    {{ latest_version('crm', 'crm_members') }}
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
