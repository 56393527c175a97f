//! `macros/cross_db.sql` rendered through xform's own macro index, dispatch and `return()` -> the SQL each adapter gets.
//!
//! The expected DuckDB strings were run in DuckDB 1.x (`duckdb` Python package) to prove they
//! execute; see the `DUCKDB_CHECKS` list, which `XFORM_DUCKDB_SQL_OUT=path` writes out for that.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use minijinja::value::{Kwargs, Object, ObjectRepr, Value};
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior};

use crate::dialect::Dialect;
use crate::render::builtins;
use crate::render::context::{self, NodeCtx};
use crate::render::macros::{self, BUILTIN_PACKAGE, MacroIndex, MacroName, PackageNamespace};

const FILES: &[(&str, &str)] = &[
    ("cross_db.sql", include_str!("macros/cross_db.sql")),
    ("adapter.sql", include_str!("macros/adapter.sql")),
];

/// `adapter.dispatch` over the index, as `env.rs` does it.
#[derive(Debug)]
struct TestAdapter {
    index: Arc<MacroIndex>,
}

impl Object for TestAdapter {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        if name != "dispatch" {
            return Err(Error::new(ErrorKind::UnknownMethod, name.to_string()));
        }
        let (macro_name, namespace, _kwargs): (String, Option<String>, Kwargs) =
            minijinja::value::from_args(args)?;
        let package = context::current(|c| c.lookup_package().to_string())?;
        self.index
            .dispatch(&macro_name, namespace.as_deref(), &package)
            .map(|def| Value::from_object(macros::MacroCall { def: def.clone() }))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::UnknownFunction,
                    format!("no dispatch candidate for {macro_name}"),
                )
            })
    }
}

fn environment(adapter: &'static str, with_modules: bool) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Lenient);
    minijinja_contrib::add_to_environment(&mut env);
    env.set_unknown_method_callback(builtins::unknown_method);
    let mut index = MacroIndex {
        root: "proj".to_string(),
        adapter,
        ..MacroIndex::default()
    };
    for (file, text) in FILES {
        let errors = crate::render::env::add_macro_file(
            &mut env,
            &mut index,
            BUILTIN_PACKAGE,
            &format!("<builtin>/{file}"),
            text,
        );
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
    let index = Arc::new(index);
    let names: Vec<String> = index.names().map(str::to_string).collect();
    for name in names {
        env.add_global(
            name.clone(),
            Value::from_object(MacroName {
                name,
                index: index.clone(),
            }),
        );
    }
    env.add_global(
        BUILTIN_PACKAGE,
        Value::from_object(PackageNamespace {
            package: BUILTIN_PACKAGE.to_string(),
            index: index.clone(),
        }),
    );
    env.add_function("return", macros::return_fn);
    env.add_global("adapter", Value::from_object(TestAdapter { index }));
    builtins::register(&mut env);
    crate::render::pyobj::register(&mut env);
    if with_modules {
        super::register(&mut env);
    }
    env
}

fn node(dialect: Dialect) -> NodeCtx {
    NodeCtx {
        package: "proj".to_string(),
        execute: true,
        dialect,
        config: Default::default(),
        vars: Arc::new(HashMap::new()),
        resolver: None,
        target_database: "db".to_string(),
        target_schema: "main".to_string(),
        is_incremental: false,
        empty: false,
        warehouse: None,
        results: Default::default(),
        calls: Default::default(),
        globals: Value::from_object(BTreeMap::<String, Value>::new()),
        frames: Vec::new(),
        test: None,
        unit: None,
    }
}

/// Renders `src` for `adapter` ("duckdb" / "bigquery"), whitespace runs squeezed to one space.
fn try_render(adapter: &'static str, src: &str) -> Result<String, String> {
    render_with(adapter, true, src)
}

fn render_with(adapter: &'static str, with_modules: bool, src: &str) -> Result<String, String> {
    let dialect = if adapter == "bigquery" {
        Dialect::BigQuery
    } else {
        Dialect::DuckDb
    };
    let env = environment(adapter, with_modules);
    let (out, _) = context::with_node(node(dialect), || env.render_str(src, ()));
    out.map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .map_err(|e| format!("{e:#}"))
}

fn render(adapter: &'static str, src: &str) -> String {
    try_render(adapter, src).unwrap_or_else(|e| panic!("{adapter}: {src}: {e}"))
}

/// (template, expected DuckDB SQL); every expected string is a valid `select` expression list.
const DUCKDB_CHECKS: &[(&str, &str)] = &[
    ("cast(1 as {{ dbt.type_string() }})", "cast(1 as TEXT)"),
    ("cast(1 as {{ dbt.type_int() }})", "cast(1 as integer)"),
    ("cast(1 as {{ dbt.type_bigint() }})", "cast(1 as bigint)"),
    ("cast(1 as {{ dbt.type_float() }})", "cast(1 as float)"),
    (
        "cast(1 as {{ dbt.type_numeric() }})",
        "cast(1 as numeric(28,6))",
    ),
    (
        "cast('2024-01-01' as {{ dbt.type_timestamp() }})",
        "cast('2024-01-01' as timestamp)",
    ),
    ("cast(1 as {{ dbt.type_boolean() }})", "cast(1 as boolean)"),
    (
        "{{ dbt.date_trunc('month', \"timestamp '2024-03-15 10:00:00'\") }}",
        "date_trunc('month', timestamp '2024-03-15 10:00:00')",
    ),
    (
        "{{ dbt.datediff(\"'2024-01-01'\", \"'2024-03-01'\", 'day') }}",
        "(date_diff('day', ('2024-01-01')::timestamp, ('2024-03-01')::timestamp))",
    ),
    (
        "{{ dbt.datediff(\"date '2024-01-06'\", \"date '2024-01-08'\", 'week') }}",
        "((date_diff('day', (date '2024-01-06')::timestamp, (date '2024-01-08')::timestamp)) // 7 + case when date_part('dow', (date '2024-01-06')::timestamp) <= date_part('dow', (date '2024-01-08')::timestamp) then case when date '2024-01-06' <= date '2024-01-08' then 0 else -1 end else case when date '2024-01-06' <= date '2024-01-08' then 1 else 0 end end)",
    ),
    (
        "{{ dbt.dateadd('day', 3, \"date '2024-01-30'\") }}",
        "(date '2024-01-30' + cast(3 as bigint) * interval 1 day)",
    ),
    (
        "{{ dbt.dateadd('quarter', 1, \"date '2024-01-30'\") }}",
        "(date '2024-01-30' + (cast(1 as bigint) * 3) * interval 1 month)",
    ),
    (
        "{{ dbt.last_day(\"date '2024-02-10'\", 'month') }}",
        "cast(((date_trunc('month', date '2024-02-10') + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day) as date)",
    ),
    (
        "{{ dbt.last_day(\"date '2024-02-10'\", 'quarter') }}",
        "cast(((date_trunc('quarter', date '2024-02-10') + cast(3 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day) as date)",
    ),
    ("{{ dbt.date(2024, 2, 29) }}", "make_date(2024, 2, 29)"),
    (
        "{{ dbt.safe_cast(\"'12'\", 'integer') }}",
        "cast('12' as integer)",
    ),
    (
        "{{ dbt.cast(\"'12'\", 'integer') }}",
        "cast('12' as integer)",
    ),
    ("{{ dbt.cast_bool_to_text('true') }}", "cast(true as TEXT)"),
    (
        "{{ dbt.concat([\"'a'\", \"'b'\", \"'c'\"]) }}",
        "'a' || 'b' || 'c'",
    ),
    ("{{ dbt.hash(\"'abc'\") }}", "md5(cast('abc' as TEXT))"),
    (
        "{{ dbt.split_part(\"'a,b,c'\", \"','\", 2) }}",
        "string_split('a,b,c', ',')[2]",
    ),
    (
        "{{ dbt.split_part(\"'a,b,c'\", \"','\", -1) }}",
        "string_split('a,b,c', ',')[-1]",
    ),
    ("{{ dbt.length(\"'abc'\") }}", "length('abc')"),
    (
        "{{ dbt.position(\"'b'\", \"'abc'\") }}",
        "position('b' in 'abc')",
    ),
    (
        "{{ dbt.replace(\"'abc'\", \"'b'\", \"'x'\") }}",
        "replace('abc', 'b', 'x')",
    ),
    ("{{ dbt.right(\"'abcdef'\", 2) }}", "right('abcdef', 2)"),
    ("{{ dbt.string_literal('it') }}", "'it'"),
    (
        "'{{ dbt.escape_single_quotes(\"they're\") }}'",
        "'they''re'",
    ),
    ("{{ dbt.equals('1', '1') }}", "(1 = 1)"),
    ("{{ dbt.array_construct(['1', '2']) }}", "array[ 1 , 2 ]"),
    ("{{ dbt.array_construct([]) }}", "array[]::integer[]"),
    (
        "{{ dbt.array_append('array[1]', '2') }}",
        "array_append(array[1], 2)",
    ),
    (
        "{{ dbt.array_concat('array[1]', 'array[2]') }}",
        "array_cat(array[1], array[2])",
    ),
    ("{{ dbt.current_timestamp() }}", "now()"),
];

/// Aggregates, set operations and whole queries: (template, expected DuckDB query).
const DUCKDB_QUERIES: &[(&str, &str)] = &[
    (
        "select {{ dbt.listagg('x', \"', '\", 'order by x desc', 2) }} from (values ('a'), ('b'), ('c')) t(x)",
        "select list_aggr((array_agg(x order by x desc))[1:2], 'string_agg', ', ') from (values ('a'), ('b'), ('c')) t(x)",
    ),
    (
        "select {{ dbt.listagg('x') }} from (values ('a'), ('b')) t(x)",
        "select string_agg(x, ',') from (values ('a'), ('b')) t(x)",
    ),
    (
        "select {{ dbt.any_value('x') }}, {{ dbt.bool_or('x > 1') }} from (values (1), (2)) t(x)",
        "select arbitrary(x), bool_or(x > 1) from (values (1), (2)) t(x)",
    ),
    (
        "select 1 {{ dbt.except() }} select 2 {{ dbt.intersect() }} select 1",
        "select 1 except select 2 intersect select 1",
    ),
    (
        "{{ dbt.generate_series(5) }}",
        "select generate_series as generated_number from generate_series(1, 5)",
    ),
];

#[test]
fn every_macro_compiles_and_dispatches_for_duckdb() {
    for (src, want) in DUCKDB_CHECKS.iter().chain(DUCKDB_QUERIES) {
        assert_eq!(render("duckdb", src), *want, "template: {src}");
    }
}

/// `XFORM_DUCKDB_SQL_OUT=/tmp/x.sql cargo test --lib cross_db` writes every DuckDB statement
/// (checks as `select ...;`, queries and date spines as they are) for running in duckdb.
#[test]
fn write_duckdb_sql_when_asked() {
    let Ok(path) = std::env::var("XFORM_DUCKDB_SQL_OUT") else {
        return;
    };
    let mut out = String::new();
    for (_, want) in DUCKDB_CHECKS {
        out.push_str(&format!("select {want};\n"));
    }
    for (_, want) in DUCKDB_QUERIES {
        out.push_str(&format!("{want};\n"));
    }
    for src in SPINES {
        out.push_str(&format!(
            "select count(*), min(d), max(d) from ({}) s(d);\n",
            render("duckdb", src)
        ));
    }
    out.push_str(&format!(
        "select count(*) from ({});\n",
        render("duckdb", "{{ dbt.default__generate_series(10) }}")
    ));
    if let Err(e) = std::fs::write(&path, out) {
        panic!("cannot write {path}: {e}");
    }
}

const SPINES: &[&str] = &[
    "{{ dbt.date_spine('day', \"cast('2024-01-01' as date)\", \"cast('2024-03-01' as date)\") }}",
    "{{ dbt.date_spine(datepart='month', start_date=\"'2023-11-15'::date\", end_date=\"date '2024-03-01'\") }}",
    "{{ dbt.date_spine('week', \"date '2024-01-03'\", \"date '2024-02-01'\") }}",
    "{{ dbt.date_spine('day', \"current_date - 10\", \"current_date\") }}",
];

#[test]
fn intervals_between_literal_dates_are_computed() {
    let count = |a: &str, b: &str, part: &str| {
        render(
            "duckdb",
            &format!("{{{{ dbt.get_intervals_between(\"{a}\", \"{b}\", '{part}') }}}}"),
        )
    };
    assert_eq!(
        count(
            "cast('2024-01-01' as date)",
            "cast('2024-03-01' as date)",
            "day"
        ),
        "60"
    );
    assert_eq!(
        count("'2023-11-15'::date", "date '2024-03-01'", "month"),
        "4"
    );
    assert_eq!(count("'2023-11-15'", "'2024-03-01'", "quarter"), "1");
    assert_eq!(
        count("date('2020-06-01')", "date('2024-01-01')", "year"),
        "4"
    );
    // Wed 2024-01-03 .. Thu 2024-02-01 crosses 4 Sundays.
    assert_eq!(count("date '2024-01-03'", "date '2024-02-01'", "week"), "4");
    assert_eq!(
        count("'2024-01-01 10:00:00'", "'2024-01-02 09:30:00'", "hour"),
        "23"
    );
    assert_eq!(
        count("'2024-01-01 10:00:00'", "'2024-01-01 10:02:10'", "second"),
        "130"
    );
    // Not literals: the datediff expression goes into the SQL instead.
    assert_eq!(
        count("current_date - 10", "current_date", "day"),
        "((date_diff('day', (current_date - 10)::timestamp, (current_date)::timestamp)))"
    );
}

#[test]
fn date_spine_renders_for_both_adapters() {
    let duck = render("duckdb", SPINES[0]);
    assert!(duck.contains("from generate_series(1, 60)"), "{duck}");
    assert!(duck.contains("as date_day"), "{duck}");
    let bq = render("bigquery", SPINES[0]);
    assert!(bq.contains("cross join p as p5"), "{bq}");
    assert!(bq.contains("where generated_number <= 60"), "{bq}");
    assert!(bq.contains("datetime_add(cast(cast('2024-01-01' as date) as datetime), interval row_number() over (order by 1) - 1 day)"), "{bq}");
    let bq_dynamic = render("bigquery", SPINES[3]);
    assert!(
        bq_dynamic.contains("unnest(generate_array(1, (datetime_diff("),
        "{bq_dynamic}"
    );
}

#[test]
fn bigquery_bodies() {
    let cases: &[(&str, &str)] = &[
        (
            "{{ dbt.type_string() }}|{{ dbt.type_int() }}|{{ dbt.type_float() }}|{{ dbt.type_numeric() }}|{{ dbt.type_bigint() }}|{{ dbt.type_timestamp() }}|{{ dbt.type_boolean() }}",
            "string|INT64|FLOAT64|numeric|bigint|timestamp|boolean",
        ),
        (
            "{{ dbt.date_trunc('month', 'd') }}",
            "timestamp_trunc(cast(d as timestamp), month)",
        ),
        (
            "{{ dbt.datediff('a', 'b', 'day') }}",
            "datetime_diff(cast(b as datetime), cast(a as datetime), day)",
        ),
        (
            "{{ dbt.dateadd('day', 1, 'd') }}",
            "datetime_add(cast(d as datetime), interval 1 day)",
        ),
        (
            "{{ dbt.last_day('d', 'month') }}",
            "cast(datetime_add(cast(datetime_add(cast(timestamp_trunc(cast(d as timestamp), month) as datetime), interval 1 month) as datetime), interval -1 day) as date)",
        ),
        ("{{ dbt.date(2024, 1, 2) }}", "date(2024, 1, 2)"),
        ("{{ dbt.safe_cast('x', 'int64') }}", "safe_cast(x as int64)"),
        (
            "{{ dbt.safe_cast(\"'POINT(1 1)'\", 'geography') }}",
            "safe_cast(POINT(1 1) as geography)",
        ),
        (
            "{{ dbt.safe_cast(['1', '2'], 'array<int64>') }}",
            "(select array_agg(safe_cast(i as int64)) from unnest(['1', '2']) i)",
        ),
        (
            "{{ dbt.safe_cast({'a': 1}, 'json') }}",
            "safe_cast(json '''{\"a\": 1}''' as json)",
        ),
        ("{{ dbt.hash('x') }}", "to_hex(md5(cast(x as string)))"),
        ("{{ dbt.cast_bool_to_text('x') }}", "cast(x as string)"),
        (
            "{{ dbt.split_part('s', \"','\", 2) }}",
            "split(s, ',')[safe_offset(1)]",
        ),
        (
            "{{ dbt.split_part('s', \"','\", -1) }}",
            "split(s, ',')[safe_offset( length(s) - length(replace(s, ',', '')) + 1 + -1)]",
        ),
        (
            "{{ dbt.listagg('x', \"','\", 'order by x', 3) }}",
            "string_agg(x, ',' order by x limit 3)",
        ),
        (
            "{{ dbt.any_value('x') }}|{{ dbt.bool_or('x') }}",
            "any_value(x)|logical_or(x)",
        ),
        ("{{ dbt.position(\"'b'\", 's') }}", "strpos(s, 'b')"),
        (
            "{{ dbt.right('s', 2) }}",
            "case when 2 = 0 then '' else substr(s, -1 * (2)) end",
        ),
        ("{{ dbt.string_literal('it') }}", "'''it'''"),
        ("{{ dbt.escape_single_quotes(\"they're\") }}", "they\\'re"),
        (
            "{{ dbt.except() }}|{{ dbt.intersect() }}",
            "except distinct|intersect distinct",
        ),
        ("{{ dbt.equals('a', 'b') }}", "(a = b)"),
        (
            "{{ dbt.array_construct(['1', '2']) }}|{{ dbt.array_construct() }}",
            "[ 1 , 2 ]|ARRAY<INT64>[]",
        ),
        ("{{ dbt.array_append('a', '2') }}", "array_concat(a, [ 2 ])"),
        ("{{ dbt.array_concat('a', 'b') }}", "array_concat(a, b)"),
        ("{{ dbt.concat(['a', 'b']) }}", "a || b"),
        ("{{ dbt.current_timestamp() }}", "current_timestamp()"),
    ];
    for (src, want) in cases {
        assert_eq!(render("bigquery", src), *want, "template: {src}");
    }
}

#[test]
fn keyword_arguments_defaults_and_errors() {
    assert_eq!(
        render(
            "duckdb",
            "{{ dbt.datediff(first_date='a', second_date='b', datepart='month') }}"
        ),
        "(date_diff('month', (a)::timestamp, (b)::timestamp))"
    );
    assert_eq!(
        render(
            "duckdb",
            "{{ dbt.listagg(measure='x', order_by_clause='order by x') }}"
        ),
        "string_agg(x, ',' order by x)"
    );
    assert_eq!(
        render("duckdb", "{{ dbt.array_construct(data_type='text') }}"),
        "array[]::text[]"
    );
    assert_eq!(
        render(
            "duckdb",
            "{{ dbt.get_powers_of_two(5) }}|{{ dbt.get_powers_of_two(4) }}"
        ),
        "3|2"
    );
    assert!(try_render("duckdb", "{{ dbt.get_powers_of_two(0) }}").is_err());
    // Unqualified calls reach the same macros.
    assert_eq!(
        render("duckdb", "{{ type_string() }}|{{ hash('x') }}"),
        "TEXT|md5(cast(x as TEXT))"
    );
}

#[test]
fn date_spine_without_modules_falls_back_to_sql() {
    // Until `pymodules::register` runs in RenderEnv, literal bounds cannot be parsed in Jinja.
    let out = render_with("duckdb", false, SPINES[0]).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.contains(
            "generate_series(1, ((date_diff('day', (cast('2024-01-01' as date))::timestamp"
        ),
        "{out}"
    );
}
