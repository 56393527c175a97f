//! The live progress line on a terminal: node starts and finishes in -> one status line,
//! redrawn under the scrolling per-node lines while a run is in progress.
//!
//! Only for people watching: it is drawn when stderr (where text lines go) is a terminal,
//! never in `--log-format json`, `--quiet` or with `TERM=dumb`, so logs that orchestrators
//! capture stay exactly dbt's lines.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Erases the current terminal row and returns the cursor to its start.
const ERASE: &str = "\r\x1b[2K";
/// How often the elapsed times are refreshed while nothing finishes.
const TICK: Duration = Duration::from_millis(250);

/// What the status line shows.
#[derive(Debug)]
struct State {
    total: usize,
    done: usize,
    ok: usize,
    warned: usize,
    failed: usize,
    skipped: usize,
    /// Nodes running now, by start order, with their start time.
    running: BTreeMap<usize, (String, Instant)>,
    /// Node id -> start order, so `finished` finds what `started` registered.
    order: BTreeMap<usize, usize>,
    next_start: usize,
    started: Instant,
    /// Whether a status line is on screen (it must be erased before other output).
    drawn: bool,
    width: usize,
}

/// How a node ended, for the counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    Ok,
    Warned,
    Failed,
    Skipped,
}

/// A status line shared between the reporter, the printer and a ticker thread.
#[derive(Clone)]
pub struct StatusLine {
    state: Arc<Mutex<State>>,
}

impl StatusLine {
    /// A status line for a run of `total` nodes, or `None` when nobody watches a terminal.
    pub fn for_terminal(total: usize) -> Option<StatusLine> {
        let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
        if total == 0 || dumb || !std::io::stderr().is_terminal() {
            return None;
        }
        Some(StatusLine::new(total, terminal_width()))
    }

    fn new(total: usize, width: usize) -> StatusLine {
        StatusLine {
            state: Arc::new(Mutex::new(State {
                total,
                done: 0,
                ok: 0,
                warned: 0,
                failed: 0,
                skipped: 0,
                running: BTreeMap::new(),
                order: BTreeMap::new(),
                next_start: 0,
                started: Instant::now(),
                drawn: false,
                width,
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not take the terminal down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn started(&self, node: usize, name: &str) {
        let mut s = self.lock();
        let key = s.next_start;
        s.next_start += 1;
        s.order.insert(node, key);
        s.running.insert(key, (name.to_string(), Instant::now()));
    }

    pub fn finished(&self, node: usize, how: Ended) {
        let mut s = self.lock();
        if let Some(k) = s.order.remove(&node) {
            s.running.remove(&k);
        }
        s.done += 1;
        match how {
            Ended::Ok => s.ok += 1,
            Ended::Warned => s.warned += 1,
            Ended::Failed => s.failed += 1,
            Ended::Skipped => s.skipped += 1,
        }
    }

    /// Writes `text` (one or more lines) above the status line, then redraws it.
    pub fn print_above(&self, out: &mut dyn Write, text: &str) {
        let mut s = self.lock();
        let mut buf = String::new();
        if s.drawn {
            buf.push_str(ERASE);
        }
        buf.push_str(text);
        buf.push('\n');
        buf.push_str(&render(&s, Instant::now()));
        s.drawn = true;
        let _ = out.write_all(buf.as_bytes());
        let _ = out.flush();
    }

    fn redraw(&self, out: &mut dyn Write) {
        let mut s = self.lock();
        let line = format!("{ERASE}{}", render(&s, Instant::now()));
        s.drawn = true;
        let _ = out.write_all(line.as_bytes());
        let _ = out.flush();
    }

    /// Removes the status line for good (the run is over).
    pub fn clear(&self, out: &mut dyn Write) {
        let mut s = self.lock();
        if s.drawn {
            let _ = out.write_all(ERASE.as_bytes());
            let _ = out.flush();
            s.drawn = false;
        }
    }

    /// Redraws the line every tick until the returned guard is dropped, so elapsed times
    /// move while a long model runs.
    pub fn tick(&self) -> Ticker {
        let stop = Arc::new(AtomicBool::new(false));
        let line = self.clone();
        let flag = Arc::clone(&stop);
        let handle = std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                line.redraw(&mut std::io::stderr());
                std::thread::sleep(TICK);
            }
        });
        Ticker {
            line: self.clone(),
            stop,
            handle: Some(handle),
        }
    }
}

/// Stops the ticker and erases the status line when dropped.
pub struct Ticker {
    line: StatusLine,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
        self.line.clear(&mut std::io::stderr());
    }
}

/// `COLUMNS` when the shell exports it; otherwise 80, the narrowest common terminal, so
/// the line never wraps (a wrapped line could not be erased in place).
fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&w| w >= 20)
        .unwrap_or(80)
}

/// The status line's text, cut to the terminal width.
fn render(s: &State, now: Instant) -> String {
    let mut counts = format!("{} ok", s.ok);
    for (n, word) in [(s.warned, "warn"), (s.failed, "error"), (s.skipped, "skip")] {
        if n > 0 {
            counts.push_str(&format!(", {n} {word}"));
        }
    }
    let elapsed = now.duration_since(s.started).as_secs_f64();
    let mut line = format!("[{}/{}] {counts} | {elapsed:.1}s", s.done, s.total);
    if !s.running.is_empty() {
        let names: Vec<String> = s
            .running
            .values()
            .map(|(name, since)| format!("{name} {:.1}s", now.duration_since(*since).as_secs_f64()))
            .collect();
        line.push_str(&format!(" | running: {}", names.join(", ")));
    }
    cut(&line, s.width.saturating_sub(1))
}

fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(3)).collect();
    out.push_str("...");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: &StatusLine) -> (String, Instant) {
        let s = line.lock();
        let now = s.started + Duration::from_millis(2500);
        (render(&s, now), now)
    }

    #[test]
    fn counts_finished_nodes_and_names_the_running_ones() {
        let line = StatusLine::new(5, 200);
        line.started(10, "stg_events");
        line.started(11, "dim_actor");
        line.started(12, "not_null_x");
        line.finished(10, Ended::Ok);
        line.finished(12, Ended::Failed);
        line.finished(13, Ended::Skipped);
        let (text, _) = at(&line);
        assert!(
            text.starts_with("[3/5] 1 ok, 1 error, 1 skip | 2.5s | running: dim_actor "),
            "{text}"
        );
        assert!(!text.contains("stg_events"), "{text}");
    }

    #[test]
    fn never_wider_than_the_terminal() {
        let line = StatusLine::new(1000, 40);
        for i in 0..20 {
            line.started(i, &format!("a_rather_long_model_name_{i}"));
        }
        let (text, _) = at(&line);
        assert_eq!(text.chars().count(), 39, "{text}");
        assert!(text.ends_with("..."), "{text}");
    }

    #[test]
    fn printing_erases_the_line_first_and_redraws_it_after() {
        let line = StatusLine::new(2, 80);
        let mut out = Vec::new();
        line.print_above(&mut out, "first");
        line.print_above(&mut out, "second");
        line.clear(&mut out);
        let text = String::from_utf8(out).unwrap();
        let parts: Vec<&str> = text.split(ERASE).collect();
        assert_eq!(parts.len(), 3, "{text:?}");
        assert!(parts[0].starts_with("first\n[0/2] 0 ok"), "{text:?}");
        assert!(parts[1].starts_with("second\n[0/2] 0 ok"), "{text:?}");
        assert_eq!(parts[2], "", "the run ends with the line erased: {text:?}");
    }
}
