//! A unit test node's YAML (`model`, `given`, `expect`, `overrides`) + fixture files ->
//! a checked `UnitSpec`: inputs parsed, rows normalised to dicts or SQL text.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::Value as Json;

use crate::node::{Node, RefCall};

/// What a unit test definition can be wrong about; messages follow dbt's where it has one.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SpecError {
    #[error("unit test `{test}` has no `{key}`")]
    Missing { test: String, key: &'static str },
    #[error(
        "Unit test given inputs must be either a 'ref', 'source' or 'this' call. Got: '{input}'."
    )]
    BadInput { input: String },
    #[error("unit test `{test}`: unknown fixture format `{format}`: use dict, csv or sql")]
    BadFormat { test: String, format: String },
    #[error("Unit test {test} has {side} rows which do not match format dict")]
    NotDict { test: String, side: &'static str },
    #[error(
        "Unit test {test} has {side} rows or fixtures which do not match format {format}. Expected string."
    )]
    NotText {
        test: String,
        side: &'static str,
        format: &'static str,
    },
    #[error("File not found for fixture '{fixture}' in unit tests in {file}")]
    NoFixtureFile { fixture: String, file: String },
    #[error("could not read fixture file {path}: {message}")]
    Unreadable { path: String, message: String },
    #[error("unit test `{test}`: {key} must be a mapping")]
    NotMapping { test: String, key: String },
}

/// Where a given input stands in the tested model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Ref(RefCall),
    Source(String, String),
    This,
}

/// Fixture rows: dicts (from `dict` or `csv`), SQL text, or "read the seed's own file".
#[derive(Debug, Clone, PartialEq)]
pub enum Rows {
    Dicts(Vec<IndexMap<String, Json>>),
    Sql(String),
    /// A `ref()` to a seed with no rows: the seed's CSV is the fixture.
    Seed,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Given {
    pub input: Input,
    /// The input as written, for messages.
    pub written: String,
    pub rows: Rows,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pub macros: IndexMap<String, Json>,
    pub vars: IndexMap<String, Json>,
    pub env_vars: IndexMap<String, String>,
}

impl Overrides {
    /// dbt's is_incremental override, when one is given as a boolean.
    pub fn is_incremental(&self) -> Option<bool> {
        self.macros.get("is_incremental").and_then(Json::as_bool)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitSpec {
    pub name: String,
    /// The tested model's name (a version suffix, if written, is dropped).
    pub model: String,
    pub given: Vec<Given>,
    pub expect: Rows,
    pub overrides: Overrides,
}

impl UnitSpec {
    /// Reads the node's YAML; fixture files are looked up in `fixture_dirs`.
    pub fn from_node(node: &Node, fixture_dirs: &[PathBuf]) -> Result<UnitSpec, SpecError> {
        let test = node.name.clone();
        let get = |key: &'static str| {
            node.extra.get(key).ok_or(SpecError::Missing {
                test: test.clone(),
                key,
            })
        };
        let model = get("model")?
            .as_str()
            .and_then(|m| m.split_whitespace().next())
            .ok_or(SpecError::Missing {
                test: test.clone(),
                key: "model",
            })?
            .to_string();
        let fixtures = Fixtures {
            test: &test,
            file: &node.origin.file,
            dirs: fixture_dirs,
        };
        let mut given = Vec::new();
        for item in get("given")?.as_array().into_iter().flatten() {
            let written = item
                .get("input")
                .and_then(Json::as_str)
                .ok_or(SpecError::Missing {
                    test: test.clone(),
                    key: "input",
                })?
                .to_string();
            let input = parse_input(&written)?;
            let rows = fixtures.rows(item, "input", matches!(input, Input::Ref(_)))?;
            given.push(Given {
                input,
                written,
                rows,
            });
        }
        let expect = fixtures.rows(get("expect")?, "expected", false)?;
        let overrides = match node.extra.get("overrides") {
            Some(o) => overrides(&test, o)?,
            None => Overrides::default(),
        };
        Ok(UnitSpec {
            name: test,
            model,
            given,
            expect,
            overrides,
        })
    }

    pub fn this_given(&self) -> bool {
        self.given.iter().any(|g| g.input == Input::This)
    }
}

/// `ref('m')`, `ref('pkg', 'm')`, `ref('m', v=2)`, `source('s', 't')` or `this`.
pub fn parse_input(text: &str) -> Result<Input, SpecError> {
    let bad = || SpecError::BadInput {
        input: text.to_string(),
    };
    let t = text.trim();
    if t == "this" {
        return Ok(Input::This);
    }
    let re = crate::static_regex!(r#"^(ref|source)\s*\((.*)\)$"#);
    let cap = re.captures(t).ok_or_else(bad)?;
    let mut positional = Vec::new();
    let mut version = None;
    for arg in split_args(&cap[2]) {
        let arg = arg.trim();
        if let Some((key, value)) = arg.split_once('=')
            && matches!(key.trim(), "v" | "version")
        {
            version = Some(unquote(value.trim()).unwrap_or(value.trim()).to_string());
        } else {
            positional.push(unquote(arg).ok_or_else(bad)?.to_string());
        }
    }
    match (&cap[1], positional.as_slice()) {
        ("ref", [name]) => Ok(Input::Ref(RefCall {
            package: None,
            name: name.clone(),
            version,
        })),
        ("ref", [package, name]) => Ok(Input::Ref(RefCall {
            package: Some(package.clone()),
            name: name.clone(),
            version,
        })),
        ("source", [source, table]) if version.is_none() => {
            Ok(Input::Source(source.clone(), table.clone()))
        }
        _ => Err(bad()),
    }
}

fn split_args(text: &str) -> Vec<&str> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut quote = None;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn unquote(s: &str) -> Option<&str> {
    let inner = s
        .strip_prefix('\'')
        .and_then(|r| r.strip_suffix('\''))
        .or_else(|| s.strip_prefix('"').and_then(|r| r.strip_suffix('"')))?;
    Some(inner)
}

fn overrides(test: &str, value: &Json) -> Result<Overrides, SpecError> {
    let section = |key: &str| -> Result<IndexMap<String, Json>, SpecError> {
        match value.get(key) {
            None | Some(Json::Null) => Ok(IndexMap::new()),
            Some(Json::Object(m)) => Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            Some(_) => Err(SpecError::NotMapping {
                test: test.to_string(),
                key: format!("overrides.{key}"),
            }),
        }
    };
    let env_vars = section("env_vars")?
        .into_iter()
        .map(|(k, v)| {
            let text = match v {
                Json::String(s) => s,
                other => other.to_string(),
            };
            (k, text)
        })
        .collect();
    Ok(Overrides {
        macros: section("macros")?,
        vars: section("vars")?,
        env_vars,
    })
}

/// Reads `rows` / `fixture` of one `given` item or of `expect`.
struct Fixtures<'a> {
    test: &'a str,
    file: &'a str,
    dirs: &'a [PathBuf],
}

impl Fixtures<'_> {
    fn rows(&self, item: &Json, side: &'static str, may_be_seed: bool) -> Result<Rows, SpecError> {
        let format = item.get("format").and_then(Json::as_str).unwrap_or("dict");
        let rows = item.get("rows").filter(|r| !r.is_null());
        let fixture = item.get("fixture").and_then(Json::as_str);
        let not_text = |format| SpecError::NotText {
            test: self.test.to_string(),
            side,
            format,
        };
        match format {
            "dict" => match rows {
                Some(Json::Array(items)) => items
                    .iter()
                    .map(|r| match r {
                        Json::Object(m) => {
                            Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                        }
                        _ => Err(SpecError::NotDict {
                            test: self.test.to_string(),
                            side,
                        }),
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(Rows::Dicts),
                None if fixture.is_none() && may_be_seed => Ok(Rows::Seed),
                _ => Err(SpecError::NotDict {
                    test: self.test.to_string(),
                    side,
                }),
            },
            "csv" => {
                let text = match (rows, fixture) {
                    (_, Some(name)) => self.read(name, "csv")?,
                    (Some(Json::String(s)), None) => s.clone(),
                    _ => return Err(not_text("csv")),
                };
                Ok(Rows::Dicts(super::csv::rows(&text)))
            }
            "sql" => match (rows, fixture) {
                (_, Some(name)) => Ok(Rows::Sql(self.read(name, "sql")?)),
                (Some(Json::String(s)), None) => Ok(Rows::Sql(s.clone())),
                _ => Err(not_text("sql")),
            },
            other => Err(SpecError::BadFormat {
                test: self.test.to_string(),
                format: other.to_string(),
            }),
        }
    }

    /// A fixture file's text: `<name>.<ext>` anywhere under the fixture directories,
    /// stripped of surrounding whitespace as dbt reads project files.
    fn read(&self, name: &str, ext: &str) -> Result<String, SpecError> {
        let path = self
            .dirs
            .iter()
            .find_map(|d| find_file(d, &format!("{name}.{ext}")))
            .ok_or_else(|| SpecError::NoFixtureFile {
                fixture: name.to_string(),
                file: self.file.to_string(),
            })?;
        std::fs::read_to_string(&path)
            .map(|t| t.trim().to_string())
            .map_err(|e| SpecError::Unreadable {
                path: path.display().to_string(),
                message: e.to_string(),
            })
    }
}

fn find_file(dir: &Path, file_name: &str) -> Option<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_type().is_file() && e.file_name().to_str() == Some(file_name))
        .map(|e| e.into_path())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::ResourceType;
    use serde_json::json;

    fn node(yaml: Json) -> Node {
        let mut n = Node::new(ResourceType::UnitTest, "p", "t", "unit_test.p.m.t".into());
        n.origin.file = "models/_unit.yml".into();
        if let Json::Object(m) = yaml {
            n.extra = m.into_iter().collect();
        }
        n
    }

    #[test]
    fn inputs_are_refs_sources_or_this() {
        assert_eq!(
            parse_input("ref('a')"),
            Ok(Input::Ref(RefCall {
                package: None,
                name: "a".into(),
                version: None
            }))
        );
        assert_eq!(
            parse_input(" ref(\"pkg\", 'a', v=2) "),
            Ok(Input::Ref(RefCall {
                package: Some("pkg".into()),
                name: "a".into(),
                version: Some("2".into())
            }))
        );
        assert_eq!(
            parse_input("source('raw', 'orders')"),
            Ok(Input::Source("raw".into(), "orders".into()))
        );
        assert_eq!(parse_input("this"), Ok(Input::This));
        let err = parse_input("select 1").unwrap_err();
        assert_eq!(
            err.to_string(),
            "Unit test given inputs must be either a 'ref', 'source' or 'this' call. Got: 'select 1'."
        );
        assert!(parse_input("ref(a)").is_err());
    }

    #[test]
    fn dict_csv_and_sql_rows_are_normalised() {
        let n = node(json!({
            "model": "m",
            "given": [
                {"input": "ref('a')", "rows": [{"id": 1}]},
                {"input": "ref('b')", "format": "csv", "rows": "id,name\n1,\n"},
                {"input": "this", "format": "sql", "rows": "select 1 as id"},
                {"input": "ref('seed_x')"},
            ],
            "expect": {"rows": [{"id": 1}]},
            "overrides": {"macros": {"is_incremental": true}, "env_vars": {"N": 3}},
        }));
        let spec = UnitSpec::from_node(&n, &[]).unwrap();
        assert_eq!(spec.model, "m");
        assert_eq!(
            spec.given[0].rows,
            Rows::Dicts(vec![[("id".to_string(), json!(1))].into_iter().collect()])
        );
        assert_eq!(
            spec.given[1].rows,
            Rows::Dicts(vec![
                [
                    ("id".to_string(), json!("1")),
                    ("name".to_string(), Json::Null)
                ]
                .into_iter()
                .collect()
            ])
        );
        assert_eq!(spec.given[2].rows, Rows::Sql("select 1 as id".into()));
        assert_eq!(spec.given[3].rows, Rows::Seed);
        assert!(spec.this_given());
        assert_eq!(spec.overrides.is_incremental(), Some(true));
        assert_eq!(spec.overrides.env_vars["N"], "3");
    }

    #[test]
    fn mismatched_rows_and_formats_are_reported() {
        let n = node(json!({
            "model": "m",
            "given": [{"input": "ref('a')", "format": "csv", "rows": [{"id": 1}]}],
            "expect": {"rows": []},
        }));
        assert_eq!(
            UnitSpec::from_node(&n, &[]).unwrap_err().to_string(),
            "Unit test t has input rows or fixtures which do not match format csv. Expected string."
        );
        let n = node(json!({"model": "m", "given": [], "expect": {"rows": "a,b"}}));
        assert_eq!(
            UnitSpec::from_node(&n, &[]).unwrap_err().to_string(),
            "Unit test t has expected rows which do not match format dict"
        );
        let n = node(json!({"model": "m", "given": []}));
        assert_eq!(
            UnitSpec::from_node(&n, &[]).unwrap_err(),
            SpecError::Missing {
                test: "t".into(),
                key: "expect"
            }
        );
    }

    #[test]
    fn fixture_files_are_found_under_the_fixture_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let fixtures = dir.path().join("tests/fixtures/nested");
        std::fs::create_dir_all(&fixtures).unwrap();
        std::fs::write(fixtures.join("expected.csv"), "\nid\n1\n2\n").unwrap();
        let dirs = vec![dir.path().join("tests/fixtures")];
        let n = node(json!({
            "model": "m",
            "given": [],
            "expect": {"format": "csv", "fixture": "expected"},
        }));
        let spec = UnitSpec::from_node(&n, &dirs).unwrap();
        let Rows::Dicts(rows) = spec.expect else {
            panic!("csv rows expected")
        };
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1]["id"], json!("2"));
        let n = node(json!({
            "model": "m",
            "given": [],
            "expect": {"format": "sql", "fixture": "missing"},
        }));
        assert_eq!(
            UnitSpec::from_node(&n, &dirs).unwrap_err().to_string(),
            "File not found for fixture 'missing' in unit tests in models/_unit.yml"
        );
    }
}
