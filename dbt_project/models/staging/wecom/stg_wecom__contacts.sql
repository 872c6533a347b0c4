with

source as (
    {{ latest_version('wecom', 'wecom_contacts') }}
),

renamed as (
    select
        {{ json_text('external_contact.external_user_token') }} as external_user_token,
        try_cast({{ json_text('external_contact.type') }} as integer) as contact_type,
        {{ json_text('external_contact.unionid_token') }} as unionid_token,
        {{ clean_text(json_text('follow_info.userid')) }} as staff_userid,
        {{ json_text('follow_info.remark') }} as remark_redacted,
        {{ json_text('follow_info.description') }} as description_redacted,
        {{ to_utc(json_text('follow_info.createtime')) }} as added_at,
        coalesce(try_cast(json_extract(record, '$.follow_info.tag_id') as varchar[]), []::varchar[]) as tag_ids,
        coalesce(
            try_cast(json_extract(record, '$.follow_info.remark_mobile_tokens') as varchar[]), []::varchar[]
        ) as remark_mobile_tokens,
        try_cast({{ json_text('follow_info.add_way') }} as integer) as add_way,
        {{ clean_text(json_text('follow_info.state')) }} as channel_state,
        _loaded_at as loaded_at
    from source
)

select * from renamed
