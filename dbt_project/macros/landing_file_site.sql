{#- The site a landing file belongs to: a site export names it (`site_<site>_<what>`), a
    single form is its Parent Partner's (`<pp_id>_<family or pp-level>`); the statewide
    extracts belong to none. Read from the file's name, whatever folder holds it. -#}
{% macro landing_file_site(file) -%}
    {%- set name = "reverse(split_part(reverse(" ~ file ~ "), '/', 1))" -%}
    coalesce(
        case when starts_with({{ name }}, 'site_') and split_part({{ name }}, '_', 3) <> ''
             then split_part({{ name }}, '_', 2) end,
        (select pp.site_id from {{ ref('dim_parent_partner') }} as pp
         where pp.pp_id = split_part({{ name }}, '_', 1))
    )
{%- endmacro %}
