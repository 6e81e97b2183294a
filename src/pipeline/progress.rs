//! Progress reports and cancellation shared by every long pipeline function.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::error::{PipelineError, Result};

/// A cheap, clonable cancellation flag. Long work checks it between steps.
#[derive(Clone, Debug, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// `Err(Cancelled)` once [`CancelFlag::cancel`] was called.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(PipelineError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// One progress report: which stage, and how far through it.
#[derive(Clone, Debug, PartialEq)]
pub struct Progress {
    pub stage: &'static str,
    pub done: u64,
    pub total: u64,
}

impl Progress {
    pub fn new(stage: &'static str, done: u64, total: u64) -> Self {
        Self { stage, done, total }
    }

    /// Fraction done in `[0, 1]` (0 when the total is unknown).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            (self.done as f64 / self.total as f64).clamp(0.0, 1.0)
        }
    }
}

/// The callback type long functions report progress to. It may be called from several threads.
pub type ProgressFn<'a> = &'a (dyn Fn(Progress) + Sync);

/// A progress callback that ignores every report.
pub fn no_progress(_: Progress) {}
