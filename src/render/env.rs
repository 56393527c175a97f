//! A loaded project -> the shared minijinja `Environment`: macro templates of every package
//! plus dbt's global functions and objects.

use std::collections::HashSet;
use std::sync::Arc;

use minijinja::value::{Kwargs, Object, ObjectRepr, Value};
use minijinja::{Environment, Error, ErrorKind, State, UndefinedBehavior};

use super::builtins;
use super::context::{self, ConfigObject};
use super::convert::json_to_value;
use super::macros::{self, BUILTIN_PACKAGE, MacroDef, MacroIndex, MacroName, PackageNamespace};
use super::prepare;
use crate::diagnostics::{Diagnostic, Location};
use crate::dialect::Dialect;
use crate::project::Project;

/// Built-in macros: our own templates of dbt's global namespace, overridable by projects.
const BUILTIN_MACROS: &[(&str, &str)] = &[
    ("naming.sql", include_str!("macros/naming.sql")),
    ("tests.sql", include_str!("macros/tests.sql")),
    ("cross_db.sql", include_str!("macros/cross_db.sql")),
    ("adapter.sql", include_str!("macros/adapter.sql")),
];

/// The environment plus the macro index it was built from.
pub struct RenderEnv {
    pub env: Environment<'static>,
    pub index: Arc<MacroIndex>,
    pub dialect: Dialect,
    /// dbt's `graph` variable: empty while parsing, filled before compiling.
    pub graph: Arc<std::sync::RwLock<Value>>,
}

/// Every generic test renders through this one template, compiled once.
pub const GENERIC_TEST: &str = "<generic test>";

/// The template name of a node's SQL: its file (snapshots: `file#name`).
pub fn template_name(n: &crate::node::Node) -> String {
    if n.test_metadata.is_some() {
        GENERIC_TEST.to_string()
    } else if n.resource_type == crate::node::ResourceType::Snapshot {
        format!("{}#{}", n.origin.file, n.name)
    } else {
        n.origin.file.clone()
    }
}

impl RenderEnv {
    /// Compiles every macro file; syntax errors in any of them are all reported.
    pub fn new(project: &Project) -> Result<RenderEnv, Vec<Diagnostic>> {
        let dialect = project.target.dialect;
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
        env.set_recursion_limit(1000);
        // Template names are file paths; `.yml` would otherwise switch on JSON escaping.
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        minijinja_contrib::add_to_environment(&mut env);
        env.set_unknown_method_callback(builtins::unknown_method);
        let mut index = MacroIndex {
            root: project.name().to_string(),
            adapter: dialect.adapter_type(),
            ..MacroIndex::default()
        };
        for rule in &project.root_package().config.dispatch {
            index
                .dispatch
                .insert(rule.macro_namespace.clone(), rule.search_order.clone());
        }
        let mut diags = Vec::new();
        for (file, text) in BUILTIN_MACROS {
            diags.extend(add_macro_file(
                &mut env,
                &mut index,
                BUILTIN_PACKAGE,
                &format!("<builtin>/{file}"),
                text,
            ));
        }
        // Packages first so the root project's definitions are the ones kept in the index.
        for pkg in project.packages.iter().rev() {
            for f in &pkg.macros {
                diags.extend(add_macro_file(
                    &mut env, &mut index, &pkg.name, &f.path, &f.text,
                ));
            }
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let index = Arc::new(index);
        register_globals(&mut env, project, &index);
        let graph: Arc<std::sync::RwLock<Value>> = Arc::default();
        env.add_global("graph", Value::from_object(GraphVar(graph.clone())));
        if let Err(e) = env.add_template(GENERIC_TEST, "{{ __xf_generic_test() }}") {
            return Err(vec![jinja_syntax(&e, GENERIC_TEST)]);
        }
        Ok(RenderEnv {
            env,
            index,
            dialect,
            graph,
        })
    }
}

/// Adds every macro of one file to `env` and `index`. Each definition gets a template of
/// its own (padded so lines match the file): calling a macro then evaluates one
/// definition, not its whole file. Returns syntax errors.
pub fn add_macro_file(
    env: &mut Environment<'static>,
    index: &mut MacroIndex,
    package: &str,
    file: &str,
    text: &str,
) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let found = macros::scan_definitions(text);
    for (i, def) in found.iter().enumerate() {
        let end = found.get(i + 1).map_or(text.len(), |next| next.start);
        let chunk = format!(
            "{}{}",
            "\n".repeat(def.line as usize - 1),
            &text[def.start..end]
        );
        let template = format!("{file}#{}", def.name);
        if let Err(e) = env.add_template_owned(template.clone(), prepare::macro_file(&chunk)) {
            diags.push(jinja_syntax(&e, file));
            continue;
        }
        index.add(MacroDef {
            package: package.to_string(),
            name: def.name.clone(),
            template,
            file: file.to_string(),
            line: def.line,
            sql: text[def.start..end].trim_end().to_string(),
        });
    }
    diags
}

/// A Jinja syntax error in a template, at its line.
pub fn jinja_syntax(e: &Error, file: &str) -> Diagnostic {
    let detail = e.detail().unwrap_or("syntax error");
    Diagnostic::error(format!("Jinja syntax error: {detail}")).at(Location::new(
        file,
        e.line().unwrap_or(0) as u32,
        0,
    ))
}

fn register_globals(env: &mut Environment<'static>, project: &Project, index: &Arc<MacroIndex>) {
    let dialect = project.target.dialect;
    let mut names: HashSet<&str> = HashSet::new();
    for (pkg, defs) in &index.by_package {
        let _ = pkg;
        names.extend(defs.keys().map(String::as_str));
    }
    for name in names {
        env.add_global(
            name.to_string(),
            Value::from_object(MacroName {
                name: name.to_string(),
                index: index.clone(),
            }),
        );
    }
    for pkg in index.by_package.keys() {
        env.add_global(
            pkg.clone(),
            Value::from_object(PackageNamespace {
                package: pkg.clone(),
                index: index.clone(),
            }),
        );
    }
    let idx = index.clone();
    env.add_function("__xf_generic_test", move |state: &mut State| {
        super::generic::run(state, &idx)
    });
    env.add_function("ref", context::ref_fn);
    env.add_function("source", context::source_fn);
    env.add_function("var", context::var_fn);
    env.add_function("env_var", super::unit::env_var_fn);
    env.add_function("is_incremental", context::is_incremental_fn);
    env.add_function("return", macros::return_fn);
    env.add_global("config", Value::from_object(ConfigObject));
    env.add_global(
        "adapter",
        Value::from_object(Adapter {
            dialect,
            index: index.clone(),
        }),
    );
    env.add_global(
        "target",
        json_to_value(&serde_json::Value::Object(
            project.target.public_fields().into_iter().collect(),
        )),
    );
    env.add_global("project_name", Value::from(project.name().to_string()));
    env.add_global("dbt_version", Value::from("1.12.6"));
    builtins::register(env);
    super::pyobj::register(env);
    super::pymodules::register(env);
}

/// `graph`: reads whatever the pipeline has published (nodes, sources, exposures).
#[derive(Debug)]
struct GraphVar(Arc<std::sync::RwLock<Value>>);

impl Object for GraphVar {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let g = self.0.read().unwrap_or_else(|e| e.into_inner());
        match g.get_item(key) {
            Ok(v) if !v.is_undefined() => Some(v),
            _ => Some(super::convert::map_value(Vec::<(&str, Value)>::new())),
        }
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Str(&["nodes", "sources", "exposures", "metrics", "groups"])
    }
}

/// `adapter`: dispatch and the offline-safe parts of dbt's adapter API.
#[derive(Debug)]
struct Adapter {
    dialect: Dialect,
    index: Arc<MacroIndex>,
}

impl Adapter {
    /// Relation lookups answered by the warehouse of a run.
    fn live_lookup(&self, name: &str, args: &[Value]) -> Result<Value, Error> {
        let Some(w) = super::warehouse::live() else {
            return Ok(Value::from(()));
        };
        match name {
            "get_columns_in_relation" => {
                let (relation,): (Value,) = minijinja::value::from_args(args)?;
                super::warehouse::columns_in_relation(w.as_ref(), &relation)
            }
            "load_relation" => {
                let (relation,): (Value,) = minijinja::value::from_args(args)?;
                match super::warehouse::relation_parts(&relation) {
                    Some((d, s, i)) => super::warehouse::get_relation(
                        w.as_ref(),
                        &[Value::from(d), Value::from(s), Value::from(i)],
                    ),
                    None => Ok(Value::from(())),
                }
            }
            _ => super::warehouse::get_relation(w.as_ref(), args),
        }
    }

    /// DDL helpers that act on the warehouse of a run (run-operation, hooks).
    fn live_ddl(&self, name: &str, args: &[Value]) -> Result<Value, Error> {
        let Some(w) = super::warehouse::live() else {
            return Ok(Value::from(()));
        };
        let (relation, _rest): (Value, minijinja::value::Rest<Value>) =
            minijinja::value::from_args(args)?;
        let Some((d, s, i)) = super::warehouse::relation_parts(&relation).or_else(|| {
            // create_schema(relation) passes a schema-level relation without identifier.
            let get = |k: &str| relation.get_attr(k).ok().map(|v| v.to_string());
            Some((get("database")?, get("schema")?, String::new()))
        }) else {
            return Ok(Value::from(()));
        };
        let schema = self.dialect.relation(&d, &s, "");
        let full = self.dialect.relation(&d, &s, &i);
        let kind = relation
            .get_attr("type")
            .ok()
            .filter(|t| !t.is_undefined() && !t.is_none())
            .map(|t| t.to_string())
            .unwrap_or_else(|| "table".into());
        let sql = match name {
            "create_schema" => format!("create schema if not exists {schema}"),
            "drop_schema" => format!("drop schema if exists {schema} cascade"),
            "truncate_relation" => format!("delete from {full}"),
            _ if kind == "view" => format!("drop view if exists {full} cascade"),
            _ => format!("drop table if exists {full} cascade"),
        };
        w.execute(&sql)
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("Database Error: {e}")))?;
        Ok(Value::from(()))
    }
}

impl Object for Adapter {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match name {
            "dispatch" => {
                let (macro_name, namespace, kwargs): (String, Option<String>, Kwargs) =
                    minijinja::value::from_args(args)?;
                let namespace = namespace.or(kwargs.get::<Option<String>>("macro_namespace")?);
                let package = context::current(|c| c.lookup_package().to_string())?;
                match self
                    .index
                    .dispatch(&macro_name, namespace.as_deref(), &package)
                {
                    Some(def) => Ok(Value::from_object(macros::MacroCall { def: def.clone() })),
                    None => Err(Error::new(
                        ErrorKind::UnknownFunction,
                        format!(
                            "adapter.dispatch found no `{0}__{macro_name}` or `default__{macro_name}` macro{1}",
                            self.dialect.adapter_type(),
                            namespace
                                .map(|n| format!(" in namespace `{n}`"))
                                .unwrap_or_default()
                        ),
                    )),
                }
            }
            "quote" => {
                let (ident,): (String,) = minijinja::value::from_args(args)?;
                Ok(Value::from(self.dialect.quote(&ident)))
            }
            "type" => Ok(Value::from(self.dialect.adapter_type())),
            "execute" => super::warehouse::adapter_execute(args),
            "get_relation" | "load_relation" | "get_columns_in_relation"
                if super::warehouse::live().is_some() =>
            {
                self.live_lookup(name, args)
            }
            "create_schema" | "drop_relation" | "truncate_relation" | "drop_schema"
                if super::warehouse::live().is_some() =>
            {
                self.live_ddl(name, args)
            }
            // Offline: nothing exists yet, so lookups answer "not found".
            "get_relation" | "load_relation" => Ok(Value::from(())),
            "get_columns_in_relation" | "list_relations_without_caching" => {
                Ok(Value::from(Vec::<Value>::new()))
            }
            "already_exists" | "check_schema_exists" => Ok(Value::from(false)),
            // DDL helpers only act when running; compiling leaves the warehouse alone.
            "create_schema"
            | "drop_schema"
            | "drop_relation"
            | "truncate_relation"
            | "rename_relation"
            | "expand_target_column_types"
            | "commit"
            | "begin" => Ok(Value::from(())),
            "get_missing_columns" => Ok(Value::from(Vec::<Value>::new())),
            "quote_as_configured" | "quote_seed_column" => {
                let (ident, _rest): (String, Option<Value>) = minijinja::value::from_args(args)?;
                Ok(Value::from(ident))
            }
            // Not UnknownMethod: that kind would be replaced by pycompat's generic message.
            _ => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("adapter.{name}() is not available when compiling offline"),
            )),
        }
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "type" => Some(Value::from(self.dialect.adapter_type())),
            _ => None,
        }
    }
}
