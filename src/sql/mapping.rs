//! Position mapping: rendered output + minijinja output spans -> the template line (and column) that produced a rendered position.
//!
//! minijinja's `render_with_spans` attributes every piece of the final output to what
//! produced it: `Raw` spans are template text copied verbatim (so offsets inside them
//! map one-to-one onto the template), `Expression` spans are the output of `{{ ... }}`,
//! a macro call, `{% filter %}` or `{% call %}` and only tell the expression's line.
//!
//! Templates may have been pre-processed by a rewriter that keeps every newline in
//! place but may prepend a header of `line_offset` lines: template line
//! `line_offset + n` is line `n` of the user's file, header lines map to nothing.

use std::ops::Range;

use minijinja::{OutputSpan, OutputSpanKind};

/// Where a rendered position came from in the user's file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplatePos {
    /// 1-based line in the user's file.
    pub line: u32,
    /// 1-based column (in characters), 0 when unknown.
    pub column: u32,
    /// The character at the position is literal template text (not produced by an
    /// expression), so `line` is exactly where the user wrote it.
    pub literal: bool,
}

#[derive(Debug, Clone)]
struct SpanInfo {
    output: Range<usize>,
    source_start: usize,
    /// 1-based template line where the span starts.
    line: u32,
    raw: bool,
    /// Index into `LineMap::names`.
    name: usize,
}

/// Maps positions in rendered SQL back to template lines.
#[derive(Debug, Clone)]
pub struct LineMap {
    rendered: String,
    /// Byte offset where each rendered line starts.
    line_starts: Vec<usize>,
    spans: Vec<SpanInfo>,
    /// Distinct template names of the spans.
    names: Vec<String>,
    /// Only spans of this template (index into `names`) are mapped; `None` maps all.
    only: Option<usize>,
    line_offset: u32,
    source: Option<String>,
}

impl LineMap {
    /// A map over the output and spans of one `render_with_spans` call.
    pub fn new(rendered: &str, spans: &[OutputSpan]) -> LineMap {
        let mut line_starts = vec![0];
        line_starts.extend(rendered.match_indices('\n').map(|(i, _)| i + 1));
        let mut names: Vec<String> = Vec::new();
        let mut infos = Vec::with_capacity(spans.len());
        for s in spans {
            if s.output_range().end > rendered.len() || s.output_range().is_empty() {
                continue;
            }
            let name = match names.iter().position(|n| n == s.name()) {
                Some(i) => i,
                None => {
                    names.push(s.name().to_string());
                    names.len() - 1
                }
            };
            infos.push(SpanInfo {
                output: s.output_range(),
                source_start: s.source_range().start,
                line: u32::try_from(s.line()).unwrap_or(0),
                raw: s.kind() == OutputSpanKind::Raw,
                name,
            });
        }
        infos.sort_by_key(|s| s.output.start);
        LineMap {
            rendered: rendered.to_string(),
            line_starts,
            spans: infos,
            names,
            only: None,
            line_offset: 0,
            source: None,
        }
    }

    /// Template line `line_offset + n` is line `n` of the user's file (a header of
    /// `line_offset` lines was prepended before rendering).
    pub fn with_line_offset(mut self, line_offset: u32) -> LineMap {
        self.line_offset = line_offset;
        self
    }

    /// The template source given to minijinja; lets columns be computed on the first
    /// line of a literal span too (otherwise they are only known after a newline).
    pub fn with_source(mut self, source: &str) -> LineMap {
        self.source = Some(source.to_string());
        self
    }

    /// Only spans of the template named `name` are mapped (output of included
    /// templates comes from other files).
    /// An unknown name maps nothing.
    pub fn for_template(mut self, name: &str) -> LineMap {
        self.only = Some(
            self.names
                .iter()
                .position(|n| n == name)
                .unwrap_or(usize::MAX),
        );
        self
    }

    /// Whether any output came from the template named `name`.
    pub fn has_template(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    /// The user's file position for a 1-based rendered line and column (column in
    /// characters, as sqlparser counts; 0 means the start of the line).
    pub fn template_position(&self, rendered_line: u32, rendered_col: u32) -> Option<TemplatePos> {
        let offset = self.offset_of(rendered_line, rendered_col)?;
        let span = self.span_at(offset)?;
        if self.only.is_some_and(|only| only != span.name) {
            return None;
        }
        if !span.raw {
            return Some(TemplatePos {
                line: self.user_line(span.line)?,
                column: 0,
                literal: false,
            });
        }
        // Raw output equals the template text, so count newlines inside the span.
        let end = offset.clamp(span.output.start, span.output.end);
        let before = self.rendered.get(span.output.start..end)?;
        let newlines = before.matches('\n').count();
        let line = span.line.checked_add(u32::try_from(newlines).ok()?)?;
        let column = match before.rfind('\n') {
            Some(nl) => count_chars(&before[nl + 1..]) + 1,
            None => match self.source_column(span.source_start) {
                Some(start_col) => start_col + count_chars(before),
                None => 0,
            },
        };
        Some(TemplatePos {
            line: self.user_line(line)?,
            column,
            literal: true,
        })
    }

    fn user_line(&self, template_line: u32) -> Option<u32> {
        template_line
            .checked_sub(self.line_offset)
            .filter(|&l| l > 0)
    }

    /// 1-based column of a byte offset in the template source, when it is known.
    fn source_column(&self, source_start: usize) -> Option<u32> {
        if source_start == 0 {
            return Some(1);
        }
        let source = self.source.as_deref()?;
        let before = source.get(..source_start)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Some(count_chars(&before[line_start..]) + 1)
    }

    /// Byte offset of a rendered (line, column); columns past the line end clamp to it.
    fn offset_of(&self, line: u32, col: u32) -> Option<usize> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.rendered.len(), |next| next - 1);
        let text = self.rendered.get(start..end)?;
        let skip = usize::try_from(col.saturating_sub(1)).ok()?;
        let within = text.char_indices().nth(skip).map_or(text.len(), |(i, _)| i);
        Some(start + within)
    }

    /// The span covering `offset`, or the one ending right there (end of input).
    fn span_at(&self, offset: usize) -> Option<&SpanInfo> {
        let after = self.spans.partition_point(|s| s.output.start <= offset);
        let candidate = self.spans.get(after.checked_sub(1)?)?;
        (offset <= candidate.output.end).then_some(candidate)
    }
}

fn count_chars(s: &str) -> u32 {
    u32::try_from(s.chars().count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::{Environment, context};

    fn render(template: &str) -> (String, Vec<OutputSpan>) {
        let mut env = Environment::new();
        env.add_template("models/m.sql", template)
            .unwrap_or_else(|e| panic!("template: {e}"));
        let tmpl = env
            .get_template("models/m.sql")
            .unwrap_or_else(|e| panic!("get: {e}"));
        tmpl.render_with_spans(context!(cols => vec!["a", "b", "c"], flag => true))
            .unwrap_or_else(|e| panic!("render: {e}"))
    }

    /// The rendered (line, column) of the first occurrence of `needle`.
    fn find(rendered: &str, needle: &str) -> (u32, u32) {
        let at = rendered
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in {rendered:?}"));
        let before = &rendered[..at];
        let line = before.matches('\n').count() + 1;
        let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count()
            + 1;
        (line as u32, col as u32)
    }

    fn pos(line: u32, column: u32, literal: bool) -> Option<TemplatePos> {
        Some(TemplatePos {
            line,
            column,
            literal,
        })
    }

    #[test]
    fn plain_template_maps_lines_and_columns() {
        let (out, spans) = render("select a,\n  b,\n  c from t\n");
        let map = LineMap::new(&out, &spans);
        assert_eq!(map.template_position(1, 1), pos(1, 1, true));
        assert_eq!(map.template_position(3, 5), pos(3, 5, true));
    }

    #[test]
    fn multi_line_raw_span_after_an_expression() {
        let tpl = "{{ 'select' }} a,\n  b,\n  c\nfrom t\nwhere x ,, y\n";
        let (out, spans) = render(tpl);
        let map = LineMap::new(&out, &spans);
        let (l, c) = find(&out, ",,");
        assert_eq!(map.template_position(l, c), pos(5, 9, true));
        // first line of the raw span: column unknown without the source...
        assert_eq!(map.template_position(1, 9), pos(1, 0, true));
        // ...and exact with it
        let map = LineMap::new(&out, &spans).with_source(tpl);
        assert_eq!(map.template_position(1, 9), pos(1, 17, true));
        // text produced by the expression
        assert_eq!(map.template_position(1, 2), pos(1, 0, false));
    }

    #[test]
    fn macro_output_is_attributed_to_the_call() {
        let tpl = "{% macro cols() %}\na,\nb,, c\n{% endmacro %}\nselect\n  {{ cols() }}\nfrom t\n";
        let (out, spans) = render(tpl);
        let map = LineMap::new(&out, &spans);
        let (l, c) = find(&out, ",,");
        assert_eq!(map.template_position(l, c), pos(6, 0, false));
        let (l, c) = find(&out, "from");
        assert_eq!(map.template_position(l, c), pos(7, 1, true));
    }

    #[test]
    fn whitespace_controlled_if_block() {
        let tpl = "select a\n{%- if flag %}\n  , b\n{%- endif %}\nfrom t\n  where ,\n";
        let (out, spans) = render(tpl);
        let map = LineMap::new(&out, &spans);
        let (l, c) = find(&out, ", b");
        assert_eq!(map.template_position(l, c), pos(3, 3, true));
        let (l, c) = find(&out, "where");
        assert_eq!(map.template_position(l, c), pos(6, 3, true));
        let (l, c) = find(&out, "from");
        assert_eq!(map.template_position(l, c), pos(5, 1, true));
    }

    #[test]
    fn for_loop_lines_map_to_the_loop_body() {
        let tpl = "select\n{% for c in cols %}\n  {{ c }} as x_{{ c }},\n{% endfor %}\n  1 as one\nfrom t\n";
        let (out, spans) = render(tpl);
        let map = LineMap::new(&out, &spans);
        let (l, c) = find(&out, " as x_b");
        assert_eq!(map.template_position(l, c + 1), pos(3, 0, true));
        let (l, c) = find(&out, "  c as");
        assert_eq!(map.template_position(l, c), pos(3, 1, true));
        assert_eq!(map.template_position(l, c + 2), pos(3, 0, false));
        let (l, c) = find(&out, "from");
        assert_eq!(map.template_position(l, c), pos(6, 1, true));
    }

    #[test]
    fn line_offset_skips_a_prepended_header() {
        let tpl = "{% set x = 1 %}\n-- header\nselect 1\nfrom t\n";
        let (out, spans) = render(tpl);
        let map = LineMap::new(&out, &spans).with_line_offset(2);
        let (l, c) = find(&out, "from");
        assert_eq!(map.template_position(l, c), pos(2, 1, true));
        let (l, c) = find(&out, "-- header");
        assert_eq!(map.template_position(l, c), None);
    }

    #[test]
    fn end_of_output_maps_to_the_last_span() {
        let (out, spans) = render("select *\nfrom t\nwhere");
        let map = LineMap::new(&out, &spans);
        assert_eq!(map.template_position(3, 6), pos(3, 6, true));
        assert_eq!(map.template_position(9, 1), None);
    }

    #[test]
    fn included_templates_are_not_ours() {
        let mut env = Environment::new();
        env.add_template("inc.sql", "x,\ny,,\n")
            .unwrap_or_else(|e| panic!("{e}"));
        env.add_template("models/m.sql", "select\n{% include 'inc.sql' %}z\nfrom t")
            .unwrap_or_else(|e| panic!("{e}"));
        let tmpl = env
            .get_template("models/m.sql")
            .unwrap_or_else(|e| panic!("{e}"));
        let (out, spans) = tmpl.render_with_spans(()).unwrap_or_else(|e| panic!("{e}"));
        let map = LineMap::new(&out, &spans).for_template("models/m.sql");
        let (l, c) = find(&out, ",,");
        assert_eq!(map.template_position(l, c), None);
        let (l, c) = find(&out, "from");
        assert_eq!(map.template_position(l, c), pos(3, 1, true));
    }
}
