//! The drift tests a column can be checked with: names (Evidently's, so users can compare),
//! what their score is (a p-value or a distance), default thresholds and the drift rule.

use serde::{Deserialize, Serialize};

/// One per-column drift test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Two-sample Kolmogorov–Smirnov (scipy's `ks_2samp`, method "auto").
    Ks,
    /// Chi-square goodness of fit of the current counts to the reference shares.
    #[serde(rename = "chisquare")]
    ChiSquare,
    /// Two-proportion Z-test on the share of one value.
    #[serde(rename = "z")]
    ZTest,
    /// Wasserstein-1 distance divided by the reference standard deviation.
    Wasserstein,
    /// Jensen–Shannon distance (natural log) between binned shares.
    #[serde(rename = "jensenshannon")]
    JensenShannon,
    /// Population stability index over reference-quantile bins.
    Psi,
}

/// What a test's score is, which decides the direction of its threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreKind {
    /// Drift when the p-value is at or below (KS) / below (the others) the threshold.
    PValue,
    /// Drift when the distance is at or above the threshold.
    Distance,
}

impl ScoreKind {
    pub fn name(self) -> &'static str {
        match self {
            ScoreKind::PValue => "p_value",
            ScoreKind::Distance => "distance",
        }
    }
}

impl Method {
    pub const ALL: [Method; 6] = [
        Method::Ks,
        Method::ChiSquare,
        Method::ZTest,
        Method::Wasserstein,
        Method::JensenShannon,
        Method::Psi,
    ];

    /// The name used on the command line, in JSON and in the keymap-free palette.
    pub fn name(self) -> &'static str {
        match self {
            Method::Ks => "ks",
            Method::ChiSquare => "chisquare",
            Method::ZTest => "z",
            Method::Wasserstein => "wasserstein",
            Method::JensenShannon => "jensenshannon",
            Method::Psi => "psi",
        }
    }

    /// A human label, as in Evidently's reports.
    pub fn label(self) -> &'static str {
        match self {
            Method::Ks => "K-S p-value",
            Method::ChiSquare => "chi-square p-value",
            Method::ZTest => "Z-test p-value",
            Method::Wasserstein => "Wasserstein (normed)",
            Method::JensenShannon => "Jensen-Shannon distance",
            Method::Psi => "PSI",
        }
    }

    /// A short label for narrow tables.
    pub fn short(self) -> &'static str {
        match self {
            Method::Ks => "KS",
            Method::ChiSquare => "chi²",
            Method::ZTest => "Z",
            Method::Wasserstein => "W1/σ",
            Method::JensenShannon => "JS",
            Method::Psi => "PSI",
        }
    }

    pub fn score_kind(self) -> ScoreKind {
        match self {
            Method::Ks | Method::ChiSquare | Method::ZTest => ScoreKind::PValue,
            Method::Wasserstein | Method::JensenShannon | Method::Psi => ScoreKind::Distance,
        }
    }

    /// The threshold used when none is given: 0.05 for p-values, 0.1 for distances.
    pub fn default_threshold(self) -> f64 {
        match self.score_kind() {
            ScoreKind::PValue => 0.05,
            ScoreKind::Distance => 0.1,
        }
    }

    /// Whether `score` means drift at `threshold`. KS uses p ≤ threshold and the other p-value
    /// tests p < threshold, as Evidently decides; distances drift at or above the threshold.
    pub fn drifted(self, score: f64, threshold: f64) -> bool {
        match self {
            Method::Ks => score <= threshold,
            Method::ChiSquare | Method::ZTest => score < threshold,
            Method::Wasserstein | Method::JensenShannon | Method::Psi => score >= threshold,
        }
    }

    /// Parse a name or a common alias (`chi2`, `js`, `wasserstein_norm`, `ztest`).
    pub fn parse(text: &str) -> Option<Method> {
        let t = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Some(match t.as_str() {
            "ks" | "kolmogorov_smirnov" => Method::Ks,
            "chisquare" | "chi2" | "chi_square" | "chi" => Method::ChiSquare,
            "z" | "ztest" | "z_test" => Method::ZTest,
            "wasserstein" | "wasserstein_norm" | "w1" => Method::Wasserstein,
            "jensenshannon" | "js" | "jensen_shannon" => Method::JensenShannon,
            "psi" => Method::Psi,
            _ => return None,
        })
    }

    /// The accepted names, for error messages.
    pub fn names() -> String {
        Method::ALL.map(Method::name).join(", ")
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_thresholds_have_directions() {
        for m in Method::ALL {
            assert_eq!(Method::parse(m.name()), Some(m));
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.name()));
        }
        assert_eq!(Method::parse("Chi2"), Some(Method::ChiSquare));
        assert_eq!(Method::parse("bogus"), None);
        // KS flags at the threshold itself (Evidently's p <= t), chi-square only below it.
        assert!(Method::Ks.drifted(0.05, 0.05));
        assert!(!Method::ChiSquare.drifted(0.05, 0.05));
        assert!(Method::Psi.drifted(0.1, 0.1));
        assert!(!Method::Wasserstein.drifted(0.099, 0.1));
    }
}
