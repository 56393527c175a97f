//! Template source in, template source out with date arithmetic (`d - td`, `dt1 - dt2`,
//! `td * 2`) inside Jinja tags turned into `__xf_add(..)`/`__xf_sub(..)`/`__xf_mul(..)` calls.
//!
//! minijinja has no operator overloading for objects, so `run_started_at - timedelta(days=1)`
//! fails there; the calls (see `pymodules`) do Python's datetime semantics and fall back to
//! minijinja's own operators otherwise. Only operators with an operand that plausibly holds a
//! date value are rewritten: its tokens name `timedelta`, `datetime`, `date(..)`,
//! `run_started_at`, `modules.<..>`, or a variable an earlier `{% set %}` in the same template
//! assigned from such an expression. Every other `+`/`-`/`*` keeps stock semantics and speed.
//!
//! Each candidate tag is parsed with minijinja 3.1's expression grammar (loosest first:
//! `x if c else y`, `or`, `and`, `not`, comparisons, `+ -`, `~`, `* / // %`, `**`, unary `-`
//! with postfix `.a`/`[i]`/`(..)`, then filters `|f` and tests `is t`), so operands get the
//! boundaries minijinja gives them. A tag the parser cannot handle is copied unchanged, as is
//! all text outside tags, comments and raw blocks; no newline is added or removed.

use std::borrow::Cow;
use std::collections::HashSet;

use super::literals::{
    find_endraw, find_tag_start, is_ident_continue, is_ident_start, match_basic_tag, skip_ws,
    string_end,
};

/// Words whose absence from a template means there is nothing to rewrite.
const HINT_WORDS: &[&str] = &["timedelta", "datetime", "date", "run_started_at", "modules"];

/// Rewrites date arithmetic in every `{{ }}`/`{% %}` tag of `src` (see the module docs).
pub fn rewrite_operators(src: &str) -> Cow<'_, str> {
    if !HINT_WORDS.iter().any(|w| src.contains(w)) {
        return Cow::Borrowed(src);
    }
    let b = src.as_bytes();
    let mut tracked: HashSet<&str> = HashSet::new();
    let mut out = String::with_capacity(src.len() + 64);
    let mut i = 0;
    while i < b.len() {
        let Some(pos) = find_tag_start(src, i) else {
            out.push_str(&src[i..]);
            break;
        };
        out.push_str(&src[i..pos]);
        let mut j = pos + 2;
        if matches!(b.get(j), Some(b'-' | b'+')) {
            j += 1;
        }
        let end = match b[pos + 1] {
            b'#' => src[pos + 2..]
                .find("#}")
                .map_or(b.len(), |e| pos + 2 + e + 2),
            b'%' if match_basic_tag(b, j, "raw", false).is_some() => {
                find_endraw(src, match_basic_tag(b, j, "raw", false).unwrap_or(j))
            }
            c => {
                let closer: &[u8] = if c == b'%' { b"%}" } else { b"}}" };
                let Some((toks, end)) = lex_tag(src, j, closer) else {
                    out.push_str(&src[pos..]);
                    break;
                };
                if let Some(body) = rewrite_tag(src, &toks, c == b'%', &mut tracked) {
                    let (first, last) = (toks[0].start, toks[toks.len() - 1].end);
                    out.push_str(&src[pos..first]);
                    out.push_str(&body);
                    out.push_str(&src[last..end]);
                    i = end;
                    continue;
                }
                end
            }
        };
        out.push_str(&src[pos..end]);
        i = end;
    }
    Cow::Owned(out)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Ident,
    Num,
    Str,
    /// Operators and punctuation (`Token::text` says which); also any stray character.
    Op,
}

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    start: usize,
    end: usize,
}

const TWO_CHAR_OPS: &[&str] = &["**", "//", "==", "!=", "<=", ">="];

/// Tokens of the tag body starting at `start`, and the offset after its closing delimiter
/// (`None`: the tag is not closed before the end of input).
fn lex_tag<'a>(src: &'a str, start: usize, closer: &[u8]) -> Option<(Vec<Token<'a>>, usize)> {
    let b = src.as_bytes();
    let mut toks = Vec::new();
    let mut depth = 0usize;
    let mut j = start;
    loop {
        j = skip_ws(b, j);
        let c = *b.get(j)?;
        if depth == 0 {
            let sign = usize::from(matches!(c, b'-' | b'+'));
            if b[j + sign..].starts_with(closer) {
                return Some((toks, j + sign + closer.len()));
            }
        }
        let (kind, end) = match c {
            b'\'' | b'"' => (Kind::Str, string_end(b, j)),
            c if is_ident_start(c) => {
                let mut end = j + 1;
                while end < b.len() && is_ident_continue(b[end]) {
                    end += 1;
                }
                (Kind::Ident, end)
            }
            c if c.is_ascii_digit() => (Kind::Num, number_end(b, j)),
            _ => {
                let two = src.get(j..j + 2).filter(|t| TWO_CHAR_OPS.contains(t));
                let len = two.map_or(1, str::len);
                match c {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
                // Stray non-ASCII characters: take the whole character (the parser rejects it).
                let len = if c >= 0x80 {
                    src[j..].chars().next().map_or(1, char::len_utf8)
                } else {
                    len
                };
                (Kind::Op, j + len)
            }
        };
        toks.push(Token {
            kind,
            text: &src[j..end],
            start: j,
            end,
        });
        j = end;
    }
}

/// Offset after the number literal at `j` (`1_000`, `1.5`, `2e-3`, `0x1f`).
fn number_end(b: &[u8], j: usize) -> usize {
    let mut end = j;
    loop {
        while end < b.len() && is_ident_continue(b[end]) {
            let exp = matches!(b[end], b'e' | b'E') && !b[j..end].starts_with(b"0x");
            end += 1;
            if exp
                && matches!(b.get(end), Some(b'+' | b'-'))
                && b.get(end + 1).is_some_and(u8::is_ascii_digit)
            {
                end += 1;
            }
        }
        if b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit) {
            end += 1;
        } else {
            return end;
        }
    }
}

/// The rewritten body of one tag (up to its last token), or `None` to keep it as it is.
/// `{% set name = .. %}` with a date-looking right-hand side adds `name` to `tracked`.
fn rewrite_tag<'a>(
    src: &'a str,
    toks: &[Token<'a>],
    is_block: bool,
    tracked: &mut HashSet<&'a str>,
) -> Option<String> {
    let hints = hint_prefix(toks, tracked);
    let keyword = if is_block { toks.first()?.text } else { "" };
    if keyword == "set" {
        let eq = toks.iter().position(|t| t.text == "=")?;
        let rhs_hinted = hints[toks.len()] > hints[eq + 1];
        if eq == 2 && toks[1].kind == Kind::Ident && rhs_hinted {
            tracked.insert(toks[1].text);
        }
    }
    let has_op = toks.iter().any(|t| matches!(t.text, "+" | "-" | "*"));
    if !has_op || hints[toks.len()] == 0 {
        return None;
    }
    let mut p = Parser {
        toks,
        pos: 0,
        hints,
    };
    let exprs = if is_block {
        p.statement(keyword)?
    } else {
        vec![p.expr()?]
    };
    if p.pos != toks.len() || exprs.iter().all(|e| !e.dirty()) {
        return None;
    }
    let mut out = String::with_capacity(toks[toks.len() - 1].end - toks[0].start + 32);
    let mut at = toks[0].start;
    for e in &exprs {
        out.push_str(&src[at..p.start(e)]);
        p.emit(src, e, &mut out);
        at = p.end(e);
    }
    out.push_str(&src[at..toks[toks.len() - 1].end]);
    Some(out)
}

/// `prefix[i]` = how many of the first `i` tokens hint at a date value.
fn hint_prefix(toks: &[Token<'_>], tracked: &HashSet<&str>) -> Vec<usize> {
    let mut prefix = Vec::with_capacity(toks.len() + 1);
    prefix.push(0);
    for (i, t) in toks.iter().enumerate() {
        let next = toks.get(i + 1).map_or("", |n| n.text);
        let after_dot = i > 0 && toks[i - 1].text == ".";
        let hint = t.kind == Kind::Ident
            && match t.text {
                "timedelta" | "datetime" | "run_started_at" => true,
                "modules" => next == ".",
                "date" => next == "(",
                name => !after_dot && tracked.contains(name),
            };
        prefix.push(prefix[i] + usize::from(hint));
    }
    prefix
}

/// A parsed (sub)expression: tokens `t0..t1`, with the sub-expressions that contain a
/// rewrite (`kids`), or a binary operator to turn into `call(kids[0], kids[1])`.
struct Node {
    t0: usize,
    t1: usize,
    kids: Vec<Node>,
    /// The function name and the operator's token index.
    call: Option<(&'static str, usize)>,
}

impl Node {
    fn dirty(&self) -> bool {
        self.call.is_some() || !self.kids.is_empty()
    }
}

struct Parser<'t, 'a> {
    toks: &'t [Token<'a>],
    pos: usize,
    hints: Vec<usize>,
}

type Parsed = Option<Node>;

impl Parser<'_, '_> {
    fn peek(&self) -> &str {
        self.toks.get(self.pos).map_or("", |t| t.text)
    }

    fn peek_kind(&self) -> Option<Kind> {
        self.toks.get(self.pos).map(|t| t.kind)
    }

    fn eat(&mut self, text: &str) -> bool {
        let hit = self.peek() == text;
        self.pos += usize::from(hit);
        hit
    }

    fn expect_token(&mut self, text: &str) -> Option<()> {
        self.eat(text).then_some(())
    }

    fn ident(&mut self) -> Option<()> {
        (self.peek_kind()? == Kind::Ident).then(|| self.pos += 1)
    }

    fn start(&self, n: &Node) -> usize {
        self.toks[n.t0].start
    }

    fn end(&self, n: &Node) -> usize {
        self.toks[n.t1 - 1].end
    }

    fn hinted(&self, n: &Node) -> bool {
        self.hints[n.t1] > self.hints[n.t0]
    }

    /// A node for tokens `t0..pos` keeping the kids with rewrites; a lone kid spanning the
    /// same tokens stands for itself.
    fn wrap(&self, t0: usize, mut kids: Vec<Node>) -> Node {
        if kids.len() == 1
            && kids[0].t0 == t0
            && kids[0].t1 == self.pos
            && let Some(kid) = kids.pop()
        {
            return kid;
        }
        kids.retain(Node::dirty);
        Node {
            t0,
            t1: self.pos,
            kids,
            call: None,
        }
    }

    /// The expressions of a block tag whose keyword is `kw` (`None`: not handled).
    fn statement(&mut self, kw: &str) -> Option<Vec<Node>> {
        self.pos = 1;
        let mut exprs = Vec::new();
        match kw {
            "if" | "elif" | "do" => exprs.push(self.expr()?),
            "set" => {
                self.targets()?;
                self.expect_token("=")?;
                exprs.push(self.expr()?);
                while self.eat(",") && self.pos < self.toks.len() {
                    exprs.push(self.expr()?);
                }
            }
            "for" => {
                self.targets()?;
                self.expect_token("in")?;
                exprs.push(self.or()?);
                if self.eat("if") {
                    exprs.push(self.expr()?);
                }
                self.eat("recursive");
            }
            "with" => {
                while self.pos < self.toks.len() {
                    if !exprs.is_empty() {
                        self.expect_token(",")?;
                    }
                    if self.eat("(") {
                        self.targets()?;
                        self.expect_token(")")?;
                    } else {
                        self.ident()?;
                    }
                    self.expect_token("=")?;
                    exprs.push(self.expr()?);
                }
            }
            _ => return None,
        }
        Some(exprs)
    }

    /// Assignment targets: names (dotted), commas and parentheses.
    fn targets(&mut self) -> Option<()> {
        let t0 = self.pos;
        loop {
            match (self.peek_kind(), self.peek()) {
                (Some(Kind::Ident), name) if name != "in" => self.pos += 1,
                (Some(Kind::Op), "." | "," | "(" | ")") => self.pos += 1,
                _ => break,
            }
        }
        (self.pos > t0).then_some(())
    }

    fn expr(&mut self) -> Parsed {
        let t0 = self.pos;
        let mut kids = vec![self.or()?];
        while self.eat("if") {
            kids.push(self.or()?);
            if self.eat("else") {
                kids.push(self.expr()?);
            }
        }
        Some(self.wrap(t0, kids))
    }

    /// Left-associative operators `ops` over operands parsed by `next`; `rewrite` names the
    /// call for the operators that may be rewritten.
    fn chain(
        &mut self,
        next: fn(&mut Self) -> Parsed,
        ops: &[&str],
        rewrite: &[(&str, &'static str)],
    ) -> Parsed {
        let t0 = self.pos;
        let mut left = next(self)?;
        while ops.contains(&self.peek()) {
            let op_at = self.pos;
            self.pos += 1;
            let right = next(self)?;
            let func = rewrite.iter().find(|(op, _)| *op == self.toks[op_at].text);
            left = match func {
                Some(&(_, func)) if self.hinted(&left) || self.hinted(&right) => Node {
                    t0,
                    t1: self.pos,
                    kids: vec![left, right],
                    call: Some((func, op_at)),
                },
                _ => self.wrap(t0, vec![left, right]),
            };
        }
        Some(left)
    }

    fn or(&mut self) -> Parsed {
        self.chain(Self::and, &["or"], &[])
    }

    fn and(&mut self) -> Parsed {
        self.chain(Self::not, &["and"], &[])
    }

    fn not(&mut self) -> Parsed {
        let t0 = self.pos;
        if self.eat("not") {
            let inner = self.not()?;
            return Some(self.wrap(t0, vec![inner]));
        }
        self.compare()
    }

    fn compare(&mut self) -> Parsed {
        let t0 = self.pos;
        let mut kids = vec![self.math1()?];
        loop {
            match self.peek() {
                "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" => self.pos += 1,
                "not" => {
                    self.pos += 1;
                    self.expect_token("in")?;
                }
                _ => break,
            }
            kids.push(self.math1()?);
        }
        Some(self.wrap(t0, kids))
    }

    fn math1(&mut self) -> Parsed {
        self.chain(
            Self::concat,
            &["+", "-"],
            &[("+", "__xf_add"), ("-", "__xf_sub")],
        )
    }

    fn concat(&mut self) -> Parsed {
        self.chain(Self::math2, &["~"], &[])
    }

    fn math2(&mut self) -> Parsed {
        self.chain(Self::pow, &["*", "/", "//", "%"], &[("*", "__xf_mul")])
    }

    fn pow(&mut self) -> Parsed {
        self.chain(Self::unary, &["**"], &[])
    }

    fn unary(&mut self) -> Parsed {
        let t0 = self.pos;
        let operand = self.unary_only()?;
        let operand = self.postfix(t0, operand)?;
        self.filters(t0, operand)
    }

    fn unary_only(&mut self) -> Parsed {
        let t0 = self.pos;
        if self.eat("-") {
            let at = self.pos;
            let inner = self.unary_only()?;
            let inner = self.postfix(at, inner)?;
            return Some(self.wrap(t0, vec![inner]));
        }
        self.primary()
    }

    fn postfix(&mut self, t0: usize, operand: Node) -> Parsed {
        let mut kids = vec![operand];
        loop {
            match self.peek() {
                "." => {
                    self.pos += 1;
                    match self.peek_kind()? {
                        Kind::Ident | Kind::Num => self.pos += 1,
                        _ => return None,
                    }
                }
                "[" => {
                    self.pos += 1;
                    if self.peek() != ":" {
                        kids.push(self.expr()?);
                    }
                    if self.eat(":") {
                        if !matches!(self.peek(), "]" | ":") {
                            kids.push(self.expr()?);
                        }
                        if self.eat(":") && self.peek() != "]" {
                            kids.push(self.expr()?);
                        }
                    }
                    self.expect_token("]")?;
                }
                "(" => self.args(&mut kids)?,
                _ => break,
            }
        }
        Some(self.wrap(t0, kids))
    }

    /// Dotted filter or test name.
    fn filter_name(&mut self) -> Option<()> {
        self.ident()?;
        while self.eat(".") {
            self.ident()?;
        }
        Some(())
    }

    fn filters(&mut self, t0: usize, operand: Node) -> Parsed {
        let mut kids = vec![operand];
        loop {
            if self.eat("|") {
                self.filter_name()?;
                if self.peek() == "(" {
                    self.args(&mut kids)?;
                }
            } else if self.peek_kind() == Some(Kind::Ident) && self.eat("is") {
                self.eat("not");
                self.filter_name()?;
                if self.peek() == "(" {
                    self.args(&mut kids)?;
                } else if matches!(self.peek_kind(), Some(Kind::Ident | Kind::Str | Kind::Num))
                    && !matches!(self.peek(), "and" | "or" | "else" | "is")
                    || matches!(self.peek(), "+" | "-" | "[" | "{")
                {
                    let at = self.pos;
                    let arg = self.unary_only()?;
                    kids.push(self.postfix(at, arg)?);
                }
            } else {
                break;
            }
        }
        Some(self.wrap(t0, kids))
    }

    /// `(a, k=v, *xs, **kw)` appended to `kids`.
    fn args(&mut self, kids: &mut Vec<Node>) -> Option<()> {
        self.expect_token("(")?;
        let mut first = true;
        loop {
            if self.eat(")") {
                return Some(());
            }
            if !first {
                self.expect_token(",")?;
                if self.eat(")") {
                    return Some(());
                }
            }
            first = false;
            if !self.eat("**") {
                self.eat("*");
            }
            if self.peek_kind() == Some(Kind::Ident)
                && self.toks.get(self.pos + 1).is_some_and(|t| t.text == "=")
            {
                self.pos += 2;
            }
            kids.push(self.expr()?);
        }
    }

    fn primary(&mut self) -> Parsed {
        let t0 = self.pos;
        let mut kids = Vec::new();
        match self.peek_kind()? {
            Kind::Ident | Kind::Num => self.pos += 1,
            Kind::Str => {
                while self.peek_kind() == Some(Kind::Str) {
                    self.pos += 1;
                }
            }
            Kind::Op => {
                let close = match self.peek() {
                    "(" => ")",
                    "[" => "]",
                    "{" => "}",
                    _ => return None,
                };
                self.pos += 1;
                let mut first = true;
                while !self.eat(close) {
                    if !first {
                        self.expect_token(",")?;
                        if self.eat(close) {
                            break;
                        }
                    }
                    first = false;
                    kids.push(self.expr()?);
                    if close == "}" {
                        self.expect_token(":")?;
                        kids.push(self.expr()?);
                    }
                }
            }
        }
        Some(self.wrap(t0, kids))
    }

    /// Writes `n` with its rewrites applied; newlines around an operator are kept.
    fn emit(&self, src: &str, n: &Node, out: &mut String) {
        if let Some((func, op_at)) = n.call {
            let (lhs, rhs) = (&n.kids[0], &n.kids[1]);
            let op = self.toks[op_at];
            out.push_str(func);
            out.push('(');
            self.emit(src, lhs, out);
            let before = &src[self.end(lhs)..op.start];
            if before.contains('\n') {
                out.push_str(before);
            }
            out.push(',');
            let after = &src[op.end..self.start(rhs)];
            out.push_str(if after.is_empty() { " " } else { after });
            self.emit(src, rhs, out);
            out.push(')');
            return;
        }
        let mut at = self.start(n);
        for kid in &n.kids {
            out.push_str(&src[at..self.start(kid)]);
            self.emit(src, kid, out);
            at = self.end(kid);
        }
        out.push_str(&src[at..self.end(n)]);
    }
}

#[cfg(test)]
#[path = "operators_tests.rs"]
mod tests;
