//! dbt-tests-adapter 1.20.0 as the conformance tests use it: where the wheel is cached and
//! which `basic/` projects its extraction yields.

use std::path::PathBuf;

/// Every project `extract_basic.py` writes for dbt-tests-adapter 1.20.0. A scenario that
/// appears or disappears fails the test rather than being skipped silently.
pub const BASIC_SCENARIOS: &[&str] = &[
    "adapter_method",
    "ephemeral",
    "generic_tests",
    "get_catalog_for_single_relation",
    "incremental",
    // dbt's test expects `dbt run` to fail (invalid incremental_strategy), but the strategy
    // is only validated by the materialization at run time: `dbt compile` succeeds.
    "incremental_bad_strategy",
    "incremental_not_schema_change",
    "simple_materializations",
    // `dbt test` fails on purpose (failing.sql returns rows); compiling is fine.
    "singular_tests",
    "singular_tests_ephemeral",
    "snapshot_check_cols",
    "snapshot_timestamp",
    "table_materialization",
];

/// Where the downloaded wheel is kept: `XFORM_CONFORMANCE_CACHE`, else
/// `~/.cache/xform-conformance`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("XFORM_CONFORMANCE_CACHE").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .expect("neither XFORM_CONFORMANCE_CACHE nor HOME is set: no place for the wheel cache");
    PathBuf::from(home).join(".cache/xform-conformance")
}
