//! The test battery: every numeric test from two sketches (a table's exact values, a baseline
//! or a streamed side), and the category tests from two sets of counts.

use super::*;

/// A numeric column of two tables: each side's values, sorted, as an exact sketch (no bound),
/// through the one numeric test battery.
pub(super) fn numeric_column(
    name: &str,
    r: &Series,
    c: &Series,
    ri: &ColumnInfo,
    ci: &ColumnInfo,
    options: &DriftOptions,
) -> Result<ColumnDrift> {
    let (rn, cn) = rayon::join(|| sample::numbers(r), || sample::numbers(c));
    let (rn, cn) = (rn?, cn?);
    let (a, b) = rayon::join(
        || NumericSketch::from_sorted(&rn.sorted, rn.nulls, rn.infinite),
        || NumericSketch::from_sorted(&cn.sorted, cn.nulls, cn.infinite),
    );
    // The sketches hold every distinct value: the sorted copies can go before the tests run.
    drop((rn, cn));
    numeric_from_sketches(name, &a, &b, ri, ci, options)
}

pub(super) fn labels_from_summaries(
    name: &str,
    rl: &LabelSummary,
    cl: &LabelSummary,
    ri: &ColumnInfo,
    ci: &ColumnInfo,
    options: &DriftOptions,
) -> Result<ColumnDrift> {
    let rs = side(rl.values, rl.nulls, 0, rl.distinct, &ri.dtype);
    let cs = side(cl.values, cl.nulls, 0, cl.distinct, &ci.dtype);
    if rs.values == 0 || cs.values == 0 {
        return Ok(untestable_side(name, rs, cs));
    }
    let by_name = options.column_methods.contains_key(name);
    if let Some((kind, reason)) = label_role(rl).filter(|_| !by_name) {
        return Ok(ColumnDrift::untested_with(name, kind, reason, rs, cs));
    }
    if cl.uncounted || rl.uncounted || (rl.counts.is_empty() && rl.values > 0) {
        let kind = label_role(cl).map_or(ColumnKind::Id, |(k, _)| k);
        let reason = if cl.uncounted {
            format!(
                "the current values look like {} (too many distinct ones to count in a \
                 streaming pass), unlike the reference's categories",
                if kind == ColumnKind::Text {
                    "free text"
                } else {
                    "identifiers"
                }
            )
        } else {
            // Asked for by name, but the baseline kept no counts of this identifier column.
            "the reference side kept no per-value counts of this column (a baseline or a \
             streaming pass drops them for identifiers and free text): check it against the \
             reference data instead"
                .to_string()
        };
        return Ok(ColumnDrift::untested_with(name, kind, reason, rs, cs));
    }
    let (keys, a, b) = sample::align(&rl.counts, &cl.counts);
    let mut tests = count_tests(&a, &b, true);
    let js = measures::jensen_shannon(&a, &b);
    tests.push(TestResult::at_default(Method::JensenShannon, js, None));
    let psi = measures::psi(&a, &b);
    tests.push(TestResult::at_default(Method::Psi, psi, None));
    let mut col = ColumnDrift::untested_with(name, ColumnKind::Categorical, String::new(), rs, cs);
    col.distinct = Some(keys.len() as u64);
    col.chart = Some(bars(&keys, &a, &b, true));
    col.tests = tests;
    finish(col, options)
}

/// Every numeric test from two sketches: exact ones (a table's values, or a small baseline),
/// or a baseline or a streaming pass on either side. A compacted side makes the tests
/// approximate, each with the bound of its score.
pub(super) fn numeric_from_sketches(
    name: &str,
    a: &NumericSketch,
    b: &NumericSketch,
    ri: &ColumnInfo,
    ci: &ColumnInfo,
    options: &DriftOptions,
) -> Result<ColumnDrift> {
    let integer = matches!(ri.class, DtypeClass::Number { integer: true });
    let rs = side(a.n, a.nulls, a.infinite, a.distinct, &ri.dtype);
    let cs = side(b.n, b.nulls, b.infinite, b.distinct, &ci.dtype);
    let (Some((alo, ahi)), Some((blo, bhi))) = (a.min().zip(a.max()), b.min().zip(b.max())) else {
        return Ok(untestable_side(name, rs, cs));
    };
    // Without duplicates every value is distinct; a compacted sketch's count is a lower bound.
    let ref_distinct = if a.duplicates { a.distinct } else { a.n };
    if let Some(col) = identifier_column(name, integer, a.n, ref_distinct, options) {
        return Ok(ColumnDrift {
            reference: rs,
            current: cs,
            ..col
        });
    }
    let exact = a.is_exact() && b.is_exact();
    let (ca, cb) = (a.cumulative(), b.cumulative());
    let walk = measures::walk_sketches(a, &ca, b, &cb, KEEP_VALUES);
    let mut tests = ks_and_wasserstein(a, b, &walk, exact).to_vec();
    let integer_bins = integer
        && matches!(ci.class, DtypeClass::Number { integer: true })
        && a.nulls + b.nulls == 0;
    let range = (alo.min(blo), ahi.max(bhi));
    let (js, chart) = js_and_chart(a, &ca, b, &cb, &walk, exact, integer_bins, range);
    tests.push(js);
    tests.push(psi_test(a, &ca, b, &cb));
    if let Some(v) = walk.values.as_ref().filter(|_| exact) {
        let x: Vec<f64> = v.iter().map(|t| t.1 as f64).collect();
        let y: Vec<f64> = v.iter().map(|t| t.2 as f64).collect();
        tests.extend(count_tests(&x, &y, false));
    }
    let mut col = ColumnDrift::untested_with(name, ColumnKind::Numeric, String::new(), rs, cs);
    col.distinct = Some(if exact {
        walk.distinct
    } else {
        walk.distinct.max(a.distinct).max(b.distinct)
    });
    col.approximate = !exact;
    col.tests = tests;
    col.chart = Some(chart);
    finish(col, options)
}

/// A score's bound, on an approximate (sketched) side only.
fn approx(t: TestResult, bound: f64, exact: bool) -> TestResult {
    TestResult {
        bound: (!exact).then_some(bound),
        ..t
    }
}

/// KS (D within the two CDF bounds; p is monotone in D, so its bound follows) and the
/// normed Wasserstein distance.
fn ks_and_wasserstein(
    a: &NumericSketch,
    b: &NumericSketch,
    walk: &measures::Walk,
    exact: bool,
) -> [TestResult; 2] {
    let (nx, ny) = (a.n, b.n);
    let cdf_bound = a.cdf_bound() + b.cdf_bound();
    let (ks_d, ks_p) = if exact {
        let d = pvalue::ks_2samp_statistic(walk.d, nx, ny);
        (d, pvalue::ks_2samp_pvalue(walk.d, nx, ny))
    } else {
        (walk.d, pvalue::ks_2samp_pvalue(walk.d, nx, ny))
    };
    let p_at = |d: f64| pvalue::ks_2samp_pvalue(d.clamp(0.0, 1.0), nx, ny);
    let p_bound = if exact {
        0.0
    } else {
        (p_at(ks_d - cdf_bound) - ks_p)
            .abs()
            .max((ks_p - p_at(ks_d + cdf_bound)).abs())
    };
    let ks = approx(
        TestResult::at_default(Method::Ks, ks_d, Some(ks_p)),
        p_bound,
        exact,
    );
    let std = a.std().max(0.001);
    let w_bound = (a.wasserstein_bound() + b.wasserstein_bound()) / std;
    let wasserstein = approx(
        TestResult::at_default(Method::Wasserstein, walk.wasserstein / std, None),
        w_bound,
        exact,
    );
    [ks, wasserstein]
}

/// Jensen–Shannon on a bin per value (few values) or Sturges' bins, with its bound, and the
/// chart drawn on the same bins.
#[allow(clippy::too_many_arguments)]
fn js_and_chart(
    a: &NumericSketch,
    ca: &[u64],
    b: &NumericSketch,
    cb: &[u64],
    walk: &measures::Walk,
    exact: bool,
    integer_bins: bool,
    (lo, hi): (f64, f64),
) -> (TestResult, Chart) {
    let every_value;
    let per_value = match &walk.values {
        _ if !exact => None,
        Some(v) => Some(v),
        None if a.distinct <= PER_VALUE_BINS => {
            every_value = measures::walk_sketches(a, ca, b, cb, usize::MAX).values;
            every_value.as_ref()
        }
        None => None,
    };
    let sturges = measures::sturges_edges(lo, hi, (a.n + b.n) as usize, integer_bins);
    let by_value = per_value.filter(|_| a.distinct <= PER_VALUE_BINS);
    // A reference of few values against a compacted current: a bin per reference value and
    // one for every other value (where the reference has no rows each value's term is linear
    // in its share, so pooling them gives the same distance as a bin each).
    let few_against_sketch = by_value.is_none() && a.is_exact() && a.distinct <= PER_VALUE_BINS;
    let (js_ref, js_cur, rest_bound) = match by_value {
        Some(v) => (
            v.iter().map(|t| t.1 as f64).collect::<Vec<_>>(),
            v.iter().map(|t| t.2 as f64).collect::<Vec<_>>(),
            0.0,
        ),
        None if few_against_sketch => {
            let mut r: Vec<f64> = a.weights.iter().map(|&w| w as f64).collect();
            let mut c: Vec<f64> = a
                .values
                .iter()
                .map(|&v| (b.count_at(v, false, cb) - b.count_at(v, true, cb)).max(0.0))
                .collect();
            let rest = (b.n as f64 - c.iter().sum::<f64>()).max(0.0);
            r.push(0.0);
            c.push(rest);
            (
                r,
                c,
                (b.error as f64 * a.values.len() as f64).min(b.n as f64),
            )
        }
        None => (
            a.histogram_counts(&sturges, ca),
            b.histogram_counts(&sturges, cb),
            b.error as f64,
        ),
    };
    let js = measures::jensen_shannon(&js_ref, &js_cur);
    let last = js_cur.len().saturating_sub(1);
    let cur_bound = |k: usize| {
        if few_against_sketch && k == last {
            rest_bound
        } else {
            b.error as f64
        }
    };
    let (lo, hi) = sketch::divergence_interval(
        &sketch::share_boxes(&js_ref, &|_| a.error as f64),
        &sketch::share_boxes(&js_cur, &cur_bound),
        measures::js_term,
    );
    let js_bound = (js - lo.max(0.0).sqrt()).max(hi.max(0.0).sqrt() - js);
    let js_test = approx(
        TestResult::at_default(Method::JensenShannon, js, None),
        js_bound,
        exact,
    );
    let chart = match by_value {
        Some(v) => {
            let labels: Vec<String> = v.iter().map(|t| number_label(t.0)).collect();
            bars(&labels, &js_ref, &js_cur, false)
        }
        None if few_against_sketch => {
            let mut labels: Vec<String> = a.values.iter().map(|&v| number_label(v)).collect();
            labels.push("(other values)".into());
            bars(&labels, &js_ref, &js_cur, false)
        }
        None => Chart::Histogram {
            reference: measures::shares(&js_ref),
            current: measures::shares(&js_cur),
            edges: sturges,
        },
    };
    (js_test, chart)
}

/// PSI: exact from kept deciles and an exact current; else bounded over every placement of
/// the data's deciles (and counts) the sketches allow.
fn psi_test(a: &NumericSketch, ca: &[u64], b: &NumericSketch, cb: &[u64]) -> TestResult {
    let (edges, ref_bins, ref_exact) = a.decile_bins(ca);
    let cur_bins = b.open_bin_counts(&edges, cb);
    let psi = measures::psi(&ref_bins, &cur_bins);
    let psi_test = TestResult::at_default(Method::Psi, psi, None);
    if ref_exact && b.is_exact() {
        psi_test
    } else {
        let (ra, rb) = if ref_exact {
            (
                sketch::share_boxes(&ref_bins, &|_| 0.0),
                sketch::share_boxes(&cur_bins, &|_| b.error as f64),
            )
        } else {
            a.decile_share_boxes(ca, &edges, b, cb)
        };
        let (lo, hi) = sketch::divergence_interval(&ra, &rb, measures::psi_term);
        TestResult {
            bound: Some((psi - lo).max(hi - psi).max(0.0)),
            ..psi_test
        }
    }
}
