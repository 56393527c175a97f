//! Unit tests: a `unit_tests:` definition + the tested model + the warehouse's column types
//! -> the model's SQL run on fixture rows and compared with the expected rows (pass/fail,
//! with a diff). Only queries run: no relation is created or changed.

pub mod check;
pub mod compare;
pub mod csv;
pub mod fixture;
pub mod spec;

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::execute::node::{Failed, RunContext, RunStatus, Verdict};
use crate::graph::Graph;
use crate::node::{Node, ResourceType};
use crate::pipeline::Parsed;
use crate::render::passes::PassInput;
use crate::render::unit::{Stand, Substitutes, UnitRender, UnitSetup};
use crate::resolve::Names;
pub use check::{check, disable_with_models};
use fixture::Columns;
use spec::{Input, Rows, UnitSpec};

/// What running unit tests needs from the parsed project: the tested models are rendered
/// at run time, once their inputs exist in the warehouse to give column types.
pub struct UnitEnv<'a> {
    pub input: PassInput<'a>,
    pub graph: &'a Graph,
    names: Names,
}

impl<'a> UnitEnv<'a> {
    pub fn new(parsed: &'a Parsed) -> UnitEnv<'a> {
        UnitEnv {
            input: PassInput::new(&parsed.renv, &parsed.project, None),
            graph: &parsed.graph,
            names: Names::new(&parsed.graph.nodes, &[], parsed.project.name()),
        }
    }
}

/// One given input, resolved: the node it stands for and its fixture.
struct Prepared<'g> {
    node: &'g Node,
    given: &'g spec::Given,
    stand: Stand,
}

/// Runs one unit test: pass when the model's rows equal the expected rows, fail with a
/// diff when not, error when it cannot run.
pub fn run(node: &Node, ctx: &RunContext, executed: &mut Vec<String>) -> Result<Verdict, Failed> {
    let env = ctx
        .unit
        .ok_or_else(|| Failed("unit tests cannot run without the parsed project".into()))?;
    let spec = UnitSpec::from_node(node, &check::fixture_dirs(env.input.project, node))
        .map_err(|e| Failed(e.to_string()))?;
    let model = node
        .depends_on
        .first()
        .and_then(|id| env.graph.node(id))
        .filter(|m| m.resource_type == ResourceType::Model)
        .ok_or_else(|| Failed(format!("unit test `{}` tests no model", node.name)))?;
    let inputs = prepare(env, node, model, &spec)?;
    require_inputs(env, node, model, &inputs)?;
    let mut substitutes = Substitutes::default();
    for p in &inputs {
        match &p.given.input {
            Input::This => substitutes.this = Some(p.stand.clone()),
            Input::Source(s, t) => substitutes
                .sources
                .push(((s.clone(), t.clone()), p.stand.clone())),
            Input::Ref(_) => substitutes.refs.push((
                (p.node.package_name.clone(), p.node.name.clone()),
                p.stand.clone(),
            )),
        }
    }
    let setup = UnitSetup {
        substitutes: &substitutes,
        macros: &spec.overrides.macros,
        vars: &spec.overrides.vars,
        env_vars: &spec.overrides.env_vars,
    };
    let render = UnitRender::new(&env.input, model, &setup);
    let rendered = render.model_sql().map_err(|d| Failed(d.message))?;
    // Only the fixtures the SQL reads become CTEs, as dbt adds only the inputs it resolves.
    let mut ctes: Vec<(String, String)> = Vec::new();
    for p in &inputs {
        let used = match &p.given.input {
            Input::This => true,
            Input::Source(s, t) => rendered.calls.sources.contains(&(s.clone(), t.clone())),
            Input::Ref(_) => rendered.calls.ephemerals.contains(&p.stand.unique_id),
        };
        if used {
            ctes.push((p.stand.name.clone(), fixture_sql(ctx, &render, p, env)?));
        }
    }
    let refs: Vec<(String, &str)> = ctes.iter().map(|(n, s)| (n.clone(), s.as_str())).collect();
    let model_sql = crate::render::compile::inject_ctes(&rendered.sql, &refs);
    compare(ctx, node, &spec, &model_sql, executed)
}

/// Resolves each given input to its node and names its fixture CTE as dbt does.
fn prepare<'g>(
    env: &'g UnitEnv,
    test: &Node,
    model: &'g Node,
    spec: &'g UnitSpec,
) -> Result<Vec<Prepared<'g>>, Failed> {
    let mut out = Vec::new();
    for (i, given) in spec.given.iter().enumerate() {
        let node = match &given.input {
            Input::This => Some(model),
            other => check::input_node(env.graph, &env.names, test, other),
        }
        .ok_or_else(|| {
            Failed(format!(
                "Unit test '{}' had an input ({}) which was not found in the manifest.",
                test.name, given.written
            ))
        })?;
        let name = match &given.input {
            Input::Source(s, t) => format!("{s}__{t}"),
            _ => node.name.clone(),
        };
        out.push(Prepared {
            node,
            given,
            stand: Stand {
                name,
                unique_id: format!("unit_fixture.{i}.{}", node.unique_id),
            },
        });
    }
    Ok(out)
}

/// Every ref and source the model reads must be given: a unit test never reads the
/// warehouse's data.
fn require_inputs(
    env: &UnitEnv,
    test: &Node,
    model: &Node,
    inputs: &[Prepared],
) -> Result<(), Failed> {
    for id in &model.depends_on {
        if inputs.iter().any(|p| &p.node.unique_id == id) {
            continue;
        }
        let Some(dep) = env.graph.node(id) else {
            continue;
        };
        let call = match &dep.source {
            Some(s) => format!("source('{}', '{}')", s.source_name, dep.name),
            None => format!("ref('{}')", dep.name),
        };
        return Err(Failed(format!(
            "unit test `{}` gives no input for {call}, which model `{}` reads: add it under `given:`",
            test.name, model.name
        )));
    }
    Ok(())
}

/// An input fixture's SQL: SQL text as written, rows typed by the input relation's columns.
fn fixture_sql(
    ctx: &RunContext,
    render: &UnitRender,
    p: &Prepared,
    env: &UnitEnv,
) -> Result<String, Failed> {
    let rows = match &p.given.rows {
        Rows::Sql(text) => return render.fixture_sql(text).map_err(|d| Failed(d.message)),
        Rows::Dicts(rows) => rows.clone(),
        Rows::Seed => seed_rows(env, p.node)?,
    };
    let identifier = p
        .node
        .source
        .as_ref()
        .map_or(p.node.alias.as_str(), |s| s.identifier.as_str());
    let columns = ctx
        .adapter
        .columns(&p.node.database, &p.node.schema, identifier)?;
    if columns.is_empty() {
        let relation = ctx
            .adapter
            .dialect()
            .relation(&p.node.database, &p.node.schema, identifier);
        return Err(Failed(format!(
            "Not able to get columns for unit test '{}' from relation {relation} because the relation doesn't exist\n(build it first, or give this input as `format: sql`)",
            p.node.name
        )));
    }
    let columns = Columns::new(ctx.adapter.dialect(), &columns);
    fixture::input_sql(&rows, &columns, &format!("'{}'", p.node.name))
        .map_err(|e| Failed(e.to_string()))
}

/// A seed given without rows: its own CSV file is the fixture.
fn seed_rows(env: &UnitEnv, seed: &Node) -> Result<Vec<IndexMap<String, Json>>, Failed> {
    let path = env.input.project.root.join(&seed.origin.file);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Failed(format!(
            "could not read seed file {}: {e}",
            seed.origin.file
        ))
    })?;
    Ok(csv::rows(&text))
}

/// Runs the model on the fixtures next to the expected rows and compares them.
fn compare(
    ctx: &RunContext,
    node: &Node,
    spec: &UnitSpec,
    model_sql: &str,
    executed: &mut Vec<String>,
) -> Result<Verdict, Failed> {
    let dialect = ctx.adapter.dialect();
    let could_not_run = |e: crate::adapter::AdapterError| {
        Failed(format!(
            "unit test `{}` could not run: {e}\n(check that the fixture values fit the columns' types)",
            node.name
        ))
    };
    let actual = Columns::new(
        dialect,
        &ctx.adapter.describe(model_sql).map_err(could_not_run)?,
    );
    let all: Vec<String> = actual.by_lower.values().map(|t| t.quoted.clone()).collect();
    let (expected, compared) = match &spec.expect {
        Rows::Dicts(rows) if !rows.is_empty() => {
            let (sql, cols) =
                fixture::expected_sql(rows, &actual).map_err(|e| Failed(e.to_string()))?;
            (Some(sql), cols)
        }
        Rows::Sql(text) => (Some(text.clone()), all),
        _ => (None, all),
    };
    let sql = fixture::comparison_sql(dialect, model_sql, expected.as_deref(), &compared);
    executed.push(sql.clone());
    let result = ctx.adapter.query(&sql).map_err(could_not_run)?;
    let side = result
        .columns
        .iter()
        .position(|c| c.eq_ignore_ascii_case(fixture::SIDE))
        .ok_or_else(|| Failed("the unit test query lost its side column".into()))?;
    let header: Vec<String> = result
        .columns
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != side)
        .map(|(_, c)| c.to_lowercase())
        .collect();
    let (mut actual_rows, mut expected_rows) = (Vec::new(), Vec::new());
    for mut row in result.rows {
        let label = row.remove(side);
        if label.as_str() == Some("actual") {
            actual_rows.push(row);
        } else {
            expected_rows.push(row);
        }
    }
    Ok(match compare::diff(&header, &expected_rows, &actual_rows) {
        None => Verdict {
            status: RunStatus::Pass,
            message: String::new(),
            failures: Some(0),
            rows_affected: None,
        },
        Some(diff) => Verdict {
            status: RunStatus::Fail,
            message: format!("\n\nactual differs from expected:\n\n{diff}\n"),
            failures: Some(1),
            rows_affected: None,
        },
    })
}
