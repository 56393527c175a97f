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

/// What a file found under a resource directory is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Model,
    Seed,
    Snapshot,
    Analysis,
    Test,
    Macro,
    Docs,
    Yaml,
}

/// A file found by the walk, before it is read.
struct Found {
    kind: Kind,
    abs: PathBuf,
    project_rel: String,
    inner: String,
}

/// Walks `dir/<rel>` once, classifying files by extension for a resource directory of `kind`.
fn walk(dir: &Path, prefix: &str, rel: &str, kind: Kind, docs: bool, out: &mut Vec<Found>) {
    let base = dir.join(rel);
    let rel_clean = rel.trim_end_matches('/');
    for entry in WalkDir::new(&base).follow_links(true).sort_by_file_name() {
        let Ok(entry) = entry else { continue };
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        let Ok(inner) = path.strip_prefix(&base) else {
            continue;
        };
        let inner = inner.to_string_lossy().replace('\\', "/");
        let file_kind = match (ext, kind) {
            ("yml" | "yaml", _) => Kind::Yaml,
            ("md", _) if docs => Kind::Docs,
            ("csv", Kind::Seed) => Kind::Seed,
            ("sql", Kind::Test) if inner.starts_with("generic/") => Kind::Macro,
            // Unit test fixture files are read by the unit tests that name them.
            (_, Kind::Test) if inner.starts_with("fixtures/") => continue,
            ("sql", k) if k != Kind::Seed => k,
            _ => continue,
        };
        let project_rel = if rel_clean.is_empty() || rel_clean == "." {
            format!("{prefix}{inner}")
        } else {
            format!("{prefix}{rel_clean}/{inner}")
        };
        out.push(Found {
            kind: file_kind,
            abs: path.to_path_buf(),
            project_rel,
            inner,
        });
    }
}

/// Reads every file a package's paths point at (each directory walked once, files read
/// in parallel).
pub fn collect(dir: &Path, prefix: &str, cfg: &DbtProject, diags: &mut Diagnostics) -> Files {
    use rayon::prelude::*;
    let docs_paths = cfg.docs_paths.clone();
    let docs_in = |rel: &String| docs_paths.as_ref().is_none_or(|d| d.contains(rel));
    let mut found = Vec::new();
    let groups: [(&Vec<String>, Kind); 6] = [
        (&cfg.model_paths, Kind::Model),
        (&cfg.seed_paths, Kind::Seed),
        (&cfg.snapshot_paths, Kind::Snapshot),
        (&cfg.analysis_paths, Kind::Analysis),
        (&cfg.test_paths, Kind::Test),
        (&cfg.macro_paths, Kind::Macro),
    ];
    let mut seen_dirs = std::collections::HashSet::new();
    for (paths, kind) in groups {
        for rel in paths {
            if seen_dirs.insert(rel.clone()) {
                walk(dir, prefix, rel, kind, docs_in(rel), &mut found);
            }
        }
    }
    if let Some(extra) = &docs_paths {
        for rel in extra.iter().filter(|r| !seen_dirs.contains(*r)) {
            walk(dir, prefix, rel, Kind::Docs, true, &mut found);
            found.retain(|f| f.kind == Kind::Docs || !f.project_rel.starts_with(rel.as_str()));
        }
    }
    let read: Vec<(Kind, Result<SourceFile, Diagnostic>)> = found
        .into_par_iter()
        .map(|f| {
            let text = if f.kind == Kind::Seed {
                // Seeds are read when they are loaded; only their names matter here.
                Ok(String::new())
            } else {
                std::fs::read_to_string(&f.abs)
            };
            let file = text
                .map(|text| SourceFile {
                    path: f.project_rel.clone(),
                    resource_path: f.inner,
                    text,
                })
                .map_err(|e| {
                    Diagnostic::error(format!("could not read file: {e}"))
                        .at(Location::file(f.project_rel))
                });
            (f.kind, file)
        })
        .collect();
    let mut files = Files::default();
    for (kind, file) in read {
        let file = match file {
            Ok(f) => f,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        match kind {
            Kind::Model => files.models.push(file),
            Kind::Seed => files.seeds.push(file),
            Kind::Snapshot => files.snapshots.push(file),
            Kind::Analysis => files.analyses.push(file),
            Kind::Test => files.tests.push(file),
            Kind::Macro => files.macros.push(file),
            Kind::Docs => files.docs.push(file),
            Kind::Yaml => files.yaml.push(file),
        }
    }
    files
}
