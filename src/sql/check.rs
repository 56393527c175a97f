//! Syntax check: rendered SQL + dialect -> ok, a syntax error at a rendered line/column, or "unsupported by our parser".
//!
//! sqlparser does not know every construct DuckDB and BigQuery accept, and reporting
//! valid SQL as broken is worse than missing a real error. So a parse failure only
//! becomes a [`CheckOutcome::SyntaxError`] when it happens in a statement class we trust
//! sqlparser on (queries and DML, and the query of `CREATE ... AS`) and no rule below
//! recognises it as a known gap. Everything else is [`CheckOutcome::Unsupported`],
//! which callers must treat as a warning at most.
//!
//! Known gaps of sqlparser 0.63 (each checked against the parser, see the tests):
//!
//! Handled by dropping tokens before parsing (token spans are kept, so reported
//! positions are unchanged and the rest of the statement is still checked):
//! - DuckDB `INSERT INTO t BY NAME|POSITION ...`: the `BY NAME|POSITION` pair is dropped.
//! - DuckDB CTE `AS [NOT] MATERIALIZED (...)`: the `[NOT] MATERIALIZED` words are dropped.
//!
//! Classified as unsupported (nothing reported as an error):
//! - Statements other than queries/DML, e.g. DuckDB `PIVOT`/`UNPIVOT`/`SUMMARIZE`/
//!   `CHECKPOINT`/`IMPORT|EXPORT DATABASE`/`FORCE INSTALL`/`INSTALL x FROM y`/
//!   `SET VARIABLE`/`CREATE OR REPLACE SEQUENCE`, BigQuery scripting (`LOOP`, `WHILE`,
//!   `FOR ... IN`, `REPEAT`, `LEAVE`, `BREAK`, `CONTINUE`, `ITERATE`, labels),
//!   `CREATE PROCEDURE|MODEL|ROW ACCESS POLICY|SEARCH INDEX|AGGREGATE FUNCTION|TABLE FUNCTION`,
//!   `CREATE TABLE ... COPY|CLONE`, `LOAD DATA`, `GRANT`, `ALTER TABLE ... SET OPTIONS`:
//!   any error in an untrusted statement class (only an unknown first word such as
//!   `selec` stays an error).
//! - Operators sqlparser has no infix parser for (DuckDB `GLOB`, `^@`; BigQuery `<<`, `>>`).
//! - DuckDB `**` (power), `x::VARCHAR.length()` method chaining, window `EXCLUDE CURRENT ROW`,
//!   positional `#1`, `* RENAME (...)`, `*COLUMNS(...)` unpacking, `USING SAMPLE`, `TABLESAMPLE 10%`,
//!   `LIMIT n PERCENT`, list comprehensions `[x for x in l]`, `ASOF JOIN ... ON`,
//!   `FILTER (cond)` without `WHERE`, `PIVOT`/`UNPIVOT` as a subquery, and FROM-first
//!   queries with further clauses (`FROM t WHERE ... SELECT ...`).
//! - BigQuery nested types closed by `>>` in literals (`ARRAY<STRUCT<a INT64>>[...]`),
//!   partition decorators (`d.t$20200101`) and table-valued function
//!   arguments `MODEL m` / `TABLE t` (`ML.PREDICT`, `VECTOR_SEARCH`).
//! - Parser recursion limit reached (deeply nested SQL).

use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Tokenizer};

use crate::dialect::Dialect;

/// A syntax error in rendered SQL; `line` and `column` are 1-based in the rendered text
/// (column counts characters), 0 when sqlparser gave no position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} at line {line}, column {column}")]
pub struct SqlSyntaxError {
    /// sqlparser's message without its "at Line: x, Column: y" suffix.
    pub message: String,
    pub line: u32,
    pub column: u32,
}

/// The full result of a check, for callers that want to show unsupported SQL as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    Ok,
    /// Invalid SQL: report as an error.
    SyntaxError(SqlSyntaxError),
    /// sqlparser failed on SQL that is (or may be) valid in the dialect: never an error.
    Unsupported {
        /// What we believe sqlparser does not support, e.g. "DuckDB PIVOT statement".
        construct: String,
        /// The parser's failure, for a warning or a debug log.
        error: SqlSyntaxError,
    },
}

/// Checks rendered SQL; only errors we are confident about are returned, constructs
/// sqlparser cannot parse count as valid.
pub fn check(sql: &str, dialect: Dialect) -> Result<(), SqlSyntaxError> {
    match check_outcome(sql, dialect) {
        CheckOutcome::SyntaxError(e) => Err(e),
        CheckOutcome::Ok | CheckOutcome::Unsupported { .. } => Ok(()),
    }
}

/// Checks rendered SQL and says whether a failure is a real error or a parser gap.
pub fn check_outcome(sql: &str, dialect: Dialect) -> CheckOutcome {
    let parser_dialect = dialect.parser();
    let tokens = match Tokenizer::new(&*parser_dialect, sql).tokenize_with_location() {
        Ok(tokens) => tokens,
        // Tokenizer failures are unterminated strings, quoted identifiers and comments:
        // invalid in every dialect.
        Err(e) => {
            return CheckOutcome::SyntaxError(SqlSyntaxError {
                message: e.message,
                line: to_u32(e.location.line),
                column: to_u32(e.location.column),
            });
        }
    };
    let sig: Vec<TokenWithSpan> = tokens
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
        .collect();
    let parse_tokens = normalise(&sig, dialect);
    let result = Parser::new(&*parser_dialect)
        .with_tokens_with_locations(parse_tokens)
        .parse_statements();
    let err = match result {
        Ok(_) => return CheckOutcome::Ok,
        Err(e) => e,
    };
    let (message, at) = match err {
        ParserError::RecursionLimitExceeded => {
            return CheckOutcome::Unsupported {
                construct: "deeply nested SQL (parser recursion limit)".to_string(),
                error: SqlSyntaxError {
                    message: "recursion limit exceeded".to_string(),
                    line: 0,
                    column: 0,
                },
            };
        }
        ParserError::ParserError(m) | ParserError::TokenizerError(m) => split_location(&m),
    };
    let ctx = ErrorContext::new(&sig, &message, at);
    let (line, column) = (to_u32(ctx.at.line), to_u32(ctx.at.column));
    let unsupported = classify(&ctx, dialect);
    let error = SqlSyntaxError {
        message,
        line,
        column,
    };
    match unsupported {
        Some(construct) => CheckOutcome::Unsupported {
            construct: construct.to_string(),
            error,
        },
        None => CheckOutcome::SyntaxError(error),
    }
}

fn to_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Splits "msg at Line: 3, Column: 7" into the message and its location.
fn split_location(message: &str) -> (String, Option<Location>) {
    const MARK: &str = " at Line: ";
    if let Some(pos) = message.rfind(MARK) {
        let rest = &message[pos + MARK.len()..];
        if let Some((line, column)) = rest.split_once(", Column: ")
            && let (Ok(line), Ok(column)) = (line.trim().parse(), column.trim().parse())
        {
            return (
                message[..pos].to_string(),
                Some(Location::new(line, column)),
            );
        }
    }
    (message.to_string(), None)
}

/// Drops tokens of the DuckDB constructs listed at the top that sqlparser would
/// otherwise reject; the remaining tokens keep their spans.
fn normalise(sig: &[TokenWithSpan], dialect: Dialect) -> Vec<TokenWithSpan> {
    if dialect != Dialect::DuckDb {
        return sig.to_vec();
    }
    let mut drop = vec![false; sig.len()];
    for i in 0..sig.len() {
        // INSERT [OR REPLACE|IGNORE] INTO name BY NAME|POSITION
        if is_word(sig, i, "by")
            && (is_word(sig, i + 1, "name") || is_word(sig, i + 1, "position"))
            && follows_insert_target(sig, i)
        {
            drop[i] = true;
            drop[i + 1] = true;
        }
        // name AS [NOT] MATERIALIZED (
        if is_word(sig, i, "materialized")
            && sig.get(i + 1).is_some_and(|t| t.token == Token::LParen)
        {
            if i >= 1 && is_word(sig, i - 1, "as") {
                drop[i] = true;
            } else if i >= 2 && is_word(sig, i - 1, "not") && is_word(sig, i - 2, "as") {
                drop[i] = true;
                drop[i - 1] = true;
            }
        }
    }
    sig.iter()
        .zip(drop)
        .filter(|(_, d)| !d)
        .map(|(t, _)| t.clone())
        .collect()
}

/// Whether the tokens before `by` are `INSERT [OR x] INTO <dotted name>`.
fn follows_insert_target(sig: &[TokenWithSpan], by: usize) -> bool {
    let mut j = by;
    let mut saw_name = false;
    while j > 0 {
        j -= 1;
        if is_word(sig, j, "into") {
            return saw_name
                && j >= 1
                && (is_word(sig, j - 1, "insert")
                    || (j >= 3
                        && is_word(sig, j - 3, "insert")
                        && is_word(sig, j - 2, "or")
                        && (is_word(sig, j - 1, "replace") || is_word(sig, j - 1, "ignore"))));
        }
        match &sig[j].token {
            Token::Word(_) => saw_name = true,
            Token::Period => {}
            _ => return false,
        }
    }
    false
}

/// An unquoted word (keyword or identifier), compared case-insensitively.
fn is_word(sig: &[TokenWithSpan], i: usize, word: &str) -> bool {
    word_at(sig, i).is_some_and(|w| w.eq_ignore_ascii_case(word))
}

fn word_at(sig: &[TokenWithSpan], i: usize) -> Option<&str> {
    match sig.get(i).map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.as_str()),
        _ => None,
    }
}

/// Where the parser failed, in terms of the significant tokens.
struct ErrorContext<'a> {
    sig: &'a [TokenWithSpan],
    message: &'a str,
    /// Index of the token the parser failed at; `sig.len()` for end of input.
    idx: usize,
    /// Index of the first token of the statement containing the failure.
    head: usize,
    at: Location,
}

impl<'a> ErrorContext<'a> {
    fn new(sig: &'a [TokenWithSpan], message: &'a str, at: Option<Location>) -> ErrorContext<'a> {
        let end = sig
            .last()
            .map(|t| t.span.end)
            .unwrap_or(Location::new(1, 1));
        let (idx, at) = match at {
            Some(loc) if loc.line > 0 => {
                // the first token starting at or after the reported position
                let idx = sig.partition_point(|t| {
                    (t.span.start.line, t.span.start.column) < (loc.line, loc.column)
                });
                (idx, loc)
            }
            // sqlparser reports end of input without a position
            _ if message.ends_with("found: EOF") => (sig.len(), end),
            _ => (sig.len(), Location::new(0, 0)),
        };
        let mut head = sig[..idx.min(sig.len())]
            .iter()
            .rposition(|t| t.token == Token::SemiColon)
            .map_or(0, |p| p + 1);
        // a BigQuery BEGIN ... END block: judge the statement inside it
        while is_word(sig, head, "begin") && !is_word(sig, head + 1, "transaction") && head < idx {
            head += 1;
        }
        ErrorContext {
            sig,
            message,
            idx,
            head,
            at,
        }
    }

    fn word(&self, i: usize) -> Option<&str> {
        word_at(self.sig, i)
    }

    fn is_word(&self, i: usize, word: &str) -> bool {
        is_word(self.sig, i, word)
    }

    fn found_word(&self, word: &str) -> bool {
        self.is_word(self.idx, word)
    }

    /// Tokens of the failing statement up to (not including) the failure.
    fn before(&self) -> std::ops::Range<usize> {
        self.head..self.idx.min(self.sig.len())
    }

    /// Indices of the `(`/`[` still open at the failure, innermost last.
    fn open_brackets(&self) -> Vec<usize> {
        let mut open = Vec::new();
        for i in self.before() {
            match self.sig[i].token {
                Token::LParen | Token::LBracket => open.push(i),
                Token::RParen | Token::RBracket => {
                    open.pop();
                }
                _ => {}
            }
        }
        open
    }

    /// A top-level `AS` followed by a query, before the failure (`CREATE ... AS SELECT`).
    fn after_as_query(&self) -> bool {
        let mut depth = 0i32;
        for i in self.before() {
            match self.sig[i].token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                _ if depth == 0 && self.is_word(i, "as") => {
                    let next = i + 1;
                    if self.is_word(next, "select")
                        || self.is_word(next, "with")
                        || self.sig.get(next).is_some_and(|t| t.token == Token::LParen)
                    {
                        return next <= self.idx;
                    }
                }
                _ => {}
            }
        }
        false
    }

    /// DuckDB FROM-first query (`FROM t ...`) at the start of the statement or of a subquery.
    fn has_from_first(&self) -> bool {
        let end = (self.idx + 1).min(self.sig.len());
        (self.head..end).any(|i| {
            self.is_word(i, "from")
                && (i == self.head
                    || self.sig[i - 1].token == Token::LParen
                    || ["as", "union", "except", "intersect", "all", "distinct"]
                        .iter()
                        .any(|w| self.is_word(i - 1, w)))
        })
    }
}

/// Statements sqlparser handles well enough that its errors are trusted.
const TRUSTED_HEADS: &[&str] = &[
    "select", "with", "values", "insert", "update", "delete", "merge",
];

/// Statement keywords of DuckDB and BigQuery; a failure on one of these as the first
/// word is a parser gap, on any other word a typo.
const STATEMENT_WORDS: &[&str] = &[
    "abort",
    "alter",
    "analyze",
    "assert",
    "attach",
    "begin",
    "break",
    "call",
    "case",
    "checkpoint",
    "comment",
    "commit",
    "continue",
    "copy",
    "create",
    "deallocate",
    "declare",
    "delete",
    "describe",
    "desc",
    "detach",
    "drop",
    "end",
    "execute",
    "explain",
    "export",
    "for",
    "force",
    "from",
    "grant",
    "if",
    "import",
    "insert",
    "install",
    "iterate",
    "leave",
    "load",
    "loop",
    "merge",
    "pivot",
    "pivot_longer",
    "pivot_wider",
    "pragma",
    "prepare",
    "raise",
    "repeat",
    "reset",
    "return",
    "revoke",
    "rollback",
    "select",
    "set",
    "show",
    "start",
    "summarize",
    "truncate",
    "undrop",
    "unpivot",
    "update",
    "use",
    "vacuum",
    "values",
    "while",
    "with",
];

/// `Some(construct)` when the failure is a known or likely gap of sqlparser.
fn classify(ctx: &ErrorContext<'_>, dialect: Dialect) -> Option<&'static str> {
    if ctx.message.starts_with("No infix parser for token") {
        return Some("an operator sqlparser does not know");
    }
    let head_trusted = ctx
        .sig
        .get(ctx.head)
        .is_some_and(|t| t.token == Token::LParen)
        || TRUSTED_HEADS.iter().any(|w| ctx.is_word(ctx.head, w))
        || (ctx.is_word(ctx.head, "create") && ctx.after_as_query());
    if !head_trusted {
        if ctx.idx == ctx.head && ctx.message.starts_with("Expected: an SQL statement") {
            let known = ctx
                .word(ctx.head)
                .is_some_and(|w| STATEMENT_WORDS.iter().any(|k| k.eq_ignore_ascii_case(w)));
            let label = ctx
                .sig
                .get(ctx.head + 1)
                .is_some_and(|t| t.token == Token::Colon);
            if !known && !label {
                // `selec 1`, `1 + 1`: not a statement in any dialect
                return None;
            }
        }
        return Some("a statement type sqlparser does not fully support");
    }
    match dialect {
        Dialect::DuckDb => classify_duckdb(ctx),
        Dialect::BigQuery => classify_bigquery(ctx),
    }
}

fn classify_duckdb(ctx: &ErrorContext<'_>) -> Option<&'static str> {
    let sig = ctx.sig;
    if ctx.has_from_first() {
        return Some("DuckDB FROM-first query");
    }
    if ctx.before().any(|i| {
        sig[i].token == Token::LParen
            && (ctx.is_word(i + 1, "pivot") || ctx.is_word(i + 1, "unpivot"))
    }) || ctx.found_word("pivot")
        || ctx.found_word("unpivot")
    {
        return Some("DuckDB PIVOT/UNPIVOT statement");
    }
    if ctx.idx >= 1
        && sig.get(ctx.idx).is_some_and(|t| t.token == Token::Mul)
        && sig[ctx.idx - 1].token == Token::Mul
    {
        return Some("DuckDB ** operator");
    }
    if ctx.found_word("columns") && ctx.idx >= 1 && sig[ctx.idx - 1].token == Token::Mul {
        return Some("DuckDB *COLUMNS unpacking");
    }
    if ctx.found_word("exclude")
        && ["current", "group", "ties", "no"]
            .iter()
            .any(|w| ctx.is_word(ctx.idx + 1, w))
    {
        return Some("DuckDB window EXCLUDE clause");
    }
    if sig.get(ctx.idx).is_some_and(|t| t.token == Token::Sharp)
        && sig
            .get(ctx.idx + 1)
            .is_some_and(|t| matches!(t.token, Token::Number(..)))
    {
        return Some("DuckDB positional column reference #n");
    }
    if sig.get(ctx.idx).is_some_and(|t| t.token == Token::Period)
        && ctx.idx >= 1
        && matches!(
            sig[ctx.idx - 1].token,
            Token::Word(_) | Token::RParen | Token::RBracket
        )
    {
        return Some("DuckDB method-call chaining (`x::VARCHAR.length()`)");
    }
    if ctx.found_word("rename") {
        return Some("DuckDB SELECT * RENAME");
    }
    if ctx.found_word("using") && ctx.is_word(ctx.idx + 1, "sample") {
        return Some("DuckDB USING SAMPLE");
    }
    if ctx.message.starts_with("Expecting number or byte length") {
        return Some("DuckDB TABLESAMPLE percentage");
    }
    if ctx.found_word("percent") || (ctx.found_percent_after_limit()) {
        return Some("DuckDB LIMIT n PERCENT");
    }
    if ctx.message.contains("MATCH_CONDITION") {
        return Some("DuckDB ASOF JOIN");
    }
    let open = ctx.open_brackets();
    if ctx.found_word("for") && open.iter().any(|&i| sig[i].token == Token::LBracket) {
        return Some("DuckDB list comprehension");
    }
    if open
        .iter()
        .any(|&i| sig[i].token == Token::LParen && i >= 1 && ctx.is_word(i - 1, "filter"))
    {
        return Some("DuckDB FILTER clause without WHERE");
    }
    None
}

impl ErrorContext<'_> {
    /// `LIMIT 10%`: the `%` right after the number of a LIMIT.
    fn found_percent_after_limit(&self) -> bool {
        self.idx >= 2
            && self
                .sig
                .get(self.idx)
                .is_some_and(|t| t.token == Token::Mod)
            && self.is_word(self.idx - 2, "limit")
    }
}

fn classify_bigquery(ctx: &ErrorContext<'_>) -> Option<&'static str> {
    let sig = ctx.sig;
    if ctx.message.starts_with("unmatched > in") {
        return Some("BigQuery nested type closed by `>>`");
    }
    if let Some(Token::Placeholder(p)) = sig.get(ctx.idx).map(|t| &t.token)
        && p.starts_with('$')
    {
        return Some("BigQuery partition decorator");
    }
    if ctx.idx >= 1
        && (ctx.is_word(ctx.idx - 1, "model") || ctx.is_word(ctx.idx - 1, "table"))
        && !ctx.open_brackets().is_empty()
    {
        return Some("BigQuery MODEL/TABLE argument of a table-valued function");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(sql: &str, dialect: Dialect) -> CheckOutcome {
        check_outcome(sql, dialect)
    }

    fn assert_not_error(sql: &str, dialect: Dialect) {
        if let Err(e) = check(sql, dialect) {
            panic!("{dialect:?}: valid SQL reported as error: {e}\n{sql}");
        }
    }

    fn error(sql: &str, dialect: Dialect) -> SqlSyntaxError {
        match outcome(sql, dialect) {
            CheckOutcome::SyntaxError(e) => e,
            other => panic!("{dialect:?}: expected a syntax error for {sql:?}, got {other:?}"),
        }
    }

    /// Valid DuckDB that sqlparser 0.63 parses.
    const DUCKDB_PARSED: &[&str] = &[
        "select * exclude (a) from t",
        "select * exclude a from t",
        "select * replace (a + 1 as a) from t",
        "select a::int, '2020-01-01'::date, x::varchar[] from t",
        "select list_value(1, 2, 3)",
        "select [1, 2, 3] as l, l[1], l[-1], l[2:], l[:3] from t",
        "select {'a': 1, 'b': 'x'} as s, {'a': [1, 2], 'b': {'c': 3}} as n",
        "select s.a, s['a'], {'a': 1}.a from t",
        "select a, row_number() over (partition by b order by c) as rn from t qualify rn = 1",
        "from t select a, b",
        "from t",
        "select * from t pivot (sum(amount) for year in (2020, 2021))",
        "select * from t unpivot (v for k in (a, b))",
        "create or replace table foo as select 1 as a",
        "create table if not exists foo as (select 1 as a)",
        "create or replace view v as select 1",
        "create or replace temp table t as select 1",
        "insert into t select * from s",
        "insert or replace into t select * from s",
        "insert into t from s",
        "delete from t using s where t.id = s.id",
        "merge into t using s on t.id = s.id when matched then update set a = s.a \
         when not matched then insert (id, a) values (s.id, s.a)",
        "select now() - interval 1 day, now() - interval '1 day', now() - interval (3) day",
        "select * from t where d >= current_date - interval 7 days",
        "select strftime(now(), '%Y-%m-%d')",
        "select list_transform(l, x -> x + 1), list_filter(l, (x, i) -> x > i) from t",
        "select list_transform(l, lambda x: x + 1) from t",
        "select count(*) filter (where a > 1) from t",
        "select a, b, from t",
        "select a, b, from t group by all order by all",
        "select * from read_csv_auto('x.csv')",
        "select * from 'data/x.parquet'",
        "select a from t1 union all by name select a from t2",
        "select * from t1 positional join t2",
        "select * from t1 anti join t2 using (a)",
        "select * from t1 semi join t2 on t1.a = t2.a",
        "select columns('a.*'), columns(c -> c like 'a%') from t",
        "select a // 2, a % 2, 2 ^ 3 from t",
        "select cast(a as decimal(18, 2)), try_cast(b as int) from t",
        "select \"quoted col\" from \"main\".\"t\"",
        "select $$dollar$$, $tag$x$tag$, e'a\\nb', 'it''s'",
        "select struct_pack(a := 1, b := 2), map {'a': 1}, map([1], [2])",
        "select arg_max(a, b), list(a order by b), string_agg(a, ',' order by b) from t",
        "select * from range(10) t(i)",
        "select a->>'$.x', a->'$.y', '{\"a\":1}'::json->>'a' from t",
        "select * from t where a = ? and b = $1",
        "select 1;\nselect 2;",
        "select 1; select 2",
        "select 1;;",
        "create or replace macro add(a, b) as a + b",
        "create macro m() as table select 1",
        "copy (select 1) to 'x.csv' (header, delimiter ',')",
        "select distinct on (a) a, b from t",
        "with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select * from r",
        "select percentile_cont(0.5) within group (order by a) from t",
        "select a::struct(x int, y varchar), a::map(varchar, int), a::int[3] from t",
        "select unnest(l, recursive := true) from t",
        "select * from t, lateral (select t.a + 1)",
        "select a from t order by a collate nocase",
        "select 1 -- comment\n/* block */",
        "create or replace view v as from t",
        "describe t",
        "show tables",
        "install httpfs",
        "load httpfs",
        "attach 'x.db' as x",
        "pragma table_info('t')",
        "insert into t (a) values (1) on conflict do nothing",
    ];

    /// Valid DuckDB that sqlparser 0.63 rejects: each must not be an error.
    const DUCKDB_REJECTED: &[&str] = &[
        "from t where a > 1 select a",
        "with x as (from s where a > 1) select * from x",
        "select * from (from t where a > 1 select a)",
        "pivot t on year using sum(amount)",
        "unpivot t on a, b into name k value v",
        "with x as (pivot t on y using sum(z)) select * from x",
        "select * from (pivot t on y using sum(z))",
        "summarize t",
        "select a from t using sample 10%",
        "select * from t tablesample 10%",
        "select * from t limit 10 percent",
        "select * from t1 asof join t2 on t1.a = t2.a and t1.ts >= t2.ts",
        "select * from t where a ilike 'x%' and c glob 'z*'",
        "select a ^@ 'x' from t",
        "select 2 ** 3",
        "select [x + 1 for x in l] from t",
        "select * rename (a as b) from t",
        "select *columns(*) from t",
        "select coalesce(*columns(['a', 'b'])) from t",
        "select array_agg(x) filter (x is not null) from t",
        "select x::VARCHAR.length(), l.list_transform(x -> x * 2).list_sum() from t",
        "select sum(a) over (order by b rows between 1 preceding and 1 following exclude current row) from t",
        "select #1, #2 from t",
        "select * from t where exists (from u where u.id = t.id)",
        "create or replace sequence s start 1",
        "checkpoint",
        "export database 'x'",
        "import database 'x'",
        "set variable x = 1",
        "force install httpfs",
        "install spatial from community",
    ];

    /// Valid DuckDB that parses after token normalisation.
    const DUCKDB_NORMALISED: &[&str] = &[
        "insert into t by name select 1 as a",
        "insert into main.t by position select 1",
        "insert or ignore into t by name select 1",
        "with x as materialized (select 1), y as not materialized (select 2) select * from x, y",
    ];

    const BIGQUERY_PARSED: &[&str] = &[
        "select * from `project.dataset.table`",
        "select * from `project`.`dataset`.`table`",
        "select * from `my-project.dataset.table` t",
        "select * from my-project.dataset.table",
        "select * except(a) replace(b as c) from t",
        "select a, row_number() over (partition by b order by c) as rn from t qualify rn = 1",
        "select a from t where true qualify row_number() over (partition by b order by c) = 1",
        "select safe_cast(a as int64), safe.parse_date('%Y', b) from t",
        "select cast(null as struct<a int64, b string>), struct(1 as a, 'x' as b), struct<a int64>(1)",
        "select cast([] as array<string>), array<string>['a', 'b']",
        "select x from unnest([1, 2, 3]) as x",
        "select t.a, x from t, unnest(t.items) as x with offset as pos",
        "select date_trunc(d, month), date_trunc(d, week(monday)) from t",
        "select timestamp_sub(x, interval 1 day), date_add(d, interval 3 month) from t",
        "merge into t using s on t.id = s.id when matched then update set a = s.a \
         when not matched then insert (id, a) values (s.id, s.a) when not matched by source then delete",
        "merge t using s on t.id = s.id when not matched by target then insert row",
        "create or replace table `p.d.t` partition by date(ts) cluster by a \
         options(description = 'x') as select 1 as a, current_timestamp() as ts",
        "create or replace table d.t (a int64, ts timestamp) partition by date(ts) cluster by a, b \
         options(partition_expiration_days = 3, require_partition_filter = true)",
        "select json_col.a.b, json_col['x'], json_col.a[0].b from t",
        "select json_value(j, '$.a'), lax_int64(j.a), int64(j.b), string(j.c) from t",
        "select \"double quoted string\", 'single' from t",
        "select r\"raw\\d\", b\"bytes\", '''triple''', \"\"\"triple\"\"\" from t",
        "declare x int64 default 1;\nset x = 2;\nselect x",
        "declare a, b string;",
        "execute immediate 'select 1'",
        "execute immediate 'select ?' using 1",
        "begin\n  select 1;\nend",
        "select array_agg(a ignore nulls order by b limit 10) from t",
        "select * from t for system_time as of timestamp_sub(current_timestamp(), interval 1 hour)",
        "select * from `p.d.events_*` where _table_suffix between '20200101' and '20200131'",
        "select as struct 1 as a",
        "select * from t where a in unnest(@arr)",
        "select @param, @@project_id",
        "select arr[offset(1)], arr[safe_offset(2)], arr[ordinal(1)] from t",
        "select any_value(a having max b) from t",
        "insert d.t (a) values (1)",
        "delete d.t where a = 1",
        "create temp function f(x int64) returns int64 as (x + 1)",
        "select * from t pivot (sum(a) for b in ('x', 'y'))",
        "select cast(x as string format 'YYYY')",
        "select 1 -- comment\n# hash comment",
        "if true then select 1; end if",
        "select 1 union distinct select 2 except distinct select 3",
        "raise using message = 'boom'",
        "create or replace table d.t like d.s",
        "select a, b, from t",
        "select * from `region-us`.INFORMATION_SCHEMA.JOBS",
        "select struct<a array<struct<b int64>>>([struct(1)])",
    ];

    const BIGQUERY_REJECTED: &[&str] = &[
        "select * from ml.predict(model `p.d.m`, table t)",
        "select * from ml.evaluate(model d.m)",
        "select * from vector_search(table d.t, 'emb', (select 1))",
        "select * from d.t$20200101",
        "select * from d.t$__UNPARTITIONED__",
        "create or replace table d.t copy d.s",
        "loop\n  leave;\nend loop",
        "while x < 10 do\n  set x = x + 1;\nend while",
        "for r in (select 1 as x) do\n  select r.x;\nend for",
        "repeat\n  set x = x + 1;\n  until x > 3\nend repeat",
        "begin\n  declare x int64;\n  loop\n    leave;\n  end loop;\nend",
        "create or replace procedure d.p(x int64) begin select x; end",
        "create or replace table function d.f(x int64) as select x",
        "create or replace aggregate function d.f(x int64) as (sum(x))",
        "create or replace model d.m options(model_type = 'linear_reg') as select 1 as label",
        "create search index i on d.t(all columns)",
        "load data into d.t from files(format = 'CSV', uris = ['gs://x'])",
        "grant `roles/bigquery.dataViewer` on schema d to 'user:a@b.c'",
        "alter table d.t set options(description = 'x')",
        "select a << 1, a >> 1 from t",
        "select ARRAY<STRUCT<a INT64, b STRING>>[(1, 'x'), (2, 'y')]",
        "break",
        "leave",
        "my_label: loop\n  leave my_label;\nend loop",
    ];

    #[test]
    fn duckdb_corpus_parses() {
        for sql in DUCKDB_PARSED.iter().chain(DUCKDB_NORMALISED) {
            assert_eq!(outcome(sql, Dialect::DuckDb), CheckOutcome::Ok, "{sql}");
        }
    }

    #[test]
    fn bigquery_corpus_parses() {
        for sql in BIGQUERY_PARSED {
            assert_eq!(outcome(sql, Dialect::BigQuery), CheckOutcome::Ok, "{sql}");
        }
    }

    #[test]
    fn duckdb_parser_gaps_are_unsupported_not_errors() {
        for sql in DUCKDB_REJECTED {
            assert!(
                matches!(
                    outcome(sql, Dialect::DuckDb),
                    CheckOutcome::Unsupported { .. }
                ),
                "{sql}: {:?}",
                outcome(sql, Dialect::DuckDb)
            );
            assert_not_error(sql, Dialect::DuckDb);
        }
    }

    #[test]
    fn bigquery_parser_gaps_are_unsupported_not_errors() {
        for sql in BIGQUERY_REJECTED {
            assert!(
                matches!(
                    outcome(sql, Dialect::BigQuery),
                    CheckOutcome::Unsupported { .. }
                ),
                "{sql}: {:?}",
                outcome(sql, Dialect::BigQuery)
            );
            assert_not_error(sql, Dialect::BigQuery);
        }
    }

    /// Every block of a `----`-separated corpus file.
    fn corpus(text: &str) -> impl Iterator<Item = &str> {
        text.split("\n----\n").filter(|s| !s.trim().is_empty())
    }

    #[test]
    fn broad_valid_corpora_have_no_errors() {
        let duckdb = include_str!("testdata/duckdb_valid.sql");
        let bigquery = include_str!("testdata/bigquery_valid.sql");
        assert!(corpus(duckdb).count() > 250 && corpus(bigquery).count() > 250);
        for sql in corpus(duckdb) {
            assert_not_error(sql, Dialect::DuckDb);
        }
        for sql in corpus(bigquery) {
            assert_not_error(sql, Dialect::BigQuery);
        }
    }

    #[test]
    fn empty_and_comment_only_sql_is_ok() {
        for dialect in [Dialect::DuckDb, Dialect::BigQuery] {
            for sql in ["", "   \n\t ", "-- nothing\n", "/* a\n b */", ";", "\n;\n"] {
                assert_eq!(outcome(sql, dialect), CheckOutcome::Ok, "{sql:?}");
            }
        }
    }

    #[test]
    fn clear_errors_are_reported_at_their_position() {
        for dialect in [Dialect::DuckDb, Dialect::BigQuery] {
            let e = error("select a,, b from t", dialect);
            assert_eq!((e.line, e.column), (1, 10), "{e}");
            assert!(e.message.starts_with("Expected: an expression"), "{e}");
            assert!(!e.message.contains("Line:"), "{e}");

            let e = error("select 1\nfrom t\nwhere (a = 1 from u", dialect);
            assert_eq!((e.line, e.column), (3, 14), "{e}");

            let e = error("select 1 as x\n  from t where", dialect);
            assert_eq!((e.line, e.column), (2, 15), "{e}");

            let e = error("selec 1", dialect);
            assert_eq!((e.line, e.column), (1, 1), "{e}");

            let e = error("select 1;\nselect 2;\n\nselect * fron t", dialect);
            assert_eq!((e.line, e.column), (4, 10), "{e}");
        }
    }

    #[test]
    fn end_of_input_errors_point_after_the_last_token() {
        let e = error("select *\nfrom t\nwhere  \n-- trailing\n", Dialect::DuckDb);
        assert_eq!((e.line, e.column), (3, 6), "{e}");
        assert!(e.message.ends_with("found: EOF"), "{e}");
    }

    #[test]
    fn errors_inside_create_as_query_are_reported() {
        let e = error(
            "create or replace table t as\nselect a,, b from s",
            Dialect::DuckDb,
        );
        assert_eq!((e.line, e.column), (2, 10), "{e}");
        let e = error(
            "create or replace table `p.d.t` partition by date(ts) as\nselect (1 from t",
            Dialect::BigQuery,
        );
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn unterminated_string_is_a_tokenizer_error() {
        let e = error("select 1,\n  'abc from t", Dialect::DuckDb);
        assert_eq!((e.line, e.column), (2, 3), "{e}");
        assert!(!e.message.contains("Line:"), "{e}");
    }

    #[test]
    fn normalisation_keeps_checking_the_rest() {
        let e = error("insert into t by name select a,, b from s", Dialect::DuckDb);
        assert_eq!((e.line, e.column), (1, 32), "{e}");
        // `by name` elsewhere is left alone
        assert_eq!(
            outcome("select name from t order by name", Dialect::DuckDb),
            CheckOutcome::Ok
        );
    }

    #[test]
    fn columns_count_characters() {
        let e = error("select 'é', ,", Dialect::DuckDb);
        assert_eq!((e.line, e.column), (1, 13), "{e}");
    }

    #[test]
    fn deep_nesting_does_not_crash() {
        let sql = format!("select {}1{}", "(".repeat(200), ")".repeat(200));
        assert!(check(&sql, Dialect::DuckDb).is_ok());
    }

    #[test]
    fn location_suffix_is_split() {
        assert_eq!(
            split_location("Expected: x, found: y at Line: 12, Column: 3"),
            (
                "Expected: x, found: y".to_string(),
                Some(Location::new(12, 3))
            )
        );
        assert_eq!(
            split_location("no position"),
            ("no position".to_string(), None)
        );
    }
}
