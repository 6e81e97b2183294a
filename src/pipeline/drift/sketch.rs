//! Summaries that stand in for one side of one column when its rows are not at hand (a stored
//! baseline, or a file read in a streaming pass): the numbers as a weighted quantile sketch,
//! exact while the distinct values are few, and the labels as counts.
//!
//! A sketch holds ascending points `(value, weight)`. While it is exact every distinct value
//! is a point with its count. Compacting it keeps a point each time `step` rows have gone by
//! (and always the smallest and largest value), which undercounts the rows at or below any
//! `x` by less than `step`; the undercounts of every compaction and merge add up in `error`.
//! Every count read from a sketch is centred (`+ error / 2`), so it is within `error / 2`
//! rows of the data's, and the tests built on it carry that bound.

use serde::{Deserialize, Serialize};

use crate::pipeline::stats;

/// A streaming pass keeps a column's numbers exact up to this many distinct values.
pub const EXACT_POINTS: usize = 100_000;

/// A baseline file keeps a column's numbers exact up to this many distinct values (about
/// 200 kB of JSON), and compacts them beyond.
pub const BASELINE_EXACT_POINTS: usize = 10_000;

/// The points a compacted sketch keeps in a baseline file: a rank error of about 1/4096.
pub const BASELINE_POINTS: usize = 4096;

/// The points a streaming pass compacts to when a column passes [`EXACT_POINTS`].
pub const STREAM_POINTS: usize = 32_768;

/// Compacting keeps this many of the lowest and of the highest values as they are: the tails,
/// where values are far apart, stay exact (and so do the CDF and Wasserstein there).
pub const TAIL_POINTS: usize = 512;

/// The numbers of one column side: a weighted quantile sketch and exact moments.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NumericSketch {
    /// Ascending distinct point values.
    pub values: Vec<f64>,
    /// Rows each point stands for (all rows at that value while the sketch is exact). A file
    /// leaves them out when every one is 1 (see [`NumericSketch::fill_weights`]).
    #[serde(default, skip_serializing_if = "all_ones")]
    pub weights: Vec<u64>,
    /// Finite values summarised (the sum of the weights).
    pub n: u64,
    /// Nulls and NaN.
    pub nulls: u64,
    pub infinite: u64,
    /// The most rows by which a count read from the points can fall short (0: exact).
    pub error: u64,
    /// Distinct values: exact while `error == 0`, else a lower bound (above [`EXACT_POINTS`]).
    pub distinct: u64,
    /// True when some value occurs more than once.
    pub duplicates: bool,
    pub mean: f64,
    /// Sum of squared deviations from the mean (for the population std).
    pub m2: f64,
    /// Once compacted: every row at or below this value is still counted exactly (the lowest
    /// [`TAIL_POINTS`] values are kept as they are), and so is every row at or above
    /// `exact_above`. Absent while the sketch is exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact_below: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact_above: Option<f64>,
    /// PSI's bins from the exact data (reference deciles and the counts in them), kept when
    /// the sketch is compacted so PSI from a baseline stays exact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deciles: Option<Deciles>,
}

/// The reference deciles (ties merged) and the rows in each of their open-ended bins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Deciles {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

fn all_ones(w: &[u64]) -> bool {
    w.iter().all(|&w| w == 1)
}

impl NumericSketch {
    /// Weights left out of a file are all 1.
    pub fn fill_weights(&mut self) {
        if self.weights.is_empty() {
            self.weights = vec![1; self.values.len()];
        }
    }

    /// An empty sketch (no finite values yet).
    pub fn empty() -> NumericSketch {
        NumericSketch {
            values: Vec::new(),
            weights: Vec::new(),
            n: 0,
            nulls: 0,
            infinite: 0,
            error: 0,
            distinct: 0,
            duplicates: false,
            exact_below: None,
            exact_above: None,
            mean: 0.0,
            m2: 0.0,
            deciles: None,
        }
    }

    /// The exact sketch of ascending finite values: one point per distinct value.
    pub fn from_sorted(sorted: &[f64], nulls: u64, infinite: u64) -> NumericSketch {
        let mut s = NumericSketch::empty();
        s.nulls = nulls;
        s.infinite = infinite;
        let mut i = 0;
        while i < sorted.len() {
            let v = sorted[i];
            let start = i;
            while i < sorted.len() && sorted[i] == v {
                i += 1;
            }
            s.values.push(v);
            s.weights.push((i - start) as u64);
        }
        s.n = sorted.len() as u64;
        s.distinct = s.values.len() as u64;
        s.duplicates = s.distinct < s.n;
        if let Some(mean) = stats::mean(sorted) {
            s.mean = mean;
            s.m2 = stats::pairwise_sq_dev(sorted, mean);
        }
        s
    }

    pub fn is_exact(&self) -> bool {
        self.error == 0
    }

    pub fn min(&self) -> Option<f64> {
        self.values.first().copied()
    }

    pub fn max(&self) -> Option<f64> {
        self.values.last().copied()
    }

    /// The population standard deviation (numpy's `std`, ddof 0).
    pub fn std(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            (self.m2 / self.n as f64).sqrt()
        }
    }

    /// The most a CDF value read from this sketch can be off (`error / 2 / n`).
    pub fn cdf_bound(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.error as f64 / 2.0 / self.n as f64
        }
    }

    /// The most the Wasserstein-1 integral ∫|F − F̃| can be off: the CDF bound over the range
    /// between the exact tails.
    pub fn wasserstein_bound(&self) -> f64 {
        match (self.exact_below, self.exact_above) {
            (Some(lo), Some(hi)) if hi > lo => self.cdf_bound() * (hi - lo),
            _ => 0.0,
        }
    }

    /// Add another sketch of the same column (a later batch): points merged, errors added,
    /// moments combined (Chan et al.).
    pub fn merge(&mut self, other: &NumericSketch) {
        let (mut values, mut weights) = (
            Vec::with_capacity(self.values.len() + other.values.len()),
            Vec::with_capacity(self.values.len() + other.values.len()),
        );
        let (mut i, mut j) = (0, 0);
        let mut coalesced = false;
        while i < self.values.len() || j < other.values.len() {
            let (a, b) = (self.values.get(i), other.values.get(j));
            let (v, w) = match (a, b) {
                (Some(&a), Some(&b)) if a == b => {
                    coalesced = true;
                    i += 1;
                    j += 1;
                    (a, self.weights[i - 1] + other.weights[j - 1])
                }
                (Some(&a), Some(&b)) if a < b => {
                    i += 1;
                    (a, self.weights[i - 1])
                }
                (Some(&a), None) => {
                    i += 1;
                    (a, self.weights[i - 1])
                }
                (_, Some(&b)) => {
                    j += 1;
                    (b, other.weights[j - 1])
                }
                (None, None) => break,
            };
            values.push(v);
            weights.push(w);
        }
        let (n1, n2) = (self.n as f64, other.n as f64);
        if self.n + other.n > 0 {
            let delta = other.mean - self.mean;
            let n = n1 + n2;
            self.mean += delta * n2 / n;
            self.m2 += other.m2 + delta * delta * n1 * n2 / n;
        }
        // Points are values of the data, so a value in both is a value seen twice.
        self.duplicates |= other.duplicates || coalesced;
        self.values = values;
        self.weights = weights;
        self.n += other.n;
        self.nulls += other.nulls;
        self.infinite += other.infinite;
        self.error += other.error;
        self.distinct = if self.error == 0 {
            self.values.len() as u64
        } else {
            self.distinct
                .max(other.distinct)
                .max(self.values.len() as u64)
        };
        let pick = |a: Option<f64>, b: Option<f64>, f: fn(f64, f64) -> f64| match (a, b) {
            (Some(a), Some(b)) => Some(f(a, b)),
            (a, b) => a.or(b),
        };
        self.exact_below = pick(self.exact_below, other.exact_below, f64::min);
        self.exact_above = pick(self.exact_above, other.exact_above, f64::max);
        self.deciles = None;
    }

    /// Keep about `points` points: the [`TAIL_POINTS`] lowest and highest values as they are,
    /// and between them one point each time `n / points` rows have gone by. Adds less than
    /// that step to `error` (between the exact tails only).
    pub fn compact(&mut self, points: usize) {
        let len = self.values.len();
        if len <= (points + 2 * TAIL_POINTS).max(2) {
            return;
        }
        self.distinct = self.distinct.max(len as u64);
        let step = self.n.div_ceil(points.max(1) as u64).max(1);
        let (mut values, mut weights) =
            (Vec::with_capacity(points + 2 * TAIL_POINTS + 2), Vec::new());
        let upper = len - TAIL_POINTS;
        let mut pending = 0u64;
        for (k, (&v, &w)) in self.values.iter().zip(&self.weights).enumerate() {
            pending += w;
            if k < TAIL_POINTS || k >= upper || pending >= step {
                values.push(v);
                weights.push(pending);
                pending = 0;
            }
        }
        // Rows up to the last lower-tail value and from the value after the first upper-tail
        // one (which takes the middle's last rows) are counted as before.
        let below = self.values[TAIL_POINTS - 1];
        let above = self.values[upper + 1];
        let (old_below, old_above) = (self.exact_below, self.exact_above);
        self.exact_below = Some(old_below.map_or(below, |b| b.min(below)));
        self.exact_above = Some(old_above.map_or(above, |a| a.max(above)));
        self.values = values;
        self.weights = weights;
        self.error += step - 1;
    }

    /// Rows below `x` (`strict`) or at or below it, centred within `error / 2` of the data's.
    pub fn count_at(&self, x: f64, strict: bool, cumulative: &[u64]) -> f64 {
        let k = if strict {
            self.values.partition_point(|&v| v < x)
        } else {
            self.values.partition_point(|&v| v <= x)
        };
        if k == 0 {
            return 0.0;
        }
        if k == self.values.len() {
            return self.n as f64;
        }
        let raw = cumulative[k - 1] as f64;
        let tails =
            self.exact_below.is_some_and(|b| x <= b) || self.exact_above.is_some_and(|a| x >= a);
        if tails {
            raw
        } else {
            (raw + self.error as f64 / 2.0).min(self.n as f64)
        }
    }

    /// The running sums of the weights.
    pub fn cumulative(&self) -> Vec<u64> {
        self.weights
            .iter()
            .scan(0u64, |acc, &w| {
                *acc += w;
                Some(*acc)
            })
            .collect()
    }

    /// The value at 0-based rank `r` (the smallest point whose running count passes it).
    fn at_rank(&self, r: u64, cumulative: &[u64]) -> f64 {
        let k = cumulative.partition_point(|&c| c <= r);
        self.values[k.min(self.values.len() - 1)]
    }

    /// Quantile `q` with numpy's linear interpolation: exact while the sketch is.
    pub fn quantile(&self, q: f64, cumulative: &[u64]) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let pos = q.clamp(0.0, 1.0) * (self.n - 1) as f64;
        let lo = pos.floor() as u64;
        let t = pos - lo as f64;
        let (a, b) = (
            self.at_rank(lo, cumulative),
            self.at_rank((lo + 1).min(self.n - 1), cumulative),
        );
        Some(if t >= 0.5 {
            b - (b - a) * (1.0 - t)
        } else {
            a + (b - a) * t
        })
    }

    /// Rows in the bins of `edges` as `numpy.histogram` makes them (`[a, b)`, the last bin
    /// closed).
    pub fn histogram_counts(&self, edges: &[f64], cumulative: &[u64]) -> Vec<f64> {
        if edges.len() < 2 {
            return Vec::new();
        }
        let bins = edges.len() - 1;
        let mut out = Vec::with_capacity(bins);
        let mut start = self.count_at(edges[0], true, cumulative);
        for k in 0..bins {
            let end = self.count_at(edges[k + 1], k + 1 != bins, cumulative);
            out.push((end - start).max(0.0));
            start = end.max(start);
        }
        out
    }

    /// Rows in the open-ended bins (−∞, e₁), [e₁, e₂), …, [e_k, ∞).
    pub fn open_bin_counts(&self, edges: &[f64], cumulative: &[u64]) -> Vec<f64> {
        let mut out = Vec::with_capacity(edges.len() + 1);
        let mut start = 0.0;
        for &e in edges {
            let end = self.count_at(e, true, cumulative).max(start);
            out.push(end - start);
            start = end;
        }
        out.push((self.n as f64 - start).max(0.0));
        out
    }

    /// PSI's bins on this (reference) side: the kept exact deciles, or the sketch's own.
    pub fn decile_bins(&self, cumulative: &[u64]) -> (Vec<f64>, Vec<f64>, bool) {
        if let Some(d) = &self.deciles {
            let counts = d.counts.iter().map(|&c| c as f64).collect();
            return (d.edges.clone(), counts, true);
        }
        let edges = super::measures::deciles_by(|q| self.quantile(q, cumulative));
        let counts = self.open_bin_counts(&edges, cumulative);
        (edges, counts, self.is_exact())
    }
}

/// The labels of one column side, with their counts.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LabelSummary {
    /// (label, count), sorted by label. Empty when the column is an identifier or free text
    /// (decided from the reference alone), where counts would only take room.
    pub counts: Vec<(String, u64)>,
    pub nulls: u64,
    /// Non-null values.
    pub values: u64,
    pub distinct: u64,
    /// Total characters and spaces (for the mean length and words per value).
    pub chars: u64,
    pub spaces: u64,
    /// True when a streaming pass stopped counting labels (an identifier or free text with
    /// more than [`LABEL_COUNT_LIMIT`] values): `distinct` is then an upper bound.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub uncounted: bool,
}

/// A streaming pass stops counting the labels of an identifier or free-text column beyond
/// this many distinct values (they are not tested, and would only take memory).
pub const LABEL_COUNT_LIMIT: u64 = 100_000;

impl LabelSummary {
    pub fn mean_chars(&self) -> f64 {
        self.chars as f64 / self.values.max(1) as f64
    }

    pub fn mean_words(&self) -> f64 {
        1.0 + self.spaces as f64 / self.values.max(1) as f64
    }

    /// Add a later batch's counts.
    pub fn merge(&mut self, other: &LabelSummary) {
        if self.uncounted || other.uncounted {
            self.counts = Vec::new();
            self.uncounted = true;
            self.nulls += other.nulls;
            self.values += other.values;
            self.distinct += other.distinct;
            self.chars += other.chars;
            self.spaces += other.spaces;
            return;
        }
        let (keys, a, b) = super::sample::align(&self.counts, &other.counts);
        self.counts = keys
            .into_iter()
            .zip(a.iter().zip(&b))
            .map(|(k, (x, y))| (k, (*x + *y) as u64))
            .collect();
        self.nulls += other.nulls;
        self.values += other.values;
        self.distinct = self.counts.len() as u64;
        self.chars += other.chars;
        self.spaces += other.spaces;
    }
}

/// Per bin, the interval `(lo, hi)` its share can lie in.
pub type ShareBoxes = Vec<(f64, f64)>;

/// Each bin's share as an interval: its count ± `bound(bin)` rows, over the total.
pub fn share_boxes(counts: &[f64], bound: &dyn Fn(usize) -> f64) -> ShareBoxes {
    let total: f64 = counts.iter().sum();
    if total <= 0.0 {
        return vec![(0.0, 0.0); counts.len()];
    }
    counts
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            (
                ((c - bound(k)) / total).clamp(0.0, 1.0),
                ((c + bound(k)) / total).clamp(0.0, 1.0),
            )
        })
        .collect()
}

/// The interval of a separable divergence Σ f(pᵢ, qᵢ) when every share lies in its box
/// `(lo, hi)`. `f` must be convex, zero where p = q, falling in p and rising in q above the
/// diagonal (and the mirror below): Jensen–Shannon's and PSI's terms are.
pub fn divergence_interval(
    a: &[(f64, f64)],
    b: &[(f64, f64)],
    f: impl Fn(f64, f64) -> f64,
) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0, 0.0);
    for (&(p0, p1), &(q0, q1)) in a.iter().zip(b) {
        hi += [f(p0, q0), f(p0, q1), f(p1, q0), f(p1, q1)]
            .into_iter()
            .fold(0.0, f64::max);
        lo += if p1 < q0 {
            f(p1, q0)
        } else if q1 < p0 {
            f(p0, q1)
        } else {
            0.0
        };
    }
    (lo, hi)
}

impl NumericSketch {
    /// Rows below `x` as the points count them (no centring): the data's count is within
    /// `[raw, raw + error]`.
    fn raw_below(&self, x: f64, cumulative: &[u64]) -> f64 {
        let k = self.values.partition_point(|&v| v < x);
        if k == 0 {
            0.0
        } else {
            cumulative[k - 1] as f64
        }
    }

    /// Where the data's quantile `q` (numpy's linear rule) can lie, from this sketch:
    /// between the first point that the value at rank ⌊h⌋ could be and the first point that
    /// surely holds rank ⌊h⌋ + 1.
    fn quantile_range(&self, q: f64, cumulative: &[u64]) -> (f64, f64) {
        let h = q.clamp(0.0, 1.0) * (self.n.saturating_sub(1)) as f64;
        let r = h.floor() as u64;
        let last = self.values.len() - 1;
        let lo = cumulative
            .partition_point(|&c| c + self.error < r + 1)
            .min(last);
        let hi = cumulative
            .partition_point(|&c| c < (r + 2).min(self.n))
            .min(last);
        (self.values[lo], self.values[hi])
    }

    /// PSI's bins when the reference deciles come from a compacted sketch (`self`): for each
    /// bin, the interval of both sides' shares over every placement of the data's deciles
    /// within their ranges, so the PSI on the data's deciles lies in the resulting interval.
    /// One case is not covered: deciles the sketch merges (equal values) that differ in the
    /// data, which has a bin more there.
    pub fn decile_share_boxes(
        &self,
        cumulative: &[u64],
        edges: &[f64],
        current: &NumericSketch,
        current_cumulative: &[u64],
    ) -> (ShareBoxes, ShareBoxes) {
        // The range of each kept edge: the deciles that fell on it.
        let ranges: Vec<(f64, f64)> = edges
            .iter()
            .map(|&e| {
                let mut range = (e, e);
                for k in 1..10 {
                    let (lo, hi) = self.quantile_range(k as f64 / 10.0, cumulative);
                    if self.quantile(k as f64 / 10.0, cumulative) == Some(e) {
                        range = (range.0.min(lo), range.1.max(hi));
                    }
                }
                range
            })
            .collect();
        let boxes = |s: &NumericSketch, cum: &[u64]| -> ShareBoxes {
            let (n, e) = (s.n as f64, s.error as f64);
            // Rows below the bin's lower edge: at least / at most, over the edge's range.
            let below = |k: usize| -> (f64, f64) {
                if k == 0 {
                    (0.0, 0.0)
                } else if k > ranges.len() {
                    (n, n)
                } else {
                    let (lo, hi) = ranges[k - 1];
                    (s.raw_below(lo, cum), (s.raw_below(hi, cum) + e).min(n))
                }
            };
            (0..=ranges.len())
                .map(|k| {
                    let ((a0, a1), (b0, b1)) = (below(k), below(k + 1));
                    (((b0 - a1).max(0.0) / n), ((b1 - a0).min(n) / n))
                })
                .collect()
        };
        (boxes(self, cumulative), boxes(current, current_cumulative))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut v: Vec<f64>) -> Vec<f64> {
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn an_exact_sketch_counts_and_quantiles_like_the_data() {
        let x = sorted(vec![3.0, 1.0, 2.0, 2.0, 5.0, 5.0, 5.0, 9.0]);
        let s = NumericSketch::from_sorted(&x, 1, 0);
        let cum = s.cumulative();
        assert_eq!((s.n, s.distinct, s.error, s.duplicates), (8, 5, 0, true));
        for q in [0.0, 0.1, 0.25, 0.5, 0.9, 1.0] {
            assert_eq!(s.quantile(q, &cum), stats::quantile_sorted(&x, q));
        }
        let edges = [1.0, 3.0, 6.0, 9.0];
        assert_eq!(
            s.histogram_counts(&edges, &cum),
            super::super::measures::histogram_counts(&x, &edges)
        );
        assert_eq!(
            s.open_bin_counts(&[2.0, 5.0], &cum),
            super::super::measures::open_bin_counts(&x, &[2.0, 5.0])
        );
        assert!((s.std() - stats::std(&x, 0).unwrap()).abs() < 1e-15);
    }

    #[test]
    fn merged_batches_equal_the_whole() {
        let a = sorted((0..500).map(|i| ((i * 37) % 101) as f64).collect());
        let b = sorted((0..300).map(|i| ((i * 53) % 211) as f64 * 0.5).collect());
        let mut m = NumericSketch::from_sorted(&a, 2, 1);
        m.merge(&NumericSketch::from_sorted(&b, 3, 0));
        let all = sorted(a.iter().chain(&b).copied().collect());
        let whole = NumericSketch::from_sorted(&all, 5, 1);
        assert_eq!((&m.values, &m.weights), (&whole.values, &whole.weights));
        assert_eq!(
            (m.n, m.nulls, m.infinite, m.distinct),
            (800, 5, 1, whole.distinct)
        );
        assert!((m.mean - whole.mean).abs() < 1e-12);
        assert!((m.std() - whole.std()).abs() < 1e-12);
    }

    #[test]
    fn a_compacted_sketch_stays_within_its_error() {
        // A skewed sample with ties: every count read must be within error / 2 of the truth.
        let x = sorted(
            (0..200_000u64)
                .map(|i| {
                    let u = ((i * 2_654_435_761) % 1_000_003) as f64 / 1_000_003.0;
                    (u * u * 1000.0).floor() / 10.0 + if i % 7 == 0 { 0.0 } else { u }
                })
                .collect(),
        );
        let mut s = NumericSketch::from_sorted(&x, 0, 0);
        s.compact(BASELINE_POINTS);
        assert!(s.values.len() <= BASELINE_POINTS + 2 * TAIL_POINTS + 1);
        assert!(s.error > 0 && s.error < x.len() as u64 / BASELINE_POINTS as u64 + 1);
        assert_eq!((s.min(), s.max()), (x.first().copied(), x.last().copied()));
        let cum = s.cumulative();
        let half = s.error as f64 / 2.0;
        let probes = (0..=400)
            .map(|k| x[0] + (x[x.len() - 1] - x[0]) * k as f64 / 400.0)
            .chain(x[..2 * TAIL_POINTS].iter().copied())
            .chain(x[x.len() - 2 * TAIL_POINTS..].iter().copied());
        for t in probes {
            for strict in [true, false] {
                let truth = if strict {
                    x.partition_point(|&v| v < t)
                } else {
                    x.partition_point(|&v| v <= t)
                } as f64;
                let got = s.count_at(t, strict, &cum);
                assert!(
                    (got - truth).abs() <= half,
                    "{t} {strict}: {got} vs {truth}"
                );
                let tail =
                    s.exact_below.is_some_and(|b| t <= b) || s.exact_above.is_some_and(|a| t >= a);
                assert!(
                    !tail || got == truth,
                    "exact in the tails: {t}: {got} vs {truth}"
                );
            }
        }
    }

    #[test]
    fn divergence_intervals_hold_the_truth() {
        let js = |p: f64, q: f64| {
            let m = (p + q) / 2.0;
            let t = |a: f64| if a > 0.0 { a * (a / m).ln() } else { 0.0 };
            (t(p) + t(q)) / 2.0
        };
        let a = [10.0, 20.0, 30.0, 40.0];
        let b = [12.0, 18.0, 35.0, 35.0];
        let exact: f64 = a
            .iter()
            .zip(&b)
            .map(|(x, y)| js(x / 100.0, y / 100.0))
            .sum();
        let (lo, hi) =
            divergence_interval(&share_boxes(&a, &|_| 2.0), &share_boxes(&b, &|_| 2.0), js);
        assert!(lo <= exact && exact <= hi && lo < hi);
        // Moving counts within the bound stays inside the interval.
        let a2 = [11.0, 19.0, 31.0, 39.0];
        let moved: f64 = a2
            .iter()
            .zip(&b)
            .map(|(x, y)| js(x / 100.0, y / 100.0))
            .sum();
        assert!(lo <= moved && moved <= hi);
        let none = divergence_interval(&share_boxes(&a, &|_| 0.0), &share_boxes(&b, &|_| 0.0), js);
        assert_eq!(none, (exact, exact));
    }
}
