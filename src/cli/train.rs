//! `mlwb train` and `mlwb runs list|show|rerun`: train a study of models with one validation,
//! record every run in the store, and print a leaderboard (or one JSON document).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::term::Out;
use super::{Output, SCHEMA_VERSION, exit};
use crate::jobs::study::{self, Executor, StudyEvent, StudyOutcome, StudySpec, ValidationChoice};
use crate::jobs::worker::WorkerCommand;
use crate::pipeline::PipelineError;
use crate::pipeline::features::FeatureSpec;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::runs::{self, RunId, RunRecord, RunStatus, Store};
use crate::pipeline::text::escape_control;
use crate::pipeline::train::TaskKind;
use crate::pipeline::train::metrics::{self, Metric};
use crate::pipeline::train::models::ModelSpec;

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// The dataset to train on.
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// The column to predict (none: clustering).
    #[arg(long, value_name = "COL")]
    pub target: Option<String>,
    /// classification, regression or clustering (default: from the target's type).
    #[arg(long, value_name = "T", value_parser = parse_task)]
    pub task: Option<TaskKind>,
    /// Train on every row of --data and score on this file.
    #[arg(long, value_name = "FILE")]
    pub test: Option<PathBuf>,
    /// K-fold cross-validation (stratified for classification).
    #[arg(long, value_name = "K", conflicts_with = "holdout")]
    pub cv: Option<usize>,
    /// Share of rows held out to test on (default 0.2).
    #[arg(long, value_name = "FRAC")]
    pub holdout: Option<f64>,
    /// A model to train, as `name` or `name:param=value,...` (repeat; default: all suitable).
    #[arg(long = "model", value_name = "M")]
    pub models: Vec<String>,
    /// A feature spec (TOML or JSON) instead of the automatic one.
    #[arg(long, value_name = "F")]
    pub spec: Option<PathBuf>,
    /// Seed for splits, bootstraps and initialisations.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Stop any one model after this many seconds (it is recorded as timed_out).
    #[arg(long, value_name = "SECS")]
    pub time_limit: Option<f64>,
    /// Train in this process instead of a worker process per model.
    #[arg(long, hide = true)]
    pub in_process: bool,
    /// One JSON document on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Field delimiter for delimited text (default: sniffed).
    #[arg(long, value_parser = super::profile::parse_delimiter)]
    pub delimiter: Option<u8>,
}

fn parse_task(s: &str) -> Result<TaskKind, String> {
    TaskKind::parse(s)
        .ok_or_else(|| format!("'{s}' is not a task; use classification, regression or clustering"))
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    #[command(subcommand)]
    pub command: RunsCommand,
}

#[derive(Debug, Subcommand)]
pub enum RunsCommand {
    /// Every recorded run, newest last.
    List {
        #[arg(long)]
        json: bool,
    },
    /// One run: lineage, parameters, metrics per fold, confusion matrix.
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Train a run again the same way and say whether its metrics are identical (exit 1 when
    /// they are not, or cannot be compared).
    Rerun {
        id: i64,
        #[arg(long)]
        json: bool,
        #[arg(long, hide = true)]
        in_process: bool,
    },
}

impl RunsCommand {
    pub fn json(&self) -> bool {
        match self {
            RunsCommand::List { json }
            | RunsCommand::Show { json, .. }
            | RunsCommand::Rerun { json, .. } => *json,
        }
    }
}

/// The store for this process.
pub fn open_store(explicit: Option<&Path>) -> Result<Store, PipelineError> {
    Store::open(&store_dir(explicit)?)
}

/// Where this process's store is (or would be created).
fn store_dir(explicit: Option<&Path>) -> Result<PathBuf, PipelineError> {
    let cwd = std::env::current_dir().map_err(|e| PipelineError::io(Path::new("."), e))?;
    Ok(runs::locate(explicit, &cwd))
}

fn executor(in_process: bool) -> Result<Executor, PipelineError> {
    Ok(if in_process {
        Executor::InProcess
    } else {
        Executor::Worker(WorkerCommand::current()?)
    })
}

pub fn run(args: &TrainArgs, store_dir: Option<&Path>, out: Output) -> ExitCode {
    match train(args, store_dir, out) {
        Ok(code) => code,
        Err(e) => out.fail(&e.in_file(&args.data)),
    }
}

fn spec_of(args: &TrainArgs) -> Result<StudySpec, PipelineError> {
    let models = args
        .models
        .iter()
        .map(|m| ModelSpec::parse(m).map_err(PipelineError::BadRequest))
        .collect::<Result<Vec<_>, _>>()?;
    let validation = match (&args.test, args.cv, args.holdout) {
        (Some(_), _, Some(_)) => {
            return Err(PipelineError::BadRequest("--holdout and --test cannot be combined: with a test file every row of --data trains".into()));
        }
        (Some(t), Some(k), None) => ValidationChoice::CrossValidationThenTest(k, t.clone()),
        (Some(t), None, None) => ValidationChoice::TestFile(t.clone()),
        (None, Some(k), _) => ValidationChoice::CrossValidation(k),
        (None, None, h) => ValidationChoice::Holdout(h.unwrap_or(0.2)),
    };
    let features = args.spec.as_deref().map(FeatureSpec::read).transpose()?;
    let time_limit = match args.time_limit {
        Some(s) if s > 0.0 && s.is_finite() => Some(Duration::from_secs_f64(s)),
        Some(s) => {
            return Err(PipelineError::BadRequest(format!(
                "--time-limit must be a positive number of seconds, not {s}"
            )));
        }
        None => None,
    };
    Ok(StudySpec {
        data: args.data.clone(),
        delimiter: args.delimiter,
        target: args.target.clone(),
        task: args.task,
        models,
        validation,
        seed: args.seed,
        time_limit,
        features,
    })
}

fn progress_printer(out: Output) -> impl Fn(StudyEvent) + Sync {
    use std::io::IsTerminal;
    let tty = !out.quiet && std::io::stderr().is_terminal();
    let quiet = out.quiet;
    move |e| match e {
        StudyEvent::Planned {
            runs, notes, task, ..
        } if !quiet => {
            for n in &notes {
                crate::say!("mlwb: note: {n}");
            }
            if tty {
                crate::say!("training {} {} model(s)", runs.len(), task.name());
            }
        }
        StudyEvent::Progress { run_id, progress } if tty => {
            let trees = if progress.total > 0 {
                format!(" {}/{}", progress.done, progress.total)
            } else {
                String::new()
            };
            eprint!(
                "\r\x1b[2Krun {run_id}: {} {}/{}{trees}",
                progress.stage.name(),
                progress.fold,
                progress.folds
            );
        }
        StudyEvent::Ended { run } if tty => {
            eprint!("\r\x1b[2K");
            crate::say!(
                "run {} {}: {}",
                run.run_id,
                run.setup.model,
                run.status.name()
            );
        }
        _ => {}
    }
}

fn train(
    args: &TrainArgs,
    store_dir: Option<&Path>,
    out: Output,
) -> Result<ExitCode, PipelineError> {
    let spec = spec_of(args)?;
    let store = open_store(store_dir)?;
    let cancel = CancelFlag::new();
    let signalled = super::cancel_on_signals(&cancel);
    let outcome = study::run_study(
        &spec,
        &store,
        &executor(args.in_process)?,
        &cancel,
        &progress_printer(out),
    )?;
    let code = print_outcome(&outcome, out, None)?;
    if let Some(e) = &outcome.store_error {
        // What finished is printed above; the study could not be recorded to its end.
        crate::say!("mlwb: error: {e}");
        return Ok(ExitCode::from(exit::BAD_INPUT));
    }
    // Stopped by Ctrl-C or a signal: what finished is printed and recorded; the exit says so.
    if signalled.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(ExitCode::from(exit::CANCELLED));
    }
    Ok(code)
}

/// The JSON of one run (the `runs` entries of `mlwb train --json`, and `runs show`).
pub fn run_json(r: &RunRecord) -> Value {
    json!({
        "run_id": r.run_id,
        "study_id": r.setup.study_id,
        "model": r.setup.model,
        "task": r.setup.task,
        "status": r.status.name(),
        "metrics": r.result.metrics,
        "fold_metrics": r.result.fold_metrics,
        "confusion_matrix": r.result.confusion,
        "duration_s": r.duration_s,
        "params": r.setup.params,
        "seed": r.setup.seed,
        "target": r.setup.target,
        "validation": r.setup.validation_label,
        "data_path": r.setup.data_path,
        "data_fingerprint": r.setup.data_fingerprint,
        "feature_spec_hash": r.result.feature_spec_hash,
        "fitted_features_hash": r.result.fitted_features_hash,
        "train_rows": r.result.train_rows,
        "test_rows": r.result.test_rows,
        "dropped_rows": r.result.dropped_rows,
        "n_features": r.result.n_features,
        "summary": r.result.summary,
        "model_path": r.result.model_path,
        "model_bytes": r.result.model_bytes,
        "error": r.result.error,
        "warnings": r.result.warnings,
        "created_at": r.created_at,
        "finished_at": r.finished_at,
        "mlwb_version": r.mlwb_version,
        "git_commit": r.git_commit,
    })
}

fn fmt_metric(v: Option<&f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.4}"))
}

fn fmt_duration(d: Option<f64>) -> String {
    d.map_or("–".into(), |d| {
        if d < 10.0 {
            format!("{d:.2}s")
        } else {
            format!("{d:.1}s")
        }
    })
}

/// Print a study's leaderboard (best first) or its JSON; the exit code says whether any model
/// finished.
fn print_outcome(
    o: &StudyOutcome,
    out: Output,
    extra: Option<(&str, Value)>,
) -> Result<ExitCode, PipelineError> {
    let finished = o
        .runs
        .iter()
        .filter(|r| r.status == RunStatus::Finished)
        .count();
    let code = if finished > 0 {
        ExitCode::from(exit::OK)
    } else if o.runs.iter().any(|r| r.status == RunStatus::Cancelled) {
        ExitCode::from(exit::CANCELLED)
    } else {
        ExitCode::from(exit::BAD_INPUT)
    };
    let mut stdout = super::term::stdout(out.color);
    let headline = metrics::headline(o.task.name());
    let written = if out.json {
        let mut doc = json!({
            "schema_version": SCHEMA_VERSION,
            "study_id": o.study_id,
            "task": o.task.name(),
            "target": o.target,
            "data_fingerprint": o.fingerprint,
            "validation": o.validation_label,
            "notes": o.notes,
            "runs": o.runs.iter().map(run_json).collect::<Vec<_>>(),
        });
        if let (Some((k, v)), Some(m)) = (extra, doc.as_object_mut()) {
            m.insert(k.into(), v);
        }
        stdout.json(&doc)
    } else {
        let mut ranked = o.runs.clone();
        runs::rank(&mut ranked, headline[0]);
        write_board(&mut stdout, o, &ranked, headline)
    };
    let _ = super::finish_output(written);
    if !out.json && !out.quiet {
        for r in &o.runs {
            for w in &r.result.warnings {
                crate::say!("mlwb: warning: run {} ({}): {w}", r.run_id, r.setup.model);
            }
        }
        for r in o.runs.iter().filter(|r| r.status != RunStatus::Finished) {
            crate::say!(
                "mlwb: run {} ({}) {}: {}",
                r.run_id,
                r.setup.model,
                r.status.name(),
                r.result.error.as_deref().unwrap_or("no detail")
            );
        }
    }
    Ok(code)
}

fn write_board(
    w: &mut Out<impl Write>,
    o: &StudyOutcome,
    ranked: &[RunRecord],
    headline: &[Metric],
) -> std::io::Result<()> {
    writeln!(
        w,
        "study {} · {}{} · {} · {} run(s), best first by {}",
        o.study_id,
        o.task.name(),
        o.target
            .as_deref()
            .map_or(String::new(), |t| format!(" of '{}'", escape_control(t))),
        o.validation_label,
        o.runs.len(),
        headline[0]
    )?;
    for n in &o.notes {
        writeln!(w, "note: {n}")?;
    }
    board_table(w, ranked, headline)
}

fn board_table(
    w: &mut Out<impl Write>,
    ranked: &[RunRecord],
    headline: &[Metric],
) -> std::io::Result<()> {
    let mut header: Vec<&str> = vec!["run", "model", "status", "spec"];
    header.extend(headline.iter().take(5).map(|m| m.name()));
    header.push("time");
    let rows: Vec<Vec<String>> = ranked
        .iter()
        .map(|r| {
            let mut row = vec![
                r.run_id.to_string(),
                r.setup.model.clone(),
                r.status.name().to_string(),
                spec_short(r),
            ];
            row.extend(
                headline
                    .iter()
                    .take(5)
                    .map(|m| fmt_metric(r.result.metrics.get(m))),
            );
            row.push(fmt_duration(r.duration_s));
            row
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i >= 3 || i == 0 {
                    format!("{c:>w$}", w = widths[i])
                } else {
                    format!("{c:<w$}", w = widths[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(
        w,
        "{}",
        line(header.iter().map(|s| s.to_string()).collect())
    )?;
    for r in rows {
        writeln!(w, "{}", line(r))?;
    }
    Ok(())
}

pub fn run_runs(args: &RunsArgs, store_dir: Option<&Path>, out: Output) -> ExitCode {
    let result = (|| -> Result<ExitCode, PipelineError> {
        // Listing and showing only read: they work on a read-only or full store and never
        // create one where none exists.
        let dir = self::store_dir(store_dir)?;
        match &args.command {
            RunsCommand::List { .. } => {
                let store = Store::open_read_only(&dir)?;
                let all = match &store {
                    Some(s) => s.list()?,
                    None => Vec::new(),
                };
                let mut stdout = super::term::stdout(out.color);
                let written = if out.json {
                    stdout.json(&json!({
                        "schema_version": SCHEMA_VERSION,
                        "store": dir.display().to_string(),
                        "runs": all.iter().map(run_json).collect::<Vec<_>>()
                    }))
                } else if all.is_empty() {
                    writeln!(
                        stdout,
                        "no runs in {} yet; train with: mlwb train --data FILE --target COL",
                        dir.display()
                    )
                } else {
                    list_table(&mut stdout, &all)
                };
                Ok(super::finish_output(written))
            }
            RunsCommand::Show { id, .. } => {
                let store = Store::open_read_only(&dir)?;
                let r = match &store {
                    Some(s) => s.get(RunId(*id))?,
                    None => None,
                }
                .ok_or_else(|| no_run(*id, &dir))?;
                let mut stdout = super::term::stdout(out.color);
                let written = if out.json {
                    let mut doc = run_json(&r);
                    if let Some(m) = doc.as_object_mut() {
                        m.insert("schema_version".into(), SCHEMA_VERSION.into());
                    }
                    stdout.json(&doc)
                } else {
                    show(&mut stdout, &r)
                };
                Ok(super::finish_output(written))
            }
            RunsCommand::Rerun { id, in_process, .. } => {
                let store = Store::open(&dir)?;
                let before = store.get(RunId(*id))?.ok_or_else(|| no_run(*id, &dir))?;
                let spec = study::rerun_spec(&before)?;
                let cancel = CancelFlag::new();
                let signalled = super::cancel_on_signals(&cancel);
                let outcome = study::run_study(
                    &spec,
                    &store,
                    &executor(*in_process)?,
                    &cancel,
                    &progress_printer(out),
                )?;
                if signalled.load(std::sync::atomic::Ordering::Relaxed) {
                    print_outcome(&outcome, out, None)?;
                    return Ok(ExitCode::from(exit::CANCELLED));
                }
                let after = outcome.runs.first();
                let finished = |status: RunStatus| status == RunStatus::Finished;
                let comparable =
                    finished(before.status) && after.is_some_and(|a| finished(a.status));
                let identical =
                    comparable && after.is_some_and(|a| a.result.metrics == before.result.metrics);
                let same_data = outcome.fingerprint == before.setup.data_fingerprint;
                let verdict = json!({
                    "rerun_of": before.run_id,
                    "comparable": comparable,
                    "identical_metrics": identical,
                    "same_data": same_data,
                    "previous_status": before.status.name(),
                    "previous_metrics": before.result.metrics,
                });
                let code = print_outcome(&outcome, out, Some(("rerun", verdict)))?;
                if !out.json && !out.quiet {
                    let id = before.run_id;
                    let msg = match (identical, comparable, same_data) {
                        (true, ..) => format!(
                            "identical: the metrics of run {id} were reproduced bit for bit"
                        ),
                        (false, false, _) if !finished(before.status) => format!(
                            "not compared: run {id} {} and has no metrics to compare; the rerun {}",
                            before.status.name(),
                            after.map_or("did not run", |a| a.status.name())
                        ),
                        (false, false, _) => format!(
                            "not reproduced: the rerun of run {id} {}",
                            after.map_or("did not run", |a| a.status.name())
                        ),
                        (false, true, false) => {
                            format!("different: the data file changed since run {id} (fingerprint)")
                        }
                        (false, true, true) => {
                            format!("different: the metrics differ from run {id}")
                        }
                    };
                    println!("{msg}");
                }
                // For CI: a rerun that did not reproduce its run's metrics is a failed gate.
                if code == ExitCode::from(exit::OK) && !identical {
                    return Ok(ExitCode::from(exit::GATE_FAILED));
                }
                Ok(code)
            }
        }
    })();
    result.unwrap_or_else(|e| out.fail(&e))
}

fn no_run(id: i64, dir: &Path) -> PipelineError {
    PipelineError::BadRequest(format!(
        "there is no run {id} in {}; see mlwb runs list",
        dir.display()
    ))
}

fn list_table(w: &mut Out<impl Write>, all: &[RunRecord]) -> std::io::Result<()> {
    let header = [
        "run",
        "study",
        "created",
        "model",
        "status",
        "target",
        "validation",
        "spec",
        "metric",
        "time",
        "data",
    ];
    let rows: Vec<[String; 11]> = all
        .iter()
        .map(|r| {
            let key = metrics::headline(&r.setup.task)[0];
            [
                r.run_id.to_string(),
                r.setup.study_id.to_string(),
                r.created_at
                    .replace('T', " ")
                    .trim_end_matches('Z')
                    .to_string(),
                r.setup.model.clone(),
                r.status.name().into(),
                r.setup.target.clone().unwrap_or_else(|| "–".into()),
                r.setup.validation_label.clone(),
                spec_short(r),
                r.result
                    .metrics
                    .get(&key)
                    .map_or("–".into(), |v| format!("{key} {v:.4}")),
                fmt_duration(r.duration_s),
                Path::new(&r.setup.data_path)
                    .file_name()
                    .map_or(r.setup.data_path.clone(), |f| {
                        f.to_string_lossy().into_owned()
                    }),
            ]
        })
        .collect();
    super::write_table(w, &header, &rows, 11, true, |_, _| None)
}

/// The first 8 hex digits of the feature spec a run used ("–" before it was trained): runs
/// are compared only under one spec, and this says which.
fn spec_short(r: &RunRecord) -> String {
    r.result
        .feature_spec_hash
        .as_deref()
        .and_then(|h| h.get(..8))
        .map_or_else(|| "–".into(), str::to_string)
}

fn show(w: &mut impl Write, r: &RunRecord) -> std::io::Result<()> {
    writeln!(
        w,
        "run {} · {} · {} · study {}",
        r.run_id,
        r.setup.model,
        r.status.name(),
        r.setup.study_id
    )?;
    writeln!(
        w,
        "data        {} ({})",
        r.setup.data_path, &r.setup.data_fingerprint
    )?;
    writeln!(
        w,
        "target      {} ({})",
        r.setup.target.as_deref().unwrap_or("–"),
        r.setup.task
    )?;
    writeln!(
        w,
        "validation  {} · seed {}",
        r.setup.validation_label, r.setup.seed
    )?;
    writeln!(w, "params      {}", r.setup.params)?;
    let dropped = r.result.dropped_rows.unwrap_or(0);
    match (r.result.train_rows, r.result.test_rows) {
        // Cross-validation only: every row is scored once, in the fold that holds it out.
        (Some(tr), Some(0)) if !r.result.fold_metrics.is_empty() => writeln!(
            w,
            "rows        {tr} · each scored once in its held-out fold ({} folds), the kept \
             model refitted on all · {dropped} dropped (no target)",
            r.result.fold_metrics.len()
        )?,
        (Some(tr), Some(te)) => writeln!(
            w,
            "rows        {tr} train · {te} test · {dropped} dropped (no target)"
        )?,
        _ => {}
    }
    if let Some(h) = &r.result.feature_spec_hash {
        writeln!(
            w,
            "features    {} columns · spec {} · fitted {}",
            r.result.n_features.unwrap_or(0),
            &h[..12.min(h.len())],
            r.result
                .fitted_features_hash
                .as_deref()
                .map_or("–", |f| &f[..12.min(f.len())])
        )?;
    }
    writeln!(
        w,
        "duration    {} · created {} · mlwb {}{}",
        fmt_duration(r.duration_s),
        r.created_at,
        r.mlwb_version,
        r.git_commit.as_deref().map_or(String::new(), |g| format!(
            " · git {}",
            &g[..12.min(g.len())]
        ))
    )?;
    if let Some(e) = &r.result.error {
        writeln!(w, "error       {}", escape_control(e))?;
    }
    show_metrics(w, r)?;
    if let Some(c) = &r.result.confusion {
        show_confusion(w, c)?;
    }
    if let Some(p) = &r.result.model_path {
        writeln!(
            w,
            "\nmodel       {p} ({} bytes)",
            r.result.model_bytes.unwrap_or(0)
        )?;
    }
    Ok(())
}

/// Each metric with its direction, overall then per fold.
fn show_metrics(w: &mut impl Write, r: &RunRecord) -> std::io::Result<()> {
    if !r.result.metrics.is_empty() {
        writeln!(w, "\nmetrics")?;
        for (k, v) in &r.result.metrics {
            let dir = if k.higher_is_better() { "↑" } else { "↓" };
            write!(w, "  {k:<18} {v:>10.6} {dir}")?;
            for f in &r.result.fold_metrics {
                write!(
                    w,
                    "  {}",
                    f.get(k).map_or("–".into(), |v| format!("{v:.4}"))
                )?;
            }
            writeln!(w)?;
        }
    }
    Ok(())
}

/// The confusion matrix, rows the true classes.
fn show_confusion(w: &mut impl Write, c: &metrics::Confusion) -> std::io::Result<()> {
    writeln!(w, "\nconfusion matrix (rows: true, columns: predicted)")?;
    let width = c
        .classes
        .iter()
        .map(|s| s.chars().count())
        .chain(c.counts.iter().flatten().map(|v| v.to_string().len()))
        .max()
        .unwrap_or(1)
        .min(16);
    write!(w, "  {:>width$}", "")?;
    for cls in &c.classes {
        write!(
            w,
            "  {:>width$}",
            crate::pipeline::text::truncate(cls, width)
        )?;
    }
    writeln!(w)?;
    for (cls, row) in c.classes.iter().zip(&c.counts) {
        write!(
            w,
            "  {:>width$}",
            crate::pipeline::text::truncate(cls, width)
        )?;
        for v in row {
            write!(w, "  {v:>width$}")?;
        }
        writeln!(w)?;
    }
    Ok(())
}
