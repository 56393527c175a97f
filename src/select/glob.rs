//! Glob patterns (`*`, `?`, `[abc]`, `[!a-z]`, `**` in paths) + text or a path -> whether they match.
//!
//! dbt matches names with Python's `fnmatch` (where `*` also crosses `.` and `/`) and paths
//! with `pathlib.Path.glob` (component by component, `**` spanning directories). Neither the
//! `glob` nor the `globset` crate reproduces fnmatch's `[!...]` and unclosed-`[` rules exactly,
//! and both want a filesystem or a compiled set, so this small matcher follows Python instead.

/// One piece of a compiled pattern.
#[derive(Debug)]
enum Token {
    Char(char),
    /// `?`
    One,
    /// `*`
    Star,
    /// `[...]`: inclusive ranges (a single char is `c..=c`), negated by a leading `!`.
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
}

/// Whether `s` contains a character fnmatch treats specially.
pub(crate) fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?', '[', ']'])
}

fn compile(pattern: &str) -> Vec<Token> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' => {
                if !matches!(out.last(), Some(Token::Star)) {
                    out.push(Token::Star);
                }
                i += 1;
            }
            '?' => {
                out.push(Token::One);
                i += 1;
            }
            '[' => match class(&chars, i) {
                Some((token, next)) => {
                    out.push(token);
                    i = next;
                }
                None => {
                    out.push(Token::Char('['));
                    i += 1;
                }
            },
            c => {
                out.push(Token::Char(c));
                i += 1;
            }
        }
    }
    out
}

/// Parses `[...]` starting at `chars[start] == '['`; `None` when it is never closed
/// (then fnmatch treats the `[` as a literal).
fn class(chars: &[char], start: usize) -> Option<(Token, usize)> {
    let mut j = start + 1;
    let negated = chars.get(j) == Some(&'!');
    if negated {
        j += 1;
    }
    // A `]` right after `[` or `[!` is a member, not the end.
    let body_start = j;
    if chars.get(j) == Some(&']') {
        j += 1;
    }
    while j < chars.len() && chars[j] != ']' {
        j += 1;
    }
    if j >= chars.len() {
        return None;
    }
    let body = &chars[body_start..j];
    let mut ranges = Vec::new();
    let mut k = 0;
    while k < body.len() {
        if k + 2 < body.len() && body[k + 1] == '-' {
            // Python drops reversed ranges such as `[z-a]`.
            if body[k] <= body[k + 2] {
                ranges.push((body[k], body[k + 2]));
            }
            k += 3;
        } else {
            ranges.push((body[k], body[k]));
            k += 1;
        }
    }
    Some((Token::Class { negated, ranges }, j + 1))
}

fn token_matches(token: &Token, c: char) -> bool {
    match token {
        Token::Char(p) => *p == c,
        Token::One => true,
        Token::Star => false,
        Token::Class { negated, ranges } => {
            ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&c)) != *negated
        }
    }
}

/// Python's `fnmatch.fnmatchcase(text, pattern)`: the whole text must match, case-sensitively.
pub(crate) fn fnmatch(text: &str, pattern: &str) -> bool {
    if !has_wildcard(pattern) {
        return text == pattern;
    }
    let tokens = compile(pattern);
    let text: Vec<char> = text.chars().collect();
    // Greedy match with backtracking to the most recent `*`.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match tokens.get(p) {
            Some(Token::Star) => {
                star = Some((p, t));
                p += 1;
            }
            Some(tok) if token_matches(tok, text[t]) => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    tokens[p..].iter().all(|tok| matches!(tok, Token::Star))
}

/// Splits a relative path into its components, dropping empty and `.` parts.
pub(crate) fn components(path: &str) -> Vec<&str> {
    path.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .collect()
}

/// `pathlib` glob semantics on components: each pattern part matches one path part with
/// fnmatch, except `**`, which matches any number of parts (including none).
pub(crate) fn path_glob(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| path_glob(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((head, tail)) => fnmatch(head, first) && path_glob(rest, tail),
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnmatch_follows_python() {
        assert!(fnmatch("stg_orders", "stg_*"));
        assert!(fnmatch("a.b/c", "*"));
        assert!(fnmatch("stg_a", "stg_?"));
        assert!(!fnmatch("stg_ab", "stg_?"));
        assert!(fnmatch("s001", "s00[0-9]"));
        assert!(!fnmatch("s00x", "s00[0-9]"));
        assert!(fnmatch("s00x", "s00[!0-9]"));
        assert!(fnmatch("a]", "a[]]"));
        assert!(fnmatch("a[b", "a[b"), "an unclosed [ is literal");
        assert!(fnmatch("abc", "a*c*"));
        assert!(fnmatch("", "*"));
        assert!(!fnmatch("Stg_a", "stg_*"), "case-sensitive");
        assert!(fnmatch("aXbXc", "a*b*c"));
        assert!(!fnmatch("aXbXd", "a*b*c"));
    }

    #[test]
    fn path_glob_is_per_component() {
        let p = components("models/staging/stg_a.sql");
        assert!(path_glob(&components("models/*/stg_a.sql"), &p));
        assert!(!path_glob(&components("models/*.sql"), &p));
        assert!(path_glob(&components("models/**/*.sql"), &p));
        assert!(path_glob(&components("**/stg_a.sql"), &p));
        assert!(path_glob(&components("./models/staging/stg_a.sql"), &p));
    }
}
