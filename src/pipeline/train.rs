//! Training (DESIGN.md §6): the task and target, validation splits, and one run — a model
//! with a validation on a dataset — from raw table to metrics and a fitted model. Feature
//! fitting happens inside each split, on its training rows only.

pub mod artifact;
pub mod linalg;
pub mod metrics;
pub mod models;
pub mod rng;
pub mod split;

use std::collections::BTreeMap;
use std::time::Instant;

use ndarray::{Array2, Axis};
use polars::prelude::{DataFrame, DataType, IdxCa, Series};
use serde::{Deserialize, Serialize};

use crate::pipeline::features::{self, FeatureSpec, FittedFeatures, ValidFeatureSpec};
use crate::pipeline::progress::{CancelFlag, Stage, no_progress};
use crate::pipeline::text::escape_control;
use crate::pipeline::{PipelineError, Result};
use metrics::{Confusion, Metric, Metrics};
use models::{FittedModel, ModelParams, Prediction, Target};

/// Integer targets with at most this many distinct values are classes.
pub const MAX_INTEGER_CLASSES: usize = 20;

/// What is learned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    Classification,
    Regression,
    Clustering,
}

impl TaskKind {
    pub fn name(self) -> &'static str {
        match self {
            TaskKind::Classification => "classification",
            TaskKind::Regression => "regression",
            TaskKind::Clustering => "clustering",
        }
    }

    pub fn parse(text: &str) -> Option<TaskKind> {
        match text.trim().to_ascii_lowercase().as_str() {
            "classification" | "classify" | "binary" | "multiclass" => {
                Some(TaskKind::Classification)
            }
            "regression" | "regress" => Some(TaskKind::Regression),
            "clustering" | "cluster" | "anomaly" => Some(TaskKind::Clustering),
            _ => None,
        }
    }
}

/// How a run is validated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Validation {
    /// Seeded shuffled holdout (stratified for classification).
    Holdout { test_fraction: f64 },
    /// k folds (stratified for classification).
    CrossValidation { folds: usize },
    /// Train on every row, test on another file (identified by its fingerprint).
    TestFile { path: String, fingerprint: String },
    /// k folds on the data, then final metrics on a test file.
    CrossValidationThenTest {
        folds: usize,
        path: String,
        fingerprint: String,
    },
}

impl Validation {
    /// A short label: `holdout 0.2`, `cv 5`, `test file.csv`.
    pub fn label(&self) -> String {
        let file = |p: &str| {
            std::path::Path::new(p)
                .file_name()
                .map_or(p.to_string(), |f| f.to_string_lossy().into_owned())
        };
        match self {
            Validation::Holdout { test_fraction } => format!("holdout {test_fraction}"),
            Validation::CrossValidation { folds } => format!("cv {folds}"),
            Validation::TestFile { path, .. } => format!("test {}", file(path)),
            Validation::CrossValidationThenTest { folds, path, .. } => {
                format!("cv {folds} + test {}", file(path))
            }
        }
    }

    /// A key that is equal exactly for comparable validations (path aside: the fingerprint).
    pub fn key(&self) -> String {
        match self {
            Validation::Holdout { test_fraction } => format!("holdout:{test_fraction}"),
            Validation::CrossValidation { folds } => format!("cv:{folds}"),
            Validation::TestFile { fingerprint, .. } => format!("test:{fingerprint}"),
            Validation::CrossValidationThenTest {
                folds, fingerprint, ..
            } => {
                format!("cv:{folds}+test:{fingerprint}")
            }
        }
    }

    /// The key under which runs are compared on one leaderboard: the same task, the same
    /// validation rows (the validation, and for a holdout or folds the seed that draws them)
    /// and the same feature spec (its hash). Data and target are compared beside it.
    pub fn comparison_key(&self, task: TaskKind, seed: u64, spec_hash: &str) -> String {
        let rows = match self {
            Validation::TestFile { .. } => String::new(),
            _ => format!(";seed:{seed}"),
        };
        let spec = spec_hash.get(..16).unwrap_or(spec_hash);
        format!("{};{}{rows};spec:{spec}", task.name(), self.key())
    }

    fn folds(&self) -> Option<usize> {
        match self {
            Validation::CrossValidation { folds }
            | Validation::CrossValidationThenTest { folds, .. } => Some(*folds),
            _ => None,
        }
    }
}

/// The target as the models see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TargetValues {
    /// Class index per kept row, and the class names in order (sorted).
    Classes {
        y: Vec<u32>,
        classes: Vec<String>,
    },
    Values {
        y: Vec<f64>,
    },
    None,
}

/// The rows a run uses: those with a target, and how many were dropped.
#[derive(Clone, Debug)]
pub struct PreparedTarget {
    pub rows: Vec<u32>,
    pub values: TargetValues,
    pub dropped_null: u64,
}

/// Decide the task of `target` in `df` (DESIGN.md §6), honouring an explicit `task`.
pub fn detect_task(
    df: &DataFrame,
    target: Option<&str>,
    task: Option<TaskKind>,
) -> Result<TaskKind> {
    let Some(target) = target else {
        return match task {
            None | Some(TaskKind::Clustering) => Ok(TaskKind::Clustering),
            Some(t) => Err(PipelineError::BadRequest(format!(
                "{} needs a target column: give --target COLUMN (in the TUI, :target COLUMN)",
                t.name()
            ))),
        };
    };
    let col = df.column(target).map_err(|_| {
        PipelineError::BadRequest(format!(
            "there is no column '{}' to predict; the columns are: {}",
            escape_control(target),
            df.get_column_names()
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    if let Some(t) = task {
        return Ok(t);
    }
    let series = col.as_materialized_series();
    task_for_target(col.dtype(), || {
        series.drop_nulls().n_unique().unwrap_or(usize::MAX)
    })
    .ok_or_else(|| {
        PipelineError::BadColumns(format!(
            "column '{}' holds {}, which cannot be a target; choose a number, text or boolean column",
            escape_control(target),
            col.dtype()
        ))
    })
}

/// The task a target column of `dtype` implies (DESIGN.md §6); `distinct` counts its distinct
/// non-null values and is asked only for integers. `None`: the column cannot be a target.
pub fn task_for_target(dtype: &DataType, distinct: impl FnOnce() -> usize) -> Option<TaskKind> {
    Some(if dtype.is_float() {
        TaskKind::Regression
    } else if dtype.is_integer() {
        if distinct() <= MAX_INTEGER_CLASSES {
            TaskKind::Classification
        } else {
            TaskKind::Regression
        }
    } else if matches!(dtype, DataType::String | DataType::Boolean) || dtype.is_categorical() {
        TaskKind::Classification
    } else {
        return None;
    })
}

/// Read the target column: drop null rows (counted), encode classes in sorted order, and
/// refuse targets no model can learn (one class, every value distinct like an id).
pub fn prepare_target(
    df: &DataFrame,
    target: Option<&str>,
    task: TaskKind,
) -> Result<PreparedTarget> {
    let n = df.height();
    let Some(target) = target else {
        return Ok(PreparedTarget {
            rows: (0..n as u32).collect(),
            values: TargetValues::None,
            dropped_null: 0,
        });
    };
    let name = escape_control(target);
    let series = df
        .column(target)
        .map_err(|_| PipelineError::BadRequest(format!("there is no column '{name}' to predict")))?
        .as_materialized_series()
        .clone();
    match task {
        TaskKind::Regression => regression_target(&series, &name, n),
        TaskKind::Classification => classification_target(&series, &name, n),
        TaskKind::Clustering => {
            // A target given for clustering is only used to score (adjusted Rand index).
            let prepared = prepare_target(df, Some(target), TaskKind::Classification)?;
            Ok(PreparedTarget {
                rows: (0..n as u32).collect(),
                ..prepared
            })
            .map(|mut p| {
                // Keep every row for clustering; unlabeled rows get no ARI.
                if p.dropped_null > 0 {
                    p.values = TargetValues::None;
                }
                p.dropped_null = 0;
                p
            })
        }
    }
}

/// A numeric target: rows without a finite value dropped; one value everywhere refused.
fn regression_target(series: &Series, name: &str, n: usize) -> Result<PreparedTarget> {
    if !(series.dtype().is_primitive_numeric() || series.dtype() == &DataType::Boolean) {
        return Err(PipelineError::BadColumns(format!(
            "target '{name}' holds {}, not numbers; regression needs a numeric target (or the task classification: --task classification, or :task classification in the TUI)",
            series.dtype()
        )));
    }
    let values = features::values::numbers(series)?;
    let rows: Vec<u32> = (0..n as u32)
        .filter(|&i| values[i as usize].is_finite())
        .collect();
    let y: Vec<f64> = rows.iter().map(|&i| values[i as usize]).collect();
    check_rows(name, rows.len(), n)?;
    let first = y[0];
    if y.iter().all(|&v| v == first) {
        return Err(PipelineError::BadColumns(format!(
            "target '{name}' has the same value ({first}) in every row; there is nothing to predict"
        )));
    }
    Ok(PreparedTarget {
        dropped_null: (n - rows.len()) as u64,
        rows,
        values: TargetValues::Values { y },
    })
}

/// Classes in sorted order (by number for a numeric column); refused when there is one
/// class, a class per row (an id), too many, or fractions (a measurement, not a class).
fn classification_target(series: &Series, name: &str, n: usize) -> Result<PreparedTarget> {
    // scikit-learn refuses a "continuous" label type: classes are labels or whole
    // numbers, never measurements with fractions.
    if series.dtype().is_float() {
        let values = features::values::numbers(series)?;
        if let Some(v) = values.iter().find(|v| v.is_finite() && v.fract() != 0.0) {
            return Err(PipelineError::BadColumns(format!(
                "target '{name}' holds continuous numbers (such as {v}), not classes; \
                 classification needs labels or whole numbers: use regression for it \
                 (--task regression, or the task row of the Train pane)"
            )));
        }
    }
    let labels = features::values::labels(series)?;
    let mut rows = Vec::with_capacity(n);
    let mut raw: Vec<&str> = Vec::with_capacity(n);
    for (i, v) in labels.iter().enumerate() {
        if let Some(v) = v {
            rows.push(i as u32);
            raw.push(v);
        }
    }
    check_rows(name, rows.len(), n)?;
    let mut classes: Vec<&str> = raw.clone();
    let numeric = series.dtype().is_primitive_numeric();
    if numeric {
        classes.sort_unstable_by(|a, b| {
            let (x, y) = (
                a.parse::<f64>().unwrap_or(f64::NAN),
                b.parse::<f64>().unwrap_or(f64::NAN),
            );
            x.total_cmp(&y)
        });
    } else {
        classes.sort_unstable();
    }
    classes.dedup();
    if classes.len() < 2 {
        return Err(PipelineError::BadColumns(format!(
            "target '{name}' has one class ('{}') in all {} rows; classification needs at least two",
            escape_control(classes.first().copied().unwrap_or("")),
            rows.len()
        )));
    }
    if classes.len() == rows.len() && rows.len() > MAX_INTEGER_CLASSES {
        return Err(PipelineError::BadColumns(format!(
            "target '{name}' has a different value in every row, like an id; choose the column to predict (or the task regression for numbers: --task regression, or :task regression in the TUI)"
        )));
    }
    if classes.len() > 1000 {
        return Err(PipelineError::BadColumns(format!(
            "target '{name}' has {} classes; that is too many to classify (at most 1000) — is it the right column?",
            classes.len()
        )));
    }
    let index: BTreeMap<&str, u32> = classes
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, i as u32))
        .collect();
    let y: Vec<u32> = raw.iter().map(|v| index[v]).collect();
    Ok(PreparedTarget {
        dropped_null: (n - rows.len()) as u64,
        rows,
        values: TargetValues::Classes {
            y,
            classes: classes.iter().map(|c| c.to_string()).collect(),
        },
    })
}

fn check_rows(name: &str, kept: usize, n: usize) -> Result<()> {
    if kept == 0 {
        return Err(PipelineError::BadColumns(format!(
            "target '{name}' has no values in {n} rows; choose a column with values"
        )));
    }
    Ok(())
}

/// `spec` with `target` as its target (added when the spec does not list it), or with no
/// target at all for clustering.
pub fn spec_for_target(spec: &FeatureSpec, target: Option<&str>) -> Result<FeatureSpec> {
    let mut spec = spec.clone();
    match target {
        Some(t) => {
            if !spec.columns.iter().any(|c| c.name == t) {
                spec.columns.push(features::ColumnSpec::new(
                    t,
                    features::ColumnRole::Target,
                    features::Kind::Categorical,
                ));
            }
            spec.set_target(t)?;
        }
        None => spec
            .columns
            .iter_mut()
            .filter(|c| c.role == features::ColumnRole::Target)
            .for_each(|c| c.role = features::ColumnRole::Ignore),
    }
    Ok(spec)
}

/// One model and one validation, ready to run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunRequest {
    pub target: Option<String>,
    pub task: TaskKind,
    pub params: ModelParams,
    pub validation: Validation,
    pub seed: u64,
    pub features: FeatureSpec,
}

/// Everything a run produces.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunReport {
    /// Headline metrics: test metrics for holdout and test files, fold means for CV.
    pub metrics: Metrics,
    /// Per fold (CV only).
    pub fold_metrics: Vec<Metrics>,
    pub confusion: Option<Confusion>,
    pub classes: Vec<String>,
    pub train_rows: u64,
    pub test_rows: u64,
    pub dropped_null_target: u64,
    pub feature_spec_hash: String,
    pub fitted_features_hash: String,
    pub n_features: u64,
    pub summary: BTreeMap<String, serde_json::Value>,
    pub fit_seconds: f64,
    pub predict_seconds: f64,
    /// The feature pipeline of the kept model (trained on the training rows; for CV,
    /// refitted on every row). The model itself comes beside the report.
    pub fitted_features: FittedFeatures,
    /// Why a finished result is suspect (a clustering that is all noise, or one group).
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// What a run reports while it works.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunProgress {
    pub stage: Stage,
    pub fold: u32,
    pub folds: u32,
    pub done: u64,
    pub total: u64,
}

fn take(df: &DataFrame, rows: &[u32]) -> Result<DataFrame> {
    let idx = IdxCa::from_vec("idx".into(), rows.to_vec());
    Ok(df.take(&idx)?)
}

/// Fit features and model on `train`, predict `test`, score.
struct Fold {
    metrics: Metrics,
    confusion: Option<Confusion>,
    fitted_features: FittedFeatures,
    model: FittedModel,
    fit_seconds: f64,
    predict_seconds: f64,
    n_features: usize,
}

fn target_slice<'a>(
    values: &'a TargetValues,
    at: &[usize],
    buf_c: &'a mut Vec<u32>,
    buf_v: &'a mut Vec<f64>,
) -> Target<'a> {
    match values {
        TargetValues::Classes { y, classes } => {
            *buf_c = at.iter().map(|&i| y[i]).collect();
            Target::Classes {
                y: buf_c,
                k: classes.len(),
            }
        }
        TargetValues::Values { y } => {
            *buf_v = at.iter().map(|&i| y[i]).collect();
            Target::Values(buf_v)
        }
        TargetValues::None => Target::None,
    }
}

#[allow(clippy::too_many_arguments)]
fn run_fold(
    req: &RunRequest,
    spec: &ValidFeatureSpec,
    train_df: &DataFrame,
    test_df: Option<&DataFrame>,
    train_target: Target,
    test_target: &TargetValues,
    seed: u64,
    cancel: &CancelFlag,
    tick: &(dyn Fn(u64, u64) + Sync),
) -> Result<Fold> {
    let start = Instant::now();
    let fitted_features = features::fit(spec, train_df, cancel, &no_progress)?;
    let xt = fitted_features.transform(train_df, cancel, &no_progress)?;
    let n_features = xt.x.ncols();
    if n_features == 0 {
        return Err(PipelineError::BadRequest(
            "the feature spec makes no feature columns".into(),
        ));
    }
    let model = models::fit(&req.params, xt.x.view(), train_target, seed, cancel, tick)?;
    let fit_seconds = start.elapsed().as_secs_f64();
    drop(xt);
    let Some(test_df) = test_df else {
        return Ok(Fold {
            metrics: Metrics::new(),
            confusion: None,
            fitted_features,
            model,
            fit_seconds,
            predict_seconds: 0.0,
            n_features,
        });
    };
    let start = Instant::now();
    let xs = fitted_features.transform(test_df, cancel, &no_progress)?;
    let prediction = model.predict(xs.x.view());
    let predict_seconds = start.elapsed().as_secs_f64();
    let (metrics, confusion) = score(&prediction, test_target, xs.x.view(), seed);
    Ok(Fold {
        metrics,
        confusion,
        fitted_features,
        model,
        fit_seconds,
        predict_seconds,
        n_features,
    })
}

/// Metrics of a prediction against the test target.
pub fn score(
    prediction: &Prediction,
    target: &TargetValues,
    x: ndarray::ArrayView2<f64>,
    seed: u64,
) -> (Metrics, Option<Confusion>) {
    match (prediction, target) {
        (Prediction::Classes { labels, proba }, TargetValues::Classes { y, classes }) => {
            let (m, c) = metrics::classification(y, labels, Some(proba.view()), classes);
            (m, Some(c))
        }
        (Prediction::Values(p), TargetValues::Values { y }) => (metrics::regression(y, p), None),
        (Prediction::Clusters { labels, distance }, truth) => {
            let mut m = Metrics::new();
            m.insert(
                Metric::Inertia,
                distance
                    .iter()
                    .filter(|d| d.is_finite())
                    .map(|d| d * d)
                    .sum(),
            );
            let sample = models::sample_rows(labels.len(), 10_000, seed);
            let xs = x.select(Axis(0), &sample);
            let ls: Vec<Option<u32>> = sample.iter().map(|&i| labels[i]).collect();
            if let Some(s) = metrics::silhouette(xs.view(), &ls) {
                m.insert(Metric::Silhouette, s);
            }
            let noise = labels.iter().filter(|l| l.is_none()).count();
            m.insert(
                Metric::NoiseShare,
                noise as f64 / labels.len().max(1) as f64,
            );
            if let TargetValues::Classes { y, .. } = truth {
                m.insert(Metric::AdjustedRand, metrics::adjusted_rand(y, labels));
            }
            (m, None)
        }
        _ => (Metrics::new(), None),
    }
}

fn subset(values: &TargetValues, at: &[usize]) -> TargetValues {
    match values {
        TargetValues::Classes { y, classes } => TargetValues::Classes {
            y: at.iter().map(|&i| y[i]).collect(),
            classes: classes.clone(),
        },
        TargetValues::Values { y } => TargetValues::Values {
            y: at.iter().map(|&i| y[i]).collect(),
        },
        TargetValues::None => TargetValues::None,
    }
}

/// Run one model with its validation on `df` (and `test_df` for a test-file validation).
/// `progress` hears of each fold and each tree.
pub fn run(
    req: &RunRequest,
    df: &DataFrame,
    test_df: Option<&DataFrame>,
    cancel: &CancelFlag,
    progress: &(dyn Fn(RunProgress) + Sync),
) -> Result<(RunReport, FittedModel)> {
    let spec = spec_for_target(&req.features, req.target.as_deref())?;
    let valid = features::check(&spec, df.schema())
        .map_err(|p| PipelineError::BadRequest(p.to_string()))?;
    let prepared = prepare_target(df, req.target.as_deref(), req.task)?;
    let data = take(df, &prepared.rows)?;
    let n = data.height();
    let classes = match &prepared.values {
        TargetValues::Classes { classes, .. } => classes.clone(),
        _ => Vec::new(),
    };
    let strata: Option<&[u32]> = match (&prepared.values, req.task) {
        (TargetValues::Classes { y, .. }, TaskKind::Classification) => Some(y),
        _ => None,
    };
    let folds_n = req.validation.folds();
    let runner = FoldRunner {
        req,
        spec: &valid,
        data: &data,
        values: &prepared.values,
        cancel,
        progress,
        folds: folds_n.unwrap_or(1) as u32 + u32::from(folds_n.is_some()),
    };
    // A test file, scored with the training data's classes.
    let test_set = |t: &DataFrame| -> Result<(DataFrame, TargetValues)> {
        let tp = prepare_target(t, req.target.as_deref(), req.task)?;
        Ok((take(t, &tp.rows)?, align_classes(&tp.values, &classes)?))
    };
    let all: Vec<usize> = (0..n).collect();
    let mut v = match (&req.validation, test_df) {
        (Validation::Holdout { test_fraction }, _) => {
            let (tr, te) = split::holdout(n, strata, *test_fraction, req.seed)?;
            let test = (take(&data, &to_u32(&te))?, subset(&prepared.values, &te));
            runner.once(&tr, test)?
        }
        (
            Validation::CrossValidation { folds }
            | Validation::CrossValidationThenTest { folds, .. },
            t,
        ) => {
            let splits = split::kfold(n, strata, *folds, req.seed)?;
            let test = match (&req.validation, t) {
                (Validation::CrossValidationThenTest { .. }, Some(t)) => Some(test_set(t)?),
                _ => None,
            };
            runner.cross_validate(&splits, test)?
        }
        (Validation::TestFile { .. }, Some(t)) => runner.once(&all, test_set(t)?)?,
        (Validation::TestFile { .. }, None) => {
            return Err(PipelineError::Internal(
                "a test-file run without its test file".into(),
            ));
        }
    };
    v.metrics.retain(|_, x| x.is_finite());
    let kept = v.kept;
    let summary = kept.model.summary();
    let report = RunReport {
        warnings: degenerate(&v.metrics, &summary),
        metrics: v.metrics,
        fold_metrics: v.fold_metrics,
        confusion: v.confusion,
        classes,
        train_rows: v.train_rows as u64,
        test_rows: v.test_rows as u64,
        dropped_null_target: prepared.dropped_null,
        feature_spec_hash: valid.hash(),
        fitted_features_hash: kept.fitted_features.hash(),
        n_features: kept.n_features as u64,
        summary,
        fit_seconds: v.fit_seconds,
        predict_seconds: v.predict_seconds,
        fitted_features: kept.fitted_features,
    };
    Ok((report, kept.model))
}

/// Fits the features and the model on a fold's training rows only (so no statistic sees the
/// rows it is scored on), and scores the fold.
struct FoldRunner<'a> {
    req: &'a RunRequest,
    spec: &'a ValidFeatureSpec,
    data: &'a DataFrame,
    values: &'a TargetValues,
    cancel: &'a CancelFlag,
    progress: &'a (dyn Fn(RunProgress) + Sync),
    /// Fits in all: the folds, and the refit after cross-validation.
    folds: u32,
}

/// What a validation found, and the model it keeps.
struct Validated {
    metrics: Metrics,
    fold_metrics: Vec<Metrics>,
    confusion: Option<Confusion>,
    fit_seconds: f64,
    predict_seconds: f64,
    train_rows: usize,
    test_rows: usize,
    kept: Fold,
}

impl FoldRunner<'_> {
    /// Fit on the rows `train` of the data, score on `test` (if any).
    fn fit(
        &self,
        fold: u32,
        stage: Stage,
        train: &[usize],
        test: Option<&(DataFrame, TargetValues)>,
    ) -> Result<Fold> {
        self.cancel.check()?;
        let folds = self.folds;
        let report = |done, total| {
            (self.progress)(RunProgress {
                stage,
                fold,
                folds,
                done,
                total,
            })
        };
        report(0, 0);
        // Every row in order (the refit, a test-file run): the table itself, not a copy.
        let every_row =
            train.len() == self.data.height() && train.iter().enumerate().all(|(i, &r)| i == r);
        let train_df = if every_row {
            self.data.clone()
        } else {
            take(self.data, &to_u32(train))?
        };
        let (mut cb, mut vb) = (Vec::new(), Vec::new());
        run_fold(
            self.req,
            self.spec,
            &train_df,
            test.map(|t| &t.0),
            target_slice(self.values, train, &mut cb, &mut vb),
            test.map_or(&TargetValues::None, |t| &t.1),
            self.req.seed,
            self.cancel,
            &report,
        )
    }

    /// One fit on `train`, scored on `test`: a holdout, or a test file.
    fn once(&self, train: &[usize], test: (DataFrame, TargetValues)) -> Result<Validated> {
        let f = self.fit(1, Stage::Fit, train, Some(&test))?;
        Ok(Validated {
            metrics: f.metrics.clone(),
            fold_metrics: Vec::new(),
            confusion: f.confusion.clone(),
            fit_seconds: f.fit_seconds,
            predict_seconds: f.predict_seconds,
            train_rows: train.len(),
            test_rows: test.0.height(),
            kept: f,
        })
    }

    /// Score each fold, then refit on every row (scored on `test` when there is one, whose
    /// metrics are then the headline ones).
    fn cross_validate(
        &self,
        splits: &[(Vec<usize>, Vec<usize>)],
        test: Option<(DataFrame, TargetValues)>,
    ) -> Result<Validated> {
        let mut fold_metrics = Vec::new();
        let mut confusion: Option<Confusion> = None;
        let (mut fit_seconds, mut predict_seconds) = (0.0, 0.0);
        for (i, (tr, te)) in splits.iter().enumerate() {
            let scored = (take(self.data, &to_u32(te))?, subset(self.values, te));
            let f = self.fit(i as u32 + 1, Stage::Fit, tr, Some(&scored))?;
            fit_seconds += f.fit_seconds;
            predict_seconds += f.predict_seconds;
            confusion = add_confusion(confusion, f.confusion);
            fold_metrics.push(f.metrics);
        }
        let all: Vec<usize> = (0..self.data.height()).collect();
        let kept = self.fit(self.folds, Stage::Refit, &all, test.as_ref())?;
        let mut metrics = mean_metrics(&fold_metrics);
        if test.is_some() {
            metrics = kept.metrics.clone();
            confusion = kept.confusion.clone();
        }
        Ok(Validated {
            metrics,
            fold_metrics,
            confusion,
            fit_seconds,
            predict_seconds,
            train_rows: all.len(),
            test_rows: test.as_ref().map_or(0, |t| t.0.height()),
            kept,
        })
    }
}

/// Two confusion matrices over the same classes, added.
fn add_confusion(sum: Option<Confusion>, more: Option<Confusion>) -> Option<Confusion> {
    match (sum, more) {
        (Some(mut acc), Some(c)) => {
            for (ra, rb) in acc.counts.iter_mut().zip(&c.counts) {
                ra.iter_mut().zip(rb).for_each(|(a, b)| *a += b);
            }
            Some(acc)
        }
        (sum, more) => sum.or(more),
    }
}

/// Share of rows left as noise from which a clustering is called degenerate.
const MOSTLY_NOISE: f64 = 0.9;

/// What makes a finished run's result suspect although it finished: a clustering that left
/// (nearly) every row as noise, or found no more than one group.
fn degenerate(metrics: &Metrics, summary: &BTreeMap<String, serde_json::Value>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(&noise) = metrics.get(&Metric::NoiseShare)
        && noise >= MOSTLY_NOISE
    {
        out.push(format!(
            "{:.0}% of the rows are noise: eps is small for this data (the features are \
             standardised; try a larger eps, such as 1 to 3, or a smaller min_samples)",
            noise * 100.0
        ));
    }
    if let Some(found) = summary
        .get("n_clusters")
        .and_then(serde_json::Value::as_u64)
        && found <= 1
    {
        out.push(format!(
            "found {found} cluster{}: nothing tells the rows apart at these parameters",
            if found == 1 { "" } else { "s" }
        ));
    }
    out
}

/// Re-index a test file's classes to the training classes; a class the training data never
/// had cannot be scored.
fn align_classes(values: &TargetValues, classes: &[String]) -> Result<TargetValues> {
    match values {
        TargetValues::Classes {
            y,
            classes: test_classes,
        } => {
            let mut map = Vec::with_capacity(test_classes.len());
            for c in test_classes {
                match classes.iter().position(|t| t == c) {
                    Some(i) => map.push(i as u32),
                    None => {
                        return Err(PipelineError::BadColumns(format!(
                            "the test file has class '{}', which the training data does not; a model cannot predict it",
                            escape_control(c)
                        )));
                    }
                }
            }
            Ok(TargetValues::Classes {
                y: y.iter().map(|&i| map[i as usize]).collect(),
                classes: classes.to_vec(),
            })
        }
        other => Ok(other.clone()),
    }
}

fn to_u32(rows: &[usize]) -> Vec<u32> {
    rows.iter().map(|&r| r as u32).collect()
}

/// The mean of each metric over the folds that have it.
fn mean_metrics(folds: &[Metrics]) -> Metrics {
    let mut sums: BTreeMap<Metric, (f64, usize)> = BTreeMap::new();
    for f in folds {
        for (k, v) in f {
            let e = sums.entry(*k).or_insert((0.0, 0));
            e.0 += v;
            e.1 += 1;
        }
    }
    sums.into_iter()
        .map(|(k, (s, c))| (k, s / c as f64))
        .collect()
}

/// The design matrix of rows of `df` under a fitted pipeline (used by tests and benches).
pub fn design_matrix(fitted: &FittedFeatures, df: &DataFrame) -> Result<Array2<f64>> {
    Ok(fitted.transform(df, &CancelFlag::new(), &no_progress)?.x)
}
