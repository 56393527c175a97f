//! Problems found in a user's project: data (`Diagnostic`) kept apart from how it is printed.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a user's file; `line` and `column` are 1-based, 0 when unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Path relative to the project root (forward slashes), or as given when outside it.
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn new(file: impl Into<String>, line: u32, column: u32) -> Location {
        Location {
            file: file.into(),
            line,
            column,
        }
    }

    pub fn file(file: impl Into<String>) -> Location {
        Location::new(file, 0, 0)
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// One problem, with where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    /// Extra lines: "rendered from models/x.sql", "did you mean `stg_events`?".
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            message: message.into(),
            location: None,
            notes: Vec::new(),
        }
    }

    pub fn warning(message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(message)
        }
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(location);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The text form: `error: msg\n  --> file:line:col` plus a code frame when the
    /// file can be read under `root`, then the notes.
    pub fn render(&self, root: &Path, color: bool) -> String {
        let (label, paint) = match self.severity {
            Severity::Error => ("error", "\x1b[1;31m"),
            Severity::Warning => ("warning", "\x1b[1;33m"),
        };
        let mut out = String::new();
        if color {
            let _ = write!(out, "{paint}{label}\x1b[0m\x1b[1m: {}\x1b[0m", self.message);
        } else {
            let _ = write!(out, "{label}: {}", self.message);
        }
        if let Some(loc) = &self.location {
            let _ = write!(out, "\n  --> {loc}");
            if let Some(frame) = code_frame(root, loc) {
                out.push_str(&frame);
            }
        }
        for note in &self.notes {
            let _ = write!(out, "\n  = {note}");
        }
        out
    }
}

/// The offending line with a caret under the column, or `None` when unreadable.
fn code_frame(root: &Path, loc: &Location) -> Option<String> {
    if loc.line == 0 {
        return None;
    }
    let text = std::fs::read_to_string(root.join(&loc.file)).ok()?;
    let line = text.lines().nth(loc.line as usize - 1)?;
    let num = loc.line.to_string();
    let pad = " ".repeat(num.len());
    let mut out = format!("\n{pad} |\n{num} | {line}");
    if loc.column > 0 {
        let indent: String = line
            .chars()
            .take(loc.column as usize - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let _ = write!(out, "\n{pad} | {indent}^");
    } else {
        let _ = write!(out, "\n{pad} |");
    }
    Some(out)
}

/// All problems of a stage, collected before the stage stops.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

/// "did you mean `x`?" for the closest candidate: a small edit distance (transpositions
/// count once, so `tga` finds `tag`) or a high Jaro-Winkler similarity.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let limit = (wanted.chars().count() / 3).max(1);
    let mut best: Option<(usize, f64, &str)> = None;
    for c in candidates {
        if c == wanted {
            continue;
        }
        let distance = strsim::damerau_levenshtein(wanted, c);
        let similarity = strsim::jaro_winkler(wanted, c);
        if distance > limit && similarity <= 0.85 {
            continue;
        }
        let better = match best {
            None => true,
            Some((d, sim, _)) => distance < d || (distance == d && similarity > sim),
        };
        if better {
            best = Some((distance, similarity, c));
        }
    }
    best.map(|(_, _, c)| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let names = ["stg_events", "stg_users", "fct_daily"];
        assert_eq!(
            did_you_mean("stg_event", names).as_deref(),
            Some("did you mean `stg_events`?")
        );
        assert_eq!(did_you_mean("zzz", names), None);
        assert_eq!(
            did_you_mean("tga", ["tag", "path", "fqn"]).as_deref(),
            Some("did you mean `tag`?")
        );
    }

    #[test]
    fn location_display_omits_unknown_parts() {
        assert_eq!(Location::new("a.sql", 3, 0).to_string(), "a.sql:3");
        assert_eq!(Location::new("a.sql", 3, 7).to_string(), "a.sql:3:7");
        assert_eq!(Location::file("a.yml").to_string(), "a.yml");
    }
}
