//! Test planning: how each column is read (from the two dtypes), which test applies and
//! which one Evidently would choose, the identifier rule, and the verdict against a threshold.

use super::*;

/// How one column will be read, decided from the two dtypes before any value is touched.
pub(super) enum Plan {
    Untested(Box<ColumnDrift>),
    Number,
    Label,
}

pub(super) fn plan_column(
    name: &str,
    r: &ColumnInfo,
    c: &ColumnInfo,
    findings: &mut Vec<Finding>,
) -> Plan {
    let (rt, ct) = (r.class, c.class);
    let (rn, cn) = (r.dtype.as_str(), c.dtype.as_str());
    let changed = rn != cn;
    let untested = |kind, reason: String| {
        Plan::Untested(Box::new(ColumnDrift::untested_with(
            name,
            kind,
            reason,
            r.unread_side(),
            c.unread_side(),
        )))
    };
    if matches!(rt, DtypeClass::Null) || matches!(ct, DtypeClass::Null) {
        for (side, class) in [("reference", rt), ("current", ct)] {
            if matches!(class, DtypeClass::Null) {
                findings.push(Finding::about(
                    name,
                    FindingKind::AllNull,
                    &format!("every value is missing in the {side} data"),
                ));
            }
        }
        return untested(
            ColumnKind::Untestable,
            "no values on one side (null type)".into(),
        );
    }
    match (rt, ct) {
        (DtypeClass::Number { .. }, DtypeClass::Number { .. })
        | (DtypeClass::Label, DtypeClass::Label) => {
            if changed {
                findings.push(Finding::about(
                    name,
                    FindingKind::TypeChanged,
                    &format!("type changed from {rn} to {cn}; values are still compared"),
                ));
            }
            if matches!(rt, DtypeClass::Label) {
                Plan::Label
            } else {
                Plan::Number
            }
        }
        (DtypeClass::Temporal, DtypeClass::Temporal) => untested(
            ColumnKind::Datetime,
            "dates move by design; test a derived feature (age, weekday) instead".into(),
        ),
        (DtypeClass::Other, _) | (_, DtypeClass::Other) => untested(
            ColumnKind::Unsupported,
            format!("type {rn} / {cn} cannot be tested"),
        ),
        _ => {
            findings.push(Finding::about(
                name,
                FindingKind::TypeChanged,
                &format!(
                    "type changed from {rn} to {cn}; not tested — cast one side so \
                     both hold the same kind of values"
                ),
            ));
            untested(
                ColumnKind::Untestable,
                format!("type changed from {rn} to {cn}"),
            )
        }
    }
}

pub(super) fn side(
    values: u64,
    nulls: u64,
    infinite: u64,
    distinct: u64,
    dtype: &str,
) -> SideStats {
    let rows = values + nulls + infinite;
    SideStats {
        values,
        nulls,
        infinite,
        null_share: if rows == 0 {
            0.0
        } else {
            (nulls + infinite) as f64 / rows as f64
        },
        distinct,
        dtype: Some(dtype.to_string()),
    }
}

/// The default test (DESIGN.md §8, Evidently's rules) and the one-line reason for it.
pub(super) fn default_test(kind: ColumnKind, ref_values: u64, distinct: u64) -> (Method, String) {
    let small = ref_values <= SMALL_REFERENCE;
    let size = if small {
        format!("reference ≤ {SMALL_REFERENCE} values")
    } else {
        format!("reference > {SMALL_REFERENCE} values")
    };
    let values = format!("{} distinct values", format_count(distinct));
    let (m, why) = match (kind, small) {
        (ColumnKind::Numeric, true) if distinct > 5 => (Method::Ks, format!("numeric, {values}")),
        (ColumnKind::Numeric, true) if distinct > 2 => {
            (Method::ChiSquare, format!("numeric with only {values}"))
        }
        (ColumnKind::Numeric, true) => (Method::ZTest, format!("binary ({values})")),
        (ColumnKind::Numeric, false) if distinct > 5 => {
            (Method::Wasserstein, format!("numeric, {values}"))
        }
        (ColumnKind::Numeric, false) => {
            (Method::JensenShannon, format!("numeric with only {values}"))
        }
        (_, true) if distinct > 2 => (Method::ChiSquare, format!("categorical, {values}")),
        (_, true) => (Method::ZTest, format!("binary ({values})")),
        (_, false) => (Method::JensenShannon, format!("categorical, {values}")),
    };
    (m, format!("{why}, {size}: {}", m.label()))
}

/// Pick the test for a column: the one asked for when it applies, else the default.
pub(super) fn choose(
    name: &str,
    kind: ColumnKind,
    ref_values: u64,
    distinct: u64,
    tests: &[TestResult],
    options: &DriftOptions,
) -> Result<(Method, String)> {
    let (auto, auto_reason) = default_test(kind, ref_values, distinct);
    match options.method_for(name) {
        Some((m, how)) if tests.iter().any(|t| t.test == m) => {
            Ok((m, format!("{} ({how})", m.label())))
        }
        // Asked for by name where it cannot mean anything: a usage error naming the column.
        Some((m, _)) if options.column_methods.contains_key(name) => {
            let usable: Vec<&str> = tests.iter().map(|t| t.test.name()).collect();
            Err(PipelineError::BadRequest(format!(
                "--method {name}={m}: {}, and '{name}' is {} with {} distinct values; tests \
                 that apply to it: {}",
                applies_to(m),
                kind.name(),
                format_count(distinct),
                usable.join(", ")
            )))
        }
        Some((m, _)) => Ok((
            auto,
            format!("{m} does not apply to this column; {auto_reason}"),
        )),
        None => Ok((auto, auto_reason)),
    }
}

/// Finish a tested column: thresholds, the chosen test, the verdict.
pub(super) fn finish(mut col: ColumnDrift, options: &DriftOptions) -> Result<ColumnDrift> {
    let distinct = col.distinct.unwrap_or(0);
    let (m, reason) = choose(
        &col.name,
        col.kind,
        col.reference.values,
        distinct,
        &col.tests,
        options,
    )?;
    // A threshold goes with the test it was given for: when the requested test does not apply
    // and the default is used instead, so is the default's threshold.
    let requested = options.method_for(&col.name).map(|(r, _)| r);
    if let Some(t) = options.threshold_for(&col.name)
        && requested.is_none_or(|r| r == m)
        && let Some(r) = col.tests.iter_mut().find(|r| r.test == m)
    {
        p_value_threshold(&format!("the threshold of {}", col.name), m, t)?;
        r.threshold = t;
        r.drifted = m.drifted(r.score, t);
    }
    if let Some(chosen) = col.tests.iter().find(|r| r.test == m).cloned() {
        col.apply(&chosen);
        col.tested = true;
    }
    col.reason = reason;
    if let Some(r) = col.result()
        && let Some(bound) = r.bound
    {
        let near = (r.score - r.threshold).abs() <= bound;
        col.reason.push_str(if near {
            "; from a sketch, and the threshold lies within its error: the verdict on all \
             rows may differ"
        } else {
            "; from a sketch (approximate, the verdict holds within its error)"
        });
    }
    Ok(col)
}

pub(super) fn untestable_side(name: &str, rs: SideStats, cs: SideStats) -> ColumnDrift {
    let which = match (rs.values, cs.values) {
        (0, 0) => "both sides",
        (0, _) => "the reference",
        _ => "the current data",
    };
    let reason = if rs.infinite + cs.infinite > 0 {
        format!("no finite values in {which} (all missing or ±inf)")
    } else {
        format!("no values in {which} (all missing)")
    };
    ColumnDrift::untested_with(name, ColumnKind::Untestable, reason, rs, cs)
}

/// A whole-number column that the identifier rule (the profile's, [`profile::is_identifier`])
/// calls an identifier, as an untested column; `None` when it is a feature to test, or when
/// the user asked for a test on this column by name (that overrides the rule).
pub(super) fn identifier_column(
    name: &str,
    integer: bool,
    values: u64,
    distinct: u64,
    options: &DriftOptions,
) -> Option<ColumnDrift> {
    let is_id = integer && profile::is_identifier(IdValues::Integers, values, distinct);
    (is_id && !options.column_methods.contains_key(name)).then(|| {
        ColumnDrift::untested(
            name,
            ColumnKind::Id,
            format!(
                "{} (--method {name}=TEST, or :method {name}=TEST in the TUI, tests it anyway)",
                profile::identifier_reason(values, distinct)
            ),
        )
    })
}

/// What a label column is when it is not a category to test: free text or an identifier, by
/// the profile's rule ([`profile::is_identifier`]), decided from the reference alone.
pub fn label_role(l: &LabelSummary) -> Option<(ColumnKind, String)> {
    if !profile::is_identifier(IdValues::Labels, l.values, l.distinct) {
        return None;
    }
    if l.mean_words() >= 3.0 || l.mean_chars() >= 40.0 {
        Some((
            ColumnKind::Text,
            "free text: too many distinct values to compare as categories".into(),
        ))
    } else {
        Some((
            ColumnKind::Id,
            profile::identifier_reason(l.values, l.distinct),
        ))
    }
}

/// The tests on two aligned count vectors that apply to them: chi-square for categories and
/// for numbers with few values (at most [`PER_VALUE_BINS`]), the Z-test for binary columns
/// (at most two values).
pub(super) fn count_tests(a: &[f64], b: &[f64], categories: bool) -> Vec<TestResult> {
    let mut out = Vec::new();
    if categories || a.len() as u64 <= PER_VALUE_BINS {
        let (chi, p_chi) = measures::chi_square(a, b);
        out.push(TestResult::at_default(Method::ChiSquare, chi, Some(p_chi)));
    }
    if a.len() <= 2 {
        let (z, p_z) = measures::z_test(a, b);
        out.push(TestResult::at_default(Method::ZTest, z, Some(p_z)));
    }
    out
}
