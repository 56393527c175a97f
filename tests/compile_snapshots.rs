//! Compiled SQL of every model, test, snapshot and analysis of the good projects, one insta
//! snapshot per (project, node, dialect), so a change in DuckDB or BigQuery SQL is a diff.

mod common;

use std::path::Path;

use common::{copy_dir, copy_fixture, xform};

/// Compiles `dir` for `target` and returns (compiled path relative to compiled/<pkg>, SQL).
fn compile_all(dir: &Path, target: &str, target_path: &str) -> Vec<(String, String)> {
    let run = xform(
        dir,
        &[
            "compile",
            "--profiles-dir",
            profiles_dir(dir),
            "--target",
            target,
        ],
    );
    assert_eq!(
        run.code, 0,
        "compile --target {target} failed:\n{}",
        run.stderr
    );
    let root = dir.join(target_path).join("compiled");
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let entry = entry.expect("walk compiled");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(&root)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            let sql = std::fs::read_to_string(entry.path()).expect("read compiled");
            out.push((rel, sql));
        }
    }
    assert!(!out.is_empty(), "nothing compiled for {target}");
    out
}

fn profiles_dir(dir: &Path) -> &'static str {
    if dir.join("profiles/profiles.yml").exists() {
        "profiles"
    } else {
        "."
    }
}

fn snapshot_all(project: &str, dialect: &str, files: &[(String, String)]) {
    for (rel, sql) in files {
        let name = format!(
            "{project}__{dialect}__{}",
            rel.trim_end_matches(".sql").replace(['/', '.'], "_")
        );
        insta::with_settings!({snapshot_path => "snapshots/compiled", prepend_module_to_snapshot => false, description => rel.as_str()}, {
            insta::assert_snapshot!(name, sql);
        });
    }
}

#[test]
fn features_fixture_compiles_for_duckdb_and_bigquery() {
    for (target, dialect) in [("dev", "duckdb"), ("bq", "bigquery")] {
        let dir = copy_fixture("features");
        let files = compile_all(dir.path(), target, "target");
        snapshot_all("features", dialect, &files);
        let joined: String = files.iter().map(|(_, s)| s.as_str()).collect();
        match dialect {
            "duckdb" => assert!(
                joined.contains(r#""fixture"."main_marts"."cust""#)
                    || joined.contains(r#""fixture"."main"."stg_customers""#)
            ),
            _ => {
                assert!(
                    joined.contains("`fixture-proj`.`fixture_ds`"),
                    "BigQuery relations are backtick-quoted"
                );
                assert!(
                    !joined.contains(r#""fixture""#),
                    "no DuckDB quoting leaks into BigQuery SQL"
                );
            }
        }
    }
}

#[test]
fn root_project_compiles_for_duckdb_and_bigquery() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (target, dialect) in [("dev", "duckdb"), ("prod", "bigquery")] {
        let dir = tempfile::tempdir().expect("temp dir");
        for part in [
            "dbt_project.yml",
            "selectors.yml",
            "profiles",
            "models",
            "macros",
            "seeds",
            "snapshots",
            "analyses",
            "data-tests",
        ] {
            let from = root.join(part);
            if from.is_dir() {
                copy_dir(&from, &dir.path().join(part));
            } else if from.is_file() {
                std::fs::copy(&from, dir.path().join(part)).expect("copy");
            }
        }
        let files = compile_all(dir.path(), target, "xform-target");
        snapshot_all("github_activity", dialect, &files);
    }
}
