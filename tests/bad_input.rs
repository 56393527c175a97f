//! Bad input: every fixture under tests/fixtures/<bad_*> -> exit code 2, a message naming
//! the user's file and line, no panic, and nothing built. The full stderr is snapshotted.

mod common;

use common::{clean, copy_fixture, xform};

/// (fixture, extra args, substrings that must appear in stderr)
const CASES: &[(&str, &[&str], &[&str])] = &[
    (
        "bad_yaml_project",
        &[],
        &["dbt_project.yml:9:12", "mapping values are not allowed"],
    ),
    (
        "bad_yaml_profiles",
        &[],
        &["profiles.yml:6:13", "mapping values are not allowed"],
    ),
    (
        "bad_yaml_properties",
        &[],
        &["models/schema.yml:6:14", "mapping values are not allowed"],
    ),
    (
        "bad_yaml_selectors",
        &[],
        &["selectors.yml:9:14", "mapping values are not allowed"],
    ),
    (
        "bad_jinja_syntax",
        &[],
        &[
            "models/bad_call.sql:2:13",
            "unexpected `}`",
            "models/unclosed_if.sql:3",
            "end of block",
            "2 errors found",
        ],
    ),
    (
        "bad_jinja_undefined",
        &[],
        &["models/uses_missing.sql:3:8", "`not_a_macro` is undefined"],
    ),
    (
        "unknown_macro",
        &[],
        &[
            "models/payments.sql:3:8",
            "`cents_to_dolars` is undefined",
            "did you mean `cents_to_dollars`?",
        ],
    ),
    (
        "bad_raise",
        &[],
        &[
            "macros/guard.sql:3",
            "custom failure",
            "while rendering models/regional.sql",
        ],
    ),
    (
        "unknown_ref",
        &[],
        &[
            "models/orders.sql:2",
            "ref('stg_ordrs')",
            "did you mean `stg_orders`?",
        ],
    ),
    (
        "unknown_source",
        &[],
        &[
            "models/stg_customers.sql:2",
            "source('shop', 'customer')",
            "did you mean `customers`?",
        ],
    ),
    (
        "bad_sql",
        &[],
        &[
            "models/status_counts.sql:8:1",
            "selec",
            "models/amounts.sql:4:5",
            "macro `cents_to_dollars`",
            "2 errors found",
        ],
    ),
    (
        "cycle",
        &[],
        &["dependency cycle: a -> b -> c -> a", "models/a.sql"],
    ),
    (
        "duplicate_model",
        &[],
        &[
            "two resources are named `orders`",
            "models/marts/orders.sql",
            "models/staging/orders.sql",
        ],
    ),
    (
        "missing_profile",
        &[],
        &["profile `analytics` not found", "dbt_project.yml:4:10"],
    ),
    (
        "missing_target",
        &[],
        &[
            "target `staging` not found",
            "it has: dev",
            "profiles.yml:2:3",
        ],
    ),
    (
        "missing_var",
        &[],
        &["models/filtered.sql:3:16", "Required var 'x' not found"],
    ),
    // Command-line mistakes on a valid project.
    (
        "cli_shop",
        &["--target", "nope"],
        &["target `nope` not found in profile", "profiles.yml"],
    ),
    (
        "cli_shop",
        &["--vars", "{a: ["],
        &["--vars is not valid YAML or JSON"],
    ),
    (
        "cli_shop",
        &["--vars", "[1, 2]"],
        &["--vars must be a mapping"],
    ),
    (
        "cli_shop",
        &["-s", "tagg:nightly"],
        &["unknown selector method `tagg`", "did you mean `tag`?"],
    ),
    (
        "cli_shop",
        &["--selector", "nope"],
        &["invalid selection", "nope"],
    ),
];

#[test]
fn every_bad_input_is_a_clear_error_with_exit_code_2() {
    let mut failures = Vec::new();
    for (fixture, extra, expected) in CASES {
        let dir = copy_fixture(fixture);
        let mut args = vec!["compile", "--profiles-dir", "."];
        args.extend_from_slice(extra);
        let run = xform(dir.path(), &args);
        let stderr = clean(&run.stderr, dir.path());
        let label = format!("{fixture} {}", extra.join(" "));
        if run.code != 2 {
            failures.push(format!(
                "{label}: exit code {} (want 2)\n{stderr}",
                run.code
            ));
        }
        if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
            failures.push(format!("{label}: panicked\n{stderr}"));
        }
        for want in *expected {
            if !stderr.contains(want) {
                failures.push(format!("{label}: stderr lacks `{want}`\n{stderr}"));
            }
        }
        // Nothing may be built: no warehouse file appears.
        if dir.path().join("fixture.duckdb").exists() {
            failures.push(format!("{label}: a DuckDB file was created"));
        }
        insta::with_settings!({snapshot_path => "snapshots/bad_input", prepend_module_to_snapshot => false}, {
            let name = format!("{fixture}{}", extra.iter().map(|a| a.replace(|c: char| !c.is_ascii_alphanumeric(), "_")).collect::<String>());
            insta::assert_snapshot!(name, stderr);
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn errors_in_json_log_format_are_json_lines() {
    let dir = copy_fixture("unknown_ref");
    let run = xform(
        dir.path(),
        &["compile", "--profiles-dir", ".", "--log-format", "json"],
    );
    assert_eq!(run.code, 2);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("every stdout line is JSON"))
        .collect();
    let err = lines
        .iter()
        .find(|l| l["info"]["level"] == "error")
        .expect("an error line");
    assert_eq!(err["data"]["location"]["file"], "models/orders.sql");
    assert_eq!(err["data"]["location"]["line"], 2);
    assert!(
        err["info"]["msg"]
            .as_str()
            .unwrap_or("")
            .contains("stg_ordrs")
    );
}
