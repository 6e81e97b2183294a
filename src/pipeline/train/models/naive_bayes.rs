//! Gaussian naive Bayes as scikit-learn's `GaussianNB`: per-class means and population
//! variances plus `var_smoothing` × the largest feature variance, priors from class
//! frequencies; probabilities from the joint log-likelihood by log-sum-exp.

use ndarray::{Array1, Array2, ArrayView2, Axis, s};
use serde::{Deserialize, Serialize};

use crate::pipeline::Result;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::train::linalg;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NaiveBayesModel {
    /// Per class, per feature.
    pub theta: Vec<Vec<f64>>,
    pub var: Vec<Vec<f64>>,
    pub class_prior: Vec<f64>,
    pub epsilon: f64,
}

pub fn fit(
    x: ArrayView2<f64>,
    y: &[u32],
    k: usize,
    var_smoothing: f64,
    cancel: &CancelFlag,
) -> Result<NaiveBayesModel> {
    let (n, d) = x.dim();
    // Pass 1: per-class sums and counts.
    let sums = linalg::reduce_chunks(
        n,
        cancel,
        |r| {
            let mut acc = Array2::<f64>::zeros((k, d + 1));
            let xr = x.slice(s![r.clone(), ..]);
            for (i, row) in xr.outer_iter().enumerate() {
                let c = y[r.start + i] as usize;
                let mut a = acc.row_mut(c);
                a.slice_mut(s![..d]).zip_mut_with(&row, |t, v| *t += v);
                a[d] += 1.0;
            }
            acc
        },
        |a, b| a + b,
    )?
    .unwrap_or_else(|| Array2::zeros((k, d + 1)));
    let counts: Array1<f64> = sums.column(d).to_owned();
    let mut theta = sums.slice(s![.., ..d]).to_owned();
    for c in 0..k {
        let cnt = counts[c].max(1.0);
        theta.row_mut(c).mapv_inplace(|v| v / cnt);
    }
    // Pass 2: per-class squared deviations, and the overall variance for epsilon.
    let overall_mean = sums.slice(s![.., ..d]).sum_axis(Axis(0)) / n.max(1) as f64;
    let sq = linalg::reduce_chunks(
        n,
        cancel,
        |r| {
            let mut acc = Array2::<f64>::zeros((k + 1, d));
            let xr = x.slice(s![r.clone(), ..]);
            for (i, row) in xr.outer_iter().enumerate() {
                let c = y[r.start + i] as usize;
                for j in 0..d {
                    let dv = row[j] - theta[[c, j]];
                    acc[[c, j]] += dv * dv;
                    let dm = row[j] - overall_mean[j];
                    acc[[k, j]] += dm * dm;
                }
            }
            acc
        },
        |a, b| a + b,
    )?
    .unwrap_or_else(|| Array2::zeros((k + 1, d)));
    let max_var = (0..d)
        .map(|j| sq[[k, j]] / n.max(1) as f64)
        .fold(0.0f64, f64::max);
    let epsilon = var_smoothing * max_var;
    let mut var = Array2::zeros((k, d));
    for c in 0..k {
        for j in 0..d {
            var[[c, j]] = sq[[c, j]] / counts[c].max(1.0) + epsilon;
        }
    }
    Ok(NaiveBayesModel {
        theta: theta.outer_iter().map(|r| r.to_vec()).collect(),
        var: var.outer_iter().map(|r| r.to_vec()).collect(),
        class_prior: counts.iter().map(|c| c / n.max(1) as f64).collect(),
        epsilon,
    })
}

impl NaiveBayesModel {
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let k = self.theta.len();
        let n = x.nrows();
        let consts: Vec<f64> = (0..k)
            .map(|c| {
                let log_prior = if self.class_prior[c] > 0.0 {
                    self.class_prior[c].ln()
                } else {
                    f64::NEG_INFINITY
                };
                log_prior
                    - 0.5
                        * self.var[c]
                            .iter()
                            .map(|v| (2.0 * std::f64::consts::PI * v).ln())
                            .sum::<f64>()
            })
            .collect();
        let mut jll = Array2::<f64>::zeros((n, k));
        for (c, &constant) in consts.iter().enumerate() {
            let mut col = jll.column_mut(c);
            col.fill(constant);
            for (j, (&t, &v)) in self.theta[c].iter().zip(&self.var[c]).enumerate() {
                let xj = x.column(j);
                col.zip_mut_with(&xj, |acc, &xv| *acc -= 0.5 * (xv - t) * (xv - t) / v);
            }
        }
        for mut row in jll.outer_iter_mut() {
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            row.mapv_inplace(|v| (v - m).exp());
            let sum = row.sum();
            row.mapv_inplace(|v| v / sum);
        }
        jll
    }
}
