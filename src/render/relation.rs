//! A warehouse relation as Jinja sees it (`ref()`, `source()`, `this`): renders as a quoted name.

use std::fmt;
use std::sync::Arc;

use minijinja::value::{Kwargs, Object, ObjectRepr, Value};
use minijinja::{Error, ErrorKind, State};

use crate::dialect::Dialect;

#[derive(Debug, Clone)]
pub struct Relation {
    pub dialect: Dialect,
    pub database: Option<String>,
    pub schema: Option<String>,
    pub identifier: String,
    /// "table", "view", "cte" (ephemeral) or empty when unknown.
    pub kind: &'static str,
    /// Ephemeral relations render as their CTE name.
    pub cte: bool,
    pub quote: crate::dialect::QuotePolicy,
    /// `--empty`: the relation renders as a subquery returning no rows (dbt's
    /// render_limited), so models build their schema without reading data.
    pub empty: bool,
}

impl Relation {
    pub fn new(dialect: Dialect, database: &str, schema: &str, identifier: &str) -> Relation {
        let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Relation {
            dialect,
            database: opt(database),
            schema: opt(schema),
            identifier: identifier.to_string(),
            kind: "",
            cte: false,
            quote: crate::dialect::QuotePolicy::default(),
            empty: false,
        }
    }

    pub fn ephemeral(dialect: Dialect, name: &str) -> Relation {
        Relation {
            dialect,
            database: None,
            schema: None,
            identifier: format!("__dbt__cte__{name}"),
            kind: "cte",
            cte: true,
            quote: crate::dialect::QuotePolicy::default(),
            empty: false,
        }
    }

    pub fn rendered(&self) -> String {
        if self.cte {
            return self.identifier.clone();
        }
        let name = self.dialect.relation_quoted(
            self.quote,
            self.database.as_deref().unwrap_or(""),
            self.schema.as_deref().unwrap_or(""),
            &self.identifier,
        );
        if self.empty {
            format!(
                "(select * from {name} where false limit 0) _dbt_limit_subq_{}",
                self.identifier
            )
        } else {
            name
        }
    }

    pub fn into_value(self) -> Value {
        Value::from_object(self)
    }

    fn opt(v: &Option<String>) -> Value {
        v.as_deref().map(Value::from).unwrap_or(Value::from(()))
    }
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered())
    }
}

impl Object for Relation {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(match key.as_str()? {
            "database" | "project" => Relation::opt(&self.database),
            "schema" | "dataset" => Relation::opt(&self.schema),
            "identifier" | "name" | "table" => Value::from(self.identifier.clone()),
            "type" => Value::from(self.kind),
            "is_table" => Value::from(self.kind == "table"),
            "is_view" => Value::from(self.kind == "view"),
            "is_cte" => Value::from(self.cte),
            "path" => Value::from_serialize_map(self),
            _ => return None,
        })
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match name {
            "render" => Ok(Value::from(self.rendered())),
            "include" | "quote" => {
                let (_, kwargs): (&[Value], Kwargs) = minijinja::value::from_args(args)?;
                let mut r = (**self).clone();
                if name == "include" {
                    if kwargs.get::<Option<bool>>("database")? == Some(false) {
                        r.database = None;
                    }
                    if kwargs.get::<Option<bool>>("schema")? == Some(false) {
                        r.schema = None;
                    }
                }
                Ok(r.into_value())
            }
            "incorporate" => {
                let (_, kwargs): (&[Value], Kwargs) = minijinja::value::from_args(args)?;
                let mut r = (**self).clone();
                if let Some(path) = kwargs.get::<Option<Value>>("path")? {
                    if let Ok(Some(id)) = path
                        .get_attr("identifier")
                        .map(|v| v.as_str().map(str::to_string))
                    {
                        r.identifier = id;
                    }
                    if let Ok(Some(s)) = path
                        .get_attr("schema")
                        .map(|v| v.as_str().map(str::to_string))
                    {
                        r.schema = Some(s);
                    }
                }
                if let Some(t) = kwargs.get::<Option<String>>("type")? {
                    r.kind = match t.as_str() {
                        "table" => "table",
                        "view" => "view",
                        _ => "",
                    };
                }
                Ok(r.into_value())
            }
            "replace_path" => {
                let (_, kwargs): (&[Value], Kwargs) = minijinja::value::from_args(args)?;
                let mut r = (**self).clone();
                if let Some(id) = kwargs.get::<Option<String>>("identifier")? {
                    r.identifier = id;
                }
                if let Some(s) = kwargs.get::<Option<String>>("schema")? {
                    r.schema = Some(s);
                }
                if let Some(d) = kwargs.get::<Option<String>>("database")? {
                    r.database = Some(d);
                }
                Ok(r.into_value())
            }
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("relations have no method `{name}`"),
            )),
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered())
    }
}

/// Lets `relation.path` read like dbt's path dict.
trait PathMap {
    fn from_serialize_map(r: &Relation) -> Value;
}

impl PathMap for Value {
    fn from_serialize_map(r: &Relation) -> Value {
        crate::render::convert::map_value([
            ("database", Relation::opt(&r.database)),
            ("schema", Relation::opt(&r.schema)),
            ("identifier", Value::from(r.identifier.clone())),
        ])
    }
}
