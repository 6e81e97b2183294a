//! `check`: a [`FeatureSpec`] against a table's schema becomes a [`ValidFeatureSpec`] with every
//! default filled in, or a list of problems that each name the column and what to change.

use std::collections::HashSet;
use std::fmt;

use polars::prelude::{DataType, Schema};
use serde::Serialize;

use super::spec::*;
use crate::pipeline::error::PipelineError;
use crate::pipeline::text::escape_control;

/// One thing wrong with a spec.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpecProblem {
    /// The column it is about (None: the spec as a whole).
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for SpecProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.column {
            Some(c) => write!(f, "column '{}': {}", escape_control(c), self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

/// Every problem `check` found, in spec order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SpecProblems(pub Vec<SpecProblem>);

impl fmt::Display for SpecProblems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "the feature spec has {n} problem{}: ",
            if n == 1 { "" } else { "s" }
        )?;
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

impl From<SpecProblems> for PipelineError {
    fn from(p: SpecProblems) -> PipelineError {
        PipelineError::BadRequest(p.to_string())
    }
}

/// A spec that fits the table it was checked against, with every default made explicit.
#[derive(Clone, Debug, PartialEq)]
pub struct ValidFeatureSpec {
    spec: FeatureSpec,
}

impl ValidFeatureSpec {
    /// The checked spec, defaults filled in (notes kept).
    pub fn spec(&self) -> &FeatureSpec {
        &self.spec
    }

    pub fn target(&self) -> Option<&str> {
        self.spec.target()
    }

    /// The feature columns, in spec order.
    pub fn features(&self) -> impl Iterator<Item = &ColumnSpec> {
        self.spec
            .columns
            .iter()
            .filter(|c| c.role == ColumnRole::Feature)
    }

    /// A stable content hash (blake3, hex) of what the spec does: notes and the steps of columns
    /// that are not features do not count.
    pub fn hash(&self) -> String {
        let mut canonical = self.spec.clone();
        for c in &mut canonical.columns {
            c.note = None;
        }
        let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
        blake3::hash(&bytes).to_hex().to_string()
    }
}

/// What a column's values are, as far as the spec cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueClass {
    Number,
    Bool,
    Text,
    Date,
    DateTime,
    /// No values at all (the `null` type).
    Null,
    Other,
}

impl ValueClass {
    pub fn of(dtype: &DataType) -> ValueClass {
        match dtype {
            d if d.is_primitive_numeric() => ValueClass::Number,
            DataType::Boolean => ValueClass::Bool,
            DataType::String | DataType::Categorical(..) | DataType::Enum(..) => ValueClass::Text,
            DataType::Date => ValueClass::Date,
            DataType::Datetime(..) => ValueClass::DateTime,
            DataType::Null => ValueClass::Null,
            _ => ValueClass::Other,
        }
    }
}

/// Check `spec` against `schema`, the columns of the table it will be fitted on.
pub fn check(spec: &FeatureSpec, schema: &Schema) -> Result<ValidFeatureSpec, SpecProblems> {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut out = spec.clone();
    for c in &mut out.columns {
        let mut say = |message: String| {
            problems.push(SpecProblem {
                column: Some(c.name.clone()),
                message,
            })
        };
        if !seen.insert(c.name.clone()) {
            say("listed twice; keep one entry per column".into());
            continue;
        }
        let Some(dtype) = schema.get(c.name.as_str()) else {
            say(format!(
                "not in the data (its columns are: {})",
                column_list(schema)
            ));
            continue;
        };
        let class = ValueClass::of(dtype);
        match c.role {
            ColumnRole::Ignore => {}
            ColumnRole::Target => {
                if matches!(class, ValueClass::Null | ValueClass::Other) {
                    say(format!("a target needs values; this column is {dtype}"));
                }
            }
            ColumnRole::Feature => {
                for m in check_feature(c, dtype, class) {
                    say(m);
                }
                normalize(c, class);
            }
        }
        if c.role != ColumnRole::Feature {
            let (name, role, kind, note) = (c.name.clone(), c.role, c.kind, c.note.take());
            *c = ColumnSpec::new(&name, role, kind);
            c.note = note;
        }
    }
    let targets: Vec<&str> = out
        .columns
        .iter()
        .filter(|c| c.role == ColumnRole::Target)
        .map(|c| c.name.as_str())
        .collect();
    if targets.len() > 1 {
        problems.push(SpecProblem {
            column: None,
            message: format!(
                "{} columns have role = target ({}); a model has one target",
                targets.len(),
                targets.join(", ")
            ),
        });
    }
    if !out.columns.iter().any(|c| c.role == ColumnRole::Feature) {
        problems.push(SpecProblem {
            column: None,
            message: "no column has role = feature; mark at least one".into(),
        });
    }
    if problems.is_empty() {
        Ok(ValidFeatureSpec { spec: out })
    } else {
        Err(SpecProblems(problems))
    }
}

fn column_list(schema: &Schema) -> String {
    let names: Vec<String> = schema
        .iter_names()
        .take(12)
        .map(|n| escape_control(n).into_owned())
        .collect();
    let more = schema.len().saturating_sub(names.len());
    if more > 0 {
        format!("{}, … {more} more", names.join(", "))
    } else {
        names.join(", ")
    }
}

fn check_feature(c: &ColumnSpec, dtype: &DataType, class: ValueClass) -> Vec<String> {
    let mut p = Vec::new();
    match (c.kind, class) {
        (_, ValueClass::Null) => {
            p.push("every value is missing, so it cannot be a feature; set role = ignore".into())
        }
        (_, ValueClass::Other) => p.push(format!(
            "{dtype} values cannot be a feature; set role = ignore"
        )),
        (Kind::Numeric, ValueClass::Text) => p.push(format!(
            "is text ({dtype}), and numeric steps need numbers; use kind = categorical"
        )),
        (
            Kind::Numeric | Kind::Categorical | Kind::Boolean,
            ValueClass::Date | ValueClass::DateTime,
        ) => p.push("holds dates; use kind = datetime".into()),
        (Kind::Datetime, ValueClass::Number | ValueClass::Bool | ValueClass::Text) => p.push(
            format!("is not a date or time column ({dtype}); use kind = numeric or categorical"),
        ),
        _ => {}
    }
    let numeric = matches!(c.kind, Kind::Numeric | Kind::Boolean | Kind::Datetime);
    match (c.impute, &c.fill_value) {
        (Some(Impute::Mean | Impute::Median), _) if c.kind == Kind::Categorical => p.push(
            "mean and median need numbers; impute a categorical column with most_frequent or constant"
                .into(),
        ),
        (Some(Impute::Constant), None) => {
            p.push("impute = constant needs a fill_value".into())
        }
        (Some(Impute::Constant), Some(FillValue::Text(t))) if numeric => p.push(format!(
            "fill_value '{}' is not a number, and this column is {}",
            escape_control(t),
            c.kind.name()
        )),
        (Some(Impute::Constant), Some(FillValue::Number(v))) if !v.is_finite() => {
            p.push("fill_value must be a finite number".into())
        }
        (Some(Impute::Constant), Some(FillValue::Number(v)))
            if c.kind == Kind::Boolean && *v != 0.0 && *v != 1.0 =>
        {
            p.push("a boolean column's fill_value is 0 or 1".into())
        }
        (Some(Impute::Constant), _) => {}
        (_, Some(_)) => p.push("fill_value is only used with impute = constant".into()),
        _ => {}
    }
    if !c.transforms.is_empty() && c.kind != Kind::Numeric {
        p.push(format!(
            "transforms apply to numeric columns; this one is {}",
            c.kind.name()
        ));
    }
    for t in &c.transforms {
        match *t {
            Transform::Clip { lower, upper }
                if !(0.0..=1.0).contains(&lower)
                    || !(0.0..=1.0).contains(&upper)
                    || lower >= upper =>
            {
                p.push(format!(
                    "{t}: the quantiles must satisfy 0 ≤ lower < upper ≤ 1"
                ))
            }
            Transform::Bins { n } if !(2..=1000).contains(&n) => {
                p.push(format!("{t}: use 2 to 1000 bins"))
            }
            _ => {}
        }
    }
    let encode = c.encode.unwrap_or(Encode::OneHot);
    if c.kind == Kind::Categorical {
        if encode == Encode::OneHot && c.scale.is_some_and(|s| s != Scale::None) {
            p.push(
                "scaling a one-hot encoded column does nothing useful; set scale = none or encode = ordinal"
                    .into(),
            );
        }
        if let Some(s) = c.min_share.filter(|s| !(0.0..1.0).contains(s)) {
            p.push(format!("min_share {s} must be at least 0 and below 1"));
        }
        if c.max_levels == Some(0) {
            p.push("max_levels must be at least 1".into());
        }
    } else {
        if c.encode.is_some() {
            p.push(format!(
                "encode applies to categorical columns; this one is {}",
                c.kind.name()
            ));
        }
        if c.min_share.is_some() || c.max_levels.is_some() {
            p.push(format!(
                "min_share and max_levels apply to categorical columns; this one is {}",
                c.kind.name()
            ));
        }
    }
    match (&c.parts, c.kind) {
        (Some(_), k) if k != Kind::Datetime => p.push(format!(
            "parts apply to datetime columns; this one is {}",
            k.name()
        )),
        (Some(parts), _) if parts.is_empty() => {
            p.push("parts is empty; list at least one, e.g. [\"year\", \"month\"]".into())
        }
        (Some(parts), _)
            if class == ValueClass::Date
                && parts
                    .iter()
                    .any(|x| matches!(x, DatePart::Hour | DatePart::Minute)) =>
        {
            p.push("a date has no hour or minute; drop those parts".into())
        }
        _ => {}
    }
    p
}

/// Fill in every default so that equal meanings hash equally.
fn normalize(c: &mut ColumnSpec, class: ValueClass) {
    c.impute.get_or_insert(match c.kind {
        Kind::Numeric | Kind::Datetime => Impute::Median,
        Kind::Categorical | Kind::Boolean => Impute::MostFrequent,
    });
    c.scale.get_or_insert(Scale::None);
    if c.kind == Kind::Categorical {
        c.encode.get_or_insert(Encode::OneHot);
        if let Some(FillValue::Number(v)) = c.fill_value {
            c.fill_value = Some(FillValue::Text(crate::pipeline::text::number_label(v)));
        }
    }
    if c.kind == Kind::Datetime && c.parts.is_none() {
        c.parts = Some(default_parts(class));
    }
}

/// The parts a datetime column gets unless the spec lists them.
pub fn default_parts(class: ValueClass) -> Vec<DatePart> {
    let mut parts = vec![
        DatePart::Year,
        DatePart::Month,
        DatePart::Day,
        DatePart::Weekday,
    ];
    if class == ValueClass::DateTime {
        parts.push(DatePart::Hour);
    }
    parts
}
