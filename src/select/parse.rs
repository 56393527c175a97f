//! Selector strings (`2+tag:x+`, `@m`, `a,b c`) and `--select`/`--exclude` lists -> a `Spec` tree.

use super::selectors::{self, Selectors};
use super::{IndirectSelection, SelectError};
use crate::diagnostics::did_you_mean;
use crate::node::ResourceType;

/// Methods xform implements, in dbt's documentation order (`selector` refers to selectors.yml).
pub(crate) const METHODS: &[&str] = &[
    "fqn",
    "tag",
    "source",
    "resource_type",
    "path",
    "file",
    "package",
    "config",
    "test_type",
    "test_name",
    "exposure",
    "group",
    "access",
    "unit_test",
    "selector",
];

/// dbt methods that need state, run results or resources xform does not model.
const UNSUPPORTED: &[&str] = &[
    "state",
    "result",
    "source_status",
    "metric",
    "semantic_model",
    "saved_query",
    "version",
    "wildcard",
];

/// dbt node types that xform never produces; `resource_type:` accepts them and matches nothing.
const FOREIGN_TYPES: &[&str] = &[
    "macro",
    "operation",
    "rpc",
    "sql_operation",
    "doc",
    "metric",
    "group",
    "semantic_model",
    "saved_query",
    "function",
];

/// How one atom finds its starting nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Method {
    Fqn,
    Tag,
    Group,
    Access,
    Source,
    Path,
    File,
    Package,
    /// `config.a.b:value`: the key path after `config`.
    Config(Vec<String>),
    TestName,
    TestType,
    ResourceType,
    Exposure,
    UnitTest,
}

/// Graph operators around one atom (`N+`, `+N`, `@`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Hops {
    pub parents: bool,
    /// `None` = all ancestors.
    pub parents_depth: Option<usize>,
    pub children: bool,
    pub children_depth: Option<usize>,
    /// `@`: the node, its descendants, and every ancestor of those.
    pub childrens_parents: bool,
}

impl Hops {
    fn any(&self) -> bool {
        self.parents || self.children || self.childrens_parents
    }
}

/// One selection criterion, e.g. `+tag:nightly`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Atom {
    pub raw: String,
    pub method: Method,
    pub value: String,
    pub hops: Hops,
    pub indirect: IndirectSelection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetOp {
    Union,
    Intersection,
    /// The first part minus all the others.
    Difference,
}

/// A parsed selection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Spec {
    /// Every (enabled) node: dbt's default `fqn:* source:* exposure:* ...`.
    All,
    Atom(Atom),
    Set {
        op: SetOp,
        parts: Vec<Spec>,
        /// Mode used when recombining tests held back by cautious/buildable atoms.
        indirect: IndirectSelection,
        /// Raw text to report in `Selection::unmatched` when this set selects nothing.
        report: Option<String>,
    },
}

/// Parsing state: the selectors file (for `selector:`), the indirect mode, and the chain of
/// selectors being expanded (to catch loops).
pub(crate) struct Ctx<'a> {
    selectors: Option<&'a Selectors>,
    pub indirect: IndirectSelection,
    stack: Vec<String>,
}

impl<'a> Ctx<'a> {
    pub fn new(selectors: Option<&'a Selectors>, indirect: IndirectSelection) -> Ctx<'a> {
        Ctx {
            selectors,
            indirect,
            stack: Vec::new(),
        }
    }

    /// The selector currently being expanded, for error messages.
    pub fn current(&self) -> &str {
        self.stack.last().map(String::as_str).unwrap_or("")
    }

    /// The spec of a selector named in selectors.yml.
    pub fn selector(&mut self, name: &str) -> Result<Spec, SelectError> {
        let Some(sels) = self.selectors else {
            return Err(SelectError::NoSelectorsFile { name: name.into() });
        };
        if let Some(pos) = self.stack.iter().position(|s| s == name) {
            let mut chain = self.stack[pos..].to_vec();
            chain.push(name.into());
            return Err(SelectError::SelectorCycle(chain.join(" -> ")));
        }
        let Some(definition) = sels.definition(name) else {
            let hint = did_you_mean(name, sels.names()).unwrap_or_else(|| {
                format!("defined: {}", sels.names().collect::<Vec<_>>().join(", "))
            });
            return Err(SelectError::UnknownSelector {
                name: name.into(),
                hint,
            });
        };
        self.stack.push(name.into());
        let result = selectors::from_definition(definition, self, true);
        self.stack.pop();
        result.map_err(|e| match e {
            SelectError::InvalidDefinition { .. }
            | SelectError::InSelector { .. }
            | SelectError::SelectorCycle(_) => e,
            other => SelectError::InSelector {
                selector: name.into(),
                source: Box::new(other),
            },
        })
    }
}

/// `--select` minus `--exclude`, as dbt's `parse_difference`. Exclusions expand eagerly.
pub(crate) fn cli_difference(
    select: &[String],
    exclude: &[String],
    ctx: &mut Ctx,
) -> Result<Spec, SelectError> {
    let include = if select.is_empty() {
        Spec::All
    } else {
        cli_union(select, ctx, true)?
    };
    let mode = ctx.indirect;
    ctx.indirect = IndirectSelection::Eager;
    let excluded = cli_union(exclude, ctx, true);
    ctx.indirect = mode;
    Ok(Spec::Set {
        op: SetOp::Difference,
        parts: vec![include, excluded?],
        indirect: mode,
        report: None,
    })
}

/// `["a b", "c,d"]` -> union(a, b, intersection(c, d)).
pub(crate) fn cli_union(
    items: &[String],
    ctx: &mut Ctx,
    report: bool,
) -> Result<Spec, SelectError> {
    let mut parts = Vec::new();
    for raw in items.iter().flat_map(|s| s.split_whitespace()) {
        let atoms = raw
            .split(',')
            .map(|a| parse_atom(a, raw, ctx))
            .collect::<Result<Vec<_>, _>>()?;
        parts.push(Spec::Set {
            op: SetOp::Intersection,
            parts: atoms,
            indirect: ctx.indirect,
            report: report.then(|| raw.to_string()),
        });
    }
    Ok(Spec::Set {
        op: SetOp::Union,
        parts,
        indirect: ctx.indirect,
        report: None,
    })
}

/// Splits leading ASCII digits off `s`.
fn leading_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

fn depth(digits: &str, raw: &str) -> Result<Option<usize>, SelectError> {
    if digits.is_empty() {
        return Ok(None);
    }
    digits
        .parse()
        .map(Some)
        .map_err(|_| SelectError::GraphOperator {
            raw: raw.into(),
            reason: format!("depth `{digits}` is too large"),
        })
}

/// One atom of a CLI-style string: `[@][N+][method:]value[+N]`. `item` is the whole
/// comma-separated item, for messages.
pub(crate) fn parse_atom(atom: &str, item: &str, ctx: &mut Ctx) -> Result<Spec, SelectError> {
    let bad_op = |reason: &str| SelectError::GraphOperator {
        raw: atom.into(),
        reason: reason.into(),
    };
    if atom.is_empty() {
        return Err(SelectError::InvalidSelector {
            raw: item.into(),
            reason: "empty selector (stray `,`?)".into(),
        });
    }
    let mut hops = Hops::default();
    let mut rest = atom;
    let (digits, after) = leading_digits(rest);
    if let Some(after) = after.strip_prefix('@') {
        if !digits.is_empty() {
            return Err(bad_op("`@` takes no depth"));
        }
        hops.childrens_parents = true;
        rest = after;
    }
    let (digits, after) = leading_digits(rest);
    if let Some(after) = after.strip_prefix('+') {
        hops.parents = true;
        hops.parents_depth = depth(digits, atom)?;
        rest = after;
    }
    if let Some(pos) = rest.rfind('+') {
        let suffix = &rest[pos + 1..];
        if suffix.chars().all(|c| c.is_ascii_digit()) {
            hops.children = true;
            hops.children_depth = depth(suffix, atom)?;
            rest = &rest[..pos];
        }
    }
    let (method, value) = match rest.split_once(':') {
        Some((m, v))
            if !m.is_empty()
                && m.chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '.') =>
        {
            (Some(m), v)
        }
        _ => (None, rest),
    };
    if value.contains('+') || value.starts_with('@') || value.contains('@') && method.is_none() {
        return Err(bad_op(
            "write parents as `N+name` and children as `name+N`, each at most once",
        ));
    }
    if hops.childrens_parents && hops.children {
        return Err(bad_op(
            "the `@` prefix and the `+` suffix cannot be combined",
        ));
    }
    if value.is_empty() {
        return Err(SelectError::InvalidSelector {
            raw: atom.into(),
            reason: "nothing to select after the method and graph operators".into(),
        });
    }
    let method = match method {
        None => default_method(value),
        Some(m) => match resolve_method(m, atom)? {
            Some(method) => method,
            None => {
                if hops.any() {
                    return Err(bad_op("graph operators cannot be applied to `selector:`"));
                }
                return ctx.selector(value);
            }
        },
    };
    check_value(&method, value, atom)?;
    Ok(Spec::Atom(Atom {
        raw: atom.into(),
        method,
        value: value.into(),
        hops,
        indirect: ctx.indirect,
    }))
}

/// dbt's choice for a value without a method.
fn default_method(value: &str) -> Method {
    let lower = value.to_ascii_lowercase();
    if value.contains(['/', '\\']) {
        Method::Path
    } else if [".sql", ".py", ".csv"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        Method::File
    } else {
        Method::Fqn
    }
}

/// `config.materialized` -> `Some(Config(["materialized"]))`; `selector` -> `None`.
pub(crate) fn resolve_method(name: &str, raw: &str) -> Result<Option<Method>, SelectError> {
    let mut parts = name.split('.');
    let head = parts.next().unwrap_or_default();
    let args: Vec<String> = parts.map(str::to_string).collect();
    let method = match head {
        "fqn" => Method::Fqn,
        "tag" => Method::Tag,
        "group" => Method::Group,
        "access" => Method::Access,
        "source" => Method::Source,
        "path" => Method::Path,
        "file" => Method::File,
        "package" => Method::Package,
        "config" => {
            if args.is_empty() || args.iter().any(String::is_empty) {
                return Err(SelectError::InvalidSelector {
                    raw: raw.into(),
                    reason: "`config` needs a key, like `config.materialized:table`".into(),
                });
            }
            return Ok(Some(Method::Config(args)));
        }
        "test_name" => Method::TestName,
        "test_type" => Method::TestType,
        "resource_type" => Method::ResourceType,
        "exposure" => Method::Exposure,
        "unit_test" => Method::UnitTest,
        "selector" => {
            if args.is_empty() {
                return Ok(None);
            }
            Method::Fqn // rejected just below
        }
        _ if UNSUPPORTED.contains(&head) => {
            return Err(SelectError::UnsupportedMethod {
                method: head.into(),
                raw: raw.into(),
            });
        }
        _ => {
            return Err(SelectError::UnknownMethod {
                method: head.into(),
                raw: raw.into(),
                hint: did_you_mean(head, METHODS.iter().copied())
                    .map(|h| format!("{h} "))
                    .unwrap_or_default(),
                valid: METHODS.join(", "),
            });
        }
    };
    if !args.is_empty() {
        return Err(SelectError::InvalidSelector {
            raw: raw.into(),
            reason: format!("only `config` takes `.` arguments, not `{head}`"),
        });
    }
    Ok(Some(method))
}

/// Rejects values a method can never accept (dbt raises for these too).
pub(crate) fn check_value(method: &Method, value: &str, raw: &str) -> Result<(), SelectError> {
    let invalid = |reason: String| {
        Err(SelectError::InvalidSelector {
            raw: raw.into(),
            reason,
        })
    };
    let dots = value.split('.').count();
    match method {
        Method::Source if dots > 3 => invalid(
            "expected `source_name`, `source_name.table_name` or `package.source_name.table_name`"
                .into(),
        ),
        Method::Exposure if dots > 2 => {
            invalid("expected `exposure_name` or `package.exposure_name`".into())
        }
        Method::TestType if !["generic", "schema", "singular", "data", "unit"].contains(&value) => {
            invalid("expected `generic`, `singular` or `unit`".into())
        }
        Method::ResourceType
            if ResourceType::parse(value).is_none() && !FOREIGN_TYPES.contains(&value) =>
        {
            let types = [
                "model",
                "seed",
                "snapshot",
                "test",
                "analysis",
                "source",
                "exposure",
                "unit_test",
            ];
            let hint = did_you_mean(value, types)
                .map(|h| format!("{h} "))
                .unwrap_or_default();
            invalid(format!(
                "unknown resource type; {hint}expected one of {}",
                types.join(", ")
            ))
        }
        _ => Ok(()),
    }
}
