//! Progress reports and cancellation shared by every long pipeline function.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

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

/// What a long function is doing, as its progress reports say (the worker protocol carries
/// it by name; a name this build does not know reads as [`Stage::Work`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Reading a file's bytes (`done` and `total` in bytes).
    Read,
    /// Parsing what was read (no measure of how far).
    Parse,
    /// Profiling the table, column by column.
    Profile,
    /// Fitting features (column by column) or a model (fold by fold).
    Fit,
    /// Fitting the final model on every row, after cross-validation.
    Refit,
    /// Transforming the table, column by column.
    Transform,
    /// Testing columns for drift.
    Drift,
    #[serde(other)]
    Work,
}

impl Stage {
    /// The stage's name, as the CLI's progress line and the worker protocol write it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Read => "read",
            Stage::Parse => "parse",
            Stage::Profile => "profile",
            Stage::Fit => "fit",
            Stage::Refit => "refit",
            Stage::Transform => "transform",
            Stage::Drift => "drift",
            Stage::Work => "work",
        }
    }
}

/// One progress report: which stage, and how far through it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub stage: Stage,
    pub done: u64,
    pub total: u64,
}

impl Progress {
    pub fn new(stage: Stage, done: u64, total: u64) -> Self {
        Self { stage, done, total }
    }

    /// The report as words for a status line: `reading 40%`, `profiling column 3/12`.
    pub fn label(&self) -> String {
        let (done, total) = (self.done, self.total);
        match self.stage {
            Stage::Read => format!("reading {:.0}%", self.fraction() * 100.0),
            Stage::Parse => "parsing".to_string(),
            Stage::Profile => format!("profiling column {done}/{total}"),
            Stage::Fit => format!("fitting column {done}/{total}"),
            Stage::Transform => format!("transforming column {done}/{total}"),
            Stage::Drift => format!("checking column {done}/{total}"),
            Stage::Refit | Stage::Work => self.stage.name().to_string(),
        }
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
