//! Selection: dbt selector strings (`tag:x+`, `@m`, `path:...`), selectors.yml + the graph -> a set of nodes.
//!
//! # API
//!
//! ```ignore
//! let sel = select::select(&graph, &SelectionArgs {
//!     select: vec!["tag:nightly,config.materialized:table".into(), "+fct_orders".into()],
//!     exclude: vec!["staging.*".into()],
//!     root_project: "my_project".into(),
//!     ..SelectionArgs::default()
//! })?;
//! for i in &sel.nodes { /* graph.nodes[i] is selected */ }
//! for raw in &sel.unmatched { /* warn: "The selection criterion '{raw}' does not match any nodes" */ }
//! ```
//!
//! * [`select`] is the single entry point; [`SelectionArgs`] mirrors dbt's `--select`,
//!   `--exclude`, `--selector`, `--indirect-selection` and the project's `selectors.yml`
//!   (already parsed from YAML into a `serde_json::Value` by the caller).
//! * [`Selectors::parse`] validates a whole selectors.yml up front (as dbt does at load time);
//!   `select` calls it too, so callers only need it to report errors early or list names.
//! * Errors are [`SelectError`]s with short messages; the caller adds file/line.
//!
//! # Semantics (dbt's)
//!
//! * Each `--select`/`--exclude` string is split on whitespace (union); each item is split on
//!   `,` (intersection). An atom is `[@][N+][method[.arg...]:]value[+N]`. Without a method, a
//!   value containing `/` or `\` is a `path:`, one ending in `.sql`/`.py`/`.csv` a `file:`,
//!   anything else an `fqn:` (which also matches bare node names).
//! * Every atom is expanded on its own: matched nodes, then its graph operators, then indirect
//!   test selection (tests whose parents are selected, per [`IndirectSelection`]); unions,
//!   intersections and differences then combine (direct, indirect) pairs like dbt's selector.
//!   `--exclude` atoms always expand eagerly, so the tests of an excluded node stay excluded.
//! * No `--select`, `--exclude` or `--selector`: the selector with `default: true` if there is
//!   one, else every node. With only `--exclude`: every node minus the exclusion.
//! * Disabled nodes (`enabled: false`) are never selected nor walked through.
//! * Like dbt, an item that matches nothing is not an error: it is listed in
//!   [`Selection::unmatched`] (raw item text) for the caller to warn about.
//!
//! Not supported (error [`SelectError::UnsupportedMethod`]): `state:`, `result:`,
//! `source_status:`, `metric:`, `semantic_model:`, `saved_query:`, `version:`, `wildcard:`.

mod eval;
mod glob;
mod methods;
mod parse;
mod selectors;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use serde_json::Value as Json;

use crate::graph::Graph;

pub use selectors::Selectors;

/// How tests attached to selected nodes are added (`--indirect-selection`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndirectSelection {
    /// A test is selected when any of its parents is selected.
    #[default]
    Eager,
    /// A test is selected only when all of its parents are selected.
    Cautious,
    /// Like cautious, but parents that are ancestors of the selection (or sources) also count.
    Buildable,
    /// Tests are never added indirectly.
    Empty,
}

impl IndirectSelection {
    pub fn parse(s: &str) -> Option<IndirectSelection> {
        Some(match s {
            "eager" => IndirectSelection::Eager,
            "cautious" => IndirectSelection::Cautious,
            "buildable" => IndirectSelection::Buildable,
            "empty" => IndirectSelection::Empty,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            IndirectSelection::Eager => "eager",
            IndirectSelection::Cautious => "cautious",
            IndirectSelection::Buildable => "buildable",
            IndirectSelection::Empty => "empty",
        }
    }
}

/// What the user asked for.
#[derive(Debug, Clone, Default)]
pub struct SelectionArgs {
    /// `--select` values; each may hold several space-separated items.
    pub select: Vec<String>,
    /// `--exclude` values, same grammar.
    pub exclude: Vec<String>,
    /// `--selector NAME`: a selector from selectors.yml (cannot be mixed with select/exclude).
    pub selector: Option<String>,
    /// The parsed selectors.yml (`{selectors: [...]}`), if the project has one.
    pub selectors: Option<Json>,
    /// `--indirect-selection`; YAML selectors may override it per criterion.
    pub indirect: IndirectSelection,
    /// The root project's name (`package:this`).
    pub root_project: String,
}

/// The outcome of a selection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Indices into `graph.nodes`.
    pub nodes: BTreeSet<usize>,
    /// Raw `--select`/`--exclude` items that matched nothing (dbt warns about these).
    pub unmatched: Vec<String>,
}

/// Why a selection could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("unknown selector method `{method}` in `{raw}`; {hint}valid methods: {valid}")]
    UnknownMethod {
        method: String,
        raw: String,
        /// "did you mean `x`? " or empty.
        hint: String,
        valid: String,
    },
    #[error("selector method `{method}` (in `{raw}`) is not supported by xform")]
    UnsupportedMethod { method: String, raw: String },
    #[error("malformed graph operator in `{raw}`: {reason}")]
    GraphOperator { raw: String, reason: String },
    #[error("invalid selector `{raw}`: {reason}")]
    InvalidSelector { raw: String, reason: String },
    #[error("no selector named `{name}` in selectors.yml; {hint}")]
    UnknownSelector {
        name: String,
        /// "did you mean `x`?" or the list of defined selectors.
        hint: String,
    },
    #[error("selector `{name}` was requested but the project has no selectors.yml")]
    NoSelectorsFile { name: String },
    #[error("invalid definition for selector `{selector}`: {reason}")]
    InvalidDefinition { selector: String, reason: String },
    #[error("in selector `{selector}`: {source}")]
    InSelector {
        selector: String,
        source: Box<SelectError>,
    },
    #[error("selectors refer to each other in a loop: {0}")]
    SelectorCycle(String),
    #[error("invalid selectors.yml: {0}")]
    InvalidSelectorsFile(String),
    #[error(
        "--selector cannot be combined with --select or --exclude; use `--select selector:{0}` instead"
    )]
    SelectorWithSelect(String),
}

/// Selects nodes of `graph` as dbt would for `args`.
pub fn select(graph: &Graph, args: &SelectionArgs) -> Result<Selection, SelectError> {
    let selectors = match &args.selectors {
        Some(v) => Some(Selectors::parse(v)?),
        None => None,
    };
    let mut ctx = parse::Ctx::new(selectors.as_ref(), args.indirect);
    let no_cli = args.select.is_empty() && args.exclude.is_empty();
    let spec = if let Some(name) = &args.selector {
        if !no_cli {
            return Err(SelectError::SelectorWithSelect(name.clone()));
        }
        ctx.selector(name)?
    } else if let Some(name) = selectors
        .as_ref()
        .and_then(Selectors::default_name)
        .filter(|_| no_cli)
    {
        ctx.selector(name)?
    } else {
        parse::cli_difference(&args.select, &args.exclude, &mut ctx)?
    };
    let mut ev = eval::Evaluator::new(graph, &args.root_project);
    let (nodes, _) = ev.eval(&spec);
    Ok(Selection {
        nodes,
        unmatched: ev.unmatched,
    })
}
