//! Fitting: every value a spec's steps learn (fill values, quantiles, means, scales, levels),
//! learned from the training rows only and kept in a serialisable [`FittedFeatures`].

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::check::{ValidFeatureSpec, ValueClass};
use super::spec::*;
use super::values;
use crate::pipeline::error::{PipelineError, Result, catch_panics};
use crate::pipeline::progress::{CancelFlag, Progress, ProgressFn, Stage};
use crate::pipeline::stats;
use crate::pipeline::text::escape_control;

/// Version of the fitted-pipeline file layout.
pub const FITTED_FORMAT: u32 = 1;

/// Label words read as "true" when a two-valued text column is a boolean.
const TRUE_WORDS: &[&str] = &["true", "t", "yes", "y", "1", "on"];

/// A fitted feature pipeline: the spec and everything learned from the training rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedFeatures {
    pub format: u32,
    /// The checked spec it was fitted from (defaults explicit).
    pub spec: FeatureSpec,
    pub spec_hash: String,
    /// How many rows it was fitted on.
    pub fitted_rows: u64,
    pub target: Option<String>,
    /// The feature columns, in spec order.
    pub columns: Vec<FittedColumn>,
}

/// What kind of values a column held when it was fitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Number,
    Bool,
    Text,
    Date,
    Datetime,
}

impl Source {
    fn of(class: ValueClass) -> Option<Source> {
        Some(match class {
            ValueClass::Number => Source::Number,
            ValueClass::Bool => Source::Bool,
            ValueClass::Text => Source::Text,
            ValueClass::Date => Source::Date,
            ValueClass::DateTime => Source::Datetime,
            ValueClass::Null | ValueClass::Other => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Source::Number => "numbers",
            Source::Bool => "booleans",
            Source::Text => "text",
            Source::Date => "dates",
            Source::Datetime => "timestamps",
        }
    }

    /// Whether new data of `class` can go through steps fitted on this source.
    pub fn accepts(self, class: ValueClass) -> bool {
        match self {
            Source::Date | Source::Datetime => {
                matches!(class, ValueClass::Date | ValueClass::DateTime)
            }
            _ => Source::of(class) == Some(self),
        }
    }
}

/// One fitted feature column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedColumn {
    pub name: String,
    pub source: Source,
    pub steps: FittedSteps,
}

/// The learned steps of one column, by kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FittedSteps {
    Numeric {
        steps: NumericSteps,
    },
    Boolean {
        /// For text columns: the labels read as 0 and as 1.
        labels: Option<(Option<String>, Option<String>)>,
        steps: NumericSteps,
    },
    Datetime {
        parts: Vec<FittedPart>,
    },
    Categorical(CategoricalSteps),
}

/// Fill, transforms and scale of one numeric output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumericSteps {
    /// What missing values become.
    pub fill: f64,
    pub transforms: Vec<FittedTransform>,
    pub scale: Option<Affine>,
}

/// `(x − center) / scale`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Affine {
    pub center: f64,
    pub scale: f64,
}

/// A transform with its learned values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum FittedTransform {
    Log1p,
    Clip {
        lower: f64,
        upper: f64,
    },
    /// Inner bin edges: the value becomes how many edges are ≤ it (scikit-learn's
    /// KBinsDiscretizer(strategy="quantile", encode="ordinal")).
    Bins {
        edges: Vec<f64>,
    },
}

/// One date part with its own fill and scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedPart {
    pub part: DatePart,
    pub steps: NumericSteps,
}

/// Learned levels of a categorical column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoricalSteps {
    /// What missing values become.
    pub fill: String,
    /// Levels with their own output, in sorted order.
    pub levels: Vec<String>,
    /// Rare levels grouped as `(other)`.
    pub grouped: Vec<String>,
    pub encode: Encode,
    /// Scale of the ordinal code (ordinal encoding only).
    pub scale: Option<Affine>,
}

impl NumericSteps {
    /// One input value (NaN = missing) through fill, transforms and scale.
    #[inline]
    pub fn apply(&self, v: f64) -> f64 {
        let mut x = if v.is_nan() { self.fill } else { v };
        for t in &self.transforms {
            x = t.apply(x);
        }
        match self.scale {
            Some(a) => (x - a.center) / a.scale,
            None => x,
        }
    }
}

impl FittedTransform {
    #[inline]
    pub fn apply(&self, x: f64) -> f64 {
        match self {
            FittedTransform::Log1p => x.signum() * x.abs().ln_1p(),
            FittedTransform::Clip { lower, upper } => x.clamp(*lower, *upper),
            FittedTransform::Bins { edges } => edges.partition_point(|e| *e <= x) as f64,
        }
    }
}

impl FittedColumn {
    /// The names of this column's outputs.
    pub fn output_names(&self) -> Vec<String> {
        match &self.steps {
            FittedSteps::Numeric { .. } | FittedSteps::Boolean { .. } => vec![self.name.clone()],
            FittedSteps::Datetime { parts } => parts
                .iter()
                .map(|p| format!("{}.{}", self.name, p.part.name()))
                .collect(),
            FittedSteps::Categorical(c) => match c.encode {
                Encode::Ordinal => vec![self.name.clone()],
                Encode::OneHot => {
                    let mut names: Vec<String> = c
                        .levels
                        .iter()
                        .map(|l| format!("{}={l}", self.name))
                        .collect();
                    if !c.grouped.is_empty() {
                        names.push(format!("{}=(other)", self.name));
                    }
                    names.push(format!("{}=(unseen)", self.name));
                    names
                }
            },
        }
    }

    /// How many outputs this column has.
    pub fn width(&self) -> usize {
        match &self.steps {
            FittedSteps::Datetime { parts } => parts.len(),
            FittedSteps::Categorical(c) if c.encode == Encode::OneHot => {
                c.levels.len() + usize::from(!c.grouped.is_empty()) + 1
            }
            _ => 1,
        }
    }
}

impl FittedFeatures {
    /// Every output feature's name, in matrix column order.
    pub fn feature_names(&self) -> Vec<String> {
        self.columns
            .iter()
            .flat_map(FittedColumn::output_names)
            .collect()
    }

    /// The fitted pipeline as JSON (the bytes its hash is taken over).
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map(|s| s + "\n")
            .map_err(|e| PipelineError::Internal(format!("cannot write fitted features: {e}")))
    }

    /// A stable content hash (blake3 of the JSON form, hex).
    pub fn hash(&self) -> String {
        blake3::hash(self.to_json().unwrap_or_default().as_bytes())
            .to_hex()
            .to_string()
    }

    /// Write the fitted pipeline as JSON, atomically.
    pub fn write(&self, path: &Path) -> Result<()> {
        crate::pipeline::files::write_atomic(path, self.to_json()?.as_bytes())
    }

    /// Read a fitted pipeline written by [`FittedFeatures::write`].
    pub fn read(path: &Path) -> Result<FittedFeatures> {
        let text = crate::pipeline::files::read_text_document(
            path,
            crate::pipeline::files::MAX_DOCUMENT_BYTES,
        )?;
        let fitted: FittedFeatures = serde_json::from_str(&text).map_err(|e| {
            PipelineError::BadRequest(format!(
                "{}: not a fitted feature pipeline (written by mlwb features --save-fitted): {e}",
                path.display()
            ))
        })?;
        if fitted.format != FITTED_FORMAT {
            return Err(PipelineError::BadRequest(format!(
                "{}: fitted-pipeline format {} is not supported (this mlwb reads format {FITTED_FORMAT})",
                path.display(),
                fitted.format
            )));
        }
        Ok(fitted)
    }
}

fn column_error(name: &str, message: impl std::fmt::Display) -> PipelineError {
    PipelineError::BadColumns(format!("column '{}': {message}", escape_control(name)))
}

/// Fit `spec` on the rows of `df` (the training rows, and only those).
pub fn fit(
    spec: &ValidFeatureSpec,
    df: &DataFrame,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<FittedFeatures> {
    catch_panics("fitting the features", || {
        if df.height() == 0 {
            return Err(PipelineError::BadColumns(
                "there are no rows to fit the features on".into(),
            ));
        }
        let features: Vec<&ColumnSpec> = spec.features().collect();
        let total = features.len() as u64;
        let done = AtomicU64::new(0);
        progress(Progress::new(Stage::Fit, 0, total));
        let columns = features
            .par_iter()
            .map(|c| {
                cancel.check()?;
                let series = df
                    .column(&c.name)
                    .map_err(|_| column_error(&c.name, "is not in the data"))?
                    .as_materialized_series();
                let fitted = fit_column(c, series)?;
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(Progress::new(Stage::Fit, n, total));
                Ok(fitted)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(FittedFeatures {
            format: FITTED_FORMAT,
            spec: spec.spec().clone(),
            spec_hash: spec.hash(),
            fitted_rows: df.height() as u64,
            target: spec.target().map(str::to_string),
            columns,
        })
    })
}

fn fit_column(c: &ColumnSpec, series: &Series) -> Result<FittedColumn> {
    let class = ValueClass::of(series.dtype());
    let source = Source::of(class).ok_or_else(|| {
        column_error(
            &c.name,
            format!("{} values cannot be a feature", series.dtype()),
        )
    })?;
    let steps = match c.kind {
        Kind::Numeric => FittedSteps::Numeric {
            steps: fit_numeric(c, values::numbers(series)?)?,
        },
        Kind::Boolean => {
            let (labels, vals) = boolean_values(c, series, class)?;
            FittedSteps::Boolean {
                labels,
                steps: fit_numeric(c, vals)?,
            }
        }
        Kind::Datetime => {
            let parts = c.parts.clone().unwrap_or_default();
            FittedSteps::Datetime {
                parts: parts
                    .into_iter()
                    .map(|part| {
                        Ok(FittedPart {
                            part,
                            steps: fit_numeric(c, values::date_part(series, part)?)?,
                        })
                    })
                    .collect::<Result<_>>()?,
            }
        }
        Kind::Categorical => FittedSteps::Categorical(fit_categorical(c, series, source)?),
    };
    Ok(FittedColumn {
        name: c.name.clone(),
        source,
        steps,
    })
}

/// A boolean column as 0/1 (NaN missing), and for text columns the labels read as 0 and 1.
#[allow(clippy::type_complexity)]
fn boolean_values(
    c: &ColumnSpec,
    series: &Series,
    class: ValueClass,
) -> Result<(Option<(Option<String>, Option<String>)>, Vec<f64>)> {
    match class {
        ValueClass::Text => {
            let labels = values::labels(series)?;
            let mut distinct: Vec<&str> = Vec::new();
            for v in labels.iter().flatten() {
                if !distinct.contains(&v) {
                    distinct.push(v);
                    if distinct.len() > 2 {
                        return Err(column_error(
                            &c.name,
                            format!(
                                "has more than two values ('{}', '{}', '{}', …), so it is not boolean; use kind = categorical",
                                escape_control(distinct[0]),
                                escape_control(distinct[1]),
                                escape_control(distinct[2])
                            ),
                        ));
                    }
                }
            }
            distinct.sort_unstable();
            let is_true = |s: &str| TRUE_WORDS.contains(&s.trim().to_lowercase().as_str());
            let (f, t) = match distinct[..] {
                [] => (None, None),
                [a] if is_true(a) => (None, Some(a.to_string())),
                [a] => (Some(a.to_string()), None),
                [a, b] if is_true(a) && !is_true(b) => (Some(b.to_string()), Some(a.to_string())),
                [a, b, ..] => (Some(a.to_string()), Some(b.to_string())),
            };
            let vals = bool_text_values(&labels, f.as_deref(), t.as_deref()).0;
            Ok((Some((f, t)), vals))
        }
        _ => {
            let vals = values::numbers(series)?;
            if let Some(v) = vals
                .iter()
                .find(|v| !v.is_nan() && **v != 0.0 && **v != 1.0)
            {
                return Err(column_error(
                    &c.name,
                    format!(
                        "has values other than 0 and 1 (e.g. {}), so it is not boolean; use kind = numeric",
                        crate::pipeline::text::format_number(*v)
                    ),
                ));
            }
            Ok((None, vals))
        }
    }
}

/// 0/1 per row of a two-label text column (NaN for missing and for other labels, which are counted).
pub(super) fn bool_text_values(
    labels: &StringChunked,
    f: Option<&str>,
    t: Option<&str>,
) -> (Vec<f64>, u64) {
    let mut unseen = 0;
    let vals = labels
        .iter()
        .map(|v| match v {
            None => f64::NAN,
            Some(v) if Some(v) == t => 1.0,
            Some(v) if Some(v) == f => 0.0,
            Some(_) => {
                unseen += 1;
                f64::NAN
            }
        })
        .collect();
    (vals, unseen)
}

/// Fit fill, transforms and scale on one column's values (NaN = missing).
fn fit_numeric(c: &ColumnSpec, mut vals: Vec<f64>) -> Result<NumericSteps> {
    let impute = c.impute.unwrap_or(Impute::Median);
    let mut present: Vec<f64> = vals.iter().copied().filter(|v| !v.is_nan()).collect();
    let fill = match impute {
        Impute::Mean => stats::mean(&present),
        Impute::Median => stats::median_select(&mut present),
        Impute::MostFrequent => most_frequent_number(&mut present),
        Impute::Constant => match c.fill_value {
            Some(FillValue::Number(v)) => Some(v),
            _ => None,
        },
    }
    .ok_or_else(|| {
        column_error(
            &c.name,
            format!(
                "no value is present in the training rows, so there is no {} to fill with; ignore the column or impute a constant",
                impute.name()
            ),
        )
    })?;
    drop(present);
    for v in &mut vals {
        if v.is_nan() {
            *v = fill;
        }
    }
    let mut transforms = Vec::with_capacity(c.transforms.len());
    for t in &c.transforms {
        let fitted = match *t {
            Transform::Log1p => FittedTransform::Log1p,
            Transform::Clip { lower, upper } => {
                let mut tmp = vals.clone();
                let lo = stats::quantile_select(&mut tmp, lower).unwrap_or(fill);
                let hi = stats::quantile_select(&mut tmp, upper).unwrap_or(fill);
                FittedTransform::Clip {
                    lower: lo,
                    upper: hi,
                }
            }
            Transform::Bins { n } => {
                let mut tmp = vals.clone();
                let mut edges: Vec<f64> = (1..n)
                    .filter_map(|i| stats::quantile_select(&mut tmp, i as f64 / n as f64))
                    .collect();
                edges.dedup();
                FittedTransform::Bins { edges }
            }
        };
        for v in &mut vals {
            *v = fitted.apply(*v);
        }
        transforms.push(fitted);
    }
    let scale = fit_scale(c.scale.unwrap_or(Scale::None), &mut vals);
    Ok(NumericSteps {
        fill,
        transforms,
        scale,
    })
}

/// Fit a scaler the way scikit-learn does, including its rules for zero-variance columns.
fn fit_scale(scale: Scale, vals: &mut [f64]) -> Option<Affine> {
    let n = vals.len();
    if n == 0 {
        return None;
    }
    let eps = f64::EPSILON;
    // _handle_zeros_in_scale: a scale below 10·eps becomes 1.
    let guard = |s: f64| if s < 10.0 * eps { 1.0 } else { s };
    match scale {
        Scale::None => None,
        Scale::Standard => {
            let mean = stats::mean(vals)?;
            let var = stats::pairwise_sq_dev(vals, mean) / n as f64;
            // _is_constant_feature: variance within float error of zero.
            let nf = n as f64;
            let bound = nf * eps * var + (nf * mean * eps).powi(2);
            let scale = if var <= bound { 1.0 } else { var.sqrt() };
            Some(Affine {
                center: mean,
                scale,
            })
        }
        Scale::MinMax => {
            let (lo, hi) = vals
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(*v), hi.max(*v))
                });
            Some(Affine {
                center: lo,
                scale: guard(hi - lo),
            })
        }
        Scale::Robust => {
            let q25 = stats::quantile_select(vals, 0.25)?;
            let q50 = stats::quantile_select(vals, 0.5)?;
            let q75 = stats::quantile_select(vals, 0.75)?;
            Some(Affine {
                center: q50,
                scale: guard(q75 - q25),
            })
        }
    }
}

/// The most frequent value; ties go to the smallest (scikit-learn's SimpleImputer).
fn most_frequent_number(present: &mut [f64]) -> Option<f64> {
    radsort::sort(present);
    let mut best: Option<(f64, usize)> = None;
    let mut i = 0;
    while i < present.len() {
        let v = present[i];
        let run = present[i..].iter().take_while(|x| **x == v).count();
        if best.is_none_or(|(_, n)| run > n) {
            best = Some((v, run));
        }
        i += run;
    }
    best.map(|(v, _)| v)
}

/// Order of two levels: numeric when the column held numbers, else by code point (as numpy
/// sorts strings).
fn level_order(a: &str, b: &str, source: Source) -> std::cmp::Ordering {
    if source == Source::Number
        && let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>())
    {
        return x.total_cmp(&y);
    }
    a.cmp(b)
}

/// Sort (level, count) pairs into level order.
fn sort_counted(levels: &mut [(String, u64)], source: Source) {
    levels.sort_by(|a, b| level_order(&a.0, &b.0, source));
}

fn fit_categorical(c: &ColumnSpec, series: &Series, source: Source) -> Result<CategoricalSteps> {
    let labels = values::labels(series)?;
    let mut counts: PlHashMap<&str, u64> = PlHashMap::new();
    for v in labels.iter().flatten() {
        *counts.entry(v).or_insert(0) += 1;
    }
    let nulls = labels.null_count() as u64;
    let mut levels: Vec<(String, u64)> = counts
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    sort_counted(&mut levels, source);
    let fill = match (c.impute, &c.fill_value) {
        (Some(Impute::Constant), Some(FillValue::Text(t))) => t.clone(),
        (Some(Impute::Constant), Some(FillValue::Number(v))) => {
            crate::pipeline::text::number_label(*v)
        }
        _ => {
            // Most frequent; ties to the first in level order (levels are sorted).
            let mut best: Option<&(String, u64)> = None;
            for l in &levels {
                if best.is_none_or(|b| l.1 > b.1) {
                    best = Some(l);
                }
            }
            best.map(|(l, _)| l.clone()).ok_or_else(|| {
                column_error(
                    &c.name,
                    "no value is present in the training rows, so there is no most frequent level; ignore the column or impute a constant",
                )
            })?
        }
    };
    if nulls > 0 {
        match levels.iter_mut().find(|(l, _)| *l == fill) {
            Some(l) => l.1 += nulls,
            None => {
                levels.push((fill.clone(), nulls));
                sort_counted(&mut levels, source);
            }
        }
    }
    let total: u64 = levels.iter().map(|(_, n)| n).sum();
    let min_count = c.min_share.unwrap_or(0.0) * total as f64;
    let mut keep: Vec<bool> = levels.iter().map(|(_, n)| *n as f64 >= min_count).collect();
    if let Some(max) = c.max_levels {
        let mut by_count: Vec<usize> = (0..levels.len()).filter(|i| keep[*i]).collect();
        by_count.sort_by(|a, b| levels[*b].1.cmp(&levels[*a].1).then(a.cmp(b)));
        for i in by_count.into_iter().skip(max) {
            keep[i] = false;
        }
    }
    let (mut kept, mut grouped) = (Vec::new(), Vec::new());
    for ((l, _), k) in levels.into_iter().zip(keep) {
        if k { kept.push(l) } else { grouped.push(l) }
    }
    let encode = c.encode.unwrap_or(Encode::OneHot);
    let scale = if encode == Encode::Ordinal {
        let other = kept.len() as f64;
        let mut codes: Vec<f64> = Vec::with_capacity(labels.len());
        let code: PlHashMap<&str, f64> = kept
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), i as f64))
            .collect();
        for v in labels.iter() {
            let v = v.unwrap_or(fill.as_str());
            codes.push(code.get(v).copied().unwrap_or(other));
        }
        fit_scale(c.scale.unwrap_or(Scale::None), &mut codes)
    } else {
        None
    };
    Ok(CategoricalSteps {
        fill,
        levels: kept,
        grouped,
        encode,
        scale,
    })
}
