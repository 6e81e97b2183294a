//! L2-regularised logistic regression as scikit-learn's `lbfgs` solver fits it: binary
//! (sigmoid) or multinomial (softmax) loss averaged over rows, plus ‖w‖² / (2·C·n), the
//! intercept unpenalised; gradients computed in parallel row chunks with matrix products.

use ndarray::{Array1, Array2, ArrayView2, Axis, s};
use serde::{Deserialize, Serialize};

use super::lbfgs;
use crate::pipeline::Result;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::train::linalg;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogisticModel {
    /// One row per output: 1 for two classes (the second class's log-odds), else k.
    pub coef: Vec<Vec<f64>>,
    pub intercept: Vec<f64>,
    pub n_iter: u32,
    pub converged: bool,
}

/// Fit on class indices `y` (0..k).
pub fn fit(
    x: ArrayView2<f64>,
    y: &[u32],
    k: usize,
    c: f64,
    max_iter: u32,
    tol: f64,
    cancel: &CancelFlag,
) -> Result<LogisticModel> {
    let (n, d) = x.dim();
    let outputs = if k == 2 { 1 } else { k };
    let l2 = 1.0 / (c * n as f64);
    let objective = |theta: &[f64]| -> Result<(f64, Vec<f64>)> {
        let (w, b) = unpack(theta, outputs, d);
        let parts = linalg::reduce_chunks(
            n,
            cancel,
            |r| {
                let xr = x.slice(s![r.clone(), ..]);
                let mut z = xr.dot(&w.t());
                z += &b.view().insert_axis(Axis(0));
                let mut loss = 0.0;
                for (i, mut row) in z.outer_iter_mut().enumerate() {
                    let yi = y[r.start + i] as usize;
                    if outputs == 1 {
                        let zi = row[0];
                        let t = (yi == 1) as u8 as f64;
                        loss += softplus(zi) - t * zi;
                        row[0] = sigmoid(zi) - t;
                    } else {
                        let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let mut sum = 0.0;
                        for v in row.iter_mut() {
                            *v = (*v - m).exp();
                            sum += *v;
                        }
                        loss += sum.ln() + m - (row[yi].ln() + m);
                        for (c, v) in row.iter_mut().enumerate() {
                            *v = *v / sum - (c == yi) as u8 as f64;
                        }
                    }
                }
                let gw = z.t().dot(&xr);
                let gb = z.sum_axis(Axis(0));
                (loss, gw, gb)
            },
            |(l1, w1, b1), (l2_, w2, b2)| (l1 + l2_, w1 + w2, b1 + b2),
        )?;
        let Some((loss, gw, gb)) = parts else {
            return Ok((0.0, vec![0.0; theta.len()]));
        };
        let inv_n = 1.0 / n as f64;
        let penalty: f64 = w.iter().map(|v| v * v).sum::<f64>() * 0.5 * l2;
        let mut grad = Vec::with_capacity(theta.len());
        for o in 0..outputs {
            for j in 0..d {
                grad.push(gw[[o, j]] * inv_n + l2 * w[[o, j]]);
            }
            grad.push(gb[o] * inv_n);
        }
        Ok((loss * inv_n + penalty, grad))
    };
    let m = lbfgs::minimize(
        &objective,
        vec![0.0; outputs * (d + 1)],
        max_iter,
        tol,
        cancel,
    )?;
    let (w, b) = unpack(&m.x, outputs, d);
    Ok(LogisticModel {
        coef: w.outer_iter().map(|r| r.to_vec()).collect(),
        intercept: b.to_vec(),
        n_iter: m.iterations,
        converged: m.converged,
    })
}

fn unpack(theta: &[f64], outputs: usize, d: usize) -> (Array2<f64>, Array1<f64>) {
    let mut w = Array2::zeros((outputs, d));
    let mut b = Array1::zeros(outputs);
    for o in 0..outputs {
        let block = &theta[o * (d + 1)..(o + 1) * (d + 1)];
        w.row_mut(o).assign(&ndarray::ArrayView1::from(&block[..d]));
        b[o] = block[d];
    }
    (w, b)
}

#[inline]
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

#[inline]
fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl LogisticModel {
    /// Class probabilities, rows × classes.
    pub fn predict_proba(&self, x: ArrayView2<f64>) -> Array2<f64> {
        let d = x.ncols();
        let outputs = self.coef.len();
        let mut w = Array2::zeros((outputs, d));
        for (o, row) in self.coef.iter().enumerate() {
            w.row_mut(o).assign(&ndarray::ArrayView1::from(&row[..]));
        }
        let b = Array1::from(self.intercept.clone());
        let mut z = x.dot(&w.t());
        z += &b.view().insert_axis(Axis(0));
        if outputs == 1 {
            let mut p = Array2::zeros((x.nrows(), 2));
            for (i, zi) in z.column(0).iter().enumerate() {
                let p1 = sigmoid(*zi);
                p[[i, 0]] = 1.0 - p1;
                p[[i, 1]] = p1;
            }
            p
        } else {
            for mut row in z.outer_iter_mut() {
                let m = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                row.mapv_inplace(|v| (v - m).exp());
                let sum = row.sum();
                row.mapv_inplace(|v| v / sum);
            }
            z
        }
    }
}
