//! Background jobs: run a pipeline function on its own thread with a cancel flag, and report
//! progress and the result through a callback; work that cannot stop itself runs in a killable
//! [`worker`] process. No UI types: the TUI adapts the events.

pub mod drift;
pub mod memory;
pub mod runs;
pub mod study;
pub mod worker;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::pipeline::error::catch_panics;
use crate::pipeline::progress::{CancelFlag, Progress};
use crate::pipeline::{PipelineError, Result};

/// Identifies one job; events from a job whose id is no longer current are ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

/// What a running job reports.
#[derive(Debug)]
pub enum JobEvent<T> {
    Progress(JobId, Progress),
    /// A partial result, before the end (for example: one model of a study has finished).
    Update(JobId, T),
    Finished(JobId, Result<T>),
}

impl<T> JobEvent<T> {
    /// The job that reported.
    pub fn id(&self) -> JobId {
        match self {
            JobEvent::Progress(id, _) | JobEvent::Update(id, _) | JobEvent::Finished(id, _) => *id,
        }
    }

    /// The same event with its output narrowed by `f`; `None` when an output is not of the
    /// kind `f` takes (a report meant for someone else).
    pub fn narrow<U>(self, f: impl FnOnce(T) -> Option<U>) -> Option<JobEvent<U>> {
        Some(match self {
            JobEvent::Progress(id, p) => JobEvent::Progress(id, p),
            JobEvent::Update(id, t) => JobEvent::Update(id, f(t)?),
            JobEvent::Finished(id, Ok(t)) => JobEvent::Finished(id, Ok(f(t)?)),
            JobEvent::Finished(id, Err(e)) => JobEvent::Finished(id, Err(e)),
        })
    }
}

/// A job's identity and the flag that cancels it. Created before the job starts, so the
/// state that asked for the job can remember it.
#[derive(Clone, Debug)]
pub struct JobHandle {
    pub id: JobId,
    pub cancel: CancelFlag,
}

impl JobHandle {
    /// A new handle with a process-unique id.
    pub fn new() -> Self {
        static NEXT_ID: AtomicU64 = AtomicU64::new(1);
        JobHandle {
            id: JobId(NEXT_ID.fetch_add(1, Ordering::Relaxed)),
            cancel: CancelFlag::new(),
        }
    }
}

impl Default for JobHandle {
    fn default() -> Self {
        Self::new()
    }
}

/// Run `work` on a new thread under `handle`. Every progress report and the final result go
/// to `sink`; a panic inside `work` arrives as an error, never as a crash.
pub fn spawn<T, W, S>(name: &str, handle: &JobHandle, work: W, sink: S)
where
    T: Send + 'static,
    W: FnOnce(&CancelFlag, &(dyn Fn(Progress) + Sync)) -> Result<T> + Send + 'static,
    S: Fn(JobEvent<T>) + Send + Sync + 'static,
{
    spawn_with_updates(
        name,
        handle,
        |cancel, progress, _update| work(cancel, progress),
        sink,
    )
}

/// [`spawn`], where `work` can also hand over partial results as it goes.
pub fn spawn_with_updates<T, W, S>(name: &str, handle: &JobHandle, work: W, sink: S)
where
    T: Send + 'static,
    W: FnOnce(&CancelFlag, &(dyn Fn(Progress) + Sync), &(dyn Fn(T) + Sync)) -> Result<T>
        + Send
        + 'static,
    S: Fn(JobEvent<T>) + Send + Sync + 'static,
{
    let id = handle.id;
    let cancel = handle.cancel.clone();
    let sink = Arc::new(sink);
    let thread_sink = Arc::clone(&sink);
    let what = name.to_string();
    let spawned = std::thread::Builder::new()
        .name(format!("job-{name}"))
        .spawn(move || {
            let progress_sink = Arc::clone(&thread_sink);
            let progress = move |p: Progress| progress_sink(JobEvent::Progress(id, p));
            let update_sink = Arc::clone(&thread_sink);
            let update = move |t: T| update_sink(JobEvent::Update(id, t));
            let result = catch_panics(&what, || work(&cancel, &progress, &update));
            thread_sink(JobEvent::Finished(id, result));
        });
    if let Err(e) = spawned {
        sink(JobEvent::Finished(
            id,
            Err(PipelineError::Internal(format!(
                "cannot start a thread: {e}"
            ))),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn reports_progress_result_and_panics() {
        let (tx, rx) = mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        let h = JobHandle::new();
        spawn(
            "t",
            &h,
            |_c, p| {
                p(Progress::new(crate::pipeline::progress::Stage::Work, 1, 2));
                Ok(42)
            },
            move |e| {
                let _ = tx.lock().map(|t| t.send(e));
            },
        );
        let events: Vec<_> = rx.iter().take(2).collect();
        assert!(matches!(events[0], JobEvent::Progress(id, _) if id == h.id));
        assert!(matches!(events[1], JobEvent::Finished(id, Ok(42)) if id == h.id));

        let (tx, rx) = mpsc::channel();
        let tx = std::sync::Mutex::new(tx);
        spawn::<(), _, _>(
            "p",
            &JobHandle::new(),
            |_c, _p| panic!("boom"),
            move |e| {
                let _ = tx.lock().map(|t| t.send(e));
            },
        );
        match rx.recv().unwrap() {
            JobEvent::Finished(_, Err(PipelineError::Internal(m))) => assert!(m.contains("boom")),
            other => panic!("unexpected {other:?}"),
        }
    }
}
