//! The CART learner on pre-binned features (DESIGN.md §3): depth-first growth, histogram split
//! search with Gini (classification, weighted class counts) or squared error (regression),
//! `max_features` drawn afresh at every split in a seeded order, and thresholds stored as real
//! values so a fitted tree predicts from raw features. Deterministic: no hash maps, ties go to
//! the first candidate in draw order.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

use super::bins::Binned;
use crate::pipeline::Result;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::train::rng::Rng;

/// What a tree learns to predict.
#[derive(Clone, Copy)]
pub enum Labels<'a> {
    /// Class indices `0..k`.
    Classes {
        y: &'a [u32],
        k: usize,
    },
    Values(&'a [f64]),
}

impl Labels<'_> {
    fn stride(&self) -> usize {
        match self {
            Labels::Classes { k, .. } => *k,
            Labels::Values(_) => 2,
        }
    }
}

/// Growth limits of one tree (`max_features` already resolved to a count).
#[derive(Clone, Debug)]
pub struct GrowParams {
    pub max_depth: Option<u32>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    pub max_features: usize,
}

/// A fitted tree. Node `i` is a leaf when `feature[i] == LEAF`; otherwise rows with
/// `x[feature] <= threshold` go to `child[i]` and the others to `child[i] + 1`. A leaf's
/// `child` is its index into `values` (in units of `n_outputs`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    /// Class probabilities per leaf (k), or 1 for a regression mean.
    pub n_outputs: u32,
    pub feature: Vec<u32>,
    pub threshold: Vec<f64>,
    pub child: Vec<u32>,
    pub values: Vec<f64>,
    pub max_depth: u32,
}

pub const LEAF: u32 = u32::MAX;

impl Tree {
    pub fn n_nodes(&self) -> usize {
        self.feature.len()
    }

    pub fn n_leaves(&self) -> usize {
        self.values.len() / self.n_outputs.max(1) as usize
    }

    /// The leaf values for row `i` of `x`.
    #[inline]
    pub fn leaf(&self, x: &ArrayView2<f64>, i: usize) -> &[f64] {
        let mut node = 0usize;
        loop {
            let f = self.feature[node];
            if f == LEAF {
                let k = self.n_outputs as usize;
                let at = self.child[node] as usize * k;
                return &self.values[at..at + k];
            }
            let go_right = x[[i, f as usize]] > self.threshold[node];
            node = self.child[node] as usize + go_right as usize;
        }
    }
}

/// One node waiting to be split.
struct Pending {
    node: usize,
    start: usize,
    end: usize,
    depth: u32,
    totals: Vec<f64>,
}

/// Reusable per-tree buffers for the histogram search.
struct Scratch {
    hist: Vec<f64>,
    rows: Vec<u32>,
    touched: [u64; 4],
    left: Vec<f64>,
    best_left: Vec<f64>,
    features: Vec<usize>,
    partition: Vec<u32>,
}

/// Grow one tree on the rows listed in `rows` (each with `weight[row] > 0`).
pub fn grow(
    binned: &Binned,
    labels: Labels,
    weight: &[u32],
    mut rows: Vec<u32>,
    params: &GrowParams,
    rng: &mut Rng,
    cancel: &CancelFlag,
) -> Result<Tree> {
    let stride = labels.stride();
    let n_outputs = match labels {
        Labels::Classes { k, .. } => k,
        Labels::Values(_) => 1,
    };
    let mut tree = Tree {
        n_outputs: n_outputs as u32,
        feature: vec![LEAF],
        threshold: vec![0.0],
        child: vec![0],
        values: Vec::new(),
        max_depth: 0,
    };
    let mut s = Scratch {
        hist: vec![0.0; 256 * stride],
        rows: vec![0; 256],
        touched: [0; 4],
        left: vec![0.0; stride],
        best_left: vec![0.0; stride],
        features: (0..binned.d).collect(),
        partition: Vec::with_capacity(rows.len()),
    };
    let mut totals = vec![0.0; stride];
    for &r in &rows {
        add(&mut totals, labels, r as usize, weight[r as usize] as f64);
    }
    let mut stack = vec![Pending {
        node: 0,
        start: 0,
        end: rows.len(),
        depth: 0,
        totals,
    }];
    let mut visited = 0usize;
    while let Some(p) = stack.pop() {
        visited += 1;
        if visited.is_multiple_of(256) {
            cancel.check()?;
        }
        tree.max_depth = tree.max_depth.max(p.depth);
        let n_rows = p.end - p.start;
        let stop = params.max_depth.is_some_and(|d| p.depth >= d)
            || n_rows < params.min_samples_split
            || n_rows < 2 * params.min_samples_leaf
            || is_pure(&p, labels, weight, &rows);
        let split = if stop {
            None
        } else {
            best_split(
                binned,
                labels,
                weight,
                &rows[p.start..p.end],
                &p.totals,
                params,
                rng,
                &mut s,
            )
        };
        let Some((feature, bin, left_totals)) = split else {
            make_leaf(&mut tree, p.node, &p.totals, labels);
            continue;
        };
        // Stable partition: rows stay ascending within each child (cache-friendly scans).
        let col = binned.column(feature);
        let node_rows = &mut rows[p.start..p.end];
        s.partition.clear();
        let mut write = 0;
        for i in 0..node_rows.len() {
            let r = node_rows[i];
            if col[r as usize] as usize <= bin {
                node_rows[write] = r;
                write += 1;
            } else {
                s.partition.push(r);
            }
        }
        node_rows[write..].copy_from_slice(&s.partition);
        let mid = p.start + write;
        let left = tree.feature.len();
        tree.feature[p.node] = feature as u32;
        tree.threshold[p.node] = binned.edges[feature][bin];
        tree.child[p.node] = left as u32;
        tree.feature.extend([LEAF, LEAF]);
        tree.threshold.extend([0.0, 0.0]);
        tree.child.extend([0, 0]);
        let right_totals: Vec<f64> = p
            .totals
            .iter()
            .zip(&left_totals)
            .map(|(t, l)| t - l)
            .collect();
        stack.push(Pending {
            node: left + 1,
            start: mid,
            end: p.end,
            depth: p.depth + 1,
            totals: right_totals,
        });
        stack.push(Pending {
            node: left,
            start: p.start,
            end: mid,
            depth: p.depth + 1,
            totals: left_totals,
        });
    }
    Ok(tree)
}

#[inline]
fn add(acc: &mut [f64], labels: Labels, row: usize, w: f64) {
    match labels {
        Labels::Classes { y, .. } => acc[y[row] as usize] += w,
        Labels::Values(v) => {
            acc[0] += w;
            acc[1] += w * v[row];
        }
    }
}

fn make_leaf(tree: &mut Tree, node: usize, totals: &[f64], labels: Labels) {
    tree.feature[node] = LEAF;
    tree.child[node] = (tree.values.len() / tree.n_outputs as usize) as u32;
    match labels {
        Labels::Classes { .. } => {
            let w: f64 = totals.iter().sum();
            tree.values.extend(totals.iter().map(|t| t / w));
        }
        Labels::Values(_) => tree.values.push(totals[1] / totals[0]),
    }
}

fn is_pure(p: &Pending, labels: Labels, weight: &[u32], rows: &[u32]) -> bool {
    match labels {
        Labels::Classes { .. } => p.totals.iter().filter(|&&t| t > 0.0).count() <= 1,
        Labels::Values(v) => {
            let mean = p.totals[1] / p.totals[0];
            let mut sq = 0.0;
            for &r in &rows[p.start..p.end] {
                let d = v[r as usize] - mean;
                sq += weight[r as usize] as f64 * d * d;
            }
            sq / p.totals[0] <= f64::EPSILON * (1.0 + mean * mean)
        }
    }
}

/// The split score to maximise: Σ L²/W_L + Σ R²/W_R over classes (the Gini decrease up to
/// constants), or S_L²/W_L + S_R²/W_R for squared error.
#[inline]
fn score(labels: Labels, left: &[f64], totals: &[f64]) -> f64 {
    match labels {
        Labels::Classes { .. } => {
            let (mut wl, mut wr, mut sl, mut sr) = (0.0, 0.0, 0.0, 0.0);
            for (l, t) in left.iter().zip(totals) {
                let r = t - l;
                wl += l;
                wr += r;
                sl += l * l;
                sr += r * r;
            }
            sl / wl + sr / wr
        }
        Labels::Values(_) => {
            let (wl, sl) = (left[0], left[1]);
            let (wr, sr) = (totals[0] - wl, totals[1] - sl);
            sl * sl / wl + sr * sr / wr
        }
    }
}

/// The best (feature, bin, left totals) for a node, or `None` when every feature is constant
/// in it. Features are drawn in a random order until `max_features` non-constant ones have
/// been searched (scikit-learn's rule).
#[allow(clippy::too_many_arguments)]
fn best_split(
    binned: &Binned,
    labels: Labels,
    weight: &[u32],
    rows: &[u32],
    totals: &[f64],
    params: &GrowParams,
    rng: &mut Rng,
    s: &mut Scratch,
) -> Option<(usize, usize, Vec<f64>)> {
    let stride = labels.stride();
    let d = binned.d;
    let n_rows = rows.len();
    let min_leaf = params.min_samples_leaf;
    let mut best: Option<(usize, usize)> = None;
    let mut best_score = f64::NEG_INFINITY;
    let mut searched = 0;
    for i in 0..d {
        if searched >= params.max_features {
            break;
        }
        let j = i + rng.below(d - i);
        s.features.swap(i, j);
        let f = s.features[i];
        let col = binned.column(f);
        // Fill the histogram of this node's rows.
        for &r in rows {
            let r = r as usize;
            let b = col[r] as usize;
            let w = weight[r] as f64;
            match labels {
                Labels::Classes { y, .. } => s.hist[b * stride + y[r] as usize] += w,
                Labels::Values(v) => {
                    s.hist[b * 2] += w;
                    s.hist[b * 2 + 1] += w * v[r];
                }
            }
            s.rows[b] += 1;
            s.touched[b >> 6] |= 1u64 << (b & 63);
        }
        let n_touched: u32 = s.touched.iter().map(|m| m.count_ones()).sum();
        if n_touched > 1 {
            searched += 1;
            s.left.iter_mut().for_each(|v| *v = 0.0);
            let mut rows_left = 0usize;
            let mut seen = 0;
            for (word, &mask) in s.touched.iter().enumerate() {
                let mut m = mask;
                while m != 0 {
                    let b = word * 64 + m.trailing_zeros() as usize;
                    m &= m - 1;
                    seen += 1;
                    if seen == n_touched {
                        break; // the last bin cannot be a left side
                    }
                    for c in 0..stride {
                        s.left[c] += s.hist[b * stride + c];
                    }
                    rows_left += s.rows[b] as usize;
                    if rows_left < min_leaf || n_rows - rows_left < min_leaf {
                        continue;
                    }
                    let sc = score(labels, &s.left, totals);
                    if sc > best_score {
                        best_score = sc;
                        best = Some((f, b));
                        s.best_left.copy_from_slice(&s.left);
                    }
                }
            }
        }
        // Clear only what was touched.
        for word in 0..4 {
            let mut m = s.touched[word];
            while m != 0 {
                let b = word * 64 + m.trailing_zeros() as usize;
                m &= m - 1;
                s.hist[b * stride..(b + 1) * stride]
                    .iter_mut()
                    .for_each(|v| *v = 0.0);
                s.rows[b] = 0;
            }
            s.touched[word] = 0;
        }
    }
    best.map(|(f, b)| (f, b, s.best_left.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::train::models::bins;
    use ndarray::Array2;

    #[test]
    fn separates_a_threshold_and_predicts_probabilities() {
        let x = Array2::from_shape_fn(
            (100, 2),
            |(i, j)| if j == 0 { i as f64 } else { (i % 7) as f64 },
        );
        let y: Vec<u32> = (0..100).map(|i| (i >= 60) as u32).collect();
        let b = bins::bin(x.view(), 255, 0, &CancelFlag::new()).unwrap();
        let params = GrowParams {
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: 2,
        };
        let t = grow(
            &b,
            Labels::Classes { y: &y, k: 2 },
            &vec![1; 100],
            (0..100).collect(),
            &params,
            &mut Rng::new(0),
            &CancelFlag::new(),
        )
        .unwrap();
        assert_eq!(t.n_nodes(), 3);
        assert_eq!(t.threshold[0], 59.5);
        assert_eq!(t.leaf(&x.view(), 10), &[1.0, 0.0]);
        assert_eq!(t.leaf(&x.view(), 70), &[0.0, 1.0]);
        let v: Vec<f64> = (0..100).map(|i| if i < 30 { 1.0 } else { 5.0 }).collect();
        let t = grow(
            &b,
            Labels::Values(&v),
            &vec![1; 100],
            (0..100).collect(),
            &params,
            &mut Rng::new(0),
            &CancelFlag::new(),
        )
        .unwrap();
        assert_eq!(t.n_leaves(), 2);
        assert_eq!(t.leaf(&x.view(), 0), &[1.0]);
    }
}
