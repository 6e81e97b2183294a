//! DBSCAN as scikit-learn's (`eps`, `min_samples` counting the point itself), on a seeded
//! sample of at most `max_rows` rows: neighbourhoods from blocked matrix products, clusters as
//! the connected core points numbered in row order, border points joined to their first core
//! neighbour. New rows join the cluster of their nearest core point within `eps`, or are
//! noise.

use ndarray::{Array1, Array2, ArrayView2, s};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::pipeline::progress::CancelFlag;
use crate::pipeline::{PipelineError, Result};

/// The most neighbour pairs kept in memory (about 200 MB).
const MAX_PAIRS: usize = 50_000_000;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DbscanModel {
    pub eps: f64,
    /// The core points and their cluster.
    pub core: Vec<Vec<f64>>,
    pub core_label: Vec<u32>,
    pub n_clusters: u32,
    /// Labels of the fitted rows (`None` = noise).
    #[serde(skip)]
    pub train_labels: Vec<Option<u32>>,
}

fn neighbours(x: ArrayView2<f64>, eps: f64, cancel: &CancelFlag) -> Result<Vec<Vec<u32>>> {
    let n = x.nrows();
    let norms: Array1<f64> = x.rows().into_iter().map(|r| r.dot(&r)).collect();
    let eps2 = eps * eps;
    let block = 256;
    let lists: Vec<Option<Vec<Vec<u32>>>> = (0..n.div_ceil(block))
        .into_par_iter()
        .map(|b| {
            if cancel.is_cancelled() {
                return None;
            }
            let r = b * block..((b + 1) * block).min(n);
            let dots = x.slice(s![r.clone(), ..]).dot(&x.t());
            Some(
                r.enumerate()
                    .map(|(li, i)| {
                        (0..n)
                            .filter(|&j| norms[i] + norms[j] - 2.0 * dots[[li, j]] <= eps2)
                            .map(|j| j as u32)
                            .collect()
                    })
                    .collect(),
            )
        })
        .collect();
    cancel.check()?;
    let out: Vec<Vec<u32>> = lists.into_iter().flatten().flatten().collect();
    let pairs: usize = out.iter().map(Vec::len).sum();
    if pairs > MAX_PAIRS {
        return Err(PipelineError::BadRequest(format!(
            "DBSCAN: eps {eps} joins {pairs} pairs of points, too many to keep; lower eps"
        )));
    }
    Ok(out)
}

pub fn fit(
    x: ArrayView2<f64>,
    eps: f64,
    min_samples: usize,
    cancel: &CancelFlag,
) -> Result<DbscanModel> {
    let n = x.nrows();
    let nb = neighbours(x, eps, cancel)?;
    let is_core: Vec<bool> = nb.iter().map(|l| l.len() >= min_samples).collect();
    let mut label: Vec<Option<u32>> = vec![None; n];
    let mut next = 0u32;
    let mut stack = Vec::new();
    for start in 0..n {
        if !is_core[start] || label[start].is_some() {
            continue;
        }
        label[start] = Some(next);
        stack.push(start);
        while let Some(p) = stack.pop() {
            for &q in &nb[p] {
                let q = q as usize;
                if label[q].is_none() {
                    label[q] = Some(next);
                    if is_core[q] {
                        stack.push(q);
                    }
                }
            }
        }
        next += 1;
    }
    let core_rows: Vec<usize> = (0..n).filter(|&i| is_core[i]).collect();
    Ok(DbscanModel {
        eps,
        core: core_rows.iter().map(|&i| x.row(i).to_vec()).collect(),
        core_label: core_rows.iter().filter_map(|&i| label[i]).collect(),
        n_clusters: next,
        train_labels: label,
    })
}

impl DbscanModel {
    /// Cluster of each row and its distance to the nearest core point.
    pub fn predict(&self, x: ArrayView2<f64>) -> (Vec<Option<u32>>, Vec<f64>) {
        let n = x.nrows();
        if self.core.is_empty() {
            return (vec![None; n], vec![f64::INFINITY; n]);
        }
        let core = Array2::from_shape_fn((self.core.len(), x.ncols()), |(i, j)| self.core[i][j]);
        let c_norm: Array1<f64> = core.rows().into_iter().map(|r| r.dot(&r)).collect();
        let parts: Vec<Vec<(Option<u32>, f64)>> = (0..n.div_ceil(1024))
            .into_par_iter()
            .map(|b| {
                let r = b * 1024..((b + 1) * 1024).min(n);
                let xr = x.slice(s![r, ..]);
                let dots = xr.dot(&core.t());
                dots.outer_iter()
                    .enumerate()
                    .map(|(i, row)| {
                        let xn = xr.row(i).dot(&xr.row(i));
                        let mut best = (0usize, f64::INFINITY);
                        for (c, &dt) in row.iter().enumerate() {
                            let d2 = c_norm[c] - 2.0 * dt;
                            if d2 < best.1 {
                                best = (c, d2);
                            }
                        }
                        let dist = (best.1 + xn).max(0.0).sqrt();
                        let label = (dist <= self.eps).then(|| self.core_label[best.0]);
                        (label, dist)
                    })
                    .collect()
            })
            .collect();
        parts.into_iter().flatten().unzip()
    }
}
