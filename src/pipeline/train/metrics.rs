//! Model metrics, defined as scikit-learn 1.9 defines them (DESIGN.md §6): accuracy,
//! balanced accuracy, macro precision/recall/F1 (zero_division=0), ROC AUC (binary, or
//! one-vs-rest macro) and log loss (probabilities clipped to [eps, 1 − eps]); R², RMSE, MAE;
//! inertia, silhouette and the adjusted Rand index. Each metric knows its direction.

use std::collections::BTreeMap;

use ndarray::{Array1, ArrayView2, Axis, s};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// A model metric. Each one states its direction, so none ranks the wrong way by omission.
/// Declared in name order, so a [`Metrics`] map lists them as the JSON of earlier runs did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    Accuracy,
    AdjustedRand,
    BalancedAccuracy,
    F1Macro,
    Inertia,
    LogLoss,
    Mae,
    NoiseShare,
    PrecisionMacro,
    R2,
    RecallMacro,
    Rmse,
    RocAuc,
    Silhouette,
}

impl Metric {
    pub const ALL: [Metric; 14] = [
        Metric::Accuracy,
        Metric::AdjustedRand,
        Metric::BalancedAccuracy,
        Metric::F1Macro,
        Metric::Inertia,
        Metric::LogLoss,
        Metric::Mae,
        Metric::NoiseShare,
        Metric::PrecisionMacro,
        Metric::R2,
        Metric::RecallMacro,
        Metric::Rmse,
        Metric::RocAuc,
        Metric::Silhouette,
    ];

    /// The name in JSON, the store and the CLI (`f1_macro`), as scikit-learn's scorers say.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::AdjustedRand => "adjusted_rand",
            Metric::BalancedAccuracy => "balanced_accuracy",
            Metric::F1Macro => "f1_macro",
            Metric::Inertia => "inertia",
            Metric::LogLoss => "log_loss",
            Metric::Mae => "mae",
            Metric::NoiseShare => "noise_share",
            Metric::PrecisionMacro => "precision_macro",
            Metric::R2 => "r2",
            Metric::RecallMacro => "recall_macro",
            Metric::Rmse => "rmse",
            Metric::RocAuc => "roc_auc",
            Metric::Silhouette => "silhouette",
        }
    }

    /// A header of at most 8 columns.
    pub fn short(self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::AdjustedRand => "adj rand",
            Metric::BalancedAccuracy => "bal acc",
            Metric::F1Macro => "f1 macro",
            Metric::Inertia => "inertia",
            Metric::LogLoss => "log loss",
            Metric::Mae => "mae",
            Metric::NoiseShare => "noise",
            Metric::PrecisionMacro => "prec",
            Metric::R2 => "r2",
            Metric::RecallMacro => "recall",
            Metric::Rmse => "rmse",
            Metric::RocAuc => "roc auc",
            Metric::Silhouette => "silh",
        }
    }

    /// Whether a larger value is better (false for losses, errors, spread and noise).
    pub fn higher_is_better(self) -> bool {
        match self {
            Metric::Accuracy
            | Metric::AdjustedRand
            | Metric::BalancedAccuracy
            | Metric::F1Macro
            | Metric::PrecisionMacro
            | Metric::R2
            | Metric::RecallMacro
            | Metric::RocAuc
            | Metric::Silhouette => true,
            Metric::Inertia | Metric::LogLoss | Metric::Mae | Metric::NoiseShare | Metric::Rmse => {
                false
            }
        }
    }

    /// `higher is better` or `lower is better`.
    pub fn direction(self) -> &'static str {
        if self.higher_is_better() {
            "higher is better"
        } else {
            "lower is better"
        }
    }

    pub fn parse(name: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.name() == name)
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

/// Metric values; a metric that is undefined on the data is absent.
pub type Metrics = BTreeMap<Metric, f64>;

/// Read stored metrics, leaving out a name this build does not know (a run recorded by a
/// newer mlwb keeps the rest of its result).
pub fn read_metrics<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Metrics, D::Error> {
    let named = BTreeMap::<String, f64>::deserialize(d)?;
    Ok(named
        .into_iter()
        .filter_map(|(k, v)| Some((Metric::parse(&k)?, v)))
        .collect())
}

/// [`read_metrics`] for each fold.
pub fn read_fold_metrics<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Metrics>, D::Error> {
    let folds = Vec::<BTreeMap<String, f64>>::deserialize(d)?;
    Ok(folds
        .into_iter()
        .map(|f| {
            f.into_iter()
                .filter_map(|(k, v)| Some((Metric::parse(&k)?, v)))
                .collect()
        })
        .collect())
}

/// The metrics shown first for a task (by its name), in order; the first ranks the board.
pub fn headline(task: &str) -> &'static [Metric] {
    match task {
        "regression" => &[Metric::R2, Metric::Rmse, Metric::Mae],
        "clustering" => &[Metric::Silhouette, Metric::Inertia, Metric::AdjustedRand],
        _ => &[
            Metric::Accuracy,
            Metric::BalancedAccuracy,
            Metric::F1Macro,
            Metric::RocAuc,
            Metric::LogLoss,
        ],
    }
}

/// A confusion matrix: rows are true classes, columns predicted classes, in class order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Confusion {
    pub classes: Vec<String>,
    pub counts: Vec<Vec<u64>>,
}

/// Classification metrics of predicted class indices (and class probabilities when the model
/// has them, one column per class) against the true indices.
pub fn classification(
    y_true: &[u32],
    y_pred: &[u32],
    proba: Option<ArrayView2<f64>>,
    classes: &[String],
) -> (Metrics, Confusion) {
    let k = classes.len();
    let n = y_true.len();
    let mut counts = vec![vec![0u64; k]; k];
    for (&t, &p) in y_true.iter().zip(y_pred) {
        counts[t as usize][p as usize] += 1;
    }
    let mut m = Metrics::new();
    if n == 0 {
        return (
            m,
            Confusion {
                classes: classes.to_vec(),
                counts,
            },
        );
    }
    let correct: u64 = (0..k).map(|c| counts[c][c]).sum();
    m.insert(Metric::Accuracy, correct as f64 / n as f64);

    let true_n: Vec<u64> = counts.iter().map(|row| row.iter().sum()).collect();
    let pred_n: Vec<u64> = (0..k)
        .map(|c| counts.iter().map(|row| row[c]).sum())
        .collect();
    // Balanced accuracy: mean recall over the classes present in y_true.
    let recalls: Vec<f64> = (0..k)
        .filter(|&c| true_n[c] > 0)
        .map(|c| counts[c][c] as f64 / true_n[c] as f64)
        .collect();
    m.insert(Metric::BalancedAccuracy, mean(&recalls));
    // Macro averages over the labels present in y_true or y_pred, zero_division = 0.
    let present: Vec<usize> = (0..k).filter(|&c| true_n[c] + pred_n[c] > 0).collect();
    let (mut ps, mut rs, mut fs) = (Vec::new(), Vec::new(), Vec::new());
    for &c in &present {
        let tp = counts[c][c] as f64;
        let p = if pred_n[c] > 0 {
            tp / pred_n[c] as f64
        } else {
            0.0
        };
        let r = if true_n[c] > 0 {
            tp / true_n[c] as f64
        } else {
            0.0
        };
        let denom = (true_n[c] + pred_n[c]) as f64;
        let f = if denom > 0.0 { 2.0 * tp / denom } else { 0.0 };
        ps.push(p);
        rs.push(r);
        fs.push(f);
    }
    m.insert(Metric::PrecisionMacro, mean(&ps));
    m.insert(Metric::RecallMacro, mean(&rs));
    m.insert(Metric::F1Macro, mean(&fs));

    if let Some(p) = proba {
        if k == 2 {
            let pos: Vec<bool> = y_true.iter().map(|&t| t == 1).collect();
            if let Some(auc) = roc_auc(&pos, p.column(1)) {
                m.insert(Metric::RocAuc, auc);
            }
        } else if k > 2 {
            let aucs: Vec<f64> = (0..k)
                .filter_map(|c| {
                    let pos: Vec<bool> = y_true.iter().map(|&t| t as usize == c).collect();
                    roc_auc(&pos, p.column(c))
                })
                .collect();
            if aucs.len() == k {
                m.insert(Metric::RocAuc, mean(&aucs));
            }
        }
        m.insert(Metric::LogLoss, log_loss(y_true, p));
    }
    (
        m,
        Confusion {
            classes: classes.to_vec(),
            counts,
        },
    )
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.iter().sum::<f64>() / v.len() as f64
}

/// Area under the ROC curve of `score` for the positives, by the rank statistic with ties
/// given their mean rank (equal to scikit-learn's trapezoidal area); `None` without both
/// classes.
fn roc_auc(positive: &[bool], score: ndarray::ArrayView1<f64>) -> Option<f64> {
    let n = positive.len();
    let n_pos = positive.iter().filter(|&&p| p).count();
    let n_neg = n - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.par_sort_unstable_by(|&a, &b| score[a as usize].total_cmp(&score[b as usize]));
    let mut rank_sum_pos = 0.0f64;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && score[order[j] as usize] == score[order[i] as usize] {
            j += 1;
        }
        // Ranks i+1 ..= j share their mean.
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        let pos_here = order[i..j]
            .iter()
            .filter(|&&r| positive[r as usize])
            .count();
        rank_sum_pos += mean_rank * pos_here as f64;
        i = j;
    }
    let (p, q) = (n_pos as f64, n_neg as f64);
    Some((rank_sum_pos - p * (p + 1.0) / 2.0) / (p * q))
}

/// Mean negative log-likelihood of the true classes, probabilities clipped to
/// [eps, 1 − eps] with eps the f64 machine epsilon (scikit-learn's `log_loss`).
fn log_loss(y_true: &[u32], proba: ArrayView2<f64>) -> f64 {
    let eps = f64::EPSILON;
    let total: f64 = y_true
        .iter()
        .enumerate()
        .map(|(i, &t)| -proba[[i, t as usize]].clamp(eps, 1.0 - eps).ln())
        .sum();
    total / y_true.len() as f64
}

/// R², RMSE and MAE of predictions (R² is 1 for a perfect fit of a constant target and 0 for
/// an imperfect one, as scikit-learn's `force_finite`).
pub fn regression(y_true: &[f64], y_pred: &[f64]) -> Metrics {
    let mut m = Metrics::new();
    let n = y_true.len();
    if n == 0 {
        return m;
    }
    let mean_y = y_true.iter().sum::<f64>() / n as f64;
    let (mut ss_res, mut ss_tot, mut abs) = (0.0, 0.0, 0.0);
    for (&t, &p) in y_true.iter().zip(y_pred) {
        ss_res += (t - p) * (t - p);
        ss_tot += (t - mean_y) * (t - mean_y);
        abs += (t - p).abs();
    }
    let r2 = if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else if ss_res == 0.0 {
        1.0
    } else {
        0.0
    };
    m.insert(Metric::R2, r2);
    m.insert(Metric::Rmse, (ss_res / n as f64).sqrt());
    m.insert(Metric::Mae, abs / n as f64);
    m
}

/// Mean silhouette coefficient of `labels` (rows labelled `None`, noise, are left out), over
/// all rows given: callers pass a seeded sample of at most 10,000 rows. `None` unless there
/// are between 2 and n − 1 clusters.
pub fn silhouette(x: ArrayView2<f64>, labels: &[Option<u32>]) -> Option<f64> {
    let rows: Vec<usize> = (0..labels.len()).filter(|&i| labels[i].is_some()).collect();
    let lab: Vec<u32> = rows.iter().filter_map(|&i| labels[i]).collect();
    let n = rows.len();
    let k = lab.iter().max().map_or(0, |&m| m as usize + 1);
    let mut sizes = vec![0usize; k];
    for &l in &lab {
        sizes[l as usize] += 1;
    }
    let n_clusters = sizes.iter().filter(|&&s| s > 0).count();
    if n_clusters < 2 || n_clusters >= n {
        return None;
    }
    let sub = x.select(Axis(0), &rows);
    let norms: Array1<f64> = sub.rows().into_iter().map(|r| r.dot(&r)).collect();
    let block = 512;
    let scores: Vec<f64> = (0..n.div_ceil(block))
        .into_par_iter()
        .flat_map_iter(|b| {
            let r = b * block..((b + 1) * block).min(n);
            let dots = sub.slice(s![r.clone(), ..]).dot(&sub.t());
            let mut out = Vec::with_capacity(r.len());
            for (li, i) in r.enumerate() {
                let mut sums = vec![0.0f64; k];
                for j in 0..n {
                    if j != i {
                        let d2 = (norms[i] + norms[j] - 2.0 * dots[[li, j]]).max(0.0);
                        sums[lab[j] as usize] += d2.sqrt();
                    }
                }
                let own = lab[i] as usize;
                if sizes[own] <= 1 {
                    out.push(0.0);
                    continue;
                }
                let a = sums[own] / (sizes[own] - 1) as f64;
                let b = (0..k)
                    .filter(|&c| c != own && sizes[c] > 0)
                    .map(|c| sums[c] / sizes[c] as f64)
                    .fold(f64::INFINITY, f64::min);
                let denom = a.max(b);
                out.push(if denom > 0.0 { (b - a) / denom } else { 0.0 });
            }
            out
        })
        .collect();
    Some(scores.iter().sum::<f64>() / n as f64)
}

/// Adjusted Rand index between two labellings (noise, `None`, counts as its own cluster).
pub fn adjusted_rand(truth: &[u32], clusters: &[Option<u32>]) -> f64 {
    let mut table: BTreeMap<(u32, u32), u64> = BTreeMap::new();
    let mut a: BTreeMap<u32, u64> = BTreeMap::new();
    let mut b: BTreeMap<u32, u64> = BTreeMap::new();
    for (&t, &c) in truth.iter().zip(clusters) {
        let c = c.unwrap_or(u32::MAX);
        *table.entry((t, c)).or_default() += 1;
        *a.entry(t).or_default() += 1;
        *b.entry(c).or_default() += 1;
    }
    let comb2 = |v: u64| (v as f64) * (v as f64 - 1.0) / 2.0;
    let n = truth.len() as u64;
    let index: f64 = table.values().map(|&v| comb2(v)).sum();
    let sum_a: f64 = a.values().map(|&v| comb2(v)).sum();
    let sum_b: f64 = b.values().map(|&v| comb2(v)).sum();
    let expected = sum_a * sum_b / comb2(n);
    let max_index = (sum_a + sum_b) / 2.0;
    // scikit-learn: perfect agreement in the degenerate cases.
    if (a.len() == b.len() && (a.len() == 1 || a.len() as u64 == n)) || max_index == expected {
        return 1.0;
    }
    (index - expected) / (max_index - expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14: a metric missing from a list of lower-is-better names ranked as
    /// higher-is-better (`noise_share`). Every metric now states its direction.
    #[test]
    fn every_metric_has_a_name_an_order_and_a_direction() {
        let names: Vec<&str> = Metric::ALL.iter().map(|m| m.name()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(
            names, sorted,
            "declared in name order, so maps list them by name"
        );
        for m in Metric::ALL {
            let json = serde_json::to_string(&m).unwrap();
            assert_eq!(json, format!("\"{}\"", m.name()));
            assert_eq!(Metric::parse(m.name()), Some(m));
            assert!(m.short().chars().count() <= 8, "{m}");
        }
        let lower: Vec<Metric> = Metric::ALL
            .into_iter()
            .filter(|m| !m.higher_is_better())
            .collect();
        assert_eq!(
            lower,
            [
                Metric::Inertia,
                Metric::LogLoss,
                Metric::Mae,
                Metric::NoiseShare,
                Metric::Rmse
            ]
        );
        // A stored map reads back, and lists its metrics as before (by name).
        let m: Metrics = serde_json::from_str(r#"{"roc_auc":0.9,"accuracy":0.8}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"accuracy":0.8,"roc_auc":0.9}"#
        );
        // A name from a newer build is left out; the others read back.
        let mut de = serde_json::Deserializer::from_str(r#"{"accuracy":0.8,"brier":0.1}"#);
        let m = read_metrics(&mut de).unwrap();
        assert_eq!(m, Metrics::from([(Metric::Accuracy, 0.8)]));
    }
    use ndarray::array;

    #[test]
    fn small_hand_checked_cases() {
        let classes: Vec<String> = vec!["a".into(), "b".into()];
        let p = array![[0.9, 0.1], [0.4, 0.6], [0.35, 0.65], [0.2, 0.8]];
        let (m, c) = classification(&[0, 0, 1, 1], &[0, 1, 1, 1], Some(p.view()), &classes);
        assert_eq!(m[&Metric::Accuracy], 0.75);
        assert_eq!(c.counts, vec![vec![1, 1], vec![0, 2]]);
        assert_eq!(m[&Metric::RocAuc], 1.0);
        let r = regression(&[1.0, 2.0, 3.0], &[1.0, 2.0, 3.0]);
        assert_eq!(r[&Metric::R2], 1.0);
        assert_eq!(
            adjusted_rand(&[0, 0, 1, 1], &[Some(5), Some(5), Some(2), Some(2)]),
            1.0
        );
    }
}
