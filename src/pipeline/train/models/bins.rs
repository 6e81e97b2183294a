//! Pre-binning for the tree learner: each feature's values become at most `max_bins` ordered
//! codes (u8), with the edges between them. A column with few distinct values keeps them all,
//! with edges at the midpoints between neighbours (scikit-learn's exact thresholds); a column
//! with many gets quantile edges from a seeded sample, as histogram-based learners do.

use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::pipeline::Result;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::train::rng::Rng;

/// Values sampled per column to place quantile edges.
const EDGE_SAMPLE: usize = 200_000;

/// Binned features, column-major: `codes[j * n + i]` is row i's bin of feature j.
pub struct Binned {
    pub n: usize,
    pub d: usize,
    pub codes: Vec<u8>,
    /// Per feature, the upper edge of each bin but the last: bin b holds x ≤ edges[b] (and
    /// > edges[b − 1]).
    pub edges: Vec<Vec<f64>>,
}

impl Binned {
    pub fn column(&self, j: usize) -> &[u8] {
        &self.codes[j * self.n..(j + 1) * self.n]
    }

    pub fn n_bins(&self, j: usize) -> usize {
        self.edges[j].len() + 1
    }
}

/// Bin every column of `x` into at most `max_bins` (2..=256) bins.
pub fn bin(x: ArrayView2<f64>, max_bins: usize, seed: u64, cancel: &CancelFlag) -> Result<Binned> {
    let (n, d) = x.dim();
    let max_bins = max_bins.clamp(2, 256);
    let columns: Vec<Option<(Vec<f64>, Vec<u8>)>> = (0..d)
        .into_par_iter()
        .map(|j| {
            if cancel.is_cancelled() {
                return None;
            }
            let col = x.column(j);
            let mut sample: Vec<f64> = if n <= EDGE_SAMPLE {
                col.iter().copied().collect()
            } else {
                let mut rng = Rng::derived(seed, j as u64);
                (0..EDGE_SAMPLE).map(|_| col[rng.below(n)]).collect()
            };
            sample.sort_unstable_by(f64::total_cmp);
            sample.dedup();
            let edges = edges_of(&sample, max_bins);
            let codes: Vec<u8> = col
                .iter()
                .map(|&v| edges.partition_point(|&e| e < v) as u8)
                .collect();
            Some((edges, codes))
        })
        .collect();
    cancel.check()?;
    let mut codes = Vec::with_capacity(n * d);
    let mut edges = Vec::with_capacity(d);
    for (e, c) in columns.into_iter().flatten() {
        edges.push(e);
        codes.extend_from_slice(&c);
    }
    Ok(Binned { n, d, codes, edges })
}

/// Edges for sorted distinct values: midpoints between all neighbours when they fit, else
/// between the values at evenly spaced ranks.
fn edges_of(distinct: &[f64], max_bins: usize) -> Vec<f64> {
    let mid = |a: f64, b: f64| {
        let m = a + (b - a) / 2.0;
        // The midpoint of adjacent floats can round up to b; keep a ≤ m < b.
        if m >= b { a } else { m }
    };
    if distinct.len() <= max_bins {
        return distinct.windows(2).map(|w| mid(w[0], w[1])).collect();
    }
    let mut edges: Vec<f64> = (1..max_bins)
        .map(|b| {
            let i = b * distinct.len() / max_bins;
            mid(distinct[i - 1], distinct[i])
        })
        .collect();
    edges.dedup();
    edges
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn few_values_keep_exact_midpoints_and_many_get_capped() {
        let x = Array2::from_shape_vec((6, 1), vec![3.0, 1.0, 2.0, 2.0, 1.0, 3.0]).unwrap();
        let b = bin(x.view(), 255, 0, &CancelFlag::new()).unwrap();
        assert_eq!(b.edges[0], vec![1.5, 2.5]);
        assert_eq!(b.column(0), &[2, 0, 1, 1, 0, 2]);
        let many = Array2::from_shape_fn((10_000, 1), |(i, _)| (i * 7919 % 10_000) as f64);
        let b = bin(many.view(), 64, 0, &CancelFlag::new()).unwrap();
        assert_eq!(b.n_bins(0), 64);
        let mut counts = [0usize; 64];
        for &c in b.column(0) {
            counts[c as usize] += 1;
        }
        assert!(
            counts.iter().all(|&c| (150..=160).contains(&c)),
            "{counts:?}"
        );
    }
}
