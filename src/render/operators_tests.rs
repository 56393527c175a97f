//! Tests for `operators`: the rewrite itself, and templates rendered through `prepare` with
//! `pymodules` registered.

use super::rewrite_operators as rw;
use crate::render::{prepare, pymodules, pyobj};
use minijinja::Environment;

const TD: &str = "modules.datetime.timedelta";

fn env() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
    pyobj::register(&mut env);
    pymodules::register(&mut env);
    env
}

fn try_render(src: &str) -> Result<String, String> {
    env()
        .render_str(&prepare::node_template(src), ())
        .map_err(|e| format!("{e:#}"))
}

fn render(src: &str) -> String {
    try_render(src).unwrap_or_else(|e| panic!("{src} -> {}: {e}", rw(src)))
}

#[test]
fn rewrites_date_operators_with_jinja_precedence() {
    let cases = [
        (
            "{{ run_started_at - x }}",
            "{{ __xf_sub(run_started_at, x) }}",
        ),
        (
            "{{ a - b - run_started_at }}",
            "{{ __xf_sub(a - b, run_started_at) }}",
        ),
        (
            "{{ run_started_at - a - b }}",
            "{{ __xf_sub(__xf_sub(run_started_at, a), b) }}",
        ),
        (
            "{{ run_started_at - td | f(1) }}",
            "{{ __xf_sub(run_started_at, td | f(1)) }}",
        ),
        (
            "{{ x ~ run_started_at - y }}",
            "{{ __xf_sub(x ~ run_started_at, y) }}",
        ),
        (
            "{{ 1 + modules.x ~ 'a' }}",
            "{{ __xf_add(1, modules.x ~ 'a') }}",
        ),
        (
            "{{ -n * datetime.x }}{{ -1 * x }}",
            "{{ __xf_mul(-n, datetime.x) }}{{ -1 * x }}",
        ),
        (
            "{{ d + timedelta(days=1) * 2 + 1 }}",
            "{{ __xf_add(__xf_add(d, __xf_mul(timedelta(days=1), 2)), 1) }}",
        ),
        (
            "{{ x + 1 if (run_started_at - y).days > 1 + z else 0 }}",
            "{{ x + 1 if (__xf_sub(run_started_at, y)).days > 1 + z else 0 }}",
        ),
        (
            "{{ f(a=date(2024, 1, 1) - b, c=[x - 1]) is not none and not run_started_at-y }}",
            "{{ f(a=__xf_sub(date(2024, 1, 1), b), c=[x - 1]) is not none and not __xf_sub(run_started_at, y) }}",
        ),
        (
            "{%- if run_started_at - a > b -%}{% elif b < run_started_at + c %}",
            "{%- if __xf_sub(run_started_at, a) > b -%}{% elif b < __xf_add(run_started_at, c) %}",
        ),
        (
            "{% for i in range(3) if run_started_at - i %}{% do f(run_started_at + 1) %}",
            "{% for i in range(3) if __xf_sub(run_started_at, i) %}{% do f(__xf_add(run_started_at, 1)) %}",
        ),
        (
            "{% with a = run_started_at + b, c = 1 - 2 %}",
            "{% with a = __xf_add(run_started_at, b), c = 1 - 2 %}",
        ),
        (
            "{% set d = date(2024, 1, 1) %}{% set e = d + x %}{{ e - y }}{{ f.e - y }}",
            "{% set d = date(2024, 1, 1) %}{% set e = __xf_add(d, x) %}{{ __xf_sub(e, y) }}{{ f.e - y }}",
        ),
        (
            "{% set a, b = run_started_at - x, 1 %}{{ x[run_started_at - 1:] }}",
            "{% set a, b = __xf_sub(run_started_at, x), 1 %}{{ x[__xf_sub(run_started_at, 1):] }}",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(rw(src), want, "source: {src}");
    }
}

#[test]
fn leaves_everything_else_alone() {
    for src in [
        "{{ 1 + 2 }}{{ 'a' + 'b' }}{{ -x + 1 }}{% set y = x - 1 %}{{ y * 2 }}",
        "select run_started_at - 1 from t {{ 'run_started_at - 1' }}",
        "{# {{ run_started_at - x }} #}{% raw %}{{ run_started_at - x }}{% endraw %}",
        "{% set d = date(2024, 1, 1) %}{{ x.d - 1 }}{{ dd - 1 }}",
        // Statements the parser does not cover, and templates minijinja rejects.
        "{% macro m(n=1 - 2, d=run_started_at) %}{{ n }}{% endmacro %}{{ m() }}",
        "{% call(x) run_started_at - m() %}{% endcall %}",
        "{{ run_started_at - }}{{ run_started_at - (1 }}{{ run_started_at + $ }}",
        "{{ run_started_at - 'x",
    ] {
        assert_eq!(rw(src), src);
    }
    assert_eq!(
        render("{% macro m(n=1 - 2, d=run_started_at) %}{{ n }}{% endmacro %}{{ m() }}"),
        "-1"
    );
    let src = "{% set t = run_started_at %}{{ 1 + 2 }}{{ 'a' + 'b' }}{% set x = 2 %}{{ -x + 1 }}{{ [1] + [2] }}{{ 7 - 0.5 }}";
    assert_eq!(rw(src), src);
    assert_eq!(render(src), "3ab-1[1, 2]6.5");
}

#[test]
fn date_arithmetic_renders_like_python() {
    let cases = [
        (
            format!("{{{{ (modules.datetime.date(2024,4,1) + {TD}(days=364)).strftime('%Y-%m-%d') }}}}"),
            "2025-03-31",
        ),
        (
            format!("{{% set start = modules.datetime.date(2024, 1, 1) %}}{{{{ start + {TD}(days=31) }}}}"),
            "2024-02-01",
        ),
        (
            "{{ modules.datetime.date(2024, 3, 1) - modules.datetime.date(2024, 1, 1) }}".into(),
            "60 days, 0:00:00",
        ),
        (
            format!("{{% set a = modules.datetime.datetime(2024, 1, 2, 12) %}}{{{{ a - modules.datetime.datetime(2024, 1, 1) }}}} {{{{ a - {TD}(hours=13) }}}} {{{{ {TD}(days=1) + a }}}}"),
            "1 day, 12:00:00 2024-01-01 23:00:00 2024-01-03 12:00:00",
        ),
        (
            format!("{{% set td = {TD}(hours=1) %}}{{{{ td * 2 }}}} {{{{ 3 * td }}}} {{{{ td * 1.5 }}}} {{{{ td + td }}}} {{{{ td - td * 2 }}}}"),
            "2:00:00 3:00:00 1:30:00 2:00:00 -1 day, 23:00:00",
        ),
        (
            // Python uses whole days of the timedelta for dates.
            format!("{{% set d = modules.datetime.date(2024, 1, 2) %}}{{{{ d - {TD}(hours=1) }}}} {{{{ d + {TD}(hours=25) }}}}"),
            "2024-01-02 2024-01-03",
        ),
        (
            // Other operands fall back to minijinja's operators.
            "{% set d = modules.datetime.date(2024, 1, 1) %}{{ d.year + 1 }} {{ d.year - 0.5 }} {{ d.isoformat() + '!' }} {{ [d.day] + [2] }} {{ d.month * 3 }} {{ 'ab' * (d.month + 1) }}".into(),
            "2025 2023.5 2024-01-01! [1, 2] 3 abab",
        ),
        (
            format!("{{% macro shift(n) %}}{{% set base = modules.datetime.date(2024, 1, 1) %}}{{{{ base + {TD}(days=n) }}}}{{% endmacro %}}{{{{ shift(2) }}}}"),
            "2024-01-03",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(render(&src), want, "source: {src}");
    }
    let yesterday = format!(
        "{{% set d = run_started_at - {TD}(days=1) %}}{{{{ (run_started_at - d).days }}}} {{{{ d < run_started_at }}}}"
    );
    assert_eq!(render(&yesterday), "1 True");
    assert_eq!(
        render(&format!(
            "{{{{ (run_started_at - {TD}(days=3)).strftime('%Y') }}}}"
        )),
        render(&format!(
            "{{{{ run_started_at.sub({TD}(days=3)).strftime('%Y') }}}}"
        ))
    );
}

#[test]
fn errors_like_python_or_minijinja() {
    let e = try_render("{{ modules.datetime.date(2024, 1, 1) + 1 }}").unwrap_err();
    assert!(
        e.contains("unsupported operand type(s) for +: 'datetime.date' and 'number'"),
        "{e}"
    );
    let e = try_render("{% set d = modules.datetime.date(2024, 1, 1) %}{{ d.isoformat() + 1 }}")
        .unwrap_err();
    assert!(
        e.contains("tried to use + operator on unsupported types"),
        "{e}"
    );
    let e = try_render(&format!(
        "{{{{ modules.datetime.datetime(9999, 12, 31) + {TD}(days=1) }}}}"
    ))
    .unwrap_err();
    assert!(e.contains("out of range"), "{e}");
    let e = try_render(&format!(
        "{{{{ modules.datetime.date(2024, 1, 1).add({TD}(days=999999999)) }}}}"
    ))
    .unwrap_err();
    assert!(e.contains("out of range"), "{e}");
}

#[test]
fn keeps_every_line() {
    let src = format!(
        "{{%- set d = run_started_at\n  - {TD}(\n    days=1) -%}}\nm3{{{{ (run_started_at\n - d).days }}}}\nm5 {{{{ d\n+\n{TD}(days=1) == run_started_at }}}}"
    );
    let out = rw(&src);
    assert!(out.contains("__xf_sub(run_started_at\n  , "), "{out}");
    assert_eq!(out.matches('\n').count(), src.matches('\n').count());
    for marker in ["m3", "m5"] {
        let line = |s: &str| s.lines().position(|l| l.contains(marker));
        assert_eq!(line(&out), line(&src), "{out}");
    }
    assert_eq!(render(&src), "m31\nm5 True");
}

#[test]
fn macro_files_are_rewritten_too() {
    let src = "{% macro yesterday() %}{% set now = run_started_at %}{{ return(now - modules.datetime.timedelta(days=1)) }}{% endmacro %}";
    let out = prepare::macro_file(src);
    assert!(
        out.contains("return(__xf_sub(now, modules.datetime.timedelta(days=1)))"),
        "{out}"
    );
}

#[test]
fn project_templates_still_compile_with_the_same_lines() {
    let mut files = Vec::new();
    let mut dirs = vec![
        std::path::PathBuf::from("tests/fixtures"),
        std::path::PathBuf::from("src/render/macros"),
    ];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "sql") {
                files.push(path);
            }
        }
    }
    assert!(files.len() > 10);
    let env = Environment::new();
    let mut rewritten = 0;
    for path in files {
        let src = std::fs::read_to_string(&path).unwrap_or_default();
        let lit = crate::render::literals::rewrite_literals(&src);
        let out = rw(&lit);
        assert_eq!(
            out.matches('\n').count(),
            lit.matches('\n').count(),
            "{path:?}"
        );
        if out != lit {
            rewritten += 1;
        }
        if env.template_from_str(&lit).is_ok()
            && let Err(e) = env.template_from_str(&out)
        {
            panic!("{path:?}: {e:#}\n{out}");
        }
    }
    assert!(rewritten >= 2, "{rewritten}");
}
