//! The feature spec as users write it (TOML or JSON): per column a role, a kind and the steps.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::pipeline::error::{PipelineError, Result};

/// Version of the spec file layout.
pub const SPEC_FORMAT: u32 = 1;

/// What to do with each column of a table, in order. Columns not listed are not used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureSpec {
    #[serde(default = "spec_format")]
    pub format: u32,
    #[serde(default)]
    pub columns: Vec<ColumnSpec>,
}

fn spec_format() -> u32 {
    SPEC_FORMAT
}

/// One column's role, kind and steps. Steps run in the order impute → transforms → scale, then
/// categorical columns are encoded.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    pub name: String,
    pub role: ColumnRole,
    pub kind: Kind,
    /// How missing values are filled (default: median for numbers and dates, most frequent for
    /// booleans and categories).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impute: Option<Impute>,
    /// The value for `impute = "constant"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill_value: Option<FillValue>,
    /// Numeric transforms, applied in order after imputation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transforms: Vec<Transform>,
    /// Scaling, applied last (default none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<Scale>,
    /// Categorical encoding (default one-hot).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encode: Option<Encode>,
    /// Categorical levels seen in fewer than this share of training rows are grouped as `(other)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_share: Option<f64>,
    /// At most this many categorical levels are kept (the most frequent); the rest are `(other)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_levels: Option<usize>,
    /// Date/time parts extracted from a datetime column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parts: Option<Vec<DatePart>>,
    /// Why the automatic spec chose this (a comment: not part of the spec's hash).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl ColumnSpec {
    /// A feature column of `kind` with every step at its default.
    pub fn new(name: &str, role: ColumnRole, kind: Kind) -> ColumnSpec {
        ColumnSpec {
            name: name.to_string(),
            role,
            kind,
            impute: None,
            fill_value: None,
            transforms: Vec::new(),
            scale: None,
            encode: None,
            min_share: None,
            max_levels: None,
            parts: None,
            note: None,
        }
    }

    /// The steps in one line, e.g. `median → log1p → standard`.
    pub fn steps_label(&self) -> String {
        if self.role != ColumnRole::Feature {
            return String::new();
        }
        let mut steps = Vec::new();
        match (&self.impute, &self.fill_value) {
            (Some(Impute::Constant), Some(v)) => steps.push(format!("fill {v}")),
            (Some(i), _) => steps.push(i.name().to_string()),
            (None, _) => {}
        }
        steps.extend(self.transforms.iter().map(Transform::to_string));
        if let Some(parts) = &self.parts {
            steps.push(parts.iter().map(|p| p.name()).collect::<Vec<_>>().join("+"));
        }
        if let Some(s) = self.scale.filter(|s| *s != Scale::None) {
            steps.push(s.name().to_string());
        }
        if self.kind == Kind::Categorical {
            let mut enc = self.encode.unwrap_or(Encode::OneHot).name().to_string();
            if let Some(m) = self.max_levels {
                enc.push_str(&format!(" top {m}"));
            }
            if let Some(s) = self.min_share.filter(|s| *s > 0.0) {
                enc.push_str(&format!(
                    " ≥{}%",
                    crate::pipeline::text::format_number(s * 100.0)
                ));
            }
            steps.push(enc);
        }
        steps.join(" → ")
    }
}

/// What a column is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    Feature,
    Target,
    Ignore,
}

impl ColumnRole {
    pub fn name(self) -> &'static str {
        match self {
            ColumnRole::Feature => "feature",
            ColumnRole::Target => "target",
            ColumnRole::Ignore => "ignore",
        }
    }
}

/// How a column's values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Numeric,
    Categorical,
    Boolean,
    Datetime,
}

impl Kind {
    pub const ALL: [Kind; 4] = [
        Kind::Numeric,
        Kind::Categorical,
        Kind::Boolean,
        Kind::Datetime,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Numeric => "numeric",
            Kind::Categorical => "categorical",
            Kind::Boolean => "boolean",
            Kind::Datetime => "datetime",
        }
    }
}

/// How missing values are filled, from the training rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Impute {
    Mean,
    Median,
    MostFrequent,
    Constant,
}

impl Impute {
    pub const ALL: [Impute; 4] = [
        Impute::Median,
        Impute::Mean,
        Impute::MostFrequent,
        Impute::Constant,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Impute::Mean => "mean",
            Impute::Median => "median",
            Impute::MostFrequent => "most_frequent",
            Impute::Constant => "constant",
        }
    }
}

/// The fill value of `impute = "constant"`: a number or a text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FillValue {
    Number(f64),
    Text(String),
}

impl fmt::Display for FillValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FillValue::Number(v) => write!(f, "{}", crate::pipeline::text::format_number(*v)),
            FillValue::Text(s) => write!(f, "'{s}'"),
        }
    }
}

/// Scaling, fitted on the training rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    /// (x − mean) / std, std with ddof = 0 (scikit-learn's StandardScaler).
    Standard,
    /// (x − min) / (max − min) (MinMaxScaler).
    #[serde(rename = "minmax")]
    MinMax,
    /// (x − median) / IQR (RobustScaler).
    Robust,
    None,
}

impl Scale {
    pub const ALL: [Scale; 4] = [Scale::Standard, Scale::MinMax, Scale::Robust, Scale::None];

    pub fn name(self) -> &'static str {
        match self {
            Scale::Standard => "standard",
            Scale::MinMax => "minmax",
            Scale::Robust => "robust",
            Scale::None => "none",
        }
    }
}

/// Categorical encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encode {
    /// One 0/1 column per level (`column=level`), plus `(other)` and `(unseen)` buckets.
    OneHot,
    /// One column of level codes 0, 1, … in sorted level order; unseen levels are −1.
    Ordinal,
}

impl Encode {
    pub fn name(self) -> &'static str {
        match self {
            Encode::OneHot => "one_hot",
            Encode::Ordinal => "ordinal",
        }
    }
}

/// Parts of a date or timestamp (in UTC for zoned timestamps).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePart {
    Year,
    Month,
    Day,
    /// Monday = 0 … Sunday = 6.
    Weekday,
    DayOfYear,
    Hour,
    Minute,
}

impl DatePart {
    pub fn name(self) -> &'static str {
        match self {
            DatePart::Year => "year",
            DatePart::Month => "month",
            DatePart::Day => "day",
            DatePart::Weekday => "weekday",
            DatePart::DayOfYear => "day_of_year",
            DatePart::Hour => "hour",
            DatePart::Minute => "minute",
        }
    }
}

/// A numeric transform, written as text: `log1p`, `clip(0.01, 0.99)`, `bins(10)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Transform {
    /// sign(x)·ln(1 + |x|): log1p for x ≥ 0, mirrored for negatives so every real value maps.
    Log1p,
    /// Clip to the training rows' quantiles `lower` and `upper` (fractions in [0, 1]).
    Clip { lower: f64, upper: f64 },
    /// Equal-frequency bins from the training rows' quantiles; the value becomes the bin index.
    Bins { n: usize },
}

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Transform::Log1p => write!(f, "log1p"),
            Transform::Clip { lower, upper } => write!(f, "clip({lower}, {upper})"),
            Transform::Bins { n } => write!(f, "bins({n})"),
        }
    }
}

impl From<Transform> for String {
    fn from(t: Transform) -> String {
        t.to_string()
    }
}

impl TryFrom<String> for Transform {
    type Error = String;

    fn try_from(s: String) -> Result<Transform, String> {
        s.parse()
    }
}

impl std::str::FromStr for Transform {
    type Err = String;

    fn from_str(s: &str) -> Result<Transform, String> {
        let t = s.trim();
        let (name, args) = match t.split_once('(') {
            Some((n, rest)) => {
                let Some(args) = rest.trim_end().strip_suffix(')') else {
                    return Err(format!("transform '{t}': missing ')'"));
                };
                (n.trim(), Some(args))
            }
            None => (t, None),
        };
        let nums = |args: &str| -> Result<Vec<f64>, String> {
            args.split(',')
                .map(|a| {
                    a.trim()
                        .parse::<f64>()
                        .map_err(|_| format!("transform '{t}': '{}' is not a number", a.trim()))
                })
                .collect()
        };
        match (name, args) {
            ("log1p", None) => Ok(Transform::Log1p),
            ("clip", Some(a)) => match nums(a)?[..] {
                [lower, upper] => Ok(Transform::Clip { lower, upper }),
                _ => Err(format!(
                    "transform '{t}': clip takes two quantiles, e.g. clip(0.01, 0.99)"
                )),
            },
            ("bins", Some(a)) => match nums(a)?[..] {
                [n] if n.fract() == 0.0 && n >= 0.0 => Ok(Transform::Bins { n: n as usize }),
                _ => Err(format!(
                    "transform '{t}': bins takes a whole number of bins, e.g. bins(10)"
                )),
            },
            _ => Err(format!(
                "unknown transform '{t}': use log1p, clip(LOWER, UPPER) or bins(N)"
            )),
        }
    }
}

/// Spec file formats, chosen by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecFormat {
    Toml,
    Json,
}

impl SpecFormat {
    /// `.json` is JSON; anything else is TOML.
    pub fn for_path(path: &Path) -> SpecFormat {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("json") => SpecFormat::Json,
            _ => SpecFormat::Toml,
        }
    }
}

impl FeatureSpec {
    /// Parse a spec from text.
    pub fn parse(text: &str, format: SpecFormat) -> std::result::Result<FeatureSpec, String> {
        let spec: FeatureSpec = match format {
            SpecFormat::Toml => toml::from_str(text).map_err(|e| e.to_string())?,
            SpecFormat::Json => serde_json::from_str(text).map_err(|e| e.to_string())?,
        };
        if spec.format != SPEC_FORMAT {
            return Err(format!(
                "spec format {} is not supported (this mlwb reads format {SPEC_FORMAT})",
                spec.format
            ));
        }
        Ok(spec)
    }

    /// Read a spec file (TOML, or JSON for `.json`).
    pub fn read(path: &Path) -> Result<FeatureSpec> {
        let text = crate::pipeline::files::read_text_document(
            path,
            crate::pipeline::files::MAX_DOCUMENT_BYTES,
        )?;
        FeatureSpec::parse(&text, SpecFormat::for_path(path)).map_err(|m| {
            PipelineError::BadRequest(format!(
                "{}: not a valid feature spec: {}",
                path.display(),
                m.trim_end()
            ))
        })
    }

    /// The spec as text.
    pub fn render(&self, format: SpecFormat) -> Result<String> {
        match format {
            SpecFormat::Toml => toml::to_string(self)
                .map_err(|e| PipelineError::Internal(format!("cannot write the spec: {e}"))),
            SpecFormat::Json => serde_json::to_string_pretty(self)
                .map(|s| s + "\n")
                .map_err(|e| PipelineError::Internal(format!("cannot write the spec: {e}"))),
        }
    }

    /// Write the spec atomically (TOML, or JSON for `.json`).
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = self.render(SpecFormat::for_path(path))?;
        crate::pipeline::files::write_atomic(path, text.as_bytes())
    }

    /// The entry for `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The target column's name, if one is marked.
    pub fn target(&self) -> Option<&str> {
        self.columns
            .iter()
            .find(|c| c.role == ColumnRole::Target)
            .map(|c| c.name.as_str())
    }

    /// Mark `name` as the target; a previous target becomes ignored.
    pub fn set_target(&mut self, name: &str) -> Result<()> {
        if !self.columns.iter().any(|c| c.name == name) {
            return Err(PipelineError::BadRequest(format!(
                "target column '{}' is not in the spec or the data",
                crate::pipeline::text::escape_control(name)
            )));
        }
        for c in &mut self.columns {
            if c.name == name {
                c.role = ColumnRole::Target;
            } else if c.role == ColumnRole::Target {
                c.role = ColumnRole::Ignore;
            }
        }
        Ok(())
    }

    /// No target (clustering): the target column, if any, becomes ignored.
    pub fn clear_target(&mut self) {
        for c in &mut self.columns {
            if c.role == ColumnRole::Target {
                c.role = ColumnRole::Ignore;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transforms_round_trip_as_text() {
        for t in [
            Transform::Log1p,
            Transform::Clip {
                lower: 0.01,
                upper: 0.99,
            },
            Transform::Bins { n: 10 },
        ] {
            assert_eq!(t.to_string().parse::<Transform>(), Ok(t));
        }
        assert!("clip(0.1)".parse::<Transform>().is_err());
        assert!("bins(2.5)".parse::<Transform>().is_err());
        assert!("sqrt".parse::<Transform>().is_err());
    }

    #[test]
    fn spec_round_trips_through_toml_and_json() {
        let mut c = ColumnSpec::new("x", ColumnRole::Feature, Kind::Numeric);
        c.impute = Some(Impute::Constant);
        c.fill_value = Some(FillValue::Number(0.5));
        c.transforms = vec![Transform::Log1p, Transform::Bins { n: 4 }];
        c.scale = Some(Scale::MinMax);
        let mut d = ColumnSpec::new("c", ColumnRole::Feature, Kind::Categorical);
        d.fill_value = Some(FillValue::Text("none".into()));
        d.min_share = Some(0.01);
        let spec = FeatureSpec {
            format: SPEC_FORMAT,
            columns: vec![c, d],
        };
        for f in [SpecFormat::Toml, SpecFormat::Json] {
            let text = spec.render(f).unwrap();
            assert_eq!(FeatureSpec::parse(&text, f).unwrap(), spec, "{text}");
        }
        let bad = "format = 1\n[[columns]]\nname = 'x'\nrole = 'feature'\nkind = 'numeric'\nscal = 'standard'\n";
        assert!(
            FeatureSpec::parse(bad, SpecFormat::Toml)
                .unwrap_err()
                .contains("scal")
        );
    }
}
