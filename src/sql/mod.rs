//! SQL checking: rendered SQL + dialect (+ minijinja output spans) -> syntax diagnostics pointing at the user's file:line.

pub mod bigquery_type;
pub mod check;
pub mod lineage;
pub mod mapping;

use minijinja::OutputSpan;

pub use check::{CheckOutcome, SqlSyntaxError, check, check_outcome};
pub use mapping::{LineMap, TemplatePos};

use crate::diagnostics::{Diagnostic, Location};
use crate::dialect::Dialect;

/// Checks rendered SQL and describes the first problem: an error for invalid SQL, a
/// warning for SQL our parser does not support (never an error), `None` when it parses.
///
/// `spans` come from `Template::render_with_spans` of a template named `user_file` (or
/// any name; output of other templates is then not told apart); `line_offset` is the
/// number of header lines prepended to the user's file before rendering.
pub fn diagnose(
    rendered: &str,
    spans: Option<&[OutputSpan]>,
    dialect: Dialect,
    user_file: &str,
    compiled_path: &str,
    line_offset: u32,
) -> Option<Diagnostic> {
    let map = spans.map(|spans| {
        let map = LineMap::new(rendered, spans).with_line_offset(line_offset);
        if map.has_template(user_file) {
            map.for_template(user_file)
        } else {
            map
        }
    });
    diagnose_mapped(rendered, dialect, map.as_ref(), user_file, compiled_path)
}

/// [`diagnose`] with a prepared [`LineMap`] (e.g. one built `with_source` for exact
/// columns on lines that start with Jinja).
pub fn diagnose_mapped(
    rendered: &str,
    dialect: Dialect,
    map: Option<&LineMap>,
    user_file: &str,
    compiled_path: &str,
) -> Option<Diagnostic> {
    let (diagnostic, error) = match check_outcome(rendered, dialect) {
        CheckOutcome::Ok => return None,
        CheckOutcome::SyntaxError(e) => (
            Diagnostic::error(format!("SQL syntax error: {}", e.message)),
            e,
        ),
        CheckOutcome::Unsupported { construct, error } => (
            Diagnostic::warning(format!(
                "SQL not checked: {construct} is not supported by xform's SQL parser ({})",
                error.message
            )),
            error,
        ),
    };
    let template = match map {
        Some(map) if error.line > 0 => map.template_position(error.line, error.column),
        _ => None,
    };
    let rendered_at = Location::new(compiled_path, error.line, error.column);
    Some(match template {
        Some(pos) if pos.literal => diagnostic
            .at(Location::new(user_file, pos.line, pos.column))
            .note(format!("in the rendered SQL at {rendered_at}")),
        other => {
            let d = diagnostic
                .at(rendered_at)
                .note(format!("rendered from {user_file}"));
            match other {
                Some(pos) => d.note(format!(
                    "the text comes from line {} of {user_file}",
                    pos.line
                )),
                None => d,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::Severity;
    use minijinja::{Environment, context};

    const USER: &str = "models/orders.sql";
    const COMPILED: &str = "target/compiled/p/models/orders.sql";

    fn render(template: &str) -> (String, Vec<OutputSpan>) {
        let mut env = Environment::new();
        env.add_template(USER, template)
            .unwrap_or_else(|e| panic!("{e}"));
        let tmpl = env.get_template(USER).unwrap_or_else(|e| panic!("{e}"));
        tmpl.render_with_spans(context!(cols => vec!["a", "b"]))
            .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn error_in_literal_text_points_at_the_user_file() {
        let tpl = "{{ config(materialized='table') if false }}\nselect a,, b\nfrom t\n";
        let (out, spans) = render(tpl);
        let d = diagnose(&out, Some(&spans), Dialect::DuckDb, USER, COMPILED, 0)
            .unwrap_or_else(|| panic!("no diagnostic for {out:?}"));
        assert_eq!(d.severity, Severity::Error);
        assert_eq!(d.location, Some(Location::new(USER, 2, 10)));
        assert!(
            d.message
                .starts_with("SQL syntax error: Expected: an expression"),
            "{}",
            d.message
        );
        assert_eq!(
            d.notes,
            vec![format!("in the rendered SQL at {COMPILED}:2:10")]
        );
    }

    #[test]
    fn error_in_expression_output_points_at_the_compiled_file() {
        let tpl = "{% macro bad() %}a,, b{% endmacro %}\nselect\n  {{ bad() }}\nfrom t\n";
        let (out, spans) = render(tpl);
        let d = diagnose(&out, Some(&spans), Dialect::BigQuery, USER, COMPILED, 0)
            .unwrap_or_else(|| panic!("no diagnostic for {out:?}"));
        assert!(d.is_error());
        assert_eq!(d.location, Some(Location::new(COMPILED, 3, 5)));
        assert_eq!(
            d.notes,
            vec![
                format!("rendered from {USER}"),
                format!("the text comes from line 3 of {USER}")
            ]
        );
    }

    #[test]
    fn line_offset_and_no_spans() {
        let tpl = "{# header #}\nselect 1\nfrom t where\n";
        let (out, spans) = render(tpl);
        let d = diagnose(&out, Some(&spans), Dialect::DuckDb, USER, COMPILED, 1)
            .unwrap_or_else(|| panic!("no diagnostic"));
        assert_eq!(d.location, Some(Location::new(USER, 2, 13)));

        let d = diagnose(&out, None, Dialect::DuckDb, USER, COMPILED, 0)
            .unwrap_or_else(|| panic!("no diagnostic"));
        assert_eq!(d.location, Some(Location::new(COMPILED, 3, 13)));
        assert_eq!(d.notes, vec![format!("rendered from {USER}")]);
    }

    #[test]
    fn valid_and_unsupported_sql() {
        let (out, spans) = render("select {% for c in cols %}{{ c }}, {% endfor %}1 from t");
        assert_eq!(
            diagnose(&out, Some(&spans), Dialect::DuckDb, USER, COMPILED, 0),
            None
        );

        let (out, spans) = render("pivot t\non year using sum(x)");
        let d = diagnose(&out, Some(&spans), Dialect::DuckDb, USER, COMPILED, 0)
            .unwrap_or_else(|| panic!("no diagnostic"));
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.location, Some(Location::new(USER, 1, 1)));
    }
}
