//! Artifacts: the compiled graph -> target/manifest.json and target/compiled/**.

pub mod manifest;

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
    } else {
        format!("{target_path}/compiled/{}/{file}", n.package_name)
    }
}

/// Writes every compiled node under `root`; returns how many files were written.
pub fn write_compiled(root: &Path, target_path: &str, nodes: &[&Node]) -> std::io::Result<usize> {
    let mut written = 0;
    for n in nodes {
        let Some(sql) = &n.compiled_code else {
            continue;
        };
        let path = root.join(compiled_path(target_path, n));
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, sql)?;
        written += 1;
    }
    Ok(written)
}
