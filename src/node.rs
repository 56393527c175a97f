//! The resource model shared by every stage: a `Node` (model, seed, test, ...) and its config.

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value as Json;

/// The kinds of resources dbt knows; names match manifest.json's `resource_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceType {
    Model,
    Seed,
    Snapshot,
    Test,
    Analysis,
    Source,
    Exposure,
    UnitTest,
}

impl ResourceType {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceType::Model => "model",
            ResourceType::Seed => "seed",
            ResourceType::Snapshot => "snapshot",
            ResourceType::Test => "test",
            ResourceType::Analysis => "analysis",
            ResourceType::Source => "source",
            ResourceType::Exposure => "exposure",
            ResourceType::UnitTest => "unit_test",
        }
    }

    pub fn parse(s: &str) -> Option<ResourceType> {
        Some(match s {
            "model" => ResourceType::Model,
            "seed" => ResourceType::Seed,
            "snapshot" => ResourceType::Snapshot,
            "test" | "data_test" => ResourceType::Test,
            "analysis" => ResourceType::Analysis,
            "source" => ResourceType::Source,
            "exposure" => ResourceType::Exposure,
            "unit_test" => ResourceType::UnitTest,
            _ => return None,
        })
    }

    /// Whether nodes of this type produce SQL that xform renders and checks.
    pub fn is_sql(self) -> bool {
        matches!(
            self,
            ResourceType::Model
                | ResourceType::Snapshot
                | ResourceType::Test
                | ResourceType::Analysis
        )
    }
}

/// A generic test's call: `not_null`, `accepted_values(values=[...])`, ...
#[derive(Debug, Clone, Serialize)]
pub struct TestMetadata {
    pub name: String,
    pub namespace: Option<String>,
    /// Arguments other than `model`, as written in the property YAML.
    pub kwargs: IndexMap<String, Json>,
    /// The column the test is attached to, when it is a column test.
    pub column_name: Option<String>,
    /// The unique id of the model, seed, snapshot or source the test is attached to.
    pub attached_node: Option<String>,
}

/// Where a node's text came from, for diagnostics.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Origin {
    /// Path relative to the project root, with forward slashes.
    pub file: String,
    /// 1-based line of the definition (0 when the whole file is the node).
    pub line: u32,
}

/// A documented column.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ColumnInfo {
    pub name: String,
    pub description: String,
    pub data_type: Option<String>,
    pub meta: IndexMap<String, Json>,
    pub tags: Vec<String>,
    pub constraints: Vec<Json>,
}

/// One resource of the project.
#[derive(Debug, Clone)]
pub struct Node {
    /// `model.pkg.name`, `test.pkg.not_null_x_id.abc123`, `source.pkg.src.table`.
    pub unique_id: String,
    pub resource_type: ResourceType,
    pub package_name: String,
    pub name: String,
    /// Path relative to its resource path (`staging/stg_x.sql`), as dbt's `path`.
    pub path: String,
    /// Path relative to the project root, as dbt's `original_file_path`.
    pub origin: Origin,
    pub fqn: Vec<String>,
    /// The Jinja-SQL as written (empty for sources, seeds and exposures).
    pub raw_code: String,
    /// Final config after dbt's precedence rules: project, property YAML, `config()`.
    pub config: IndexMap<String, Json>,
    pub description: String,
    pub columns: IndexMap<String, ColumnInfo>,
    pub meta: IndexMap<String, Json>,
    /// Where the relation lives once built (empty for tests and ephemerals' identifiers).
    pub database: String,
    pub schema: String,
    pub alias: String,
    /// ref() calls: (package, name, version).
    pub refs: Vec<RefCall>,
    /// source() calls: (source name, table name).
    pub sources: Vec<(String, String)>,
    /// Macros called, as unique ids (`macro.pkg.name`).
    pub macros: Vec<String>,
    /// Unique ids of resolved upstream nodes, filled by the graph stage.
    pub depends_on: Vec<String>,
    pub test_metadata: Option<TestMetadata>,
    /// Source-specific fields (source name, identifier, loader, freshness ...).
    pub source: Option<SourceInfo>,
    /// Free-form extra properties kept for manifest.json (access, group, contract, ...).
    pub extra: IndexMap<String, Json>,
    /// The SQL as compiled for the target (filled by compile).
    pub compiled_code: Option<String>,
}

/// One `ref()` call.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RefCall {
    pub package: Option<String>,
    pub name: String,
    pub version: Option<String>,
}

/// The properties only sources have.
#[derive(Debug, Clone, Default)]
pub struct SourceInfo {
    pub source_name: String,
    pub identifier: String,
    pub loader: String,
    pub loaded_at_field: Option<String>,
    pub freshness: Option<Json>,
    pub source_description: String,
    pub quoting: IndexMap<String, Json>,
}

impl Node {
    /// A node with every field empty but its identity.
    pub fn new(resource_type: ResourceType, package: &str, name: &str, unique_id: String) -> Node {
        Node {
            unique_id,
            resource_type,
            package_name: package.to_string(),
            name: name.to_string(),
            path: String::new(),
            origin: Origin::default(),
            fqn: Vec::new(),
            raw_code: String::new(),
            config: IndexMap::new(),
            description: String::new(),
            columns: IndexMap::new(),
            meta: IndexMap::new(),
            database: String::new(),
            schema: String::new(),
            alias: String::new(),
            refs: Vec::new(),
            sources: Vec::new(),
            macros: Vec::new(),
            depends_on: Vec::new(),
            test_metadata: None,
            source: None,
            extra: IndexMap::new(),
            compiled_code: None,
        }
    }

    /// A string config value (`materialized`, `schema`, ...).
    pub fn config_str(&self, key: &str) -> Option<&str> {
        self.config.get(key).and_then(Json::as_str)
    }

    pub fn materialized(&self) -> &str {
        self.config_str("materialized")
            .unwrap_or(match self.resource_type {
                ResourceType::Seed => "seed",
                ResourceType::Snapshot => "snapshot",
                ResourceType::Test => "test",
                _ => "view",
            })
    }

    pub fn is_ephemeral(&self) -> bool {
        self.resource_type == ResourceType::Model && self.materialized() == "ephemeral"
    }

    pub fn enabled(&self) -> bool {
        self.config
            .get("enabled")
            .and_then(Json::as_bool)
            .unwrap_or(true)
    }

    /// Tags from config, which may be written as one string or a list.
    pub fn tags(&self) -> Vec<String> {
        match self.config.get("tags") {
            Some(Json::String(s)) => vec![s.clone()],
            Some(Json::Array(items)) => items
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }
}
