//! Per-column profiles with pandas semantics: counts, nulls, distinct values, moments,
//! quartiles, histograms, top categories, an inferred role, and warnings.
//!
//! Conventions (checked against pandas in tests): NaN is missing; distinct excludes missing;
//! std uses ddof = 1; quantiles interpolate linearly. Unlike pandas, ±inf are left out of
//! min/max/mean/std/quantiles/histogram and counted in `infinite` with a warning, so one inf
//! does not hide every other statistic.

use std::sync::atomic::{AtomicU64, Ordering};

use polars::prelude::*;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::error::{Result, catch_panics};
use super::progress::{CancelFlag, Progress, ProgressFn, Stage};
use super::stats::{self, Histogram};
use super::text::{escape_control, format_count};

/// How many top values are kept per column.
const TOP_N: usize = 10;
/// Distinct values above which a categorical column is "high cardinality".
pub const HIGH_CARDINALITY: u64 = 50;
/// Numeric columns with at most this many distinct values also get a top-values list.
const NUMERIC_TOP_MAX_DISTINCT: u64 = 20;
/// Values a column needs before it can be called an identifier.
pub const ID_MIN_VALUES: u64 = 20;
/// Whole numbers with more distinct values than [`HIGH_CARDINALITY`] are an identifier from
/// this share of distinct values on (a sample of ids, ids with gaps, in any order).
pub const ID_NUMBER_SHARE: f64 = 0.95;
/// Labels with more distinct values than [`HIGH_CARDINALITY`] are an identifier (or nearly
/// one, like a ticket number) above this share: most values occur once or twice, so they
/// cannot be compared as categories.
pub const ID_LABEL_SHARE: f64 = 0.5;

/// What kind of values an identifier test looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdValues {
    /// Whole numbers (an integer type).
    Integers,
    /// Text or categories (free text is told apart first, by its length and words).
    Labels,
}

/// The one rule for "identifier", shared by the profile, the automatic feature spec and the
/// drift check: a column whose values name rows instead of measuring them. `values` counts
/// the non-missing values, `distinct` the different ones, whatever their order.
pub fn is_identifier(kind: IdValues, values: u64, distinct: u64) -> bool {
    if values < ID_MIN_VALUES {
        return false;
    }
    let share = distinct as f64 / values as f64;
    match kind {
        IdValues::Integers => {
            distinct == values || (distinct > HIGH_CARDINALITY && share >= ID_NUMBER_SHARE)
        }
        IdValues::Labels => distinct > HIGH_CARDINALITY && share > ID_LABEL_SHARE,
    }
}

/// Why a column is an identifier, in words (for the reason of an untested drift column).
pub fn identifier_reason(values: u64, distinct: u64) -> String {
    if distinct == values {
        format!(
            "an identifier: a different value in each of its {} rows; not a feature to test",
            format_count(values)
        )
    } else {
        format!(
            "an identifier: {} different values in {} rows ({:.0}%), too many to compare; \
             not a feature to test",
            format_count(distinct),
            format_count(values),
            distinct as f64 / values.max(1) as f64 * 100.0
        )
    }
}

/// What a column is for, as far as its values tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Numeric,
    Categorical,
    Boolean,
    Datetime,
    Text,
    Id,
    Constant,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Numeric => "numeric",
            Role::Categorical => "categorical",
            Role::Boolean => "boolean",
            Role::Datetime => "datetime",
            Role::Text => "text",
            Role::Id => "id",
            Role::Constant => "constant",
        }
    }
}

/// Kinds of profile warnings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    Constant,
    AllNull,
    ManyNulls,
    HighCardinality,
    IdLike,
    MixedTypes,
    InfiniteValues,
    Unsupported,
    Load,
}

/// One thing a user should look at, for one column or the whole dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileWarning {
    pub column: Option<String>,
    pub kind: WarningKind,
    pub message: String,
}

/// A value and how often it occurs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopValue {
    pub value: String,
    pub count: u64,
}

/// Everything known about one column.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    pub dtype: String,
    pub role: Role,
    /// Non-missing values.
    pub count: u64,
    pub nulls: u64,
    pub null_share: f64,
    /// Distinct non-missing values.
    pub distinct: u64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub mean: Option<f64>,
    pub std: Option<f64>,
    pub q25: Option<f64>,
    pub median: Option<f64>,
    pub q75: Option<f64>,
    /// ±inf values (numeric columns).
    pub infinite: u64,
    /// Smallest and largest value as text (datetimes, and numbers for display).
    pub min_label: Option<String>,
    pub max_label: Option<String>,
    pub histogram: Option<Histogram>,
    pub top: Vec<TopValue>,
    pub warnings: Vec<WarningKind>,
}

/// The profile of a whole table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetProfile {
    pub rows: u64,
    pub columns: Vec<ColumnProfile>,
    pub warnings: Vec<ProfileWarning>,
}

impl DatasetProfile {
    pub fn column(&self, name: &str) -> Option<&ColumnProfile> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Profile every column, in parallel. Reports `profile` progress per column.
pub fn profile(
    df: &DataFrame,
    cancel: &CancelFlag,
    progress: ProgressFn,
) -> Result<DatasetProfile> {
    catch_panics("profiling", || {
        let started = std::time::Instant::now();
        let total = df.width() as u64;
        let done = AtomicU64::new(0);
        progress(Progress::new(Stage::Profile, 0, total));
        let columns = df
            .columns()
            .par_iter()
            .map(|column| {
                cancel.check()?;
                let p = profile_column(column.as_materialized_series());
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                progress(Progress::new(Stage::Profile, n, total));
                p
            })
            .collect::<Result<Vec<_>>>()?;
        let mut warnings = Vec::new();
        for c in &columns {
            for &kind in &c.warnings {
                warnings.push(ProfileWarning {
                    column: Some(c.name.clone()),
                    kind,
                    message: warning_message(c, kind),
                });
            }
        }
        tracing::info!(
            columns = total,
            rows = df.height(),
            seconds = started.elapsed().as_secs_f64(),
            "profiled"
        );
        Ok(DatasetProfile {
            rows: df.height() as u64,
            columns,
            warnings,
        })
    })
}

fn warning_message(c: &ColumnProfile, kind: WarningKind) -> String {
    let name = escape_control(&c.name);
    match kind {
        WarningKind::Constant => format!("{name}: constant (one distinct value)"),
        WarningKind::AllNull => format!("{name}: every value is missing"),
        WarningKind::ManyNulls => {
            format!("{name}: {:.0}% of values are missing", c.null_share * 100.0)
        }
        WarningKind::HighCardinality => format!(
            "{name}: high cardinality ({} distinct values)",
            format_count(c.distinct)
        ),
        WarningKind::IdLike => format!(
            "{name}: looks like an identifier ({} different values in {} rows); not a useful feature",
            format_count(c.distinct),
            format_count(c.count)
        ),
        WarningKind::MixedTypes => {
            let example = c
                .top
                .iter()
                .find(|t| parse_number(&t.value).is_none())
                .map(|t| format!(" (e.g. '{}')", escape_control(&t.value)))
                .unwrap_or_default();
            format!("{name}: mixed types: mostly numbers, with some text{example}; read as text")
        }
        WarningKind::InfiniteValues => format!(
            "{name}: {} infinite values, left out of the statistics",
            format_count(c.infinite)
        ),
        WarningKind::Unsupported => {
            format!(
                "{name}: nested or binary values ({}) are not profiled",
                c.dtype
            )
        }
        WarningKind::Load => String::new(),
    }
}

fn empty_profile(series: &Series) -> ColumnProfile {
    let rows = series.len() as u64;
    let nulls = series.null_count() as u64;
    ColumnProfile {
        name: series.name().to_string(),
        dtype: series.dtype().to_string(),
        role: Role::Constant,
        count: rows - nulls,
        nulls,
        null_share: if rows == 0 {
            0.0
        } else {
            nulls as f64 / rows as f64
        },
        distinct: 0,
        min: None,
        max: None,
        mean: None,
        std: None,
        q25: None,
        median: None,
        q75: None,
        infinite: 0,
        min_label: None,
        max_label: None,
        histogram: None,
        top: Vec::new(),
        warnings: Vec::new(),
    }
}

/// Profile one column.
pub fn profile_column(series: &Series) -> Result<ColumnProfile> {
    let mut p = match series.dtype() {
        // u64 beyond i64::MAX would not survive a cast to i64: profile it as floats.
        dt if dt.is_float() || *dt == DataType::UInt64 => profile_float(series)?,
        dt if dt.is_integer() => profile_integer(series)?,
        DataType::Boolean => profile_bool(series)?,
        DataType::String => profile_strings(series.str()?, series),
        DataType::Categorical(_, _) | DataType::Enum(_, _) => {
            let s = series.cast(&DataType::String)?;
            profile_strings(s.str()?, series)
        }
        DataType::Date | DataType::Datetime(_, _) | DataType::Time | DataType::Duration(_) => {
            profile_temporal(series)?
        }
        // A column with no values at all (JSON/Parquet `null` type): the all-null warning says it.
        DataType::Null => empty_profile(series),
        _ => {
            let mut p = empty_profile(series);
            p.role = Role::Text;
            p.warnings.push(WarningKind::Unsupported);
            p
        }
    };
    add_common_warnings(&mut p);
    Ok(p)
}

fn add_common_warnings(p: &mut ColumnProfile) {
    let rows = p.count + p.nulls;
    if rows > 0 && p.count == 0 {
        p.role = Role::Constant;
        p.warnings.insert(0, WarningKind::AllNull);
        return;
    }
    if p.distinct == 1 {
        p.role = Role::Constant;
        p.warnings.insert(0, WarningKind::Constant);
    }
    if p.null_share >= 0.5 {
        p.warnings.push(WarningKind::ManyNulls);
    }
    if p.role == Role::Id {
        p.warnings.push(WarningKind::IdLike);
    }
}

/// Non-missing float values (NaN counts as missing), with the null count.
fn float_values(series: &Series) -> Result<Vec<f64>> {
    let s = series.cast(&DataType::Float64)?;
    let ca = s.f64()?;
    let mut out = Vec::with_capacity(ca.len() - ca.null_count());
    for arr in ca.downcast_iter() {
        match arr.validity().filter(|v| v.unset_bits() > 0) {
            None => out.extend(arr.values().iter().copied().filter(|v| !v.is_nan())),
            Some(validity) => out.extend(
                arr.values()
                    .iter()
                    .zip(validity.iter())
                    .filter(|(v, ok)| *ok && !v.is_nan())
                    .map(|(v, _)| *v),
            ),
        }
    }
    Ok(out)
}

fn numeric_from_sorted(series: &Series, sorted: &[f64], distinct: u64) -> ColumnProfile {
    let mut p = empty_profile(series);
    let rows = series.len() as u64;
    p.count = sorted.len() as u64;
    p.nulls = rows - p.count;
    p.null_share = if rows == 0 {
        0.0
    } else {
        p.nulls as f64 / rows as f64
    };
    p.distinct = distinct;
    p.role = Role::Numeric;
    let lo = sorted.partition_point(|v| *v == f64::NEG_INFINITY);
    let hi = sorted.partition_point(|v| *v < f64::INFINITY);
    let finite = &sorted[lo..hi];
    p.infinite = (sorted.len() - finite.len()) as u64;
    if p.infinite > 0 {
        p.warnings.push(WarningKind::InfiniteValues);
    }
    p.min = finite.first().copied();
    p.max = finite.last().copied();
    p.mean = stats::mean(finite);
    p.std = stats::std(finite, 1);
    p.q25 = stats::quantile_sorted(finite, 0.25);
    p.median = stats::quantile_sorted(finite, 0.5);
    p.q75 = stats::quantile_sorted(finite, 0.75);
    p.histogram = stats::histogram_sorted(finite, stats::sturges_bins(finite.len()));
    if distinct <= NUMERIC_TOP_MAX_DISTINCT {
        p.top = top_from_sorted(sorted, |v| super::text::format_number(*v));
    }
    p
}

/// Top values of a sorted slice by run length (ties: smaller value first).
fn top_from_sorted<T: PartialEq>(sorted: &[T], label: impl Fn(&T) -> String) -> Vec<TopValue> {
    let mut runs: Vec<(usize, usize)> = Vec::new(); // (start, len)
    let mut start = 0;
    for i in 1..=sorted.len() {
        if i == sorted.len() || sorted[i] != sorted[start] {
            runs.push((start, i - start));
            start = i;
        }
    }
    runs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    runs.truncate(TOP_N);
    runs.into_iter()
        .map(|(s, n)| TopValue {
            value: label(&sorted[s]),
            count: n as u64,
        })
        .collect()
}

fn profile_float(series: &Series) -> Result<ColumnProfile> {
    let mut values = float_values(series)?;
    radsort::sort(&mut values);
    let distinct = stats::distinct_sorted(&values) as u64;
    let mut p = numeric_from_sorted(series, &values, distinct);
    if is_zero_one(&values, distinct) {
        p.role = Role::Boolean;
    }
    Ok(p)
}

fn is_zero_one(sorted: &[f64], distinct: u64) -> bool {
    distinct == 2 && sorted.first() == Some(&0.0) && sorted.last() == Some(&1.0)
}

fn profile_integer(series: &Series) -> Result<ColumnProfile> {
    let s = series.cast(&DataType::Int64)?;
    let ca = s.i64()?;
    let mut ints: Vec<i64> = Vec::with_capacity(ca.len() - ca.null_count());
    for arr in ca.downcast_iter() {
        match arr.validity().filter(|v| v.unset_bits() > 0) {
            None => ints.extend_from_slice(arr.values()),
            Some(validity) => ints.extend(
                arr.values()
                    .iter()
                    .zip(validity.iter())
                    .filter(|(_, ok)| *ok)
                    .map(|(v, _)| *v),
            ),
        }
    }
    radsort::sort(&mut ints);
    let distinct = stats::distinct_sorted(&ints) as u64;
    let values: Vec<f64> = ints.iter().map(|&v| v as f64).collect();
    let mut p = numeric_from_sorted(series, &values, distinct);
    if distinct <= NUMERIC_TOP_MAX_DISTINCT {
        p.top = top_from_sorted(&ints, |v| v.to_string());
    }
    if is_zero_one(&values, distinct) {
        p.role = Role::Boolean;
    } else if is_identifier(IdValues::Integers, ints.len() as u64, distinct) {
        p.role = Role::Id;
    }
    Ok(p)
}

fn profile_bool(series: &Series) -> Result<ColumnProfile> {
    let ca = series.bool()?;
    let trues = ca.sum().unwrap_or(0) as u64;
    let mut p = empty_profile(series);
    let falses = p.count - trues;
    p.distinct = u64::from(trues > 0) + u64::from(falses > 0);
    p.role = Role::Boolean;
    let mut top = vec![
        TopValue {
            value: "true".into(),
            count: trues,
        },
        TopValue {
            value: "false".into(),
            count: falses,
        },
    ];
    top.retain(|t| t.count > 0);
    top.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
    p.top = top;
    if p.count > 0 {
        p.mean = Some(trues as f64 / p.count as f64);
    }
    Ok(p)
}

/// Numbers as a person might type them in a text column.
fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>().ok()
}

const BOOL_PAIRS: &[(&str, &str)] = &[
    ("false", "true"),
    ("no", "yes"),
    ("n", "y"),
    ("f", "t"),
    ("0", "1"),
    ("off", "on"),
];

fn profile_strings(ca: &StringChunked, original: &Series) -> ColumnProfile {
    let mut p = empty_profile(original);
    let mut counts: PlHashMap<&str, u64> = PlHashMap::new();
    let mut total_chars: u64 = 0;
    let mut total_spaces: u64 = 0;
    for s in ca.iter().flatten() {
        *counts.entry(s).or_insert(0) += 1;
    }
    for (s, n) in &counts {
        total_chars += s.chars().count() as u64 * n;
        total_spaces += s.bytes().filter(|b| *b == b' ').count() as u64 * n;
    }
    p.distinct = counts.len() as u64;
    let mut entries: Vec<(&str, u64)> = counts.iter().map(|(k, v)| (*k, *v)).collect();
    entries.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let numeric: u64 = entries
        .iter()
        .filter(|(s, _)| parse_number(s).is_some())
        .map(|(_, n)| n)
        .sum();
    p.top = entries
        .iter()
        .take(TOP_N)
        .map(|(v, n)| TopValue {
            value: (*v).to_string(),
            count: *n,
        })
        .collect();
    if numeric > 0 && numeric < p.count && numeric * 2 >= p.count {
        p.warnings.push(WarningKind::MixedTypes);
        // Make sure a text example is among the listed values.
        if let Some((v, n)) = entries.iter().find(|(s, _)| parse_number(s).is_none())
            && !p.top.iter().any(|t| t.value == *v)
        {
            p.top.push(TopValue {
                value: (*v).to_string(),
                count: *n,
            });
        }
    }
    let count = p.count.max(1);
    let mean_len = total_chars as f64 / count as f64;
    let mean_words = 1.0 + total_spaces as f64 / count as f64;
    p.role = if p.distinct == 2 && is_bool_pair(&entries) {
        Role::Boolean
    } else if is_identifier(IdValues::Labels, p.count, p.distinct) {
        if mean_words >= 3.0 || mean_len >= 40.0 {
            Role::Text
        } else {
            Role::Id
        }
    } else {
        Role::Categorical
    };
    if p.role == Role::Categorical && p.distinct > HIGH_CARDINALITY {
        p.warnings.push(WarningKind::HighCardinality);
    }
    p
}

fn is_bool_pair(entries: &[(&str, u64)]) -> bool {
    let mut pair: Vec<String> = entries
        .iter()
        .map(|(s, _)| s.trim().to_lowercase())
        .collect();
    pair.sort();
    BOOL_PAIRS.iter().any(|(a, b)| {
        pair.first().map(String::as_str) == Some(*a) && pair.get(1).map(String::as_str) == Some(*b)
    })
}

fn profile_temporal(series: &Series) -> Result<ColumnProfile> {
    let physical = series.to_physical_repr();
    let phys = physical.cast(&DataType::Int64)?;
    let ca = phys.i64()?;
    let mut ints: Vec<i64> = ca.iter().flatten().collect();
    radsort::sort(&mut ints);
    let mut p = empty_profile(series);
    p.role = Role::Datetime;
    p.distinct = stats::distinct_sorted(&ints) as u64;
    let label = |v: i64| -> Option<String> {
        let one = Series::new("".into(), &[v]).cast(series.dtype()).ok()?;
        let value = one.get(0).ok()?;
        Some(value.to_string().trim_matches('"').to_string())
    };
    if let (Some(&lo), Some(&hi)) = (ints.first(), ints.last()) {
        p.min_label = label(lo);
        p.max_label = label(hi);
    }
    let values: Vec<f64> = ints.iter().map(|&v| v as f64).collect();
    p.histogram = stats::histogram_sorted(&values, stats::sturges_bins(values.len()));
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(df: &DataFrame, name: &str) -> ColumnProfile {
        profile_column(df.column(name).unwrap().as_materialized_series()).unwrap()
    }

    #[test]
    fn nan_is_missing_and_inf_is_counted() {
        let df =
            df!("x" => [Some(1.0), None, Some(f64::NAN), Some(3.0), Some(f64::INFINITY)]).unwrap();
        let p = col(&df, "x");
        assert_eq!((p.count, p.nulls, p.infinite, p.distinct), (3, 2, 1, 3));
        assert_eq!(p.mean, Some(2.0));
        assert_eq!(p.max, Some(3.0));
        assert!(p.warnings.contains(&WarningKind::InfiniteValues));
    }

    #[test]
    fn roles_are_inferred() {
        let ids: Vec<i64> = (0..100).collect();
        let cats: Vec<&str> = (0..100).map(|i| ["a", "b", "c"][i % 3]).collect();
        let yes: Vec<&str> = (0..100)
            .map(|i| if i % 2 == 0 { "Yes" } else { "No" })
            .collect();
        let constant = vec![7i64; 100];
        let df = df!("id" => &ids, "cat" => &cats, "yes" => &yes, "k" => &constant).unwrap();
        assert_eq!(col(&df, "id").role, Role::Id);
        assert_eq!(col(&df, "cat").role, Role::Categorical);
        assert_eq!(col(&df, "yes").role, Role::Boolean);
        assert_eq!(col(&df, "k").role, Role::Constant);
        assert!(col(&df, "k").warnings.contains(&WarningKind::Constant));
    }

    #[test]
    fn all_null_column_is_flagged() {
        let df = df!("n" => [None::<f64>, None, None]).unwrap();
        let p = col(&df, "n");
        assert_eq!(p.role, Role::Constant);
        assert_eq!(p.warnings[0], WarningKind::AllNull);
        assert_eq!(p.mean, None);
    }

    #[test]
    fn mixed_text_and_numbers_are_flagged() {
        let v: Vec<&str> = (0..30)
            .map(|i| if i == 7 { "n/a?" } else { "12" })
            .collect();
        let df = df!("m" => &v).unwrap();
        let p = col(&df, "m");
        assert!(p.warnings.contains(&WarningKind::MixedTypes));
        assert!(warning_message(&p, WarningKind::MixedTypes).contains("n/a?"));
    }
}
