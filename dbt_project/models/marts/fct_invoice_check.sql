-- Every contract invoice beside what the contract and the measures say it should be,
-- with the first disagreement found (null when the invoice agrees).
with

invoices as (

    select
        *,
        {{ sfy_of('service_month') }} as sfy,
        row_number() over (
            partition by contract_id, invoice_type, service_month
            order by submitted_on, invoice_id
        ) as nth_for_month
    from {{ ref('stg_invoices') }}

),

positions as (

    select * from {{ ref('fct_contract_sfy') }}

),

compared as (

    select
        invoices.invoice_id,
        invoices.contract_id,
        invoices.sfy,
        invoices.invoice_type,
        invoices.service_month,
        invoices.amount,
        case
            when invoices.invoice_type = 'installment' then positions.installment_amount
            when positions.retainage_status = 'earned' then positions.retainage_amount
            when positions.retainage_status = 'forfeited' then 0
        end as expected_amount,
        invoices.submitted_on,
        invoices.paid_on,
        positions.contract_id is not null as has_terms,
        positions.retainage_status,
        invoices.nth_for_month
    from invoices
    left join positions
        on invoices.contract_id = positions.contract_id
        and invoices.sfy = positions.sfy

),

final as (

    select
        invoice_id,
        contract_id,
        sfy,
        invoice_type,
        service_month,
        amount,
        cast(expected_amount as double precision) as expected_amount,
        submitted_on,
        paid_on,
        case
            when not has_terms then 'no contract terms for this SFY'
            when invoice_type = 'retainage' and retainage_status = 'forfeited'
                then 'retainage invoiced for a year whose retainage was forfeited'
            when invoice_type = 'retainage' and retainage_status in ('at_risk', 'on_track')
                then 'retainage invoiced before the SFY''s measures are final'
            when nth_for_month > 1 then 'a second invoice of this type for the same month'
            when abs(amount - expected_amount) >= 0.005
                then 'amount differs from the contract''s ' || invoice_type
        end as issue
    from compared

)

select * from final
