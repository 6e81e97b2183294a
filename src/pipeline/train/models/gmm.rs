//! Gaussian mixture (full or diagonal covariances) fitted by EM as scikit-learn's
//! `GaussianMixture`: responsibilities initialised from k-means, `reg_covar` added to the
//! diagonal, stopping when the mean log-likelihood bound changes by less than `tol`. Fitted on
//! a seeded sample of at most `max_rows` rows, which the run reports.

use ndarray::{Array1, Array2, ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::kmeans;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::train::linalg;
use crate::pipeline::{PipelineError, Result};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GaussianMixtureModel {
    pub weights: Vec<f64>,
    pub means: Vec<Vec<f64>>,
    /// Per component, the upper-triangular factor U with U·Uᵀ = Σ⁻¹ (row-major d × d).
    pub precision_chol: Vec<Vec<f64>>,
    pub lower_bound: f64,
    pub n_iter: u32,
    pub converged: bool,
}

#[allow(clippy::too_many_arguments)]
pub fn fit(
    x: ArrayView2<f64>,
    k: usize,
    diagonal: bool,
    reg_covar: f64,
    max_iter: u32,
    tol: f64,
    seed: u64,
    cancel: &CancelFlag,
) -> Result<GaussianMixtureModel> {
    let n = x.nrows();
    let k = k.min(n).max(1);
    let km = kmeans::fit(x, k, 300, 1e-4, seed, cancel)?;
    let (labels, _) = kmeans::assign(x, &km.centers_array());
    let mut resp = Array2::<f64>::zeros((n, k));
    for (i, &l) in labels.iter().enumerate() {
        resp[[i, l as usize]] = 1.0;
    }
    let mut model = m_step(x, &resp, diagonal, reg_covar)?;
    let mut lower = f64::NEG_INFINITY;
    let mut converged = false;
    let mut n_iter = 0;
    for iter in 1..=max_iter {
        cancel.check()?;
        n_iter = iter;
        let (log_norm, log_resp) = model.e_step(x);
        resp = log_resp.mapv(f64::exp);
        let bound = log_norm;
        model = m_step(x, &resp, diagonal, reg_covar)?;
        if (bound - lower).abs() < tol {
            lower = bound;
            converged = true;
            break;
        }
        lower = bound;
    }
    model.lower_bound = lower;
    model.n_iter = n_iter;
    model.converged = converged;
    Ok(model)
}

fn m_step(
    x: ArrayView2<f64>,
    resp: &Array2<f64>,
    diagonal: bool,
    reg_covar: f64,
) -> Result<GaussianMixtureModel> {
    let (n, d) = x.dim();
    let k = resp.ncols();
    let nk: Array1<f64> = resp.sum_axis(Axis(0)).mapv(|v| v + 10.0 * f64::EPSILON);
    let means = resp.t().dot(&x) / nk.view().insert_axis(Axis(1));
    let mut precision_chol = Vec::with_capacity(k);
    for c in 0..k {
        let mu = means.row(c);
        let mut xc = x.to_owned();
        xc -= &mu.insert_axis(Axis(0));
        let r = resp.column(c);
        let cov = if diagonal {
            let mut cov = Array2::<f64>::zeros((d, d));
            for j in 0..d {
                let v: f64 = xc
                    .column(j)
                    .iter()
                    .zip(r.iter())
                    .map(|(a, w)| w * a * a)
                    .sum();
                cov[[j, j]] = v / nk[c];
            }
            cov
        } else {
            let weighted = &xc * &r.insert_axis(Axis(1));
            weighted.t().dot(&xc) / nk[c]
        };
        let mut cov = cov;
        for j in 0..d {
            cov[[j, j]] += reg_covar;
        }
        let l = linalg::cholesky(&cov).ok_or_else(|| {
            PipelineError::BadColumns(format!(
                "the Gaussian mixture's component {c} has a singular covariance; raise reg_covar or use fewer components"
            ))
        })?;
        // Σ = L·Lᵀ ⇒ Σ⁻¹ = L⁻ᵀ·L⁻¹ = U·Uᵀ with U = L⁻ᵀ.
        let u = linalg::lower_inverse(&l).t().to_owned();
        precision_chol.push(u.iter().copied().collect());
    }
    Ok(GaussianMixtureModel {
        weights: nk.iter().map(|v| v / n as f64).collect(),
        means: means.outer_iter().map(|r| r.to_vec()).collect(),
        precision_chol,
        lower_bound: f64::NEG_INFINITY,
        n_iter: 0,
        converged: false,
    })
}

impl GaussianMixtureModel {
    /// Weighted log densities per row and component.
    fn weighted_log_prob(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let (n, d) = x.dim();
        let k = self.weights.len();
        let cols: Vec<Array1<f64>> = (0..k)
            .into_par_iter()
            .map(|c| {
                let u = Array2::from_shape_vec((d, d), self.precision_chol[c].clone())
                    .unwrap_or_else(|_| Array2::eye(d));
                let log_det: f64 = (0..d).map(|j| u[[j, j]].ln()).sum();
                let mu = Array1::from(self.means[c].clone());
                let y = x.dot(&u) - &mu.dot(&u).insert_axis(Axis(0));
                let sq = y.mapv(|v| v * v).sum_axis(Axis(1));
                sq.mapv(|q| {
                    -0.5 * (d as f64 * (2.0 * std::f64::consts::PI).ln() + q)
                        + log_det
                        + self.weights[c].ln()
                })
            })
            .collect();
        let mut out = Array2::zeros((n, k));
        for (c, col) in cols.into_iter().enumerate() {
            out.column_mut(c).assign(&col);
        }
        out
    }

    /// Mean log-likelihood and log responsibilities.
    fn e_step(&self, x: ArrayView2<f64>) -> (f64, Array2<f64>) {
        let mut w = self.weighted_log_prob(x);
        let mut total = 0.0;
        for mut row in w.outer_iter_mut() {
            let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            total += lse;
            row.mapv_inplace(|v| v - lse);
        }
        (total / x.nrows().max(1) as f64, w)
    }

    /// The most likely component of each row.
    pub fn predict(&self, x: ArrayView2<f64>) -> Vec<u32> {
        super::argmax_rows(&self.weighted_log_prob(x))
    }

    pub fn means_array(&self) -> Array2<f64> {
        kmeans::to_array(&self.means)
    }
}
