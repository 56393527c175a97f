//! selectors.yml (as a `serde_json::Value`) -> named selector definitions, and a definition -> a `Spec`.

use indexmap::IndexMap;
use serde_json::{Map, Value as Json};

use super::parse::{self, Atom, Ctx, Hops, SetOp, Spec};
use super::{IndirectSelection, SelectError};

/// One entry of selectors.yml.
#[derive(Debug, Clone)]
struct Entry {
    description: String,
    default: bool,
    definition: Json,
}

/// The selectors of a project, validated.
#[derive(Debug, Clone, Default)]
pub struct Selectors {
    entries: IndexMap<String, Entry>,
}

impl Selectors {
    /// Reads `{selectors: [{name, description?, default?, definition}, ...]}` and checks
    /// every definition (unknown methods, loops, malformed operators ...), as dbt does on load.
    pub fn parse(value: &Json) -> Result<Selectors, SelectError> {
        let file_err = |m: String| SelectError::InvalidSelectorsFile(m);
        let list = match value.get("selectors") {
            Some(Json::Array(list)) => list,
            Some(Json::Null) | None => {
                return Err(file_err("expected a top-level `selectors:` list".into()));
            }
            Some(_) => return Err(file_err("`selectors` must be a list".into())),
        };
        let mut entries = IndexMap::new();
        for (i, item) in list.iter().enumerate() {
            let Some(obj) = item.as_object() else {
                return Err(file_err(format!("selector #{} is not a mapping", i + 1)));
            };
            let Some(name) = obj.get("name").and_then(Json::as_str) else {
                return Err(file_err(format!("selector #{} has no `name`", i + 1)));
            };
            let Some(definition) = obj.get("definition").filter(|d| !d.is_null()) else {
                return Err(SelectError::InvalidDefinition {
                    selector: name.into(),
                    reason: "missing `definition`".into(),
                });
            };
            let default = match obj.get("default") {
                None | Some(Json::Null) => false,
                Some(Json::Bool(b)) => *b,
                Some(_) => {
                    return Err(SelectError::InvalidDefinition {
                        selector: name.into(),
                        reason: "`default` must be true or false".into(),
                    });
                }
            };
            let entry = Entry {
                description: obj
                    .get("description")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_string(),
                default,
                definition: definition.clone(),
            };
            if entries.insert(name.to_string(), entry).is_some() {
                return Err(file_err(format!("selector `{name}` is defined twice")));
            }
        }
        let defaults: Vec<&str> = entries
            .iter()
            .filter(|(_, e)| e.default)
            .map(|(n, _)| n.as_str())
            .collect();
        if defaults.len() > 1 {
            return Err(file_err(format!(
                "only one selector may have `default: true`; found {}",
                defaults.join(", ")
            )));
        }
        let sels = Selectors { entries };
        for name in sels.entries.keys() {
            Ctx::new(Some(&sels), IndirectSelection::Eager).selector(name)?;
        }
        Ok(sels)
    }

    /// Selector names in file order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// The selector marked `default: true`, if any.
    pub fn default_name(&self) -> Option<&str> {
        self.entries
            .iter()
            .find(|(_, e)| e.default)
            .map(|(n, _)| n.as_str())
    }

    pub fn description(&self, name: &str) -> Option<&str> {
        self.entries.get(name).map(|e| e.description.as_str())
    }

    pub(crate) fn definition(&self, name: &str) -> Option<&Json> {
        self.entries.get(name).map(|e| &e.definition)
    }
}

fn invalid(ctx: &Ctx, reason: impl Into<String>) -> SelectError {
    SelectError::InvalidDefinition {
        selector: ctx.current().into(),
        reason: reason.into(),
    }
}

/// A definition: a CLI-style string, `{method: value}`, a full `{method, value, ...}` dict,
/// or `{union: [...]}` / `{intersection: [...]}`.
pub(crate) fn from_definition(def: &Json, ctx: &mut Ctx, root: bool) -> Result<Spec, SelectError> {
    match def {
        Json::String(s) => {
            if s.split_whitespace().next().is_none() {
                return Err(invalid(ctx, "empty definition"));
            }
            parse::cli_union(std::slice::from_ref(s), ctx, false)
        }
        Json::Object(map) => {
            let set_key = ["union", "intersection"]
                .into_iter()
                .find(|k| map.contains_key(*k));
            if let Some(key) = set_key {
                if root && map.len() > 1 {
                    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
                    return Err(invalid(
                        ctx,
                        format!(
                            "a root definition may hold only one `union` or `intersection` key; found {}",
                            keys.join(", ")
                        ),
                    ));
                }
                if map.len() > 1 {
                    let extra: Vec<&str> = map
                        .keys()
                        .filter(|k| *k != key)
                        .map(String::as_str)
                        .collect();
                    return Err(invalid(
                        ctx,
                        format!("`{key}` cannot be combined with {}", extra.join(", ")),
                    ));
                }
                let op = if key == "union" {
                    SetOp::Union
                } else {
                    SetOp::Intersection
                };
                set_definition(op, &map[key], key, ctx)
            } else {
                dict_definition(map, ctx)
            }
        }
        Json::Null => Err(invalid(ctx, "empty definition")),
        other => Err(invalid(
            ctx,
            format!("expected a string, a mapping, `union` or `intersection`; found {other}"),
        )),
    }
}

/// `union: [...]` or `intersection: [...]`; one item may be `{exclude: [...]}`.
fn set_definition(op: SetOp, list: &Json, key: &str, ctx: &mut Ctx) -> Result<Spec, SelectError> {
    let Some(items) = list.as_array() else {
        return Err(invalid(ctx, format!("`{key}` must be a list")));
    };
    let mut parts = Vec::new();
    let mut exclude: Option<Spec> = None;
    for item in items {
        if let Some(ex) = item.as_object().and_then(|m| m.get("exclude")) {
            if item.as_object().is_some_and(|m| m.len() > 1) {
                return Err(invalid(ctx, "an `exclude` item must hold only `exclude`"));
            }
            if exclude.is_some() {
                return Err(invalid(
                    ctx,
                    format!("only one `exclude` is allowed per `{key}` list"),
                ));
            }
            exclude = Some(exclusions(ex, ctx)?);
        } else {
            parts.push(from_definition(item, ctx, false)?);
        }
    }
    if parts.is_empty() {
        return Err(invalid(
            ctx,
            format!("`{key}` selects nothing to start from"),
        ));
    }
    let set = Spec::Set {
        op,
        parts,
        indirect: ctx.indirect,
        report: None,
    };
    Ok(with_exclusion(set, exclude, ctx))
}

/// `exclude: [defs...]` -> their union.
fn exclusions(value: &Json, ctx: &mut Ctx) -> Result<Spec, SelectError> {
    let Some(items) = value.as_array() else {
        return Err(invalid(ctx, "`exclude` must be a list"));
    };
    let mut parts = items
        .iter()
        .map(|d| from_definition(d, ctx, false))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(if parts.len() == 1 {
        parts.remove(0)
    } else {
        Spec::Set {
            op: SetOp::Union,
            parts,
            indirect: ctx.indirect,
            report: None,
        }
    })
}

fn with_exclusion(spec: Spec, exclude: Option<Spec>, ctx: &Ctx) -> Spec {
    match exclude {
        None => spec,
        Some(ex) => Spec::Set {
            op: SetOp::Difference,
            parts: vec![spec, ex],
            indirect: ctx.indirect,
            report: None,
        },
    }
}

/// A scalar YAML value as selector text (`true`, `3`, `nightly`).
fn scalar(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

const DICT_KEYS: &[&str] = &[
    "method",
    "value",
    "children",
    "parents",
    "childrens_parents",
    "children_depth",
    "parents_depth",
    "indirect_selection",
    "exclude",
    "description",
];

/// `{tag: nightly}` or `{method: tag, value: nightly, children: true, ...}`.
fn dict_definition(map: &Map<String, Json>, ctx: &mut Ctx) -> Result<Spec, SelectError> {
    let (method, value) = if map.len() == 1 {
        let Some((k, v)) = map.iter().next() else {
            return Err(invalid(ctx, "empty definition"));
        };
        if k == "method" || k == "value" {
            return Err(invalid(
                ctx,
                "a full definition needs both `method` and `value`",
            ));
        }
        if k == "exclude" {
            return Err(invalid(
                ctx,
                "`exclude` must be an item of a `union` or `intersection` list, or sit next to `method` and `value`",
            ));
        }
        (k.clone(), v)
    } else if let (Some(m), Some(v)) = (map.get("method"), map.get("value")) {
        if let Some(bad) = map.keys().find(|k| !DICT_KEYS.contains(&k.as_str())) {
            return Err(invalid(
                ctx,
                format!("unknown key `{bad}` (expected {})", DICT_KEYS.join(", ")),
            ));
        }
        let Some(m) = m.as_str() else {
            return Err(invalid(ctx, "`method` must be a string"));
        };
        (m.to_string(), v)
    } else {
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        return Err(invalid(
            ctx,
            format!(
                "expected one `method: value` pair, or `method` and `value` keys; found {}",
                keys.join(", ")
            ),
        ));
    };
    let Some(value) = scalar(value) else {
        return Err(invalid(
            ctx,
            format!("the value of `{method}` must be a string"),
        ));
    };
    let raw = format!("{method}:{value}");
    let flag = |key: &str| -> Result<bool, SelectError> {
        match map.get(key) {
            None | Some(Json::Null) => Ok(false),
            Some(Json::Bool(b)) => Ok(*b),
            Some(_) => Err(invalid(ctx, format!("`{key}` must be true or false"))),
        }
    };
    let depth = |key: &str| -> Result<Option<usize>, SelectError> {
        match map.get(key) {
            None | Some(Json::Null) => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                .map(Some)
                .ok_or_else(|| invalid(ctx, format!("`{key}` must be a non-negative integer"))),
        }
    };
    let hops = Hops {
        parents: flag("parents")?,
        parents_depth: depth("parents_depth")?,
        children: flag("children")?,
        children_depth: depth("children_depth")?,
        childrens_parents: flag("childrens_parents")?,
    };
    if hops.childrens_parents && hops.children {
        return Err(SelectError::GraphOperator {
            raw,
            reason: "`childrens_parents` and `children` cannot be combined".into(),
        });
    }
    let indirect = match map.get("indirect_selection") {
        None | Some(Json::Null) => ctx.indirect,
        Some(v) => match v.as_str().and_then(IndirectSelection::parse) {
            Some(mode) => mode,
            None => {
                return Err(invalid(
                    ctx,
                    "`indirect_selection` must be eager, cautious, buildable or empty",
                ));
            }
        },
    };
    if value.is_empty() {
        return Err(invalid(ctx, format!("`{method}` has an empty value")));
    }
    let base = match parse::resolve_method(&method, &raw)? {
        None => {
            if hops != Hops::default() {
                return Err(SelectError::GraphOperator {
                    raw,
                    reason: "graph operators cannot be applied to `method: selector`".into(),
                });
            }
            ctx.selector(&value)?
        }
        Some(m) => {
            parse::check_value(&m, &value, &raw)?;
            Spec::Atom(Atom {
                raw,
                method: m,
                value,
                hops,
                indirect,
            })
        }
    };
    let exclude = match map.get("exclude").filter(|_| map.len() > 1) {
        Some(ex) => Some(exclusions(ex, ctx)?),
        None => None,
    };
    Ok(with_exclusion(base, exclude, ctx))
}
