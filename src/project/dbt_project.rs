//! dbt_project.yml text -> `DbtProject`: name, profile, paths, vars and per-resource config trees.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::yaml::{self, Yaml};
use crate::diagnostics::{Diagnostic, Location};

/// Keys dbt_project.yml may hold; anything else gets one warning.
const KNOWN_KEYS: &[&str] = &[
    "name",
    "version",
    "config-version",
    "profile",
    "model-paths",
    "source-paths",
    "seed-paths",
    "data-paths",
    "macro-paths",
    "test-paths",
    "snapshot-paths",
    "analysis-paths",
    "docs-paths",
    "asset-paths",
    "function-paths",
    "target-path",
    "log-path",
    "packages-install-path",
    "clean-targets",
    "vars",
    "quoting",
    "dispatch",
    "require-dbt-version",
    "models",
    "seeds",
    "snapshots",
    "sources",
    "data_tests",
    "tests",
    "unit_tests",
    "analyses",
    "exposures",
    "metrics",
    "semantic-models",
    "saved-queries",
    "functions",
    "on-run-start",
    "on-run-end",
    "query-comment",
    "flags",
    "restrict-access",
];

/// One `dispatch:` entry: where to look for `adapter.dispatch` implementations.
#[derive(Debug, Clone)]
pub struct DispatchRule {
    pub macro_namespace: String,
    pub search_order: Vec<String>,
}

/// The parsed dbt_project.yml. Config trees stay as YAML (with lines) for `config::resolve`.
#[derive(Debug, Clone)]
pub struct DbtProject {
    pub name: String,
    pub version: Option<String>,
    pub profile: Option<String>,
    /// Where `profile:` is written, for "profile not found" diagnostics.
    pub profile_line: (u32, u32),
    pub model_paths: Vec<String>,
    pub seed_paths: Vec<String>,
    pub macro_paths: Vec<String>,
    pub test_paths: Vec<String>,
    pub snapshot_paths: Vec<String>,
    pub analysis_paths: Vec<String>,
    pub docs_paths: Option<Vec<String>>,
    pub target_path: String,
    pub packages_install_path: String,
    pub clean_targets: Vec<String>,
    /// Global vars and `{package: {var: value}}` scopes, as written.
    pub vars: IndexMap<String, Json>,
    pub quoting: IndexMap<String, Json>,
    pub dispatch: Vec<DispatchRule>,
    /// `models:`, `seeds:`, `snapshots:`, `data_tests:`, `sources:`, ... trees.
    pub configs: IndexMap<String, Yaml>,
    pub on_run_start: Vec<String>,
    pub on_run_end: Vec<String>,
}

fn paths(doc: &Yaml, keys: &[&str], default: &[&str]) -> Vec<String> {
    keys.iter()
        .find_map(|k| doc.get(k).and_then(Yaml::as_str_list))
        .unwrap_or_else(|| default.iter().map(|s| s.to_string()).collect())
}

/// Parses dbt_project.yml. `display_path` is how diagnostics name the file.
pub fn parse(
    text: &str,
    display_path: &str,
) -> Result<(DbtProject, Vec<Diagnostic>), Vec<Diagnostic>> {
    let doc = yaml::parse_file(text, display_path).map_err(|d| vec![d])?;
    let at = |y: &Yaml| Location::new(display_path, y.line, y.column);
    let Some(map) = doc.as_map() else {
        return Err(vec![
            Diagnostic::error("dbt_project.yml must be a mapping").at(at(&doc)),
        ]);
    };
    let mut warnings = Vec::new();
    let unknown: Vec<&String> = map
        .keys()
        .filter(|k| !KNOWN_KEYS.contains(&k.as_str()))
        .collect();
    if let Some(first) = unknown.first() {
        let names: Vec<String> = unknown.iter().map(|k| format!("`{k}`")).collect();
        warnings.push(
            Diagnostic::warning(format!(
                "dbt_project.yml has keys xform does not use: {}",
                names.join(", ")
            ))
            .at(at(&map[first.as_str()])),
        );
    }
    let Some(name) = doc.get("name").and_then(Yaml::as_text) else {
        return Err(vec![
            Diagnostic::error("dbt_project.yml needs a `name`").at(Location::new(
                display_path,
                1,
                0,
            )),
        ]);
    };
    if let Some(cv) = doc.get("config-version")
        && cv.to_json() != 2
    {
        return Err(vec![
            Diagnostic::error("only `config-version: 2` is supported").at(at(cv)),
        ]);
    }
    let vars = match doc.get("vars") {
        Some(v) if v.as_map().is_some() => match v.to_json() {
            Json::Object(m) => m.into_iter().collect(),
            _ => IndexMap::new(),
        },
        Some(v) if !v.is_null() => {
            return Err(vec![
                Diagnostic::error("`vars` must be a mapping").at(at(v)),
            ]);
        }
        _ => IndexMap::new(),
    };
    let quoting = match doc.get("quoting").map(Yaml::to_json) {
        Some(Json::Object(m)) => m.into_iter().collect(),
        _ => IndexMap::new(),
    };
    let mut dispatch = Vec::new();
    for entry in doc
        .get("dispatch")
        .and_then(Yaml::as_seq)
        .unwrap_or_default()
    {
        let ns = entry.get("macro_namespace").and_then(Yaml::as_text);
        let order = entry.get("search_order").and_then(Yaml::as_str_list);
        match (ns, order) {
            (Some(macro_namespace), Some(search_order)) => dispatch.push(DispatchRule {
                macro_namespace,
                search_order,
            }),
            _ => {
                return Err(vec![
                    Diagnostic::error(
                        "each `dispatch` entry needs `macro_namespace` and `search_order`",
                    )
                    .at(at(entry)),
                ]);
            }
        }
    }
    let mut configs = IndexMap::new();
    for key in [
        "models",
        "seeds",
        "snapshots",
        "sources",
        "data_tests",
        "tests",
        "unit_tests",
        "analyses",
        "exposures",
    ] {
        if let Some(tree) = doc.get(key) {
            let key = if key == "tests" { "data_tests" } else { key };
            configs
                .entry(key.to_string())
                .or_insert_with(|| tree.clone());
        }
    }
    let hooks = |k: &str| doc.get(k).and_then(Yaml::as_str_list).unwrap_or_default();
    let target_path = doc
        .get("target-path")
        .and_then(Yaml::as_text)
        .unwrap_or_else(|| "target".to_string());
    let project = DbtProject {
        version: doc.get("version").and_then(Yaml::as_text),
        profile: doc.get("profile").and_then(Yaml::as_text),
        profile_line: doc.get("profile").map_or((0, 0), |y| (y.line, y.column)),
        model_paths: paths(&doc, &["model-paths", "source-paths"], &["models"]),
        seed_paths: paths(&doc, &["seed-paths", "data-paths"], &["seeds"]),
        macro_paths: paths(&doc, &["macro-paths"], &["macros"]),
        test_paths: paths(&doc, &["test-paths"], &["tests"]),
        snapshot_paths: paths(&doc, &["snapshot-paths"], &["snapshots"]),
        analysis_paths: paths(&doc, &["analysis-paths"], &["analyses"]),
        docs_paths: doc.get("docs-paths").and_then(Yaml::as_str_list),
        clean_targets: doc
            .get("clean-targets")
            .and_then(Yaml::as_str_list)
            .unwrap_or_else(|| vec![target_path.clone()]),
        target_path,
        packages_install_path: doc
            .get("packages-install-path")
            .and_then(Yaml::as_text)
            .unwrap_or_else(|| "dbt_packages".to_string()),
        vars,
        quoting,
        dispatch,
        configs,
        on_run_start: hooks("on-run-start"),
        on_run_end: hooks("on-run-end"),
        name,
    };
    Ok((project, warnings))
}

impl DbtProject {
    /// Vars visible to nodes of `package`: globals, then that package's scope, as dbt merges them.
    pub fn vars_for(&self, package: &str) -> IndexMap<String, Json> {
        let mut out = IndexMap::new();
        for (k, v) in &self.vars {
            if v.is_object() && (k == package || k == &self.name) {
                continue;
            }
            out.insert(k.clone(), v.clone());
        }
        for scope in [&self.name, &package.to_string()] {
            if let Some(Json::Object(m)) = self.vars.get(scope.as_str()) {
                for (k, v) in m {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        // Namespaced `"pkg:var"` keys apply to that package only.
        let prefix = format!("{package}:");
        for (k, v) in &self.vars {
            if let Some(rest) = k.strip_prefix(&prefix) {
                out.insert(rest.to_string(), v.clone());
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_paths_vars_and_configs() {
        let (p, warns) = parse(
            "name: demo\nconfig-version: 2\nprofile: demo\ntest-paths: [\"data-tests\"]\nvars:\n  a: 1\n  \"demo:b\": 2\n  other_pkg:\n    c: 3\nmodels:\n  demo:\n    +materialized: table\nbogus: 1\n",
            "dbt_project.yml",
        )
        .unwrap();
        assert_eq!(p.test_paths, vec!["data-tests"]);
        assert_eq!(p.model_paths, vec!["models"]);
        let vars = p.vars_for("demo");
        assert_eq!(vars.get("a"), Some(&Json::from(1)));
        assert_eq!(vars.get("b"), Some(&Json::from(2)));
        assert!(p.configs.contains_key("models"));
        assert_eq!(warns.len(), 1);
        assert!(warns[0].message.contains("`bogus`"));
    }

    #[test]
    fn broken_yaml_points_at_the_line() {
        let errs = parse(
            "name: x\nmodels:\n  x:\n   - a\n  b: [\n",
            "dbt_project.yml",
        )
        .unwrap_err();
        let loc = errs[0].location.as_ref().unwrap();
        assert!(loc.line >= 4, "{loc:?}");
    }
}
