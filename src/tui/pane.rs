//! The pane contract ([`PaneState`]) and its shared pieces: what an update hands back
//! ([`Outcome`]), one job's bookkeeping ([`JobSlot`]), a list cursor ([`ListCursor`]), and the
//! facts every pane reads ([`Shared`]).

use std::fmt::Debug;
use std::ops::BitOrAssign;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::layout::Rect;
use serde::de::DeserializeOwned;

use super::action::Nav;
use super::effect::Effect;
use super::prompt::{Prompt, PromptKind};
use super::theme::Theme;
use crate::jobs::memory::Memory;
use crate::jobs::{JobEvent, JobHandle, JobId};
use crate::pipeline::data::Dataset;
use crate::pipeline::features::FeatureSpec;
use crate::pipeline::profile::DatasetProfile;
use crate::pipeline::progress::{Progress, Stage};

/// What every pane is: one module with its own actions (its keymap section deserialises into
/// them), its own job outputs, its state, and its view. A new pane implements this and takes
/// one line in the pane list (`panes.rs`); the app routes to it by that list.
pub trait PaneState {
    /// The pane's actions: the names of its keymap section.
    type Action: DeserializeOwned + Copy + Debug + PartialEq;
    /// What the pane's jobs hand back.
    type Output: Debug;
    /// Its name in the pane bar and the help.
    const TITLE: &'static str;
    /// Its section in `assets/keymap.toml`.
    const SECTION: &'static str;

    /// The pane's state at start, before any file is open.
    fn create(launch: &Launch) -> Self
    where
        Self: Sized;
    /// Work to start with the app (open the store, load the first file).
    fn start(&mut self, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }
    /// Apply one of its actions (only while it is the active pane).
    fn update(&mut self, action: Self::Action, shared: &Shared) -> Outcome;
    /// One of its jobs reported.
    fn on_job(&mut self, event: JobEvent<Self::Output>, shared: &Shared) -> Outcome;
    /// A line entered in a prompt this pane opened.
    fn on_prompt(&mut self, _kind: PromptKind, _text: &str, _shared: &Shared) -> Outcome {
        Outcome::none()
    }
    /// The list movement an action is, if it is one (the help overlay scrolls by it).
    fn nav(action: Self::Action) -> Option<Nav>;

    /// Whether a job of this pane has this id.
    fn owns(&self, id: JobId) -> bool;
    fn busy(&self) -> bool;
    /// Cancel what runs; returns what was cancelled.
    fn cancel_jobs(&mut self) -> Option<&'static str>;
    /// Esc in this pane: close what it shows, else cancel its work. `None`: nothing to do.
    fn escape(&mut self) -> Option<Outcome> {
        self.cancel_jobs().map(Outcome::cancelled)
    }
    /// Its running job, for the status line.
    fn job_status(&self, now: Instant) -> Option<JobStatus>;

    /// Put the shared facts this pane owns into `shared`; what changed.
    fn publish(&self, _shared: &mut Shared) -> Changed {
        Changed::default()
    }
    /// Its state for the table it follows, to keep for the next session: that table's path and
    /// the state as JSON. `None`: nothing to keep.
    fn memory(&self) -> Option<(PathBuf, String)> {
        None
    }
    /// Follow shared facts that changed (a new table: its `shared.memory` says what it had in
    /// earlier sessions).
    fn on_shared(&mut self, _changed: Changed, _shared: &Shared) -> Vec<Effect> {
        Vec::new()
    }

    /// The terminal was resized: keep the cursor on screen.
    fn keep_visible(&mut self, size: (u16, u16));
    /// Draw the pane in `area` (reads state only).
    fn render(&self, frame: &mut Frame, area: Rect, shared: &Shared, theme: &Theme);
}

/// What a pane is created from: the files given at start, and the project's store.
#[derive(Clone, Copy, Debug)]
pub struct Launch<'a> {
    pub catalog: &'a [PathBuf],
    pub store_dir: &'a Path,
}

/// Which shared facts changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Changed {
    /// A new table, fully loaded and profiled.
    pub table: bool,
    /// A new feature spec (or its target).
    pub spec: bool,
}

impl Changed {
    pub fn any(self) -> bool {
        self.table || self.spec
    }
}

impl BitOrAssign for Changed {
    fn bitor_assign(&mut self, other: Changed) {
        self.table |= other.table;
        self.spec |= other.spec;
    }
}

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

    /// The notice that `what` was cancelled (Esc).
    pub fn cancelled(what: &str) -> Outcome {
        Outcome::notice(format!("cancelled {what}"))
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
    /// What each pane kept for `dataset` in earlier sessions (pane section → JSON).
    pub memory: Arc<Memory>,
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
            memory: Arc::default(),
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
