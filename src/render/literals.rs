//! Template source in, template source out with `[..]`/`{..}` literals inside Jinja tags turned into `__xf_list(..)`/`__xf_dict(..)` calls.
//!
//! The calls build the mutable [`super::pyobj`] values, so `{% set cols = [] %}` followed
//! by `{% do cols.append(x) %}` works as in dbt. The rewrite is a single linear pass that
//! lexes just enough Jinja (tags, comments, raw blocks, strings, brackets) to tell a
//! literal `[` from a subscript `x[0]`. Text outside tags, comments, raw blocks and string
//! literals are copied byte for byte, and no newline is added or removed, so every token
//! stays on its line and template line numbers are unchanged.

/// Literals with more top-level commas than this are built from a stock literal
/// (`__xf_list(*[..])`, `__xf_dict({..})`): minijinja allows at most 65,535 call arguments.
const MAX_DIRECT_ARGS: usize = 30_000;

const LIST_CALL: &str = "__xf_list(";
const DICT_CALL: &str = "__xf_dict(";

/// Identifiers after which a `[` opens a list literal rather than a subscript.
const EXPR_KEYWORDS: &[&str] = &["in", "not", "and", "or", "if", "elif", "else", "is"];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `(..)` or a subscript `x[..]`: copied as is.
    Group,
    List,
    Dict,
}

struct Frame {
    kind: Kind,
    /// Output offset just after the constructor's `(`.
    args_at: usize,
    commas: usize,
    /// Output offsets of `:` that became `,` (dict frames only).
    colons: Vec<usize>,
}

/// Rewrites list and dict literals inside `{{ }}` / `{% %}` into constructor calls,
/// keeping every newline (and so every line number) in place.
pub fn rewrite_literals(template_src: &str) -> String {
    let src = template_src;
    let b = src.as_bytes();
    let mut out = String::with_capacity(src.len() + src.len() / 16);
    let mut i = 0;
    while i < b.len() {
        let Some(pos) = find_tag_start(src, i) else {
            out.push_str(&src[i..]);
            break;
        };
        out.push_str(&src[i..pos]);
        let mut j = pos + 2;
        match b[pos + 1] {
            b'#' => {
                let end = src[j..].find("#}").map_or(b.len(), |e| j + e + 2);
                out.push_str(&src[pos..end]);
                i = end;
                continue;
            }
            b'%' => {
                if matches!(b.get(j), Some(b'-' | b'+')) {
                    j += 1;
                }
                if let Some(tag_end) = match_basic_tag(b, j, "raw", false) {
                    let end = find_endraw(src, tag_end);
                    out.push_str(&src[pos..end]);
                    i = end;
                    continue;
                }
                out.push_str(&src[pos..j]);
                i = rewrite_tag(src, j, b"%}", &mut out);
            }
            _ => {
                if matches!(b.get(j), Some(b'-' | b'+')) {
                    j += 1;
                }
                out.push_str(&src[pos..j]);
                i = rewrite_tag(src, j, b"}}", &mut out);
            }
        }
    }
    out
}

/// Offset of the next `{{`, `{%` or `{#` at or after `from`.
pub(super) fn find_tag_start(src: &str, from: usize) -> Option<usize> {
    let b = src.as_bytes();
    let mut at = from;
    loop {
        let pos = at + src[at..].find('{')?;
        if matches!(b.get(pos + 1), Some(b'{' | b'%' | b'#')) {
            return Some(pos);
        }
        at = pos + 1;
    }
}

pub(super) fn skip_ws(b: &[u8], mut j: usize) -> usize {
    while j < b.len() && b[j].is_ascii_whitespace() {
        j += 1;
    }
    j
}

/// Matches `[-+]? ws name ws [-+]? %}` at `j` (the part after `{%`), as minijinja does
/// for `raw`/`endraw`; returns the offset after `%}`.
pub(super) fn match_basic_tag(
    b: &[u8],
    mut j: usize,
    name: &str,
    ws_control: bool,
) -> Option<usize> {
    if ws_control && matches!(b.get(j), Some(b'-' | b'+')) {
        j += 1;
    }
    j = skip_ws(b, j);
    if !b.get(j..)?.starts_with(name.as_bytes()) {
        return None;
    }
    j = skip_ws(b, j + name.len());
    if matches!(b.get(j), Some(b'-' | b'+')) {
        j += 1;
    }
    b.get(j..)?.starts_with(b"%}").then_some(j + 2)
}

/// Offset just past the `{% endraw %}` closing a raw block whose body starts at `from`
/// (end of input if there is none; minijinja reports that error).
pub(super) fn find_endraw(src: &str, from: usize) -> usize {
    let b = src.as_bytes();
    let mut at = from;
    while let Some(rel) = src[at..].find("{%") {
        let body = at + rel + 2;
        if let Some(end) = match_basic_tag(b, body, "endraw", true) {
            return end;
        }
        at = body;
    }
    b.len()
}

pub(super) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

pub(super) fn is_ident_continue(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Rewrites the inside of one tag starting at `start` (after the opening delimiter and
/// its whitespace-control sign) up to and including `closer`; returns the offset after it.
fn rewrite_tag(src: &str, start: usize, closer: &[u8], out: &mut String) -> usize {
    let b = src.as_bytes();
    let is_block = closer == b"%}";
    let mut stack: Vec<Frame> = Vec::new();
    // Whether the last token ends an operand, making a following `[` a subscript.
    let mut after_operand = false;
    // The first word of a block tag is its statement keyword (`if`, `for`, `include`...).
    let mut first_word = is_block;
    let mut j = start;
    while j < b.len() {
        let c = b[j];
        if c.is_ascii_whitespace() {
            let end = skip_ws(b, j);
            out.push_str(&src[j..end]);
            j = end;
            continue;
        }
        if stack.is_empty() {
            let sign = usize::from(matches!(c, b'-' | b'+'));
            if b[j + sign..].starts_with(closer) {
                let end = j + sign + closer.len();
                out.push_str(&src[j..end]);
                return end;
            }
        }
        let was_first_word = std::mem::take(&mut first_word);
        match c {
            b'\'' | b'"' => {
                let end = string_end(b, j);
                out.push_str(&src[j..end]);
                j = end;
                after_operand = true;
                continue;
            }
            c if is_ident_start(c) => {
                let mut end = j + 1;
                while end < b.len() && is_ident_continue(b[end]) {
                    end += 1;
                }
                let word = &src[j..end];
                out.push_str(word);
                after_operand = !was_first_word && !EXPR_KEYWORDS.contains(&word);
                j = end;
                continue;
            }
            c if c.is_ascii_digit() => {
                let mut end = j + 1;
                while end < b.len() && (is_ident_continue(b[end]) || b[end] == b'.') {
                    end += 1;
                }
                out.push_str(&src[j..end]);
                after_operand = true;
                j = end;
                continue;
            }
            b'[' if !after_operand => open(&mut stack, out, Kind::List, LIST_CALL),
            b'{' => open(&mut stack, out, Kind::Dict, DICT_CALL),
            b'(' | b'[' => open(
                &mut stack,
                out,
                Kind::Group,
                if c == b'(' { "(" } else { "[" },
            ),
            b']' | b'}' | b')' => {
                close(stack.pop(), c, out);
                after_operand = true;
                j += 1;
                continue;
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    top.commas += 1;
                }
                out.push(',');
            }
            b':' => match stack.last_mut() {
                Some(top) if top.kind == Kind::Dict => {
                    top.colons.push(out.len());
                    out.push(',');
                }
                _ => out.push(':'),
            },
            _ => {
                // Operators and punctuation are ASCII; anything else was handled above.
                out.push(char::from(c));
            }
        }
        after_operand = false;
        j += 1;
    }
    j
}

/// Offset after the string literal starting at `j` (end of input if unterminated).
pub(super) fn string_end(b: &[u8], j: usize) -> usize {
    let quote = b[j];
    let mut k = j + 1;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 2,
            c if c == quote => return k + 1,
            _ => k += 1,
        }
    }
    b.len()
}

fn open(stack: &mut Vec<Frame>, out: &mut String, kind: Kind, text: &str) {
    out.push_str(text);
    stack.push(Frame {
        kind,
        args_at: out.len(),
        commas: 0,
        colons: Vec::new(),
    });
}

/// Emits the closing bracket for `frame` (the user's own character for groups and for
/// unbalanced input, which minijinja then reports).
fn close(frame: Option<Frame>, c: u8, out: &mut String) {
    let Some(frame) = frame else {
        out.push(char::from(c));
        return;
    };
    match frame.kind {
        Kind::Group => out.push(char::from(c)),
        Kind::List if frame.commas > MAX_DIRECT_ARGS => {
            out.insert_str(frame.args_at, "*[");
            out.push_str("])");
        }
        Kind::Dict if frame.commas > MAX_DIRECT_ARGS => {
            for &pos in &frame.colons {
                out.replace_range(pos..pos + 1, ":");
            }
            out.insert(frame.args_at, '{');
            out.push_str("})");
        }
        Kind::List | Kind::Dict => out.push(')'),
    }
}

#[cfg(test)]
mod tests {
    use super::rewrite_literals as rw;
    use crate::render::pyobj;
    use minijinja::Environment;

    fn env(mutable: bool) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        if mutable {
            pyobj::register(&mut env);
        }
        env
    }

    fn render(src: &str) -> String {
        match env(true).render_str(&rw(src), ()) {
            Ok(out) => out,
            Err(err) => panic!("{src} -> {}: {err:#}", rw(src)),
        }
    }

    #[test]
    fn rewrites_literals_in_tags() {
        let cases = [
            ("{% set cols = [] %}", "{% set cols = __xf_list() %}"),
            ("{{ {} }}", "{{ __xf_dict() }}"),
            ("{{ [1, 'a'] }}", "{{ __xf_list(1, 'a') }}"),
            (
                r#"{{ {'a': 1, "b": x} }}"#,
                r#"{{ __xf_dict('a', 1, "b", x) }}"#,
            ),
            (
                "{{ {k: v, f(1): g[0]} }}",
                "{{ __xf_dict(k, v, f(1), g[0]) }}",
            ),
            (
                "{{ [[1, 2], [3]] }}",
                "{{ __xf_list(__xf_list(1, 2), __xf_list(3)) }}",
            ),
            (
                "{{ {'a': [1, {'b': 2}]} }}",
                "{{ __xf_dict('a', __xf_list(1, __xf_dict('b', 2))) }}",
            ),
            (
                "{{ {'a': {'b': 1}}}}",
                "{{ __xf_dict('a', __xf_dict('b', 1))}}",
            ),
            ("{{ [1, 2,] }}", "{{ __xf_list(1, 2,) }}"),
            (
                "{%- set x = [1] -%}{{- [2] -}}{%+ do y([]) +%}",
                "{%- set x = __xf_list(1) -%}{{- __xf_list(2) -}}{%+ do y(__xf_list()) +%}",
            ),
            (
                "{% for x in [1] %}{% if x in ['a'] or not [] %}",
                "{% for x in __xf_list(1) %}{% if x in __xf_list('a') or not __xf_list() %}",
            ),
            (
                "{{ a if b else [] }}{{ x | default([]) }}{{ f(a=[]) }}",
                "{{ a if b else __xf_list() }}{{ x | default(__xf_list()) }}{{ f(a=__xf_list()) }}",
            ),
            (
                "{% include ['a.sql', 'b.sql'] %}{% macro m(a=[], b={}) %}",
                "{% include __xf_list('a.sql', 'b.sql') %}{% macro m(a=__xf_list(), b=__xf_dict()) %}",
            ),
            (
                "{{ [1, 2][0] }}{{ {'a': 1}['a'] }}{{ x[[0][0]] }}",
                "{{ __xf_list(1, 2)[0] }}{{ __xf_dict('a', 1)['a'] }}{{ x[__xf_list(0)[0]] }}",
            ),
        ];
        for (src, want) in cases {
            assert_eq!(rw(src), want, "source: {src}");
        }
    }

    #[test]
    fn leaves_everything_else_alone() {
        for src in [
            "select [a], {b} from t where x = '{' and y = ']'",
            "{# {% set x = [1] %} {'a': 1} #}select 1",
            "{{ '[x]' ~ \"{y: [z]}\" ~ 'it\\'s [1]' }}",
            "{{ x[0] }}{{ x['k'] }}{{ x[1:] }}{{ x[:-1] }}{{ x[::2] }}{{ f()[0] }}{{ x[0][1] }}",
            "{{ 'abc'[0] }}{{ x.y['z'] }}{{ loop.cycle('a', 'b') }}{{ (1, 2)[0] }}",
            "{% raw %}{{ [1] }}{% set d = {} %}{% endraw %}[after]",
            "{%- raw -%} {{ [1] }} {%- endraw -%}",
            "{% raw %}{% endrawx %}{{ [1] }}{%+ endraw +%}",
            "{ {x} } {x}} {%",
            "",
        ] {
            assert_eq!(rw(src), src);
        }
        assert_eq!(
            rw("{% raw %}[1]{% endraw %}{{ [2] }}"),
            "{% raw %}[1]{% endraw %}{{ __xf_list(2) }}"
        );
        assert_eq!(rw("{# [1] #}{{ [2] }}"), "{# [1] #}{{ __xf_list(2) }}");
    }

    #[test]
    fn keeps_every_token_on_its_line() {
        let src = "m0 [x]\n{% set c = [\n  'm2',\n  {'m3':\n   m4},\n] %}m6\n{{ c[\nm7] }}{# \n #}m9\n{{ '\n[' ~ [m11\n] }}m12\n{% raw %}\nm14[x]{% endraw %}\n{{ {\n} }}m16";
        let out = rw(src);
        assert_eq!(out.lines().count(), src.lines().count());
        for (n, line) in out.lines().enumerate() {
            let marker = format!("m{n}");
            let expected = src.lines().nth(n).is_some_and(|l| l.contains(&marker));
            assert_eq!(line.contains(&marker), expected, "line {n} of\n{out}");
        }
        assert_eq!(render("{% set c = [\n1,\n2\n] %}{{ c | length }}"), "2");
    }

    #[test]
    fn tolerates_broken_templates() {
        for src in [
            "{{ [1 ",
            "{{ 'abc",
            "{% raw %}[1]",
            "{{ ]] }} [",
            "{{ {'a': ",
            "{{ 'a\\",
            "{#",
            "{{ x -",
            "{{",
        ] {
            let out = rw(src);
            assert_eq!(out.matches('\n').count(), src.matches('\n').count());
        }
    }

    #[test]
    fn huge_literals_do_not_exceed_the_argument_limit() {
        let items: Vec<String> = (0..40_000).map(|i| i.to_string()).collect();
        let list = format!(
            "{{% set c = [{}] %}}{{{{ c | length }}}}{{{{ c[-1] }}}}",
            items.join(", ")
        );
        assert_eq!(render(&list), "4000039999");
        let pairs: Vec<String> = (0..40_000).map(|i| format!("'k{i}': {i}")).collect();
        let dict = format!(
            "{{% set d = {{{}}} %}}{{% do d.update(z=1) %}}{{{{ d | length }}}}{{{{ d.k7 }}}}",
            pairs.join(", ")
        );
        assert_eq!(render(&dict), "400017");
    }

    #[test]
    fn prints_like_stock_minijinja() {
        // The same template through stock minijinja (immutable literals) and through the
        // rewrite (mutable objects) must render identically.
        for src in [
            "{{ ['a', \"b'c\", 1, 2.5, none, true, [1], {'k': 'v'}] }}",
            "{{ {'a': [1, 2], 'b': {'c': none}, 3: 'x'} }}",
            "{{ [3, 1, 2] | sort }}{{ ['b', 'a'] | join('-') }}{{ [1, 2] | tojson }}{{ {'a': [1]} | tojson }}",
            "{{ [] }}{{ {} }}{{ [[]] | length }}{{ [1, 2] | reverse | list }}{{ {'b': 1, 'a': 2} | dictsort }}",
            "{{ [1, 2] == [1, 2] }}{{ 2 in [1, 2] }}{{ 'a' in {'a': 1} }}{{ [1] is sequence }}{{ {} is mapping }}",
            "{{ {'a': 1}.items() | list }}{{ {'a': 1}.keys() | list }}{{ {'a': 1}.get('b', 2) }}{{ [1, 1].count(1) }}",
            "{% for k, v in {'x': 1, 'y': 2}.items() %}{{ k }}{{ v }}{% endfor %}{{ [1, 2] + [3] }}",
        ] {
            let stock = env(false).render_str(src, ());
            let ours = env(true).render_str(&rw(src), ());
            assert_eq!(ours.ok(), stock.ok(), "{src}");
        }
    }

    #[test]
    fn macro_builds_a_list_in_a_loop() {
        let src = "{% macro select_cols(cols, prefix) -%}\n  {%- set out = [] -%}\n  {%- for c in cols if c != 'skip' -%}\n    {%- do out.append(prefix ~ '.' ~ c) -%}\n  {%- endfor -%}\n  {{- out | join(', ') -}}\n{%- endmacro %}\nselect {{ select_cols(['a', 'skip', 'b'], 't') }}";
        assert_eq!(render(src), "\nselect t.a, t.b");
    }
}
