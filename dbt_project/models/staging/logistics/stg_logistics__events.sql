with

source as (
    {{ latest_version('logistics', 'logistics_events') }}
),

renamed as (
    select
        {{ clean_text(json_text('event_id')) }} as logistics_event_id,
        {{ clean_text(json_text('logisticsNo')) }} as waybill_no,
        {{ clean_text(json_text('orderNo')) }} as order_id,
        {{ clean_text(json_text('carrier')) }} as carrier,
        upper({{ clean_text(json_text('event_code')) }}) as event_code,
        {{ to_utc(json_text('event_time')) }} as event_at,
        {{ clean_text(json_text('city')) }} as city,
        {{ json_text('remark') }} as remark_redacted,
        _loaded_at as loaded_at
    from source
)

select * from renamed
