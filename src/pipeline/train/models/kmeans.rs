//! k-means as scikit-learn's `KMeans(n_init=1)`: greedy k-means++ seeding (2 + ⌊ln k⌋ local
//! trials), then Lloyd iterations until the total squared centre shift is at most
//! `tol` × the mean feature variance; distances by matrix products over row chunks. The
//! distance to the nearest centre is the anomaly score.

use ndarray::{Array1, Array2, ArrayView2, Axis, s};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::pipeline::Result;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::train::linalg;
use crate::pipeline::train::rng::Rng;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KMeansModel {
    pub centers: Vec<Vec<f64>>,
    /// Sum of squared distances of the training rows to their centre.
    pub inertia: f64,
    pub n_iter: u32,
}

/// Squared norm of every row (column by column: each column of a chunk is contiguous).
pub fn row_norms(x: ArrayView2<f64>) -> Vec<f64> {
    let parts: Vec<Vec<f64>> = linalg::chunks(x.nrows())
        .into_par_iter()
        .map(|r| {
            let mut acc = vec![0.0; r.len()];
            for col in x.slice(s![r, ..]).columns() {
                for (a, v) in acc.iter_mut().zip(col.iter()) {
                    *a += v * v;
                }
            }
            acc
        })
        .collect();
    parts.concat()
}

/// Nearest centre and squared distance of every row.
pub fn assign(x: ArrayView2<f64>, centers: &Array2<f64>) -> (Vec<u32>, Vec<f64>) {
    let norms = row_norms(x);
    let (labels, dist, _) = lloyd_pass(x, &norms, centers, false);
    (labels, dist)
}

/// One pass: nearest centre and squared distance per row and, when `sums`, the per-centre
/// sums of the rows (k × d, then the counts in column d).
fn lloyd_pass(
    x: ArrayView2<f64>,
    norms: &[f64],
    centers: &Array2<f64>,
    sums: bool,
) -> (Vec<u32>, Vec<f64>, Array2<f64>) {
    let (k, d) = centers.dim();
    let c_norm: Array1<f64> = centers.rows().into_iter().map(|c| c.dot(&c)).collect();
    let parts: Vec<(Vec<u32>, Vec<f64>, Array2<f64>)> = linalg::chunks(x.nrows())
        .into_par_iter()
        .map(|r| {
            let xr = x.slice(s![r.clone(), ..]);
            let dots = xr.dot(&centers.t());
            let mut labels = Vec::with_capacity(xr.nrows());
            let mut dist = Vec::with_capacity(xr.nrows());
            for (i, row) in dots.outer_iter().enumerate() {
                let mut best = (0u32, f64::INFINITY);
                for (c, &dt) in row.iter().enumerate() {
                    let d2 = c_norm[c] - 2.0 * dt;
                    if d2 < best.1 {
                        best = (c as u32, d2);
                    }
                }
                labels.push(best.0);
                dist.push((best.1 + norms[r.start + i]).max(0.0));
            }
            let mut acc = Array2::<f64>::zeros((if sums { k } else { 0 }, d + 1));
            if sums {
                for (j, col) in xr.columns().into_iter().enumerate() {
                    for (&l, &v) in labels.iter().zip(col.iter()) {
                        acc[[l as usize, j]] += v;
                    }
                }
                for &l in &labels {
                    acc[[l as usize, d]] += 1.0;
                }
            }
            (labels, dist, acc)
        })
        .collect();
    let mut labels = Vec::with_capacity(x.nrows());
    let mut dist = Vec::with_capacity(x.nrows());
    let mut total = Array2::<f64>::zeros((if sums { k } else { 0 }, d + 1));
    for (l, dd, a) in parts {
        labels.extend(l);
        dist.extend(dd);
        total += &a;
    }
    (labels, dist, total)
}

pub fn fit(
    x: ArrayView2<f64>,
    k: usize,
    max_iter: u32,
    tol: f64,
    seed: u64,
    cancel: &CancelFlag,
) -> Result<KMeansModel> {
    let (n, d) = x.dim();
    let k = k.min(n).max(1);
    let norms = row_norms(x);
    let mut centers = plus_plus(x, &norms, k, seed, cancel)?;
    let mean = linalg::column_means(x, cancel)?;
    // Total variance = Σ‖x‖² − n‖x̄‖² (scikit-learn's tolerance scale: tol × mean variance).
    let var_sum = (norms.iter().sum::<f64>() - n as f64 * mean.dot(&mean)).max(0.0);
    let tol_abs = tol * var_sum / (n.max(1) * d.max(1)) as f64;
    let mut n_iter = 0;
    let mut previous: Option<Vec<u32>> = None;
    for iter in 1..=max_iter {
        cancel.check()?;
        n_iter = iter;
        let (labels, _, sums) = lloyd_pass(x, &norms, &centers, true);
        let mut shift = 0.0;
        for c in 0..k {
            let count = sums[[c, d]];
            if count == 0.0 {
                continue; // an empty cluster keeps its centre
            }
            for j in 0..d {
                let new = sums[[c, j]] / count;
                shift += (new - centers[[c, j]]) * (new - centers[[c, j]]);
                centers[[c, j]] = new;
            }
        }
        let same = previous.as_ref() == Some(&labels);
        previous = Some(labels);
        if same || shift <= tol_abs {
            break;
        }
    }
    let (_, dist, _) = lloyd_pass(x, &norms, &centers, false);
    Ok(KMeansModel {
        centers: centers.outer_iter().map(|r| r.to_vec()).collect(),
        inertia: dist.iter().sum(),
        n_iter,
    })
}

/// Greedy k-means++ seeding: each step draws 2 + ⌊ln k⌋ candidates in proportion to the
/// squared distance to the nearest chosen centre and keeps the one that lowers the total most;
/// all candidates are measured in one pass.
fn plus_plus(
    x: ArrayView2<f64>,
    norms: &[f64],
    k: usize,
    seed: u64,
    cancel: &CancelFlag,
) -> Result<Array2<f64>> {
    let (n, d) = x.dim();
    let mut rng = Rng::new(seed);
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Array2::<f64>::zeros((k, d));
    centers.row_mut(0).assign(&x.row(rng.below(n)));
    let (_, mut closest, _) = lloyd_pass(x, norms, &centers.slice(s![0..1, ..]).to_owned(), false);
    for c in 1..k {
        cancel.check()?;
        let mut cumulative = Vec::with_capacity(n);
        let mut acc = 0.0;
        for &v in &closest {
            acc += v;
            cumulative.push(acc);
        }
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                let t = rng.next_f64() * acc;
                cumulative.partition_point(|&v| v <= t).min(n - 1)
            })
            .collect();
        let cand = x.select(Axis(0), &candidates);
        let cand_norm: Vec<f64> = cand.rows().into_iter().map(|r| r.dot(&r)).collect();
        // Squared distance of every row to every candidate, rows × trials.
        let parts: Vec<Vec<f64>> = linalg::chunks(n)
            .into_par_iter()
            .map(|r| {
                let dots = x.slice(s![r.clone(), ..]).dot(&cand.t());
                let mut out = Vec::with_capacity(r.len() * trials);
                for (i, row) in dots.outer_iter().enumerate() {
                    for (t, &dt) in row.iter().enumerate() {
                        out.push((norms[r.start + i] + cand_norm[t] - 2.0 * dt).max(0.0));
                    }
                }
                out
            })
            .collect();
        let dist = parts.concat();
        let mut best = (0usize, f64::INFINITY);
        for t in 0..trials {
            let potential: f64 = (0..n).map(|i| dist[i * trials + t].min(closest[i])).sum();
            if potential < best.1 {
                best = (t, potential);
            }
        }
        centers.row_mut(c).assign(&cand.row(best.0));
        for (i, v) in closest.iter_mut().enumerate() {
            *v = v.min(dist[i * trials + best.0]);
        }
    }
    Ok(centers)
}

impl KMeansModel {
    pub fn centers_array(&self) -> Array2<f64> {
        to_array(&self.centers)
    }
}

/// Rows of equal length as a matrix.
pub fn to_array(rows: &[Vec<f64>]) -> Array2<f64> {
    let d = rows.first().map_or(0, Vec::len);
    Array2::from_shape_fn((rows.len(), d), |(i, j)| rows[i][j])
}
