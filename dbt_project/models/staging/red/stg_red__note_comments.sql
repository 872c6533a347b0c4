with

source as (
    {{ latest_version('red', 'red_note_comments') }}
),

renamed as (
    select
        {{ clean_text(json_text('comment_id')) }} as comment_id,
        {{ clean_text(json_text('note_id')) }} as note_id,
        {{ json_text('user_token') }} as commenter_token,
        {{ json_text('content') }} as content_redacted,
        {{ to_utc(json_text('create_time')) }} as commented_at,
        {{ parse_count(json_text('like_count')) }} as like_count,
        {{ clean_text(json_text('ip_location')) }} as ip_province,
        _loaded_at as loaded_at
    from source
)

select * from renamed
