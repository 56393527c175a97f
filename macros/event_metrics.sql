{#- The event kinds we report on, mapped to the column name each gets when pivoted. -#}
{% macro tracked_event_types() -%}
    {{ return({
        'PushEvent': 'push_events',
        'PullRequestEvent': 'pull_request_events',
        'IssuesEvent': 'issue_events',
        'IssueCommentEvent': 'comment_events',
        'WatchEvent': 'watch_events',
        'ForkEvent': 'fork_events',
        'CreateEvent': 'create_events',
    }) }}
{%- endmacro %}

{#- Returns a list of SQL expressions, one count column per tracked event kind,
    for use inside a grouped select. -#}
{% macro event_count_columns(type_col='event_type') -%}
    {%- set cols = [] -%}
    {%- for event_type, column_name in tracked_event_types().items() -%}
        {%- do cols.append(
            "sum(case when " ~ type_col ~ " = '" ~ event_type ~ "' then 1 else 0 end) as " ~ column_name
        ) -%}
    {%- endfor -%}
    {{ return(cols) }}
{%- endmacro %}
