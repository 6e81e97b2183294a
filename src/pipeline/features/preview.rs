//! A preview of a spec on a table: fit on all its rows, the first rows transformed, and the
//! distribution of every output over an even sample of rows (what the Features pane shows).

use polars::prelude::*;
use serde::Serialize;

use super::apply::Transformed;
use super::check::ValidFeatureSpec;
use super::fit::{FittedFeatures, fit};
use crate::pipeline::error::{PipelineError, Result};
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
pub fn preview(
    spec: &ValidFeatureSpec,
    df: &DataFrame,
    head_rows: usize,
    sample_rows: usize,
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
        df.take(&IdxCa::from_vec("".into(), idx))
            .map_err(|e| PipelineError::Internal(e.to_string()))?
    };
    cancel.check()?;
    let t = fitted.transform(&sample, cancel, progress)?;
    let outputs = t
        .names
        .iter()
        .zip(t.x.columns())
        .map(|(name, col)| {
            let mut v: Vec<f64> = col.iter().copied().collect();
            radsort::sort(&mut v);
            let mean = stats::mean(&v).unwrap_or(0.0);
            OutputSummary {
                name: name.clone(),
                mean,
                std: stats::std(&v, 0).unwrap_or(0.0),
                min: v.first().copied().unwrap_or(0.0),
                max: v.last().copied().unwrap_or(0.0),
                ones: v.iter().filter(|x| **x == 1.0).count() as u64,
                histogram: stats::histogram_sorted(&v, stats::sturges_bins(v.len())),
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
