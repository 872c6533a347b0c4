with

source as (
    {{ latest_version('wecom', 'wecom_group_chats') }}
),

unnested as (
    select
        source.record as chat_record,
        member.value as record,
        source._loaded_at
    from source,
        json_each(json_extract(source.record, '$.member_list')) as member
),

renamed as (
    select
        {{ clean_text("json_extract_string(chat_record, '$.chat_id')") }} as chat_id,
        {{ json_text('external_user_token') }} as member_token,
        try_cast({{ json_text('type') }} as integer) as member_type,
        {{ to_utc(json_text('join_time')) }} as joined_at,
        try_cast({{ json_text('join_scene') }} as integer) as join_scene,
        _loaded_at as loaded_at
    from unnested
)

select * from renamed
