//! Shared helpers for CLI tests: copy a fixture project to a temp dir and run the binary.

#![allow(dead_code)]

#[cfg(feature = "bigquery")]
pub mod bigquery;
pub mod conformance;
pub mod fault_proxy;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes `text` to `rel` under `dir`, creating its folders.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A DuckDB project named `name` in `dir`: dbt_project.yml and a profiles.yml beside it
/// whose `dev` target writes `<name>.duckdb`.
pub fn duckdb_project(dir: &Path, name: &str) {
    write(
        dir,
        "dbt_project.yml",
        &format!("name: {name}\nversion: \"1.0.0\"\nconfig-version: 2\nprofile: {name}\n"),
    );
    write(
        dir,
        "profiles.yml",
        &format!(
            "{name}:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: {name}.duckdb\n"
        ),
    );
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A fresh copy of `tests/fixtures/<name>` so tests never write into the repository.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixtures().join(name), dir.path());
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let rel = entry.path().strip_prefix(from).expect("inside fixture");
        let dest = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `xform <args>` in `dir` with colors off and a clean environment for dbt variables.
pub fn xform(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_xform"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DBT_PROFILES_DIR")
        .env_remove("DBT_PROJECT_DIR")
        .output()
        .expect("run xform");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Output with the temp directory and invocation-specific text replaced, for snapshots.
pub fn clean(text: &str, dir: &Path) -> String {
    let mut s = text.replace(&dir.display().to_string(), "[PROJECT]");
    if let Ok(canon) = dir.canonicalize() {
        s = s.replace(&canon.display().to_string(), "[PROJECT]");
    }
    s
}
