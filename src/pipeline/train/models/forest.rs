//! Trees and forests over one binning of the training rows: a decision tree is a forest of one
//! tree grown on every row; a random forest grows `n_estimators` trees on bootstrap samples in
//! parallel (one seeded generator per tree, results kept in tree order, so the forest is the
//! same whatever the thread count) and averages their leaf values.

use std::sync::atomic::{AtomicU64, Ordering};

use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use super::bins;
use super::tree::{self, GrowParams, Labels, Tree};
use crate::pipeline::Result;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::train::linalg;
use crate::pipeline::train::rng::Rng;

/// How to grow a set of trees.
#[derive(Clone, Debug)]
pub struct Ensemble {
    pub n_trees: usize,
    pub bootstrap: bool,
    pub grow: GrowParams,
    pub max_bins: usize,
    pub seed: u64,
}

/// Grow the trees; `tick(done, total)` is called as each tree finishes.
pub fn fit(
    x: ArrayView2<f64>,
    labels: Labels,
    ensemble: &Ensemble,
    cancel: &CancelFlag,
    tick: &(dyn Fn(u64, u64) + Sync),
) -> Result<Vec<Tree>> {
    let n = x.nrows();
    let binned = bins::bin(x, ensemble.max_bins, ensemble.seed, cancel)?;
    let done = AtomicU64::new(0);
    let total = ensemble.n_trees as u64;
    let trees: Vec<Result<Tree>> = (0..ensemble.n_trees)
        .into_par_iter()
        .map(|t| {
            cancel.check()?;
            let mut rng = Rng::derived(ensemble.seed, t as u64 + 1);
            let mut weight = vec![0u32; n];
            if ensemble.bootstrap {
                for _ in 0..n {
                    weight[rng.below(n)] += 1;
                }
            } else {
                weight.iter_mut().for_each(|w| *w = 1);
            }
            let rows: Vec<u32> = (0..n as u32).filter(|&r| weight[r as usize] > 0).collect();
            let tree = tree::grow(
                &binned,
                labels,
                &weight,
                rows,
                &ensemble.grow,
                &mut rng,
                cancel,
            )?;
            tick(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            Ok(tree)
        })
        .collect();
    trees.into_iter().collect()
}

/// The mean of the trees' leaf values for every row of `x` (rows × outputs).
pub fn predict(trees: &[Tree], x: ArrayView2<f64>) -> Array2<f64> {
    let k = trees.first().map_or(1, |t| t.n_outputs as usize);
    let n = x.nrows();
    let parts: Vec<Vec<f64>> = linalg::chunks(n)
        .into_par_iter()
        .map(|r| {
            let mut out = vec![0.0; r.len() * k];
            for t in trees {
                for (o, i) in r.clone().enumerate() {
                    let leaf = t.leaf(&x, i);
                    for c in 0..k {
                        out[o * k + c] += leaf[c];
                    }
                }
            }
            let scale = 1.0 / trees.len().max(1) as f64;
            out.iter_mut().for_each(|v| *v *= scale);
            out
        })
        .collect();
    let flat: Vec<f64> = parts.into_iter().flatten().collect();
    Array2::from_shape_vec((n, k), flat).unwrap_or_else(|_| Array2::zeros((n, k)))
}
