with

source as (
    {{ latest_version('wecom', 'wecom_group_chats') }}
),

renamed as (
    select
        {{ clean_text(json_text('chat_id')) }} as chat_id,
        {{ json_text('name') }} as chat_name_redacted,
        {{ clean_text(json_text('owner')) }} as owner_userid,
        {{ to_utc(json_text('create_time')) }} as created_at,
        coalesce(json_array_length(json_extract(record, '$.member_list')), 0) as member_count,
        _loaded_at as loaded_at
    from source
)

select * from renamed
