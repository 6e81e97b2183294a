//! A study: several models trained on one dataset, target and validation, one run each,
//! recorded in the run store as they go. Each run trains in a killable worker process (or in
//! this process, for tests and benchmarks) under the user's cancel flag and its own time
//! limit; a run that fails or times out is recorded as such and the others go on. Shared by
//! `mlwb train`, `mlwb runs rerun` and the TUI's Train pane.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::worker::{DataRef, WorkerCommand};
use crate::pipeline::data::{self, Dataset, LoadOptions};
use crate::pipeline::features::{FeatureSpec, auto_spec};
use crate::pipeline::progress::{CancelFlag, no_progress};
use crate::pipeline::runs::{self, RunId, RunRecord, RunResult, RunSetup, RunStatus, Store};
use crate::pipeline::train::models::{ModelKind, ModelParams, ModelSpec};
use crate::pipeline::train::{self, RunProgress, RunRequest, TaskKind, Validation, artifact};
use crate::pipeline::{PipelineError, Result, profile};

/// How runs are validated, as asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ValidationChoice {
    Holdout(f64),
    CrossValidation(usize),
    TestFile(PathBuf),
    CrossValidationThenTest(usize, PathBuf),
}

impl ValidationChoice {
    /// How the choice reads on screen: `holdout 20%`, `5-fold CV`, `test FILE`.
    pub fn label(&self) -> String {
        let file = |p: &Path| {
            p.file_name().map_or(p.display().to_string(), |f| {
                f.to_string_lossy().into_owned()
            })
        };
        match self {
            ValidationChoice::Holdout(f) => format!("holdout {}%", round_percent(*f)),
            ValidationChoice::CrossValidation(k) => format!("{k}-fold CV"),
            ValidationChoice::TestFile(p) => format!("test file {}", file(p)),
            ValidationChoice::CrossValidationThenTest(k, p) => {
                format!("{k}-fold CV + test file {}", file(p))
            }
        }
    }

    /// Read `holdout 0.25`, `cv 5`, `test PATH` or `cv 5 test PATH` (as the palette takes it).
    pub fn parse(text: &str) -> std::result::Result<ValidationChoice, String> {
        let usage =
            "validation is one of: holdout FRACTION, cv FOLDS, test PATH, cv FOLDS test PATH";
        let words: Vec<&str> = text.split_whitespace().collect();
        let folds = |w: &str| match w.parse::<usize>() {
            Ok(k) if k >= 2 => Ok(k),
            _ => Err(format!("cross-validation needs 2 or more folds, not '{w}'")),
        };
        let rest_path = |i: usize| {
            let t = text.trim_start();
            // The path is everything after the i-th word, spaces included.
            let mut rest = t;
            for _ in 0..i {
                rest = rest.trim_start();
                rest = &rest[rest.find(char::is_whitespace).unwrap_or(rest.len())..];
            }
            PathBuf::from(rest.trim())
        };
        match words.as_slice() {
            ["holdout"] => Ok(ValidationChoice::Holdout(0.2)),
            ["holdout", f] => match f.trim_end_matches('%').parse::<f64>() {
                Ok(v) if f.ends_with('%') && v > 0.0 && v < 100.0 => {
                    Ok(ValidationChoice::Holdout(v / 100.0))
                }
                Ok(v) if v > 0.0 && v < 1.0 => Ok(ValidationChoice::Holdout(v)),
                _ => Err(format!(
                    "the holdout fraction must be between 0 and 1 (or 1% to 99%), not '{f}'"
                )),
            },
            ["cv", k] => Ok(ValidationChoice::CrossValidation(folds(k)?)),
            ["test", _, ..] => Ok(ValidationChoice::TestFile(rest_path(1))),
            ["cv", k, "test", _, ..] => Ok(ValidationChoice::CrossValidationThenTest(
                folds(k)?,
                rest_path(3),
            )),
            _ => Err(usage.into()),
        }
    }
}

/// `0.2` -> `20`, `0.125` -> `12.5`.
fn round_percent(f: f64) -> String {
    let p = (f * 1000.0).round() / 10.0;
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p}")
    }
}

impl Default for ValidationChoice {
    fn default() -> Self {
        ValidationChoice::Holdout(0.2)
    }
}

/// Everything a study needs.
#[derive(Clone, Debug, Default)]
pub struct StudySpec {
    pub data: PathBuf,
    pub delimiter: Option<u8>,
    pub target: Option<String>,
    pub task: Option<TaskKind>,
    /// Empty: every model suitable for the task.
    pub models: Vec<ModelSpec>,
    pub validation: ValidationChoice,
    pub seed: u64,
    /// Per run.
    pub time_limit: Option<Duration>,
    /// None: the automatic spec.
    pub features: Option<FeatureSpec>,
}

/// Where runs execute.
#[derive(Clone, Debug)]
pub enum Executor {
    /// A worker process per run: cancel and time limits kill it at once.
    Worker(WorkerCommand),
    /// This process: cancel and time limits are honoured at the algorithms' checks.
    InProcess,
}

/// A planned run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedRun {
    pub run_id: RunId,
    pub model: String,
}

/// What a study reports while it works.
#[derive(Clone, Debug)]
pub enum StudyEvent {
    Planned {
        study_id: i64,
        task: TaskKind,
        fingerprint: String,
        validation_key: String,
        runs: Vec<PlannedRun>,
        notes: Vec<String>,
    },
    Started {
        run_id: RunId,
    },
    Progress {
        run_id: RunId,
        progress: RunProgress,
    },
    Ended {
        run: Box<RunRecord>,
    },
}

/// The end of a study.
#[derive(Clone, Debug)]
pub struct StudyOutcome {
    pub study_id: i64,
    pub task: TaskKind,
    pub target: Option<String>,
    pub fingerprint: String,
    pub validation_key: String,
    pub validation_label: String,
    pub runs: Vec<RunRecord>,
    pub notes: Vec<String>,
    /// The run store failed during the study: the runs after it were not trained, and the
    /// records of `runs` may be only in memory.
    pub store_error: Option<String>,
}

fn load(path: &Path, delimiter: Option<u8>, cancel: &CancelFlag) -> Result<Dataset> {
    data::load(
        path,
        &LoadOptions {
            preview: false,
            delimiter,
        },
        cancel,
        &no_progress,
    )
}

/// The validation a choice means. A test file is loaded (for its fingerprint, which makes the
/// validation comparable) and returned with its reference.
pub fn resolve_validation(
    choice: &ValidationChoice,
    delimiter: Option<u8>,
    cancel: &CancelFlag,
) -> Result<(Validation, Option<(DataRef, Dataset)>)> {
    Ok(match choice {
        ValidationChoice::Holdout(f) => (Validation::Holdout { test_fraction: *f }, None),
        ValidationChoice::CrossValidation(k) => (Validation::CrossValidation { folds: *k }, None),
        ValidationChoice::TestFile(p) | ValidationChoice::CrossValidationThenTest(_, p) => {
            let t = load(p, delimiter, cancel)?;
            let path = t.path.display().to_string();
            let fingerprint = t.fingerprint.clone();
            let v = match choice {
                ValidationChoice::CrossValidationThenTest(k, _) => {
                    Validation::CrossValidationThenTest {
                        folds: *k,
                        path,
                        fingerprint: fingerprint.clone(),
                    }
                }
                _ => Validation::TestFile {
                    path,
                    fingerprint: fingerprint.clone(),
                },
            };
            let r = DataRef {
                path: t.path.clone(),
                delimiter,
                fingerprint,
            };
            (v, Some((r, t)))
        }
    })
}

/// Check everything that can be checked before any run is recorded, then train the runs one
/// after another.
pub fn run_study(
    spec: &StudySpec,
    store: &Store,
    executor: &Executor,
    cancel: &CancelFlag,
    on_event: &(dyn Fn(StudyEvent) + Sync),
) -> Result<StudyOutcome> {
    let plan = plan(spec, cancel)?;
    let validation_key = plan
        .validation
        .comparison_key(plan.task, spec.seed, &plan.spec_hash);
    let (study_id, planned, git) = queue(store, spec, &plan, &validation_key)?;
    on_event(StudyEvent::Planned {
        study_id,
        task: plan.task,
        fingerprint: plan.data_ref.fingerprint.clone(),
        validation_key: validation_key.clone(),
        runs: planned
            .iter()
            .map(|(id, p, _)| PlannedRun {
                run_id: *id,
                model: p.kind().name().into(),
            })
            .collect(),
        notes: plan.notes.clone(),
    });
    let Plan {
        task,
        target,
        notes,
        features,
        data_ref,
        validation,
        test_ref,
        ..
    } = plan;
    let _beat = Heartbeat::start(store, planned.iter().map(|p| p.0).collect());
    let mut records = Vec::new();
    // A store that fails mid-study (a full disk) ends the training, not the bookkeeping: the
    // runs that finished are still reported, the others marked failed where the store allows.
    let mut store_error: Option<PipelineError> = None;
    for (run_id, params, setup) in &planned {
        let started = if cancel.is_cancelled() || store_error.is_some() {
            false
        } else {
            match store.start_run(*run_id) {
                Ok(()) => true,
                Err(e) => {
                    store_error = Some(e);
                    false
                }
            }
        };
        let (status, result) = if started {
            on_event(StudyEvent::Started { run_id: *run_id });
            let request = RunRequest {
                target: target.clone(),
                task,
                params: params.clone(),
                validation: validation.clone(),
                seed: spec.seed,
                features: features.clone(),
            };
            let data = (&data_ref, test_ref.as_ref());
            let limits = (spec.time_limit, cancel);
            execute(store, *run_id, &request, data, executor, limits, on_event)
        } else {
            not_started(store_error.as_ref())
        };
        let record = record_run(store, *run_id, status, result, setup, git.as_deref())
            .unwrap_or_else(|(record, e)| {
                store_error.get_or_insert(e);
                *record
            });
        on_event(StudyEvent::Ended {
            run: Box::new(record.clone()),
        });
        records.push(record);
    }
    Ok(StudyOutcome {
        study_id,
        task,
        target,
        fingerprint: data_ref.fingerprint,
        validation_key,
        validation_label: validation.label(),
        runs: records,
        notes,
        store_error: store_error.map(|e| e.to_string()),
    })
}

/// A study checked against its data, ready to be queued.
struct Plan {
    task: TaskKind,
    target: Option<String>,
    notes: Vec<String>,
    params: Vec<ModelParams>,
    features: FeatureSpec,
    spec_hash: String,
    data_ref: DataRef,
    data_path: String,
    validation: Validation,
    test_ref: Option<DataRef>,
}

/// Load the data and check the study on it: task, target, models, spec, validation and test
/// file, and rows enough for every model. Nothing is recorded yet.
fn plan(spec: &StudySpec, cancel: &CancelFlag) -> Result<Plan> {
    let ds = load(&spec.data, spec.delimiter, cancel)?;
    let mut notes = Vec::new();
    let target = study_target(spec, &mut notes);
    let task = train::detect_task(&ds.df, target.as_deref(), spec.task)?;
    if target.is_none() && spec.task.is_none() {
        notes.push(
            "no target was given (neither --target nor a target column in the spec), so the \
             study is clustering: its models look for groups among the rows"
                .into(),
        );
    }
    let prepared = train::prepare_target(&ds.df, target.as_deref(), task)?;
    if prepared.dropped_null > 0 {
        notes.push(format!(
            "{} row(s) with no target value were dropped; {} remain",
            prepared.dropped_null,
            prepared.rows.len()
        ));
    }
    let params = model_params(spec, task)?;
    let features = match &spec.features {
        Some(f) => f.clone(),
        None => {
            let p = profile::profile(&ds.df, cancel, &no_progress)?;
            auto_spec(&p, target.as_deref())
        }
    };
    // Check the spec against the data now, so a bad spec is one error, not one per model.
    let for_target = train::spec_for_target(&features, target.as_deref())?;
    // A spec the user gave that does not fit is a bad request; the automatic spec not fitting
    // (no usable column at all) is a fact of the data.
    let spec_hash = crate::pipeline::features::check(&for_target, ds.df.schema())
        .map_err(|p| match spec.features {
            Some(_) => PipelineError::BadRequest(p.to_string()),
            None => PipelineError::BadColumns(p.to_string()),
        })?
        .hash();
    let (validation, test) = resolve_validation(&spec.validation, spec.delimiter, cancel)?;
    let (test_ref, test_ds) = match test {
        Some((r, t)) => (Some(r), Some(t)),
        None => (None, None),
    };
    if let Some(t) = &test_ds {
        check_test_file(t, &for_target, target.as_deref())?;
    }
    // Folds that cannot be made, and parameters the data cannot satisfy (more clusters than
    // rows), fail now, once: the data is too small for them.
    let strata = match (&prepared.values, task) {
        (train::TargetValues::Classes { y, .. }, TaskKind::Classification) => Some(y.as_slice()),
        _ => None,
    };
    let fewest = fewest_training_rows(&validation, prepared.rows.len(), strata, spec.seed)?;
    for p in &params {
        // Too few rows is the data's fault, not the request's.
        p.check_rows(fewest)
            .map_err(|e| PipelineError::BadColumns(e.to_string()))?;
    }
    Ok(Plan {
        task,
        target,
        notes,
        params,
        features,
        spec_hash,
        data_ref: DataRef {
            path: ds.path.clone(),
            delimiter: spec.delimiter,
            fingerprint: ds.fingerprint.clone(),
        },
        data_path: ds.path.display().to_string(),
        validation,
        test_ref,
    })
}

/// The study's models with their parameters checked (the task's defaults when none is named).
fn model_params(spec: &StudySpec, task: TaskKind) -> Result<Vec<ModelParams>> {
    let defaults: Vec<ModelSpec>;
    let models = if spec.models.is_empty() {
        defaults = ModelKind::defaults(task)
            .into_iter()
            .map(|k| ModelSpec {
                model: k.name().into(),
                params: Default::default(),
            })
            .collect();
        &defaults
    } else {
        &spec.models
    };
    models
        .iter()
        .map(|m| m.check(task))
        .collect::<std::result::Result<_, _>>()
        .map_err(PipelineError::from)
}

/// A test file must hold the target and every feature the training data has: one error
/// naming the file and the columns, before any run is recorded.
fn check_test_file(test: &Dataset, spec: &FeatureSpec, target: Option<&str>) -> Result<()> {
    crate::pipeline::features::check(spec, test.df.schema()).map_err(|p| {
        PipelineError::bad_data(
            &test.path,
            format!("the test file does not fit the training data's features: {p}"),
        )
    })?;
    if let Some(name) = target
        && test.df.column(name).is_err()
    {
        return Err(PipelineError::bad_data(
            &test.path,
            format!(
                "the test file has no column '{}', the target to score against",
                crate::pipeline::text::escape_control(name)
            ),
        ));
    }
    Ok(())
}

/// The fewest rows any run of the study trains on.
fn fewest_training_rows(
    validation: &Validation,
    rows: usize,
    strata: Option<&[u32]>,
    seed: u64,
) -> Result<usize> {
    Ok(match validation {
        Validation::Holdout { test_fraction } => {
            train::split::holdout(rows, strata, *test_fraction, seed)?
                .0
                .len()
        }
        Validation::CrossValidation { folds }
        | Validation::CrossValidationThenTest { folds, .. } => {
            train::split::kfold(rows, strata, *folds, seed)?
                .iter()
                .map(|(train, _)| train.len())
                .min()
                .unwrap_or(0)
        }
        Validation::TestFile { .. } => rows,
    })
}

/// Record the study and queue one run per model.
#[allow(clippy::type_complexity)]
fn queue(
    store: &Store,
    spec: &StudySpec,
    plan: &Plan,
    validation_key: &str,
) -> Result<(i64, Vec<(RunId, ModelParams, RunSetup)>, Option<String>)> {
    let study_id = store.create_study(
        &plan.data_path,
        &plan.data_ref.fingerprint,
        plan.target.as_deref(),
        plan.task.name(),
    )?;
    let git = runs::git_commit(&std::env::current_dir().unwrap_or_default());
    let validation_json = serde_json::to_value(&plan.validation)
        .map_err(|e| PipelineError::Internal(e.to_string()))?;
    let features_json =
        serde_json::to_value(&plan.features).map_err(|e| PipelineError::Internal(e.to_string()))?;
    let mut planned = Vec::new();
    for p in &plan.params {
        let setup = RunSetup {
            study_id,
            data_path: plan.data_path.clone(),
            data_fingerprint: plan.data_ref.fingerprint.clone(),
            target: plan.target.clone(),
            task: plan.task.name().into(),
            validation: validation_json.clone(),
            validation_label: plan.validation.label(),
            validation_key: validation_key.to_string(),
            model: p.kind().name().into(),
            params: serde_json::Value::Object(p.to_map()),
            seed: spec.seed,
            feature_spec: features_json.clone(),
            time_limit_s: spec.time_limit.map(|d| d.as_secs_f64()),
        };
        let id = store.queue_run(&setup, git.as_deref())?;
        planned.push((id, p.clone(), setup));
    }
    Ok((study_id, planned, git))
}

/// Why a run did not start: the study was cancelled, or the store failed.
fn not_started(store_error: Option<&PipelineError>) -> (RunStatus, RunResult) {
    let (status, why) = match store_error {
        Some(e) => (
            RunStatus::Failed,
            format!("not trained: the run store could not be written ({e})"),
        ),
        None => (RunStatus::Cancelled, "cancelled before it started".into()),
    };
    (
        status,
        RunResult {
            error: Some(why),
            ..Default::default()
        },
    )
}

/// Record a run's end and read it back; when the store fails, the run as this process knows
/// it, with the store's error.
fn record_run(
    store: &Store,
    run_id: RunId,
    status: RunStatus,
    result: RunResult,
    setup: &RunSetup,
    git: Option<&str>,
) -> std::result::Result<RunRecord, (Box<RunRecord>, PipelineError)> {
    match store.finish_run(run_id, status, &result) {
        Ok(()) => {
            let stored = store.get(run_id).ok().flatten();
            Ok(stored.unwrap_or_else(|| unrecorded(run_id, status, result, setup, git)))
        }
        Err(e) => Err((Box::new(unrecorded(run_id, status, result, setup, git)), e)),
    }
}

fn unrecorded(
    run_id: RunId,
    status: RunStatus,
    result: RunResult,
    setup: &RunSetup,
    git: Option<&str>,
) -> RunRecord {
    RunRecord {
        run_id,
        status,
        created_at: runs::timestamp(runs::now_s()),
        finished_at: Some(runs::timestamp(runs::now_s())),
        duration_s: None,
        setup: setup.clone(),
        result,
        mlwb_version: env!("CARGO_PKG_VERSION").into(),
        git_commit: git.map(String::from),
        pid: Some(std::process::id()),
        host: Some(runs::host_name()),
    }
}

/// Marks a study's unfinished runs alive in the store (on its own connection) until dropped,
/// so another process can tell them from runs whose process has gone.
struct Heartbeat {
    beating: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Heartbeat {
    fn start(store: &Store, ids: Vec<RunId>) -> Heartbeat {
        let beating = Arc::new(AtomicBool::new(true));
        let (dir, alive) = (store.dir().to_path_buf(), beating.clone());
        let thread = std::thread::spawn(move || {
            let Ok(s) = Store::open(&dir) else { return };
            while alive.load(Ordering::Relaxed) {
                let _ = s.heartbeat(&ids);
                for _ in 0..20 {
                    if !alive.load(Ordering::Relaxed) {
                        return;
                    }
                    std::thread::sleep(runs::HEARTBEAT / 20);
                }
            }
        });
        Heartbeat {
            beating,
            thread: Some(thread),
        }
    }
}

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.beating.store(false, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The study's target: `--target` (or the Train pane's), else the feature spec's target
/// column. When both name one and they differ, the explicit one wins, with a note.
fn study_target(spec: &StudySpec, notes: &mut Vec<String>) -> Option<String> {
    let from_spec = spec.features.as_ref().and_then(|f| f.target());
    match (&spec.target, from_spec) {
        (Some(t), Some(s)) if t != s => {
            notes.push(format!(
                "the target is '{}' as asked; the feature spec's target '{}' is ignored",
                crate::pipeline::text::escape_control(t),
                crate::pipeline::text::escape_control(s)
            ));
            Some(t.clone())
        }
        (Some(t), _) => Some(t.clone()),
        (None, s) => s.map(str::to_string),
    }
}

/// Train one run under a cancel flag of its own (the user's cancel or the time limit).
fn execute(
    store: &Store,
    run_id: RunId,
    request: &RunRequest,
    (data, test): (&DataRef, Option<&DataRef>),
    executor: &Executor,
    (time_limit, cancel): (Option<Duration>, &CancelFlag),
    on_event: &(dyn Fn(StudyEvent) + Sync),
) -> (RunStatus, RunResult) {
    let watchdog = Watchdog::start(cancel, time_limit);
    let run_cancel = &watchdog.run_cancel;
    let progress = |p: RunProgress| {
        on_event(StudyEvent::Progress {
            run_id,
            progress: p,
        })
    };
    let outcome = match executor {
        Executor::Worker(w) => w.train_run(data, test, request, run_cancel, &progress),
        Executor::InProcess => (|| {
            let ds = data.load(run_cancel)?;
            let t = test.map(|t| t.load(run_cancel)).transpose()?;
            let (report, model) = crate::pipeline::error::catch_panics("training", || {
                train::run(
                    request,
                    &ds.df,
                    t.as_ref().map(|t| &t.df),
                    run_cancel,
                    &progress,
                )
            })?;
            Ok((report, artifact::encode(&model)?))
        })(),
    };
    let timed_out = watchdog.stop();
    let failed = |status, error: String| {
        (
            status,
            RunResult {
                error: Some(error),
                ..Default::default()
            },
        )
    };
    match outcome {
        Ok((report, bytes)) => saved(store, run_id, request, &report, &bytes),
        Err(_) if timed_out => {
            let limit = time_limit.map_or(0.0, |d| d.as_secs_f64());
            let why = format!("stopped at the time limit of {limit} s");
            failed(RunStatus::TimedOut, why)
        }
        Err(_) if cancel.is_cancelled() => failed(RunStatus::Cancelled, "cancelled".into()),
        Err(e) => failed(RunStatus::Failed, e.to_string()),
    }
}

/// Save a trained run's model beside the store; the run's result says where, or why not.
fn saved(
    store: &Store,
    run_id: RunId,
    request: &RunRequest,
    report: &train::RunReport,
    bytes: &[u8],
) -> (RunStatus, RunResult) {
    let path = store.model_path(run_id);
    let header = artifact::ModelHeader {
        task: request.task,
        target: request.target.clone(),
        classes: report.classes.clone(),
        params: request.params.clone(),
        fitted_features: report.fitted_features.clone(),
    };
    let mut result = RunResult {
        metrics: report.metrics.clone(),
        fold_metrics: report.fold_metrics.clone(),
        confusion: report.confusion.clone(),
        summary: serde_json::to_value(&report.summary).unwrap_or_default(),
        feature_spec_hash: Some(report.feature_spec_hash.clone()),
        fitted_features_hash: Some(report.fitted_features_hash.clone()),
        train_rows: Some(report.train_rows),
        test_rows: Some(report.test_rows),
        dropped_rows: Some(report.dropped_null_target),
        n_features: Some(report.n_features),
        model_path: None,
        model_bytes: Some(bytes.len() as u64),
        model_hash: Some(blake3::hash(bytes).to_hex().to_string()),
        error: None,
        warnings: report.warnings.clone(),
    };
    match artifact::write(&path, &header, bytes) {
        Ok(()) => {
            result.model_path = Some(path.display().to_string());
            (RunStatus::Finished, result)
        }
        Err(e) => {
            result.error = Some(format!("the model could not be saved: {e}"));
            (RunStatus::Failed, result)
        }
    }
}

/// Cancels one run's own flag when the user cancels or its time limit passes.
struct Watchdog {
    run_cancel: CancelFlag,
    timed_out: Arc<AtomicBool>,
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watchdog {
    fn start(user: &CancelFlag, time_limit: Option<Duration>) -> Watchdog {
        let run_cancel = CancelFlag::new();
        let timed_out = Arc::new(AtomicBool::new(false));
        let done = Arc::new(AtomicBool::new(false));
        let (user, run, late, stop) = (
            user.clone(),
            run_cancel.clone(),
            timed_out.clone(),
            done.clone(),
        );
        let deadline = time_limit.map(|t| Instant::now() + t);
        let thread = std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if user.is_cancelled() {
                    run.cancel();
                    return;
                }
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    late.store(true, Ordering::Relaxed);
                    run.cancel();
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        Watchdog {
            run_cancel,
            timed_out,
            done,
            thread: Some(thread),
        }
    }

    /// Stop watching; whether the time limit stopped the run.
    fn stop(mut self) -> bool {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.timed_out.load(Ordering::Relaxed)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
    }
}

/// A study that trains run `run`'s model again, the same way (for `mlwb runs rerun`).
pub fn rerun_spec(run: &RunRecord) -> Result<StudySpec> {
    let bad = |what: &str| {
        PipelineError::BadRequest(format!("run {} cannot be rerun: {what}", run.run_id))
    };
    let validation: Validation = serde_json::from_value(run.setup.validation.clone())
        .map_err(|_| bad("its validation is unreadable"))?;
    let features: FeatureSpec = serde_json::from_value(run.setup.feature_spec.clone())
        .map_err(|_| bad("its feature spec is unreadable"))?;
    let params = match &run.setup.params {
        serde_json::Value::Object(m) => m.clone().into_iter().collect(),
        _ => Default::default(),
    };
    let task = TaskKind::parse(&run.setup.task).ok_or_else(|| bad("its task is unknown"))?;
    Ok(StudySpec {
        data: PathBuf::from(&run.setup.data_path),
        delimiter: None,
        target: run.setup.target.clone(),
        task: Some(task),
        models: vec![ModelSpec {
            model: run.setup.model.clone(),
            params,
        }],
        validation: match validation {
            Validation::Holdout { test_fraction } => ValidationChoice::Holdout(test_fraction),
            Validation::CrossValidation { folds } => ValidationChoice::CrossValidation(folds),
            Validation::TestFile { path, .. } => ValidationChoice::TestFile(path.into()),
            Validation::CrossValidationThenTest { folds, path, .. } => {
                ValidationChoice::CrossValidationThenTest(folds, path.into())
            }
        },
        seed: run.setup.seed,
        time_limit: run.setup.time_limit_s.map(Duration::from_secs_f64),
        features: Some(features),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_choices_parse_and_read_back() {
        let p = |t: &str| ValidationChoice::parse(t);
        assert_eq!(p("holdout 0.25"), Ok(ValidationChoice::Holdout(0.25)));
        assert_eq!(p("holdout 30%"), Ok(ValidationChoice::Holdout(0.3)));
        assert_eq!(p("cv 5"), Ok(ValidationChoice::CrossValidation(5)));
        assert_eq!(
            p("test data/my test.csv"),
            Ok(ValidationChoice::TestFile("data/my test.csv".into()))
        );
        assert_eq!(
            p("cv 3 test t.csv"),
            Ok(ValidationChoice::CrossValidationThenTest(3, "t.csv".into()))
        );
        assert!(p("cv 1").unwrap_err().contains("2 or more folds"));
        assert!(p("holdout 1.5").unwrap_err().contains("between 0 and 1"));
        assert!(p("bootstrap").unwrap_err().contains("one of"));
        assert_eq!(ValidationChoice::Holdout(0.2).label(), "holdout 20%");
        assert_eq!(ValidationChoice::Holdout(0.125).label(), "holdout 12.5%");
        assert_eq!(ValidationChoice::CrossValidation(5).label(), "5-fold CV");
        assert_eq!(
            ValidationChoice::CrossValidationThenTest(3, "/x/t.csv".into()).label(),
            "3-fold CV + test file t.csv"
        );
    }
}
