{{ config(
    materialized='incremental',
    unique_key='customs_event_id',
    incremental_strategy='delete+insert',
    on_schema_change='append_new_columns',
) }}
-- One row per CEB622 receipt (customs event), with the status decoded and grouped.
with

receipts as (
    select * from {{ ref('stg_customs__receipts') }}
),

declarations as (
    select
        order_id,
        customs_mode,
        customs_port_code
    from {{ ref('stg_customs__declarations') }}
),

final as (
    select
        cast(receipts.customs_event_id as varchar) as customs_event_id,
        cast(receipts.order_id as varchar) as order_id,
        cast(receipts.invt_no as varchar) as invt_no,
        cast(receipts.return_status as integer) as return_status,
        cast(case
            when receipts.return_status < 0 then 'error'
            when receipts.return_status = 1 then 'stored'
            when receipts.return_status = 2 then 'declaring'
            when receipts.return_status = 3 then 'sent'
            when receipts.return_status = 4 then 'send_failed'
            when receipts.return_status = 100 then 'returned_by_customs'
            when receipts.return_status = 120 then 'entered'
            when receipts.return_status = 300 then 'manual_review'
            when receipts.return_status = 399 then 'cleared'
            when receipts.return_status = 500 then 'inspection'
            when receipts.return_status between 501 and 503 or receipts.return_status = 599 then 'detained'
            when receipts.return_status = 700 then 'returned'
            when receipts.return_status = 800 then 'released'
            when receipts.return_status = 899 then 'closed'
            else 'unknown'
        end as varchar) as return_status_name,
        coalesce(
            receipts.return_status < 0 or receipts.return_status in (4, 100, 500, 501, 502, 503, 599, 700), false
        ) as is_exception,
        cast(receipts.returned_at as timestamp) as event_at,
        cast({{ to_cn('receipts.returned_at') }} as timestamp) as event_at_cn,
        {{ cn_date('receipts.returned_at') }} as event_date,
        -- Minimised by design: the customs message (free text about a person's parcel) stays in the restricted
        -- zone; the mart carries derived facts only.
        cast(length(receipts.return_info_redacted) as bigint) as return_info_length,
        coalesce(regexp_matches(
            receipts.return_info_redacted,
            '\[(手机号|身份证号|邮箱|银行卡|微信号|QQ号|姓名|地址)\]'
        ), false) as return_info_contact_removed,
        cast(declarations.customs_mode as varchar) as customs_mode,
        cast(declarations.customs_port_code as varchar) as customs_port_code,
        cast(receipts.loaded_at as timestamp with time zone) as source_loaded_at
    from receipts
    left join declarations on receipts.order_id = declarations.order_id
    where receipts.customs_event_id is not null
        {% if is_incremental() %}
            and {{ incremental_since('receipts.loaded_at') }}
        {% endif %}
)

select * from final
