with

source as (
    {{ latest_version('customs', 'customs_receipts') }}
),

renamed as (
    select
        {{ clean_text(json_text('guid')) }} as customs_event_id,
        {{ clean_text(json_text('orderNo')) }} as order_id,
        {{ clean_text(json_text('invtNo')) }} as invt_no,
        {{ clean_text(json_text('copNo')) }} as cop_no,
        {{ clean_text(json_text('preNo')) }} as pre_no,
        try_cast({{ clean_text(json_text('returnStatus')) }} as integer) as return_status,
        {{ to_utc(json_text('returnTime')) }} as returned_at,
        {{ json_text('returnInfo') }} as return_info_redacted,
        _loaded_at as loaded_at
    from source
)

select * from renamed
