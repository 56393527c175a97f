//! dbt-tests-adapter 1.20.0 `basic/` and `incremental/` test classes replayed with xform on
//! DuckDB: the extracted fixture projects and each class's command sequence go in; the
//! same assertions as the Python test come out, read from run_results.json and the database.
//!
//! The suite is not vendored: `bench/conformance/fetch_adapter_tests.sh` downloads the wheel
//! from PyPI once (cache: `$XFORM_CONFORMANCE_CACHE`, default `~/.cache/xform-conformance`)
//! and `extract_basic.py` / `extract_incremental.py` turn the classes into projects. Without
//! network access and without a populated cache these tests fail (never skip).
//!
//! Each `#[test]` is one pytest test method: a fresh copy of the class's project, with a
//! DuckDB profile (`test.duckdb` in the project, schema `test_schema`, as dbt's harness
//! gives each test its own schema), the same commands in the same order, and the same
//! checks (result counts and names, statuses, relation types, `check_relations_equal`).
//!
//! Setting `XFORM_CONFORMANCE_DBT` to a dbt executable (dbt-core 1.12.6 + dbt-duckdb 1.11.1,
//! e.g. `/work/.venv-dbt/bin/dbt`) replays everything with real dbt instead of xform, so
//! every expectation here can be confirmed to be dbt's own outcome on DuckDB.
//!
//! Not ported: `dbt docs generate` steps and the catalog counts they assert (xform has no
//! `docs` command); each test says where it stops.

#![cfg(feature = "duckdb")]

#[path = "../common/mod.rs"]
mod common;

mod basic;
mod incremental;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value as Json;
use xform::adapter::duckdb::DuckDb;
use xform::adapter::{Adapter, RelationKind};

/// The database dbt-duckdb names after the file (`test.duckdb`) and the profile's schema.
pub const DATABASE: &str = "test";
pub const SCHEMA: &str = "test_schema";

const PROFILES: &str = "conformance:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \"test.duckdb\"\n      schema: test_schema\n      threads: 1\n";

/// The projects `extract_incremental.py` writes.
const INCREMENTAL: &[&str] = &[
    "incremental_on_schema_change",
    "incremental_predicates",
    "incremental_unique_key",
    "merge_exclude_columns",
    "predicates_delete_insert",
];

#[derive(Clone, Copy)]
pub enum Suite {
    Basic,
    Incremental,
}

impl Suite {
    fn dir(self) -> &'static str {
        match self {
            Suite::Basic => "basic",
            Suite::Incremental => "incremental",
        }
    }
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run_script(cmd: &mut Command, what: &str) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}).\nThese tests need dbt-tests-adapter 1.20.0 from PyPI: run once with \
         network access (the wheel is cached in {}), or set XFORM_CONFORMANCE_CACHE to a \
         directory that holds dbt_tests_adapter-1.20.0-py3-none-any.whl.\n--- stderr ---\n{}",
        out.status,
        common::conformance::cache_dir().display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn subdirs(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry"))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Fetches the wheel and extracts both suites once per test binary run, into
/// `CARGO_TARGET_TMPDIR/conformance-run/{basic,incremental}` (tests copy from there).
fn projects() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("conformance-run");
        if out.exists() {
            std::fs::remove_dir_all(&out)
                .unwrap_or_else(|e| panic!("cannot clear {}: {e}", out.display()));
        }
        let bench = repo().join("bench/conformance");
        let stdout = run_script(
            Command::new("bash")
                .arg(bench.join("fetch_adapter_tests.sh"))
                .arg(common::conformance::cache_dir()),
            "bench/conformance/fetch_adapter_tests.sh",
        );
        let src = stdout
            .lines()
            .last()
            .expect("fetch_adapter_tests.sh prints the unpacked wheel root")
            .to_string();
        for (script, suite, expected) in [
            (
                "extract_basic.py",
                Suite::Basic,
                common::conformance::BASIC_SCENARIOS,
            ),
            ("extract_incremental.py", Suite::Incremental, INCREMENTAL),
        ] {
            let dest = out.join(suite.dir());
            run_script(
                Command::new("python3")
                    .arg(bench.join(script))
                    .arg(&src)
                    .arg(&dest),
                script,
            );
            assert_eq!(
                subdirs(&dest),
                expected,
                "{script} produced a different project list; update the list in this file"
            );
        }
        out
    })
}

/// Which program replays the commands: xform, or dbt when `XFORM_CONFORMANCE_DBT` is set.
fn dbt_executable() -> Option<PathBuf> {
    std::env::var_os("XFORM_CONFORMANCE_DBT")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
}

/// One entry of run_results.json.
#[derive(Debug, Clone)]
pub struct NodeResult {
    pub unique_id: String,
    /// The node name: `unique_id`'s third part (`test.pkg.not_null_base_id.<hash>`).
    pub name: String,
    pub status: String,
    pub message: String,
}

/// What one command did: its exit code, output, and the results it wrote.
pub struct Results {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub results: Vec<NodeResult>,
}

impl Results {
    pub fn count(&self) -> usize {
        self.results.len()
    }

    /// dbt's `check_result_nodes_by_name`: the set of result node names.
    pub fn assert_names(&self, names: &[&str]) {
        let actual: BTreeSet<&str> = self.results.iter().map(|r| r.name.as_str()).collect();
        let expected: BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(actual, expected, "result nodes of {}", self.describe());
    }

    pub fn assert_len(&self, n: usize) {
        assert_eq!(self.count(), n, "number of results of {}", self.describe());
    }

    pub fn get(&self, name: &str) -> &NodeResult {
        self.results
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("no result for {name} in {}", self.describe()))
    }

    pub fn assert_status(&self, name: &str, status: &str) {
        assert_eq!(
            self.get(name).status,
            status,
            "status of {name} in {}",
            self.describe()
        );
    }

    fn describe(&self) -> String {
        let results: Vec<String> = self
            .results
            .iter()
            .map(|r| format!("  {} {} {}", r.unique_id, r.status, r.message))
            .collect();
        format!(
            "`{}` (exit {})\nresults:\n{}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.args.join(" "),
            self.code,
            results.join("\n"),
            self.stdout,
            self.stderr
        )
    }
}

/// A fresh copy of one extracted project, and the commands and checks a test runs on it.
pub struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    pub fn new(suite: Suite, scenario: &str) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        common::copy_dir(&projects().join(suite.dir()).join(scenario), dir.path());
        let project = Project { dir };
        project.write("profiles.yml", PROFILES);
        project
    }

    /// What dbt's harness builds for a class without fixtures (BaseEmpty): only
    /// dbt_project.yml and the profile.
    pub fn empty() -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        let project = Project { dir };
        project.write(
            "dbt_project.yml",
            "name: \"test\"\nprofile: \"conformance\"\nconfig-version: 2\nversion: \"1.0.0\"\n",
        );
        project.write("profiles.yml", PROFILES);
        project
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    fn invoke(&self, args: &[&str]) -> Results {
        let run_results = self.path().join("target/run_results.json");
        if run_results.exists() {
            std::fs::remove_file(&run_results).expect("remove old run_results.json");
        }
        let mut cmd = match dbt_executable() {
            Some(dbt) => {
                let mut c = Command::new(dbt);
                c.env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false");
                c
            }
            None => Command::new(env!("CARGO_BIN_EXE_xform")),
        };
        let out = cmd
            .args(args)
            .args(["--profiles-dir", "."])
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .env_remove("DBT_PROFILES_DIR")
            .env_remove("DBT_PROJECT_DIR")
            .env_remove("DBT_TARGET")
            .output()
            .expect("run the tool");
        let mut results = Results {
            args: args.iter().map(|a| a.to_string()).collect(),
            code: out.status.code().unwrap_or(-1),
            stdout: common::clean(&String::from_utf8_lossy(&out.stdout), self.path()),
            stderr: common::clean(&String::from_utf8_lossy(&out.stderr), self.path()),
            results: Vec::new(),
        };
        let text = match std::fs::read_to_string(&run_results) {
            Ok(text) => text,
            Err(e) => panic!(
                "no target/run_results.json ({e}) after {}",
                results.describe()
            ),
        };
        let doc: Json = serde_json::from_str(&text).expect("run_results.json is JSON");
        let entries = doc["results"]
            .as_array()
            .unwrap_or_else(|| panic!("run_results.json has no results array: {doc}"));
        for entry in entries {
            let unique_id = entry["unique_id"].as_str().expect("unique_id").to_string();
            let name = unique_id
                .split('.')
                .nth(2)
                .unwrap_or_else(|| panic!("unique_id {unique_id} has no name part"))
                .to_string();
            results.results.push(NodeResult {
                name,
                unique_id,
                status: entry["status"].as_str().expect("status").to_string(),
                message: entry["message"].as_str().unwrap_or_default().to_string(),
            });
        }
        results
    }

    /// `run_dbt(args)`: the command must succeed (exit 0).
    pub fn dbt(&self, args: &[&str]) -> Results {
        let r = self.invoke(args);
        assert_eq!(r.code, 0, "expected success: {}", r.describe());
        r
    }

    /// `run_dbt(args, expect_pass=False)`: the command must report a failed node (exit 1).
    pub fn dbt_fails(&self, args: &[&str]) -> Results {
        let r = self.invoke(args);
        assert_eq!(r.code, 1, "expected a failing run: {}", r.describe());
        r
    }

    /// Opens the database file; drop it before the next command (one process at a time).
    pub fn db(&self) -> DuckDb {
        DuckDb::open(&self.path().join("test.duckdb")).expect("open test.duckdb")
    }

    /// `project.run_sql_file`: statements split on `;`, `{schema}`/`{database}` filled in.
    pub fn run_sql_file(&self, rel: &str) {
        let path = self.path().join(rel);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let db = self.db();
        for statement in text.split(';').filter(|s| !s.trim().is_empty()) {
            let sql = statement
                .replace("{schema}", SCHEMA)
                .replace("{database}", &format!("\"{DATABASE}\""));
            db.execute(&sql)
                .unwrap_or_else(|e| panic!("{rel}: {e}\n{sql}"));
        }
    }

    pub fn row_count(&self, name: &str) -> i64 {
        let rows = self
            .db()
            .query(&format!("select count(*) from {}", relation(name)))
            .unwrap_or_else(|e| panic!("count rows of {name}: {e}"));
        rows.rows[0][0]
            .as_i64()
            .unwrap_or_else(|| panic!("count(*) of {name} is {}", rows.rows[0][0]))
    }

    /// `check_relation_types`: each relation exists in the test schema as the given kind.
    pub fn check_relation_types(&self, expected: &[(&str, RelationKind)]) {
        let db = self.db();
        for (name, kind) in expected {
            let actual = db
                .relation_kind(DATABASE, SCHEMA, name)
                .unwrap_or_else(|e| panic!("relation_kind({name}): {e}"));
            assert_eq!(actual, Some(*kind), "relation type of {name}");
        }
    }

    /// `check_relations_equal`: every relation has the first one's columns (names, any
    /// order; dbt compares the first relation's non-`dbt_` columns) and the same rows,
    /// counted with duplicates (EXCEPT ALL both ways, and equal row counts).
    pub fn check_relations_equal(&self, names: &[&str]) {
        assert!(
            names.len() >= 2,
            "check_relations_equal needs two relations"
        );
        let db = self.db();
        let columns_of = |name: &str| -> BTreeSet<String> {
            let cols = db
                .columns(DATABASE, SCHEMA, name)
                .unwrap_or_else(|e| panic!("columns of {name}: {e}"));
            assert!(!cols.is_empty(), "relation {name} does not exist");
            cols.into_iter()
                .map(|c| c.name.to_lowercase())
                .filter(|c| !c.starts_with("dbt_"))
                .collect()
        };
        let basis = names[0];
        let basis_cols = columns_of(basis);
        let list: Vec<String> = basis_cols
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        let list = list.join(", ");
        for other in &names[1..] {
            assert_eq!(
                columns_of(other),
                basis_cols,
                "columns of {other} differ from {basis}"
            );
            let (a, b) = (relation(basis), relation(other));
            let sql = format!(
                "select (select count(*) from {a}) - (select count(*) from {b}), \
                 (select count(*) from ((select {list} from {a} except all select {list} from {b}) \
                  union all (select {list} from {b} except all select {list} from {a})) as d)"
            );
            let rows = db
                .query(&sql)
                .unwrap_or_else(|e| panic!("compare {basis} and {other}: {e}"));
            let diff = (rows.rows[0][0].as_i64(), rows.rows[0][1].as_i64());
            if diff != (Some(0), Some(0)) {
                let dump = |rel: &str| {
                    db.query(&format!("select {list} from {rel} order by all"))
                        .map(|r| format!("{:?}", r.rows))
                        .unwrap_or_else(|e| e.to_string())
                };
                panic!(
                    "{basis} and {other} differ: row count difference {}, {} mismatched \
                     rows\n{basis}: {}\n{other}: {}",
                    rows.rows[0][0],
                    rows.rows[0][1],
                    dump(&a),
                    dump(&b)
                );
            }
        }
    }
}

/// `relation_from_name`: the quoted three-part name in the test schema.
pub fn relation(name: &str) -> String {
    format!("\"{DATABASE}\".\"{SCHEMA}\".\"{name}\"")
}

/// The comparison every other test relies on must see a difference: `base` (10 rows) and
/// `added` (the same 10 plus 10 more) differ; `base` equals itself.
#[test]
fn check_relations_equal_sees_differences() {
    let p = Project::new(Suite::Basic, "incremental");
    p.dbt(&["seed"]).assert_len(2);
    p.check_relations_equal(&["base", "base"]);
    let caught = std::panic::catch_unwind(|| p.check_relations_equal(&["base", "added"]));
    let message = caught
        .expect_err("base and added compared equal")
        .downcast::<String>()
        .map(|m| *m)
        .unwrap_or_default();
    assert!(
        message.contains("row count difference -10"),
        "unexpected comparison failure: {message}"
    );
}
