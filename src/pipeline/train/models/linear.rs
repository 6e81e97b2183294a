//! Linear regression models on the centred Gram matrix (the intercept is the mean residual):
//! ordinary least squares (minimum-norm, as LAPACK's gelsd), ridge (scikit-learn's `alpha`,
//! not scaled by n) and lasso / elastic net by cyclic coordinate descent on scikit-learn's
//! objective 1/(2n)·‖y − Xw − b‖² + α·ρ·‖w‖₁ + α·(1 − ρ)/2·‖w‖².

use ndarray::{Array1, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::pipeline::Result;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::train::linalg;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LinearModel {
    pub coef: Vec<f64>,
    pub intercept: f64,
    /// Coordinate-descent sweeps (0 for the closed forms).
    pub n_iter: u32,
}

/// How to regularise.
#[derive(Clone, Copy, Debug)]
pub enum Penalty {
    None,
    Ridge {
        alpha: f64,
    },
    ElasticNet {
        alpha: f64,
        l1_ratio: f64,
        max_iter: u32,
        tol: f64,
    },
}

pub fn fit(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    penalty: Penalty,
    cancel: &CancelFlag,
) -> Result<LinearModel> {
    let (n, d) = x.dim();
    let mean = linalg::column_means(x, cancel)?;
    let y_mean = y.iter().sum::<f64>() / n.max(1) as f64;
    let (gram, xty) = linalg::centred_gram(x, y, &mean, y_mean, cancel)?;
    let (w, n_iter) = match penalty {
        Penalty::None => (linalg::solve_psd_min_norm(&gram, &xty, 1e-12), 0),
        Penalty::Ridge { alpha } => {
            let mut a = gram.clone();
            for j in 0..d {
                a[[j, j]] += alpha;
            }
            (linalg::solve_psd_min_norm(&a, &xty, 1e-15), 0)
        }
        Penalty::ElasticNet {
            alpha,
            l1_ratio,
            max_iter,
            tol,
        } => coordinate_descent(
            &gram, &xty, n as f64, alpha, l1_ratio, max_iter, tol, cancel,
        )?,
    };
    let intercept = y_mean - w.dot(&mean);
    Ok(LinearModel {
        coef: w.to_vec(),
        intercept,
        n_iter,
    })
}

/// Coordinate descent on the Gram form: each update costs O(d), independent of n. Stops when
/// the largest coordinate change is below `tol` × the largest coefficient.
#[allow(clippy::too_many_arguments)]
fn coordinate_descent(
    gram: &ndarray::Array2<f64>,
    xty: &Array1<f64>,
    n: f64,
    alpha: f64,
    l1_ratio: f64,
    max_iter: u32,
    tol: f64,
    cancel: &CancelFlag,
) -> Result<(Array1<f64>, u32)> {
    let d = xty.len();
    let l1 = alpha * l1_ratio * n;
    let l2 = alpha * (1.0 - l1_ratio) * n;
    let mut w = Array1::<f64>::zeros(d);
    let mut gw = Array1::<f64>::zeros(d); // gram · w
    for sweep in 1..=max_iter {
        cancel.check()?;
        let mut max_change = 0.0f64;
        let mut max_w = 0.0f64;
        for j in 0..d {
            let gjj = gram[[j, j]];
            if gjj <= 0.0 {
                continue;
            }
            let old = w[j];
            let rho = xty[j] - gw[j] + gjj * old;
            let new = soft_threshold(rho, l1) / (gjj + l2);
            if new != old {
                let delta = new - old;
                gw.scaled_add(delta, &gram.column(j));
                w[j] = new;
                max_change = max_change.max(delta.abs());
            }
            max_w = max_w.max(new.abs());
        }
        if max_w == 0.0 || max_change / max_w < tol {
            return Ok((w, sweep));
        }
    }
    Ok((w, max_iter))
}

fn soft_threshold(v: f64, t: f64) -> f64 {
    if v > t {
        v - t
    } else if v < -t {
        v + t
    } else {
        0.0
    }
}

impl LinearModel {
    pub fn predict(&self, x: ArrayView2<f64>) -> Vec<f64> {
        let w = ArrayView1::from(&self.coef[..]);
        let mut out = x.dot(&w);
        out += self.intercept;
        out.to_vec()
    }
}
