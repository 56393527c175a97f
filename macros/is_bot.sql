{#- True when a login looks like an automation account (GitHub App logins end in "[bot]").
    The pattern comes from the namespaced var so a deployment can widen it. -#}
{% macro is_bot(login_col) -%}
    ({{ login_col }} like '{{ var("github_activity:bot_pattern", "%[bot]") }}')
{%- endmacro %}
