//! Application state and the one place it changes: `App::update(Action) -> Vec<Effect>`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use polars::prelude::IdxSize;

use super::keymap::{Context, Keymap};
use super::panes::data::DataState;
use crate::jobs::{JobEvent, JobHandle};
use crate::pipeline::data::Dataset;
use crate::pipeline::profile::DatasetProfile;
use crate::pipeline::progress::Progress;
use crate::pipeline::text::escape_control;
use crate::pipeline::view::{Filter, Sort, ViewSpec};

/// The panes that exist, in their fixed order (Data, Features, Train, Compare, Drift, Export).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Data,
}

impl Pane {
    pub const ALL: &'static [Pane] = &[Pane::Data];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Data => "Data",
        }
    }

    pub fn context(self) -> Context {
        match self {
            Pane::Data => Context::Data,
        }
    }
}

/// What a background job hands back.
#[derive(Debug)]
pub enum JobOutput {
    /// The first rows of a file, shown while the whole file loads.
    Preview(Box<Dataset>),
    /// The whole file and its profile.
    Loaded(Box<(Dataset, DatasetProfile)>),
    /// Row order of a sorted/filtered view (`None`: file order).
    View(Option<Vec<IdxSize>>),
}

/// Messages from jobs to the app.
pub type JobMessage = JobEvent<JobOutput>;

/// Everything that can happen to the app.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Quit,
    ForceQuit,
    Help,
    Palette,
    Cancel,
    NextPane,
    PrevPane,
    GotoPane(usize),
    Down,
    Up,
    Left,
    Right,
    Top,
    Bottom,
    HalfPageDown,
    HalfPageUp,
    FirstColumn,
    LastColumn,
    Sort,
    Filter,
    Details,
    NextDataset,
    PrevDataset,
    /// A key typed into an open prompt (palette, filter) or answering a question.
    Input(KeyEvent),
    /// Open a file (from the palette or the command line).
    Open(PathBuf),
    Resize(u16, u16),
    Tick,
}

impl Action {
    /// The action a keymap entry names.
    pub fn from_name(name: &str) -> Option<Action> {
        Some(match name {
            "quit" => Action::Quit,
            "force_quit" => Action::ForceQuit,
            "help" => Action::Help,
            "palette" => Action::Palette,
            "cancel" => Action::Cancel,
            "next_pane" => Action::NextPane,
            "prev_pane" => Action::PrevPane,
            "down" => Action::Down,
            "up" => Action::Up,
            "left" => Action::Left,
            "right" => Action::Right,
            "top" => Action::Top,
            "bottom" => Action::Bottom,
            "half_page_down" => Action::HalfPageDown,
            "half_page_up" => Action::HalfPageUp,
            "first_column" => Action::FirstColumn,
            "last_column" => Action::LastColumn,
            "sort" => Action::Sort,
            "filter" => Action::Filter,
            "details" => Action::Details,
            "next_dataset" => Action::NextDataset,
            "prev_dataset" => Action::PrevDataset,
            n => {
                let digit = n.strip_prefix("pane_")?.parse::<usize>().ok()?;
                Action::GotoPane(digit.checked_sub(1)?)
            }
        })
    }
}

/// Work the runtime must start for the app. Jobs report back as [`JobMessage`]s.
#[derive(Debug)]
pub enum Effect {
    Load {
        job: JobHandle,
        path: PathBuf,
        preview: bool,
    },
    ComputeView {
        job: JobHandle,
        dataset: Arc<Dataset>,
        spec: ViewSpec,
    },
    Quit,
}

/// What an open one-line prompt is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Palette,
    Filter,
}

/// A one-line text prompt in the status line.
#[derive(Clone, Debug, PartialEq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub text: String,
}

/// An open dialog or overlay that takes the keys first.
#[derive(Clone, Debug, PartialEq)]
pub enum Overlay {
    Help { scroll: usize },
    ConfirmQuit,
}

/// The whole application state. Views read it; only [`App::update`] changes it.
pub struct App {
    pub keymap: Keymap,
    pub pane: Pane,
    pub data: DataState,
    pub overlay: Option<Overlay>,
    pub prompt: Option<Prompt>,
    /// The last failure, shown in the status line until the next key.
    pub error: Option<String>,
    /// The last notice, shown in the status line until the next key.
    pub message: Option<String>,
    pub size: (u16, u16),
    pub tick: u64,
    pub no_color: bool,
    pub quit: bool,
}

impl App {
    pub fn new(keymap: Keymap, catalog: Vec<PathBuf>, no_color: bool) -> App {
        App {
            keymap,
            pane: Pane::Data,
            data: DataState::new(catalog),
            overlay: None,
            prompt: None,
            error: None,
            message: None,
            size: (80, 24),
            tick: 0,
            no_color,
            quit: false,
        }
    }

    /// Effects to run at start: load the first dataset of the catalog, if any.
    pub fn start(&mut self) -> Vec<Effect> {
        match self.data.catalog.first().cloned() {
            Some(path) => self.update(Action::Open(path)),
            None => Vec::new(),
        }
    }

    /// True while any job runs.
    pub fn busy(&self) -> bool {
        self.data.loading.is_some() || self.data.view_job.is_some()
    }

    /// Translate a key press into an action, given what is open (reads state only).
    pub fn map_key(&self, key: &KeyEvent) -> Option<Action> {
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl_c {
            return Some(Action::ForceQuit);
        }
        if self.prompt.is_some() || self.overlay == Some(Overlay::ConfirmQuit) {
            return Some(Action::Input(*key));
        }
        if let Some(Overlay::Help { .. }) = self.overlay {
            return match self.keymap.action(Context::Global, key) {
                Some(a @ (Action::Help | Action::Cancel | Action::Quit)) => Some(a),
                _ => match self.keymap.action(Context::Data, key) {
                    Some(a @ (Action::Down | Action::Up | Action::Top | Action::Bottom)) => Some(a),
                    Some(Action::HalfPageDown) => Some(Action::Down),
                    Some(Action::HalfPageUp) => Some(Action::Up),
                    _ => None,
                },
            };
        }
        self.keymap.action(self.pane.context(), key)
    }

    /// Apply one action. Returns the work the runtime must start.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        if !matches!(action, Action::Tick | Action::Resize(..)) {
            self.error = None;
            self.message = None;
        }
        match action {
            Action::Tick => {
                self.tick = self.tick.wrapping_add(1);
                Vec::new()
            }
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.data.keep_cursor_visible(self.size);
                Vec::new()
            }
            Action::ForceQuit => self.quit_now(),
            Action::Input(key) => self.input(key),
            Action::Help => {
                self.overlay = match self.overlay {
                    Some(Overlay::Help { .. }) => None,
                    _ => Some(Overlay::Help { scroll: 0 }),
                };
                Vec::new()
            }
            Action::Quit => {
                if matches!(self.overlay, Some(Overlay::Help { .. })) {
                    self.overlay = None;
                    Vec::new()
                } else if self.busy() {
                    self.overlay = Some(Overlay::ConfirmQuit);
                    Vec::new()
                } else {
                    self.quit_now()
                }
            }
            Action::Cancel => self.cancel(),
            Action::Palette => {
                self.prompt = Some(Prompt {
                    kind: PromptKind::Palette,
                    text: String::new(),
                });
                Vec::new()
            }
            Action::NextPane | Action::PrevPane => {
                let n = Pane::ALL.len();
                let i = Pane::ALL.iter().position(|p| *p == self.pane).unwrap_or(0);
                let j = if action == Action::NextPane {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.pane = Pane::ALL[j];
                Vec::new()
            }
            Action::GotoPane(i) => {
                match Pane::ALL.get(i) {
                    Some(p) => self.pane = *p,
                    None => self.message = Some(format!("there is no pane {}", i + 1)),
                }
                Vec::new()
            }
            Action::Down | Action::Up | Action::Top | Action::Bottom
                if matches!(self.overlay, Some(Overlay::Help { .. })) =>
            {
                let max = super::view::help_max_scroll(self);
                if let Some(Overlay::Help { scroll }) = &mut self.overlay {
                    *scroll = match action {
                        Action::Down => (*scroll + 1).min(max),
                        Action::Up => scroll.saturating_sub(1),
                        Action::Top => 0,
                        _ => max,
                    };
                }
                Vec::new()
            }
            Action::Open(path) => self.data.open(path),
            Action::NextDataset | Action::PrevDataset => {
                let n = self.data.catalog.len();
                if n < 2 {
                    self.message = Some("only one dataset is open; :open PATH adds another".into());
                    return Vec::new();
                }
                let step = if action == Action::NextDataset {
                    1
                } else {
                    n - 1
                };
                let next = (self.data.current + step) % n;
                let path = self.data.catalog[next].clone();
                self.data.open(path)
            }
            Action::Sort => self.toggle_sort(),
            Action::Filter => {
                if self.data.dataset.is_none() {
                    self.error = Some("no dataset is loaded yet".into());
                } else {
                    self.prompt = Some(Prompt {
                        kind: PromptKind::Filter,
                        text: String::new(),
                    });
                }
                Vec::new()
            }
            other => {
                self.data.navigate(&other, self.size);
                Vec::new()
            }
        }
    }

    /// Feed a job's report into the state.
    pub fn on_job(&mut self, event: JobMessage) -> Vec<Effect> {
        match event {
            JobEvent::Progress(id, p) => {
                self.data.on_progress(id, p);
                Vec::new()
            }
            JobEvent::Finished(id, result) => {
                let was_loading = self.data.loading.is_some();
                match self.data.on_finished(id, result, self.size) {
                    Ok(effects) => {
                        // Say how the file was read when that needed care (encoding, ragged rows).
                        let loaded = was_loading && self.data.loading.is_none();
                        if let Some(ds) =
                            self.data.dataset.as_ref().filter(|d| loaded && d.complete)
                            && !ds.warnings.is_empty()
                        {
                            self.message = Some(format!(
                                "⚠ {} (Enter shows the column profile and file notes)",
                                escape_control(&ds.warnings.join("; "))
                            ));
                        }
                        effects
                    }
                    Err(e) => {
                        self.error = Some(escape_control(&e.to_string()).into_owned());
                        Vec::new()
                    }
                }
            }
        }
    }

    fn quit_now(&mut self) -> Vec<Effect> {
        self.data.cancel_jobs();
        self.quit = true;
        vec![Effect::Quit]
    }

    fn cancel(&mut self) -> Vec<Effect> {
        if self.overlay.take().is_some() {
            return Vec::new();
        }
        if let Some(name) = self.data.cancel_jobs() {
            self.message = Some(format!("cancelled {name}"));
            return Vec::new();
        }
        if self.data.view.filter.is_some() {
            self.data.view.filter = None;
            self.message = Some("filter cleared".into());
            return self.data.recompute_view();
        }
        Vec::new()
    }

    fn toggle_sort(&mut self) -> Vec<Effect> {
        let Some(name) = self.data.selected_column_name() else {
            self.error = Some("no dataset is loaded yet".into());
            return Vec::new();
        };
        let next = match &self.data.view.sort {
            Some(s) if s.column == name && !s.descending => Some(Sort {
                column: name,
                descending: true,
            }),
            Some(s) if s.column == name => None,
            _ => Some(Sort {
                column: name,
                descending: false,
            }),
        };
        self.data.view.sort = next;
        self.data.recompute_view()
    }

    fn input(&mut self, key: KeyEvent) -> Vec<Effect> {
        if self.overlay == Some(Overlay::ConfirmQuit) {
            return match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => self.quit_now(),
                _ => {
                    self.overlay = None;
                    Vec::new()
                }
            };
        }
        let Some(prompt) = &mut self.prompt else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => {
                self.prompt = None;
                Vec::new()
            }
            KeyCode::Backspace => {
                if prompt.text.pop().is_none() {
                    self.prompt = None;
                }
                Vec::new()
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                prompt.text.push(c);
                Vec::new()
            }
            KeyCode::Enter => {
                let Some(prompt) = self.prompt.take() else {
                    return Vec::new();
                };
                match prompt.kind {
                    PromptKind::Palette => self.run_command(prompt.text.trim()),
                    PromptKind::Filter => self.apply_filter(None, &prompt.text),
                }
            }
            _ => Vec::new(),
        }
    }

    fn apply_filter(&mut self, column: Option<String>, text: &str) -> Vec<Effect> {
        let Some(column) = column.or_else(|| self.data.selected_column_name()) else {
            self.error = Some("no dataset is loaded yet".into());
            return Vec::new();
        };
        match Filter::parse(&column, text) {
            Ok(filter) => {
                self.data.view.filter = Some(filter);
                self.data.recompute_view()
            }
            Err(e) => {
                self.error = Some(e.to_string());
                Vec::new()
            }
        }
    }

    /// Run a palette command: `open PATH`, `sort COL [desc]`, `filter EXPR`, `quit`, `help`.
    fn run_command(&mut self, line: &str) -> Vec<Effect> {
        let (cmd, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match cmd {
            "" => Vec::new(),
            "q" | "quit" => self.update(Action::Quit),
            "q!" | "quit!" => self.quit_now(),
            "help" => self.update(Action::Help),
            "open" | "o" | "e" | "edit" => {
                if rest.is_empty() {
                    self.error = Some("usage: :open PATH".into());
                    return Vec::new();
                }
                self.data.open(expand_home(rest))
            }
            "sort" => {
                let (col, dir) = match rest.rsplit_once(' ') {
                    Some((c, d)) if matches!(d, "desc" | "asc") => (c.trim(), d),
                    _ => (rest, "asc"),
                };
                if col.is_empty() {
                    self.data.view.sort = None;
                    return self.data.recompute_view();
                }
                if !self.data.has_column(col) {
                    self.error = Some(format!("no column named '{}'", escape_control(col)));
                    return Vec::new();
                }
                self.data.view.sort = Some(Sort {
                    column: col.to_string(),
                    descending: dir == "desc",
                });
                self.data.recompute_view()
            }
            "filter" => {
                if rest.is_empty() {
                    self.data.view.filter = None;
                    return self.data.recompute_view();
                }
                self.apply_filter(None, rest)
            }
            other => {
                self.error = Some(format!(
                    "unknown command '{}': try open PATH, sort COL [desc], filter EXPR, quit, help",
                    escape_control(other)
                ));
                Vec::new()
            }
        }
    }

    /// For the status line: what runs now, with elapsed time.
    pub fn job_status(&self, now: Instant) -> Option<(String, Option<f64>, Duration)> {
        self.data.job_status(now)
    }
}

/// `~/x` -> `$HOME/x`.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// Progress as the status line shows it.
pub fn progress_label(p: &Progress) -> String {
    match p.stage {
        "read" => format!("reading {:.0}%", p.fraction() * 100.0),
        "parse" => "parsing".to_string(),
        "profile" => format!("profiling column {}/{}", p.done, p.total),
        other => other.to_string(),
    }
}
