//! The cost budget: compiled nodes + a warehouse that can dry-run -> bytes each node would
//! read, printed per node and in total, and a refusal before anything runs when the total
//! is over `--max-bytes` (or the profile's `max_bytes`).
//!
//! What is estimated: the query a node runs for its data (tables, incremental models,
//! snapshots, tests). Views and ephemerals read nothing when they are built, and seeds
//! load local files: they count 0. A node that reads a relation this build has yet to
//! create cannot be dry-run; it is listed as unknown and counts 0, which the output says.
//! Sizes use BigQuery's billing units: 1 KB = 1024 bytes, 1 GB = 2^30, 1 TB = 2^40.

use rayon::prelude::*;

use super::output::Printer;
use crate::adapter::Adapter;
use crate::diagnostics::Diagnostic;
use crate::node::{Node, ResourceType};

/// One node's estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Estimate {
    Bytes(u64),
    /// Nothing to read (views, ephemerals, seeds, unit tests).
    Nothing,
    /// The dry run failed; BigQuery's reason.
    Unknown(String),
}

/// Estimates for every node, in order; None when the warehouse gives no estimates.
pub fn estimate(
    adapter: &dyn Adapter,
    nodes: &[&Node],
    threads: usize,
) -> Option<Vec<(String, Estimate)>> {
    // Only BigQuery dry-runs; DuckDB reads local files and bills nothing.
    if adapter.dialect() != crate::dialect::Dialect::BigQuery {
        return None;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .ok()?;
    let estimates = pool.install(|| {
        nodes
            .par_iter()
            .map(|node| (node.unique_id.clone(), estimate_node(adapter, node)))
            .collect()
    });
    Some(estimates)
}

fn estimate_node(adapter: &dyn Adapter, node: &Node) -> Estimate {
    let reads = match node.resource_type {
        ResourceType::Model => !matches!(node.materialized(), "view" | "ephemeral"),
        ResourceType::Snapshot | ResourceType::Test => true,
        _ => false,
    };
    let Some(sql) = node.compiled_code.as_deref().filter(|_| reads) else {
        return Estimate::Nothing;
    };
    match adapter.estimate_bytes(sql) {
        Ok(Some(bytes)) => Estimate::Bytes(bytes),
        Ok(None) => Estimate::Nothing,
        Err(e) => Estimate::Unknown(e.to_string()),
    }
}

/// The total of the known estimates.
pub fn total(estimates: &[(String, Estimate)]) -> u64 {
    estimates
        .iter()
        .map(|(_, e)| match e {
            Estimate::Bytes(b) => *b,
            _ => 0,
        })
        .sum()
}

/// `10GB`, `500 MiB`, `1TB`, `12345` -> bytes (binary units, as BigQuery bills).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size such as 10GB or 500MB"))?;
    let power = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 1,
        "M" | "MB" | "MIB" => 2,
        "G" | "GB" | "GIB" => 3,
        "T" | "TB" | "TIB" => 4,
        "P" | "PB" | "PIB" => 5,
        other => return Err(format!("unknown size unit `{other}` in `{text}`")),
    };
    Ok((value * 1024f64.powi(power)).round() as u64)
}

/// Bytes for people: `1.5 GiB`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The budget in force: `--max-bytes`, else the profile output's `max_bytes`.
pub fn budget(
    flag: Option<&str>,
    target: &crate::project::profiles::Target,
) -> Result<Option<u64>, Diagnostic> {
    let (text, from) = match (flag, target.fields.get("max_bytes")) {
        (Some(f), _) => (f.to_string(), "--max-bytes".to_string()),
        (None, Some(v)) => (
            v.as_str().map_or_else(|| v.to_string(), str::to_string),
            format!("max_bytes of target `{}`", target.name),
        ),
        (None, None) => return Ok(None),
    };
    parse_bytes(&text)
        .map(Some)
        .map_err(|e| Diagnostic::error(format!("{from}: {e}")))
}

/// Prints each node's estimate and the total; with a budget, refuses (Err) when the total
/// is over it. A warehouse without estimates gets a warning when a budget was asked for.
pub fn report(
    p: &Printer,
    adapter: &dyn Adapter,
    nodes: &[&Node],
    threads: usize,
    budget: Option<u64>,
) -> Result<(), Diagnostic> {
    let Some(estimates) = estimate(adapter, nodes, threads) else {
        if budget.is_some() {
            p.diagnostic(&Diagnostic::warning(
                "a byte budget applies to BigQuery targets; this warehouse gives no estimates",
            ));
        }
        return Ok(());
    };
    let mut unknown = 0;
    for (id, e) in &estimates {
        let shown = match e {
            Estimate::Bytes(b) => human(*b),
            Estimate::Nothing => continue,
            Estimate::Unknown(why) => {
                unknown += 1;
                format!("unknown ({})", first_line(why))
            }
        };
        p.info(
            "EstimatedBytes",
            &format!("Estimated bytes for {id}: {shown}"),
        );
    }
    let sum = total(&estimates);
    let mut line = format!("Estimated bytes in total: {} ({sum} bytes)", human(sum));
    if unknown > 0 {
        line.push_str(&format!(
            "; {unknown} node(s) could not be estimated (they read relations not built yet) and count 0"
        ));
    }
    if let Some(limit) = budget {
        line.push_str(&format!("; budget {}", human(limit)));
    }
    p.info("EstimatedBytesTotal", &line);
    match budget {
        Some(limit) if sum > limit => Err(Diagnostic::error(format!(
            "the estimated {} ({sum} bytes) is over the budget of {} ({limit} bytes); nothing was run",
            human(sum),
            human(limit)
        ))),
        _ => Ok(()),
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_binary_units() {
        assert_eq!(parse_bytes("10GB"), Ok(10 << 30));
        assert_eq!(parse_bytes("1.5 TiB"), Ok(3 << 39));
        assert_eq!(parse_bytes("512"), Ok(512));
        assert_eq!(parse_bytes("2mb"), Ok(2 << 20));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("3 parsecs").is_err());
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(10 << 30), "10.0 GiB");
        assert_eq!(human(12), "12 B");
    }

    #[test]
    fn unknown_and_empty_estimates_count_nothing() {
        let e = vec![
            ("a".to_string(), Estimate::Bytes(100)),
            ("b".to_string(), Estimate::Nothing),
            ("c".to_string(), Estimate::Unknown("Not found".into())),
            ("d".to_string(), Estimate::Bytes(23)),
        ];
        assert_eq!(total(&e), 123);
    }
}
