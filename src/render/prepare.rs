//! dbt template text -> text stock minijinja compiles, with every line kept where it was.
//!
//! dbt adds blocks Jinja does not have (`{% test %}`, `{% materialization %}`); macro
//! definitions are renamed (see `macros::LOCAL_PREFIX`).

use super::macros::LOCAL_PREFIX;

/// Prepares a macro file: renames definitions, turns `{% test %}` into macros, blanks
/// materialization blocks (their bodies run only when building).
pub fn macro_file(src: &str) -> String {
    let def = crate::static_regex!(r"(\{%-?\s*)(macro|test)(\s+)([A-Za-z_][A-Za-z0-9_]*)(\s*\()");
    let end_test = crate::static_regex!(r"(\{%-?\s*)endtest(\s*-?%\})");
    let mat =
        crate::static_regex!(r"(?s)\{%-?\s*materialization\s.*?\{%-?\s*endmaterialization\s*-?%\}");
    let text = mat.replace_all(src, |c: &regex::Captures| {
        "\n".repeat(c[0].matches('\n').count())
    });
    let text = def.replace_all(&text, |c: &regex::Captures| {
        let prefix = if &c[2] == "test" { "test_" } else { "" };
        format!(
            "{}macro{}{LOCAL_PREFIX}{prefix}{}{}",
            &c[1], &c[3], &c[4], &c[5]
        )
    });
    let text = end_test.replace_all(&text, "${1}endmacro${2}");
    rewrite_literals(&text)
}

/// Prepares a node's template (model, test, snapshot body, analysis).
///
/// dbt strips whitespace from both ends of a file before rendering; the leading part is
/// replaced by a Jinja comment holding its newlines, so lines still match the file.
pub fn node_template(src: &str) -> String {
    let body = src.trim_start();
    let lead = &src[..src.len() - body.len()];
    let newlines = lead.matches('\n').count();
    let body = body.trim_end();
    if newlines == 0 {
        return rewrite_literals(body);
    }
    rewrite_literals(&format!("{{#{}#}}{body}", "\n".repeat(newlines)))
}

/// List and dict literals become mutable objects (see `pyobj`), so `.append` works; date
/// arithmetic becomes `__xf_add`/`__xf_sub`/`__xf_mul` calls (see `operators`).
fn rewrite_literals(src: &str) -> String {
    let text = super::literals::rewrite_literals(src);
    match super::operators::rewrite_operators(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(rewritten) => rewritten,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames_definitions_and_tests_keeping_lines() {
        let src = "{% macro a(x) %}{{ x }}{% endmacro %}\n{% test nn(model) %}\nselect 1\n{% endtest %}\n{% materialization table, default %}\nx\n{% endmaterialization %}\nend";
        let out = macro_file(src);
        assert!(out.contains("{% macro __xf_m_a(x) %}"));
        assert!(out.contains("{% macro __xf_m_test_nn(model) %}"));
        assert!(out.contains("{% endmacro %}\n\n\n\nend"));
        assert_eq!(out.matches('\n').count(), src.matches('\n').count());
    }

    #[test]
    fn node_templates_are_stripped_but_keep_lines() {
        let out = node_template("\n\n  select 1\n\n");
        assert_eq!(out, "{#\n\n#}select 1");
        let env = minijinja::Environment::new();
        assert_eq!(env.render_str(&out, ()).unwrap(), "select 1");
    }
}
