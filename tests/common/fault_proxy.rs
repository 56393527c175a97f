//! An HTTP proxy in front of the BigQuery emulator that answers the first requests with
//! scripted faults (an error status, or silence) and forwards the rest.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the proxy does with one request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status and Google's error body carrying `reason` and `message`.
    Status(u16, &'static str, &'static str),
    /// Read the request, say nothing for this long, then hang up.
    Stall(Duration),
    /// Forward requests until one whose body contains the first text, then answer that
    /// one as `Status` would (a warehouse refusing one particular statement).
    OnBody(&'static str, u16, &'static str, &'static str),
    /// Forward requests until one whose request line contains the first text; forward
    /// that one too, then POST the body to the path on the upstream before answering (a
    /// server-side effect the emulator lacks, played by the test).
    ThenPost(&'static str, String, String),
    /// Forward requests until one whose body contains the first text; instead of
    /// forwarding that one, run the query the function makes of its body on the
    /// upstream and answer with a finished job (an API call the emulator lacks, played
    /// in SQL by the test).
    Instead(&'static str, fn(&str) -> String),
}

pub struct FaultProxy {
    /// `host:port` to point xform at.
    pub addr: String,
    /// Request lines seen, each prefixed by what was done with it.
    pub log: Arc<Mutex<Vec<String>>>,
    bodies: Arc<Mutex<Vec<String>>>,
}

/// Text replaced in every forwarded answer's body (canned values the emulator lacks,
/// such as non-zero dry-run byte counts).
pub type Rewrite = Option<(&'static str, &'static str)>;

impl FaultProxy {
    pub fn start(upstream: &str, faults: Vec<Fault>) -> FaultProxy {
        FaultProxy::rewriting(upstream, faults, None)
    }

    pub fn rewriting(upstream: &str, faults: Vec<Fault>, rewrite: Rewrite) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let addr = listener.local_addr().expect("proxy address").to_string();
        let log = Arc::new(Mutex::new(Vec::new()));
        let plan = Arc::new(Mutex::new(VecDeque::from(faults)));
        let upstream = upstream.to_string();
        let thread_log = Arc::clone(&log);
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let thread_bodies = Arc::clone(&bodies);
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (plan, log, upstream) =
                    (Arc::clone(&plan), Arc::clone(&thread_log), upstream.clone());
                let bodies = Arc::clone(&thread_bodies);
                std::thread::spawn(move || serve(client, &plan, &log, &bodies, &upstream, rewrite));
            }
        });
        FaultProxy { addr, log, bodies }
    }

    /// Bodies of the forwarded requests.
    pub fn bodies(&self) -> Vec<String> {
        self.bodies.lock().expect("proxy bodies").clone()
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.lock().expect("proxy log").clone()
    }
}

/// One request per connection: every answer says `Connection: close`.
fn serve(
    mut client: TcpStream,
    plan: &Mutex<VecDeque<Fault>>,
    log: &Mutex<Vec<String>>,
    bodies: &Mutex<Vec<String>>,
    upstream: &str,
    rewrite: Rewrite,
) {
    let Some((head, body)) = read_request(&client) else {
        return;
    };
    let line = head.lines().next().unwrap_or_default().to_string();
    let fault = {
        let mut plan = plan.lock().expect("plan");
        match plan.front() {
            Some(Fault::OnBody(needle, ..)) if !String::from_utf8_lossy(&body).contains(needle) => {
                None
            }
            Some(Fault::ThenPost(needle, ..)) if !line.contains(needle) => None,
            Some(Fault::Instead(needle, _)) if !String::from_utf8_lossy(&body).contains(needle) => {
                None
            }
            _ => plan.pop_front(),
        }
    };
    match fault {
        Some(Fault::Status(code, reason, message) | Fault::OnBody(_, code, reason, message)) => {
            log.lock().expect("log").push(format!("{code} {line}"));
            let body = format!(
                r#"{{"error": {{"code": {code}, "message": "{message}", "errors": [{{"reason": "{reason}", "message": "{message}"}}], "status": "INJECTED"}}}}"#
            );
            let _ = write!(
                client,
                "HTTP/1.1 {code} Injected\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
        Some(Fault::Stall(pause)) => {
            log.lock().expect("log").push(format!("stall {line}"));
            std::thread::sleep(pause);
        }
        None => {
            log.lock().expect("log").push(format!("pass {line}"));
            bodies
                .lock()
                .expect("bodies")
                .push(String::from_utf8_lossy(&body).into_owned());
            let mut answer = forward(upstream, &head, &body);
            if let Some((from, to)) = rewrite {
                answer = rewritten(&answer, from, to);
            }
            let _ = client.write_all(&answer);
        }
        Some(Fault::Instead(_, play)) => {
            let request = String::from_utf8_lossy(&body).into_owned();
            let query =
                serde_json::json!({"query": play(&request), "useLegacySql": false}).to_string();
            // `POST /bigquery/v2/projects/<p>/jobs` -> that project's `queries`.
            let path = line
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .replace("/jobs", "/queries");
            let post = format!(
                "POST {path} HTTP/1.1\r\nHost: {upstream}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                query.len()
            );
            let done = forward(upstream, &post, query.as_bytes());
            let text = String::from_utf8_lossy(&done).into_owned();
            let ok = text.starts_with("HTTP/1.1 200") && !text.contains("\"error");
            log.lock().expect("log").push(format!(
                "played {line}: {}",
                if ok { "done" } else { "failed" }
            ));
            bodies.lock().expect("bodies").push(request);
            let status = if ok {
                serde_json::json!({"state": "DONE"})
            } else {
                serde_json::json!({"state": "DONE",
                    "errorResult": {"reason": "invalid", "message": text}})
            };
            let answer = serde_json::json!({"kind": "bigquery#job", "status": status}).to_string();
            let _ = write!(
                client,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
        Some(Fault::ThenPost(_, path, extra)) => {
            log.lock().expect("log").push(format!("pass+post {line}"));
            bodies
                .lock()
                .expect("bodies")
                .push(String::from_utf8_lossy(&body).into_owned());
            let answer = forward(upstream, &head, &body);
            let post = format!(
                "POST {path} HTTP/1.1\r\nHost: {upstream}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                extra.len()
            );
            let done = forward(upstream, &post, extra.as_bytes());
            let status = String::from_utf8_lossy(&done)
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            log.lock()
                .expect("log")
                .push(format!("posted {path}: {status}"));
            let _ = client.write_all(&answer);
        }
    }
}

/// Sends one request upstream and returns the raw answer.
fn forward(upstream: &str, head: &str, body: &[u8]) -> Vec<u8> {
    let Ok(mut up) = TcpStream::connect(upstream) else {
        return Vec::new();
    };
    let head: String = head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    let _ = up.write_all(format!("{head}Connection: close\r\n\r\n").as_bytes());
    let _ = up.write_all(body);
    let mut answer = Vec::new();
    let _ = up.read_to_end(&mut answer);
    answer
}

/// The request head (without the blank line) and its body, by Content-Length.
fn read_request(client: &TcpStream) -> Option<(String, Vec<u8>)> {
    let mut reader = BufReader::new(client.try_clone().ok()?);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((head, body))
}

/// An HTTP answer with `from` replaced by `to` in its body and Content-Length fixed.
fn rewritten(answer: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return answer.to_vec();
    };
    let body = body.replace(from, to);
    let head: Vec<String> = head
        .lines()
        .map(|l| {
            if l.to_ascii_lowercase().starts_with("content-length:") {
                format!("content-length: {}", body.len())
            } else {
                l.to_string()
            }
        })
        .collect();
    format!("{}\r\n\r\n{body}", head.join("\r\n")).into_bytes()
}
