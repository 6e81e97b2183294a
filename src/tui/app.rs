//! Application state and the one place it changes: `App::update(Action) -> Vec<Effect>`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub use super::effect::{Effect, JobMessage, JobOutput};
use super::keymap::{Context, Keymap};
use super::panes::data::DataState;
use super::panes::drift::DriftState;
use super::panes::features::FeaturesState;
use super::panes::train::TrainState;
use crate::jobs::JobEvent;
use crate::pipeline::progress::Progress;
use crate::pipeline::text::escape_control;
use crate::pipeline::view::{Filter, Sort};

/// The panes that exist, in their fixed order (Data, Features, Train, Compare, Drift, Export).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Data,
    Features,
    Train,
    Drift,
}

impl Pane {
    pub const ALL: &'static [Pane] = &[Pane::Data, Pane::Features, Pane::Train, Pane::Drift];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Data => "Data",
            Pane::Features => "Features",
            Pane::Train => "Train",
            Pane::Drift => "Drift",
        }
    }

    pub fn context(self) -> Context {
        match self {
            Pane::Data => Context::Data,
            Pane::Features => Context::Features,
            Pane::Train => Context::Train,
            Pane::Drift => Context::Drift,
        }
    }
}

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
    FeaturesRole,
    FeaturesKind,
    FeaturesImpute,
    FeaturesScale,
    FeaturesEncode,
    FeaturesTransform,
    FeaturesAuto,
    FeaturesSave,
    FeaturesOpen,
    TrainStart,
    TrainToggleModel,
    TrainAllModels,
    SortNext,
    SortPrev,
    DriftRun,
    DriftNextTest,
    DriftPrevTest,
    DriftUseAsReference,
    DriftUseAsCurrent,
    DriftHistory,
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
            "cycle_role" => Action::FeaturesRole,
            "cycle_kind" => Action::FeaturesKind,
            "cycle_impute" => Action::FeaturesImpute,
            "cycle_scale" => Action::FeaturesScale,
            "cycle_encode" => Action::FeaturesEncode,
            "cycle_transform" => Action::FeaturesTransform,
            "auto_spec" => Action::FeaturesAuto,
            "save_spec" => Action::FeaturesSave,
            "open_spec" => Action::FeaturesOpen,
            "train" => Action::TrainStart,
            "toggle_model" => Action::TrainToggleModel,
            "all_models" => Action::TrainAllModels,
            "sort_next" => Action::SortNext,
            "sort_prev" => Action::SortPrev,
            "run_drift" => Action::DriftRun,
            "next_test" => Action::DriftNextTest,
            "prev_test" => Action::DriftPrevTest,
            "use_as_reference" => Action::DriftUseAsReference,
            "use_as_current" => Action::DriftUseAsCurrent,
            "drift_history" => Action::DriftHistory,
            n => {
                let digit = n.strip_prefix("pane_")?.parse::<usize>().ok()?;
                Action::GotoPane(digit.checked_sub(1)?)
            }
        })
    }
}

/// What an open one-line prompt is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptKind {
    Palette,
    Filter,
    SaveSpec,
    OpenSpec,
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
    pub features: FeaturesState,
    pub train: TrainState,
    pub drift: DriftState,
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
    /// A new app over the files in `catalog`, recording runs in the store at `store_dir`.
    pub fn new(keymap: Keymap, catalog: Vec<PathBuf>, no_color: bool, store_dir: PathBuf) -> App {
        let mut drift = DriftState::new(store_dir.clone());
        if let Some((r, c)) = drift_pair(&catalog) {
            drift.set_reference(r);
            drift.set_current(c);
        }
        App {
            keymap,
            pane: Pane::Data,
            data: DataState::new(catalog),
            features: FeaturesState::default(),
            train: TrainState::new(store_dir),
            drift,
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

    /// Effects to run at start: open the run store (which marks runs whose process has gone
    /// as interrupted) and load the first dataset of the catalog, if any.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = self.train.reload(true);
        if let Some(path) = self.data.catalog.first().cloned() {
            effects.extend(self.update(Action::Open(path)));
        }
        effects
    }

    /// True while any job runs.
    pub fn busy(&self) -> bool {
        self.data.loading.is_some()
            || self.data.view_job.is_some()
            || self.features.busy()
            || self.train.busy()
            || self.drift.busy()
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
        // A tick or a resize changes no spec: syncing costs time in the number of columns,
        // which a wide table cannot afford several times a second.
        let quiet = matches!(action, Action::Tick | Action::Resize(..));
        let mut effects = self.apply(action);
        if !quiet {
            effects.extend(self.follow_spec());
        }
        effects
    }

    /// The Train pane follows the feature spec's target; its leaderboard follows its set-up.
    fn follow_spec(&mut self) -> Vec<Effect> {
        // Only when the spec changed: reading it costs time in the number of columns.
        if self.features.revision != self.train.spec_revision {
            self.train.spec_revision = self.features.revision;
            let target = self
                .features
                .spec
                .as_ref()
                .and_then(|s| s.target().map(str::to_string));
            if self.features.spec.is_some() && target != self.train.target {
                self.train.target = target;
                self.train.sort = None;
            }
            self.train.spec = self.features.spec.clone().map(Arc::new);
        }
        self.train.reload(false)
    }

    fn apply(&mut self, action: Action) -> Vec<Effect> {
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
                self.features.keep_visible(self.size);
                self.train.keep_visible(self.size);
                self.drift.keep_visible(self.size);
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
            Action::FeaturesSave | Action::FeaturesOpen => {
                if self.features.spec.is_none() {
                    self.error = Some("no feature spec yet: load a dataset first".into());
                    return Vec::new();
                }
                self.prompt = Some(Prompt {
                    kind: if action == Action::FeaturesSave {
                        PromptKind::SaveSpec
                    } else {
                        PromptKind::OpenSpec
                    },
                    text: self.features.default_spec_path().display().to_string(),
                });
                Vec::new()
            }
            Action::FeaturesRole
            | Action::FeaturesKind
            | Action::FeaturesImpute
            | Action::FeaturesScale
            | Action::FeaturesEncode
            | Action::FeaturesTransform
            | Action::FeaturesAuto => {
                let result = self.features.edit(&action);
                self.features.keep_visible(self.size);
                self.effects_or_error(result)
            }
            Action::TrainStart => {
                let result = self
                    .train
                    .start(self.features.spec.as_ref(), self.features.problems.len());
                self.effects_or_error(result)
            }
            Action::TrainToggleModel => {
                let result = self.train.toggle_model().map(|()| Vec::new());
                self.effects_or_error(result)
            }
            Action::TrainAllModels => {
                let result = self.train.all_models().map(|()| Vec::new());
                self.effects_or_error(result)
            }
            Action::SortNext | Action::SortPrev => {
                self.message = Some(self.train.cycle_sort(action == Action::SortNext));
                self.train.keep_visible(self.size);
                Vec::new()
            }
            Action::DriftRun => {
                let result = self.drift.start();
                self.effects_or_error(result)
            }
            Action::DriftNextTest | Action::DriftPrevTest => {
                match self.drift.cycle_test(action == Action::DriftNextTest) {
                    Ok(m) => self.message = Some(m),
                    Err(e) => self.error = Some(e),
                }
                Vec::new()
            }
            Action::DriftUseAsReference | Action::DriftUseAsCurrent => {
                let Some(path) = self.data.dataset.as_ref().map(|d| d.path.clone()) else {
                    self.error = Some("no dataset is open in the Data pane".into());
                    return Vec::new();
                };
                let name = escape_control(&path.display().to_string()).into_owned();
                if action == Action::DriftUseAsReference {
                    self.drift.set_reference(path);
                    self.message = Some(format!("reference: {name}"));
                } else {
                    self.drift.set_current(path);
                    self.message = Some(format!("current: {name}"));
                }
                Vec::new()
            }
            Action::DriftHistory => self.drift.toggle_history(),
            Action::Details if self.pane == Pane::Drift => self.drift.open_selected(),
            other if self.pane == Pane::Drift => {
                self.drift.navigate(&other, self.size);
                Vec::new()
            }
            Action::Details if self.pane == Pane::Train => {
                let result = self.train.toggle_detail().map(|()| Vec::new());
                self.train.keep_visible(self.size);
                self.effects_or_error(result)
            }
            Action::Left | Action::Right if self.pane == Pane::Train => {
                let columns: Vec<String> = self
                    .features
                    .spec
                    .as_ref()
                    .map(|s| s.columns.iter().map(|c| c.name.clone()).collect())
                    .unwrap_or_default();
                match self.train.step(action == Action::Right, &columns) {
                    Ok(Some(Some(target))) => {
                        let result = self.features.set_target(&target);
                        self.effects_or_error(result)
                    }
                    Ok(Some(None)) => {
                        let result = self.features.clear_target();
                        self.effects_or_error(result)
                    }
                    Ok(None) => Vec::new(),
                    Err(e) => {
                        self.error = Some(e);
                        Vec::new()
                    }
                }
            }
            other if self.pane == Pane::Train => {
                self.train.navigate(&other, self.size);
                Vec::new()
            }
            other if self.pane == Pane::Features => {
                self.features.navigate(&other, self.size);
                Vec::new()
            }
            other => {
                self.data.navigate(&other, self.size);
                Vec::new()
            }
        }
    }

    /// A set-up change, or its refusal as the status-line error.
    fn unit_or_error(&mut self, result: Result<(), String>) -> Vec<Effect> {
        if let Err(e) = result {
            self.error = Some(e);
        }
        Vec::new()
    }

    /// Effects of a pane operation, or its refusal as the status-line error.
    fn effects_or_error(&mut self, result: Result<Vec<Effect>, String>) -> Vec<Effect> {
        match result {
            Ok(effects) => effects,
            Err(e) => {
                self.error = Some(e);
                Vec::new()
            }
        }
    }

    /// Feed a job's report into the state.
    pub fn on_job(&mut self, event: JobMessage) -> Vec<Effect> {
        // Progress reports change no spec; only a job's end can (a spec file opened, a table
        // loaded).
        let finished = matches!(event, JobEvent::Finished(..));
        let mut effects = self.apply_job(event);
        if finished {
            effects.extend(self.follow_spec());
        }
        effects
    }

    fn apply_job(&mut self, event: JobMessage) -> Vec<Effect> {
        match event {
            JobEvent::Update(id, JobOutput::Study(e)) => self.train.on_study_event(id, *e),
            JobEvent::Update(..) => Vec::new(),
            JobEvent::Finished(id, result) if self.train.owns(id) => {
                let (effects, message, error) = match result {
                    Ok(JobOutput::Runs(loaded)) => {
                        let (m, e) = self.train.on_runs(id, Ok(*loaded));
                        (Vec::new(), m, e)
                    }
                    Ok(JobOutput::StudyDone(outcome)) => self.train.on_study_done(id, Ok(*outcome)),
                    Ok(_) => (Vec::new(), None, None),
                    Err(e) if self.train.study.as_ref().is_some_and(|s| s.job.id == id) => {
                        self.train.on_study_done(id, Err(e))
                    }
                    Err(e) => {
                        let (m, e) = self.train.on_runs(id, Err(e));
                        (Vec::new(), m, e)
                    }
                };
                self.train.keep_visible(self.size);
                if message.is_some() {
                    self.message = message;
                }
                if error.is_some() {
                    self.error = error;
                }
                effects
            }
            JobEvent::Finished(id, result) if self.drift.owns(id) => {
                match result {
                    Ok(JobOutput::Drift(r)) => self.message = Some(self.drift.on_result(id, *r)),
                    Ok(JobOutput::DriftChecks(list)) => {
                        if let Some(m) = self.drift.on_history(id, list) {
                            self.message = Some(m);
                        }
                    }
                    Ok(JobOutput::BaselineSaved(m)) => {
                        if let Some(m) = self.drift.on_baseline_saved(id, m) {
                            self.message = Some(m);
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        self.drift.on_error(id);
                        self.error = Some(escape_control(&e.to_string()).into_owned());
                    }
                }
                self.drift.keep_visible(self.size);
                Vec::new()
            }
            JobEvent::Progress(id, p) => {
                self.drift.on_progress(id, p.clone());
                self.features.on_progress(id, p.clone());
                self.data.on_progress(id, p);
                Vec::new()
            }
            JobEvent::Finished(id, result) if self.features.owns(id) => {
                match self.features.on_finished(id, result) {
                    Ok((effects, message)) => {
                        self.message = message.or(self.message.take());
                        effects
                    }
                    Err(e) => {
                        self.error = Some(escape_control(&e.to_string()).into_owned());
                        Vec::new()
                    }
                }
            }
            JobEvent::Finished(id, result) => {
                let was_loading = self.data.loading.is_some();
                match self.data.on_finished(id, result, self.size) {
                    Ok(mut effects) => {
                        // Say how the file was read when that needed care (encoding, ragged rows).
                        let loaded = was_loading && self.data.loading.is_none();
                        if let (true, Some(ds), Some(profile)) =
                            (loaded, &self.data.dataset, &self.data.profile)
                            && ds.complete
                        {
                            effects.extend(self.features.on_dataset(ds.clone(), profile.clone()));
                            self.train.on_dataset(ds.clone(), profile.clone());
                        }
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
        self.features.cancel_jobs();
        self.train.cancel_jobs();
        self.drift.cancel_jobs();
        self.quit = true;
        vec![Effect::Quit]
    }

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
                    PromptKind::SaveSpec | PromptKind::OpenSpec => {
                        let path = expand_home(prompt.text.trim());
                        let result = if prompt.kind == PromptKind::SaveSpec {
                            self.features.save(&path)
                        } else {
                            self.features.open(&path)
                        };
                        self.effects_or_error(result)
                    }
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
            "fill" | "transforms" | "target" if self.features.spec.is_none() => {
                self.error = Some("no feature spec yet: load a dataset first".into());
                Vec::new()
            }
            "fill" => {
                if rest.is_empty() {
                    self.error = Some(
                        "usage: :fill VALUE (imputes the selected feature column with VALUE)"
                            .into(),
                    );
                    return Vec::new();
                }
                let result = self.features.set_fill(rest);
                self.effects_or_error(result)
            }
            "transforms" => {
                let result = self.features.set_transforms(rest);
                self.effects_or_error(result)
            }
            "target" if rest == "none" => {
                let result = self.features.clear_target();
                self.effects_or_error(result)
            }
            "target" => {
                let result = self.features.set_target(rest);
                self.effects_or_error(result)
            }
            "train" | "t" => self.apply(Action::TrainStart),
            "drift" => {
                if !rest.is_empty() {
                    let paths: Vec<&str> = rest.split_whitespace().collect();
                    let [r, c] = paths[..] else {
                        self.error = Some(
                            "usage: :drift REFERENCE CURRENT (paths without spaces), or :drift to \
                             check the chosen pair"
                                .into(),
                        );
                        return Vec::new();
                    };
                    self.drift.set_reference(expand_home(r));
                    self.drift.set_current(expand_home(c));
                }
                self.pane = Pane::Drift;
                self.apply(Action::DriftRun)
            }
            "reference" | "ref" | "current" | "cur" if !rest.is_empty() => {
                let path = expand_home(rest);
                if cmd.starts_with("ref") {
                    self.drift.set_reference(path);
                } else {
                    self.drift.set_current(path);
                }
                self.pane = Pane::Drift;
                Vec::new()
            }
            "baseline" => {
                let out = (!rest.is_empty()).then(|| expand_home(rest));
                let result = self.drift.save_baseline(out);
                self.effects_or_error(result)
            }
            "method" | "threshold" | "driftshare" | "drift-share" | "exclude" => {
                match self.drift.set_option(cmd, rest) {
                    Ok(m) => self.message = Some(m),
                    Err(e) => self.error = Some(e),
                }
                Vec::new()
            }
            "validation" | "val" => {
                let result = self.train.set_validation(rest);
                self.unit_or_error(result)
            }
            "seed" => {
                let result = self.train.set_seed(rest);
                self.unit_or_error(result)
            }
            "timelimit" | "time-limit" | "time_limit" => {
                let result = self.train.set_time_limit(rest);
                self.unit_or_error(result)
            }
            "task" => {
                let result = self.train.set_task(rest);
                self.unit_or_error(result)
            }
            "models" => {
                let result = self.train.set_models(rest);
                self.unit_or_error(result)
            }
            "params" => {
                match self.train.set_params(rest) {
                    Ok(m) => self.message = Some(m),
                    Err(e) => self.error = Some(e),
                }
                Vec::new()
            }
            "filter" => {
                if rest.is_empty() {
                    self.data.view.filter = None;
                    return self.data.recompute_view();
                }
                // `COL EXPR` names the column; a bare `EXPR` filters the selected one.
                let named = self.data.dataset.as_ref().and_then(|ds| {
                    let names: Vec<String> = ds
                        .df
                        .get_column_names()
                        .iter()
                        .map(|n| n.to_string())
                        .collect();
                    crate::pipeline::view::split_column_expr(rest, &names)
                });
                match named {
                    Some((col, expr)) => self.apply_filter(Some(col), &expr),
                    None => self.apply_filter(None, rest),
                }
            }
            other => {
                self.error = Some(format!(
                    "unknown command '{}': try open PATH, sort COL [desc], filter EXPR, fill VALUE, transforms LIST, target COL|none, train, validation holdout 0.2|cv 5|test PATH, seed N, timelimit S, task T, models A,B, params MODEL k=v, drift [REF CUR], reference PATH, current PATH, baseline FILE, method [COL=]TEST, threshold [COL=]X, driftshare X, exclude COLS, quit, help",
                    escape_control(other)
                ));
                Vec::new()
            }
        }
    }

    /// For the status line: what runs now, with elapsed time.
    pub fn job_status(&self, now: Instant) -> Option<(String, Option<f64>, Duration)> {
        self.train
            .job_status(now)
            .or_else(|| self.drift.job_status(now))
            .or_else(|| self.data.job_status(now))
            .or_else(|| self.features.job_status(now))
    }
}

/// A reference/current pair among the catalog's files: `X_reference.*` and `X_current.*` (or
/// `reference`/`current` anywhere in the names, with the same rest).
fn drift_pair(catalog: &[PathBuf]) -> Option<(PathBuf, PathBuf)> {
    let name = |p: &PathBuf| {
        p.file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default()
    };
    catalog.iter().find_map(|r| {
        let rn = name(r);
        if !rn.contains("reference") {
            return None;
        }
        let want = rn.replacen("reference", "current", 1);
        catalog
            .iter()
            .find(|c| name(c) == want)
            .map(|c| (r.clone(), c.clone()))
    })
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
        "fit" => format!("fitting column {}/{}", p.done, p.total),
        "transform" => format!("transforming column {}/{}", p.done, p.total),
        "drift" => format!("checking column {}/{}", p.done, p.total),
        other => other.to_string(),
    }
}
