//! A preview of a spec on a table: fit on all its rows, the first rows transformed, and the
//! distribution of every output over an even sample of rows (what the Features pane shows).

use polars::prelude::*;
use serde::Serialize;

use super::apply::Transformed;
use super::check::ValidFeatureSpec;
use super::fit::{FittedFeatures, fit};
use crate::pipeline::error::Result;
use crate::pipeline::profile::{ColumnProfile, DatasetProfile};
use crate::pipeline::progress::{CancelFlag, ProgressFn};
use crate::pipeline::stats::{self, Histogram};

/// The distribution of one output feature over the sample.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutputSummary {
    pub name: String,
    pub mean: f64,
    pub std: f64,
    pub min: f64,
    pub max: f64,
    /// Rows where the output is exactly 1 (for one-hot outputs: the level's count).
    pub ones: u64,
    pub histogram: Option<Histogram>,
}

/// Everything the Features pane shows about a fitted spec.
#[derive(Clone, Debug)]
pub struct FeaturePreview {
    pub fitted: FittedFeatures,
    pub fitted_hash: String,
    /// The first rows of the table, transformed.
    pub head: Transformed,
    /// How many rows the output distributions were computed on.
    pub sample_rows: usize,
    pub outputs: Vec<OutputSummary>,
}

/// Fit `spec` on every row of `df`, transform its first `head_rows` rows, and summarise each
/// output over at most `sample_rows` rows spread evenly through the table.
///
/// With `before` (the table's profile), the output of a purely linear step (imputation and
/// scaling, no transform) is binned on the profile's bins mapped through the step, so Before
/// and After agree bar for bar: each sample value is placed by its input value, exactly as
/// the profile placed it.
pub fn preview(
    spec: &ValidFeatureSpec,
    df: &DataFrame,
    head_rows: usize,
    sample_rows: usize,
    before: Option<&DatasetProfile>,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<FeaturePreview> {
    let fitted = fit(spec, df, cancel, progress)?;
    let head = fitted.transform(&df.slice(0, head_rows), cancel, progress)?;
    let n = df.height();
    let sample = if n <= sample_rows {
        df.clone()
    } else {
        let step = n as f64 / sample_rows as f64;
        let idx: Vec<IdxSize> = (0..sample_rows)
            .map(|i| (i as f64 * step) as IdxSize)
            .collect();
        df.take(&IdxCa::from_vec("".into(), idx))?
    };
    cancel.check()?;
    let t = fitted.transform(&sample, cancel, progress)?;
    // Looked up once per output: a table may have 100,000 columns.
    let specs: std::collections::HashMap<&str, &super::ColumnSpec> =
        spec.features().map(|c| (c.name.as_str(), c)).collect();
    let profiles: std::collections::HashMap<&str, &ColumnProfile> = before
        .map(|p| p.columns.iter().map(|c| (c.name.as_str(), c)).collect())
        .unwrap_or_default();
    let outputs = t
        .names
        .iter()
        .zip(t.x.columns())
        .map(|(name, col)| {
            let mut v: Vec<f64> = col.iter().copied().collect();
            let linear = specs
                .get(name.as_str())
                .zip(profiles.get(name.as_str()))
                .and_then(|(c, p)| linear_histogram(c, &sample, &v, p));
            radsort::sort(&mut v);
            let mean = stats::mean(&v).unwrap_or(0.0);
            OutputSummary {
                name: name.clone(),
                mean,
                std: stats::std(&v, 0).unwrap_or(0.0),
                min: v.first().copied().unwrap_or(0.0),
                max: v.last().copied().unwrap_or(0.0),
                ones: v.iter().filter(|x| **x == 1.0).count() as u64,
                histogram: linear
                    .or_else(|| stats::histogram_sorted(&v, stats::sturges_bins(v.len()))),
            }
        })
        .collect();
    Ok(FeaturePreview {
        fitted_hash: fitted.hash(),
        fitted,
        head,
        sample_rows: sample.height(),
        outputs,
    })
}

/// The histogram of the output of feature `c` (named as its input) on the profile's bins of
/// its input, when the output is its input through a linear step only (a numeric feature with
/// imputation and scaling, no transform): rows are binned by their input value (imputed rows
/// by the value they were given), and the edges are mapped through the step for the axis.
fn linear_histogram(
    c: &super::ColumnSpec,
    sample: &DataFrame,
    out: &[f64],
    before: &ColumnProfile,
) -> Option<Histogram> {
    if c.kind != super::Kind::Numeric || !c.transforms.is_empty() {
        return None;
    }
    let edges = &before.histogram.as_ref()?.edges;
    let input =
        super::values::numbers(sample.column(&c.name).ok()?.as_materialized_series()).ok()?;
    // The step's map y = a·x + b, from two rows with different inputs.
    let known: Vec<(f64, f64)> = input
        .iter()
        .zip(out)
        .filter(|(x, _)| x.is_finite())
        .map(|(x, y)| (*x, *y))
        .collect();
    let (x1, y1) = *known.first()?;
    let (x2, y2) = *known.iter().find(|(x, _)| *x != x1)?;
    let a = (y2 - y1) / (x2 - x1);
    if !(a.is_finite() && a > 0.0) {
        return None;
    }
    let b = y1 - a * x1;
    let bins = edges.len().checked_sub(1).filter(|&n| n > 0)?;
    let mut counts = vec![0u64; bins];
    for (x, y) in input.iter().zip(out) {
        // An imputed row: where its given value lies on the input axis.
        let x = if x.is_finite() { *x } else { (y - b) / a };
        if let Some(i) = bin_of(edges, x) {
            counts[i] += 1;
        }
    }
    Some(Histogram {
        edges: edges.iter().map(|e| a * e + b).collect(),
        counts,
    })
}

/// The bin of `x` among `edges` as numpy counts it: half-open `[a, b)`, the last one closed.
fn bin_of(edges: &[f64], x: f64) -> Option<usize> {
    let (first, last) = (*edges.first()?, *edges.last()?);
    if !(x >= first && x <= last) {
        return None;
    }
    let i = edges.partition_point(|e| *e <= x);
    Some(i.saturating_sub(1).min(edges.len() - 2))
}
