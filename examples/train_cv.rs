//! Fit features with the automatic spec and train one model with k-fold cross-validation.
//!
//! Run: `cargo run --example train_cv [-- FILE TARGET MODEL]` (default: the bundled
//! `assets/demo/penguins.csv`, target `species`, `logistic_regression`). Works without the
//! TUI (`--no-default-features`): only the headless `pipeline` is used, and nothing is stored.

use std::path::PathBuf;
use std::process::ExitCode;

use mlwb::pipeline::data::{self, LoadOptions};
use mlwb::pipeline::features::{ColumnRole, auto_spec};
use mlwb::pipeline::profile;
use mlwb::pipeline::progress::{CancelFlag, no_progress};
use mlwb::pipeline::text::{escape_control, format_number};
use mlwb::pipeline::train::models::ModelSpec;
use mlwb::pipeline::train::{self, RunRequest, Validation};
use mlwb::pipeline::{PipelineError, Result};

/// Folds of the cross-validation (stratified by class for classification).
const FOLDS: usize = 5;
/// The seed of the fold split and of the model's own randomness: same seed, same metrics.
const SEED: u64 = 42;

fn main() -> ExitCode {
    // An error exits with its own code (2 for a bad request, 3 for bad input), never with 1.
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("train_cv: {}", escape_control(&e.to_string()));
            ExitCode::from(mlwb::cli::exit::for_error(e.kind()))
        }
    }
}

fn run() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| demo_file("penguins.csv"));
    let target = args.next().unwrap_or_else(|| "species".into());
    let model = args.next().unwrap_or_else(|| "logistic_regression".into());
    let cancel = CancelFlag::new();

    let dataset = data::load(&path, &LoadOptions::default(), &cancel, &no_progress)?;
    let df = &dataset.df;

    // The automatic feature spec is proposed from the profile: per column a role (feature,
    // target, ignore), an imputation, a scaling and, for categories, an encoding.
    let profile = profile::profile(df, &cancel, &no_progress)?;
    let spec = auto_spec(&profile, Some(&target));
    for c in spec.columns.iter().filter(|c| c.role == ColumnRole::Ignore) {
        println!(
            "ignored: {} ({})",
            escape_control(&c.name),
            escape_control(c.note.as_deref().unwrap_or("by the automatic spec"))
        );
    }

    // The task follows from the target's type (text → classification, float → regression).
    let task = train::detect_task(df, Some(&target), None)?;
    // A model is named as on the command line (`name` or `name:param=value,...`, with
    // scikit-learn's parameter names and defaults) and checked against the task.
    let params = ModelSpec::parse(&model)
        .map_err(PipelineError::BadRequest)?
        .check(task)?;

    let request = RunRequest {
        target: Some(target.clone()),
        task,
        params,
        validation: Validation::CrossValidation { folds: FOLDS },
        seed: SEED,
        features: spec,
    };
    // In every fold the features are fitted on that fold's training rows only (imputation
    // and scaling statistics never see the rows they are scored on), then the model; the
    // kept model is refitted on every row at the end. `run` is synchronous: call it from a
    // thread of your own to keep a UI responsive, and set `cancel` to stop it.
    let (report, _model) = train::run(&request, df, None, &cancel, &|p| {
        if p.total == 0 {
            eprintln!("fold {}/{}: {}", p.fold, p.folds, p.stage.name());
        }
    })?;

    println!(
        "{} on {} ({}): {} rows, {} feature columns, {FOLDS}-fold CV",
        model,
        escape_control(&target),
        task.name(),
        report.train_rows,
        report.n_features
    );
    if report.dropped_null_target > 0 {
        println!(
            "{} row(s) without a target value were left out",
            report.dropped_null_target
        );
    }
    // Metrics are keyed by `Metric` (accuracy, f1_macro, roc_auc, log_loss; r2, rmse, mae; ...),
    // each knowing its direction: one row each, with every fold's value and their mean (the
    // run's headline metrics).
    print!("{:<18}", "metric");
    for fold in 1..=report.fold_metrics.len() {
        print!(" {:>9}", format!("fold {fold}"));
    }
    println!(" {:>9}", "mean");
    for (name, mean) in &report.metrics {
        let arrow = if name.higher_is_better() {
            "↑"
        } else {
            "↓"
        };
        print!("{:<18}", format!("{name} {arrow}"));
        for fold in &report.fold_metrics {
            let v = fold.get(name).copied().map(format_number);
            print!(" {:>9}", v.unwrap_or_default());
        }
        println!(" {:>9}", format_number(*mean));
    }
    for w in &report.warnings {
        println!("warning: {}", escape_control(w));
    }
    Ok(())
}

/// A bundled demo dataset, found from the crate's directory (so the example runs from anywhere).
fn demo_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo")
        .join(name)
}
