//! Python pattern and replacement syntax -> Rust `regex` syntax and replacement pieces; `re.escape`.

use minijinja::Error;

use super::args::err;
use super::re::Pattern;

/// Python pattern syntax -> Rust regex syntax where the two differ: `\Z`, `{,n}`, a `{` that
/// is not a repetition, and `[` / `&&` / `~~` inside a character class.
pub(super) fn translate_pattern(p: &str) -> Result<String, Error> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::with_capacity(p.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err(err(format!("re: bad escape (end of pattern) in '{p}'")));
                };
                if n == 'Z' && !in_class {
                    out.push_str("\\z");
                } else {
                    out.push('\\');
                    out.push(n);
                }
                i += 2;
                continue;
            }
            '[' if in_class => out.push_str("\\["),
            '[' => {
                in_class = true;
                out.push('[');
                // `]` (after an optional `^`) right at the start is a literal.
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i + 1) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '(' if !in_class
                && chars.get(i + 1) == Some(&'?')
                && chars.get(i + 2) == Some(&'P')
                && chars.get(i + 3) == Some(&'=') =>
            {
                return Err(err(format!(
                    "re: backreferences (?P=...) are not supported: '{p}'"
                )));
            }
            '{' if !in_class => {
                let close = chars[i..].iter().position(|&c| c == '}').map(|k| i + k);
                let inner: Option<String> = close.map(|e| chars[i + 1..e].iter().collect());
                match inner {
                    Some(inner) if is_repetition(&inner) => {
                        if inner.starts_with(',') {
                            out.push_str(&format!("{{0{inner}}}"));
                        } else {
                            out.push_str(&format!("{{{inner}}}"));
                        }
                        i += inner.chars().count() + 2;
                        continue;
                    }
                    _ => out.push_str("\\{"),
                }
            }
            '}' if !in_class => out.push_str("\\}"),
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

fn is_repetition(inner: &str) -> bool {
    let (a, b) = match inner.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (inner, None),
    };
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    digits(a) && b.is_none_or(digits) && (!a.is_empty() || b.is_some_and(|b| !b.is_empty()))
}

/// Python's `re.escape`.
pub(super) fn py_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub(super) enum ReplPiece {
    Text(String),
    Group(usize),
}

/// A Python replacement template: `\1`, `\g<1>`, `\g<name>` and the usual escapes.
pub(super) fn parse_repl(r: &str, pat: &Pattern) -> Result<Vec<ReplPiece>, Error> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let chars: Vec<char> = r.chars().collect();
    let groups = pat.groups();
    let mut i = 0;
    let push_group =
        |pieces: &mut Vec<ReplPiece>, text: &mut String, g: usize| -> Result<(), Error> {
            if g > groups {
                return Err(err(format!("re: invalid group reference {g}")));
            }
            if !text.is_empty() {
                pieces.push(ReplPiece::Text(std::mem::take(text)));
            }
            pieces.push(ReplPiece::Group(g));
            Ok(())
        };
    while i < chars.len() {
        let c = chars[i];
        if c != '\\' {
            text.push(c);
            i += 1;
            continue;
        }
        let Some(&n) = chars.get(i + 1) else {
            return Err(err("re: bad escape (end of replacement)"));
        };
        i += 2;
        match n {
            'g' => {
                let close = chars[i..].iter().position(|&c| c == '>');
                let (true, Some(close)) = (chars.get(i) == Some(&'<'), close) else {
                    return Err(err("re: missing < or > in \\g<...>"));
                };
                let name: String = chars[i + 1..i + close].iter().collect();
                let g = match name.parse::<usize>() {
                    Ok(g) => g,
                    Err(_) => pat
                        .search
                        .capture_names()
                        .position(|n| n == Some(name.as_str()))
                        .ok_or_else(|| err(format!("re: unknown group name '{name}'")))?,
                };
                push_group(&mut pieces, &mut text, g)?;
                i += close + 1;
            }
            '1'..='9' => {
                let mut g = n.to_digit(10).unwrap_or(0) as usize;
                if let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    g = g * 10 + d as usize;
                    i += 1;
                }
                push_group(&mut pieces, &mut text, g)?;
            }
            'n' => text.push('\n'),
            't' => text.push('\t'),
            'r' => text.push('\r'),
            'f' => text.push('\x0c'),
            'v' => text.push('\x0b'),
            'a' => text.push('\x07'),
            'b' => text.push('\x08'),
            '\\' => text.push('\\'),
            c if c.is_ascii_alphabetic() => {
                return Err(err(format!("re: bad escape \\{c} in replacement")));
            }
            c => {
                text.push('\\');
                text.push(c);
            }
        }
    }
    if !text.is_empty() {
        pieces.push(ReplPiece::Text(text));
    }
    Ok(pieces)
}
