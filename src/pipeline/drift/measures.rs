//! The drift statistics themselves (DESIGN.md §8), from two sorted samples or from two aligned
//! count vectors: KS D, Wasserstein-1, Jensen–Shannon, PSI, chi-square and the two-proportion
//! Z-test, each computed the way scipy/Evidently compute it so the numbers agree.

use super::pvalue;
use super::sketch::NumericSketch;

/// PSI's floor for an empty bin's share.
pub const PSI_FLOOR: f64 = 1e-4;

/// Neumaier-compensated sum: the merge walk adds up to millions of terms.
#[derive(Default)]
struct Sum {
    sum: f64,
    carry: f64,
}

impl Sum {
    #[inline]
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.carry += (self.sum - t) + v;
        } else {
            self.carry += (v - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.carry
    }
}

/// What one merge of two sorted samples gives.
#[derive(Clone, Debug, PartialEq)]
pub struct Walk {
    /// KS statistic: max |F_ref − F_cur| over the pooled values.
    pub d: f64,
    /// Wasserstein-1 distance: ∫ |F_ref − F_cur| dx.
    pub wasserstein: f64,
    /// Distinct values in reference ∪ current.
    pub distinct: u64,
    /// Distinct values in the reference.
    pub ref_distinct: u64,
    /// (value, reference count, current count) per distinct value, while there are at most
    /// `keep_values` of them; `None` beyond.
    pub values: Option<Vec<(f64, u64, u64)>>,
}

/// What a merge walk gathers at each run end: the largest CDF gap (KS D), the area between
/// the CDFs (Wasserstein-1), the distinct values and, while few, the counts per value.
struct WalkState {
    d: f64,
    w: Sum,
    distinct: u64,
    ref_distinct: u64,
    values: Option<Vec<(f64, u64, u64)>>,
    /// (value, |F_ref − F_cur|) at the previous run end.
    prev: Option<(f64, f64)>,
    keep_values: usize,
}

impl WalkState {
    fn new(keep_values: usize) -> WalkState {
        WalkState {
            d: 0.0,
            w: Sum::default(),
            distinct: 0,
            ref_distinct: 0,
            values: Some(Vec::new()),
            prev: None,
            keep_values,
        }
    }

    /// The run end at `v`, holding `nr` reference and `nc` current rows, where the CDFs
    /// differ by `diff`.
    #[inline]
    fn at(&mut self, v: f64, nr: u64, nc: u64, diff: f64) {
        self.distinct += 1;
        if nr > 0 {
            self.ref_distinct += 1;
        }
        if let Some(list) = self.values.as_mut() {
            if list.len() < self.keep_values {
                list.push((v, nr, nc));
            } else {
                self.values = None;
            }
        }
        if let Some((pv, pdiff)) = self.prev
            && pdiff > 0.0
        {
            self.w.add(pdiff * (v - pv));
        }
        self.d = self.d.max(diff);
        self.prev = Some((v, diff));
    }

    fn finish(self) -> Walk {
        Walk {
            d: self.d,
            wasserstein: self.w.value(),
            distinct: self.distinct,
            ref_distinct: self.ref_distinct,
            values: self.values,
        }
    }
}

/// Merge two ascending samples (finite, non-empty) once: the empirical CDFs are read at the
/// end of every run of equal values, as scipy's `ks_2samp` and `wasserstein_distance` do (the
/// CDF values are `count / n`, with the same divisions, so D is bit-identical to scipy's).
#[cfg(test)]
pub fn walk(r: &[f64], c: &[f64], keep_values: usize) -> Walk {
    let (nr, nc) = (r.len() as f64, c.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut state = WalkState::new(keep_values);
    while i < r.len() || j < c.len() {
        let v = match (r.get(i), c.get(j)) {
            (Some(&a), Some(&b)) => a.min(b),
            (Some(&a), None) => a,
            (None, Some(&b)) => b,
            (None, None) => break,
        };
        let (i0, j0) = (i, j);
        while i < r.len() && r[i] == v {
            i += 1;
        }
        while j < c.len() && c[j] == v {
            j += 1;
        }
        let diff = (i as f64 / nr - j as f64 / nc).abs();
        state.at(v, (i - i0) as u64, (j - j0) as u64, diff);
    }
    state.finish()
}

/// The merge walk of [`walk`] over two sketches' points, each side's CDF read from its sketch
/// (centred when compacted, exact in the kept tails: see [`NumericSketch::count_at`]). On
/// exact sketches it gives the same numbers as [`walk`] on the data, bit for bit.
/// `ref_distinct` counts the reference's points; per-value counts are the points' weights.
pub fn walk_sketches(
    a: &NumericSketch,
    ca: &[u64],
    b: &NumericSketch,
    cb: &[u64],
    keep_values: usize,
) -> Walk {
    // F from `v` up to the next union point, with `k` of the side's points at or below `v`:
    // exact when that whole stretch lies in a kept tail (rows skipped by a compaction sit
    // just below the side's next point, so that point must be in the lower tail too).
    let cdf = |s: &NumericSketch, cum: &[u64], k: usize, v: f64| -> f64 {
        if s.error == 0 {
            // Exact: the running count over n, as the walk over the data divides.
            return if k == 0 {
                0.0
            } else {
                cum[k - 1] as f64 / s.n as f64
            };
        }
        if k == 0 {
            0.0
        } else if k == s.values.len() {
            1.0
        } else if s.exact_below.is_some_and(|b| s.values[k] <= b)
            || s.exact_above.is_some_and(|a| v >= a)
        {
            cum[k - 1] as f64 / s.n as f64
        } else {
            (cum[k - 1] as f64 + s.error as f64 / 2.0).min(s.n as f64) / s.n as f64
        }
    };
    let (mut i, mut j) = (0usize, 0usize);
    let mut state = WalkState::new(keep_values);
    loop {
        let v = match (a.values.get(i), b.values.get(j)) {
            (Some(&x), Some(&y)) => x.min(y),
            (Some(&x), None) => x,
            (None, Some(&y)) => y,
            (None, None) => break,
        };
        let (mut wa, mut wb) = (0, 0);
        if a.values.get(i) == Some(&v) {
            wa = a.weights[i];
            i += 1;
        }
        if b.values.get(j) == Some(&v) {
            wb = b.weights[j];
            j += 1;
        }
        let diff = (cdf(a, ca, i, v) - cdf(b, cb, j, v)).abs();
        state.at(v, wa, wb, diff);
    }
    state.finish()
}

/// Bin edges of `numpy.histogram_bin_edges(pooled, bins="sturges")` for a pooled sample of
/// `n` values between `lo` and `hi`; numpy keeps bins of integer data at least 1 wide.
pub fn sturges_edges(lo: f64, hi: f64, n: usize, integer: bool) -> Vec<f64> {
    // The width comes from the data's range; a constant sample gets one bin of width 1.
    let mut width = (hi - lo) / ((n.max(1) as f64).log2() + 1.0);
    if integer && width > 0.0 && width < 1.0 {
        width = 1.0;
    }
    if width.is_infinite() {
        // The range overflows f64: numpy's count is the same ceil(log2 n + 1).
        linspace(lo, hi, ((n.max(1) as f64).log2() + 1.0).ceil() as usize)
    } else if width > 0.0 {
        linspace(lo, hi, ((hi - lo) / width).ceil().max(1.0) as usize)
    } else {
        linspace(lo - 0.5, hi + 0.5, 1)
    }
}

/// `numpy.linspace(lo, hi, bins + 1)`: `i · step + lo`, the last edge exactly `hi`.
pub fn linspace(lo: f64, hi: f64, bins: usize) -> Vec<f64> {
    let bins = bins.max(1);
    let step = (hi - lo) / bins as f64;
    let mut edges: Vec<f64> = if step.is_finite() {
        (0..=bins).map(|i| i as f64 * step + lo).collect()
    } else {
        // A range wider than f64 holds (e.g. −1e308..1e308): step in halves, adding each
        // half on its own (lo + i·half stays within [lo, mid], and the second half within
        // [mid, hi]; 2 · i · half would overflow past the middle).
        let half = (hi / 2.0 - lo / 2.0) / bins as f64;
        (0..=bins)
            .map(|i| {
                let h = i as f64 * half;
                (lo + h) + h
            })
            .collect()
    };
    if let Some(last) = edges.last_mut() {
        *last = hi;
    }
    edges
}

/// Counts of a sorted sample in the bins of `edges` as `numpy.histogram` makes them: `[a, b)`
/// except the last bin, which also takes `b`. Values outside the edges are not counted.
#[cfg(test)]
pub fn histogram_counts(sorted: &[f64], edges: &[f64]) -> Vec<f64> {
    if edges.len() < 2 {
        return Vec::new();
    }
    let bins = edges.len() - 1;
    let mut out = Vec::with_capacity(bins);
    let mut start = sorted.partition_point(|&v| v < edges[0]);
    for k in 0..bins {
        let end = if k + 1 == bins {
            sorted.partition_point(|&v| v <= edges[bins])
        } else {
            sorted.partition_point(|&v| v < edges[k + 1])
        };
        out.push(end.saturating_sub(start) as f64);
        start = end.max(start);
    }
    out
}

/// PSI's bins: the reference deciles (numpy's linear interpolation, which stays monotone inside
/// runs of ties), ties merged. Bins are (−∞, e₁), [e₁, e₂), …, [e_k, ∞).
#[cfg(test)]
pub fn decile_edges(r: &[f64]) -> Vec<f64> {
    deciles_by(|q| crate::pipeline::stats::quantile_sorted(r, q))
}

/// The deciles `quantile` gives, ascending, ties merged.
pub fn deciles_by(quantile: impl Fn(f64) -> Option<f64>) -> Vec<f64> {
    let mut edges: Vec<f64> = (1..10).filter_map(|k| quantile(k as f64 / 10.0)).collect();
    edges.sort_by(f64::total_cmp);
    edges.dedup();
    edges
}

/// Counts of a sorted sample in the open-ended bins of [`decile_edges`].
#[cfg(test)]
pub fn open_bin_counts(sorted: &[f64], edges: &[f64]) -> Vec<f64> {
    let mut out = Vec::with_capacity(edges.len() + 1);
    let mut start = 0;
    for &e in edges {
        let end = sorted.partition_point(|&v| v < e).max(start);
        out.push((end - start) as f64);
        start = end;
    }
    out.push((sorted.len() - start) as f64);
    out
}

/// Counts as shares of their total (all 0 when the total is 0).
pub fn shares(counts: &[f64]) -> Vec<f64> {
    let total: f64 = counts.iter().sum();
    counts
        .iter()
        .map(|&c| if total > 0.0 { c / total } else { 0.0 })
        .collect()
}

/// PSI: Σ (cur − ref) · ln(cur / ref) over shares floored at [`PSI_FLOOR`].
pub fn psi(ref_counts: &[f64], cur_counts: &[f64]) -> f64 {
    let (p, q) = (shares(ref_counts), shares(cur_counts));
    p.iter().zip(&q).map(|(&a, &b)| psi_term(a, b)).sum()
}

/// One bin's PSI term on shares `a` (reference) and `b` (current), floored.
pub fn psi_term(a: f64, b: f64) -> f64 {
    let (a, b) = (a.max(PSI_FLOOR), b.max(PSI_FLOOR));
    (b - a) * (b / a).ln()
}

/// One bin's Jensen–Shannon divergence term on shares `a` and `b` (the distance is the
/// square root of their sum).
pub fn js_term(a: f64, b: f64) -> f64 {
    let m = (a + b) / 2.0;
    (rel_entr(a, m) + rel_entr(b, m)) / 2.0
}

/// `x · ln(x / y)` as scipy's `rel_entr`.
fn rel_entr(x: f64, y: f64) -> f64 {
    if x > 0.0 && y > 0.0 {
        x * (x / y).ln()
    } else if x == 0.0 && y >= 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// Jensen–Shannon distance (natural log) between two count vectors over the same bins, as
/// `scipy.spatial.distance.jensenshannon` (which normalises both first). In [0, √ln 2].
pub fn jensen_shannon(ref_counts: &[f64], cur_counts: &[f64]) -> f64 {
    let (p, q) = (shares(ref_counts), shares(cur_counts));
    let (mut left, mut right) = (0.0, 0.0);
    for (&a, &b) in p.iter().zip(&q) {
        let m = (a + b) / 2.0;
        left += rel_entr(a, m);
        right += rel_entr(b, m);
    }
    ((left + right) / 2.0).max(0.0).sqrt()
}

/// Chi-square goodness of fit of the current counts to the reference shares scaled to the
/// current total (`scipy.stats.chisquare(cur, ref · n_cur / n_ref)`): (statistic, p-value).
/// A category absent from the reference but present now gives an infinite statistic (p = 0).
pub fn chi_square(ref_counts: &[f64], cur_counts: &[f64]) -> (f64, f64) {
    let nr: f64 = ref_counts.iter().sum();
    let nc: f64 = cur_counts.iter().sum();
    if ref_counts.len() < 2 || nr <= 0.0 {
        return (0.0, 1.0);
    }
    let k = nc / nr;
    let mut stat = 0.0;
    for (&a, &b) in ref_counts.iter().zip(cur_counts) {
        let e = a * k;
        let diff = b - e;
        stat += if e > 0.0 {
            diff * diff / e
        } else if b > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
    }
    let p = if stat.is_infinite() {
        0.0
    } else {
        pvalue::chi2_sf(stat, (ref_counts.len() - 1) as f64)
    };
    (stat, p)
}

/// Two-proportion Z-test (pooled variance, two-sided) on the share of the first value:
/// (z, p-value). Both sides holding the one same value gives p = 1.
pub fn z_test(ref_counts: &[f64], cur_counts: &[f64]) -> (f64, f64) {
    let nr: f64 = ref_counts.iter().sum();
    let nc: f64 = cur_counts.iter().sum();
    let (Some(&a0), Some(&b0)) = (ref_counts.first(), cur_counts.first()) else {
        return (0.0, 1.0);
    };
    if nr <= 0.0 || nc <= 0.0 {
        return (0.0, 1.0);
    }
    // Evidently codes the first value 0 and every other 1, and tests the share of ones.
    let p1 = (nr - a0) / nr;
    let p2 = (nc - b0) / nc;
    let pooled = (p1 * nr + p2 * nc) / (nr + nc);
    let var = pooled * (1.0 - pooled) * (1.0 / nr + 1.0 / nc);
    if var <= 0.0 {
        return (0.0, 1.0);
    }
    let z = (p1 - p2) / var.sqrt();
    (z, (2.0 * pvalue::norm_sf(z.abs())).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_gives_ks_d_and_wasserstein_on_a_hand_example() {
        // F_ref steps at 1,2,3 by 1/3; F_cur at 2,3,4 by 1/3.
        let w = walk(&[1.0, 2.0, 3.0], &[2.0, 3.0, 4.0], 10);
        assert!((w.d - 1.0 / 3.0).abs() < 1e-15);
        assert!((w.wasserstein - 1.0).abs() < 1e-15);
        assert_eq!(w.distinct, 4);
        assert_eq!(w.ref_distinct, 3);
        assert_eq!(
            w.values.unwrap(),
            vec![(1.0, 1, 0), (2.0, 1, 1), (3.0, 1, 1), (4.0, 0, 1)]
        );
        let w = walk(&[1.0, 1.0, 2.0], &[1.0, 1.0, 2.0], 1);
        assert_eq!((w.d, w.wasserstein, w.values), (0.0, 0.0, None));
    }

    #[test]
    fn sturges_and_histograms_follow_numpy() {
        // np.histogram_bin_edges(np.arange(10.0), bins="sturges") has 5 bins.
        let e = sturges_edges(0.0, 9.0, 10, false);
        assert_eq!(e, vec![0.0, 1.8, 3.6, 5.4, 7.2, 9.0]);
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(histogram_counts(&v, &e), vec![2.0, 2.0, 2.0, 2.0, 2.0]);
        assert_eq!(sturges_edges(3.0, 3.0, 4, false), vec![2.5, 3.5]);
        // Integers: numpy keeps bins at least 1 wide (0..23 over 5M values: 23 bins, not 24).
        assert_eq!(sturges_edges(0.0, 23.0, 5_000_000, true).len(), 24);
        // Ties inside a decile run never make the edges go backwards.
        let mut tied = vec![19.99; 700];
        tied.extend(vec![24.99; 300]);
        let d = decile_edges(&tied);
        assert!(d.windows(2).all(|w| w[0] < w[1]), "{d:?}");
        assert_eq!(open_bin_counts(&tied, &d).iter().sum::<f64>(), 1000.0);
        // Deciles of 0..=9: 0.9, 1.8, …; PSI bins are open-ended.
        let d = decile_edges(&v);
        assert_eq!(d.len(), 9);
        assert!((d[0] - 0.9).abs() < 1e-12);
        assert_eq!(open_bin_counts(&v, &d).iter().sum::<f64>(), 10.0);
    }

    #[test]
    fn extreme_ranges_give_finite_edges_and_counts() {
        let v = [-1e308, 0.0, 1e308];
        let e = sturges_edges(v[0], v[2], v.len(), false);
        assert!(e.iter().all(|x| x.is_finite()), "{e:?}");
        assert_eq!(histogram_counts(&v, &e).iter().sum::<f64>(), 3.0);
        // Many bins over the whole f64 range: finite, rising, ending at the range's ends.
        for bins in [2, 13, 100] {
            let e = linspace(-f64::MAX, f64::MAX, bins);
            assert!(e.iter().all(|x| x.is_finite()), "{bins}: {e:?}");
            assert!(e.windows(2).all(|w| w[0] < w[1]), "{bins}: {e:?}");
            assert_eq!((e[0], e[bins]), (-f64::MAX, f64::MAX));
        }
        let w = walk(&v, &[0.0], 10);
        assert!(w.d.is_finite() && !w.wasserstein.is_nan(), "{w:?}");
    }

    #[test]
    fn distances_on_identical_inputs_are_zero() {
        let c = [3.0, 5.0, 2.0];
        assert_eq!(jensen_shannon(&c, &c), 0.0);
        assert_eq!(psi(&c, &c), 0.0);
        assert_eq!(chi_square(&c, &c).0, 0.0);
        assert_eq!(z_test(&[4.0, 6.0], &[2.0, 3.0]).1, 1.0);
        assert_eq!(z_test(&[5.0, 0.0], &[7.0, 0.0]), (0.0, 1.0));
        // Disjoint supports: the largest JS distance, √ln 2.
        let js = jensen_shannon(&[1.0, 0.0], &[0.0, 1.0]);
        assert!((js - 2f64.ln().sqrt()).abs() < 1e-15);
        assert_eq!(chi_square(&[1.0, 0.0], &[1.0, 1.0]), (f64::INFINITY, 0.0));
    }
}
