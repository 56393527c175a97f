{#-
    dbt's cross-database macros (dbt.type_string(), dbt.datediff(...), dbt.date_spine(...) ...).

    Each public macro only dispatches: adapter.dispatch('name', 'dbt') picks `duckdb__name` or
    `bigquery__name` when the warehouses need different SQL, else `default__name`. Argument names
    and defaults follow dbt's, since projects call these with keyword arguments. The SQL each body
    emits is what dbt-core, dbt-duckdb and dbt-bigquery emit; the templates are xform's own.

    Differences from dbt, all because xform compiles without a warehouse connection:
    - column type names are spelled out per adapter (there is no api.Column.translate_type);
    - get_intervals_between cannot run `select datediff(...)`: it computes the count when both
      bounds are date/timestamp literals, otherwise it returns the datediff expression, which
      DuckDB's generate_series and BigQuery's generate_array accept as an upper bound.
-#}

{#- ---- column types -------------------------------------------------------------------- -#}

{% macro type_string() -%}
    {{ return(adapter.dispatch('type_string', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_string() -%}
    {{ return('TEXT') }}
{%- endmacro %}

{% macro bigquery__type_string() -%}
    {{ return('string') }}
{%- endmacro %}

{% macro type_timestamp() -%}
    {{ return(adapter.dispatch('type_timestamp', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_timestamp() -%}
    {{ return('timestamp') }}
{%- endmacro %}

{% macro type_float() -%}
    {{ return(adapter.dispatch('type_float', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_float() -%}
    {{ return('float') }}
{%- endmacro %}

{% macro bigquery__type_float() -%}
    {{ return('FLOAT64') }}
{%- endmacro %}

{% macro type_numeric() -%}
    {{ return(adapter.dispatch('type_numeric', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_numeric() -%}
    {{ return('numeric(28,6)') }}
{%- endmacro %}

{#- BigQuery's numeric takes no precision/scale here. -#}
{% macro bigquery__type_numeric() -%}
    {{ return('numeric') }}
{%- endmacro %}

{% macro type_bigint() -%}
    {{ return(adapter.dispatch('type_bigint', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_bigint() -%}
    {{ return('bigint') }}
{%- endmacro %}

{% macro type_int() -%}
    {{ return(adapter.dispatch('type_int', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_int() -%}
    {{ return('integer') }}
{%- endmacro %}

{% macro bigquery__type_int() -%}
    {{ return('INT64') }}
{%- endmacro %}

{% macro type_boolean() -%}
    {{ return(adapter.dispatch('type_boolean', 'dbt')()) }}
{%- endmacro %}

{% macro default__type_boolean() -%}
    {{ return('boolean') }}
{%- endmacro %}

{#- ---- dates and times --------------------------------------------------------------------- -#}

{% macro date_trunc(datepart, date) -%}
    {{ return(adapter.dispatch('date_trunc', 'dbt')(datepart, date)) }}
{%- endmacro %}

{% macro default__date_trunc(datepart, date) -%}
    date_trunc('{{ datepart }}', {{ date }})
{%- endmacro %}

{% macro bigquery__date_trunc(datepart, date) -%}
    timestamp_trunc(cast({{ date }} as timestamp), {{ datepart }})
{%- endmacro %}

{% macro datediff(first_date, second_date, datepart) -%}
    {{ return(adapter.dispatch('datediff', 'dbt')(first_date, second_date, datepart)) }}
{%- endmacro %}

{% macro default__datediff(first_date, second_date, datepart) -%}
    datediff({{ datepart }}, {{ first_date }}, {{ second_date }})
{%- endmacro %}

{#- DuckDB counts boundaries with date_diff; weeks are whole days / 7, plus one when the
    span crosses a week start that the division misses. -#}
{% macro duckdb__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'week' -%}
        ({{ datediff(first_date, second_date, 'day') }} // 7 + case
            when date_part('dow', ({{ first_date }})::timestamp) <= date_part('dow', ({{ second_date }})::timestamp)
                then case when {{ first_date }} <= {{ second_date }} then 0 else -1 end
            else case when {{ first_date }} <= {{ second_date }} then 1 else 0 end
        end)
    {%- else -%}
        (date_diff('{{ datepart }}', ({{ first_date }})::timestamp, ({{ second_date }})::timestamp))
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__datediff(first_date, second_date, datepart) -%}
    datetime_diff(cast({{ second_date }} as datetime), cast({{ first_date }} as datetime), {{ datepart }})
{%- endmacro %}

{% macro dateadd(datepart, interval, from_date_or_timestamp) -%}
    {{ return(adapter.dispatch('dateadd', 'dbt')(datepart, interval, from_date_or_timestamp)) }}
{%- endmacro %}

{% macro default__dateadd(datepart, interval, from_date_or_timestamp) -%}
    dateadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}

{#- DuckDB: multiply a one-unit interval so the amount may be any expression; quarters and
    weeks become months and days. -#}
{% macro duckdb__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- set unit = datepart | lower -%}
    {%- if unit == 'quarter' -%}
        ({{ from_date_or_timestamp }} + (cast({{ interval }} as bigint) * 3) * interval 1 month)
    {%- elif unit == 'week' -%}
        ({{ from_date_or_timestamp }} + (cast({{ interval }} as bigint) * 7) * interval 1 day)
    {%- else -%}
        ({{ from_date_or_timestamp }} + cast({{ interval }} as bigint) * interval 1 {{ unit }})
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__dateadd(datepart, interval, from_date_or_timestamp) -%}
    datetime_add(cast({{ from_date_or_timestamp }} as datetime), interval {{ interval }} {{ datepart }})
{%- endmacro %}

{% macro last_day(date, datepart) -%}
    {{ return(adapter.dispatch('last_day', 'dbt')(date, datepart)) }}
{%- endmacro %}

{#- The day before the start of the next period. -#}
{% macro default_last_day(date, datepart) -%}
    cast({{ dbt.dateadd('day', '-1', dbt.dateadd(datepart, '1', dbt.date_trunc(datepart, date))) }} as date)
{%- endmacro %}

{% macro default__last_day(date, datepart) -%}
    {{ dbt.default_last_day(date, datepart) }}
{%- endmacro %}

{% macro duckdb__last_day(date, datepart) -%}
    {%- if datepart == 'quarter' -%}
        cast({{ dbt.dateadd('day', '-1', dbt.dateadd('month', '3', dbt.date_trunc(datepart, date))) }} as date)
    {%- else -%}
        {{ dbt.default_last_day(date, datepart) }}
    {%- endif -%}
{%- endmacro %}

{% macro date(year, month, day) -%}
    {{ return(adapter.dispatch('date', 'dbt')(year, month, day)) }}
{%- endmacro %}

{% macro default__date(year, month, day) -%}
    to_date('{{ modules.datetime.date(year, month, day).strftime('%Y-%m-%d') }}', 'YYYY-MM-DD')
{%- endmacro %}

{% macro duckdb__date(year, month, day) -%}
    make_date({{ year }}, {{ month }}, {{ day }})
{%- endmacro %}

{% macro bigquery__date(year, month, day) -%}
    date({{ year }}, {{ month }}, {{ day }})
{%- endmacro %}

{#- ---- casts ---------------------------------------------------------------------------------- -#}

{% macro cast(field, type) -%}
    {{ return(adapter.dispatch('cast', 'dbt')(field, type)) }}
{%- endmacro %}

{% macro default__cast(field, type) -%}
    cast({{ field }} as {{ type }})
{%- endmacro %}

{% macro safe_cast(field, type) -%}
    {{ return(adapter.dispatch('safe_cast', 'dbt')(field, type)) }}
{%- endmacro %}

{#- Most warehouses have no safe cast, so this is a plain cast. -#}
{% macro default__safe_cast(field, type) -%}
    cast({{ field }} as {{ type }})
{%- endmacro %}

{#- BigQuery: a list of values cast to array<T> is cast element by element; a dict cast to
    json goes through a JSON literal; struct and geography literals lose their quotes. -#}
{% macro bigquery__safe_cast(field, type) -%}
    {%- set lowered = type | lower -%}
    {%- set literal_only = lowered.startswith('struct') or lowered == 'geography' -%}
    {%- if lowered.startswith('array') and field is iterable and field is not string and field is not mapping and field | length > 0 -%}
        {%- set element_type = lowered[6:-1] -%}
        {%- set element_literal_only = element_type.startswith('struct') or element_type == 'geography' -%}
        {%- if element_literal_only -%}
            (select array_agg(safe_cast(i as {{ element_type }})) from unnest([
            {%- for item in field %}
                {{ item.strip('"').strip("'") }}{{ ',' if not loop.last }}
            {%- endfor %}
            ]) i)
        {%- else -%}
            (select array_agg(safe_cast(i as {{ element_type }})) from unnest({{ field }}) i)
        {%- endif -%}
    {%- elif lowered == 'json' and field is mapping -%}
        safe_cast(json {{ dbt.string_literal(tojson(field)) }} as json)
    {%- elif literal_only and field is string -%}
        safe_cast({{ field.strip('"').strip("'") }} as {{ type }})
    {%- else -%}
        safe_cast({{ field }} as {{ type }})
    {%- endif -%}
{%- endmacro %}

{% macro cast_bool_to_text(field) -%}
    {{ return(adapter.dispatch('cast_bool_to_text', 'dbt')(field)) }}
{%- endmacro %}

{% macro default__cast_bool_to_text(field) -%}
    cast({{ field }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- ---- strings ------------------------------------------------------------------------------- -#}

{% macro concat(fields) -%}
    {{ return(adapter.dispatch('concat', 'dbt')(fields)) }}
{%- endmacro %}

{% macro default__concat(fields) -%}
    {{ fields | join(' || ') }}
{%- endmacro %}

{% macro hash(field) -%}
    {{ return(adapter.dispatch('hash', 'dbt')(field)) }}
{%- endmacro %}

{% macro default__hash(field) -%}
    md5(cast({{ field }} as {{ dbt.type_string() }}))
{%- endmacro %}

{#- BigQuery's md5 returns bytes. -#}
{% macro bigquery__hash(field) -%}
    to_hex({{ dbt.default__hash(field) }})
{%- endmacro %}

{% macro split_part(string_text, delimiter_text, part_number) -%}
    {{ return(adapter.dispatch('split_part', 'dbt')(string_text, delimiter_text, part_number)) }}
{%- endmacro %}

{% macro default__split_part(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }}, {{ part_number }})
{%- endmacro %}

{#- A negative part counted from the end: the number of parts is the number of delimiters
    plus one (assumes a one-character delimiter, as dbt's does). -#}
{% macro _split_part_negative(string_text, delimiter_text, part_number) -%}
    split_part({{ string_text }}, {{ delimiter_text }},
        length({{ string_text }}) - length(replace({{ string_text }}, {{ delimiter_text }}, '')) + 2 + {{ part_number }})
{%- endmacro %}

{#- DuckDB lists are 1-based and take negative indexes. -#}
{% macro duckdb__split_part(string_text, delimiter_text, part_number) -%}
    string_split({{ string_text }}, {{ delimiter_text }})[{{ part_number }}]
{%- endmacro %}

{% macro bigquery__split_part(string_text, delimiter_text, part_number) -%}
    {%- if part_number >= 0 -%}
        split({{ string_text }}, {{ delimiter_text }})[safe_offset({{ part_number - 1 }})]
    {%- else -%}
        split({{ string_text }}, {{ delimiter_text }})[safe_offset(
            length({{ string_text }}) - length(replace({{ string_text }}, {{ delimiter_text }}, '')) + 1 + {{ part_number }})]
    {%- endif -%}
{%- endmacro %}

{% macro length(expression) -%}
    {{ return(adapter.dispatch('length', 'dbt')(expression)) }}
{%- endmacro %}

{% macro default__length(expression) -%}
    length({{ expression }})
{%- endmacro %}

{% macro position(substring_text, string_text) -%}
    {{ return(adapter.dispatch('position', 'dbt')(substring_text, string_text)) }}
{%- endmacro %}

{% macro default__position(substring_text, string_text) -%}
    position({{ substring_text }} in {{ string_text }})
{%- endmacro %}

{% macro bigquery__position(substring_text, string_text) -%}
    strpos({{ string_text }}, {{ substring_text }})
{%- endmacro %}

{% macro replace(field, old_chars, new_chars) -%}
    {{ return(adapter.dispatch('replace', 'dbt')(field, old_chars, new_chars)) }}
{%- endmacro %}

{% macro default__replace(field, old_chars, new_chars) -%}
    replace({{ field }}, {{ old_chars }}, {{ new_chars }})
{%- endmacro %}

{% macro right(string_text, length_expression) -%}
    {{ return(adapter.dispatch('right', 'dbt')(string_text, length_expression)) }}
{%- endmacro %}

{% macro default__right(string_text, length_expression) -%}
    right({{ string_text }}, {{ length_expression }})
{%- endmacro %}

{#- BigQuery has no right(): take a negative-start substring, except for length 0. -#}
{% macro bigquery__right(string_text, length_expression) -%}
    case when {{ length_expression }} = 0 then ''
    else substr({{ string_text }}, -1 * ({{ length_expression }})) end
{%- endmacro %}

{% macro string_literal(value) -%}
    {{ return(adapter.dispatch('string_literal', 'dbt')(value)) }}
{%- endmacro %}

{% macro default__string_literal(value) -%}
    '{{ value }}'
{%- endmacro %}

{% macro bigquery__string_literal(value) -%}
    '''{{ value }}'''
{%- endmacro %}

{% macro escape_single_quotes(expression) -%}
    {{ return(adapter.dispatch('escape_single_quotes', 'dbt')(expression)) }}
{%- endmacro %}

{#- they're -> they''re -#}
{% macro default__escape_single_quotes(expression) -%}
    {{ expression | replace("'", "''") }}
{%- endmacro %}

{#- they're -> they\'re -#}
{% macro bigquery__escape_single_quotes(expression) -%}
    {{ expression | replace("'", "\\'") }}
{%- endmacro %}

{#- ---- aggregates ------------------------------------------------------------------------------ -#}

{% macro listagg(measure, delimiter_text="','", order_by_clause=none, limit_num=none) -%}
    {{ return(adapter.dispatch('listagg', 'dbt')(measure, delimiter_text, order_by_clause, limit_num)) }}
{%- endmacro %}

{% macro default__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        array_to_string(array_slice(array_agg({{ measure }})
            {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}, 0, {{ limit_num }}), {{ delimiter_text }})
    {%- else -%}
        listagg({{ measure }}, {{ delimiter_text }})
        {%- if order_by_clause %} within group ({{ order_by_clause }}){% endif %}
    {%- endif -%}
{%- endmacro %}

{#- DuckDB: the order by goes inside the call; a limit slices the aggregated list. -#}
{% macro duckdb__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        list_aggr((array_agg({{ measure }}{% if order_by_clause %} {{ order_by_clause }}{% endif %}))[1:{{ limit_num }}], 'string_agg', {{ delimiter_text }})
    {%- else -%}
        string_agg({{ measure }}, {{ delimiter_text }}{% if order_by_clause %} {{ order_by_clause }}{% endif %})
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    string_agg({{ measure }}, {{ delimiter_text }}
        {%- if order_by_clause %} {{ order_by_clause }}{% endif %}
        {%- if limit_num %} limit {{ limit_num }}{% endif %})
{%- endmacro %}

{% macro any_value(expression) -%}
    {{ return(adapter.dispatch('any_value', 'dbt')(expression)) }}
{%- endmacro %}

{% macro default__any_value(expression) -%}
    any_value({{ expression }})
{%- endmacro %}

{% macro duckdb__any_value(expression) -%}
    arbitrary({{ expression }})
{%- endmacro %}

{% macro bool_or(expression) -%}
    {{ return(adapter.dispatch('bool_or', 'dbt')(expression)) }}
{%- endmacro %}

{% macro default__bool_or(expression) -%}
    bool_or({{ expression }})
{%- endmacro %}

{% macro bigquery__bool_or(expression) -%}
    logical_or({{ expression }})
{%- endmacro %}

{#- ---- set operations and comparisons ------------------------------------------------------ -#}

{% macro except() -%}
    {{ return(adapter.dispatch('except', 'dbt')()) }}
{%- endmacro %}

{% macro default__except() -%}
    except
{%- endmacro %}

{% macro bigquery__except() -%}
    except distinct
{%- endmacro %}

{% macro intersect() -%}
    {{ return(adapter.dispatch('intersect', 'dbt')()) }}
{%- endmacro %}

{% macro default__intersect() -%}
    intersect
{%- endmacro %}

{% macro bigquery__intersect() -%}
    intersect distinct
{%- endmacro %}

{% macro equals(expr1, expr2) -%}
    {{ return(adapter.dispatch('equals', 'dbt')(expr1, expr2)) }}
{%- endmacro %}

{#- The null-safe form only behind dbt's `enable_truthy_nulls_equals_macro` behaviour flag
    (off by default). -#}
{% macro _truthy_nulls_equals() -%}
    {%- set behavior = adapter.behavior if adapter.behavior is defined else none -%}
    {%- set flag = behavior.enable_truthy_nulls_equals_macro if behavior is not none and behavior.enable_truthy_nulls_equals_macro is defined else none -%}
    {{ return(flag is not none and flag.no_warn) }}
{%- endmacro %}

{% macro default__equals(expr1, expr2) -%}
    {%- if dbt._truthy_nulls_equals() -%}
        case when (({{ expr1 }} = {{ expr2 }}) or ({{ expr1 }} is null and {{ expr2 }} is null)) then 0 else 1 end = 0
    {%- else -%}
        ({{ expr1 }} = {{ expr2 }})
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__equals(expr1, expr2) -%}
    {%- if dbt._truthy_nulls_equals() -%}
        ({{ expr1 }} is not distinct from {{ expr2 }})
    {%- else -%}
        ({{ expr1 }} = {{ expr2 }})
    {%- endif -%}
{%- endmacro %}

{#- ---- arrays -------------------------------------------------------------------------------- -#}

{#- dbt's default data_type is the adapter's integer type; `none` stands for it here. -#}
{% macro array_construct(inputs=[], data_type=none) -%}
    {{ return(adapter.dispatch('array_construct', 'dbt')(inputs, data_type if data_type is not none else dbt.type_int())) }}
{%- endmacro %}

{% macro default__array_construct(inputs, data_type) -%}
    {%- if inputs | length > 0 -%}
        array[ {{ inputs | join(' , ') }} ]
    {%- else -%}
        array[]::{{ data_type }}[]
    {%- endif -%}
{%- endmacro %}

{% macro bigquery__array_construct(inputs, data_type) -%}
    {%- if inputs | length > 0 -%}
        [ {{ inputs | join(' , ') }} ]
    {%- else -%}
        ARRAY<{{ data_type }}>[]
    {%- endif -%}
{%- endmacro %}

{% macro array_append(array, new_element) -%}
    {{ return(adapter.dispatch('array_append', 'dbt')(array, new_element)) }}
{%- endmacro %}

{% macro default__array_append(array, new_element) -%}
    array_append({{ array }}, {{ new_element }})
{%- endmacro %}

{% macro bigquery__array_append(array, new_element) -%}
    {{ dbt.array_concat(array, dbt.array_construct([new_element])) }}
{%- endmacro %}

{% macro array_concat(array_1, array_2) -%}
    {{ return(adapter.dispatch('array_concat', 'dbt')(array_1, array_2)) }}
{%- endmacro %}

{% macro default__array_concat(array_1, array_2) -%}
    array_cat({{ array_1 }}, {{ array_2 }})
{%- endmacro %}

{% macro bigquery__array_concat(array_1, array_2) -%}
    array_concat({{ array_1 }}, {{ array_2 }})
{%- endmacro %}

{#- ---- series and date spines ------------------------------------------------------------ -#}

{% macro get_powers_of_two(upper_bound) -%}
    {{ return(adapter.dispatch('get_powers_of_two', 'dbt')(upper_bound)) }}
{%- endmacro %}

{#- The smallest n with 2^n >= upper_bound. -#}
{% macro default__get_powers_of_two(upper_bound) -%}
    {%- if upper_bound <= 0 -%}
        {{ exceptions.raise_compiler_error("upper bound must be positive") }}
    {%- endif -%}
    {%- for n in range(1, 100) -%}
        {%- if upper_bound <= 2 ** n -%}{{ return(n) }}{%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{% macro generate_series(upper_bound) -%}
    {{ return(adapter.dispatch('generate_series', 'dbt')(upper_bound)) }}
{%- endmacro %}

{#- Numbers 1..upper_bound from a cross join of n two-row tables, 2^n >= upper_bound. -#}
{% macro default__generate_series(upper_bound) -%}
    {%- if upper_bound is not number -%}
        {{ exceptions.raise_compiler_error("generate_series needs a number as its upper bound here, got: " ~ upper_bound) }}
    {%- endif -%}
    {%- set n = dbt.get_powers_of_two(upper_bound) %}
    with p as (
        select 0 as generated_number union all select 1
    ), unioned as (
        select
        {% for i in range(n) -%}
            p{{ i }}.generated_number * power(2, {{ i }}){{ ' + ' if not loop.last }}
        {%- endfor %}
            + 1 as generated_number
        from
        {% for i in range(n) -%}
            p as p{{ i }}{{ ' cross join ' if not loop.last }}
        {%- endfor %}
    )
    select *
    from unioned
    where generated_number <= {{ upper_bound }}
    order by generated_number
{%- endmacro %}

{% macro duckdb__generate_series(upper_bound) -%}
    select generate_series as generated_number from generate_series(1, {{ upper_bound }})
{%- endmacro %}

{#- dbt-bigquery uses the default; when the bound is an expression (see get_intervals_between)
    generate_array takes it directly. -#}
{% macro bigquery__generate_series(upper_bound) -%}
    {%- if upper_bound is number -%}
        {{ dbt.default__generate_series(upper_bound) }}
    {%- else -%}
        select generated_number from unnest(generate_array(1, {{ upper_bound }})) as generated_number
    {%- endif -%}
{%- endmacro %}

{% macro get_intervals_between(start_date, end_date, datepart) -%}
    {{ return(adapter.dispatch('get_intervals_between', 'dbt')(start_date, end_date, datepart)) }}
{%- endmacro %}

{#- `'2024-01-31'`, `'2024-01-31'::date`, `cast('2024-01-31' as date)`, `date '2024-01-31'`,
    `date('2024-01-31')` (timestamps too) -> a datetime; anything else -> none. -#}
{% macro _date_literal_value(expression) -%}
    {%- if modules is not defined or expression is not string -%}{{ return(none) }}{%- endif -%}
    {%- set lit = "'([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]([0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]{1,6})?)?))?'" -%}
    {%- set ty = "(?:date|datetime|timestamp)" -%}
    {%- set forms = [
        lit ~ "(?:[ ]*::[ ]*" ~ ty ~ ")?",
        "cast[ ]*[(][ ]*" ~ lit ~ "[ ]+as[ ]+" ~ ty ~ "[ ]*[)]",
        ty ~ "[ ]+" ~ lit,
        ty ~ "[ ]*[(][ ]*" ~ lit ~ "[ ]*[)]",
    ] -%}
    {%- for form in forms -%}
        {%- set m = modules.re.fullmatch(form, expression | trim, modules.re.IGNORECASE) -%}
        {%- if m -%}
            {{ return(modules.datetime.datetime.fromisoformat(m.group(1) ~ (' ' ~ m.group(2) if m.group(2) else ''))) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

{#- The value `select datediff(start_date, end_date, datepart)` would return, counting period
    boundaries like date_diff / datetime_diff (weeks start on Sunday). -#}
{% macro default__get_intervals_between(start_date, end_date, datepart) -%}
    {%- set first = dbt._date_literal_value(start_date) -%}
    {%- set last = dbt._date_literal_value(end_date) -%}
    {%- set part = datepart | lower -%}
    {%- if first is none or last is none or last < first -%}
        {{ return('(' ~ dbt.datediff(start_date, end_date, datepart) ~ ')') }}
    {%- endif -%}
    {%- set days = last.date().sub(first.date()).days -%}
    {%- set hours = days * 24 + last.hour - first.hour -%}
    {%- set minutes = hours * 60 + last.minute - first.minute -%}
    {%- set counts = {
        'day': days,
        'week': (days + first.isoweekday() % 7) // 7,
        'month': (last.year - first.year) * 12 + last.month - first.month,
        'quarter': (last.year - first.year) * 4 + (last.month - 1) // 3 - (first.month - 1) // 3,
        'year': last.year - first.year,
        'hour': hours,
        'minute': minutes,
        'second': minutes * 60 + last.second - first.second,
    } -%}
    {%- if part in counts -%}
        {{ return(counts[part]) }}
    {%- else -%}
        {{ return('(' ~ dbt.datediff(start_date, end_date, datepart) ~ ')') }}
    {%- endif -%}
{%- endmacro %}

{% macro date_spine(datepart, start_date, end_date) -%}
    {{ return(adapter.dispatch('date_spine', 'dbt')(datepart, start_date, end_date)) }}
{%- endmacro %}

{#- One row per period from start_date up to end_date, in column date_<datepart>. -#}
{% macro default__date_spine(datepart, start_date, end_date) %}
    with rawdata as (
        {{ dbt.generate_series(dbt.get_intervals_between(start_date, end_date, datepart)) }}
    ),

    all_periods as (
        select (
            {{ dbt.dateadd(datepart, "row_number() over (order by 1) - 1", start_date) }}
        ) as date_{{ datepart }}
        from rawdata
    ),

    filtered as (
        select *
        from all_periods
        where date_{{ datepart }} <= {{ end_date }}
    )

    select * from filtered
{% endmacro %}
