//! A package directory + its dbt_project.yml paths -> the SQL, CSV, YAML and Markdown files in it.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::SourceFile;
use super::dbt_project::DbtProject;
use crate::diagnostics::{Diagnostic, Diagnostics, Location};

/// Every file of one package, sorted by path so runs are deterministic.
#[derive(Debug, Default)]
pub struct Files {
    pub models: Vec<SourceFile>,
    pub seeds: Vec<SourceFile>,
    pub snapshots: Vec<SourceFile>,
    pub analyses: Vec<SourceFile>,
    pub tests: Vec<SourceFile>,
    pub macros: Vec<SourceFile>,
    pub docs: Vec<SourceFile>,
    pub yaml: Vec<SourceFile>,
}

/// Installed packages: each sub-directory of `dbt_packages/` holding a dbt_project.yml.
pub fn package_dirs(install: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(install) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("dbt_project.yml").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Files under `dir/<rel>` with one of `exts`, as (project-relative path, resource-relative path).
fn files_under(
    dir: &Path,
    prefix: &str,
    rel: &str,
    exts: &[&str],
) -> Vec<(PathBuf, String, String)> {
    let base = dir.join(rel);
    let mut out = Vec::new();
    for entry in WalkDir::new(&base).follow_links(true).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        if !exts.contains(&ext) {
            continue;
        }
        let Ok(inner) = path.strip_prefix(&base) else {
            continue;
        };
        let inner = inner.to_string_lossy().replace('\\', "/");
        let rel_clean = rel.trim_end_matches('/');
        let project_rel = if rel_clean.is_empty() || rel_clean == "." {
            format!("{prefix}{inner}")
        } else {
            format!("{prefix}{rel_clean}/{inner}")
        };
        out.push((path.to_path_buf(), project_rel, inner));
    }
    out
}

fn read(
    path: &Path,
    project_rel: String,
    inner: String,
    diags: &mut Diagnostics,
) -> Option<SourceFile> {
    match std::fs::read_to_string(path) {
        Ok(text) => Some(SourceFile {
            path: project_rel,
            resource_path: inner,
            text,
        }),
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("could not read file: {e}"))
                    .at(Location::file(project_rel)),
            );
            None
        }
    }
}

/// Reads every file a package's paths point at.
pub fn collect(dir: &Path, prefix: &str, cfg: &DbtProject, diags: &mut Diagnostics) -> Files {
    let mut files = Files::default();
    let mut yaml_seen = std::collections::HashSet::new();
    let mut take_yaml = |files: &mut Files, rel: &str, diags: &mut Diagnostics| {
        for (path, p, inner) in files_under(dir, prefix, rel, &["yml", "yaml"]) {
            if yaml_seen.insert(p.clone())
                && let Some(f) = read(&path, p, inner, diags)
            {
                files.yaml.push(f);
            }
        }
    };
    for rel in &cfg.model_paths {
        for (path, p, inner) in files_under(dir, prefix, rel, &["sql"]) {
            files.models.extend(read(&path, p, inner, diags));
        }
        take_yaml(&mut files, rel, diags);
    }
    for rel in &cfg.seed_paths {
        for (path, p, inner) in files_under(dir, prefix, rel, &["csv"]) {
            // Seeds are read when they are loaded; only their names matter here.
            files.seeds.push(SourceFile {
                path: p,
                resource_path: inner,
                text: String::new(),
            });
            let _ = path;
        }
        take_yaml(&mut files, rel, diags);
    }
    for rel in &cfg.snapshot_paths {
        for (path, p, inner) in files_under(dir, prefix, rel, &["sql"]) {
            files.snapshots.extend(read(&path, p, inner, diags));
        }
        take_yaml(&mut files, rel, diags);
    }
    for rel in &cfg.analysis_paths {
        for (path, p, inner) in files_under(dir, prefix, rel, &["sql"]) {
            files.analyses.extend(read(&path, p, inner, diags));
        }
        take_yaml(&mut files, rel, diags);
    }
    for rel in &cfg.test_paths {
        for (path, p, inner) in files_under(dir, prefix, rel, &["sql"]) {
            let Some(f) = read(&path, p, inner, diags) else {
                continue;
            };
            if f.resource_path.starts_with("generic/") {
                files.macros.push(f);
            } else {
                files.tests.push(f);
            }
        }
        take_yaml(&mut files, rel, diags);
    }
    for rel in &cfg.macro_paths {
        for (path, p, inner) in files_under(dir, prefix, rel, &["sql"]) {
            files.macros.extend(read(&path, p, inner, diags));
        }
        take_yaml(&mut files, rel, diags);
    }
    let docs_paths = cfg.docs_paths.clone().unwrap_or_else(|| {
        let mut all = cfg.model_paths.clone();
        all.extend(cfg.seed_paths.iter().cloned());
        all.extend(cfg.snapshot_paths.iter().cloned());
        all.extend(cfg.analysis_paths.iter().cloned());
        all.extend(cfg.macro_paths.iter().cloned());
        all.extend(cfg.test_paths.iter().cloned());
        all
    });
    for rel in &docs_paths {
        for (path, p, inner) in files_under(dir, prefix, rel, &["md"]) {
            files.docs.extend(read(&path, p, inner, diags));
        }
    }
    files
}
