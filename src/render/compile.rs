//! The compile pass: linked nodes + selection -> final SQL per node, ephemeral models inlined
//! as `__dbt__cte__` CTEs, every statement checked with sqlparser.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use super::context::{RefTarget, Resolver, with_node};
use super::passes::PassInput;
use super::relation::Relation;
use crate::diagnostics::Diagnostic;
use crate::graph::Graph;
use crate::node::{Node, ResourceType};

/// Builds the compile-time resolver from the final (named) nodes.
pub fn resolver(
    nodes: &[Node],
    root: &str,
    dialect: crate::dialect::Dialect,
    quoting: crate::dialect::QuotePolicy,
) -> Resolver {
    let mut r = Resolver {
        root_package: root.to_string(),
        ..Resolver::default()
    };
    for n in nodes {
        match n.resource_type {
            ResourceType::Model | ResourceType::Seed | ResourceType::Snapshot => {
                let ephemeral = n.is_ephemeral();
                let mut relation = if ephemeral {
                    Relation::ephemeral(dialect, &n.name)
                } else {
                    Relation::new(dialect, &n.database, &n.schema, &n.alias)
                };
                relation.quote = quoting;
                if !ephemeral {
                    relation.kind = if n.materialized() == "view" {
                        "view"
                    } else {
                        "table"
                    };
                }
                r.refs.insert(
                    (n.package_name.clone(), n.name.clone()),
                    RefTarget {
                        unique_id: n.unique_id.clone(),
                        relation,
                        ephemeral,
                    },
                );
            }
            ResourceType::Source => {
                if let Some(s) = &n.source {
                    let mut relation =
                        Relation::new(dialect, &n.database, &n.schema, &s.identifier);
                    relation.quote = quoting.with(&s.quoting);
                    r.sources.insert(
                        (s.source_name.clone(), n.name.clone()),
                        (n.unique_id.clone(), relation),
                    );
                }
            }
            _ => {}
        }
    }
    r
}

/// A node's own rendered SQL and the ephemerals it refers to.
struct Own {
    sql: String,
    ephemerals: Vec<String>,
}

/// Compiles `selected` nodes (plus every ephemeral they need) and stores `compiled_code`.
/// Returns all diagnostics: Jinja errors, SQL syntax errors, SQL-check warnings.
pub fn compile_pass(
    input: &PassInput,
    graph: &mut Graph,
    selected: &[usize],
    check_sql: bool,
) -> Vec<Diagnostic> {
    let ephemerals: Vec<usize> = (0..graph.len())
        .filter(|&i| graph.nodes[i].is_ephemeral())
        .collect();
    let mut wanted: Vec<usize> = selected
        .iter()
        .copied()
        .filter(|&i| graph.nodes[i].resource_type.is_sql() && !graph.nodes[i].is_ephemeral())
        .collect();
    wanted.extend(ephemerals.iter().copied());
    let results: Vec<(usize, Result<Own, Diagnostic>, Option<Diagnostic>)> = wanted
        .par_iter()
        .map(|&i| {
            let n = &graph.nodes[i];
            match input.render(n, true) {
                Ok(r) => {
                    let check = if check_sql {
                        sql_check(input, n, &r.sql)
                    } else {
                        None
                    };
                    (
                        i,
                        Ok(Own {
                            sql: r.sql,
                            ephemerals: r.calls.ephemerals,
                        }),
                        check,
                    )
                }
                Err(d) => (i, Err(d), None),
            }
        })
        .collect();
    let mut diags = Vec::new();
    let mut own: HashMap<usize, Own> = HashMap::new();
    for (i, r, check) in results {
        match r {
            Ok(o) => {
                own.insert(i, o);
            }
            Err(d) => diags.push(d),
        }
        diags.extend(check);
    }
    let eph_by_id: HashMap<&str, usize> = ephemerals
        .iter()
        .map(|&i| (graph.nodes[i].unique_id.as_str(), i))
        .collect();
    let mut compiled: Vec<(usize, String)> = Vec::with_capacity(own.len());
    for (&i, o) in &own {
        let mut order = Vec::new();
        let mut seen = HashSet::new();
        for e in &o.ephemerals {
            flatten(e, &own, &eph_by_id, &mut seen, &mut order);
        }
        let ctes: Vec<(String, &str)> = order
            .iter()
            .filter_map(|&e| {
                own.get(&e)
                    .map(|x| (graph.nodes[e].name.clone(), x.sql.as_str()))
            })
            .collect();
        compiled.push((i, inject_ctes(&o.sql, &ctes)));
    }
    for (i, sql) in compiled {
        graph.nodes[i].compiled_code = Some(sql);
    }
    diags
}

/// Depth-first: an ephemeral's own ephemerals come before it.
fn flatten(
    id: &str,
    own: &HashMap<usize, Own>,
    by_id: &HashMap<&str, usize>,
    seen: &mut HashSet<usize>,
    order: &mut Vec<usize>,
) {
    let Some(&i) = by_id.get(id) else { return };
    if !seen.insert(i) {
        return;
    }
    if let Some(o) = own.get(&i) {
        for e in &o.ephemerals {
            flatten(e, own, by_id, seen, order);
        }
    }
    order.push(i);
}

/// Inserts `__dbt__cte__<name> as (...)` CTEs the way dbt does: after the query's own
/// leading `with` (and its whitespace), followed by `, `; or in a new `with` before the
/// query's first token.
pub fn inject_ctes(sql: &str, ctes: &[(String, &str)]) -> String {
    if ctes.is_empty() {
        return sql.to_string();
    }
    let defs: Vec<String> = ctes
        .iter()
        .map(|(name, body)| format!(" __dbt__cte__{name} as (\n{body}\n)"))
        .collect();
    let defs = defs.join(", ");
    match leading_with(sql) {
        Some(after) => {
            let rest = &sql[after..];
            let ws = rest.len() - rest.trim_start().len();
            format!("{}{defs}, {}", &sql[..after + ws], &rest[ws..])
        }
        None => {
            let start = sql.len() - sql.trim_start().len();
            format!("{}with{defs} {}", &sql[..start], &sql[start..])
        }
    }
}

/// Skips whitespace and SQL comments at the start.
fn skip_trivia(mut s: &str) -> &str {
    loop {
        let t = s.trim_start();
        if let Some(rest) = t.strip_prefix("--") {
            s = rest.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(rest) = t.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, r)| r);
        } else {
            return t;
        }
    }
}

/// Byte offset just past a leading `with` (or `with recursive`), if the query has one.
fn leading_with(sql: &str) -> Option<usize> {
    let rest = skip_trivia(sql);
    let pos = sql.len() - rest.len();
    let word = |s: &str, w: &str| {
        s.get(..w.len()).is_some_and(|h| h.eq_ignore_ascii_case(w))
            && s[w.len()..].chars().next().is_some_and(char::is_whitespace)
    };
    if !word(rest, "with") {
        return None;
    }
    let after = &rest[4..];
    let trimmed = after.trim_start();
    if word(trimmed, "recursive") {
        return Some(pos + 4 + (after.len() - trimmed.len()) + "recursive".len());
    }
    Some(pos + 4)
}

/// Checks one node's own SQL; on failure renders again with spans to find the user's line.
fn sql_check(input: &PassInput, n: &Node, sql: &str) -> Option<Diagnostic> {
    let dialect = input.renv.dialect;
    if matches!(
        crate::sql::check_outcome(sql, dialect),
        crate::sql::CheckOutcome::Ok
    ) {
        return None;
    }
    let compiled = compiled_display_path(input, n);
    let spans = if n.test_metadata.is_none() {
        render_spans(input, n)
    } else {
        None
    };
    let d = crate::sql::diagnose(sql, spans.as_deref(), dialect, &n.origin.file, &compiled, 0)?;
    Some(point_at_template_line(d, input, n, &compiled))
}

/// An error in text produced by Jinja (a macro call, an expression) is reported at the
/// user's line that produced it, naming the macro, with the rendered position as a note.
fn point_at_template_line(
    mut d: Diagnostic,
    input: &PassInput,
    n: &Node,
    compiled: &str,
) -> Diagnostic {
    let prefix = "the text comes from line ";
    let Some(pos) = d.notes.iter().position(|note| note.starts_with(prefix)) else {
        return d;
    };
    let line: u32 = d.notes[pos][prefix.len()..]
        .split_whitespace()
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or(0);
    let Some(text) = n
        .raw_code
        .lines()
        .nth(line.saturating_sub(1) as usize)
        .filter(|_| line > 0)
    else {
        return d;
    };
    let column = text
        .find("{{")
        .map_or(0, |c| text[..c].chars().count() as u32 + 1);
    let rendered_at = d
        .location
        .take()
        .map(|l| l.to_string())
        .unwrap_or_else(|| compiled.to_string());
    d.notes.clear();
    d.location = Some(crate::diagnostics::Location::new(
        n.origin.file.clone(),
        line,
        column,
    ));
    d.notes
        .push(format!("in the rendered SQL at {rendered_at}"));
    let re = crate::static_regex!(r"([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\s*\(");
    for cap in re.captures_iter(text) {
        let def = match cap.get(2) {
            Some(name) => input.renv.index.get(&cap[1], name.as_str()),
            None => input.renv.index.find(&cap[1], &n.package_name),
        };
        if let Some(def) = def {
            d.notes.push(format!(
                "the text is produced by macro `{}` ({}:{})",
                def.name, def.file, def.line
            ));
        }
    }
    d
}

fn compiled_display_path(input: &PassInput, n: &Node) -> String {
    let target = &input.project.root_package().config.target_path;
    crate::artifacts::compiled_path(target, n)
}

fn render_spans(input: &PassInput, n: &Node) -> Option<Vec<minijinja::OutputSpan>> {
    let source = super::prepare::node_template(&n.raw_code);
    let ctx = input.ctx_for(n, true);
    let globals = ctx.globals.clone();
    let (result, _) = with_node(ctx, || {
        let tmpl = input
            .renv
            .env
            .template_from_named_str(n.origin.file.as_str(), &source)?;
        tmpl.render_with_spans(globals)
    });
    result.ok().map(|(_, spans)| spans)
}

/// Shared resolver handle for a pass.
pub fn shared(r: Resolver) -> Option<Arc<Resolver>> {
    Some(Arc::new(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctes_go_after_an_existing_with_or_in_a_new_one() {
        let ctes = vec![("e".to_string(), "select 1 as a")];
        // The cases below are the ones dbt-core 1.12.6 produces (see bench notes).
        let two = vec![("a".to_string(), "select 1"), ("b".to_string(), "select 2")];
        assert_eq!(
            inject_ctes("-- depends_on: x\nselect * from t", &two),
            "with __dbt__cte__a as (\nselect 1\n),  __dbt__cte__b as (\nselect 2\n) -- depends_on: x\nselect * from t"
        );
        assert_eq!(
            inject_ctes("\n\n-- c\nwith u as (select 1) select * from u", &two),
            "\n\n-- c\nwith  __dbt__cte__a as (\nselect 1\n),  __dbt__cte__b as (\nselect 2\n), u as (select 1) select * from u"
        );
        assert_eq!(
            inject_ctes("with recursive r as (select 1) select * from r", &two),
            "with recursive  __dbt__cte__a as (\nselect 1\n),  __dbt__cte__b as (\nselect 2\n), r as (select 1) select * from r"
        );
        assert_eq!(
            inject_ctes("WITH\n\tq as (select 1) select * from q", &two),
            "WITH\n\t __dbt__cte__a as (\nselect 1\n),  __dbt__cte__b as (\nselect 2\n), q as (select 1) select * from q"
        );
        assert_eq!(
            inject_ctes("select * from __dbt__cte__e", &ctes),
            "with __dbt__cte__e as (\nselect 1 as a\n) select * from __dbt__cte__e"
        );
    }
}
