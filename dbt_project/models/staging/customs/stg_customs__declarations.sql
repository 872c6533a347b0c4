with

source as (
    {{ latest_version('customs', 'customs_declarations') }}
),

renamed as (
    select
        {{ clean_text(json_text('orderNo')) }} as order_id,
        lower({{ clean_text(json_text('platform')) }}) as platform,
        {{ clean_text(json_text('ebpCode')) }} as ebp_code,
        {{ clean_text(json_text('ebcCode')) }} as ebc_code,
        {{ clean_text(json_text('tradeMode')) }} as customs_mode,
        {{ clean_text(json_text('customsCode')) }} as customs_port_code,
        {{ to_utc(json_text('orderDocTime')) }} as order_doc_at,
        {{ to_utc(json_text('paymentDocTime')) }} as payment_doc_at,
        {{ to_utc(json_text('waybillDocTime')) }} as waybill_doc_at,
        {{ to_utc(json_text('invtDocTime')) }} as declared_at,
        {{ clean_text(json_text('logisticsNo')) }} as waybill_no,
        {{ clean_text(json_text('payCode')) }} as pay_company_code,
        {{ json_text('payment_no_token') }} as payment_no_token,
        {{ json_text('buyerName') }} as buyer_name_mask,
        {{ clean_text(json_text('buyerIdType')) }} as buyer_id_type,
        {{ json_text('buyer_id_token') }} as buyer_id_token,
        try_cast({{ json_text('buyer_id_is_valid') }} as boolean) as buyer_id_is_valid,
        try_cast({{ json_text('buyer_id_is_under_14') }} as boolean) as buyer_id_is_under_14,
        {{ json_text('buyer_id_age_band') }} as buyer_id_age_band,
        {{ json_text('buyer_phone_token') }} as buyer_phone_token,
        {{ json_text('payer_id_token') }} as payer_id_token,
        {{ parse_yuan(json_text('totalPrice')) }} as total_price,
        {{ parse_yuan(json_text('freight')) }} as freight,
        coalesce({{ parse_yuan(json_text('insuredFee')) }}, 0) as insured_fee,
        {{ parse_yuan(json_text('taxTotal')) }} as tax_total,
        case {{ clean_text(json_text('currency')) }}
            when '142' then 'CNY' else {{ clean_text(json_text('currency')) }}
        end as currency,
        try_cast({{ clean_text(json_text('grossWeight')) }} as decimal(12, 3)) as gross_weight_kg,
        _loaded_at as loaded_at
    from source
)

select * from renamed
