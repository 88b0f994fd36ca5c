-- The contract position per (contract, SFY): installments, retainage and
-- whether the retainage is earned, forfeited, at risk or on track.
with

terms as (

    select * from {{ ref('stg_contract_terms') }}

),

invoices as (

    select
        *,
        {{ sfy_of('service_month') }} as sfy,
        paid_on is not null and paid_on <= {{ as_of_date() }} as is_paid
    from {{ ref('stg_invoices') }}

),

invoiced as (

    select
        contract_id,
        sfy,
        sum(case when invoice_type = 'installment' then amount else 0 end) as installments_invoiced,
        sum(case when invoice_type = 'installment' and is_paid then amount else 0 end) as installments_paid,
        sum(case when invoice_type = 'retainage' then amount else 0 end) as retainage_invoiced,
        sum(case when invoice_type = 'retainage' and is_paid then amount else 0 end) as retainage_paid
    from invoices
    group by contract_id, sfy

),

measures as (

    select
        sfy,
        count(met) as measures_applicable,
        sum(case when met then 1 else 0 end) as measures_met
    from {{ ref('fct_performance_measure') }}
    group by sfy

),

positioned as (

    select
        terms.contract_id,
        terms.sfy,
        terms.annual_value,
        terms.retainage_pct,
        round(cast(terms.annual_value * (1 - terms.retainage_pct) / 12 as numeric(38, 10)), 2) as installment_amount,
        round(cast(terms.annual_value * terms.retainage_pct as numeric(38, 10)), 2) as retainage_amount,
        coalesce(invoiced.installments_invoiced, 0) as installments_invoiced,
        coalesce(invoiced.installments_paid, 0) as installments_paid,
        coalesce(invoiced.retainage_invoiced, 0) as retainage_invoiced,
        coalesce(invoiced.retainage_paid, 0) as retainage_paid,
        coalesce(measures.measures_applicable, 0) as measures_applicable,
        coalesce(measures.measures_met, 0) as measures_met,
        {{ sfy_is_final('terms.sfy') }} as is_final
    from terms
    left join invoiced
        on terms.contract_id = invoiced.contract_id
        and terms.sfy = invoiced.sfy
    left join measures
        on terms.sfy = measures.sfy

),

statused as (

    select
        *,
        case
            when is_final and measures_met = measures_applicable then 'earned'
            when is_final then 'forfeited'
            when measures_met < measures_applicable then 'at_risk'
            else 'on_track'
        end as retainage_status
    from positioned

),

final as (

    select
        cast(contract_id as varchar) as contract_id,
        cast(sfy as integer) as sfy,
        cast(annual_value as double precision) as annual_value,
        cast(retainage_pct as double precision) as retainage_pct,
        cast(installment_amount as double precision) as installment_amount,
        cast(installments_invoiced as double precision) as installments_invoiced,
        cast(installments_paid as double precision) as installments_paid,
        cast(retainage_amount as double precision) as retainage_amount,
        cast(measures_applicable as integer) as measures_applicable,
        cast(measures_met as integer) as measures_met,
        cast(retainage_status as varchar) as retainage_status,
        cast(
            case retainage_status when 'earned' then retainage_amount when 'forfeited' then 0 end
            as double precision
        ) as retainage_earned,
        cast(retainage_invoiced as double precision) as retainage_invoiced,
        cast(retainage_paid as double precision) as retainage_paid
    from statused

)

select * from final
