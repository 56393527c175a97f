//! Column-level lineage: a model's compiled SQL + the known columns of the relations it
//! reads -> for each output column, the upstream `relation.column`s it derives from.
//!
//! Traced through aliases, expressions, aggregates, window functions (their arguments,
//! PARTITION BY and ORDER BY count), joins, CTEs, subqueries in FROM, scalar subqueries,
//! UNION/INTERSECT/EXCEPT (by position) and `*` / `t.*` (with EXCLUDE/EXCEPT), expanded
//! from the columns the catalog knows. What cannot be traced (a `*` over a relation of
//! unknown columns, a name no input has, a table function) is reported as such on the
//! column, never guessed.

use std::collections::{BTreeSet, HashMap};
use std::ops::ControlFlow;

use sqlparser::ast::{
    Expr, Ident, ObjectName, ObjectNamePart, Query, Select, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, Statement, TableFactor, Visit, Visitor,
    WildcardAdditionalOptions,
};
use sqlparser::parser::Parser;

use crate::dialect::Dialect;

/// One upstream column: the relation as the SQL names it (parts unquoted, joined by `.`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ColumnRef {
    pub relation: String,
    pub column: String,
}

/// One output column of a query and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct OutputColumn {
    pub name: String,
    pub sources: BTreeSet<ColumnRef>,
    /// Why some of its inputs could not be traced (empty when fully traced).
    pub untraced: BTreeSet<String>,
}

/// The columns of relations the SQL reads, by the relation's name as written.
pub trait Catalog {
    fn columns(&self, relation: &str) -> Option<Vec<String>>;
}

impl Catalog for HashMap<String, Vec<String>> {
    fn columns(&self, relation: &str) -> Option<Vec<String>> {
        self.get(relation).cloned()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineageError {
    #[error("the SQL does not parse: {0}")]
    Parse(String),
    #[error("lineage is traced for one SELECT statement, found {0}")]
    NotAQuery(String),
}

/// Lineage of every output column of `sql`, a single query.
pub fn lineage(
    sql: &str,
    dialect: Dialect,
    catalog: &dyn Catalog,
) -> Result<Vec<OutputColumn>, LineageError> {
    let parser = dialect.parser();
    let statements =
        Parser::parse_sql(parser.as_ref(), sql).map_err(|e| LineageError::Parse(e.to_string()))?;
    match statements.as_slice() {
        [Statement::Query(q)] => Ok(Tracer { catalog }.query(q, &Scope::default())),
        [] => Err(LineageError::NotAQuery("no statement".into())),
        [other] => Err(LineageError::NotAQuery(first_word(&other.to_string()))),
        many => Err(LineageError::NotAQuery(format!(
            "{} statements",
            many.len()
        ))),
    }
}

fn first_word(text: &str) -> String {
    text.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// CTEs visible at a point of the query: this query's, then its parents'.
#[derive(Default)]
struct Scope<'p> {
    ctes: HashMap<String, Vec<OutputColumn>>,
    parent: Option<&'p Scope<'p>>,
}

impl Scope<'_> {
    fn cte(&self, name: &str) -> Option<&Vec<OutputColumn>> {
        self.ctes
            .get(name)
            .or_else(|| self.parent.and_then(|p| p.cte(name)))
    }
}

/// One FROM item: what its name or alias stands for.
struct Input {
    alias: String,
    source: Source,
}

enum Source {
    Base {
        relation: String,
        columns: Option<Vec<String>>,
    },
    Derived(Vec<OutputColumn>),
    Opaque(String),
}

impl Input {
    fn has(&self, column: &str) -> Option<bool> {
        match &self.source {
            Source::Base {
                columns: Some(c), ..
            } => Some(c.iter().any(|n| same(n, column))),
            Source::Derived(cols) => Some(cols.iter().any(|c| same(&c.name, column))),
            _ => None,
        }
    }

    /// The lineage of `column` read from this input.
    fn column(&self, column: &str) -> OutputColumn {
        let mut out = OutputColumn {
            name: column.to_string(),
            ..Default::default()
        };
        match &self.source {
            Source::Base { relation, .. } => {
                out.sources.insert(ColumnRef {
                    relation: relation.clone(),
                    column: column.to_string(),
                });
            }
            Source::Derived(cols) => match cols.iter().find(|c| same(&c.name, column)) {
                Some(c) => {
                    out.sources = c.sources.clone();
                    out.untraced = c.untraced.clone();
                }
                None => {
                    out.untraced
                        .insert(format!("`{column}` is not a column of `{}`", self.alias));
                }
            },
            Source::Opaque(why) => {
                out.untraced.insert(why.clone());
            }
        }
        out
    }

    /// Every column, for `*`; `None` when they are not known.
    fn all(&self) -> Result<Vec<OutputColumn>, String> {
        match &self.source {
            Source::Base {
                columns: Some(c), ..
            } => Ok(c.iter().map(|n| self.column(n)).collect()),
            Source::Base { relation, .. } => Err(format!(
                "`*` over `{relation}`, whose columns are not known"
            )),
            Source::Derived(cols) => Ok(cols.clone()),
            Source::Opaque(why) => Err(why.clone()),
        }
    }
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn name_of(name: &ObjectName) -> String {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => i.value.clone(),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

struct Tracer<'a> {
    catalog: &'a dyn Catalog,
}

impl Tracer<'_> {
    fn query(&self, q: &Query, outer: &Scope) -> Vec<OutputColumn> {
        let mut scope = Scope {
            ctes: HashMap::new(),
            parent: Some(outer),
        };
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let mut cols = self.query(&cte.query, &scope);
                rename(&mut cols, &cte.alias.columns);
                scope
                    .ctes
                    .insert(cte.alias.name.value.to_ascii_lowercase(), cols);
            }
        }
        self.set_expr(&q.body, &scope)
    }

    fn set_expr(&self, body: &SetExpr, scope: &Scope) -> Vec<OutputColumn> {
        match body {
            SetExpr::Select(s) => self.select(s, scope),
            SetExpr::Query(q) => self.query(q, scope),
            SetExpr::SetOperation { left, right, .. } => {
                let mut cols = self.set_expr(left, scope);
                let right = self.set_expr(right, scope);
                for (l, r) in cols.iter_mut().zip(right) {
                    l.sources.extend(r.sources);
                    l.untraced.extend(r.untraced);
                }
                cols
            }
            SetExpr::Values(v) => {
                let width = v.rows.first().map_or(0, |r| r.len());
                (1..=width)
                    .map(|i| OutputColumn {
                        name: format!("col{i}"),
                        ..Default::default()
                    })
                    .collect()
            }
            other => vec![OutputColumn {
                name: "?".into(),
                untraced: BTreeSet::from([format!(
                    "unsupported query form: {}",
                    first_word(&other.to_string())
                )]),
                ..Default::default()
            }],
        }
    }

    fn select(&self, s: &Select, scope: &Scope) -> Vec<OutputColumn> {
        let mut inputs = Vec::new();
        for from in &s.from {
            inputs.push(self.input(&from.relation, scope));
            for join in &from.joins {
                inputs.push(self.input(&join.relation, scope));
            }
        }
        let mut out = Vec::new();
        for item in &s.projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    let mut col = self.expr(e, &inputs, scope);
                    col.name = expr_name(e);
                    out.push(col);
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let mut col = self.expr(expr, &inputs, scope);
                    col.name = alias.value.clone();
                    out.push(col);
                }
                SelectItem::ExprWithAliases { expr, aliases } => {
                    let col = self.expr(expr, &inputs, scope);
                    out.extend(aliases.iter().map(|a| OutputColumn {
                        name: a.value.clone(),
                        ..col.clone()
                    }));
                }
                SelectItem::Wildcard(opts) => {
                    for input in &inputs {
                        out.extend(star(input, opts));
                    }
                }
                SelectItem::QualifiedWildcard(kind, opts) => match kind {
                    SelectItemQualifiedWildcardKind::ObjectName(name) => {
                        let wanted = name_of(name);
                        match inputs.iter().find(|i| same(&i.alias, &wanted)) {
                            Some(input) => out.extend(star(input, opts)),
                            None => out.push(untraced_star(format!(
                                "`{wanted}.*` names no input of the query"
                            ))),
                        }
                    }
                    SelectItemQualifiedWildcardKind::Expr(e) => {
                        out.push(untraced_star(format!("`{e}.*` is not traced")));
                    }
                },
            }
        }
        out
    }

    fn input(&self, factor: &TableFactor, scope: &Scope) -> Input {
        match factor {
            TableFactor::Table { name, alias, .. } => {
                let relation = name_of(name);
                let last = name
                    .0
                    .last()
                    .map(|p| match p {
                        ObjectNamePart::Identifier(i) => i.value.clone(),
                        other => other.to_string(),
                    })
                    .unwrap_or_default();
                let cte = (name.0.len() == 1)
                    .then(|| scope.cte(&relation.to_ascii_lowercase()))
                    .flatten();
                let source = match cte {
                    Some(cols) => Source::Derived(cols.clone()),
                    None => Source::Base {
                        columns: self.catalog.columns(&relation),
                        relation,
                    },
                };
                let mut input = Input {
                    alias: alias.as_ref().map_or(last, |a| a.name.value.clone()),
                    source,
                };
                if let Some(a) = alias
                    && !a.columns.is_empty()
                    && let Ok(mut cols) = input.all()
                {
                    rename(&mut cols, &a.columns);
                    input.source = Source::Derived(cols);
                }
                input
            }
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                let mut cols = self.query(subquery, scope);
                if let Some(a) = alias {
                    rename(&mut cols, &a.columns);
                }
                Input {
                    alias: alias
                        .as_ref()
                        .map_or(String::new(), |a| a.name.value.clone()),
                    source: Source::Derived(cols),
                }
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias,
            } => {
                // A parenthesised join reads as one input only through its alias;
                // without one its relations are the query's own.
                let inner = self.input(&table_with_joins.relation, scope);
                Input {
                    alias: alias
                        .as_ref()
                        .map_or(inner.alias.clone(), |a| a.name.value.clone()),
                    source: inner.source,
                }
            }
            other => {
                let alias = match other {
                    TableFactor::UNNEST { alias, .. }
                    | TableFactor::TableFunction { alias, .. }
                    | TableFactor::Function { alias, .. } => alias.as_ref(),
                    _ => None,
                };
                Input {
                    alias: alias.map_or(String::new(), |a| a.name.value.clone()),
                    source: Source::Opaque(format!(
                        "`{}` is not traced",
                        first_word(&other.to_string())
                    )),
                }
            }
        }
    }

    /// The sources of every column an expression reads.
    fn expr(&self, e: &Expr, inputs: &[Input], scope: &Scope) -> OutputColumn {
        let mut refs = Refs::default();
        let _ = e.visit(&mut refs);
        let mut out = OutputColumn::default();
        for parts in refs.columns {
            let col = resolve(&parts, inputs);
            out.sources.extend(col.sources);
            out.untraced.extend(col.untraced);
        }
        for q in refs.subqueries {
            for col in self.query(&q, scope) {
                out.sources.extend(col.sources);
                out.untraced.extend(col.untraced);
            }
        }
        out
    }
}

/// `name` of an unaliased expression: the column for a column reference, else the text.
fn expr_name(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => i.value.clone(),
        Expr::CompoundIdentifier(parts) => parts.last().map_or(String::new(), |i| i.value.clone()),
        other => other.to_string(),
    }
}

fn rename(cols: &mut [OutputColumn], names: &[sqlparser::ast::TableAliasColumnDef]) {
    for (col, def) in cols.iter_mut().zip(names) {
        col.name = def.name.value.clone();
    }
}

fn untraced_star(why: String) -> OutputColumn {
    OutputColumn {
        name: "*".into(),
        untraced: BTreeSet::from([why]),
        ..Default::default()
    }
}

/// `*` of one input, less its EXCLUDE / EXCEPT columns.
fn star(input: &Input, opts: &WildcardAdditionalOptions) -> Vec<OutputColumn> {
    let mut left_out: Vec<String> = Vec::new();
    if let Some(ex) = &opts.opt_exclude {
        use sqlparser::ast::ExcludeSelectItem::{Multiple, Single};
        match ex {
            Single(n) => left_out.push(name_of(n)),
            Multiple(ns) => left_out.extend(ns.iter().map(name_of)),
        }
    }
    if let Some(ex) = &opts.opt_except {
        left_out.push(ex.first_element.value.clone());
        left_out.extend(ex.additional_elements.iter().map(|i| i.value.clone()));
    }
    match input.all() {
        Ok(cols) => cols
            .into_iter()
            .filter(|c| !left_out.iter().any(|x| same(x, &c.name)))
            .collect(),
        Err(why) => vec![untraced_star(why)],
    }
}

/// A column reference (`c`, `t.c`, `t.c.field`, `c.field`) against the query's inputs.
fn resolve(parts: &[Ident], inputs: &[Input]) -> OutputColumn {
    let text: Vec<&str> = parts.iter().map(|i| i.value.as_str()).collect();
    // `t.c...`: the first part names an input (struct fields after the column count as it).
    if text.len() >= 2
        && let Some(input) = inputs.iter().find(|i| same(&i.alias, text[0]))
    {
        return input.column(text[1]);
    }
    let column = text[0];
    let known: Vec<&Input> = inputs
        .iter()
        .filter(|i| i.has(column) == Some(true))
        .collect();
    match known.as_slice() {
        [one] => one.column(column),
        [] => {
            let unknown: Vec<&Input> = inputs.iter().filter(|i| i.has(column).is_none()).collect();
            match unknown.as_slice() {
                [one] => one.column(column),
                _ => OutputColumn {
                    untraced: BTreeSet::from([format!(
                        "`{}` is not a column of any input",
                        text.join(".")
                    )]),
                    ..Default::default()
                },
            }
        }
        _ => OutputColumn {
            untraced: BTreeSet::from([format!("`{column}` is ambiguous between inputs")]),
            ..Default::default()
        },
    }
}

/// Column references of one expression, outside nested queries, and those queries.
#[derive(Default)]
struct Refs {
    depth: usize,
    columns: Vec<Vec<Ident>>,
    subqueries: Vec<Query>,
}

impl Visitor for Refs {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if self.depth == 0 {
            self.subqueries.push(q.clone());
        }
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if self.depth == 0 {
            match e {
                Expr::Identifier(i) => self.columns.push(vec![i.clone()]),
                Expr::CompoundIdentifier(parts) => self.columns.push(parts.clone()),
                _ => {}
            }
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests;
