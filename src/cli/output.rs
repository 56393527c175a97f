//! Terminal output: diagnostics and progress lines as text or dbt-style JSON lines, with
//! every profile secret scrubbed.

use std::io::Write;
use std::path::PathBuf;

use serde_json::json;

use super::args::LogFormat;
use super::progress::StatusLine;
use crate::diagnostics::{Diagnostic, Severity};

pub struct Printer {
    pub format: LogFormat,
    pub quiet: bool,
    pub color: bool,
    /// Paths in diagnostics are relative to this directory (for code frames).
    pub root: PathBuf,
    /// Secret values to mask in anything printed.
    pub secrets: Vec<String>,
    /// The live progress line while nodes run on a terminal; text goes above it.
    pub status: Option<StatusLine>,
}

impl Printer {
    fn scrub(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in &self.secrets {
            out = out.replace(s.as_str(), "*****");
        }
        out
    }

    /// Writes human-readable text to stderr, above the progress line when one is drawn.
    fn text(&self, text: &str) {
        match &self.status {
            Some(line) => line.print_above(&mut std::io::stderr(), text),
            None => {
                let _ = writeln!(std::io::stderr(), "{text}");
            }
        }
    }

    fn ts() -> String {
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    }

    /// An informational line (suppressed by --quiet).
    pub fn info(&self, name: &str, msg: &str) {
        if self.quiet {
            return;
        }
        self.line(name, "info", msg, json!({}));
    }

    /// A named event with structured data (dbt's event names, for orchestrators that parse
    /// `--log-format json`); text mode prints only `msg`.
    pub fn event(&self, name: &str, level: &str, msg: &str, data: serde_json::Value) {
        // Debug events exist for machines (dbt's NodeStart/NodeFinished): not shown as text.
        if (self.quiet && level != "error") || (level == "debug" && self.format == LogFormat::Text)
        {
            return;
        }
        self.line(name, level, msg, data);
    }

    fn line(&self, name: &str, level: &str, msg: &str, data: serde_json::Value) {
        let msg = self.scrub(msg);
        match self.format {
            LogFormat::Text => self.text(&msg),
            LogFormat::Json => {
                let line = json!({
                    "info": {"name": name, "level": level, "msg": msg, "ts": Self::ts(), "invocation_id": crate::render::builtins::invocation_id()},
                    "data": data,
                });
                // Data can quote SQL or messages; secrets are masked there too.
                let _ = writeln!(std::io::stdout(), "{}", self.scrub(&line.to_string()));
            }
        }
    }

    pub fn diagnostic(&self, d: &Diagnostic) {
        if self.quiet && d.severity == Severity::Warning {
            return;
        }
        match self.format {
            LogFormat::Text => {
                let text = self.scrub(&d.render(&self.root, self.color));
                self.text(&format!("{text}\n"));
            }
            LogFormat::Json => {
                let level = if d.is_error() { "error" } else { "warn" };
                let data = serde_json::to_value(d).unwrap_or_default();
                let msg = match &d.location {
                    Some(l) => format!("{l}: {}", d.message),
                    None => d.message.clone(),
                };
                self.line("Diagnostic", level, &msg, data);
            }
        }
    }

    pub fn diagnostics<'a>(&self, ds: impl IntoIterator<Item = &'a Diagnostic>) {
        for d in ds {
            self.diagnostic(d);
        }
    }

    /// Output a command was asked for (ls, compile of one node): always on stdout, even
    /// with --quiet; with --log-format json it is one JSON event (`name`) like dbt's.
    pub fn result(&self, name: &str, text: &str) {
        let text = self.scrub(text);
        match self.format {
            LogFormat::Text => {
                let _ = writeln!(std::io::stdout(), "{text}");
            }
            LogFormat::Json => {
                let line = json!({
                    "info": {"name": name, "level": "info", "msg": text, "ts": Self::ts(), "invocation_id": crate::render::builtins::invocation_id()},
                    "data": {},
                });
                let _ = writeln!(std::io::stdout(), "{line}");
            }
        }
    }
}
