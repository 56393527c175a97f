//! `modules.re`: Python regex calls (match, search, sub, findall, split, compile) -> match objects, strings and lists.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

use minijinja::value::{Object, ObjectRepr, Value};
use minijinja::{Error, State};

use super::args::{bind, err, opt_int, required, str_of, unknown_method};
use super::map_value;
use super::re_syntax::{ReplPiece, parse_repl, py_escape, translate_pattern};

const FLAG_I: i64 = 2;

const FLAG_M: i64 = 8;

const FLAG_S: i64 = 16;

const FLAG_U: i64 = 32;

const FLAG_X: i64 = 64;

const FLAG_A: i64 = 256;

#[derive(Debug)]
pub(super) struct ReModule;

impl Object for ReModule {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        Some(Value::from(match key.as_str()? {
            "I" | "IGNORECASE" => FLAG_I,
            "M" | "MULTILINE" => FLAG_M,
            "S" | "DOTALL" => FLAG_S,
            "U" | "UNICODE" => FLAG_U,
            "X" | "VERBOSE" => FLAG_X,
            "A" | "ASCII" => FLAG_A,
            "NOFLAG" => 0,
            _ => return None,
        }))
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let pattern_arg =
            |p: &Option<Value>, flags: &Option<Value>| -> Result<Arc<Pattern>, Error> {
                let p = required(p, name, "pattern")?;
                let flags = opt_int(flags, "flags", 0)?;
                if let Some(compiled) = p.downcast_object::<Pattern>() {
                    if flags != 0 {
                        return Err(err("cannot process flags argument with a compiled pattern"));
                    }
                    return Ok(compiled);
                }
                Pattern::get(str_of(p, name)?, flags)
            };
        match name {
            "match" | "search" | "fullmatch" => {
                let [p, s, fl] = bind(name, args, ["pattern", "string", "flags"])?;
                let pat = pattern_arg(&p, &fl)?;
                pat.find(name, str_of(required(&s, name, "string")?, name)?)
            }
            "sub" | "subn" => {
                let [p, repl, s, count, fl] =
                    bind(name, args, ["pattern", "repl", "string", "count", "flags"])?;
                let pat = pattern_arg(&p, &fl)?;
                let repl = required(&repl, name, "repl")?;
                let s = str_of(required(&s, name, "string")?, name)?;
                pat.sub(state, name == "subn", repl, s, opt_int(&count, "count", 0)?)
            }
            "findall" => {
                let [p, s, fl] = bind(name, args, ["pattern", "string", "flags"])?;
                Ok(pattern_arg(&p, &fl)?.findall(str_of(required(&s, name, "string")?, name)?))
            }
            "finditer" => {
                let [p, s, fl] = bind(name, args, ["pattern", "string", "flags"])?;
                Ok(pattern_arg(&p, &fl)?.finditer(str_of(required(&s, name, "string")?, name)?))
            }
            "split" => {
                let [p, s, max, fl] = bind(name, args, ["pattern", "string", "maxsplit", "flags"])?;
                let pat = pattern_arg(&p, &fl)?;
                Ok(pat.split(
                    str_of(required(&s, name, "string")?, name)?,
                    opt_int(&max, "maxsplit", 0)?,
                ))
            }
            "compile" => {
                let [p, fl] = bind(name, args, ["pattern", "flags"])?;
                Ok(Value::from_dyn_object(pattern_arg(&p, &fl)?))
            }
            "escape" => {
                let [p] = bind(name, args, ["pattern"])?;
                Ok(Value::from(py_escape(str_of(
                    required(&p, name, "pattern")?,
                    name,
                )?)))
            }
            "purge" => Ok(Value::from(())),
            _ => Err(unknown_method("re", name)),
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<module 're'>")
    }
}

/// Compiled patterns by (source, flags).
type PatternCache = HashMap<(String, i64), Arc<Pattern>>;

/// A compiled pattern: the unanchored, start-anchored and fully-anchored regexes.
#[derive(Debug)]
pub(super) struct Pattern {
    source: String,
    flags: i64,
    pub(super) search: regex::Regex,
    at_start: regex::Regex,
    full: regex::Regex,
}

impl Pattern {
    /// Compiles (or reuses) `source` with Python `flags`.
    fn get(source: &str, flags: i64) -> Result<Arc<Pattern>, Error> {
        static CACHE: OnceLock<Mutex<PatternCache>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        let key = (source.to_string(), flags);
        if let Some(p) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(p);
        }
        let body = translate_pattern(source)?;
        let mut prefix = String::new();
        for (bit, c) in [(FLAG_I, 'i'), (FLAG_M, 'm'), (FLAG_S, 's'), (FLAG_X, 'x')] {
            if flags & bit != 0 {
                prefix.push(c);
            }
        }
        let prefix = if prefix.is_empty() {
            prefix
        } else {
            format!("(?{prefix})")
        };
        let build = |text: String| {
            regex::Regex::new(&text).map_err(|e| {
                err(format!(
                    "re: cannot compile pattern '{source}' (xform uses Rust regex syntax: no look-around or \
                     backreferences): {e}"
                ))
            })
        };
        let pattern = Arc::new(Pattern {
            source: source.to_string(),
            flags,
            search: build(format!("{prefix}{body}"))?,
            at_start: build(format!("{prefix}\\A(?:{body})"))?,
            full: build(format!("{prefix}\\A(?:{body})\\z"))?,
        });
        if let Ok(mut c) = cache.lock() {
            if c.len() > 512 {
                c.clear();
            }
            c.insert(key, pattern.clone());
        }
        Ok(pattern)
    }

    pub(super) fn groups(&self) -> usize {
        self.search.captures_len() - 1
    }

    fn match_value(self: &Arc<Self>, caps: &regex::Captures<'_>, s: &str) -> Value {
        Value::from_object(Match {
            pattern: self.clone(),
            text: s.to_string(),
            spans: (0..caps.len())
                .map(|i| caps.get(i).map(|m| (m.start(), m.end())))
                .collect(),
        })
    }

    fn find(self: &Arc<Self>, how: &str, s: &str) -> Result<Value, Error> {
        let re = match how {
            "match" => &self.at_start,
            "fullmatch" => &self.full,
            _ => &self.search,
        };
        Ok(re
            .captures(s)
            .map_or(Value::from(()), |c| self.match_value(&c, s)))
    }

    fn findall(self: &Arc<Self>, s: &str) -> Value {
        let n = self.groups();
        let group =
            |c: &regex::Captures<'_>, i: usize| Value::from(c.get(i).map_or("", |m| m.as_str()));
        Value::from(
            self.search
                .captures_iter(s)
                .map(|c| match n {
                    0 => group(&c, 0),
                    1 => group(&c, 1),
                    _ => Value::from((1..=n).map(|i| group(&c, i)).collect::<Vec<_>>()),
                })
                .collect::<Vec<_>>(),
        )
    }

    fn finditer(self: &Arc<Self>, s: &str) -> Value {
        Value::from(
            self.search
                .captures_iter(s)
                .map(|c| self.match_value(&c, s))
                .collect::<Vec<_>>(),
        )
    }

    fn split(self: &Arc<Self>, s: &str, maxsplit: i64) -> Value {
        let mut out = Vec::new();
        let mut last = 0;
        for (n, c) in self.search.captures_iter(s).enumerate() {
            if maxsplit > 0 && n as i64 >= maxsplit {
                break;
            }
            let Some(m) = c.get(0) else { continue };
            out.push(Value::from(&s[last..m.start()]));
            for i in 1..c.len() {
                out.push(
                    c.get(i)
                        .map_or(Value::from(()), |g| Value::from(g.as_str())),
                );
            }
            last = m.end();
        }
        out.push(Value::from(&s[last..]));
        Value::from(out)
    }

    fn sub(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        with_count: bool,
        repl: &Value,
        s: &str,
        count: i64,
    ) -> Result<Value, Error> {
        let template = match repl.as_str() {
            Some(r) => Some(parse_repl(r, self)?),
            None => None,
        };
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        let mut n = 0;
        for c in self.search.captures_iter(s) {
            if count > 0 && n >= count {
                break;
            }
            let Some(m) = c.get(0) else { continue };
            out.push_str(&s[last..m.start()]);
            match &template {
                Some(pieces) => {
                    for p in pieces {
                        match p {
                            ReplPiece::Text(t) => out.push_str(t),
                            ReplPiece::Group(i) => {
                                out.push_str(c.get(*i).map_or("", |g| g.as_str()))
                            }
                        }
                    }
                }
                None => {
                    let m = self.match_value(&c, s);
                    out.push_str(&repl.call(state, &[m])?.to_string());
                }
            }
            last = m.end();
            n += 1;
        }
        out.push_str(&s[last..]);
        Ok(if with_count {
            Value::from(vec![Value::from(out), Value::from(n)])
        } else {
            Value::from(out)
        })
    }
}

impl Object for Pattern {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        match key.as_str()? {
            "pattern" => Some(Value::from(self.source.clone())),
            "flags" => Some(Value::from(self.flags)),
            "groups" => Some(Value::from(self.groups())),
            "groupindex" => Some(map_value(
                self.search
                    .capture_names()
                    .enumerate()
                    .filter_map(|(i, n)| n.map(|n| (n.to_string(), Value::from(i)))),
            )),
            _ => None,
        }
    }

    fn call_method(
        self: &Arc<Self>,
        state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        match name {
            "match" | "search" | "fullmatch" => {
                let [s] = bind(name, args, ["string"])?;
                self.find(name, str_of(required(&s, name, "string")?, name)?)
            }
            "sub" | "subn" => {
                let [repl, s, count] = bind(name, args, ["repl", "string", "count"])?;
                let repl = required(&repl, name, "repl")?;
                let s = str_of(required(&s, name, "string")?, name)?;
                self.sub(state, name == "subn", repl, s, opt_int(&count, "count", 0)?)
            }
            "findall" => {
                let [s] = bind(name, args, ["string"])?;
                Ok(self.findall(str_of(required(&s, name, "string")?, name)?))
            }
            "finditer" => {
                let [s] = bind(name, args, ["string"])?;
                Ok(self.finditer(str_of(required(&s, name, "string")?, name)?))
            }
            "split" => {
                let [s, max] = bind(name, args, ["string", "maxsplit"])?;
                Ok(self.split(
                    str_of(required(&s, name, "string")?, name)?,
                    opt_int(&max, "maxsplit", 0)?,
                ))
            }
            _ => Err(unknown_method("re.Pattern", name)),
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "re.compile('{}')", self.source)
    }
}

/// A successful match: byte spans of every group (None when a group did not take part).
#[derive(Debug)]
struct Match {
    pattern: Arc<Pattern>,
    text: String,
    spans: Vec<Option<(usize, usize)>>,
}

impl Match {
    fn index(&self, g: &Value) -> Result<usize, Error> {
        if let Some(name) = g.as_str() {
            return self
                .pattern
                .search
                .capture_names()
                .position(|n| n == Some(name))
                .ok_or_else(|| err(format!("no such group: '{name}'")));
        }
        match g.as_i64() {
            Some(i) if i >= 0 && (i as usize) < self.spans.len() => Ok(i as usize),
            _ => Err(err(format!("no such group: {g}"))),
        }
    }

    fn group(&self, i: usize) -> Value {
        match self.spans.get(i).copied().flatten() {
            Some((a, b)) => Value::from(&self.text[a..b]),
            None => Value::from(()),
        }
    }

    /// Character (not byte) offsets, as Python reports them; -1 for a group that did not match.
    fn span(&self, i: usize) -> (i64, i64) {
        match self.spans.get(i).copied().flatten() {
            Some((a, b)) => (
                self.text[..a].chars().count() as i64,
                self.text[..b].chars().count() as i64,
            ),
            None => (-1, -1),
        }
    }
}

impl Object for Match {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        if let Some(name) = key.as_str() {
            return match name {
                "string" => Some(Value::from(self.text.clone())),
                "re" => Some(Value::from_dyn_object(self.pattern.clone())),
                "pos" => Some(Value::from(0)),
                "lastindex" => Some(
                    (1..self.spans.len())
                        .rev()
                        .find(|i| self.spans[*i].is_some())
                        .map_or(Value::from(()), Value::from),
                ),
                _ => self.index(key).ok().map(|i| self.group(i)),
            };
        }
        self.index(key).ok().map(|i| self.group(i))
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        name: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let one_group = |args: &[Value]| -> Result<usize, Error> {
            match args.first() {
                Some(g) => self.index(g),
                None => Ok(0),
            }
        };
        match name {
            "group" => match args.len() {
                0 | 1 => Ok(self.group(one_group(args)?)),
                _ => Ok(Value::from(
                    args.iter()
                        .map(|g| self.index(g).map(|i| self.group(i)))
                        .collect::<Result<Vec<_>, _>>()?,
                )),
            },
            "groups" | "groupdict" => {
                let [default] = bind(name, args, ["default"])?;
                let default = default.unwrap_or(Value::from(()));
                let value = |i: usize| {
                    let v = self.group(i);
                    if v.is_none() { default.clone() } else { v }
                };
                if name == "groups" {
                    Ok(Value::from(
                        (1..self.spans.len()).map(value).collect::<Vec<_>>(),
                    ))
                } else {
                    Ok(map_value(
                        self.pattern
                            .search
                            .capture_names()
                            .enumerate()
                            .filter_map(|(i, n)| n.map(|n| (n.to_string(), value(i)))),
                    ))
                }
            }
            "start" => Ok(Value::from(self.span(one_group(args)?).0)),
            "end" => Ok(Value::from(self.span(one_group(args)?).1)),
            "span" => {
                let (a, b) = self.span(one_group(args)?);
                Ok(Value::from(vec![Value::from(a), Value::from(b)]))
            }
            _ => Err(unknown_method("re.Match", name)),
        }
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (a, b) = self.span(0);
        write!(
            f,
            "<re.Match object; span=({a}, {b}), match='{}'>",
            self.group(0)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_env::{render, render_err};

    #[test]
    fn re_match_search_fullmatch() {
        let m = "{% set m = modules.re.match('(\\\\w+)-(?P<num>\\\\d+)', 'abc-123 rest') %}";
        assert_eq!(
            render(&format!(
                "{m}{{{{ m.group(0) }}}}|{{{{ m.group(1) }}}}|{{{{ m.group('num') }}}}|{{{{ m.groups() }}}}|{{{{ m.start(2) }}}}|{{{{ m.end() }}}}"
            )),
            "abc-123|abc|123|['abc', '123']|4|7"
        );
        assert_eq!(
            render(&format!(
                "{m}{{{{ m.group(1, 2) }}}}|{{{{ m.groupdict() }}}}|{{{{ m[1] }}}}"
            )),
            "['abc', '123']|{'num': '123'}|abc"
        );
        assert_eq!(
            render("{% if modules.re.match('b', 'abc') %}yes{% else %}no{% endif %}"),
            "no"
        );
        assert_eq!(
            render("{% if modules.re.search('b', 'abc') %}yes{% else %}no{% endif %}"),
            "yes"
        );
        assert_eq!(
            render("{{ modules.re.fullmatch('a|ab', 'ab').group() }}"),
            "ab"
        );
        assert_eq!(
            render("{{ modules.re.fullmatch('a', 'ab') is none }}"),
            "True"
        );
        assert_eq!(
            render("{{ modules.re.search('ABC', 'xabc', modules.re.IGNORECASE).span() }}"),
            "[1, 4]"
        );
        assert_eq!(
            render("{{ modules.re.search('ABC', 'xabc', flags=modules.re.I).start() }}"),
            "1"
        );
        assert_eq!(
            render("{{ modules.re.search('é(x)', 'aéx').start(1) }}"),
            "2"
        );
        assert_eq!(
            render("{{ modules.re.search('(a)|(b)', 'b').groups('-') }}"),
            "['-', 'b']"
        );
    }

    #[test]
    fn re_sub_findall_split_compile() {
        assert_eq!(
            render("{{ modules.re.sub('(\\\\w+)@(\\\\w+)', '\\\\2 at \\\\1', 'me@host') }}"),
            "host at me"
        );
        assert_eq!(
            render("{{ modules.re.sub('(?P<w>o)', '[\\\\g<w>\\\\g<0>]', 'foo', count=1) }}"),
            "f[oo]o"
        );
        assert_eq!(
            render("{{ modules.re.sub('[^a-z0-9_]', '_', 'My Table-1'.lower()) }}"),
            "my_table_1"
        );
        assert_eq!(
            render("{{ modules.re.subn('o', '0', 'foo') }}"),
            "['f00', 2]"
        );
        assert_eq!(
            render("{{ modules.re.sub('\\\\s+$', '', 'trail  ') }}|"),
            "trail|"
        );
        assert_eq!(
            render("{{ modules.re.findall('\\\\d+', 'a1b22c333') }}"),
            "['1', '22', '333']"
        );
        assert_eq!(
            render("{{ modules.re.findall('(\\\\w)=(\\\\d)', 'a=1,b=2') }}"),
            "[['a', '1'], ['b', '2']]"
        );
        assert_eq!(
            render("{{ modules.re.split('[,;]', 'a,b;c') }}"),
            "['a', 'b', 'c']"
        );
        assert_eq!(
            render("{{ modules.re.split('(,)', 'a,b', maxsplit=1) }}"),
            "['a', ',', 'b']"
        );
        let p = "{% set p = modules.re.compile('^v(\\\\d+)$', modules.re.I) %}";
        assert_eq!(
            render(&format!(
                "{p}{{{{ p.match('V12').group(1) }}}}|{{{{ p.search('x') is none }}}}|{{{{ p.sub('n', 'v1') }}}}|{{{{ p.pattern }}}}|{{{{ p.findall('v3') }}}}|{{{{ p.split('v4') }}}}|{{{{ p.fullmatch('v5') is not none }}}}"
            )),
            "12|True|n|^v(\\d+)$|['3']|['', '4', '']|True"
        );
        assert_eq!(
            render(&format!("{p}{{{{ modules.re.match(p, 'v7').group(1) }}}}")),
            "7"
        );
        assert_eq!(render("{{ modules.re.escape('a.b*c') }}"), "a\\.b\\*c");
        assert_eq!(
            render(
                "{{ modules.re.match('a{,2}', 'aaa').group() }}|{{ modules.re.match('x{', 'x{').group() }}"
            ),
            "aa|x{"
        );
        assert_eq!(
            render(
                "{{ modules.re.search('[[]', 'a[').start() }}|{{ modules.re.search('x\\\\Z', 'ax').start() }}"
            ),
            "1|1"
        );
        assert!(render_err("{{ modules.re.match('(?<=a)b', 'ab') }}").contains("no look-around"));
        assert!(render_err("{{ modules.re.sub('a', '\\\\q', 'a') }}").contains("bad escape"));
    }

    #[test]
    fn re_sub_with_callable_repl() {
        let src = "{% macro up(m) %}{{ m.group(0) | upper }}{% endmacro %}{{ modules.re.sub('b+', up, 'abbc') }}";
        assert_eq!(render(src), "aBBc");
    }
}
