//! Run progress as dbt prints it: scheduler events -> `N of M START/OK/FAIL ...` lines (or
//! JSON events with dbt's names and node_info), then the closing summary.

use std::collections::HashMap;

use serde_json::{Value as Json, json};

use super::output::Printer;
use super::progress::Ended;
use crate::execute::{Event, Outcome, RunStatus};
use crate::node::{Node, ResourceType};
use crate::pipeline::Parsed;

/// Collects outcomes while printing each event as it happens.
pub struct Reporter<'a> {
    parsed: &'a Parsed,
    target_path: &'a str,
    index: HashMap<usize, usize>,
    total: usize,
    started: HashMap<usize, chrono::DateTime<chrono::Utc>>,
    outcomes: HashMap<usize, Outcome>,
}

/// `"db"."schema"."alias"` for nodes that build a relation.
pub fn relation_name(parsed: &Parsed, n: &Node) -> Option<String> {
    match n.resource_type {
        ResourceType::Model if n.is_ephemeral() => None,
        ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot => Some(
            parsed
                .renv
                .dialect
                .relation(&n.database, &n.schema, &n.alias),
        ),
        _ => None,
    }
}

/// What dbt calls the node in its progress lines.
fn describe(n: &Node) -> String {
    let rel = format!("{}.{}", n.schema, n.alias);
    match n.resource_type {
        ResourceType::Seed => format!("seed file {rel}"),
        ResourceType::Snapshot => format!("snapshot {rel}"),
        ResourceType::Test => format!("test {}", n.name),
        ResourceType::UnitTest => format!("unit_test {}", unit_test_label(n)),
        _ => format!("sql {} model {rel}", n.materialized()),
    }
}

/// dbt names a unit test after its model: `model::test`.
fn unit_test_label(n: &Node) -> String {
    match n.refs.first() {
        Some(model) => format!("{}::{}", model.name, n.name),
        None => n.name.clone(),
    }
}

/// A progress line padded with dots to dbt's width, then the status in brackets.
fn dotted(prefix: &str, status: &str) -> String {
    const WIDTH: usize = 80;
    let len = prefix.chars().count();
    let dots = if len + 2 < WIDTH {
        ".".repeat(WIDTH - len - 1)
    } else {
        "...".into()
    };
    format!("{prefix} {dots} [{status}]")
}

fn clock() -> String {
    chrono::Local::now().format("%H:%M:%S").to_string()
}

impl<'a> Reporter<'a> {
    pub fn new(parsed: &'a Parsed, jobs: &[usize], target_path: &'a str) -> Reporter<'a> {
        Reporter {
            parsed,
            target_path,
            index: HashMap::new(),
            total: jobs.len(),
            started: HashMap::new(),
            outcomes: HashMap::new(),
        }
    }

    fn node_info(&self, i: usize, status: &str, outcome: Option<&Outcome>) -> Json {
        let n = &self.parsed.graph.nodes[i];
        let started = self
            .started
            .get(&i)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
        let finished = outcome.map(|o| {
            (o.started_at + chrono::Duration::microseconds((o.seconds * 1e6) as i64))
                .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
        });
        json!({
            "node_path": n.path,
            "node_name": n.name,
            "unique_id": n.unique_id,
            "resource_type": n.resource_type.as_str(),
            "materialized": n.materialized(),
            "node_status": status,
            "node_started_at": started.unwrap_or_default(),
            "node_finished_at": finished.unwrap_or_default(),
            "meta": n.meta,
            "node_relation": {
                "database": n.database,
                "schema": n.schema,
                "alias": n.alias,
                "relation_name": relation_name(self.parsed, n),
            },
        })
    }

    fn number(&mut self, i: usize) -> usize {
        let next = self.index.len() + 1;
        *self.index.entry(i).or_insert(next)
    }

    pub fn on_event(&mut self, ev: Event<Outcome>, p: &Printer) {
        match ev {
            Event::Started(i) => {
                self.started.insert(i, chrono::Utc::now());
                let k = self.number(i);
                let n = &self.parsed.graph.nodes[i];
                let msg = dotted(
                    &format!("{} {k} of {} START {}", clock(), self.total, describe(n)),
                    "RUN",
                );
                let data = json!({"node_info": self.node_info(i, "started", None), "index": k, "total": self.total, "description": describe(n)});
                if let Some(line) = &p.status {
                    line.started(i, &n.name);
                }
                p.event("LogStartLine", "info", &msg, data.clone());
                p.event("NodeStart", "debug", &msg, data);
            }
            Event::Finished { job, result, .. } => {
                self.finished(job, result, p);
            }
            Event::Skipped { job, because } => {
                let k = self.number(job);
                let n = &self.parsed.graph.nodes[job];
                let why = match because {
                    Some(d) => format!(
                        "skipped: upstream {} did not succeed",
                        self.parsed.graph.nodes[d].name
                    ),
                    None => "skipped: --fail-fast stopped the run".to_string(),
                };
                let outcome = Outcome {
                    status: RunStatus::Skipped,
                    message: why,
                    failures: None,
                    rows_affected: None,
                    executed: Vec::new(),
                    started_at: chrono::Utc::now(),
                    seconds: 0.0,
                    thread: 0,
                };
                let label = match n.resource_type {
                    ResourceType::Test => format!("test {}", n.name),
                    ResourceType::UnitTest => format!("unit_test {}", n.name),
                    _ => format!("relation {}.{}", n.schema, n.alias),
                };
                let msg = dotted(
                    &format!("{} {k} of {} SKIP {label}", clock(), self.total),
                    "SKIP",
                );
                if let Some(line) = &p.status {
                    line.finished(job, Ended::Skipped);
                }
                let info = self.node_info(job, "skipped", Some(&outcome));
                let data = json!({"node_info": info, "index": k, "total": self.total, "status": "skipped"});
                p.event("LogSkipResult", "info", &msg, data);
                let run_result = json!({"status": "skipped", "message": outcome.message});
                p.event(
                    "NodeFinished",
                    "debug",
                    &msg,
                    node_finished(n, info, run_result),
                );
                self.outcomes.insert(job, outcome);
            }
        }
    }

    fn finished(&mut self, i: usize, o: Outcome, p: &Printer) {
        let k = self.number(i);
        let n = &self.parsed.graph.nodes[i];
        let secs = format!("{:.2}s", o.seconds);
        let (word, bracket) = match (o.status, n.resource_type) {
            (RunStatus::Pass, _) => ("PASS".to_string(), format!("PASS in {secs}")),
            (RunStatus::Fail, _) => {
                let f = o.failures.unwrap_or(0);
                (format!("FAIL {f}"), format!("FAIL {f} in {secs}"))
            }
            (RunStatus::Warn, _) => {
                let f = o.failures.unwrap_or(0);
                (format!("WARN {f}"), format!("WARN {f} in {secs}"))
            }
            (RunStatus::Error, ResourceType::Test | ResourceType::UnitTest) => {
                ("ERROR".into(), format!("ERROR in {secs}"))
            }
            (RunStatus::Error, _) => ("ERROR creating".into(), format!("ERROR in {secs}")),
            (_, ResourceType::Seed) => (
                "OK loaded".into(),
                match o.rows_affected {
                    Some(r) => format!("INSERT {r} in {secs}"),
                    None => format!("OK in {secs}"),
                },
            ),
            (_, ResourceType::Snapshot) => ("OK snapshotted".into(), format!("OK in {secs}")),
            _ => ("OK created".into(), format!("OK in {secs}")),
        };
        let label = match (o.status, n.resource_type) {
            (_, ResourceType::Test) => n.name.clone(),
            (_, ResourceType::UnitTest) => unit_test_label(n),
            _ => describe(n),
        };
        let msg = dotted(
            &format!("{} {k} of {} {word} {label}", clock(), self.total),
            &bracket,
        );
        let event = match n.resource_type {
            ResourceType::Test | ResourceType::UnitTest => "LogTestResult",
            ResourceType::Seed => "LogSeedResult",
            ResourceType::Snapshot => "LogSnapshotResult",
            _ => "LogModelResult",
        };
        let level = match o.status {
            RunStatus::Error | RunStatus::Fail => "error",
            RunStatus::Warn => "warn",
            _ => "info",
        };
        if let Some(line) = &p.status {
            line.finished(
                i,
                match o.status {
                    RunStatus::Error | RunStatus::Fail => Ended::Failed,
                    RunStatus::Warn => Ended::Warned,
                    RunStatus::Skipped => Ended::Skipped,
                    _ => Ended::Ok,
                },
            );
        }
        let info = self.node_info(i, o.status.as_str(), Some(&o));
        let data = json!({
            "node_info": info,
            "index": k,
            "total": self.total,
            "status": o.status.as_str(),
            "execution_time": o.seconds,
            "num_failures": o.failures,
            "description": describe(n),
        });
        p.event(event, level, &msg, data);
        let run_result = json!({"status": o.status.as_str(), "message": o.message, "failures": o.failures, "execution_time": o.seconds});
        p.event(
            "NodeFinished",
            "debug",
            &msg,
            node_finished(n, info, run_result),
        );
        self.outcomes.insert(i, o);
    }

    /// Records nodes that have nothing to run (exposures in `build`) as dbt's no-ops.
    pub fn no_ops(&mut self, nodes: impl IntoIterator<Item = usize>) {
        for i in nodes {
            self.outcomes.insert(
                i,
                Outcome {
                    status: RunStatus::NoOp,
                    message: String::new(),
                    failures: None,
                    rows_affected: None,
                    executed: Vec::new(),
                    started_at: chrono::Utc::now(),
                    seconds: 0.0,
                    thread: 0,
                },
            );
        }
    }

    /// Prints dbt's closing summary; returns every node's outcome.
    pub fn finish(self, p: &Printer, elapsed: f64) -> HashMap<usize, Outcome> {
        let nodes = &self.parsed.graph.nodes;
        let mut kinds: Vec<(String, usize)> = Vec::new();
        for &i in self.outcomes.keys() {
            let n = &nodes[i];
            let kind = match n.resource_type {
                ResourceType::Model => format!("{} model", n.materialized()),
                ResourceType::Test => "data test".to_string(),
                ResourceType::UnitTest => "unit test".to_string(),
                other => other.as_str().to_string(),
            };
            match kinds.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, c)) => *c += 1,
                None => kinds.push((kind, 1)),
            }
        }
        kinds.sort();
        let what = kinds
            .iter()
            .map(|(k, c)| format!("{c} {k}{}", if *c == 1 { "" } else { "s" }))
            .collect::<Vec<_>>()
            .join(", ");
        let mins = (elapsed / 60.0).floor();
        p.event(
            "FinishedRunningStats",
            "info",
            &format!(
                "\nFinished running {what} in 0 hours {mins} minutes and {:.2} seconds ({elapsed:.2}s).",
                elapsed - mins * 60.0
            ),
            json!({"stat_line": what, "execution_time": elapsed}),
        );
        let count = |s: &[RunStatus]| {
            self.outcomes
                .values()
                .filter(|o| s.contains(&o.status))
                .count()
        };
        let pass = count(&[RunStatus::Success, RunStatus::Pass]);
        let warn = count(&[RunStatus::Warn]);
        let error = count(&[RunStatus::Error, RunStatus::Fail]);
        let skip = count(&[RunStatus::Skipped]);
        let noop = count(&[RunStatus::NoOp]);
        if error == 0 && warn == 0 {
            p.event(
                "EndOfRunSummary",
                "info",
                "\nCompleted successfully",
                json!({"num_errors": 0, "num_warnings": 0}),
            );
        } else {
            p.event(
                "EndOfRunSummary",
                if error > 0 { "error" } else { "warn" },
                &format!(
                    "\nCompleted with {error} error{}, 0 partial successes, and {warn} warning{}:",
                    if error == 1 { "" } else { "s" },
                    if warn == 1 { "" } else { "s" }
                ),
                json!({"num_errors": error, "num_warnings": warn}),
            );
            let mut bad: Vec<(&usize, &Outcome)> = self
                .outcomes
                .iter()
                .filter(|(_, o)| {
                    matches!(
                        o.status,
                        RunStatus::Error | RunStatus::Fail | RunStatus::Warn
                    )
                })
                .collect();
            bad.sort_by_key(|(_, o)| o.started_at);
            for (&i, o) in bad {
                p.event("RunResultError", if o.status == RunStatus::Warn { "warn" } else { "error" }, &self.failure_text(&nodes[i], o), json!({"msg": o.message, "node_info": self.node_info(i, o.status.as_str(), Some(o))}));
            }
        }
        let total = self.outcomes.len();
        p.event(
            "StatsLine",
            "info",
            &format!("\nDone. PASS={pass} WARN={warn} ERROR={error} SKIP={skip} NO-OP={noop} TOTAL={total}"),
            json!({"stats": {"pass": pass, "warn": warn, "error": error, "skip": skip, "noop": noop, "total": total}}),
        );
        self.outcomes
    }

    /// dbt's failure paragraph: what failed, the reason, where its SQL is.
    fn failure_text(&self, n: &Node, o: &Outcome) -> String {
        let what = n.resource_type.as_str();
        let head = match o.status {
            RunStatus::Fail => format!("\nFailure in {what} {} ({})", n.name, n.origin.file),
            RunStatus::Warn => format!("\nWarning in {what} {} ({})", n.name, n.origin.file),
            _ => format!("\nDatabase Error in {what} {} ({})", n.name, n.origin.file),
        };
        let sql_at = crate::artifacts::compiled_path(self.target_path, n);
        // Unit tests are compiled while they run: their SQL is under target/run.
        let sql_at = if (o.status == RunStatus::Error && n.resource_type != ResourceType::Test)
            || n.resource_type == ResourceType::UnitTest
        {
            sql_at.replacen("/compiled/", "/run/", 1)
        } else {
            sql_at
        };
        // An error raised as dbt's compiler error already starts with its own header
        // (`Compilation Error in model NAME (FILE)`), which dbt prints as it is.
        let compile_head = format!("Compilation Error in {what} {} (", n.name);
        if o.status == RunStatus::Error && o.message.starts_with(&compile_head) {
            return format!("\n{}\n\n  compiled code at {sql_at}", o.message);
        }
        let body = o
            .message
            .lines()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n");
        format!("{head}\n{body}\n\n  compiled code at {sql_at}")
    }
}

/// NodeFinished's data. dagster-dbt in dbt Fusion mode takes every NodeFinished with a
/// node_info as a result and looks its node up in manifest["nodes"], where unit tests are
/// not (they are under "unit_tests"): a unit test's event carries no node_info, so it is
/// passed over, as dagster-dbt's dbt-core mode passes over unit tests.
fn node_finished(n: &Node, info: Json, run_result: Json) -> Json {
    if n.resource_type == ResourceType::UnitTest {
        json!({"unique_id": n.unique_id, "run_result": run_result})
    } else {
        json!({"node_info": info, "run_result": run_result})
    }
}
