//! Introspective Jinja at run time: `run_query`, `statement`/`load_result` and the live
//! `adapter.*` lookups -> warehouse results as agate-like tables. Offline (no warehouse, or
//! the parse pass) they answer "nothing", as dbt's do when `execute` is false.

use std::sync::Arc;

use minijinja::value::{Enumerator, Kwargs, Object, ObjectRepr, Value};
use minijinja::{Error, ErrorKind};

use super::context::current;
use super::convert::json_to_value;
use crate::adapter::{Adapter, Rows};

/// A query result as agate's Table: iterable rows, `.rows`, `.columns`, `.column_names`.
#[derive(Debug)]
pub struct Table {
    columns: Vec<String>,
    rows: Vec<Value>,
}

impl Table {
    pub fn new(result: Rows) -> Table {
        let columns = Arc::new(result.columns.clone());
        let rows = result
            .rows
            .into_iter()
            .map(|r| {
                Value::from_object(Row {
                    names: Arc::clone(&columns),
                    values: r.iter().map(json_to_value).collect(),
                })
            })
            .collect();
        Table {
            columns: result.columns,
            rows,
        }
    }

    fn column(&self, i: usize) -> Value {
        let values: Vec<Value> = self
            .rows
            .iter()
            .map(|r| r.get_item(&Value::from(i)).unwrap_or_default())
            .collect();
        Value::from_object(ResultColumn {
            name: self.columns[i].clone(),
            values,
        })
    }
}

impl Object for Table {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(i) = key.as_i64() {
            let i = if i < 0 { self.rows.len() as i64 + i } else { i };
            return self.rows.get(usize::try_from(i).ok()?).cloned();
        }
        match key.as_str()? {
            "rows" => Some(Value::from(self.rows.clone())),
            "column_names" => Some(Value::from(self.columns.clone())),
            "columns" => Some(Value::from(
                (0..self.columns.len())
                    .map(|i| self.column(i))
                    .collect::<Vec<_>>(),
            )),
            _ => None,
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.rows.len())
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut minijinja::State<'_, '_>,
        name: &str,
        _args: &[Value],
    ) -> Result<Value, Error> {
        match name {
            "print_table" => Ok(Value::from(())),
            "values" => Ok(Value::from(self.rows.clone())),
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("the result table has no method `{name}`"),
            )),
        }
    }
}

/// One column of a result: agate's `.name` and `.values()` (the column's values in order).
#[derive(Debug)]
struct ResultColumn {
    name: String,
    values: Vec<Value>,
}

impl Object for ResultColumn {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "name" => Some(Value::from(self.name.clone())),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut minijinja::State<'_, '_>,
        name: &str,
        _args: &[Value],
    ) -> Result<Value, Error> {
        match name {
            "values" | "values_without_nulls" => Ok(Value::from(
                self.values
                    .iter()
                    .filter(|v| name == "values" || !v.is_none())
                    .cloned()
                    .collect::<Vec<_>>(),
            )),
            _ => Err(Error::new(
                ErrorKind::UnknownMethod,
                format!("a result column has no method `{name}`"),
            )),
        }
    }
}

/// One result row: indexable by position and by column name, iterable as values.
#[derive(Debug)]
struct Row {
    names: Arc<Vec<String>>,
    values: Vec<Value>,
}

impl Object for Row {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(i) = key.as_i64() {
            let i = if i < 0 {
                self.values.len() as i64 + i
            } else {
                i
            };
            return self.values.get(usize::try_from(i).ok()?).cloned();
        }
        let name = key.as_str()?;
        let at = self
            .names
            .iter()
            .position(|n| n == name)
            .or_else(|| self.names.iter().position(|n| n.eq_ignore_ascii_case(name)))?;
        self.values.get(at).cloned()
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.values.len())
    }
}

/// The warehouse of the current render, when it runs for real (execute and connected).
pub fn live() -> Option<Arc<dyn Adapter>> {
    current(|c| if c.execute { c.warehouse.clone() } else { None })
        .ok()
        .flatten()
}

fn sql_error(e: crate::adapter::AdapterError) -> Error {
    Error::new(ErrorKind::InvalidOperation, format!("Database Error: {e}"))
}

/// `run_query(sql)`: the result table, or none when not executing.
pub fn run_query(sql: String) -> Result<Value, Error> {
    let Some(w) = live() else {
        return Ok(Value::from(()));
    };
    let rows = w.query(&sql).map_err(sql_error)?;
    Ok(Value::from_object(Table::new(rows)))
}

/// `{% call statement('name', fetch_result=true) %}sql{% endcall %}`: runs the SQL and keeps
/// the result for `load_result('name')`.
pub fn statement(name: Option<String>, fetch: bool, sql: String) -> Result<Value, Error> {
    let Some(w) = live() else {
        return Ok(Value::from(()));
    };
    let result = if fetch {
        let rows = w.query(&sql).map_err(sql_error)?;
        let data: Vec<Value> = rows
            .rows
            .iter()
            .map(|r| Value::from(r.iter().map(json_to_value).collect::<Vec<_>>()))
            .collect();
        crate::render::convert::map_value([
            ("response", response()),
            ("data", Value::from(data)),
            ("table", Value::from_object(Table::new(rows))),
        ])
    } else {
        w.execute(&sql).map_err(sql_error)?;
        crate::render::convert::map_value([
            ("response", response()),
            ("data", Value::from(Vec::<Value>::new())),
            ("table", Value::from(())),
        ])
    };
    if let Some(name) = name {
        current(|c| c.results.insert(name, result))?;
    }
    Ok(Value::from(()))
}

fn response() -> Value {
    crate::render::convert::map_value([
        ("_message", Value::from("OK")),
        ("code", Value::from("OK")),
        ("rows_affected", Value::from(-1)),
    ])
}

/// `load_result('name')`: what the named statement returned, or none.
pub fn load_result(name: String) -> Result<Value, Error> {
    current(|c| c.results.get(&name).cloned().unwrap_or_default())
}

/// `adapter.execute(sql, auto_begin=False, fetch=False)` -> (response, table).
pub fn adapter_execute(args: &[Value]) -> Result<Value, Error> {
    let (sql, kwargs): (String, Kwargs) = minijinja::value::from_args(args)?;
    let fetch = kwargs.get::<Option<bool>>("fetch")?.unwrap_or(false);
    let _ = kwargs.get::<Option<bool>>("auto_begin")?;
    let Some(w) = live() else {
        return Ok(Value::from(vec![response(), Value::from(())]));
    };
    if fetch {
        let rows = w.query(&sql).map_err(sql_error)?;
        Ok(Value::from(vec![
            response(),
            Value::from_object(Table::new(rows)),
        ]))
    } else {
        w.execute(&sql).map_err(sql_error)?;
        Ok(Value::from(vec![response(), Value::from(())]))
    }
}

/// The parts of a relation-like value (a Relation object or anything with those attributes).
pub fn relation_parts(v: &Value) -> Option<(String, String, String)> {
    let get = |k: &str| {
        v.get_attr(k)
            .ok()
            .filter(|x| !x.is_undefined() && !x.is_none())
            .map(|x| x.to_string())
            .unwrap_or_default()
    };
    let identifier = get("identifier");
    (!identifier.is_empty()).then(|| (get("database"), get("schema"), identifier))
}

/// `adapter.get_relation(database, schema, identifier)` against the live warehouse.
pub fn get_relation(w: &dyn Adapter, args: &[Value]) -> Result<Value, Error> {
    let (mut database, mut schema, mut identifier) = (None, None, None);
    let (positional, kwargs): (Vec<Value>, Kwargs) = minijinja::value::from_args(args)?;
    for (i, v) in positional.iter().enumerate() {
        let text = v.as_str().map(str::to_string);
        match i {
            0 => database = text,
            1 => schema = text,
            _ => identifier = text,
        }
    }
    database = kwargs.get::<Option<String>>("database")?.or(database);
    schema = kwargs.get::<Option<String>>("schema")?.or(schema);
    identifier = kwargs.get::<Option<String>>("identifier")?.or(identifier);
    let (database, schema, identifier) = (
        database.unwrap_or_default(),
        schema.unwrap_or_default(),
        identifier.unwrap_or_default(),
    );
    match w
        .relation_kind(&database, &schema, &identifier)
        .map_err(sql_error)?
    {
        None => Ok(Value::from(())),
        Some(kind) => {
            let mut r =
                super::relation::Relation::new(w.dialect(), &database, &schema, &identifier);
            r.kind = match kind {
                crate::adapter::RelationKind::Table => "table",
                crate::adapter::RelationKind::View => "view",
            };
            Ok(r.into_value())
        }
    }
}

/// `adapter.get_columns_in_relation(relation)`: dbt Column-like maps.
pub fn columns_in_relation(w: &dyn Adapter, relation: &Value) -> Result<Value, Error> {
    let Some((database, schema, identifier)) = relation_parts(relation) else {
        return Ok(Value::from(Vec::<Value>::new()));
    };
    let columns = w
        .columns(&database, &schema, &identifier)
        .map_err(sql_error)?;
    Ok(Value::from(
        columns
            .into_iter()
            .map(|c| {
                crate::render::convert::map_value([
                    ("name", Value::from(c.name.clone())),
                    ("column", Value::from(c.name.clone())),
                    ("quoted", Value::from(w.dialect().quote(&c.name))),
                    ("data_type", Value::from(c.data_type.clone())),
                    ("dtype", Value::from(c.data_type)),
                ])
            })
            .collect::<Vec<_>>(),
    ))
}
