//! Application state and the one place it changes: `App::update(Action) -> Vec<Effect>` and
//! `App::on_job`. Global actions are handled here; a pane's actions and job reports go to that
//! pane, which answers with an [`Outcome`]; shared facts are published after each change.

mod input;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use super::action::{Action, Global, Nav, PaneAction, PaneNumber};
pub use super::effect::{Effect, JobMessage, JobOutput};
use super::keymap::{Context, Keymap};
use super::pane::{JobStatus, Launch, Outcome, Request, Shared};
pub use super::panes::{Pane, Panes};
pub use super::prompt::{Edit, Prompt, PromptKind, expand_home};

/// An open dialog or overlay that takes the keys first.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    /// The status line's earlier notices and errors.
    Messages {
        scroll: usize,
    },
    ConfirmQuit,
}

impl Overlay {
    /// How far a scrolling overlay (help, messages) is scrolled.
    pub fn scroll(&self) -> Option<usize> {
        match self {
            Overlay::Help { scroll } | Overlay::Messages { scroll } => Some(*scroll),
            Overlay::ConfirmQuit => None,
        }
    }
}

/// One notice or error that was in the status line, kept for the messages overlay.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    /// Local time of day, `HH:MM:SS`.
    pub at: String,
    pub error: bool,
    pub text: String,
}

/// How many status messages the log keeps.
pub const LOG_LINES: usize = 500;

/// The whole application state. Views read it; only [`App::update`] and [`App::on_job`]
/// change it.
pub struct App {
    pub keymap: Keymap,
    pub pane: Pane,
    /// Facts every pane reads (terminal size, store, the table, the feature spec).
    pub shared: Shared,
    /// Every pane's state (the pane list in `panes.rs`).
    pub panes: Panes,
    pub overlay: Option<Overlay>,
    pub prompt: Option<Prompt>,
    /// Lines entered in each kind of prompt, oldest first (Up/Down walk them).
    pub history: HashMap<PromptKind, Vec<String>>,
    /// The last failure, shown in the status line until the next key.
    pub error: Option<String>,
    /// The last notice, shown in the status line until the next key.
    pub message: Option<String>,
    /// Every notice and error of the session, oldest first (the last [`LOG_LINES`]).
    pub log: Vec<LogLine>,
    pub tick: u64,
    pub no_color: bool,
    pub quit: bool,
}

impl App {
    /// A new app over the files in `catalog`, recording runs in the store at `store_dir`.
    pub fn new(keymap: Keymap, catalog: Vec<PathBuf>, no_color: bool, store_dir: PathBuf) -> App {
        let panes = Panes::create(&Launch {
            catalog: &catalog,
            store_dir: &store_dir,
        });
        App {
            keymap,
            pane: Pane::Data,
            shared: Shared::new(store_dir),
            panes,
            overlay: None,
            prompt: None,
            history: HashMap::new(),
            error: None,
            message: None,
            log: Vec::new(),
            tick: 0,
            no_color,
            quit: false,
        }
    }

    /// Effects to run at start (each pane's: open the run store, load the first file).
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = self.panes.start(&self.shared);
        effects.extend(self.publish());
        effects
    }

    /// The terminal size.
    pub fn size(&self) -> (u16, u16) {
        self.shared.size
    }

    /// True while any job runs.
    pub fn busy(&self) -> bool {
        self.panes.busy()
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
        let action = self.keymap.action(Context::Pane(self.pane), key);
        if self.overlay.as_ref().and_then(Overlay::scroll).is_some() {
            // Help and messages take only their own keys and the list movements (which
            // scroll them).
            return match action {
                Some(Action::Global(
                    Global::Help | Global::Messages | Global::Cancel | Global::Quit,
                )) => action,
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
            Action::Open(path) => self.panes.data.open(path),
            Action::Global(g) => self.global(g),
            Action::Pane(p) if self.overlay.as_ref().and_then(Overlay::scroll).is_some() => {
                self.scroll_overlay(p.nav());
                Vec::new()
            }
            Action::Pane(p) => {
                let outcome = self.panes.update(self.pane, p, &self.shared);
                self.absorb(outcome)
            }
        };
        if !quiet {
            effects.extend(self.publish());
            self.record();
        }
        effects
    }

    /// Feed a job's report to the pane whose job it is (a job no longer current, cancelled
    /// or replaced by a newer one, reaches none).
    pub fn on_job(&mut self, event: JobMessage) -> Vec<Effect> {
        let outcome = self.panes.on_job(event, &self.shared);
        let mut effects = self.absorb(outcome.unwrap_or_default());
        effects.extend(self.publish());
        self.record();
        effects
    }

    /// Keep the status line's notice and error in the log (once each).
    fn record(&mut self) {
        for (text, error) in [(&self.message, false), (&self.error, true)] {
            let Some(text) = text else { continue };
            let last = self.log.last();
            if last.is_some_and(|l| l.text == *text && l.error == error) {
                continue;
            }
            let now = time::OffsetDateTime::now_local()
                .unwrap_or_else(|_| time::OffsetDateTime::now_utc());
            self.log.push(LogLine {
                at: format!("{:02}:{:02}:{:02}", now.hour(), now.minute(), now.second()),
                error,
                text: text.clone(),
            });
        }
        if self.log.len() > LOG_LINES {
            self.log.drain(..self.log.len() - LOG_LINES);
        }
    }

    /// For the status line: what runs now (the active pane's job first), in which pane, and
    /// for how long.
    pub fn job_status(&self, now: Instant) -> Option<(Pane, JobStatus)> {
        std::iter::once(self.pane)
            .chain(Pane::ALL.iter().copied())
            .find_map(|p| self.panes.job_status(p, now).map(|s| (p, s)))
    }

    fn resize(&mut self, size: (u16, u16)) {
        self.shared.size = size;
        self.panes.keep_visible(size);
        self.clamp_overlay_scroll();
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
            Global::Messages => {
                self.overlay = match self.overlay {
                    Some(Overlay::Messages { .. }) => None,
                    // Opened at the newest message.
                    _ => Some(Overlay::Messages { scroll: usize::MAX }),
                };
                self.clamp_overlay_scroll();
            }
            Global::Quit if self.overlay.as_ref().and_then(Overlay::scroll).is_some() => {
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
                let data = &mut self.panes.data;
                let n = data.catalog.len();
                if n < 2 {
                    self.message = Some("only one dataset is open; :open PATH adds another".into());
                    return Vec::new();
                }
                let step = if action == Global::NextDataset {
                    1
                } else {
                    n - 1
                };
                let path = data.catalog[(data.current + step) % n].clone();
                return data.open(path);
            }
        }
        Vec::new()
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
                    Some(t) => self.panes.features.set_target(&t, &self.shared),
                    None => self.panes.features.clear_target(&self.shared),
                };
                let more = self.absorb(Outcome::from_result(result));
                effects.extend(more);
            }
            None => {}
        }
        effects
    }

    /// Publish what changed to the shared facts, and let the panes follow, in list order: a
    /// new table (Features proposes its spec), then a new spec (Train loads its leaderboard
    /// once, for both). O(1) when nothing changed.
    fn publish(&mut self) -> Vec<Effect> {
        let mut changed = self.panes.publish(&mut self.shared);
        let mut effects = Vec::new();
        if !changed.any() {
            return effects;
        }
        if changed.table {
            // The panes still follow the table left: keep their state of it.
            effects.extend(self.keep_states());
        }
        for pane in Pane::ALL {
            effects.extend(self.panes.on_shared(*pane, changed, &self.shared));
            changed |= self.panes.publish(&mut self.shared);
        }
        effects
    }

    fn scroll_overlay(&mut self, nav: Option<Nav>) {
        if let (Some(Overlay::Help { scroll } | Overlay::Messages { scroll }), Some(nav)) =
            (&mut self.overlay, nav)
        {
            *scroll = match nav {
                Nav::Down | Nav::HalfPageDown => scroll.saturating_add(1),
                Nav::Up | Nav::HalfPageUp => scroll.saturating_sub(1),
                Nav::Top => 0,
                Nav::Bottom => usize::MAX,
            };
        }
        self.clamp_overlay_scroll();
    }

    /// Keep a scrolling overlay's position within its text (and the terminal).
    pub(super) fn clamp_overlay_scroll(&mut self) {
        let max = super::view::overlay_max_scroll(self);
        if let Some(Overlay::Help { scroll } | Overlay::Messages { scroll }) = &mut self.overlay {
            *scroll = (*scroll).min(max);
        }
    }

    pub(super) fn quit_now(&mut self) -> Vec<Effect> {
        self.panes.cancel_all();
        self.quit = true;
        let mut effects = self.keep_states();
        effects.push(Effect::Quit);
        effects
    }

    /// Keep each pane's state of the table it follows, for the next session.
    fn keep_states(&mut self) -> Vec<Effect> {
        let mut by_table: Vec<(PathBuf, Vec<(String, String)>)> = Vec::new();
        for (path, pane, state) in self.panes.memories() {
            match by_table.iter_mut().find(|(p, _)| *p == path) {
                Some((_, states)) => states.push((pane, state)),
                None => by_table.push((path, vec![(pane, state)])),
            }
        }
        by_table
            .into_iter()
            .flat_map(|(path, states)| self.panes.data.remember(path, states))
            .collect()
    }

    /// Jobs the app waits for (a few seconds at most) when it quits: a study recording its
    /// cancelled runs, the panes' state being kept.
    pub fn finishing(&self) -> Vec<crate::jobs::JobId> {
        let study = self.panes.train.study.as_ref().map(|s| s.job.id);
        let memory = self.panes.data.memory_job.as_ref().map(|j| j.handle.id);
        study.into_iter().chain(memory).collect()
    }

    /// Esc: close what is open, else let the active pane take it (close what it shows,
    /// cancel its work, clear its filter). Another pane's job is not touched: pressing Esc
    /// to clear a filter must not stop a study training meanwhile.
    fn cancel(&mut self) -> Vec<Effect> {
        if self.overlay.take().is_some() {
            return Vec::new();
        }
        let outcome = self.panes.escape(self.pane).unwrap_or_default();
        self.absorb(outcome)
    }
}
