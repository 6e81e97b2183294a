//! Application state and the one place it changes: `App::update(Action) -> Vec<Effect>` and
//! `App::on_job`. Global actions are handled here; a pane's actions and job reports go to that
//! pane, which answers with an [`Outcome`]; shared facts are published after each change.

mod input;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use super::action::{Action, Global, Nav, PaneAction, PaneNumber};
pub use super::effect::{Effect, JobMessage, JobOutput};
use super::keymap::Keymap;
use super::pane::{JobStatus, Outcome, Request, Shared};
pub use super::panes::Pane;
use super::panes::data::DataState;
use super::panes::drift::DriftState;
use super::panes::drift::reference_pair;
use super::panes::features::FeaturesState;
use super::panes::train::TrainState;
pub use super::prompt::{Edit, Prompt, PromptKind, expand_home};

/// An open dialog or overlay that takes the keys first.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Help { scroll: usize },
    ConfirmQuit,
}

/// The whole application state. Views read it; only [`App::update`] and [`App::on_job`]
/// change it.
pub struct App {
    pub keymap: Keymap,
    pub pane: Pane,
    /// Facts every pane reads (terminal size, store, the table, the feature spec).
    pub shared: Shared,
    pub data: DataState,
    pub features: FeaturesState,
    pub train: TrainState,
    pub drift: DriftState,
    pub overlay: Option<Overlay>,
    pub prompt: Option<Prompt>,
    /// Lines entered in each kind of prompt, oldest first (Up/Down walk them).
    pub history: HashMap<PromptKind, Vec<String>>,
    /// The last failure, shown in the status line until the next key.
    pub error: Option<String>,
    /// The last notice, shown in the status line until the next key.
    pub message: Option<String>,
    pub tick: u64,
    pub no_color: bool,
    pub quit: bool,
}

impl App {
    /// A new app over the files in `catalog`, recording runs in the store at `store_dir`.
    pub fn new(keymap: Keymap, catalog: Vec<PathBuf>, no_color: bool, store_dir: PathBuf) -> App {
        let mut drift = DriftState::new(store_dir.clone());
        if let Some((r, c)) = reference_pair(&catalog) {
            drift.set_reference(r);
            drift.set_current(c);
        }
        App {
            keymap,
            pane: Pane::Data,
            shared: Shared::new(store_dir.clone()),
            data: DataState::new(catalog),
            features: FeaturesState::default(),
            train: TrainState::new(store_dir),
            drift,
            overlay: None,
            prompt: None,
            history: HashMap::new(),
            error: None,
            message: None,
            tick: 0,
            no_color,
            quit: false,
        }
    }

    /// Effects to run at start: open the run store (which marks runs whose process has gone
    /// as interrupted) and load the first dataset of the catalog, if any.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = self.train.reload(true);
        if let Some(path) = self.data.catalog.first().cloned() {
            effects.extend(self.update(Action::Open(path)));
        }
        effects
    }

    /// The terminal size.
    pub fn size(&self) -> (u16, u16) {
        self.shared.size
    }

    /// True while any job runs.
    pub fn busy(&self) -> bool {
        self.data.busy() || self.features.busy() || self.train.busy() || self.drift.busy()
    }

    /// Translate a key press into an action, given what is open (reads state only).
    pub fn map_key(&self, key: &KeyEvent) -> Option<Action> {
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl_c {
            return Some(Global::ForceQuit.into());
        }
        if self.prompt.is_some() || self.overlay == Some(Overlay::ConfirmQuit) {
            return Some(Action::Input(*key));
        }
        let action = self.keymap.action(self.pane.context(), key);
        if let Some(Overlay::Help { .. }) = self.overlay {
            // Help takes only its own keys and the list movements (which scroll it).
            return match action {
                Some(Action::Global(Global::Help | Global::Cancel | Global::Quit)) => action,
                Some(Action::Pane(p)) if p.nav().is_some() => action,
                _ => None,
            };
        }
        action
    }

    /// Apply one action. Returns the work the runtime must start.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        // A tick or a resize changes no fact and leaves the status line as it is.
        let quiet = matches!(action, Action::Tick | Action::Resize(..));
        if !quiet {
            self.error = None;
            self.message = None;
        }
        let mut effects = match action {
            Action::Tick => {
                self.tick = self.tick.wrapping_add(1);
                Vec::new()
            }
            Action::Resize(w, h) => {
                self.resize((w, h));
                Vec::new()
            }
            Action::Input(key) => self.input(key),
            Action::Open(path) => self.data.open(path),
            Action::Global(g) => self.global(g),
            Action::Pane(p) if matches!(self.overlay, Some(Overlay::Help { .. })) => {
                self.scroll_help(p.nav());
                Vec::new()
            }
            Action::Pane(p) => {
                let outcome = self.route(p);
                self.absorb(outcome)
            }
        };
        if !quiet {
            effects.extend(self.publish());
        }
        effects
    }

    /// Feed a job's report to the pane whose job it is.
    pub fn on_job(&mut self, event: JobMessage) -> Vec<Effect> {
        let id = event.id();
        let shared = &self.shared;
        let outcome = if self.data.owns(id) {
            event
                .narrow(JobOutput::into_data)
                .map(|e| self.data.on_job(e, shared))
        } else if self.features.owns(id) {
            event
                .narrow(JobOutput::into_features)
                .map(|e| self.features.on_job(e, shared))
        } else if self.train.owns(id) {
            event
                .narrow(JobOutput::into_train)
                .map(|e| self.train.on_job(e, shared))
        } else if self.drift.owns(id) {
            event
                .narrow(JobOutput::into_drift)
                .map(|e| self.drift.on_job(e, shared))
        } else {
            // A job that is no longer current (cancelled, or replaced by a newer one).
            None
        };
        let mut effects = self.absorb(outcome.unwrap_or_default());
        effects.extend(self.publish());
        effects
    }

    /// For the status line: what runs now, with elapsed time.
    pub fn job_status(&self, now: Instant) -> Option<JobStatus> {
        self.train
            .job_status(now)
            .or_else(|| self.drift.job_status(now))
            .or_else(|| self.data.job_status(now))
            .or_else(|| self.features.job_status(now))
    }

    fn resize(&mut self, size: (u16, u16)) {
        self.shared.size = size;
        self.data.keep_visible(size);
        self.features.keep_visible(size);
        self.train.keep_visible(size);
        self.drift.keep_visible(size);
    }

    /// An action that means the same in every pane.
    pub(super) fn global(&mut self, action: Global) -> Vec<Effect> {
        match action {
            Global::ForceQuit => return self.quit_now(),
            Global::Help => {
                self.overlay = match self.overlay {
                    Some(Overlay::Help { .. }) => None,
                    _ => Some(Overlay::Help { scroll: 0 }),
                };
            }
            Global::Quit if matches!(self.overlay, Some(Overlay::Help { .. })) => {
                self.overlay = None;
            }
            Global::Quit if self.busy() => self.overlay = Some(Overlay::ConfirmQuit),
            Global::Quit => return self.quit_now(),
            Global::Cancel => return self.cancel(),
            Global::Palette => self.prompt = Some(Prompt::new(PromptKind::Palette, "")),
            Global::NextPane | Global::PrevPane => {
                let n = Pane::ALL.len();
                let i = Pane::ALL.iter().position(|p| *p == self.pane).unwrap_or(0);
                let step = if action == Global::NextPane { 1 } else { n - 1 };
                self.pane = Pane::ALL[(i + step) % n];
            }
            Global::GotoPane(PaneNumber(i)) => match Pane::ALL.get(i) {
                Some(p) => self.pane = *p,
                None => self.message = Some(format!("there is no pane {}", i + 1)),
            },
            Global::NextDataset | Global::PrevDataset => {
                let n = self.data.catalog.len();
                if n < 2 {
                    self.message = Some("only one dataset is open; :open PATH adds another".into());
                    return Vec::new();
                }
                let step = if action == Global::NextDataset {
                    1
                } else {
                    n - 1
                };
                let path = self.data.catalog[(self.data.current + step) % n].clone();
                return self.data.open(path);
            }
        }
        Vec::new()
    }

    /// A pane's action goes to that pane, and only while it is the active one.
    fn route(&mut self, action: PaneAction) -> Outcome {
        let shared = &self.shared;
        match (self.pane, action) {
            (Pane::Data, PaneAction::Data(a)) => self.data.update(a, shared),
            (Pane::Features, PaneAction::Features(a)) => self.features.update(a, shared),
            (Pane::Train, PaneAction::Train(a)) => self.train.update(a, shared),
            (Pane::Drift, PaneAction::Drift(a)) => self.drift.update(a, shared),
            _ => Outcome::none(),
        }
    }

    /// Take a pane's outcome in: its messages, its prompt, its request; return its effects.
    pub(super) fn absorb(&mut self, outcome: Outcome) -> Vec<Effect> {
        let mut effects = outcome.effects;
        if let Some(m) = outcome.notice {
            self.message = Some(m);
        }
        if let Some(e) = outcome.error {
            self.error = Some(e);
        }
        if let Some(p) = outcome.prompt {
            self.prompt = Some(p);
        }
        match outcome.request {
            Some(Request::SetTarget(target)) => {
                let result = match target {
                    Some(t) => self.features.set_target(&t, &self.shared),
                    None => self.features.clear_target(&self.shared),
                };
                let more = self.absorb(Outcome::from_result(result));
                effects.extend(more);
            }
            None => {}
        }
        effects
    }

    /// Publish what changed to the shared facts, and let the panes that read them follow:
    /// a new table (Features proposes its spec, Train its leaderboard), a new spec (Train).
    /// O(1) when nothing changed.
    fn publish(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        let shown = self.data.dataset.as_ref();
        if self.shared.shown_path.as_ref() != shown.map(|d| &d.path) {
            self.shared.shown_path = shown.map(|d| d.path.clone());
        }
        let complete = shown.filter(|d| d.complete && self.data.profile.is_some());
        let new_table = complete.is_some_and(|d| {
            self.shared
                .dataset
                .as_ref()
                .is_none_or(|old| !Arc::ptr_eq(old, d))
        });
        if new_table {
            self.shared.dataset = complete.cloned();
            self.shared.profile = self.data.profile.clone();
            effects.extend(self.features.on_dataset(&self.shared));
        }
        let new_spec = self.features.revision != self.shared.spec_revision;
        if new_spec {
            self.shared.spec = self.features.spec.clone().map(Arc::new);
            self.shared.spec_problems = self.features.problems.len();
            self.shared.spec_revision = self.features.revision;
        }
        if new_table || new_spec {
            effects.extend(self.train.on_shared(&self.shared));
        }
        effects
    }

    fn scroll_help(&mut self, nav: Option<Nav>) {
        let max = super::view::help_max_scroll(self);
        if let (Some(Overlay::Help { scroll }), Some(nav)) = (&mut self.overlay, nav) {
            *scroll = match nav {
                Nav::Down | Nav::HalfPageDown => (*scroll + 1).min(max),
                Nav::Up | Nav::HalfPageUp => scroll.saturating_sub(1),
                Nav::Top => 0,
                Nav::Bottom => max,
            };
        }
    }

    pub(super) fn quit_now(&mut self) -> Vec<Effect> {
        self.data.cancel_jobs();
        self.features.cancel_jobs();
        self.train.cancel_jobs();
        self.drift.cancel_jobs();
        self.quit = true;
        vec![Effect::Quit]
    }

    /// Esc: close what is open, else cancel what runs, else clear the filter.
    fn cancel(&mut self) -> Vec<Effect> {
        if self.overlay.take().is_some() {
            return Vec::new();
        }
        // The Drift pane's Esc closes its list, then cancels its own check only: a study
        // training meanwhile is not touched.
        if self.pane == Pane::Drift {
            if self.drift.history.take().is_some() {
                return Vec::new();
            }
            if let Some(name) = self.drift.cancel_jobs() {
                self.message = Some(format!("cancelled {name}"));
            }
            return Vec::new();
        }
        let cancelled = [
            self.train.cancel_jobs(),
            self.data.cancel_jobs(),
            self.features.cancel_jobs(),
        ];
        if let Some(name) = cancelled.into_iter().flatten().next() {
            self.message = Some(format!("cancelled {name}"));
            return Vec::new();
        }
        if self.pane == Pane::Train && self.train.detail {
            self.train.detail = false;
            return Vec::new();
        }
        if self.data.view.filter.is_some() {
            self.data.view.filter = None;
            self.message = Some("filter cleared".into());
            return self.data.recompute_view();
        }
        Vec::new()
    }
}
