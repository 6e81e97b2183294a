//! What a drift check is asked: columns, tests, thresholds, the dataset share; set from
//! `[COL=]VALUE` text (CLI and palette) and checked before any value is read.

use super::*;

/// What to check and how.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DriftOptions {
    /// Only these columns (all when `None`).
    pub columns: Option<Vec<String>>,
    /// One test for every column it applies to.
    pub method: Option<Method>,
    /// A test per column, over `method`.
    pub column_methods: BTreeMap<String, Method>,
    /// One threshold for every column's chosen test.
    pub threshold: Option<f64>,
    /// A threshold per column, over `threshold`.
    pub column_thresholds: BTreeMap<String, f64>,
    /// The dataset drifts when drifted / tested ≥ this.
    pub drift_share: f64,
    /// Columns left out of the check (by name).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Let a check that could not test every reference column (one missing in the current
    /// data, a changed type, no values left, or nothing tested at all) pass the gate on the
    /// columns it did test. Off by default: an incomplete check is not "no drift".
    #[serde(default)]
    pub allow_incomplete: bool,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions {
            columns: None,
            method: None,
            column_methods: BTreeMap::new(),
            threshold: None,
            column_thresholds: BTreeMap::new(),
            drift_share: DEFAULT_DRIFT_SHARE,
            exclude: Vec::new(),
            allow_incomplete: false,
        }
    }
}

/// Options that passed [`DriftOptions::check`]. The engine takes only these, so options are
/// checked once, where they are made, and never again.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ValidDriftOptions(DriftOptions);

impl std::ops::Deref for ValidDriftOptions {
    type Target = DriftOptions;

    fn deref(&self) -> &DriftOptions {
        &self.0
    }
}

impl DriftOptions {
    /// Refuse values that cannot mean anything; what passes is the engine's input.
    pub fn check(self) -> Result<ValidDriftOptions> {
        self.refuse_nonsense()?;
        Ok(ValidDriftOptions(self))
    }

    fn refuse_nonsense(&self) -> Result<()> {
        let bad = |m: String| Err(PipelineError::BadRequest(m));
        if !(self.drift_share > 0.0 && self.drift_share <= 1.0) {
            return bad(format!(
                "drift share {} must be in (0, 1]: the share of tested columns that must drift",
                self.drift_share
            ));
        }
        let thresholds = self
            .threshold
            .iter()
            .map(|t| ("--threshold".to_string(), *t))
            .chain(
                self.column_thresholds
                    .iter()
                    .map(|(c, t)| (format!("the threshold of {c}"), *t)),
            );
        for (what, t) in thresholds {
            if !(t.is_finite() && t >= 0.0) {
                return bad(format!("{what} is {t}; it must be a number ≥ 0"));
            }
        }
        // A threshold given with a p-value test must be a probability.
        let mut pairs: Vec<(String, Method, f64)> = Vec::new();
        if let (Some(m), Some(t)) = (self.method, self.threshold) {
            pairs.push(("--threshold".into(), m, t));
        }
        for (c, &m) in &self.column_methods {
            if let Some(t) = self.threshold_for(c) {
                pairs.push((format!("the threshold of {c}"), m, t));
            }
        }
        for (what, m, t) in pairs {
            p_value_threshold(&what, m, t)?;
        }
        Ok(())
    }

    /// Apply one `[COL=]VALUE` setting, as `--method`/`--threshold` and the TUI's palette give
    /// them: `method` (a test name; `auto` or nothing goes back to the default), `threshold` (a
    /// number; nothing clears it), `exclude` (`COL,COL,…`) or `drift_share`. A column name may
    /// itself hold `=`: the value is after the last one. The options are checked afterwards by
    /// [`Self::check`].
    pub fn set(&mut self, key: &str, text: &str) -> std::result::Result<(), String> {
        if key == "exclude" {
            // `COL,COL,…` (nothing: exclude none).
            self.exclude = text
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect();
            return Ok(());
        }
        let (col, value) = match text.rsplit_once('=') {
            Some((c, v)) if !c.trim().is_empty() => (Some(c.trim().to_string()), v.trim()),
            _ => (None, text.trim()),
        };
        let number = |v: &str| {
            v.parse::<f64>()
                .map_err(|_| format!("'{v}' is not a number"))
        };
        match key {
            "method" => {
                let m = match value {
                    "" | "auto" => None,
                    v => Some(Method::parse(v).ok_or_else(|| {
                        format!("'{v}' is not a drift test; use one of {}", Method::names())
                    })?),
                };
                set_setting(&mut self.column_methods, &mut self.method, col, m);
            }
            "threshold" => {
                let t = if value.is_empty() {
                    None
                } else {
                    Some(number(value)?)
                };
                set_setting(&mut self.column_thresholds, &mut self.threshold, col, t);
            }
            _ => {
                self.drift_share = if value.is_empty() {
                    DEFAULT_DRIFT_SHARE
                } else {
                    number(value)?
                };
            }
        }
        Ok(())
    }

    pub(super) fn method_for(&self, column: &str) -> Option<(Method, &'static str)> {
        if let Some(&m) = self.column_methods.get(column) {
            return Some((m, "set for this column"));
        }
        self.method.map(|m| (m, "chosen for all columns"))
    }

    pub(super) fn threshold_for(&self, column: &str) -> Option<f64> {
        self.column_thresholds
            .get(column)
            .copied()
            .or(self.threshold)
    }
}

/// A p-value test's threshold is a probability strictly between 0 and 1 (0.05, 0.01, …).
pub(super) fn p_value_threshold(what: &str, test: Method, t: f64) -> Result<()> {
    if test.score_kind() == ScoreKind::PValue && !(t > 0.0 && t < 1.0) {
        return Err(PipelineError::BadRequest(format!(
            "{what} is {t}, but the {} is a p-value: give a threshold between 0 and 1 (such as \
             0.05)",
            test.label()
        )));
    }
    Ok(())
}

/// Set a value for one column (`None` clears it) or for every column.
pub(super) fn set_setting<T>(
    per_column: &mut BTreeMap<String, T>,
    global: &mut Option<T>,
    column: Option<String>,
    value: Option<T>,
) {
    match (column, value) {
        (Some(c), Some(v)) => {
            per_column.insert(c, v);
        }
        (Some(c), None) => {
            per_column.remove(&c);
        }
        (None, v) => *global = v,
    }
}

/// Where a test applies, for the message when it is asked for where it does not.
pub(super) fn applies_to(test: Method) -> String {
    match test {
        Method::ZTest => "the Z-test applies only to binary columns (at most two values)".into(),
        Method::ChiSquare => format!(
            "chi-square applies to categories and to numbers with at most {PER_VALUE_BINS} values"
        ),
        Method::Ks | Method::Wasserstein => format!("{} applies only to numbers", test.label()),
        Method::JensenShannon | Method::Psi => {
            format!("{} applies to numbers and categories", test.label())
        }
    }
}
