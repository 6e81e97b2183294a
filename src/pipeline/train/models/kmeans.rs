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

/// Nearest centre and squared distance of every row.
pub fn assign(x: ArrayView2<f64>, centers: &Array2<f64>) -> (Vec<u32>, Vec<f64>) {
    let c_norm: Array1<f64> = centers.rows().into_iter().map(|c| c.dot(&c)).collect();
    let parts: Vec<(Vec<u32>, Vec<f64>)> = linalg::chunks(x.nrows())
        .into_par_iter()
        .map(|r| {
            let xr = x.slice(s![r, ..]);
            let dots = xr.dot(&centers.t());
            let mut labels = Vec::with_capacity(xr.nrows());
            let mut dist = Vec::with_capacity(xr.nrows());
            for (i, row) in dots.outer_iter().enumerate() {
                let xn = xr.row(i).dot(&xr.row(i));
                let mut best = (0u32, f64::INFINITY);
                for (c, &dt) in row.iter().enumerate() {
                    let d2 = c_norm[c] - 2.0 * dt;
                    if d2 < best.1 {
                        best = (c as u32, d2);
                    }
                }
                labels.push(best.0);
                dist.push((best.1 + xn).max(0.0));
            }
            (labels, dist)
        })
        .collect();
    let mut labels = Vec::with_capacity(x.nrows());
    let mut dist = Vec::with_capacity(x.nrows());
    for (l, d) in parts {
        labels.extend(l);
        dist.extend(d);
    }
    (labels, dist)
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
    let mut centers = plus_plus(x, k, seed, cancel)?;
    let mean = linalg::column_means(x, cancel)?;
    let var_sum = linalg::reduce_chunks(
        n,
        cancel,
        |r| {
            let xr = x.slice(s![r, ..]);
            let mut acc = 0.0;
            for row in xr.outer_iter() {
                acc += row
                    .iter()
                    .zip(mean.iter())
                    .map(|(v, m)| (v - m) * (v - m))
                    .sum::<f64>();
            }
            acc
        },
        |a, b| a + b,
    )?
    .unwrap_or(0.0);
    let tol_abs = tol * var_sum / (n.max(1) * d.max(1)) as f64;
    let mut n_iter = 0;
    let mut previous: Option<Vec<u32>> = None;
    for iter in 1..=max_iter {
        cancel.check()?;
        n_iter = iter;
        let (labels, _) = assign(x, &centers);
        let sums = linalg::reduce_chunks(
            n,
            cancel,
            |r| {
                let mut acc = Array2::<f64>::zeros((k, d + 1));
                let xr = x.slice(s![r.clone(), ..]);
                for (i, row) in xr.outer_iter().enumerate() {
                    let mut a = acc.row_mut(labels[r.start + i] as usize);
                    a.slice_mut(s![..d]).zip_mut_with(&row, |t, v| *t += v);
                    a[d] += 1.0;
                }
                acc
            },
            |a, b| a + b,
        )?
        .unwrap_or_else(|| Array2::zeros((k, d + 1)));
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
    let (_, dist) = assign(x, &centers);
    Ok(KMeansModel {
        centers: centers.outer_iter().map(|r| r.to_vec()).collect(),
        inertia: dist.iter().sum(),
        n_iter,
    })
}

/// Greedy k-means++ seeding.
fn plus_plus(x: ArrayView2<f64>, k: usize, seed: u64, cancel: &CancelFlag) -> Result<Array2<f64>> {
    let (n, d) = x.dim();
    let mut rng = Rng::new(seed);
    let trials = 2 + (k as f64).ln().floor() as usize;
    let mut centers = Array2::<f64>::zeros((k, d));
    centers.row_mut(0).assign(&x.row(rng.below(n)));
    let (_, mut closest) = assign(x, &centers.slice(s![0..1, ..]).to_owned());
    for c in 1..k {
        cancel.check()?;
        let total: f64 = closest.iter().sum();
        let mut cumulative = Vec::with_capacity(n);
        let mut acc = 0.0;
        for &v in &closest {
            acc += v;
            cumulative.push(acc);
        }
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                let t = rng.next_f64() * total;
                cumulative.partition_point(|&v| v <= t).min(n - 1)
            })
            .collect();
        let cand = x.select(Axis(0), &candidates);
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        for (t, &row) in candidates.iter().enumerate() {
            let (_, dist) = assign(x, &cand.slice(s![t..t + 1, ..]).to_owned());
            let merged: Vec<f64> = dist.iter().zip(&closest).map(|(a, b)| a.min(*b)).collect();
            let potential: f64 = merged.iter().sum();
            if best.as_ref().is_none_or(|b| potential < b.0) {
                best = Some((potential, row, merged));
            }
        }
        if let Some((_, row, merged)) = best {
            centers.row_mut(c).assign(&x.row(row));
            closest = merged;
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
