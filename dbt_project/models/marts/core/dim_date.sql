-- Calendar days (Asia/Shanghai) with week, month, quarter, weekend and campaign flags from
-- var('campaigns'). A day can fall in several campaigns (双11 pre-sale and 红色星期五 never overlap today).
{%- set campaign_names = ['618', 'double_11', 'double_12', 'red_66', 'red_friday', 'cny'] %}
with

days as (
    select cast(day as date) as date_day
    from generate_series(
            date '{{ var("date_spine_start") }}', date '{{ var("date_spine_end") }}', interval 1 day
        ) as spine (day)
),

campaigns as (
    {%- for c in var('campaigns') %}
        select
            '{{ c.campaign }}' as campaign,
            date '{{ c.start }}' as start_date,
            date '{{ c.end }}' as end_date
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

day_campaigns as (
    select
        days.date_day,
        {%- for name in campaign_names %}
            bool_or(campaigns.campaign = '{{ name }}') as is_{{ name | replace('618', 'campaign_618') }},
        {%- endfor %}
        string_agg(campaigns.campaign, ',' order by campaigns.campaign) as campaign_names
    from days
    inner join campaigns on days.date_day between campaigns.start_date and campaigns.end_date
    group by days.date_day
),

final as (
    select
        days.date_day,
        cast(date_trunc('week', days.date_day) as date) as week_start,
        cast(yearweek(days.date_day) as integer) as iso_year_week,
        cast(date_trunc('month', days.date_day) as date) as month_start,
        cast(date_trunc('quarter', days.date_day) as date) as quarter_start,
        cast(year(days.date_day) as integer) as year_number,
        cast(quarter(days.date_day) as integer) as quarter_number,
        cast(month(days.date_day) as integer) as month_number,
        cast(isodow(days.date_day) as integer) as iso_day_of_week,
        isodow(days.date_day) in (6, 7) as is_weekend,
        day_campaigns.campaign_names,
        {%- for name in campaign_names %}
            coalesce(day_campaigns.is_{{ name | replace('618', 'campaign_618') }}, false)
                as is_{{ name | replace('618', 'campaign_618') }},
        {%- endfor %}
        day_campaigns.date_day is not null as is_campaign_day
    from days
    left join day_campaigns on days.date_day = day_campaigns.date_day
)

select * from final
