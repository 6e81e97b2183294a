//! Numeric kernels on slices: accurate sums, moments, quantiles and histograms, with the
//! conventions of numpy/pandas (pairwise summation, ddof, linear interpolation, closed last bin).

/// Pairwise (cascade) sum of `f(x)`, as numpy sums: error grows as O(log n), not O(n).
fn pairwise_map_sum(values: &[f64], f: &impl Fn(f64) -> f64) -> f64 {
    const BLOCK: usize = 128;
    if values.len() <= BLOCK {
        let mut acc = [0.0f64; 8];
        let chunks = values.chunks_exact(8);
        let rest = chunks.remainder();
        for c in chunks {
            for i in 0..8 {
                acc[i] += f(c[i]);
            }
        }
        let mut sum =
            ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
        for &v in rest {
            sum += f(v);
        }
        sum
    } else {
        let mid = (values.len() / 2) / 8 * 8;
        pairwise_map_sum(&values[..mid], f) + pairwise_map_sum(&values[mid..], f)
    }
}

/// Pairwise sum of the values.
pub fn pairwise_sum(values: &[f64]) -> f64 {
    pairwise_map_sum(values, &|x| x)
}

/// Pairwise sum of squared deviations from `mean`.
pub fn pairwise_sq_dev(values: &[f64], mean: f64) -> f64 {
    pairwise_map_sum(values, &|x| (x - mean) * (x - mean))
}

/// Arithmetic mean (None when empty).
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| pairwise_sum(values) / values.len() as f64)
}

/// Standard deviation with `ddof` delta degrees of freedom, two-pass like numpy/pandas.
/// None when there are not more than `ddof` values.
pub fn std(values: &[f64], ddof: usize) -> Option<f64> {
    if values.len() <= ddof {
        return None;
    }
    let m = mean(values)?;
    Some((pairwise_sq_dev(values, m) / (values.len() - ddof) as f64).sqrt())
}

/// Quantile `q` in [0, 1] of sorted values, linear interpolation (numpy's default method).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let t = pos - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    // numpy's _lerp: symmetric form that is exact at both ends.
    Some(if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    })
}

/// Quantile `q` of unsorted values (reordered in place), as [`quantile_sorted`] would give on
/// the sorted values, in O(n) by selection instead of a sort.
pub fn quantile_select(values: &mut [f64], q: f64) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let t = pos - lo as f64;
    let (_, a, right) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let a = *a;
    let b = right.iter().copied().min_by(f64::total_cmp).unwrap_or(a);
    Some(if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    })
}

/// Median of unsorted values (reordered in place) as `numpy.median`: the mean of the two middle
/// values when the count is even.
pub fn median_select(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (_, b, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let b = *b;
    if n % 2 == 1 {
        return Some(b);
    }
    let a = values[..n / 2]
        .iter()
        .copied()
        .max_by(f64::total_cmp)
        .unwrap_or(b);
    Some((a + b) / 2.0)
}

/// An equal-width histogram: `edges.len() == counts.len() + 1`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

/// Equal-width histogram of sorted finite values, as `numpy.histogram(values, bins)`:
/// bins are half-open `[a, b)` except the last, which is closed.
pub fn histogram_sorted(sorted: &[f64], bins: usize) -> Option<Histogram> {
    let (&first, &last) = (sorted.first()?, sorted.last()?);
    let bins = bins.max(1);
    let (lo, hi) = if first == last {
        (first - 0.5, last + 0.5)
    } else {
        (first, last)
    };
    let step = (hi - lo) / bins as f64;
    let mut edges: Vec<f64> = (0..=bins).map(|i| i as f64 * step + lo).collect();
    edges[bins] = hi;
    let mut counts = Vec::with_capacity(bins);
    let mut start = 0;
    for i in 0..bins {
        let end = if i + 1 == bins {
            sorted.len()
        } else {
            let edge = edges[i + 1];
            start + sorted[start..].partition_point(|&v| v < edge)
        };
        counts.push((end - start) as u64);
        start = end;
    }
    Some(Histogram { edges, counts })
}

/// Number of bins for a histogram of `n` values: Sturges' rule, kept readable (5..=30).
pub fn sturges_bins(n: usize) -> usize {
    if n == 0 {
        return 1;
    }
    ((n as f64).log2().ceil() as usize + 1).clamp(5, 30)
}

/// Number of distinct values in a sorted slice (`-0.0 == 0.0`).
pub fn distinct_sorted<T: PartialEq>(sorted: &[T]) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    1 + sorted.windows(2).filter(|w| w[0] != w[1]).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairwise_sum_is_exact_on_integers() {
        let v: Vec<f64> = (1..=10_000).map(f64::from).collect();
        assert_eq!(pairwise_sum(&v), 50_005_000.0);
        assert_eq!(pairwise_sum(&[]), 0.0);
    }

    #[test]
    fn std_uses_ddof() {
        let v = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(std(&v, 0), Some(2.0));
        assert!((std(&v, 1).unwrap() - 2.138_089_935_299_395).abs() < 1e-15);
        assert_eq!(std(&[1.0], 1), None);
    }

    #[test]
    fn quantiles_interpolate_linearly() {
        // numpy.quantile([1, 2, 3, 4], [0, .25, .5, .75, 1]) == [1, 1.75, 2.5, 3.25, 4]
        let v = [1.0, 2.0, 3.0, 4.0];
        let got: Vec<f64> = [0.0, 0.25, 0.5, 0.75, 1.0]
            .iter()
            .map(|&q| quantile_sorted(&v, q).unwrap())
            .collect();
        assert_eq!(got, vec![1.0, 1.75, 2.5, 3.25, 4.0]);
        assert_eq!(quantile_sorted(&[], 0.5), None);
    }

    #[test]
    fn histogram_matches_numpy() {
        // numpy.histogram([0, 1, 1, 2, 3, 3, 3, 4], bins=4)
        // -> counts [1, 2, 1, 4], edges [0, 1, 2, 3, 4]
        let h = histogram_sorted(&[0.0, 1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 4.0], 4).unwrap();
        assert_eq!(h.counts, vec![1, 2, 1, 4]);
        assert_eq!(h.edges, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
        // numpy.histogram([5, 5], bins=2) -> counts [0, 2], edges [4.5, 5, 5.5]
        let h = histogram_sorted(&[5.0, 5.0], 2).unwrap();
        assert_eq!(h.counts, vec![0, 2]);
        assert_eq!(h.edges, vec![4.5, 5.0, 5.5]);
    }

    #[test]
    fn selection_quantiles_match_sorted_ones() {
        let v = [5.0, -1.0, 3.5, 3.5, 10.0, 0.25, 7.0, 2.0];
        let mut sorted = v.to_vec();
        sorted.sort_by(f64::total_cmp);
        for q in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0] {
            assert_eq!(
                quantile_select(&mut v.to_vec(), q),
                quantile_sorted(&sorted, q)
            );
        }
        // numpy.median([5, -1, 3.5, 3.5, 10, 0.25, 7, 2]) == 3.5; of the first 7 values: 3.5.
        assert_eq!(median_select(&mut v.to_vec()), Some(3.5));
        assert_eq!(median_select(&mut [4.0, 1.0]), Some(2.5));
        assert_eq!(median_select(&mut []), None);
    }

    #[test]
    fn distinct_counts_runs() {
        assert_eq!(distinct_sorted::<f64>(&[]), 0);
        assert_eq!(distinct_sorted(&[-0.0, 0.0, 1.0, 1.0, 2.0]), 3);
    }
}
