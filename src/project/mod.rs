//! Project loading: a project directory -> dbt_project.yml, the target, every file and property YAML.

pub mod config;
pub mod dbt_project;
pub mod generic_tests;
pub mod nodes;
pub mod profiles;
pub mod properties;
pub mod values;
pub mod vars;
pub mod walk;
pub mod yaml;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value as Json;

use crate::diagnostics::{Diagnostic, Diagnostics, Location};
use dbt_project::DbtProject;
use profiles::Target;
use properties::Properties;
use values::{ValueContext, ValueRenderer};
use yaml::Yaml;

/// A file of the project, read into memory.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the root project directory, with forward slashes.
    pub path: String,
    /// Relative to the resource directory it was found in (`staging/stg_x.sql`).
    pub resource_path: String,
    pub text: String,
}

impl SourceFile {
    /// The file name without its extension: a model's or seed's name.
    pub fn stem(&self) -> &str {
        let base = self.path.rsplit('/').next().unwrap_or(&self.path);
        base.rsplit_once('.').map_or(base, |(s, _)| s)
    }

    /// Folders between the resource directory and the file, for the fqn.
    pub fn folders(&self) -> Vec<String> {
        let mut parts: Vec<String> = self.resource_path.split('/').map(str::to_string).collect();
        parts.pop();
        parts
    }
}

/// The root project or one installed package, with everything read from its paths.
#[derive(Debug, Clone)]
pub struct Package {
    pub name: String,
    pub is_root: bool,
    pub config: DbtProject,
    pub models: Vec<SourceFile>,
    pub seeds: Vec<SourceFile>,
    pub snapshots: Vec<SourceFile>,
    pub analyses: Vec<SourceFile>,
    /// Singular data tests (`.sql` under test-paths, outside `generic/`).
    pub tests: Vec<SourceFile>,
    /// Macro files, including generic test definitions under `tests/generic/`.
    pub macros: Vec<SourceFile>,
    /// Markdown files that may hold `{% docs %}` blocks.
    pub docs: Vec<SourceFile>,
    pub properties: Vec<(String, Properties)>,
}

/// How to find and read the project; resolved by the CLI from flags and environment.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub project_dir: PathBuf,
    pub profiles_dir: Option<PathBuf>,
    pub profile: Option<String>,
    pub target: Option<String>,
    /// `--vars` as given (YAML or JSON).
    pub vars: Option<String>,
    /// `--target-path` / DBT_TARGET_PATH: replaces the root project's `target-path`.
    pub target_path: Option<String>,
}

/// A loaded project: packages (root first), the target and the vars.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub packages: Vec<Package>,
    pub target: Target,
    pub cli_vars: HashMap<String, Json>,
    pub selectors: Option<Yaml>,
    pub warnings: Vec<Diagnostic>,
    /// What Jinja inside property YAML may reference (target, vars, env_var).
    pub value_ctx: ValueContext,
}

impl Project {
    pub fn root_package(&self) -> &Package {
        &self.packages[0]
    }

    pub fn name(&self) -> &str {
        &self.packages[0].name
    }

    /// Vars for nodes of `package`: project scopes, then --vars (which always win).
    pub fn vars_for(&self, package: &str) -> HashMap<String, Json> {
        let root = &self.root_package().config;
        let mut out: HashMap<String, Json> = HashMap::new();
        if let Some(p) = self
            .packages
            .iter()
            .find(|p| p.name == package && !p.is_root)
        {
            out.extend(p.config.vars_for(package));
        }
        out.extend(root.vars_for(package));
        out.extend(self.cli_vars.clone());
        out
    }
}

fn read_dbt_project(
    dir: &Path,
    display: &str,
) -> Result<(DbtProject, Vec<Diagnostic>), Vec<Diagnostic>> {
    let path = dir.join("dbt_project.yml");
    let text = std::fs::read_to_string(&path).map_err(|_| {
        vec![
            Diagnostic::error(format!("no dbt_project.yml found in {}", dir.display()))
                .note("run xform from a dbt project directory or pass --project-dir"),
        ]
    })?;
    dbt_project::parse(&text, display)
}

/// Loads the project at `opts.project_dir`, reporting every problem found at this stage.
pub fn load(opts: &LoadOptions) -> Result<Project, Diagnostics> {
    let mut diags = Diagnostics::default();
    let root = opts.project_dir.clone();
    let (raw, warnings) =
        read_dbt_project(&root, "dbt_project.yml").map_err(|d| Diagnostics { items: d })?;
    diags.extend(warnings);

    let cli_vars = match opts.vars.as_deref() {
        Some(text) => vars::parse_cli_vars(text).map_err(|d| Diagnostics { items: vec![d] })?,
        None => HashMap::new(),
    };

    // The profile is rendered with env_var and --vars only, as dbt does.
    let profile_name = opts
        .profile
        .clone()
        .or_else(|| raw.profile.clone())
        .ok_or_else(|| Diagnostics {
            items: vec![
                Diagnostic::error("dbt_project.yml has no `profile:` and no --profile was given")
                    .at(Location::new("dbt_project.yml", 1, 0)),
            ],
        })?;
    let profiles_dir = profiles::find_profiles_dir(opts.profiles_dir.as_deref(), &root)
        .unwrap_or_else(|| PathBuf::from("."));
    let display = display_path(&root, &profiles_dir.join("profiles.yml"));
    let cli_renderer = ValueRenderer::new(ValueContext {
        vars: Arc::new(cli_vars.clone()),
        ..ValueContext::default()
    });
    let target = profiles::load_target(
        &profiles_dir,
        &profile_name,
        opts.target.as_deref(),
        &cli_renderer,
        &display,
    )
    .map_err(|mut items| {
        // A profile named in dbt_project.yml that profiles.yml lacks: point at the name.
        if opts.profile.is_none() {
            for d in &mut items {
                if d.message.starts_with("profile `") {
                    let (line, col) = raw.profile_line;
                    d.notes
                        .insert(0, format!("profiles.yml searched: {display}"));
                    d.location = Some(Location::new("dbt_project.yml", line, col));
                }
            }
        }
        Diagnostics { items }
    })?;

    let mut packages = Vec::new();
    let mut all_vars: HashMap<String, Json> = raw.vars_for(&raw.name).into_iter().collect();
    all_vars.extend(cli_vars.clone());
    let value_ctx = ValueContext {
        vars: Arc::new(all_vars),
        target: Some(Json::Object(target.public_fields().into_iter().collect())),
        project_name: Some(raw.name.clone()),
    };
    let renderer = ValueRenderer::new(value_ctx.clone());
    let mut root_pkg = load_package(&root, "", raw, true, &renderer, &mut diags);
    if let Some(path) = &opts.target_path {
        root_pkg.config.target_path.clone_from(path);
    }
    let install = root_pkg.config.packages_install_path.clone();
    packages.push(root_pkg);
    for dir in walk::package_dirs(&root.join(&install)) {
        let rel = format!(
            "{install}/{}",
            dir.file_name().and_then(|n| n.to_str()).unwrap_or("")
        );
        match read_dbt_project(&dir, &format!("{rel}/dbt_project.yml")) {
            Ok((cfg, w)) => {
                diags.extend(w);
                let pkg = load_package(&dir, &rel, cfg, false, &renderer, &mut diags);
                packages.push(pkg);
            }
            Err(d) => diags.extend(d),
        }
    }

    let selectors = read_yaml_file(&root, "selectors.yml", &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(Project {
        root,
        packages,
        target,
        cli_vars,
        selectors,
        warnings: diags.items,
        value_ctx,
    })
}

fn read_yaml_file(root: &Path, rel: &str, diags: &mut Diagnostics) -> Option<Yaml> {
    let text = std::fs::read_to_string(root.join(rel)).ok()?;
    match yaml::parse_file(&text, rel) {
        Ok(y) => Some(y),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// `path` relative to `root` when inside it, else as given.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn load_package(
    dir: &Path,
    rel: &str,
    mut config: DbtProject,
    is_root: bool,
    renderer: &ValueRenderer,
    diags: &mut Diagnostics,
) -> Package {
    let prefix = if rel.is_empty() {
        String::new()
    } else {
        format!("{rel}/")
    };
    let project_file = format!("{prefix}dbt_project.yml");
    // Jinja in config values is rendered once here; hooks wait for run time.
    for tree in config.configs.values_mut() {
        match render_config_tree(renderer, tree) {
            Ok(t) => *tree = t,
            Err((line, msg)) => {
                diags.push(Diagnostic::error(msg).at(Location::new(&project_file, line, 0)))
            }
        }
    }
    let files = walk::collect(dir, &prefix, &config, diags);
    let properties: Vec<(String, Properties, Vec<Diagnostic>)> = files
        .yaml
        .par_iter()
        .map(|f| {
            let mut local = Vec::new();
            let props = match yaml::parse_file(&f.text, &f.path) {
                Ok(doc) => properties::parse(&doc, &f.path, &mut local),
                Err(d) => {
                    local.push(d);
                    Properties::default()
                }
            };
            (f.path.clone(), props, local)
        })
        .collect();
    let mut props = Vec::with_capacity(properties.len());
    for (path, p, d) in properties {
        diags.extend(d);
        props.push((path, p));
    }
    Package {
        name: config.name.clone(),
        is_root,
        config,
        models: files.models,
        seeds: files.seeds,
        snapshots: files.snapshots,
        analyses: files.analyses,
        tests: files.tests,
        macros: files.macros,
        docs: files.docs,
        properties: props,
    }
}

/// Renders Jinja in a config tree, leaving hooks (rendered per node at run time) alone.
fn render_config_tree(r: &ValueRenderer, tree: &Yaml) -> Result<Yaml, (u32, String)> {
    use yaml::YamlValue;
    match &tree.value {
        YamlValue::Map(m) => {
            let mut out = indexmap::IndexMap::with_capacity(m.len());
            for (k, v) in m {
                let key = k.trim_start_matches('+');
                let is_hook = matches!(key, "pre-hook" | "post-hook" | "pre_hook" | "post_hook");
                let v = if is_hook {
                    v.clone()
                } else {
                    render_config_tree(r, v)?
                };
                out.insert(k.clone(), v);
            }
            Ok(Yaml {
                value: YamlValue::Map(out),
                ..tree.clone()
            })
        }
        _ => r.render_yaml(tree),
    }
}
