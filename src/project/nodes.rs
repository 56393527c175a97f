//! Loaded packages -> unrendered `Node`s: models, seeds, snapshots, analyses, singular and
//! generic tests, sources, exposures and unit tests, with fqn, path and config layers applied.

use indexmap::IndexMap;
use md5::{Digest, Md5};
use serde_json::Value as Json;

use super::config::{Config, merge, project_config};
use super::generic_tests::{Target, defaults_for_test, generic_test_node};
use super::properties::{ColumnSpec, Patch, Properties, TestSpec};
use super::values::ValueRenderer;
use super::{Package, Project, SourceFile};
use crate::diagnostics::{Diagnostic, Location};
use crate::node::{ColumnInfo, Node, Origin, ResourceType, SourceInfo};

/// Nodes before rendering, with the config each node had before its `config()` call.
pub struct Built {
    pub nodes: Vec<Node>,
    pub diagnostics: Vec<Diagnostic>,
    /// `{% docs name %}` blocks by name.
    pub docs: IndexMap<String, String>,
}

/// Builds every node of every package.
pub fn build(project: &Project) -> Built {
    let mut b = Builder {
        nodes: Vec::new(),
        diags: Vec::new(),
        docs: IndexMap::new(),
        values: ValueRenderer::new(project.value_ctx.clone()),
    };
    for pkg in &project.packages {
        b.collect_docs(pkg);
    }
    for pkg in &project.packages {
        b.package(pkg);
    }
    b.check_duplicates();
    Built {
        nodes: b.nodes,
        diagnostics: b.diags,
        docs: b.docs,
    }
}

struct Builder {
    nodes: Vec<Node>,
    diags: Vec<Diagnostic>,
    docs: IndexMap<String, String>,
    /// Renders Jinja in property YAML values (source schemas, configs).
    values: ValueRenderer,
}

pub(super) fn tree<'a>(pkg: &'a Package, key: &str) -> Option<&'a super::yaml::Yaml> {
    pkg.config.configs.get(key)
}

/// dbt's md5 hex digest.
pub fn md5_hex(text: &str) -> String {
    let digest = Md5::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Builder {
    fn collect_docs(&mut self, pkg: &Package) {
        let re = crate::static_regex!(
            r"(?s)\{%-?\s*docs\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}(.*?)\{%-?\s*enddocs\s*-?%\}"
        );
        for f in &pkg.docs {
            for cap in re.captures_iter(&f.text) {
                self.docs
                    .insert(cap[1].to_string(), cap[2].trim().to_string());
            }
        }
    }

    fn file_node(
        &mut self,
        pkg: &Package,
        kind: ResourceType,
        f: &SourceFile,
        tree_key: &str,
    ) -> Node {
        let name = f.stem().to_string();
        let uid = format!("{}.{}.{}", kind.as_str(), pkg.name, name);
        let mut n = Node::new(kind, &pkg.name, &name, uid);
        n.path = f.resource_path.clone();
        n.origin = Origin {
            file: f.path.clone(),
            line: 0,
        };
        n.fqn = std::iter::once(pkg.name.clone())
            .chain(f.folders())
            .chain(std::iter::once(name))
            .collect();
        n.raw_code = f.text.clone();
        n.config = project_config(tree(pkg, tree_key), &n.fqn);
        n
    }

    fn package(&mut self, pkg: &Package) {
        let patches = Patches::new(&pkg.properties);
        for f in &pkg.models {
            let mut n = self.file_node(pkg, ResourceType::Model, f, "models");
            let patch = patches.models.get(n.name.as_str()).copied();
            self.apply_patch(&mut n, patch);
            self.nodes.push(n);
        }
        for f in &pkg.seeds {
            let mut n = self.file_node(pkg, ResourceType::Seed, f, "seeds");
            n.raw_code.clear();
            let patch = patches.seeds.get(n.name.as_str()).copied();
            self.apply_patch(&mut n, patch);
            self.nodes.push(n);
        }
        for f in &pkg.analyses {
            let mut n = self.file_node(pkg, ResourceType::Analysis, f, "analyses");
            // dbt keeps the analysis directory in an analysis's path and fqn.
            let within = resource_relative_to_package(&f.path);
            n.path = within.to_string();
            n.fqn = std::iter::once(pkg.name.clone())
                .chain(within.split('/').map(str::to_string))
                .collect();
            if let Some(last) = n.fqn.last_mut() {
                *last = n.name.clone();
            }
            n.config = project_config(tree(pkg, "analyses"), &n.fqn);
            let patch = patches.analyses.get(n.name.as_str()).copied();
            self.apply_patch(&mut n, patch);
            self.nodes.push(n);
        }
        for f in &pkg.tests {
            let mut n = self.file_node(pkg, ResourceType::Test, f, "data_tests");
            n.config = defaults_for_test(n.config);
            self.nodes.push(n);
        }
        for f in &pkg.snapshots {
            for (name, body, line) in snapshot_blocks(&f.text) {
                let uid = format!("snapshot.{}.{}", pkg.name, name);
                let mut n = Node::new(ResourceType::Snapshot, &pkg.name, &name, uid);
                n.path = f.resource_path.clone();
                n.origin = Origin {
                    file: f.path.clone(),
                    line,
                };
                n.fqn = std::iter::once(pkg.name.clone())
                    .chain(f.folders())
                    .chain(std::iter::once(f.stem().to_string()))
                    .chain(std::iter::once(name.clone()))
                    .collect();
                n.raw_code = body;
                n.config = project_config(tree(pkg, "snapshots"), &n.fqn);
                self.apply_patch(&mut n, patches.snapshots.get(name.as_str()).copied());
                self.nodes.push(n);
            }
        }
        // Snapshots defined entirely in YAML (dbt 1.9+: `relation:` plus config).
        for (file, props) in &pkg.properties {
            for p in &props.snapshots {
                let Some(relation) = p.extra.get("relation").and_then(Json::as_str) else {
                    continue;
                };
                let uid = format!("snapshot.{}.{}", pkg.name, p.name);
                let mut n = Node::new(ResourceType::Snapshot, &pkg.name, &p.name, uid);
                n.path = resource_relative(file);
                n.origin = Origin {
                    file: file.clone(),
                    line: p.line,
                };
                n.fqn = fqn_from_yaml(&pkg.name, file, &p.name);
                n.raw_code = format!("select * from {{{{ {relation} }}}}");
                n.config = project_config(tree(pkg, "snapshots"), &n.fqn);
                self.apply_patch(&mut n, Some(p));
                self.nodes.push(n);
            }
        }
        self.sources(pkg);
        self.generic_tests(pkg);
        self.yaml_entries(pkg);
    }

    fn apply_patch(&mut self, n: &mut Node, patch: Option<&Patch>) {
        let Some(p) = patch else { return };
        let config = self.render_config(&p.config, &p.file, p.line);
        merge(&mut n.config, &config);
        n.description = self.render_doc(&p.description);
        n.columns = self.columns(&p.columns);
        for (k, v) in &p.extra {
            if k == "meta" {
                if let Json::Object(m) = v {
                    n.meta.extend(m.iter().map(|(a, b)| (a.clone(), b.clone())));
                }
            } else {
                n.extra.insert(k.clone(), v.clone());
            }
        }
        n.extra.insert(
            "patch_path".into(),
            Json::from(format!("{}://{}", n.package_name, p.file)),
        );
    }

    fn columns(&self, cols: &[ColumnSpec]) -> IndexMap<String, ColumnInfo> {
        cols.iter()
            .map(|c| {
                (
                    c.name.clone(),
                    ColumnInfo {
                        name: c.name.clone(),
                        description: self.render_doc(&c.description),
                        data_type: c.data_type.clone(),
                        meta: c.meta.clone(),
                        tags: c.tags.clone(),
                        constraints: c.constraints.clone(),
                    },
                )
            })
            .collect()
    }

    /// Renders Jinja inside string config values; a failure is reported at the entry's line.
    fn render_config(&mut self, config: &Config, file: &str, line: u32) -> Config {
        let mut out = Config::new();
        for (k, v) in config {
            let v = match v {
                Json::String(s) if super::values::has_jinja(s) => match self.values.render_str(s) {
                    Ok(r) => r,
                    Err(e) => {
                        self.diags
                            .push(Diagnostic::error(e).at(Location::new(file, line, 0)));
                        v.clone()
                    }
                },
                other => other.clone(),
            };
            out.insert(k.clone(), v);
        }
        out
    }

    /// A rendered property string (source database/schema/identifier).
    fn render_text(&mut self, text: Option<&String>, file: &str, line: u32) -> Option<String> {
        let t = text?;
        if !super::values::has_jinja(t) {
            return Some(t.clone());
        }
        match self.values.render_str(t) {
            Ok(Json::String(s)) => Some(s),
            Ok(other) => Some(other.to_string()),
            Err(e) => {
                self.diags
                    .push(Diagnostic::error(e).at(Location::new(file, line, 0)));
                Some(t.clone())
            }
        }
    }

    /// Replaces `{{ doc('name') }}` in a description with the docs block's text.
    fn render_doc(&self, text: &str) -> String {
        if !text.contains("doc(") {
            return text.to_string();
        }
        let re = crate::static_regex!(
            r#"\{\{\s*doc\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?\)\s*\}\}"#
        );
        re.replace_all(text, |cap: &regex::Captures| {
            let name = cap.get(2).or(cap.get(1)).map_or("", |m| m.as_str());
            self.docs.get(name).cloned().unwrap_or_default()
        })
        .into_owned()
    }

    fn sources(&mut self, pkg: &Package) {
        for (file, props) in &pkg.properties {
            for s in &props.sources {
                for t in &s.tables {
                    let uid = format!("source.{}.{}.{}", pkg.name, s.name, t.name);
                    let mut n = Node::new(ResourceType::Source, &pkg.name, &t.name, uid);
                    n.path = file.clone();
                    n.origin = Origin {
                        file: file.clone(),
                        line: t.line,
                    };
                    let mut fqn = fqn_from_yaml(&pkg.name, file, &s.name);
                    fqn.push(t.name.clone());
                    n.fqn = fqn;
                    n.config = project_config(tree(pkg, "sources"), &n.fqn);
                    merge(&mut n.config, &s.config);
                    merge(&mut n.config, &t.config);
                    n.description = self.render_doc(&t.description);
                    n.columns = self.columns(&t.columns);
                    n.meta = s.meta.clone();
                    n.meta.extend(t.meta.clone());
                    n.database = self
                        .render_text(s.database.as_ref(), file, s.line)
                        .unwrap_or_default();
                    n.schema = self
                        .render_text(s.schema.as_ref(), file, s.line)
                        .unwrap_or_default();
                    let identifier = self
                        .render_text(t.identifier.as_ref(), file, t.line)
                        .unwrap_or_else(|| t.name.clone());
                    n.alias = identifier.clone();
                    let mut quoting = s.quoting.clone();
                    quoting.extend(t.quoting.clone());
                    n.source = Some(SourceInfo {
                        source_name: s.name.clone(),
                        identifier,
                        loader: s.loader.clone(),
                        loaded_at_field: t
                            .loaded_at_field
                            .clone()
                            .or_else(|| s.loaded_at_field.clone()),
                        freshness: t.freshness.clone().or_else(|| s.freshness.clone()),
                        source_description: self.render_doc(&s.description),
                        quoting,
                    });
                    self.nodes.push(n);
                }
            }
        }
    }

    fn generic_tests(&mut self, pkg: &Package) {
        let mut pending = Vec::new();
        for (file, props) in &pkg.properties {
            for (kind, patches) in [
                (ResourceType::Model, &props.models),
                (ResourceType::Seed, &props.seeds),
                (ResourceType::Snapshot, &props.snapshots),
            ] {
                for p in patches {
                    let target = Target::Node(
                        format!("{}.{}.{}", kind.as_str(), pkg.name, p.name),
                        p.name.clone(),
                    );
                    queue_tests(&mut pending, file, &target, &p.tests, &p.columns);
                }
            }
            for s in &props.sources {
                for tbl in &s.tables {
                    let target = Target::Source(s.name.clone(), tbl.name.clone());
                    queue_tests(&mut pending, file, &target, &tbl.tests, &tbl.columns);
                }
            }
        }
        for (file, target, column, spec) in pending {
            let n = generic_test_node(pkg, &file, &target, column.as_deref(), &spec);
            self.nodes.push(n);
        }
    }

    fn yaml_entries(&mut self, pkg: &Package) {
        for (file, props) in &pkg.properties {
            for e in &props.exposures {
                let uid = format!("exposure.{}.{}", pkg.name, e.name);
                let mut n = Node::new(ResourceType::Exposure, &pkg.name, &e.name, uid);
                n.path = file.clone();
                n.origin = Origin {
                    file: file.clone(),
                    line: e.line,
                };
                n.fqn = fqn_from_yaml(&pkg.name, file, &e.name);
                n.description = self.render_doc(
                    e.value
                        .get("description")
                        .and_then(Json::as_str)
                        .unwrap_or(""),
                );
                if let Some(Json::Array(deps)) = e.value.get("depends_on") {
                    for d in deps.iter().filter_map(Json::as_str) {
                        collect_static_calls(d, &mut n);
                    }
                }
                if let Json::Object(m) = &e.value {
                    for (k, v) in m {
                        n.extra.insert(k.clone(), v.clone());
                    }
                }
                n.config = project_config(tree(pkg, "exposures"), &n.fqn);
                self.nodes.push(n);
            }
            for u in &props.unit_tests {
                let uid_model = u
                    .value
                    .get("model")
                    .and_then(Json::as_str)
                    .unwrap_or("")
                    .to_string();
                let uid = format!("unit_test.{}.{}.{}", pkg.name, uid_model, u.name);
                let mut n = Node::new(ResourceType::UnitTest, &pkg.name, &u.name, uid);
                n.path = file.clone();
                n.origin = Origin {
                    file: file.clone(),
                    line: u.line,
                };
                n.fqn = fqn_from_yaml(&pkg.name, file, &uid_model);
                n.fqn.push(u.name.clone());
                n.refs.push(crate::node::RefCall {
                    package: None,
                    name: uid_model,
                    version: None,
                });
                if let Json::Object(m) = &u.value {
                    for (k, v) in m {
                        n.extra.insert(k.clone(), v.clone());
                    }
                }
                n.config = project_config(tree(pkg, "unit_tests"), &n.fqn);
                if let Some(Json::Object(own)) = u.value.get("config") {
                    let own: Config = own.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                    let own = self.render_config(&own, file, u.line);
                    merge(&mut n.config, &own);
                }
                self.nodes.push(n);
            }
            for g in &props.groups {
                let uid = format!("group.{}.{}", pkg.name, g.name);
                let _ = uid; // Groups are kept for access checks only; they are not nodes.
            }
        }
    }

    fn check_duplicates(&mut self) {
        let mut seen: IndexMap<(ResourceType, String, String), usize> = IndexMap::new();
        let mut dups = Vec::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if !n.enabled() {
                continue;
            }
            let key_type = match n.resource_type {
                // dbt refuses a model, seed and snapshot sharing one name: they share ref().
                ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot => {
                    ResourceType::Model
                }
                other => other,
            };
            let ident = if n.resource_type == ResourceType::Test
                || n.resource_type == ResourceType::Source
            {
                n.unique_id.clone()
            } else {
                n.name.clone()
            };
            match seen.get(&(key_type, n.package_name.clone(), ident.clone())) {
                Some(&first) => dups.push((first, i)),
                None => {
                    seen.insert((key_type, n.package_name.clone(), ident), i);
                }
            }
        }
        for (a, b) in dups {
            let (first, second) = (&self.nodes[a], &self.nodes[b]);
            self.diags.push(
                Diagnostic::error(format!(
                    "two resources are named `{}`: {} and {}",
                    first.name, first.origin.file, second.origin.file
                ))
                .at(Location::file(second.origin.file.clone()))
                .note("names must be unique within a project: rename one, or disable one with `enabled: false`"),
            );
        }
    }
}

/// A generic test waiting to become a node: (YAML file, target, column, spec).
type PendingTest = (String, Target, Option<String>, TestSpec);

/// Queues a resource's own tests and its columns' tests.
fn queue_tests(
    pending: &mut Vec<PendingTest>,
    file: &str,
    target: &Target,
    tests: &[TestSpec],
    columns: &[ColumnSpec],
) {
    for t in tests {
        pending.push((file.to_string(), target.clone(), None, t.clone()));
    }
    for c in columns {
        for t in &c.tests {
            pending.push((
                file.to_string(),
                target.clone(),
                Some(c.name.clone()),
                t.clone(),
            ));
        }
    }
}

/// `ref('x')` / `source('a', 'b')` written in YAML strings (test args, exposure deps).
pub fn collect_static_calls(text: &str, n: &mut Node) {
    let re = crate::static_regex!(
        r#"\b(ref|source)\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]+)['"]\s*)?(?:,[^)]*)?\)"#
    );
    for cap in re.captures_iter(text) {
        let a = cap[2].to_string();
        let b = cap.get(3).map(|m| m.as_str().to_string());
        if &cap[1] == "ref" {
            let call = match b {
                Some(name) => crate::node::RefCall {
                    package: Some(a),
                    name,
                    version: None,
                },
                None => crate::node::RefCall {
                    package: None,
                    name: a,
                    version: None,
                },
            };
            if !n.refs.contains(&call) {
                n.refs.push(call);
            }
        } else if let Some(table) = b {
            let pair = (a, table);
            if !n.sources.contains(&pair) {
                n.sources.push(pair);
            }
        }
    }
}

/// A path relative to its package's root (drops `dbt_packages/<pkg>/`).
fn resource_relative_to_package(file: &str) -> &str {
    match file.strip_prefix("dbt_packages/") {
        Some(rest) => rest.split_once('/').map_or(rest, |(_, r)| r),
        None => file,
    }
}

/// The path of a YAML file relative to its resource directory (first component dropped).
fn resource_relative(file: &str) -> String {
    let trimmed = file
        .strip_prefix("dbt_packages/")
        .map_or(file, |rest| rest.split_once('/').map_or(rest, |(_, r)| r));
    trimmed
        .split_once('/')
        .map_or(trimmed, |(_, r)| r)
        .to_string()
}

/// fqn for a YAML-defined resource: package, the YAML file's folders, then the name.
pub(super) fn fqn_from_yaml(package: &str, file: &str, name: &str) -> Vec<String> {
    let rel = resource_relative(file);
    let mut parts: Vec<String> = rel.split('/').map(str::to_string).collect();
    parts.pop();
    std::iter::once(package.to_string())
        .chain(parts)
        .chain(std::iter::once(name.to_string()))
        .collect()
}

/// `{% snapshot name %}body{% endsnapshot %}` blocks: (name, body with lines kept, line).
pub fn snapshot_blocks(text: &str) -> Vec<(String, String, u32)> {
    let re = crate::static_regex!(
        r"(?s)\{%-?\s*snapshot\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}(.*?)\{%-?\s*endsnapshot\s*-?%\}"
    );
    re.captures_iter(text)
        .filter_map(|cap| {
            let whole = cap.get(0)?;
            let body = cap.get(2)?;
            let line = text[..whole.start()].matches('\n').count() as u32 + 1;
            // Keep the body on its original lines so diagnostics line up with the file.
            let padding = "\n".repeat(text[..body.start()].matches('\n').count());
            Some((
                cap[1].to_string(),
                format!("{padding}{}", body.as_str()),
                line,
            ))
        })
        .collect()
}

/// Property patches of one package, by resource name.
struct Patches<'a> {
    models: IndexMap<&'a str, &'a Patch>,
    seeds: IndexMap<&'a str, &'a Patch>,
    snapshots: IndexMap<&'a str, &'a Patch>,
    analyses: IndexMap<&'a str, &'a Patch>,
}

impl<'a> Patches<'a> {
    fn new(props: &'a [(String, Properties)]) -> Patches<'a> {
        let mut p = Patches {
            models: IndexMap::new(),
            seeds: IndexMap::new(),
            snapshots: IndexMap::new(),
            analyses: IndexMap::new(),
        };
        for (_, props) in props {
            p.models
                .extend(props.models.iter().map(|m| (m.name.as_str(), m)));
            p.seeds
                .extend(props.seeds.iter().map(|m| (m.name.as_str(), m)));
            p.snapshots
                .extend(props.snapshots.iter().map(|m| (m.name.as_str(), m)));
            p.analyses
                .extend(props.analyses.iter().map(|m| (m.name.as_str(), m)));
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapshot_bodies_keep_their_lines() {
        let blocks = snapshot_blocks(
            "-- c\n{% snapshot snap %}\n{{ config(x=1) }}\nselect 1\n{% endsnapshot %}\n",
        );
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].0, "snap");
        assert_eq!(blocks[0].2, 2);
        assert_eq!(blocks[0].1.lines().position(|l| l == "select 1"), Some(3));
    }
}
