//! The pane contract's shared pieces: what an update hands back ([`Outcome`]), one job's
//! bookkeeping ([`JobSlot`]), a list cursor ([`ListCursor`]), and the facts every pane reads
//! ([`Shared`]).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::action::Nav;
use super::effect::Effect;
use super::prompt::Prompt;
use crate::jobs::{JobHandle, JobId};
use crate::pipeline::data::Dataset;
use crate::pipeline::features::FeatureSpec;
use crate::pipeline::profile::DatasetProfile;
use crate::pipeline::progress::{Progress, Stage};

/// What a pane's `update` or `on_job` hands back to the app: work to start, a notice or an
/// error for the status line, a prompt to open, a change for the owner of a shared fact.
#[derive(Debug, Default)]
pub struct Outcome {
    pub effects: Vec<Effect>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub prompt: Option<Prompt>,
    pub request: Option<Request>,
}

/// A change to a shared fact, asked of the pane that owns it.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// Make this column the feature spec's target (`None`: no target, clustering).
    SetTarget(Option<String>),
}

impl Outcome {
    pub fn none() -> Outcome {
        Outcome::default()
    }

    pub fn effects(effects: Vec<Effect>) -> Outcome {
        Outcome {
            effects,
            ..Outcome::default()
        }
    }

    pub fn notice(text: impl Into<String>) -> Outcome {
        Outcome {
            notice: Some(text.into()),
            ..Outcome::default()
        }
    }

    pub fn error(text: impl Into<String>) -> Outcome {
        Outcome {
            error: Some(text.into()),
            ..Outcome::default()
        }
    }

    pub fn prompt(prompt: Prompt) -> Outcome {
        Outcome {
            prompt: Some(prompt),
            ..Outcome::default()
        }
    }

    /// Effects on success, the message as an error otherwise.
    pub fn from_result(result: Result<Vec<Effect>, String>) -> Outcome {
        match result {
            Ok(effects) => Outcome::effects(effects),
            Err(e) => Outcome::error(e),
        }
    }

    /// A notice on success, the message as an error otherwise.
    pub fn said(result: Result<String, String>) -> Outcome {
        match result {
            Ok(m) => Outcome::notice(m),
            Err(e) => Outcome::error(e),
        }
    }

    /// Nothing on success, the message as an error otherwise.
    pub fn done(result: Result<(), String>) -> Outcome {
        match result {
            Ok(()) => Outcome::none(),
            Err(e) => Outcome::error(e),
        }
    }

    /// This outcome with `more`'s effects added, and its messages where this has none.
    pub fn and(mut self, more: Outcome) -> Outcome {
        self.effects.extend(more.effects);
        self.notice = self.notice.or(more.notice);
        self.error = self.error.or(more.error);
        self.prompt = self.prompt.or(more.prompt);
        self.request = self.request.or(more.request);
        self
    }
}

/// A job in the status line: what it is, how far (when known), for how long.
#[derive(Clone, Debug, PartialEq)]
pub struct JobStatus {
    pub label: String,
    pub fraction: Option<f64>,
    pub elapsed: Duration,
}

/// One running job of a pane: its handle, when it started, its latest progress.
#[derive(Clone, Debug)]
pub struct JobSlot {
    pub handle: JobHandle,
    pub started: Instant,
    pub progress: Option<Progress>,
}

impl JobSlot {
    /// A slot for a new job, and the handle the job runs under.
    pub fn start() -> (JobSlot, JobHandle) {
        let handle = JobHandle::new();
        let slot = JobSlot {
            handle: handle.clone(),
            started: Instant::now(),
            progress: None,
        };
        (slot, handle)
    }

    pub fn owns(&self, id: JobId) -> bool {
        self.handle.id == id
    }

    pub fn cancel(&self) {
        self.handle.cancel.cancel();
    }

    /// The status line's view of this job, `what` naming it (`fitting the features`).
    pub fn status(&self, what: &str, now: Instant) -> JobStatus {
        let label = match &self.progress {
            Some(p) => format!("{what} · {}", p.label()),
            None => format!("{what} · starting"),
        };
        JobStatus {
            label,
            fraction: self
                .progress
                .as_ref()
                .filter(|p| p.total > 0 && p.stage != Stage::Parse)
                .map(Progress::fraction),
            elapsed: now.saturating_duration_since(self.started),
        }
    }
}

/// `slot`, if it runs the job `id`.
pub fn owned(slot: &Option<JobSlot>, id: JobId) -> bool {
    slot.as_ref().is_some_and(|s| s.owns(id))
}

/// A cursor in a list of `len` rows, `page` of which are on screen from `offset`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ListCursor {
    pub row: usize,
    pub offset: usize,
}

impl ListCursor {
    /// Move by `nav` in a list of `len` rows with `page` rows on screen.
    pub fn navigate(&mut self, nav: Nav, len: usize, page: usize) {
        let last = len.saturating_sub(1);
        let half = (page.max(1) / 2).max(1);
        self.row = match nav {
            Nav::Down => (self.row + 1).min(last),
            Nav::Up => self.row.saturating_sub(1),
            Nav::Top => 0,
            Nav::Bottom => last,
            Nav::HalfPageDown => (self.row + half).min(last),
            Nav::HalfPageUp => self.row.saturating_sub(half),
        };
        self.keep_visible(page);
    }

    /// Scroll so the cursor row is among the `page` rows on screen.
    pub fn keep_visible(&mut self, page: usize) {
        let page = page.max(1);
        if self.row < self.offset {
            self.offset = self.row;
        } else if self.row >= self.offset.saturating_add(page) {
            self.offset = self.row + 1 - page;
        }
    }

    /// Back to the first row.
    pub fn reset(&mut self) {
        *self = ListCursor::default();
    }
}

/// Facts every pane reads, kept in one place: the terminal size, the run store, the table
/// open in the Data pane, and the Features pane's spec. The pane that owns a fact publishes
/// it here; the others read it when they need it.
#[derive(Clone, Debug)]
pub struct Shared {
    pub size: (u16, u16),
    pub store_dir: PathBuf,
    /// The table fully loaded and profiled in the Data pane (never a preview).
    pub dataset: Option<Arc<Dataset>>,
    pub profile: Option<Arc<DatasetProfile>>,
    /// The path of the file on screen in the Data pane (a preview included).
    pub shown_path: Option<PathBuf>,
    /// The Features pane's spec (its target is the study's), and how many problems it has.
    pub spec: Option<Arc<FeatureSpec>>,
    pub spec_problems: usize,
    /// Counts the spec's changes, so a pane can tell a new spec in O(1).
    pub spec_revision: u64,
}

impl Shared {
    pub fn new(store_dir: PathBuf) -> Shared {
        Shared {
            size: (80, 24),
            store_dir,
            dataset: None,
            profile: None,
            shown_path: None,
            spec: None,
            spec_problems: 0,
            spec_revision: 0,
        }
    }

    /// The spec's target column, if it has one.
    pub fn target(&self) -> Option<&str> {
        self.spec.as_ref().and_then(|s| s.target())
    }

    /// The spec's column names (the Train pane's target choices).
    pub fn spec_columns(&self) -> Vec<String> {
        self.spec
            .as_ref()
            .map(|s| s.columns.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default()
    }
}
