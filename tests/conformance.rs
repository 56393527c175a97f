//! Conformance against dbt's own adapter test suite: the `basic/` fixtures of
//! dbt-tests-adapter 1.20.0, compiled by xform for DuckDB (`dev`) and BigQuery (`bq`).
//!
//! The fixtures are not vendored. At test time `bench/conformance/fetch_adapter_tests.sh`
//! downloads the wheel from PyPI (`pip download`, once; the cache lives in
//! `$XFORM_CONFORMANCE_CACHE`, default `$HOME/.cache/xform-conformance`) and
//! `bench/conformance/extract_basic.py` turns every `Base*` class into a standalone dbt
//! project. **Without network access and without a populated cache this test fails** (it
//! never passes silently): populate the cache once with
//! `bench/conformance/fetch_adapter_tests.sh [CACHE_DIR]`, or point
//! `XFORM_CONFORMANCE_CACHE` at a directory that already holds the wheel.
//!
//! For every project, on a fresh copy, for both targets:
//! - `xform compile` exits 0;
//! - `target/compiled/<project>/` holds exactly one `.sql` file per model, singular test,
//!   generic test and snapshot, at the path dbt uses (the expected set is derived from the
//!   project files here, independently of xform);
//! - each compiled file matches an insta snapshot named
//!   `basic__<scenario>__<node>__<duckdb|bigquery>` in `tests/snapshots/conformance/`.
//!   The DuckDB snapshots were checked against dbt-core 1.12.6 + dbt-duckdb 1.11.1's own
//!   `dbt compile` output (equal modulo whitespace);
//! - BigQuery output uses backtick-quoted `project`.`dataset`.`table` names and no double
//!   quotes at all, compiled with no credentials and a proxy that refuses all traffic.
//!
//! Scenarios xform cannot handle yet are listed in `KNOWN_GAPS` with the reason; they are
//! still compiled, and the test fails once a gap closes so that the list stays accurate.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::conformance::BASIC_SCENARIOS;
use serde_json::Value as Json;

/// Scenarios that xform does not compile the way dbt does yet: (scenario, reason). They
/// are run anyway; the test asserts that they still fail (remove the entry once fixed) and
/// records no content snapshots for them.
const KNOWN_GAPS: &[(&str, &str)] = &[];

#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    DuckDb,
    BigQuery,
}

impl Dialect {
    fn label(self) -> &'static str {
        match self {
            Dialect::DuckDb => "duckdb",
            Dialect::BigQuery => "bigquery",
        }
    }

    fn target_args(self) -> &'static [&'static str] {
        match self {
            Dialect::DuckDb => &[],
            Dialect::BigQuery => &["--target", "bq"],
        }
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The extracted projects (one directory per scenario), fetched and extracted once per
/// test binary run into `CARGO_TARGET_TMPDIR/conformance-basic` (replaced on each run;
/// tests only read it and compile copies).
fn projects() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-basic");
        if out.exists() {
            std::fs::remove_dir_all(&out)
                .unwrap_or_else(|e| panic!("cannot clear {}: {e}", out.display()));
        }
        let cache = common::conformance::cache_dir();
        let script = repo().join("bench/conformance/fetch_adapter_tests.sh");
        let result = Command::new("bash")
            .arg(&script)
            .arg(&cache)
            .arg(&out)
            .output()
            .unwrap_or_else(|e| panic!("cannot run bash {}: {e}", script.display()));
        assert!(
            result.status.success(),
            "fetching/extracting dbt-tests-adapter 1.20.0 failed ({}).\n\
             This test needs the wheel from PyPI: run with network access once (it is cached \
             in {}), or set XFORM_CONFORMANCE_CACHE to a directory that already holds \
             dbt_tests_adapter-1.20.0-py3-none-any.whl.\n--- stderr ---\n{}",
            result.status,
            cache.display(),
            String::from_utf8_lossy(&result.stderr)
        );
        out
    })
}

/// One compiled node dbt writes under `target/compiled/<project>/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Node {
    name: String,
    /// Relative to `target/compiled/<project>/`, `/`-separated.
    path: String,
}

fn read_yaml(path: &Path) -> Json {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files_under(root: &Path, dir: &str, ext: &str) -> Vec<String> {
    let base = root.join(dir);
    if !base.is_dir() {
        return Vec::new();
    }
    let mut out: Vec<String> = walkdir::WalkDir::new(&base)
        .into_iter()
        .map(|e| e.expect("walk project"))
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == ext))
        .map(|e| {
            let rel = e.path().strip_prefix(root).expect("inside project");
            rel.to_string_lossy().replace('\\', "/")
        })
        .collect();
    out.sort();
    out
}

fn stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .expect("file name")
        .to_string_lossy()
        .into_owned()
}

/// Generic tests declared in a properties file, as dbt names them (only the shapes these
/// fixtures use; anything else panics so a new fixture cannot be skipped silently).
fn generic_tests(yml_rel: &str, doc: &Json) -> Vec<Node> {
    let mut out = Vec::new();
    let simple_test = |test: &Json, parent: &str, column: Option<&str>| -> String {
        let Some(test) = test.as_str() else {
            panic!("{yml_rel}: generic test {test} has arguments; extend generic_tests()");
        };
        match column {
            Some(col) => format!("{test}_{parent}_{col}"),
            None => format!("{test}_{parent}"),
        }
    };
    let tests_of = |entry: &Json| -> Vec<Json> {
        ["data_tests", "tests"]
            .iter()
            .filter_map(|k| entry.get(*k).and_then(Json::as_array))
            .flatten()
            .cloned()
            .collect()
    };
    for key in ["models", "seeds", "snapshots"] {
        for entry in doc.get(key).and_then(Json::as_array).into_iter().flatten() {
            let parent = entry["name"].as_str().expect("properties entry name");
            for test in tests_of(entry) {
                let name = simple_test(&test, parent, None);
                out.push(Node {
                    path: format!("{yml_rel}/{name}.sql"),
                    name,
                });
            }
            for col in entry
                .get("columns")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let col_name = col["name"].as_str().expect("column name");
                for test in tests_of(col) {
                    let name = simple_test(&test, parent, Some(col_name));
                    out.push(Node {
                        path: format!("{yml_rel}/{name}.sql"),
                        name,
                    });
                }
            }
        }
    }
    for source in doc
        .get("sources")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        for table in source
            .get("tables")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let has_tests = !tests_of(table).is_empty()
                || table
                    .get("columns")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .any(|c| !tests_of(c).is_empty());
            assert!(
                !has_tests,
                "{yml_rel}: source tests; extend generic_tests()"
            );
        }
    }
    out
}

/// Every node dbt compiles for the project, derived from its files (default paths).
fn expected_nodes(project: &Path) -> (String, Vec<Node>) {
    let cfg = read_yaml(&project.join("dbt_project.yml"));
    for key in [
        "model-paths",
        "test-paths",
        "snapshot-paths",
        "seed-paths",
        "analysis-paths",
    ] {
        assert!(
            cfg.get(key).is_none(),
            "{key} in dbt_project.yml: extend expected_nodes()"
        );
    }
    let name = cfg["name"].as_str().expect("project name").to_string();
    let mut nodes = Vec::new();
    for dir in ["models", "tests"] {
        for rel in files_under(project, dir, "sql") {
            nodes.push(Node {
                name: stem(&rel),
                path: rel,
            });
        }
    }
    let block = regex::Regex::new(r"\{%-?\s*snapshot\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}").unwrap();
    for rel in files_under(project, "snapshots", "sql") {
        let text = std::fs::read_to_string(project.join(&rel)).expect("read snapshot");
        for cap in block.captures_iter(&text) {
            nodes.push(Node {
                name: cap[1].to_string(),
                path: format!("{rel}/{}.sql", &cap[1]),
            });
        }
    }
    for dir in ["models", "seeds", "snapshots"] {
        for rel in files_under(project, dir, "yml") {
            nodes.extend(generic_tests(&rel, &read_yaml(&project.join(&rel))));
        }
    }
    nodes.sort();
    (name, nodes)
}

struct Compiled {
    dir: tempfile::TempDir,
    project_name: String,
    nodes: Vec<Node>,
    /// Problems found; empty when the scenario conforms.
    problems: Vec<String>,
}

/// Copies the scenario to a fresh directory, compiles it, and checks exit code and the set
/// of compiled files.
fn compile(scenario: &str, dialect: Dialect) -> Compiled {
    let src = projects().join(scenario);
    let dir = tempfile::tempdir().expect("temp dir");
    common::copy_dir(&src, dir.path());
    let (project_name, nodes) = expected_nodes(dir.path());

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xform"));
    cmd.arg("compile")
        .arg("--project-dir")
        .arg(dir.path())
        .arg("--profiles-dir")
        .arg(dir.path())
        .args(dialect.target_args())
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env_remove("DBT_PROFILES_DIR")
        .env_remove("DBT_PROJECT_DIR")
        .env_remove("DBT_TARGET");
    if dialect == Dialect::BigQuery {
        // No credentials anywhere, and any HTTP(S) attempt goes to a closed port.
        cmd.env("HOME", dir.path())
            .env("CLOUDSDK_CONFIG", dir.path().join("no-gcloud"))
            .env_remove("GOOGLE_APPLICATION_CREDENTIALS")
            .env_remove("GOOGLE_CLOUD_PROJECT")
            .env("HTTPS_PROXY", "http://127.0.0.1:9")
            .env("HTTP_PROXY", "http://127.0.0.1:9")
            .env("ALL_PROXY", "http://127.0.0.1:9")
            .env("NO_PROXY", "");
    }
    let out = cmd.output().expect("run xform");
    let mut problems = Vec::new();
    if !out.status.success() {
        problems.push(format!(
            "`xform compile {}` exited with {}\n--- stdout ---\n{}--- stderr ---\n{}",
            dialect.target_args().join(" "),
            out.status,
            common::clean(&String::from_utf8_lossy(&out.stdout), dir.path()),
            common::clean(&String::from_utf8_lossy(&out.stderr), dir.path()),
        ));
    }

    let compiled_root = dir.path().join("target/compiled").join(&project_name);
    let actual: BTreeSet<String> = files_under(dir.path(), "target/compiled", "sql")
        .into_iter()
        .map(|p| {
            p.strip_prefix(&format!("target/compiled/{project_name}/"))
                .map(str::to_string)
                .unwrap_or(p)
        })
        .collect();
    let expected: BTreeSet<String> = nodes.iter().map(|n| n.path.clone()).collect();
    for missing in expected.difference(&actual) {
        problems.push(format!(
            "missing {}/{missing}",
            compiled_root.strip_prefix(dir.path()).unwrap().display()
        ));
    }
    for extra in actual.difference(&expected) {
        problems.push(format!(
            "unexpected compiled file {extra} (dbt writes no such file)"
        ));
    }
    Compiled {
        dir,
        project_name,
        nodes,
        problems,
    }
}

fn gap_reason(scenario: &str) -> Option<&'static str> {
    KNOWN_GAPS
        .iter()
        .find(|(s, _)| *s == scenario)
        .map(|(_, r)| *r)
}

/// Compiles every scenario for `dialect`, asserts conformance (or that known gaps still
/// reproduce), snapshots the compiled SQL and returns it keyed by (scenario, node).
fn run_dialect(dialect: Dialect) -> BTreeMap<(String, String), String> {
    let mut extracted: Vec<String> = std::fs::read_dir(projects())
        .expect("read extracted projects")
        .map(|e| e.expect("dir entry"))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    extracted.sort();
    assert_eq!(
        extracted, BASIC_SCENARIOS,
        "extract_basic.py produced a different scenario list; update BASIC_SCENARIOS in tests/common/conformance.rs"
    );
    for (gap, _) in KNOWN_GAPS {
        assert!(
            BASIC_SCENARIOS.contains(gap),
            "KNOWN_GAPS names unknown scenario {gap}"
        );
    }

    let mut failures = Vec::new();
    let mut sql = BTreeMap::new();
    for &scenario in BASIC_SCENARIOS {
        let compiled = compile(scenario, dialect);
        if let Some(reason) = gap_reason(scenario) {
            if compiled.problems.is_empty() {
                failures.push(format!(
                    "{scenario} ({}) is in KNOWN_GAPS but now conforms: remove it from \
                     KNOWN_GAPS and accept its snapshots",
                    dialect.label()
                ));
            } else {
                eprintln!(
                    "known gap {scenario} ({}): {reason}\n  {}",
                    dialect.label(),
                    compiled.problems.join("\n  ")
                );
            }
            continue;
        }
        if !compiled.problems.is_empty() {
            failures.push(format!(
                "{scenario} ({}):\n  {}",
                dialect.label(),
                compiled.problems.join("\n  ")
            ));
            continue;
        }
        let root = compiled
            .dir
            .path()
            .join("target/compiled")
            .join(&compiled.project_name);
        let mut seen = BTreeSet::new();
        for node in &compiled.nodes {
            assert!(
                seen.insert(&node.name),
                "{scenario}: two nodes named {}; snapshot names would collide",
                node.name
            );
            let text = std::fs::read_to_string(root.join(&node.path))
                .unwrap_or_else(|e| panic!("{scenario}/{}: {e}", node.path));
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path("snapshots/conformance");
            settings.set_prepend_module_to_snapshot(false);
            settings.set_omit_expression(true);
            settings.set_description(format!(
                "dbt-tests-adapter 1.20.0 basic/{scenario}: target/compiled/{}/{} ({})",
                compiled.project_name,
                node.path,
                dialect.label()
            ));
            for dir in [
                Some(compiled.dir.path().to_path_buf()),
                compiled.dir.path().canonicalize().ok(),
            ]
            .into_iter()
            .flatten()
            {
                settings.add_filter(&regex::escape(&dir.display().to_string()), "[PROJECT]");
            }
            settings.bind(|| {
                insta::assert_snapshot!(
                    format!("basic__{scenario}__{}__{}", node.name, dialect.label()),
                    text
                );
            });
            sql.insert((scenario.to_string(), node.name.clone()), text);
        }
    }
    assert!(
        failures.is_empty(),
        "{} conformance failure(s) for {}:\n\n{}",
        failures.len(),
        dialect.label(),
        failures.join("\n\n")
    );
    sql
}

#[test]
fn basic_duckdb() {
    let sql = run_dialect(Dialect::DuckDb);
    let three_part = regex::Regex::new(r#""conformance"\."conformance"\."[a-z_]+""#).unwrap();
    assert!(
        sql.values().any(|s| three_part.is_match(s)),
        "no DuckDB model references a \"db\".\"schema\".\"name\" relation"
    );
    for ((scenario, node), text) in &sql {
        assert!(
            !text.contains('`'),
            "{scenario}/{node}: backtick in DuckDB SQL:\n{text}"
        );
    }
}

#[test]
fn basic_bigquery() {
    let sql = run_dialect(Dialect::BigQuery);
    let three_part = regex::Regex::new(r"`conformance-proj`\.`conformance`\.`[a-z_]+`").unwrap();
    let with_relation: Vec<_> = sql.iter().filter(|(_, s)| three_part.is_match(s)).collect();
    assert!(
        !with_relation.is_empty(),
        "no BigQuery model references a `project`.`dataset`.`table` relation"
    );
    for ((scenario, node), text) in &sql {
        assert!(
            !text.contains('"'),
            "{scenario}/{node}: double quote in BigQuery SQL (DuckDB-style identifier?):\n{text}"
        );
    }
}
