//! A DAG scheduler: jobs with dependencies + a worker function -> each job run on one of N
//! threads as soon as its dependencies finished, with start/finish events in order.
//!
//! The calling thread only dispatches and reports, so output lines never interleave; a
//! job whose dependency blocked (failed) is skipped without running, as dbt does.

use std::collections::{HashMap, VecDeque};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

thread_local! {
    static WORKER: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The 1-based number of the worker thread running the current job (0 outside workers),
/// for run_results.json's `thread_id`.
pub fn worker_id() -> usize {
    WORKER.with(std::cell::Cell::get)
}

/// What the scheduler reports to its caller.
pub enum Event<R> {
    /// A worker picked the job up.
    Started(usize),
    /// The job ran; `blocks` tells whether its dependents must be skipped.
    Finished { job: usize, result: R, blocks: bool },
    /// The job did not run: a dependency blocked (`Some(dep)`) or --fail-fast stopped the
    /// run (`None`).
    Skipped { job: usize, because: Option<usize> },
}

/// Runs `jobs` (indices, in preferred order) where `deps[j]` lists the jobs `j` waits for.
/// `work` returns a result and whether it blocks dependents. With `fail_fast`, the first
/// blocking result stops dispatching; jobs not yet started are reported as skipped.
pub fn run<R, W, E>(
    jobs: &[usize],
    deps: &HashMap<usize, Vec<usize>>,
    threads: usize,
    fail_fast: bool,
    work: W,
    mut on_event: E,
) where
    R: Send,
    W: Fn(usize) -> (R, bool) + Sync,
    E: FnMut(Event<R>),
{
    let mut waiting: HashMap<usize, usize> = HashMap::new();
    let mut dependents: HashMap<usize, Vec<usize>> = HashMap::new();
    for &j in jobs {
        let ds = deps.get(&j).map(Vec::as_slice).unwrap_or(&[]);
        waiting.insert(j, ds.len());
        for &d in ds {
            dependents.entry(d).or_default().push(j);
        }
    }
    let rank: HashMap<usize, usize> = jobs.iter().enumerate().map(|(r, &j)| (j, r)).collect();
    let mut ready: Vec<usize> = jobs.iter().copied().filter(|j| waiting[j] == 0).collect();
    let (job_tx, job_rx) = mpsc::channel::<usize>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (ev_tx, ev_rx) = mpsc::channel::<Event<R>>();
    std::thread::scope(|scope| {
        for worker in 1..=threads.max(1).min(jobs.len().max(1)) {
            let rx = Arc::clone(&job_rx);
            let tx = ev_tx.clone();
            let work = &work;
            scope.spawn(move || {
                WORKER.with(|w| w.set(worker));
                loop {
                    let next = rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                    let Ok(job) = next else { break };
                    if tx.send(Event::Started(job)).is_err() {
                        break;
                    }
                    let (result, blocks) = work(job);
                    if tx
                        .send(Event::Finished {
                            job,
                            result,
                            blocks,
                        })
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
        drop(ev_tx);
        let mut in_flight = 0usize;
        let mut stopped = false;
        let mut skip_queue: VecDeque<(usize, Option<usize>)> = VecDeque::new();
        loop {
            if !stopped {
                ready.sort_by_key(|j| std::cmp::Reverse(rank[j]));
                while let Some(j) = ready.pop() {
                    if job_tx.send(j).is_ok() {
                        in_flight += 1;
                    }
                }
            }
            while let Some((job, because)) = skip_queue.pop_front() {
                on_event(Event::Skipped { job, because });
                for &c in dependents.get(&job).map(Vec::as_slice).unwrap_or(&[]) {
                    if waiting.remove(&c).is_some() {
                        skip_queue.push_back((c, Some(job)));
                    }
                }
            }
            if in_flight == 0 {
                if stopped {
                    // Everything not run is reported once as skipped by --fail-fast.
                    let mut left: Vec<usize> = waiting.keys().copied().collect();
                    left.append(&mut ready);
                    left.sort_by_key(|j| rank[j]);
                    left.dedup();
                    for job in left {
                        on_event(Event::Skipped { job, because: None });
                    }
                }
                break;
            }
            let Ok(ev) = ev_rx.recv() else { break };
            match ev {
                Event::Started(j) => {
                    waiting.remove(&j);
                    on_event(Event::Started(j));
                }
                Event::Finished {
                    job,
                    result,
                    blocks,
                } => {
                    in_flight -= 1;
                    on_event(Event::Finished {
                        job,
                        result,
                        blocks,
                    });
                    if blocks && fail_fast {
                        stopped = true;
                    }
                    for &c in dependents.get(&job).map(Vec::as_slice).unwrap_or(&[]) {
                        if blocks {
                            if waiting.remove(&c).is_some() {
                                skip_queue.push_back((c, Some(job)));
                            }
                        } else if let Some(w) = waiting.get_mut(&c) {
                            *w -= 1;
                            if *w == 0 {
                                ready.push(c);
                            }
                        }
                    }
                }
                Event::Skipped { .. } => {}
            }
        }
        drop(job_tx);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(
        jobs: &[usize],
        deps: &[(usize, &[usize])],
        failing: &[usize],
        fail_fast: bool,
    ) -> Vec<String> {
        let deps: HashMap<usize, Vec<usize>> = deps.iter().map(|(j, d)| (*j, d.to_vec())).collect();
        let mut log = Vec::new();
        run(
            jobs,
            &deps,
            2,
            fail_fast,
            |j| (j, failing.contains(&j)),
            |e| match e {
                Event::Started(_) => {}
                Event::Finished { job, blocks, .. } => {
                    log.push(format!("{job}:{}", if blocks { "fail" } else { "ok" }))
                }
                Event::Skipped { job, because } => log.push(format!("{job}:skip{because:?}")),
            },
        );
        log.sort();
        log
    }

    #[test]
    fn every_job_runs_after_its_dependencies() {
        let deps: HashMap<usize, Vec<usize>> = [(1, vec![0]), (2, vec![0]), (3, vec![1, 2])].into();
        let order = Mutex::new(Vec::new());
        run(
            &[0, 1, 2, 3],
            &deps,
            3,
            false,
            |j| {
                order.lock().unwrap().push(j);
                ((), false)
            },
            |_| {},
        );
        let order = order.into_inner().unwrap();
        let pos = |j| order.iter().position(|&x| x == j).unwrap();
        assert_eq!(order.len(), 4);
        assert!(pos(0) < pos(1) && pos(0) < pos(2));
        assert!(pos(1) < pos(3) && pos(2) < pos(3));
    }

    #[test]
    fn a_failure_skips_descendants_only() {
        let log = collect(
            &[0, 1, 2, 3, 4],
            &[(1, &[0]), (2, &[1]), (4, &[3])],
            &[0],
            false,
        );
        assert_eq!(
            log,
            ["0:fail", "1:skipSome(0)", "2:skipSome(1)", "3:ok", "4:ok"]
        );
    }

    #[test]
    fn fail_fast_stops_dispatching() {
        let log = collect(&[0, 1, 2], &[(1, &[0]), (2, &[1])], &[0], true);
        assert_eq!(log, ["0:fail", "1:skipSome(0)", "2:skipSome(1)"]);
    }
}
