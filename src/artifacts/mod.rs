//! Artifacts: the compiled graph and a run's outcomes -> target/manifest.json,
//! target/compiled/**, target/run/**, target/run_results.json and
//! target/column_lineage.json, target/catalog.json.

pub mod catalog;
pub mod column_lineage;
pub mod config_defaults;
pub mod manifest;
pub mod run_results;

/// The dbt-core version whose artifact layouts xform writes.
pub const DBT_VERSION: &str = "1.12.6";

use std::path::Path;

use crate::node::Node;

/// A node's file path inside its package (dbt's `original_file_path` for package nodes).
pub fn package_relative(n: &Node) -> &str {
    let f = n.origin.file.as_str();
    match f.strip_prefix("dbt_packages/") {
        Some(rest) => rest.split_once('/').map_or(rest, |(_, r)| r),
        None => f,
    }
}

/// Where dbt writes a node's compiled SQL: `<target>/compiled/<package>/<file>`, and for
/// generic tests `<target>/compiled/<package>/<yml file>/<test name>.sql`.
pub fn compiled_path(target_path: &str, n: &Node) -> String {
    let file = package_relative(n);
    if n.test_metadata.is_some() {
        let stem = n
            .config
            .get("alias")
            .and_then(|a| a.as_str())
            .unwrap_or(&n.name);
        format!(
            "{target_path}/compiled/{}/{file}/{stem}.sql",
            n.package_name
        )
    } else if n.resource_type == crate::node::ResourceType::UnitTest {
        // dbt's pseudo path: the YAML file's folders, then `<test name>.sql`.
        let dir = file.rsplit_once('/').map_or("", |(d, _)| d);
        format!(
            "{target_path}/compiled/{}/{file}/{dir}/{}.sql",
            n.package_name, n.name
        )
    } else if n.resource_type == crate::node::ResourceType::Snapshot {
        // A file may hold several snapshots: dbt nests them under the file's path.
        format!(
            "{target_path}/compiled/{}/{file}/{}.sql",
            n.package_name, n.name
        )
    } else {
        format!("{target_path}/compiled/{}/{file}", n.package_name)
    }
}

/// Writes every compiled node under `root` in parallel; returns how many files were written.
/// A file that already holds the same SQL is left alone (no rewrite, no new mtime).
pub fn write_compiled(root: &Path, target_path: &str, nodes: &[&Node]) -> std::io::Result<usize> {
    use rayon::prelude::*;
    let files: Vec<(std::path::PathBuf, &str)> = nodes
        .iter()
        .filter_map(|n| {
            Some((
                root.join(compiled_path(target_path, n)),
                n.compiled_code.as_deref()?,
            ))
        })
        .collect();
    let dirs: std::collections::BTreeSet<&Path> =
        files.iter().filter_map(|(p, _)| p.parent()).collect();
    for d in dirs {
        std::fs::create_dir_all(d)?;
    }
    files
        .par_iter()
        .map(|(path, sql)| {
            let same = std::fs::metadata(path).is_ok_and(|m| m.len() == sql.len() as u64)
                && std::fs::read(path).is_ok_and(|old| old == sql.as_bytes());
            if same {
                Ok(())
            } else {
                std::fs::write(path, sql)
            }
        })
        .collect::<std::io::Result<Vec<()>>>()?;
    Ok(files.len())
}
