//! Applying a fitted pipeline to any table with the right columns: the design matrix
//! (ndarray 0.16, column-major) with its feature names, and counts of what needed care.

use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::{Array2, ShapeBuilder};
use polars::prelude::*;
use rayon::prelude::*;
use serde::Serialize;

use super::check::ValueClass;
use super::fit::{bool_text_values, *};
use super::spec::Encode;
use super::values;
use crate::pipeline::error::{PipelineError, Result, catch_panics};
use crate::pipeline::progress::{CancelFlag, Progress, ProgressFn, Stage};
use crate::pipeline::text::{escape_control, format_number};

/// A count about one input column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ColumnCount {
    pub column: String,
    pub count: u64,
}

/// The design matrix and what it took to make it.
#[derive(Clone, Debug)]
pub struct Transformed {
    /// Rows × output features, column-major; every value is finite.
    pub x: Array2<f64>,
    pub names: Vec<String>,
    /// Missing values filled, per input column (only columns with some).
    pub filled: Vec<ColumnCount>,
    /// Values not seen when fitting (categories, boolean labels), per input column.
    pub unseen: Vec<ColumnCount>,
}

/// What one column's transform reports back.
#[derive(Default)]
struct ColumnReport {
    filled: u64,
    unseen: u64,
    /// The first input value whose output is not finite.
    overflow: Option<f64>,
}

impl FittedFeatures {
    /// Check that `df` has every fitted column with a usable type; every problem is named.
    pub fn check_columns(&self, df: &DataFrame) -> Result<()> {
        let mut problems = Vec::new();
        for c in &self.columns {
            match df.schema().get(c.name.as_str()) {
                None => problems.push(format!("'{}' is missing", escape_control(&c.name))),
                Some(dtype) if !c.source.accepts(ValueClass::of(dtype)) => problems.push(format!(
                    "'{}' held {} when fitted but is {dtype} here",
                    escape_control(&c.name),
                    c.source.name()
                )),
                Some(_) => {}
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(PipelineError::BadColumns(format!(
                "the data does not fit the fitted features: {}; give data with the columns the features were fitted on",
                problems.join("; ")
            )))
        }
    }

    /// The design matrix of `df`: one row per row, one column per output feature.
    pub fn transform(
        &self,
        df: &DataFrame,
        cancel: &CancelFlag,
        progress: ProgressFn,
    ) -> Result<Transformed> {
        self.check_columns(df)?;
        catch_panics("applying the features", || {
            let n = df.height();
            let widths: Vec<usize> = self.columns.iter().map(FittedColumn::width).collect();
            let k: usize = widths.iter().sum();
            let total = self.columns.len() as u64;
            let done = AtomicU64::new(0);
            progress(Progress::new(Stage::Transform, 0, total));
            // Column-major: each input column owns a contiguous block of output columns.
            let mut out = vec![0.0f64; n * k];
            let mut blocks = Vec::with_capacity(widths.len());
            let mut rest: &mut [f64] = &mut out;
            for w in &widths {
                let (block, tail) = rest.split_at_mut(w * n);
                blocks.push(block);
                rest = tail;
            }
            let reports = self
                .columns
                .par_iter()
                .zip(blocks.into_par_iter())
                .map(|(c, block)| {
                    cancel.check()?;
                    let series = df.column(&c.name)?.as_materialized_series();
                    let report = apply_column(c, series, block, n)?;
                    if let Some(v) = report.overflow {
                        return Err(PipelineError::BadColumns(format!(
                            "column '{}': the value {} is out of range after its steps (the result is not a finite number); clip or log1p the column first",
                            escape_control(&c.name),
                            format_number(v)
                        )));
                    }
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    progress(Progress::new(Stage::Transform, d, total));
                    Ok(report)
                })
                .collect::<Result<Vec<_>>>()?;
            let count = |f: fn(&ColumnReport) -> u64| -> Vec<ColumnCount> {
                self.columns
                    .iter()
                    .zip(&reports)
                    .filter(|(_, r)| f(r) > 0)
                    .map(|(c, r)| ColumnCount {
                        column: c.name.clone(),
                        count: f(r),
                    })
                    .collect()
            };
            let x = Array2::from_shape_vec((n, k).f(), out)
                .map_err(|e| PipelineError::Internal(e.to_string()))?;
            Ok(Transformed {
                x,
                names: self.feature_names(),
                filled: count(|r| r.filled),
                unseen: count(|r| r.unseen),
            })
        })
    }

    /// The transformed rows as a table: one column per output feature, then the target column
    /// as it is in `df` (if `df` has it).
    pub fn transform_frame(
        &self,
        df: &DataFrame,
        cancel: &CancelFlag,
        progress: ProgressFn,
    ) -> Result<(DataFrame, Transformed)> {
        let t = self.transform(df, cancel, progress)?;
        let mut columns: Vec<Column> = t
            .names
            .iter()
            .zip(t.x.columns())
            .map(|(name, col)| {
                let values: Vec<f64> = col.iter().copied().collect();
                Column::new(name.as_str().into(), values)
            })
            .collect();
        if let Some(target) = &self.target
            && let Ok(col) = df.column(target)
        {
            if t.names.iter().any(|n| n == target) {
                return Err(PipelineError::BadRequest(format!(
                    "the target '{}' has the same name as an output feature; rename the column",
                    escape_control(target)
                )));
            }
            columns.push(col.clone());
        }
        let frame = DataFrame::new(df.height(), columns).map_err(|e| {
            PipelineError::BadRequest(format!("cannot build the transformed table: {e}"))
        })?;
        Ok((frame, t))
    }
}

/// Fill `block` (`width × n`, column-major) with one input column's outputs.
fn apply_column(
    c: &FittedColumn,
    series: &Series,
    block: &mut [f64],
    n: usize,
) -> Result<ColumnReport> {
    let mut report = ColumnReport::default();
    match &c.steps {
        FittedSteps::Numeric { steps } => {
            let vals = values::numbers(series)?;
            apply_numeric(steps, &vals, block, &mut report);
        }
        FittedSteps::Boolean { labels, steps } => {
            let vals = match labels {
                Some((f, t)) => {
                    let text = values::labels(series)?;
                    let (vals, unseen) = bool_text_values(&text, f.as_deref(), t.as_deref());
                    report.unseen = unseen;
                    vals
                }
                None => {
                    let mut vals = values::numbers(series)?;
                    for v in &mut vals {
                        if !v.is_nan() && *v != 0.0 && *v != 1.0 {
                            report.unseen += 1;
                            *v = f64::NAN;
                        }
                    }
                    vals
                }
            };
            apply_numeric(steps, &vals, block, &mut report);
        }
        FittedSteps::Datetime { parts } => {
            for (p, out) in parts.iter().zip(block.chunks_mut(n.max(1))) {
                let vals = values::date_part(series, p.part)?;
                let mut r = ColumnReport::default();
                apply_numeric(&p.steps, &vals, out, &mut r);
                report.filled = report.filled.max(r.filled);
                report.overflow = report.overflow.or(r.overflow);
            }
        }
        FittedSteps::Categorical(cat) => apply_categorical(cat, series, block, n, &mut report)?,
    }
    Ok(report)
}

fn apply_numeric(steps: &NumericSteps, vals: &[f64], out: &mut [f64], report: &mut ColumnReport) {
    let mut filled = 0u64;
    let mut all_finite = true;
    for (o, &v) in out.iter_mut().zip(vals) {
        filled += u64::from(v.is_nan());
        let y = steps.apply(v);
        all_finite &= y.is_finite();
        *o = y;
    }
    report.filled += filled;
    if !all_finite {
        report.overflow = out
            .iter()
            .zip(vals)
            .find(|(o, _)| !o.is_finite())
            .map(|(_, v)| if v.is_nan() { steps.fill } else { *v });
    }
}

fn apply_categorical(
    cat: &CategoricalSteps,
    series: &Series,
    block: &mut [f64],
    n: usize,
    report: &mut ColumnReport,
) -> Result<()> {
    let labels = values::labels(series)?;
    let other = cat.levels.len() as u32;
    let unseen_code = u32::MAX;
    let mut code: PlHashMap<&str, u32> =
        PlHashMap::with_capacity(cat.levels.len() + cat.grouped.len());
    for (i, l) in cat.levels.iter().enumerate() {
        code.insert(l.as_str(), i as u32);
    }
    for l in &cat.grouped {
        code.insert(l.as_str(), other);
    }
    let fill_code = code.get(cat.fill.as_str()).copied().unwrap_or(unseen_code);
    let mut filled = 0u64;
    let mut unseen = 0u64;
    let mut codes: Vec<u32> = Vec::with_capacity(n);
    for arr in labels.downcast_iter() {
        for v in arr.iter() {
            let c = match v {
                None => {
                    filled += 1;
                    fill_code
                }
                Some(v) => code.get(v).copied().unwrap_or(unseen_code),
            };
            unseen += u64::from(c == unseen_code);
            codes.push(c);
        }
    }
    report.filled = filled;
    report.unseen = unseen;
    match cat.encode {
        Encode::OneHot => {
            let unseen_col = block.len() / n.max(1) - 1;
            for (i, &c) in codes.iter().enumerate() {
                let col = if c == unseen_code {
                    unseen_col
                } else {
                    c as usize
                };
                block[col * n + i] = 1.0;
            }
        }
        Encode::Ordinal => {
            for (o, &c) in block.iter_mut().zip(&codes) {
                let x = if c == unseen_code { -1.0 } else { f64::from(c) };
                *o = match cat.scale {
                    Some(a) => (x - a.center) / a.scale,
                    None => x,
                };
            }
        }
    }
    Ok(())
}
