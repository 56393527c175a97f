//! Property YAML files (`version: 2`) -> model/seed/snapshot patches, sources, tests, unit
//! tests, exposures and groups, each remembering its file and line.

use indexmap::IndexMap;
use serde_json::Value as Json;

use super::config::{Config, merge_value};
use super::yaml::{Yaml, YamlValue};
use crate::diagnostics::{Diagnostic, Location};

/// One data test as written under `data_tests:` / `tests:`.
#[derive(Debug, Clone)]
pub struct TestSpec {
    /// `not_null`, `accepted_values`, `dbt_utils.expression_is_true`, ...
    pub test_name: String,
    /// A custom node name given with `name:`.
    pub custom_name: Option<String>,
    pub kwargs: IndexMap<String, Json>,
    pub config: Config,
    pub line: u32,
}

#[derive(Debug, Clone, Default)]
pub struct ColumnSpec {
    pub name: String,
    pub description: String,
    pub data_type: Option<String>,
    pub meta: IndexMap<String, Json>,
    pub tags: Vec<String>,
    pub constraints: Vec<Json>,
    pub tests: Vec<TestSpec>,
    pub quote: Option<bool>,
}

/// Properties of a model, seed, snapshot or analysis (`models:` entries and the like).
#[derive(Debug, Clone, Default)]
pub struct Patch {
    pub name: String,
    pub file: String,
    pub line: u32,
    pub description: String,
    pub columns: Vec<ColumnSpec>,
    pub config: Config,
    pub tests: Vec<TestSpec>,
    /// access, group, constraints, contract, versions, latest_version, docs ...
    pub extra: IndexMap<String, Json>,
    /// The raw entry, for resources defined entirely in YAML (snapshots with `relation:`).
    pub raw: Option<Yaml>,
}

#[derive(Debug, Clone, Default)]
pub struct SourceTable {
    pub name: String,
    pub line: u32,
    pub identifier: Option<String>,
    pub description: String,
    pub columns: Vec<ColumnSpec>,
    pub tests: Vec<TestSpec>,
    pub config: Config,
    pub meta: IndexMap<String, Json>,
    pub loaded_at_field: Option<String>,
    pub freshness: Option<Json>,
    pub quoting: IndexMap<String, Json>,
}

#[derive(Debug, Clone, Default)]
pub struct SourceDef {
    pub name: String,
    pub file: String,
    pub line: u32,
    pub database: Option<String>,
    pub schema: Option<String>,
    pub description: String,
    pub loader: String,
    pub config: Config,
    pub meta: IndexMap<String, Json>,
    pub loaded_at_field: Option<String>,
    pub freshness: Option<Json>,
    pub quoting: IndexMap<String, Json>,
    pub tables: Vec<SourceTable>,
}

/// Entries kept as JSON: unit tests, exposures, groups (their shape is checked where used).
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub file: String,
    pub line: u32,
    pub value: Json,
}

/// Everything read from one property file.
#[derive(Debug, Clone, Default)]
pub struct Properties {
    pub models: Vec<Patch>,
    pub seeds: Vec<Patch>,
    pub snapshots: Vec<Patch>,
    pub analyses: Vec<Patch>,
    pub sources: Vec<SourceDef>,
    pub unit_tests: Vec<Entry>,
    pub exposures: Vec<Entry>,
    pub groups: Vec<Entry>,
}

const TEST_CONFIG_KEYS: &[&str] = &[
    "where",
    "severity",
    "error_if",
    "warn_if",
    "store_failures",
    "store_failures_as",
    "limit",
    "fail_calc",
    "tags",
    "enabled",
    "meta",
    "alias",
    "schema",
    "database",
];

/// Parses one property file's YAML tree; problems are pushed to `diags`.
pub fn parse(doc: &Yaml, file: &str, diags: &mut Vec<Diagnostic>) -> Properties {
    let mut props = Properties::default();
    let Some(map) = doc.as_map() else {
        if !doc.is_null() {
            diags.push(
                Diagnostic::error("a property file must be a mapping with `version: 2`")
                    .at(Location::new(file, doc.line, doc.column)),
            );
        }
        return props;
    };
    let mut p = Parser { file, diags };
    for (key, section) in map {
        match key.as_str() {
            "version" => {}
            "models" => props.models = p.patches(section),
            "seeds" => props.seeds = p.patches(section),
            "snapshots" => props.snapshots = p.patches(section),
            "analyses" => props.analyses = p.patches(section),
            "sources" => props.sources = p.sources(section),
            "unit_tests" => props.unit_tests = p.entries(section),
            "exposures" => props.exposures = p.entries(section),
            "groups" => props.groups = p.entries(section),
            "macros" | "semantic_models" | "metrics" | "saved_queries" | "data_tests"
            | "functions" => {}
            other => p.diags.push(
                Diagnostic::warning(format!("unknown top-level key `{other}` in property file"))
                    .at(p.loc(section)),
            ),
        }
    }
    props
}

struct Parser<'a> {
    file: &'a str,
    diags: &'a mut Vec<Diagnostic>,
}

impl Parser<'_> {
    fn loc(&self, y: &Yaml) -> Location {
        Location::new(self.file, y.line, y.column)
    }

    fn error(&mut self, y: &Yaml, msg: impl Into<String>) {
        let loc = self.loc(y);
        self.diags.push(Diagnostic::error(msg).at(loc));
    }

    /// The list under a section, or an error when it is not a list.
    fn list<'y>(&mut self, section: &'y Yaml, what: &str) -> &'y [Yaml] {
        match &section.value {
            YamlValue::Seq(items) => items,
            YamlValue::Null => &[],
            _ => {
                self.error(section, format!("`{what}` must be a list"));
                &[]
            }
        }
    }

    fn name(&mut self, entry: &Yaml, what: &str) -> Option<String> {
        match entry.get("name").and_then(Yaml::as_text) {
            Some(n) => Some(n),
            None => {
                self.error(entry, format!("each {what} entry needs a `name`"));
                None
            }
        }
    }

    fn config(&mut self, entry: &Yaml) -> Config {
        let mut out = Config::new();
        if let Some(c) = entry.get("config") {
            match &c.value {
                YamlValue::Map(m) => {
                    for (k, v) in m {
                        merge_value(&mut out, k, v.to_json());
                    }
                }
                YamlValue::Null => {}
                _ => self.error(c, "`config` must be a mapping"),
            }
        }
        out
    }

    fn patches(&mut self, section: &Yaml) -> Vec<Patch> {
        let mut out = Vec::new();
        for entry in self.list(section, "models") {
            let Some(name) = self.name(entry, "resource") else {
                continue;
            };
            let mut extra = IndexMap::new();
            for key in [
                "access",
                "group",
                "constraints",
                "contract",
                "versions",
                "latest_version",
                "docs",
                "deprecation_date",
                "meta",
                "relation",
            ] {
                if let Some(v) = entry.get(key) {
                    extra.insert(key.to_string(), v.to_json());
                }
            }
            let mut config = self.config(entry);
            // Top-level `docs`, `access`, `group` act as configs in dbt too.
            for key in ["docs", "access", "group"] {
                if let Some(v) = entry.get(key)
                    && !config.contains_key(key)
                {
                    config.insert(key.to_string(), v.to_json());
                }
            }
            out.push(Patch {
                description: text(entry, "description"),
                columns: self.columns(entry),
                tests: self.tests(entry),
                file: self.file.to_string(),
                line: entry.line,
                raw: Some(entry.clone()),
                name,
                config,
                extra,
            });
        }
        out
    }

    fn columns(&mut self, entry: &Yaml) -> Vec<ColumnSpec> {
        let Some(section) = entry.get("columns") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for col in self.list(section, "columns") {
            let Some(name) = self.name(col, "column") else {
                continue;
            };
            out.push(ColumnSpec {
                description: text(col, "description"),
                data_type: col.get("data_type").and_then(Yaml::as_text),
                meta: json_map(col.get("meta")),
                tags: col
                    .get("tags")
                    .and_then(Yaml::as_str_list)
                    .unwrap_or_default(),
                constraints: col
                    .get("constraints")
                    .and_then(Yaml::as_seq)
                    .map(|s| s.iter().map(Yaml::to_json).collect())
                    .unwrap_or_default(),
                tests: self.tests(col),
                quote: col.get("quote").and_then(|q| q.to_json().as_bool()),
                name,
            });
        }
        out
    }

    /// `data_tests:` (or the older `tests:`) under a resource or column.
    fn tests(&mut self, entry: &Yaml) -> Vec<TestSpec> {
        let mut out = Vec::new();
        for key in ["data_tests", "tests"] {
            let Some(section) = entry.get(key) else {
                continue;
            };
            for t in self.list(section, key) {
                if let Some(spec) = self.test(t) {
                    out.push(spec);
                }
            }
        }
        out
    }

    fn test(&mut self, t: &Yaml) -> Option<TestSpec> {
        match &t.value {
            YamlValue::Str(name) => Some(TestSpec {
                test_name: name.clone(),
                custom_name: None,
                kwargs: IndexMap::new(),
                config: Config::new(),
                line: t.line,
            }),
            YamlValue::Map(m)
                if m.len() == 1
                    && m.values().all(|v| v.as_map().is_some() || v.is_null())
                    && !m.contains_key("name")
                    && !m.contains_key("test_name") =>
            {
                let (name, body) = m.iter().next()?;
                Some(self.test_body(name.clone(), None, body, t.line))
            }
            YamlValue::Map(m) if m.contains_key("test_name") => {
                let name = m.get("test_name").and_then(Yaml::as_text)?;
                let custom = m.get("name").and_then(Yaml::as_text);
                Some(self.test_body(name, custom, t, t.line))
            }
            YamlValue::Map(m) if m.len() == 1 => {
                self.error(
                    t,
                    format!("test `{}` must map to its arguments", m.keys().next()?),
                );
                None
            }
            _ => {
                self.error(
                    t,
                    "a test is a name or a mapping of a name to its arguments",
                );
                None
            }
        }
    }

    fn test_body(
        &mut self,
        test_name: String,
        custom_name: Option<String>,
        body: &Yaml,
        line: u32,
    ) -> TestSpec {
        let mut kwargs = IndexMap::new();
        let mut config = Config::new();
        let mut custom_name = custom_name;
        if let Some(m) = body.as_map() {
            for (k, v) in m {
                match k.as_str() {
                    "config" => {
                        if let Some(cm) = v.as_map() {
                            for (ck, cv) in cm {
                                merge_value(&mut config, ck, cv.to_json());
                            }
                        }
                    }
                    "arguments" => {
                        if let Some(am) = v.as_map() {
                            for (ak, av) in am {
                                kwargs.insert(ak.clone(), av.to_json());
                            }
                        }
                    }
                    "name" => custom_name = v.as_text(),
                    "test_name" | "description" => {}
                    k if TEST_CONFIG_KEYS.contains(&k) => merge_value(&mut config, k, v.to_json()),
                    _ => {
                        kwargs.insert(k.clone(), v.to_json());
                    }
                }
            }
        }
        TestSpec {
            test_name,
            custom_name,
            kwargs,
            config,
            line,
        }
    }

    fn sources(&mut self, section: &Yaml) -> Vec<SourceDef> {
        let mut out = Vec::new();
        for entry in self.list(section, "sources") {
            let Some(name) = self.name(entry, "source") else {
                continue;
            };
            let mut tables = Vec::new();
            if let Some(ts) = entry.get("tables") {
                for t in self.list(ts, "tables") {
                    let Some(tname) = self.name(t, "source table") else {
                        continue;
                    };
                    tables.push(SourceTable {
                        identifier: t.get("identifier").and_then(Yaml::as_text),
                        description: text(t, "description"),
                        columns: self.columns(t),
                        tests: self.tests(t),
                        config: self.config(t),
                        meta: json_map(t.get("meta")),
                        loaded_at_field: t.get("loaded_at_field").and_then(Yaml::as_text),
                        freshness: t.get("freshness").map(Yaml::to_json),
                        quoting: json_map(t.get("quoting")),
                        line: t.line,
                        name: tname,
                    });
                }
            }
            out.push(SourceDef {
                file: self.file.to_string(),
                line: entry.line,
                database: entry
                    .get("database")
                    .or_else(|| entry.get("project"))
                    .and_then(Yaml::as_text),
                schema: entry
                    .get("schema")
                    .or_else(|| entry.get("dataset"))
                    .and_then(Yaml::as_text),
                description: text(entry, "description"),
                loader: text(entry, "loader"),
                config: self.config(entry),
                meta: json_map(entry.get("meta")),
                loaded_at_field: entry.get("loaded_at_field").and_then(Yaml::as_text),
                freshness: entry.get("freshness").map(Yaml::to_json),
                quoting: json_map(entry.get("quoting")),
                tables,
                name,
            });
        }
        out
    }

    fn entries(&mut self, section: &Yaml) -> Vec<Entry> {
        let mut out = Vec::new();
        for entry in self.list(section, "entries") {
            let Some(name) = self.name(entry, "resource") else {
                continue;
            };
            out.push(Entry {
                name,
                file: self.file.to_string(),
                line: entry.line,
                value: entry.to_json(),
            });
        }
        out
    }
}

fn text(entry: &Yaml, key: &str) -> String {
    entry.get(key).and_then(Yaml::as_text).unwrap_or_default()
}

fn json_map(y: Option<&Yaml>) -> IndexMap<String, Json> {
    match y.map(Yaml::to_json) {
        Some(Json::Object(m)) => m.into_iter().collect(),
        _ => IndexMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::yaml::parse as yaml;

    #[test]
    fn reads_tests_in_every_spelling() {
        let doc = yaml(
            "version: 2\nmodels:\n  - name: orders\n    config:\n      materialized: table\n    columns:\n      - name: id\n        data_tests:\n          - not_null\n          - unique:\n              config:\n                severity: warn\n          - accepted_values:\n              values: ['a', 'b']\n              where: \"x > 1\"\n          - relationships:\n              arguments:\n                to: ref('customers')\n                field: id\n    tests:\n      - name: custom\n        test_name: expression_is_true\n        expression: \"a > 0\"\n",
        )
        .unwrap();
        let mut diags = Vec::new();
        let p = parse(&doc, "models/schema.yml", &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        let m = &p.models[0];
        assert_eq!(m.line, 3);
        assert_eq!(m.config["materialized"], Json::from("table"));
        let tests = &m.columns[0].tests;
        assert_eq!(tests.len(), 4);
        assert_eq!(tests[0].test_name, "not_null");
        assert_eq!(tests[0].line, 9);
        assert_eq!(tests[1].config["severity"], Json::from("warn"));
        assert_eq!(tests[2].kwargs["values"], serde_json::json!(["a", "b"]));
        assert_eq!(tests[2].config["where"], Json::from("x > 1"));
        assert_eq!(tests[3].kwargs["to"], Json::from("ref('customers')"));
        assert_eq!(m.tests[0].custom_name.as_deref(), Some("custom"));
        assert_eq!(m.tests[0].test_name, "expression_is_true");
    }

    #[test]
    fn entries_without_names_are_errors_with_lines() {
        let doc = yaml("version: 2\nsources:\n  - name: raw\n    tables:\n      - identifier: x\n")
            .unwrap();
        let mut diags = Vec::new();
        parse(&doc, "m.yml", &mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].location.as_ref().unwrap().line, 5);
    }
}
