//! The Train pane's state: the study's set-up (target, task, models, validation, seed, time
//! limit), the study in flight with each run's progress, and the leaderboard of comparable runs
//! read from the run store. Its rendering lives in `train/view.rs`.

pub mod layout;
pub mod view;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::layout::Rect;
use serde::{Deserialize, Serialize};

use crate::jobs::runs::{RunsLoaded, RunsQuery};
use crate::jobs::study::{PlannedRun, StudyEvent, StudyOutcome, StudySpec, ValidationChoice};
use crate::jobs::{JobEvent, JobHandle, JobId};
use crate::pipeline::data::Dataset;
use crate::pipeline::features::FeatureSpec;
use crate::pipeline::profile::DatasetProfile;
use crate::pipeline::runs::{self, RunId, RunRecord, RunStatus};
use crate::pipeline::text::escape_control;
use crate::pipeline::train::metrics::{self, Metric};
use crate::pipeline::train::models::{ModelKind, ModelSpec};
use crate::pipeline::train::{self, RunProgress, TaskKind};
use crate::pipeline::{PipelineError, Result};
use crate::tui::action::Nav;
use crate::tui::effect::Effect;
use crate::tui::pane::{Changed, JobStatus, Launch, Outcome, PaneState, Request, Shared};
use crate::tui::theme::Theme;

/// The Train pane's actions (its keys in `assets/keymap.toml`, section `train`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainAction {
    Left,
    Right,
    ToggleModel,
    AllModels,
    Train,
    SortNext,
    SortPrev,
    Details,
    #[serde(untagged)]
    Nav(Nav),
}

/// What the Train pane's jobs hand back.
#[derive(Debug)]
pub enum TrainOutput {
    /// A study's report on its way (planned, a run started, progress, a run ended).
    Study(Box<StudyEvent>),
    /// A study ended.
    StudyDone(Box<StudyOutcome>),
    /// Comparable runs read from the store.
    Runs(Box<RunsLoaded>),
}

/// The set-up rows, in screen order; the leaderboard's rows follow them under one cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetupField {
    Target,
    Task,
    Models,
    Validation,
    Seed,
    TimeLimit,
}

impl SetupField {
    pub const ALL: [SetupField; 6] = [
        SetupField::Target,
        SetupField::Task,
        SetupField::Models,
        SetupField::Validation,
        SetupField::Seed,
        SetupField::TimeLimit,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SetupField::Target => "target",
            SetupField::Task => "task",
            SetupField::Models => "models",
            SetupField::Validation => "validation",
            SetupField::Seed => "seed",
            SetupField::TimeLimit => "time limit",
        }
    }
}

/// Rows of the set-up before the leaderboard's first run.
pub const SETUP_ROWS: usize = SetupField::ALL.len();

/// Time limits `h`/`l` step through (seconds; `None`: no limit).
pub const TIME_LIMITS: [Option<u64>; 6] =
    [None, Some(10), Some(30), Some(60), Some(300), Some(900)];

/// Validations `h`/`l` step through (`:validation` sets any other).
pub fn validation_presets() -> [ValidationChoice; 5] {
    [
        ValidationChoice::Holdout(0.2),
        ValidationChoice::Holdout(0.3),
        ValidationChoice::CrossValidation(3),
        ValidationChoice::CrossValidation(5),
        ValidationChoice::CrossValidation(10),
    ]
}

/// A study being trained.
#[derive(Clone, Debug)]
pub struct StudyJob {
    pub job: JobHandle,
    pub started: Instant,
    pub study_id: Option<i64>,
    pub planned: Vec<PlannedRun>,
    /// The run training now, and since when.
    pub running: Option<(RunId, Instant)>,
    pub progress: BTreeMap<RunId, RunProgress>,
    pub ended: usize,
    /// Esc was pressed; the study is recording its runs as cancelled.
    pub cancelling: bool,
}

/// The leaderboard: comparable runs from the store, ranked.
#[derive(Clone, Debug, Default)]
pub struct Leaderboard {
    pub query: Option<RunsQuery>,
    /// The validation key of the runs shown.
    pub key: Option<String>,
    pub runs: Vec<RunRecord>,
    pub loading: Option<JobHandle>,
    pub error: Option<String>,
}

/// Everything the Train pane shows.
#[derive(Clone, Debug)]
pub struct TrainState {
    pub store_dir: PathBuf,
    pub dataset: Option<Arc<Dataset>>,
    pub profile: Option<Arc<DatasetProfile>>,
    /// The target, as the shared feature spec has it (followed in `on_shared`).
    pub target: Option<String>,
    /// The shared feature spec (followed in `on_shared`), for the leaderboard's key, and
    /// which revision of it that is.
    pub spec: Option<Arc<FeatureSpec>>,
    pub spec_revision: u64,
    /// `None`: detected from the target.
    pub task: Option<TaskKind>,
    /// Models the user turned off (all suitable ones are on by default).
    pub excluded: BTreeSet<ModelKind>,
    /// Hyperparameters set with `:params`, per model.
    pub params: BTreeMap<ModelKind, BTreeMap<String, serde_json::Value>>,
    pub model_cursor: usize,
    pub validation: ValidationChoice,
    pub seed: u64,
    pub time_limit: Option<u64>,
    /// One cursor over the set-up rows, then the leaderboard's runs.
    pub cursor: usize,
    /// The first leaderboard row on screen.
    pub offset: usize,
    /// The metric the leaderboard ranks by (`None`: the task's headline metric).
    pub sort: Option<Metric>,
    /// The selected run's detail is open.
    pub detail: bool,
    pub detail_scroll: u16,
    pub study: Option<StudyJob>,
    pub board: Leaderboard,
    /// Notes of the last study (rows dropped for a null target, …).
    pub notes: Vec<String>,
    /// The set-up of each other table opened in this session, taken back on returning to it.
    pub remembered: std::collections::HashMap<PathBuf, Setup>,
}

/// A table's set-up, as kept while another table is open (and, as JSON, between sessions).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    task: Option<TaskKind>,
    excluded: BTreeSet<ModelKind>,
    params: BTreeMap<ModelKind, BTreeMap<String, serde_json::Value>>,
    validation: ValidationChoice,
    seed: u64,
    time_limit: Option<u64>,
}

impl TrainState {
    pub fn new(store_dir: PathBuf) -> TrainState {
        TrainState {
            store_dir,
            dataset: None,
            profile: None,
            target: None,
            spec: None,
            spec_revision: 0,
            task: None,
            excluded: BTreeSet::new(),
            params: BTreeMap::new(),
            model_cursor: 0,
            validation: ValidationChoice::default(),
            seed: 42,
            time_limit: None,
            cursor: 0,
            offset: 0,
            sort: None,
            detail: false,
            detail_scroll: 0,
            study: None,
            board: Leaderboard::default(),
            notes: Vec::new(),
            remembered: std::collections::HashMap::new(),
        }
    }

    fn setup(&self) -> Setup {
        Setup {
            task: self.task,
            excluded: self.excluded.clone(),
            params: self.params.clone(),
            validation: self.validation.clone(),
            seed: self.seed,
            time_limit: self.time_limit,
        }
    }

    fn restore(&mut self, s: Setup) {
        self.task = s.task;
        self.excluded = s.excluded;
        self.params = s.params;
        self.validation = s.validation;
        self.seed = s.seed;
        self.time_limit = s.time_limit;
    }

    /// The set-up field under the cursor, if the cursor is in the set-up.
    pub fn field(&self) -> Option<SetupField> {
        SetupField::ALL.get(self.cursor).copied()
    }

    /// The leaderboard run under the cursor, if the cursor is on the leaderboard.
    pub fn selected_run(&self) -> Option<&RunRecord> {
        self.board.runs.get(self.cursor.checked_sub(SETUP_ROWS)?)
    }

    /// The task the set-up means, or why there is none.
    pub fn effective_task(&self) -> std::result::Result<TaskKind, String> {
        match (&self.target, self.task) {
            (None, None | Some(TaskKind::Clustering)) => Ok(TaskKind::Clustering),
            (None, Some(t)) => Err(format!("{} needs a target column", t.name())),
            (Some(_), Some(t)) => Ok(t),
            (Some(target), None) => {
                let ds = self.dataset.as_ref().ok_or("no dataset is loaded yet")?;
                let col = ds
                    .df
                    .column(target)
                    .map_err(|_| format!("there is no column '{}'", escape_control(target)))?;
                // The profile lists the table's columns in order: found by index, not by name.
                let distinct = || {
                    self.profile
                        .as_ref()
                        .zip(ds.df.get_column_index(target))
                        .and_then(|(p, i)| p.columns.get(i))
                        .filter(|c| c.name == *target)
                        .map_or(usize::MAX, |c| c.distinct as usize)
                };
                train::task_for_target(col.dtype(), distinct).ok_or_else(|| {
                    format!(
                        "{} holds {}, which cannot be a target",
                        escape_control(target),
                        col.dtype()
                    )
                })
            }
        }
    }

    /// The models that suit the task, each with whether it is on.
    pub fn model_choices(&self) -> Vec<(ModelKind, bool)> {
        let task = self.effective_task().unwrap_or(TaskKind::Classification);
        ModelKind::defaults(task)
            .into_iter()
            .map(|k| (k, !self.excluded.contains(&k)))
            .collect()
    }

    /// The metric the leaderboard ranks by.
    pub fn sort_metric(&self) -> Metric {
        self.sort.unwrap_or_else(|| {
            let task = self.effective_task().unwrap_or(TaskKind::Classification);
            metrics::headline(task.name())[0]
        })
    }

    /// Metrics the leaderboard can rank by: the task's headline ones, then any other a shown
    /// run has.
    pub fn metric_names(&self) -> Vec<Metric> {
        let task = self.effective_task().unwrap_or(TaskKind::Classification);
        let mut names = metrics::headline(task.name()).to_vec();
        let extra: BTreeSet<Metric> = self
            .board
            .runs
            .iter()
            .flat_map(|r| r.result.metrics.keys().copied())
            .filter(|k| !names.contains(k))
            .collect();
        names.extend(extra);
        names
    }

    /// The shared facts changed (a new table, a new feature spec): follow them, and load the
    /// leaderboard again if what it compares changed.
    pub fn follow_shared(&mut self, shared: &Shared) -> Vec<Effect> {
        if let Some(dataset) = &shared.dataset {
            let same = self
                .dataset
                .as_ref()
                .is_some_and(|d| d.fingerprint == dataset.fingerprint);
            let left = self.dataset.replace(dataset.clone());
            self.profile = shared.profile.clone();
            if !same {
                // Keep the set-up of the table left, take back the one of the table met again.
                if let Some(left) = left {
                    self.remembered.insert(left.path.clone(), self.setup());
                }
                let kept = || {
                    let json = shared.memory.get(<Self as PaneState>::SECTION)?;
                    serde_json::from_str::<Setup>(json).ok()
                };
                // This session's set-up of the table, else the one of an earlier session.
                match self.remembered.remove(&dataset.path).or_else(kept) {
                    Some(s) => self.restore(s),
                    // A table met for the first time keeps the validation, seed and time
                    // limit (the user's habits), not what belonged to the other table.
                    None => {
                        self.task = None;
                        self.excluded.clear();
                        self.params.clear();
                    }
                }
                self.board.runs.clear();
                self.board.key = None;
                self.cursor = self.cursor.min(SETUP_ROWS - 1);
                self.offset = 0;
                self.detail = false;
            }
        }
        if shared.spec_revision != self.spec_revision {
            self.spec_revision = shared.spec_revision;
            let target = shared.target().map(str::to_string);
            if shared.spec.is_some() && target != self.target {
                self.target = target;
                self.sort = None;
            }
            self.spec = shared.spec.clone();
        }
        self.reload(false)
    }

    /// The leaderboard query the set-up means now (none without a complete dataset).
    pub fn query(&self) -> Option<RunsQuery> {
        let ds = self.dataset.as_ref().filter(|d| d.complete)?;
        Some(RunsQuery {
            fingerprint: ds.fingerprint.clone(),
            target: self.target.clone(),
            task: self.effective_task().ok(),
            seed: self.seed,
            spec: self.spec.clone(),
            spec_revision: self.spec_revision,
            validation: self.validation.clone(),
            key: None,
        })
    }

    /// Load the leaderboard again if what it compares has changed (or `force`).
    pub fn reload(&mut self, force: bool) -> Vec<Effect> {
        let query = self.query();
        // A study's planned key on the board does not make the same set-up a new query.
        let same = match (&query, &self.board.query) {
            (Some(a), Some(b)) => a.same_setup(b),
            (a, b) => a.is_none() && b.is_none(),
        };
        if !force && same {
            return Vec::new();
        }
        self.load(query)
    }

    fn load(&mut self, query: Option<RunsQuery>) -> Vec<Effect> {
        if let Some(j) = self.board.loading.take() {
            j.cancel.cancel();
        }
        let job = JobHandle::new();
        self.board.loading = Some(job.clone());
        self.board.query = query.clone();
        vec![Effect::LoadRuns {
            job,
            store_dir: self.store_dir.clone(),
            query,
            dataset: self.dataset.clone(),
        }]
    }

    /// Move the cursor (set-up rows, then runs) or, on the models row, the model cursor.
    fn navigate(&mut self, nav: Nav, size: (u16, u16)) {
        let last = SETUP_ROWS + self.board.runs.len() - 1;
        let page = layout::board_rows(self, size).max(2);
        self.cursor = match nav {
            Nav::Down => (self.cursor + 1).min(last),
            Nav::Up => self.cursor.saturating_sub(1),
            Nav::Top => 0,
            Nav::Bottom => last,
            Nav::HalfPageDown if self.detail => {
                self.detail_scroll = self.detail_scroll.saturating_add(page as u16 / 2);
                self.cursor
            }
            Nav::HalfPageUp if self.detail => {
                self.detail_scroll = self.detail_scroll.saturating_sub(page as u16 / 2);
                self.cursor
            }
            Nav::HalfPageDown => (self.cursor + page / 2).min(last),
            Nav::HalfPageUp => self.cursor.saturating_sub(page / 2),
        };
        if !matches!(nav, Nav::HalfPageDown | Nav::HalfPageUp) || !self.detail {
            self.detail_scroll = 0;
        }
        if self.detail && self.selected_run().is_none() {
            self.detail = false;
        }
        self.keep_visible(size);
    }

    fn refuse_while_training(&self) -> std::result::Result<(), String> {
        match &self.study {
            Some(_) => Err("a study is training; wait for it, or Esc cancels it".into()),
            None => Ok(()),
        }
    }

    /// `h`/`l` on a set-up row: the previous or next value. A new target is returned for the
    /// caller to set in the feature spec (`columns` are the spec's), which the pane follows.
    pub fn step(
        &mut self,
        forward: bool,
        columns: &[String],
    ) -> std::result::Result<Option<Option<String>>, String> {
        let Some(field) = self.field() else {
            return Ok(None);
        };
        if field == SetupField::Models {
            let n = self.model_choices().len().max(1);
            self.model_cursor = cycle(self.model_cursor.min(n - 1), n, forward);
            return Ok(None);
        }
        self.refuse_while_training()?;
        match field {
            SetupField::Target => {
                if columns.is_empty() {
                    return Err("no dataset is loaded yet".into());
                }
                let names: Vec<Option<String>> = std::iter::once(None)
                    .chain(columns.iter().cloned().map(Some))
                    .collect();
                let i = names.iter().position(|n| *n == self.target).unwrap_or(0);
                return Ok(Some(names[cycle(i, names.len(), forward)].clone()));
            }
            SetupField::Task => {
                let all = [
                    None,
                    Some(TaskKind::Classification),
                    Some(TaskKind::Regression),
                    Some(TaskKind::Clustering),
                ];
                let i = all.iter().position(|t| *t == self.task).unwrap_or(0);
                self.task = all[cycle(i, all.len(), forward)];
            }
            SetupField::Validation => {
                let presets = validation_presets();
                let next = match presets.iter().position(|v| *v == self.validation) {
                    Some(i) => cycle(i, presets.len(), forward),
                    None => 0,
                };
                self.validation = presets[next].clone();
            }
            SetupField::Seed => {
                self.seed = if forward {
                    self.seed.wrapping_add(1)
                } else {
                    self.seed.wrapping_sub(1)
                };
            }
            SetupField::TimeLimit => {
                let i = TIME_LIMITS
                    .iter()
                    .position(|t| *t == self.time_limit)
                    .unwrap_or(0);
                self.time_limit = TIME_LIMITS[cycle(i, TIME_LIMITS.len(), forward)];
            }
            SetupField::Models => {}
        }
        Ok(None)
    }

    /// Space on the models row: turn the model under the model cursor on or off.
    pub fn toggle_model(&mut self) -> std::result::Result<(), String> {
        if self.field() != Some(SetupField::Models) {
            return Err("Space turns models on and off: select the models row (k) first".into());
        }
        self.refuse_while_training()?;
        let choices = self.model_choices();
        let Some((kind, _)) = choices.get(self.model_cursor.min(choices.len().saturating_sub(1)))
        else {
            return Ok(());
        };
        if !self.excluded.remove(kind) {
            self.excluded.insert(*kind);
        }
        Ok(())
    }

    /// `a`: every suitable model on.
    pub fn all_models(&mut self) -> std::result::Result<(), String> {
        self.refuse_while_training()?;
        self.excluded.clear();
        Ok(())
    }

    /// `:models a,b`: exactly these models on.
    pub fn set_models(&mut self, list: &str) -> std::result::Result<(), String> {
        self.refuse_while_training()?;
        let task = self.effective_task()?;
        let mut on = BTreeSet::new();
        for name in list.split([',', ' ']).filter(|s| !s.trim().is_empty()) {
            let kind = ModelKind::parse(name).ok_or_else(|| {
                format!(
                    "unknown model '{}'; for {} use {}",
                    escape_control(name.trim()),
                    task.name(),
                    model_names(task)
                )
            })?;
            if !kind.supports(task) {
                return Err(format!(
                    "{} does not do {}; use {}",
                    kind.name(),
                    task.name(),
                    model_names(task)
                ));
            }
            on.insert(kind);
        }
        if on.is_empty() {
            return Err(format!(
                "usage: :models NAME,NAME (for {}: {})",
                task.name(),
                model_names(task)
            ));
        }
        self.excluded = ModelKind::ALL
            .into_iter()
            .filter(|k| !on.contains(k))
            .collect();
        Ok(())
    }

    /// `:params MODEL key=value …`: hyperparameters for one model (checked now).
    pub fn set_params(&mut self, text: &str) -> std::result::Result<String, String> {
        self.refuse_while_training()?;
        let task = self.effective_task()?;
        let (name, rest) = text
            .trim()
            .split_once(char::is_whitespace)
            .unwrap_or((text.trim(), ""));
        let kind = ModelKind::parse(name).ok_or_else(|| {
            format!(
                "usage: :params MODEL key=value … (models: {})",
                model_names(task)
            )
        })?;
        let pairs = rest.split_whitespace().collect::<Vec<_>>().join(",");
        let spec = ModelSpec::parse(&format!("{}:{pairs}", kind.name()))?;
        let checked = spec.check(task).map_err(|e| e.to_string())?;
        let shown = params_line(&serde_json::Value::Object(checked.to_map()));
        if spec.params.is_empty() {
            self.params.remove(&kind);
        } else {
            self.params.insert(kind, spec.params);
        }
        self.excluded.remove(&kind);
        Ok(format!("{}: {shown}", kind.name()))
    }

    /// `:validation …`
    pub fn set_validation(&mut self, text: &str) -> std::result::Result<(), String> {
        self.refuse_while_training()?;
        self.validation = ValidationChoice::parse(text)?;
        Ok(())
    }

    /// `:seed N`
    pub fn set_seed(&mut self, text: &str) -> std::result::Result<(), String> {
        self.refuse_while_training()?;
        self.seed = text.trim().parse().map_err(|_| {
            format!(
                "the seed is a whole number ≥ 0, not '{}'",
                escape_control(text)
            )
        })?;
        Ok(())
    }

    /// `:timelimit SECONDS|none`
    pub fn set_time_limit(&mut self, text: &str) -> std::result::Result<(), String> {
        self.refuse_while_training()?;
        let t = text.trim().trim_end_matches('s').trim();
        self.time_limit = match t {
            "none" | "off" | "0" => None,
            _ => match t.parse::<u64>() {
                Ok(s) => Some(s),
                Err(_) => {
                    return Err(format!(
                        "the time limit is whole seconds or 'none', not '{}'",
                        escape_control(text)
                    ));
                }
            },
        };
        Ok(())
    }

    /// `:task auto|classification|regression|clustering`
    pub fn set_task(&mut self, text: &str) -> std::result::Result<(), String> {
        self.refuse_while_training()?;
        self.task = match text.trim() {
            "auto" | "" => None,
            t => Some(TaskKind::parse(t).ok_or_else(|| {
                format!(
                    "unknown task '{}': auto, classification, regression or clustering",
                    escape_control(t)
                )
            })?),
        };
        Ok(())
    }

    /// `t`: check the set-up and start the study in the background.
    pub fn start(&mut self, shared: &Shared) -> std::result::Result<Vec<Effect>, String> {
        let (spec, spec_problems) = (shared.spec.as_deref(), shared.spec_problems);
        self.refuse_while_training()?;
        let ds = self
            .dataset
            .as_ref()
            .filter(|d| d.complete)
            .ok_or("no dataset is loaded yet: open one in the Data pane (1)")?;
        let spec = spec.ok_or("the feature spec is not ready yet")?;
        if spec_problems > 0 {
            return Err(format!(
                "the feature spec has {spec_problems} problem(s); fix them in the Features pane (2)"
            ));
        }
        let task = self.effective_task()?;
        let models: Vec<ModelSpec> = self
            .model_choices()
            .into_iter()
            .filter(|(_, on)| *on)
            .map(|(k, _)| ModelSpec {
                model: k.name().into(),
                params: self.params.get(&k).cloned().unwrap_or_default(),
            })
            .collect();
        if models.is_empty() {
            return Err("no model is on: Space turns one on, a turns all on".into());
        }
        let study = StudySpec {
            data: ds.path.clone(),
            delimiter: None,
            target: self.target.clone(),
            task: Some(task),
            models,
            validation: self.validation.clone(),
            seed: self.seed,
            time_limit: self.time_limit.map(Duration::from_secs),
            features: Some(spec.clone()),
        };
        let job = JobHandle::new();
        self.study = Some(StudyJob {
            job: job.clone(),
            started: Instant::now(),
            study_id: None,
            planned: Vec::new(),
            running: None,
            progress: BTreeMap::new(),
            ended: 0,
            cancelling: false,
        });
        self.notes.clear();
        Ok(vec![Effect::TrainStudy {
            job,
            spec: Box::new(study),
            store_dir: self.store_dir.clone(),
        }])
    }

    /// A study reported something on its way.
    fn on_study_event(&mut self, id: JobId, event: StudyEvent) -> Vec<Effect> {
        let Some(study) = self.study.as_mut().filter(|s| s.job.id == id) else {
            return Vec::new();
        };
        match event {
            StudyEvent::Planned {
                study_id,
                fingerprint,
                validation_key,
                runs,
                notes,
                ..
            } => {
                study.study_id = Some(study_id);
                study.planned = runs;
                self.notes = notes;
                // Show this study's runs among the comparable ones, queued as they are.
                let mut query = self.query();
                if let Some(q) = &mut query {
                    q.fingerprint = fingerprint;
                    q.key = Some(validation_key);
                }
                return self.load(query);
            }
            StudyEvent::Started { run_id } => {
                study.running = Some((run_id, Instant::now()));
                if let Some(r) = self.board.runs.iter_mut().find(|r| r.run_id == run_id) {
                    r.status = RunStatus::Running;
                }
            }
            StudyEvent::Progress { run_id, progress } => {
                study.progress.insert(run_id, progress);
            }
            StudyEvent::Ended { run } => {
                study.ended += 1;
                study.progress.remove(&run.run_id);
                if study.running.is_some_and(|(id, _)| id == run.run_id) {
                    study.running = None;
                }
                self.upsert(*run);
            }
        }
        Vec::new()
    }

    /// Put a run on the leaderboard if it belongs there (replacing its older record).
    fn upsert(&mut self, run: RunRecord) {
        let selected = self.selected_run().map(|r| r.run_id);
        let fits = self.board.key.as_deref() == Some(run.setup.validation_key.as_str())
            && self.board.query.as_ref().is_some_and(|q| {
                q.target == run.setup.target && q.fingerprint == run.setup.data_fingerprint
            });
        match self.board.runs.iter_mut().find(|r| r.run_id == run.run_id) {
            Some(r) => *r = run,
            None if fits => self.board.runs.push(run),
            None => return,
        }
        self.rank(selected);
    }

    /// The study ended: say how it went.
    fn on_study_done(&mut self, id: JobId, result: Result<StudyOutcome>) -> Outcome {
        if self.study.as_ref().is_none_or(|s| s.job.id != id) {
            return Outcome::none();
        }
        let study = self.study.take();
        match result {
            Ok(outcome) => {
                let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
                for r in &outcome.runs {
                    *counts.entry(r.status.name()).or_default() += 1;
                }
                let counts = counts
                    .iter()
                    .map(|(s, n)| format!("{n} {}", s.replace('_', " ")))
                    .collect::<Vec<_>>()
                    .join(", ");
                let metric = self.sort_metric();
                let mut finished: Vec<RunRecord> = outcome
                    .runs
                    .iter()
                    .filter(|r| r.status == RunStatus::Finished)
                    .cloned()
                    .collect();
                runs::rank(&mut finished, metric);
                let best = finished
                    .first()
                    .and_then(|r| Some((r, *r.result.metrics.get(&metric)?)))
                    .map(|(r, v)| {
                        format!(
                            " · best: run {} {}, {metric} {v:.4}",
                            r.run_id, r.setup.model
                        )
                    })
                    .unwrap_or_default();
                let verb = if study.is_some_and(|s| s.cancelling) {
                    "cancelled"
                } else {
                    "done"
                };
                let msg = format!("study {} {verb}: {counts}{best}", outcome.study_id);
                let warned = outcome.runs.iter().find(|r| !r.result.warnings.is_empty());
                let error = match (&outcome.store_error, warned) {
                    (Some(e), _) => Some(format!("the run store failed during the study: {e}")),
                    (None, Some(r)) => Some(format!(
                        "run {} ({}): {}",
                        r.run_id,
                        r.setup.model,
                        r.result.warnings.join("; ")
                    )),
                    (None, None) => None,
                };
                Outcome {
                    effects: self.reload(true),
                    notice: Some(msg),
                    error,
                    ..Outcome::none()
                }
            }
            Err(PipelineError::Cancelled) => Outcome {
                effects: self.reload(true),
                notice: Some("training cancelled".into()),
                ..Outcome::none()
            },
            Err(e) => Outcome {
                effects: self.reload(true),
                error: Some(format!(
                    "training could not start: {}",
                    escape_control(&e.to_string())
                )),
                ..Outcome::none()
            },
        }
    }

    /// The leaderboard's runs arrived from the store.
    fn on_runs(&mut self, id: JobId, result: Result<RunsLoaded>) -> Outcome {
        if self.board.loading.as_ref().is_none_or(|j| j.id != id) {
            return Outcome::none();
        }
        self.board.loading = None;
        match result {
            Ok(loaded) => {
                let selected = self.selected_run().map(|r| r.run_id);
                self.board.key = loaded.key;
                self.board.runs = loaded.runs;
                self.board.error = None;
                // Runs of the study in flight carry their live status.
                if let Some(study) = &self.study
                    && let Some((running, _)) = study.running
                    && let Some(r) = self.board.runs.iter_mut().find(|r| r.run_id == running)
                {
                    r.status = RunStatus::Running;
                }
                self.rank(selected);
                if loaded.interrupted > 0 {
                    return Outcome::notice(format!(
                        "{} run(s) whose process had gone were marked interrupted in the store",
                        loaded.interrupted
                    ));
                }
                Outcome::none()
            }
            Err(PipelineError::Cancelled) => Outcome::none(),
            Err(e) => {
                let msg = escape_control(&e.to_string()).into_owned();
                self.board.error = Some(msg.clone());
                Outcome::error(msg)
            }
        }
    }

    /// `s`/`S`: rank by the next or previous metric.
    pub fn cycle_sort(&mut self, forward: bool) -> String {
        let names = self.metric_names();
        let current = self.sort_metric();
        let i = names.iter().position(|n| *n == current).unwrap_or(0);
        let next = names[cycle(i, names.len(), forward)];
        self.sort = Some(next);
        let selected = self.selected_run().map(|r| r.run_id);
        self.rank(selected);
        format!("ranked by {next} ({})", next.direction())
    }

    /// Rank the runs by the sort metric, keeping the cursor on the run it was on.
    fn rank(&mut self, selected: Option<RunId>) {
        let metric = self.sort_metric();
        runs::rank(&mut self.board.runs, metric);
        // Runs without the metric: the running one, the queued ones in order, then the rest,
        // newest first.
        let first_without = self
            .board
            .runs
            .iter()
            .position(|r| !r.result.metrics.contains_key(&metric))
            .unwrap_or(self.board.runs.len());
        self.board.runs[first_without..].sort_by_key(|r| match r.status {
            RunStatus::Running => (0, r.run_id.0),
            RunStatus::Queued => (1, r.run_id.0),
            _ => (2, -r.run_id.0),
        });
        if let Some(id) = selected
            && let Some(i) = self.board.runs.iter().position(|r| r.run_id == id)
        {
            self.cursor = SETUP_ROWS + i;
        }
        self.cursor = self
            .cursor
            .min(SETUP_ROWS + self.board.runs.len().saturating_sub(1));
        if self.cursor < SETUP_ROWS && self.board.runs.is_empty() {
            self.detail = false;
        }
    }

    /// The best run on the leaderboard by the sort metric (finished, with the metric).
    pub fn best(&self) -> Option<RunId> {
        let metric = self.sort_metric();
        self.board
            .runs
            .first()
            .filter(|r| r.status == RunStatus::Finished && r.result.metrics.contains_key(&metric))
            .map(|r| r.run_id)
    }

    /// Enter: open or close the selected run's detail.
    pub fn toggle_detail(&mut self) -> std::result::Result<(), String> {
        if self.detail {
            self.detail = false;
            return Ok(());
        }
        if self.selected_run().is_none() {
            return Err(if self.board.runs.is_empty() {
                "no runs yet: t trains the models of the set-up".into()
            } else {
                "select a run on the leaderboard (j) to see its detail".into()
            });
        }
        self.detail = true;
        self.detail_scroll = 0;
        Ok(())
    }
}

impl PaneState for TrainState {
    type Action = TrainAction;
    type Output = TrainOutput;
    const TITLE: &'static str = "Train";
    const SECTION: &'static str = "train";

    fn create(launch: &Launch) -> TrainState {
        TrainState::new(launch.store_dir.to_path_buf())
    }

    /// Open the run store, which marks runs whose process has gone as interrupted.
    fn start(&mut self, _shared: &Shared) -> Vec<Effect> {
        self.reload(true)
    }

    fn nav(action: TrainAction) -> Option<Nav> {
        match action {
            TrainAction::Nav(n) => Some(n),
            _ => None,
        }
    }

    /// Esc: cancel the study or the loading of runs, else close the run's detail.
    fn escape(&mut self) -> Option<Outcome> {
        if let Some(what) = self.cancel_jobs() {
            return Some(Outcome::cancelled(what));
        }
        self.detail.then(|| {
            self.detail = false;
            Outcome::none()
        })
    }

    /// A new table or spec: follow it, and load the leaderboard again if it compares other runs.
    fn on_shared(&mut self, changed: Changed, shared: &Shared) -> Vec<Effect> {
        if changed.any() {
            self.follow_shared(shared)
        } else {
            Vec::new()
        }
    }

    /// The set-up of the table on screen.
    fn memory(&self) -> Option<(PathBuf, String)> {
        let dataset = self.dataset.as_ref()?;
        let json = serde_json::to_string(&self.setup()).ok()?;
        Some((dataset.path.clone(), json))
    }

    fn render(&self, frame: &mut Frame, area: Rect, _shared: &Shared, theme: &Theme) {
        view::render(frame, area, self, theme);
    }

    /// Apply one of this pane's actions.
    fn update(&mut self, action: TrainAction, shared: &Shared) -> Outcome {
        let outcome = match action {
            TrainAction::Nav(nav) => {
                self.navigate(nav, shared.size);
                Outcome::none()
            }
            TrainAction::Left | TrainAction::Right => {
                match self.step(action == TrainAction::Right, &shared.spec_columns()) {
                    Ok(Some(target)) => Outcome {
                        request: Some(Request::SetTarget(target)),
                        ..Outcome::none()
                    },
                    Ok(None) => Outcome::none(),
                    Err(e) => Outcome::error(e),
                }
            }
            TrainAction::ToggleModel => Outcome::done(self.toggle_model()),
            TrainAction::AllModels => Outcome::done(self.all_models()),
            TrainAction::Train => Outcome::from_result(self.start(shared)),
            TrainAction::SortNext | TrainAction::SortPrev => {
                Outcome::notice(self.cycle_sort(action == TrainAction::SortNext))
            }
            TrainAction::Details => Outcome::done(self.toggle_detail()),
        };
        self.keep_visible(shared.size);
        outcome.and(Outcome::effects(self.reload(false)))
    }

    /// A job of this pane reported.
    fn on_job(&mut self, event: JobEvent<TrainOutput>, shared: &Shared) -> Outcome {
        let outcome = match event {
            JobEvent::Progress(..) => Outcome::none(),
            JobEvent::Update(id, TrainOutput::Study(e)) => {
                Outcome::effects(self.on_study_event(id, *e))
            }
            JobEvent::Update(..) => Outcome::none(),
            JobEvent::Finished(id, Ok(TrainOutput::Runs(loaded))) => self.on_runs(id, Ok(*loaded)),
            JobEvent::Finished(id, Ok(TrainOutput::StudyDone(outcome))) => {
                self.on_study_done(id, Ok(*outcome))
            }
            JobEvent::Finished(id, Err(e))
                if self.study.as_ref().is_some_and(|s| s.job.id == id) =>
            {
                self.on_study_done(id, Err(e))
            }
            JobEvent::Finished(id, Err(e)) => self.on_runs(id, Err(e)),
            JobEvent::Finished(_, Ok(TrainOutput::Study(_))) => Outcome::none(),
        };
        self.keep_visible(shared.size);
        outcome
    }

    fn owns(&self, id: JobId) -> bool {
        self.study.as_ref().is_some_and(|s| s.job.id == id)
            || self.board.loading.as_ref().is_some_and(|j| j.id == id)
    }

    fn busy(&self) -> bool {
        self.study.is_some()
    }

    /// Esc: stop the study (its runs are recorded as cancelled, then it reports back).
    fn cancel_jobs(&mut self) -> Option<&'static str> {
        let study = self.study.as_mut()?;
        study.job.cancel.cancel();
        study.cancelling = true;
        Some("training")
    }

    /// For the status line: the study's progress.
    fn job_status(&self, now: Instant) -> Option<JobStatus> {
        let study = self.study.as_ref()?;
        let elapsed = now.saturating_duration_since(study.started);
        let status = |label: String, fraction: Option<f64>| JobStatus {
            label,
            fraction,
            elapsed,
        };
        if study.cancelling {
            return Some(status("cancelling the training".into(), None));
        }
        if study.planned.is_empty() {
            return Some(status("training · reading the data".into(), None));
        }
        let n = study.planned.len();
        let Some((run_id, _)) = study.running else {
            return Some(status(format!("training · {}/{n} done", study.ended), None));
        };
        let model = study
            .planned
            .iter()
            .find(|p| p.run_id == run_id)
            .map_or("", |p| p.model.as_str());
        let p = study.progress.get(&run_id);
        let label = format!(
            "training {}/{n} {model}{}",
            study.ended + 1,
            p.map(|p| format!(" · {}", progress_label(p)))
                .unwrap_or_default()
        );
        Some(status(label, p.map(progress_fraction)))
    }

    fn keep_visible(&mut self, size: (u16, u16)) {
        let rows = layout::board_rows(self, size).max(1);
        let Some(row) = self.cursor.checked_sub(SETUP_ROWS) else {
            return;
        };
        if row < self.offset {
            self.offset = row;
        } else if row >= self.offset + rows {
            self.offset = row + 1 - rows;
        }
    }
}

/// The next (or previous) index of `n`, wrapping.
fn cycle(i: usize, n: usize, forward: bool) -> usize {
    if n == 0 {
        return 0;
    }
    if forward {
        (i + 1) % n
    } else {
        (i + n - 1) % n
    }
}

fn model_names(task: TaskKind) -> String {
    ModelKind::defaults(task)
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `{"C": 1.0, "max_iter": 100}` -> `C=1 max_iter=100`.
pub fn params_line(params: &serde_json::Value) -> String {
    match params {
        serde_json::Value::Object(m) => m
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}={s}"),
                serde_json::Value::Null => format!("{k}=None"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// A run's progress as words: `fold 2/5 · trees 40/100`.
pub fn progress_label(p: &RunProgress) -> String {
    let mut parts = Vec::new();
    if p.folds > 1 {
        parts.push(format!("fold {}/{}", p.fold.min(p.folds), p.folds));
    }
    let stage = p.stage.name();
    if p.total > 0 {
        parts.push(format!("{stage} {}/{}", p.done, p.total));
    } else {
        parts.push(stage.to_string());
    }
    parts.join(" · ")
}

/// A run's progress as a fraction: folds done plus the share of the current one.
pub fn progress_fraction(p: &RunProgress) -> f64 {
    let within = if p.total > 0 {
        p.done as f64 / p.total as f64
    } else {
        0.0
    };
    let folds = p.folds.max(1) as f64;
    let done_folds = (p.fold.max(1) - 1) as f64;
    ((done_folds + within) / folds).clamp(0.0, 1.0)
}
