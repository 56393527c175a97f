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
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Only print errors (and what a command is asked to print).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
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
    #[arg(long, default_value = "eager")]
    pub indirect_selection: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Load and render the project; write target/manifest.json.
    Parse,
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
    /// Build the selected models (views and tables) on the target warehouse.
    Run {
        #[command(flatten)]
        select: SelectArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LsOutput {
    Name,
    Path,
    Json,
    Selector,
}
