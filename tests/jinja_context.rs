//! dbt's Jinja context in one model (graph, this, target, yaml/json helpers, exceptions.warn,
//! log, print, set, zip, local_md5, invocation_id, run_started_at, adapter.quote, execute)
//! -> the exact text each renders to in the compiled SQL.

mod common;

use common::xform;

const PROJECT: &str =
    "name: ctx\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: ctx\nvars:\n  region: emea\n";
const PROFILES: &str = "ctx:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"warehouse.duckdb\"\n      schema: analytics\n      threads: 2\n";

const UPSTREAM: &str = "select 1 as id\n";

const MODEL: &str = r#"{{ config(materialized='table', tags=['a']) }}
{%- set parsed = fromyaml("k: [1, 2]\nname: x") -%}
{%- set upstream = graph.nodes.values() | selectattr('name', 'equalto', 'upstream') | list -%}
{%- do exceptions.warn("heads up from ctx") -%}
{%- do log("logged line", info=True) -%}
select
    '{{ this }}' as this_relation,
    '{{ this.schema }}' as this_schema,
    '{{ target.name }}/{{ target.type }}/{{ target.schema }}/{{ target.database }}' as target_info,
    '{{ project_name }}' as project,
    {{ parsed.k | length }} as yaml_list_len,
    '{{ toyaml({"a": 1}) | trim }}' as yaml_text,
    {{ fromjson('{"n": 7}').n }} as json_n,
    '{{ set([1, 1, 2]) | join(",") }}' as unique_items,
    '{% for a, b in zip([1, 2], ["x", "y"]) %}{{ a }}{{ b }}{% endfor %}' as zipped,
    '{{ local_md5("abc") }}' as md5,
    {{ invocation_id | length }} as invocation_id_len,
    '{{ run_started_at.strftime("%Y") | length }}' as year_digits,
    {{ adapter.quote("Mixed Case") }} as quoted,
    {{ execute }} as executing,
    '{{ var("region") }}' as region,
    '{{ upstream | length }}:{{ upstream[0].unique_id if upstream else "" }}' as graph_lookup,
    '{{ model.unique_id }}' as model_id
from {{ ref('upstream') }}
"#;

#[test]
fn every_context_member_renders_like_dbt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path();
    std::fs::write(p.join("dbt_project.yml"), PROJECT).unwrap();
    std::fs::write(p.join("profiles.yml"), PROFILES).unwrap();
    std::fs::create_dir_all(p.join("models")).unwrap();
    std::fs::write(p.join("models/upstream.sql"), UPSTREAM).unwrap();
    std::fs::write(p.join("models/ctx_model.sql"), MODEL).unwrap();

    let run = xform(p, &["compile", "--profiles-dir", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("heads up from ctx"),
        "exceptions.warn is shown:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("logged line"),
        "log(info=True) is shown:\n{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("logged line").count(),
        1,
        "logged once, not per pass"
    );

    let sql = std::fs::read_to_string(p.join("target/compiled/ctx/models/ctx_model.sql")).unwrap();
    for expected in [
        r#"'"warehouse"."analytics"."ctx_model"' as this_relation"#,
        "'analytics' as this_schema",
        "'dev/duckdb/analytics/warehouse' as target_info",
        "'ctx' as project",
        "2 as yaml_list_len",
        "'a: 1' as yaml_text",
        "7 as json_n",
        "'1,2' as unique_items",
        "'1x2y' as zipped",
        "'900150983cd24fb0d6963f7d28e17f72' as md5",
        "36 as invocation_id_len",
        "'4' as year_digits",
        r#""Mixed Case" as quoted"#,
        "True as executing",
        "'emea' as region",
        "'1:model.ctx.upstream' as graph_lookup",
        "'model.ctx.ctx_model' as model_id",
        r#"from "warehouse"."analytics"."upstream""#,
    ] {
        assert!(
            sql.contains(expected),
            "compiled SQL lacks {expected:?}:\n{sql}"
        );
    }
}
