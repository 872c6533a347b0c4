with

source as (
    {{ latest_version('douyin', 'douyin_creators') }}
),

renamed as (
    select
        {{ id_text(json_text('author_id')) }} as author_id,
        {{ parse_local_date(json_text('stat_date')) }} as stat_date,
        {{ json_text('nick_name') }} as author_name,
        {{ parse_count(json_text('follower_count')) }} as followers,
        _loaded_at as loaded_at
    from source
)

select * from renamed
