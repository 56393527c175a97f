//! `seed`, `run`, `snapshot`, `test` and `build`: select, compile against what the warehouse
//! holds, run in DAG order, print one line per node and dbt's summary, write artifacts.

use std::collections::HashMap;
use std::time::Instant;

use serde_json::{Value as Json, json};

use super::args::{LogFormat, RunArgs, SelectArgs};
use super::commands::{INVALID, NODE_FAILED, OK, choose, parse};
use super::output::Printer;
use super::progress::StatusLine;
use super::report;
use super::settings::{Selection, Settings};
use super::warehouse::{Warehouse, fail};
use crate::diagnostics::Diagnostic;
use crate::execute::{self, Event, Outcome, RunContext};
use crate::node::ResourceType;
use crate::pipeline::{self, Parsed};
use crate::render::passes::RunState;

/// Which command: decides the resource types it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Run,
    Seed,
    Snapshot,
    Test,
    Build,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Seed => "seed",
            Kind::Snapshot => "snapshot",
            Kind::Test => "test",
            Kind::Build => "build",
        }
    }

    fn runs(self, t: ResourceType, args: &RunArgs) -> bool {
        let by_kind = match self {
            Kind::Run => t == ResourceType::Model,
            Kind::Seed => t == ResourceType::Seed,
            Kind::Snapshot => t == ResourceType::Snapshot,
            Kind::Test => matches!(t, ResourceType::Test | ResourceType::UnitTest),
            Kind::Build => matches!(
                t,
                ResourceType::Model
                    | ResourceType::Seed
                    | ResourceType::Snapshot
                    | ResourceType::Test
                    | ResourceType::UnitTest
            ),
        };
        let named = |list: &[String]| {
            list.iter()
                .any(|r| ResourceType::parse(r).is_some_and(|x| x == t))
        };
        by_kind
            && (args.resource_type.is_empty() || named(&args.resource_type))
            && !named(&args.exclude_resource_type)
    }
}

pub fn build_cmd(
    settings: &Settings,
    kind: Kind,
    select: &SelectArgs,
    args: &RunArgs,
    p: &mut Printer,
) -> i32 {
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let mut parsed = match parse(settings, p) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let sel = Selection::from(select);
    let chosen = match choose(&parsed, &sel, p) {
        Ok(s) => s,
        Err(d) => {
            p.diagnostic(&d);
            return INVALID;
        }
    };
    let order = parsed.graph.topo_order();
    let rank: HashMap<usize, usize> = order.iter().enumerate().map(|(r, &i)| (i, r)).collect();
    let mut selected: Vec<usize> = chosen
        .into_iter()
        .filter(|&i| kind.runs(parsed.graph.nodes[i].resource_type, args))
        .collect();
    selected.sort_by_key(|i| rank.get(i).copied().unwrap_or(usize::MAX));
    let seeds = match read_seeds(&parsed, &selected, p) {
        Ok(s) => s,
        Err(errors) => {
            p.diagnostics(&errors);
            p.info(
                "MainEncounteredError",
                &format!("{} error(s) found; nothing was run", errors.len()),
            );
            return INVALID;
        }
    };
    let budget = match super::budget::budget(args.max_bytes.as_deref(), &parsed.project.target) {
        Ok(b) => b,
        Err(d) => return fail(p, &d),
    };
    let warehouse = match Warehouse::connect(&parsed) {
        Ok(w) => w,
        Err(d) => return fail(p, &d),
    };
    let catalog = match warehouse.catalog() {
        Ok(c) => c,
        Err(d) => return fail(p, &d),
    };
    let run_state = RunState {
        adapter: Some(warehouse.adapter.clone()),
        existing: std::sync::Arc::new(catalog.iter().map(|(name, _)| name.clone()).collect()),
        full_refresh: args.full_refresh,
        empty: args.empty,
    };
    let diags = pipeline::compile_with(&mut parsed, &selected, true, Some(run_state));
    p.diagnostics(diags.iter().filter(|d| !d.is_error()));
    let mut errors: Vec<Diagnostic> = diags.into_iter().filter(|d| d.is_error()).collect();
    if errors.is_empty() {
        errors = invalid_configs(&parsed, &selected);
    }
    if !errors.is_empty() {
        p.diagnostics(&errors);
        p.info(
            "MainEncounteredError",
            &format!("{} error(s) found; nothing was run", errors.len()),
        );
        warehouse.discard();
        return INVALID;
    }
    let target_path = parsed.project.root_package().config.target_path.clone();
    let nodes: Vec<&crate::node::Node> = selected.iter().map(|&i| &parsed.graph.nodes[i]).collect();
    if let Err(e) = crate::artifacts::write_compiled(&parsed.project.root, &target_path, &nodes) {
        p.diagnostic(&Diagnostic::error(format!(
            "could not write compiled SQL: {e}"
        )));
        return INVALID;
    }
    let threads = settings
        .threads
        .or_else(|| {
            parsed
                .project
                .target
                .fields
                .get("threads")
                .and_then(Json::as_u64)
                .map(|t| t as usize)
        })
        .unwrap_or(1);
    if budget.is_some() {
        let adapter = warehouse.adapter.as_ref();
        if let Err(d) = super::budget::report(p, adapter, &nodes, threads, budget) {
            warehouse.discard();
            return fail(p, &d);
        }
    }
    let unit_env = crate::testing::unit::UnitEnv::new(&parsed);
    let relations = execute::RelationCache::new(catalog);
    let ctx = RunContext {
        adapter: warehouse.adapter.as_ref(),
        root: &parsed.project.root,
        full_refresh: args.full_refresh,
        store_failures: args.store_failures,
        seeds: &seeds,
        unit: Some(&unit_env),
        relations: &relations,
    };
    let runnable: Vec<usize> = selected
        .iter()
        .copied()
        .filter(|&i| execute::runnable(&parsed.graph, i))
        .collect();
    p.info(
        "ConcurrencyLine",
        &format!(
            "Concurrency: {threads} threads (target='{}')",
            parsed.project.target.name
        ),
    );
    let mut reporter = report::Reporter::new(&parsed, &runnable, &target_path);
    if p.format == LogFormat::Text && !p.quiet {
        p.status = StatusLine::for_terminal(runnable.len());
    }
    let ticker = p.status.as_ref().map(StatusLine::tick);
    execute::run(
        &parsed.graph,
        &runnable,
        &ctx,
        threads,
        args.fail_fast,
        |ev: Event<Outcome>| reporter.on_event(ev, p),
    );
    // The summary and anything after it print below a run that is over: no status line.
    drop(ticker);
    p.status = None;
    if kind == Kind::Build {
        // dbt build reports exposures as no-ops: the selected ones, or all of them when
        // nothing was selected (the default selection covers every resource).
        let everything = sel.select.is_empty() && sel.exclude.is_empty() && sel.selector.is_none();
        reporter.no_ops((0..parsed.graph.len()).filter(|&i| {
            parsed.graph.nodes[i].resource_type == ResourceType::Exposure
                && (everything || selected.contains(&i))
        }));
    }
    let elapsed = clock.elapsed().as_secs_f64();
    let outcomes = reporter.finish(p, elapsed);
    write_artifacts(&parsed, kind, args, &outcomes, started, elapsed, p);
    if outcomes.values().any(|o| o.status.blocks()) {
        NODE_FAILED
    } else {
        OK
    }
}

/// Reads and types every selected seed's CSV before anything runs: a ragged or broken file
/// is bad input (exit 2 at its file and line), never a half-loaded table.
fn read_seeds(
    parsed: &Parsed,
    selected: &[usize],
    p: &Printer,
) -> Result<HashMap<String, crate::seed::SeedTable>, Vec<Diagnostic>> {
    use rayon::prelude::*;
    let results: Vec<(String, Result<crate::seed::SeedTable, Diagnostic>)> = selected
        .par_iter()
        .map(|&i| &parsed.graph.nodes[i])
        .filter(|n| n.resource_type == ResourceType::Seed)
        .map(|n| {
            // BigQuery cannot read the local file: its plan inserts the rows themselves.
            let keep_rows = parsed.project.target.dialect == crate::dialect::Dialect::BigQuery;
            let read = crate::seed::SeedOptions::from_config(&n.config)
                .map(|o| crate::seed::SeedOptions { keep_rows, ..o })
                .and_then(|o| crate::seed::read_seed(&parsed.project.root.join(&n.origin.file), &o))
                .map_err(|e| e.to_diagnostic(&n.origin.file));
            (n.unique_id.clone(), read)
        })
        .collect();
    let mut tables = HashMap::new();
    let mut errors = Vec::new();
    for (id, r) in results {
        match r {
            Ok(t) => {
                if let Some(n) = parsed.graph.node(&id) {
                    for w in &t.warnings {
                        p.diagnostic(&w.to_diagnostic(&n.origin.file));
                    }
                }
                tables.insert(id, t);
            }
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(tables)
    } else {
        Err(errors)
    }
}

/// Materialization configs that can only fail at run time (a misspelt strategy or
/// on_schema_change), found before anything runs.
fn invalid_configs(parsed: &Parsed, selected: &[usize]) -> Vec<Diagnostic> {
    selected
        .iter()
        .map(|&i| &parsed.graph.nodes[i])
        .filter_map(|n| {
            let problem = match n.resource_type {
                ResourceType::Model if n.materialized() == "incremental" => {
                    crate::plan::incremental::validate(n, parsed.project.target.dialect).err()
                }
                ResourceType::Snapshot => crate::plan::snapshot::SnapshotConfig::from_node(n).err(),
                _ => None,
            }?;
            let mut at = crate::diagnostics::Location::file(&n.origin.file);
            at.line = n.origin.line;
            Some(Diagnostic::error(problem.to_string()).at(at))
        })
        .collect()
}

/// run_results.json, target/run/** and manifest.json; failures here are reported, not fatal.
fn write_artifacts(
    parsed: &Parsed,
    kind: Kind,
    args: &RunArgs,
    outcomes: &HashMap<usize, Outcome>,
    started: chrono::DateTime<chrono::Utc>,
    elapsed: f64,
    p: &Printer,
) {
    let root = &parsed.project.root;
    let target_path = &parsed.project.root_package().config.target_path;
    let target_dir = root.join(target_path);
    let mut ordered: Vec<(&usize, &Outcome)> = outcomes.iter().collect();
    ordered.sort_by_key(|a| a.1.started_at);
    let rows: Vec<crate::artifacts::run_results::ResultRow> = ordered
        .iter()
        .map(|(i, o)| {
            let n = &parsed.graph.nodes[**i];
            crate::artifacts::run_results::ResultRow {
                node: n,
                outcome: (o.status != execute::RunStatus::Skipped).then_some(*o),
                relation_name: report::relation_name(parsed, n),
            }
        })
        .collect();
    let cli_args = json!({
        "which": kind.name(),
        "full_refresh": args.full_refresh,
        "fail_fast": args.fail_fast,
        "empty": args.empty,
        "store_failures": args.store_failures,
    });
    let done: Vec<(&crate::node::Node, &Outcome)> = ordered
        .iter()
        .map(|(i, o)| (&parsed.graph.nodes[**i], *o))
        .collect();
    let written =
        crate::artifacts::run_results::write(&target_dir, &rows, started, elapsed, cli_args)
            .and_then(|()| crate::artifacts::run_results::write_run_sql(root, target_path, &done))
            .and_then(|()| super::commands::write_manifest(parsed, true).map(|_| ()));
    if let Err(e) = written {
        p.diagnostic(&Diagnostic::error(format!(
            "could not write run artifacts in {target_path}: {e}"
        )));
    }
}
