//! Command-line grammar (clap): dbt's global flags and the front-end commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "xform",
    version,
    about = "Compile and run dbt-format SQL projects on DuckDB and BigQuery"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The dbt project directory (holds dbt_project.yml).
    #[arg(long, global = true, env = "DBT_PROJECT_DIR")]
    pub project_dir: Option<PathBuf>,
    /// Where profiles.yml is (default: DBT_PROFILES_DIR, the project, then ~/.dbt).
    #[arg(long, global = true)]
    pub profiles_dir: Option<PathBuf>,
    /// The profile to use instead of dbt_project.yml's `profile:`.
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// The target (output) of the profile to use.
    #[arg(short = 't', long, global = true)]
    pub target: Option<String>,
    /// Variables as YAML or JSON: --vars '{key: value}'.
    #[arg(long, global = true)]
    pub vars: Option<String>,
    /// Threads for rendering (default: the target's `threads`).
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    /// Log lines as text or as one JSON object per line (dbt's events).
    #[arg(long, global = true, value_enum, env = "DBT_LOG_FORMAT", default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Where artifacts and compiled SQL go, instead of dbt_project.yml's `target-path`.
    #[arg(long, global = true, env = "DBT_TARGET_PATH")]
    pub target_path: Option<PathBuf>,
    /// Only print errors (and what a command is asked to print).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// dbt's `default` and `debug` formats are text too.
    #[value(alias = "default", alias = "debug")]
    Text,
    Json,
}

/// Node selection flags shared by compile and ls.
#[derive(Debug, Args, Default, Clone)]
pub struct SelectArgs {
    /// Nodes to include (dbt selector syntax); repeatable, space-separated.
    #[arg(short = 's', long = "select", alias = "models", short_alias = 'm', num_args = 1..)]
    pub select: Vec<String>,
    /// Nodes to leave out (dbt selector syntax).
    #[arg(long, num_args = 1..)]
    pub exclude: Vec<String>,
    /// A named selector from selectors.yml.
    #[arg(long)]
    pub selector: Option<String>,
    /// How tests of selected nodes are picked: eager, cautious, buildable, empty.
    #[arg(long, env = "DBT_INDIRECT_SELECTION", default_value = "eager")]
    pub indirect_selection: String,
}

#[derive(Debug, Subcommand)]
pub enum DocsAction {
    /// Compile the project and write manifest.json, catalog.json (the warehouse's tables
    /// and columns), column_lineage.json and the docs site (index.html) to the target path.
    Generate {
        /// Do not read the warehouse: catalog.json lists no relations.
        #[arg(long)]
        empty_catalog: bool,
        /// Accepted for dbt compatibility: index.html is always self-contained.
        #[arg(long = "static")]
        static_site: bool,
    },
    /// Serve the target path's docs site on 127.0.0.1 (run `docs generate` first).
    Serve {
        /// Port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Accepted for dbt compatibility; xform never opens a browser.
        #[arg(long)]
        no_browser: bool,
        /// Accepted for dbt compatibility; xform never opens a browser.
        #[arg(long, conflicts_with = "no_browser")]
        browser: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and render the project; write target/manifest.json.
    Parse,
    /// Documentation artifacts.
    Docs {
        #[command(subcommand)]
        action: DocsAction,
    },
    /// Render selected nodes to SQL under target/compiled/.
    Compile {
        #[command(flatten)]
        select: SelectArgs,
        /// Compile this SQL against the project instead of its nodes, and print it.
        #[arg(long)]
        inline: Option<String>,
        /// Skip the SQL syntax check.
        #[arg(long)]
        no_sql_check: bool,
        /// BigQuery: dry-run the compiled nodes and print the bytes each would read.
        #[arg(long)]
        estimate: bool,
        /// Also write target/column_lineage.json: each model's columns and the upstream
        /// columns they derive from (parses every model again, so not on by default).
        #[arg(long)]
        column_lineage: bool,
    },
    /// List selected resources.
    #[command(alias = "list")]
    Ls {
        #[command(flatten)]
        select: SelectArgs,
        /// Only these resource types (model, seed, test, source, ...); repeatable.
        #[arg(long = "resource-type", alias = "resource-types", num_args = 1..)]
        resource_type: Vec<String>,
        #[arg(short = 'o', long, value_enum, default_value_t = LsOutput::Selector)]
        output: LsOutput,
        /// Keys to print with --output json.
        #[arg(long, num_args = 1..)]
        output_keys: Vec<String>,
    },
    /// Show the resolved project, profile and target (no secrets).
    Debug,
    /// Delete the project's clean-targets.
    Clean,
    /// Build the selected models on the target warehouse.
    Run {
        #[command(flatten)]
        select: SelectArgs,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Load the selected seeds (CSV files) into the warehouse.
    Seed {
        #[command(flatten)]
        select: SelectArgs,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Run the selected snapshots.
    Snapshot {
        #[command(flatten)]
        select: SelectArgs,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Run the selected data and unit tests.
    Test {
        #[command(flatten)]
        select: SelectArgs,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Run a model's (or an inline query's) SQL and print its first rows.
    Show {
        #[command(flatten)]
        select: SelectArgs,
        /// Run this SQL (Jinja allowed) instead of a node.
        #[arg(long)]
        inline: Option<String>,
        /// Rows to show; -1 for all.
        #[arg(long, default_value_t = 5, allow_negative_numbers = true)]
        limit: i64,
        #[arg(long, value_enum, default_value_t = super::show::ShowOutput::Text)]
        output: super::show::ShowOutput,
    },
    /// Call a macro against the target's warehouse.
    RunOperation {
        /// The macro to call (`name` or `package.name`).
        macro_name: String,
        /// Keyword arguments as YAML or JSON: --args '{table: x}'.
        #[arg(long)]
        args: Option<String>,
    },
    /// Seeds, models, snapshots and tests of the selection, interleaved in DAG order.
    Build {
        #[command(flatten)]
        select: SelectArgs,
        #[command(flatten)]
        run: RunArgs,
    },
}

/// Flags of the commands that run nodes.
#[derive(Debug, Args, Default, Clone)]
pub struct RunArgs {
    /// Stop at the first failure; nodes not yet started are skipped.
    #[arg(short = 'x', long)]
    pub fail_fast: bool,
    /// Rebuild incremental models and seeds from scratch.
    #[arg(long)]
    pub full_refresh: bool,
    /// Build with refs and sources limited to zero rows (schema-only dry run).
    #[arg(long)]
    pub empty: bool,
    /// Store the failing rows of every test in the audit schema.
    #[arg(long)]
    pub store_failures: bool,
    /// Only these resource types (build): model, seed, snapshot, test, unit_test.
    #[arg(long = "resource-type", alias = "resource-types", num_args = 1..)]
    pub resource_type: Vec<String>,
    /// Leave these resource types out (build).
    #[arg(long = "exclude-resource-type", num_args = 1..)]
    pub exclude_resource_type: Vec<String>,
    /// BigQuery: dry-run every selected node first and refuse to start when the
    /// estimated bytes read exceed this (10GB, 500MB; binary units as BigQuery bills).
    #[arg(long, value_name = "SIZE")]
    pub max_bytes: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LsOutput {
    Name,
    Path,
    Json,
    Selector,
}
