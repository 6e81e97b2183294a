//! The automatic spec: a sensible first recipe proposed from a dataset's profile, with a one-line
//! reason per column.

use super::spec::*;
use crate::pipeline::profile::{ColumnProfile, DatasetProfile, Role, WarningKind};
use crate::pipeline::text::{format_count, format_number};

/// Categorical columns with more levels than this keep only their most frequent ones.
pub const AUTO_MAX_LEVELS: usize = 20;
/// A non-negative numeric column whose maximum is this many times its 75th percentile gets log1p.
const LONG_TAIL_RATIO: f64 = 20.0;

/// Propose a spec for a profiled table. `target`, if given, is marked as the target.
pub fn auto_spec(profile: &DatasetProfile, target: Option<&str>) -> FeatureSpec {
    FeatureSpec {
        format: SPEC_FORMAT,
        columns: profile
            .columns
            .iter()
            .map(|c| {
                if Some(c.name.as_str()) == target {
                    let mut s = ColumnSpec::new(&c.name, ColumnRole::Target, kind_of(c));
                    s.note = Some(format!("target ({} values)", c.role.name()));
                    s
                } else {
                    auto_column(c)
                }
            })
            .collect(),
    }
}

fn kind_of(c: &ColumnProfile) -> Kind {
    match c.role {
        Role::Numeric => Kind::Numeric,
        Role::Boolean => Kind::Boolean,
        Role::Datetime => Kind::Datetime,
        _ => match c.dtype.as_str() {
            "bool" => Kind::Boolean,
            d if d.starts_with("date") => Kind::Datetime,
            d if d.len() <= 4 && d.starts_with(['i', 'u', 'f']) => Kind::Numeric,
            _ => Kind::Categorical,
        },
    }
}

fn ignored(c: &ColumnProfile, why: &str) -> ColumnSpec {
    let mut s = ColumnSpec::new(&c.name, ColumnRole::Ignore, kind_of(c));
    s.note = Some(format!("ignored: {why}"));
    s
}

fn missing_note(c: &ColumnProfile) -> String {
    if c.nulls == 0 {
        String::new()
    } else {
        format!(
            "; {}% missing",
            format_number((c.null_share * 1000.0).round() / 10.0)
        )
    }
}

fn auto_column(c: &ColumnProfile) -> ColumnSpec {
    if c.warnings.contains(&WarningKind::AllNull) {
        return ignored(c, "every value is missing");
    }
    if c.warnings.contains(&WarningKind::Unsupported) {
        return ignored(c, &format!("{} values cannot be features", c.dtype));
    }
    match c.role {
        Role::Constant => ignored(c, "constant (one distinct value)"),
        Role::Id => ignored(c, "looks like an identifier (most values are different)"),
        Role::Text => ignored(c, "free text (long, mostly unique strings)"),
        Role::Numeric => {
            let mut s = ColumnSpec::new(&c.name, ColumnRole::Feature, Kind::Numeric);
            s.impute = Some(Impute::Median);
            s.scale = Some(Scale::Standard);
            let long_tail = match (c.min, c.q75, c.max) {
                (Some(min), Some(q75), Some(max)) => {
                    min >= 0.0 && q75 > 0.0 && max >= LONG_TAIL_RATIO * q75
                }
                _ => false,
            };
            let mut why = "numeric".to_string();
            if long_tail {
                s.transforms.push(Transform::Log1p);
                why.push_str(&format!(
                    ", long right tail (max {}× the 75th percentile) → log1p",
                    format_number((c.max.unwrap_or(0.0) / c.q75.unwrap_or(1.0)).round())
                ));
            }
            why.push_str(&missing_note(c));
            why.push_str(if c.nulls > 0 {
                " → median; standard-scaled"
            } else {
                "; standard-scaled"
            });
            s.note = Some(why);
            s
        }
        Role::Boolean => {
            let mut s = ColumnSpec::new(&c.name, ColumnRole::Feature, Kind::Boolean);
            s.impute = Some(Impute::MostFrequent);
            let pair: Vec<&str> = c.top.iter().map(|t| t.value.as_str()).collect();
            s.note = Some(format!(
                "two values ({}) → 0/1{}{}",
                pair.join("/"),
                missing_note(c),
                if c.nulls > 0 {
                    " → most frequent"
                } else {
                    ""
                }
            ));
            s
        }
        // Times of day and durations (Parquet, Arrow) have no date parts to take.
        Role::Datetime if !c.dtype.starts_with("date") => ignored(
            c,
            &format!(
                "{} values: no date parts to take (cast to a number to use them)",
                c.dtype
            ),
        ),
        Role::Datetime => {
            let mut s = ColumnSpec::new(&c.name, ColumnRole::Feature, Kind::Datetime);
            s.impute = Some(Impute::Median);
            let mut parts = vec![
                DatePart::Year,
                DatePart::Month,
                DatePart::Day,
                DatePart::Weekday,
            ];
            if c.dtype.starts_with("datetime") {
                parts.push(DatePart::Hour);
            }
            s.note = Some(format!(
                "{} → {}{}",
                if parts.len() > 4 { "timestamp" } else { "date" },
                parts
                    .iter()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(", "),
                missing_note(c)
            ));
            s.parts = Some(parts);
            s
        }
        Role::Categorical => {
            let mut s = ColumnSpec::new(&c.name, ColumnRole::Feature, Kind::Categorical);
            s.encode = Some(Encode::OneHot);
            let mut why = format!("categorical, {} levels → one-hot", format_count(c.distinct));
            if c.distinct as usize > AUTO_MAX_LEVELS {
                s.max_levels = Some(AUTO_MAX_LEVELS);
                why.push_str(&format!(
                    " of the {AUTO_MAX_LEVELS} most frequent, the rest grouped as (other)"
                ));
            }
            why.push_str(&missing_note(c));
            if c.nulls > 0 {
                s.impute = Some(Impute::Constant);
                s.fill_value = Some(FillValue::Text("(missing)".into()));
                why.push_str(" → its own level");
            } else {
                s.impute = Some(Impute::MostFrequent);
            }
            s.note = Some(why);
            s
        }
    }
}
