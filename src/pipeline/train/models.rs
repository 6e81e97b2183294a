//! The model zoo: each model's hyperparameters (scikit-learn's names and defaults, checked
//! into typed values), the fit dispatch, fitted models as serde data, and predictions.

pub mod bins;
pub mod dbscan;
pub mod forest;
pub mod gmm;
pub mod kmeans;
pub mod lbfgs;
pub mod linear;
pub mod logistic;
pub mod naive_bayes;
pub mod tree;

use std::collections::BTreeMap;

use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::TaskKind;
use super::rng::Rng;
use crate::pipeline::progress::CancelFlag;
use crate::pipeline::{PipelineError, Result};

/// Every model mlwb trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    LogisticRegression,
    GaussianNb,
    DecisionTree,
    RandomForest,
    LinearRegression,
    Ridge,
    Lasso,
    ElasticNet,
    Kmeans,
    Dbscan,
    GaussianMixture,
}

impl ModelKind {
    pub const ALL: [ModelKind; 11] = [
        ModelKind::LogisticRegression,
        ModelKind::GaussianNb,
        ModelKind::DecisionTree,
        ModelKind::RandomForest,
        ModelKind::LinearRegression,
        ModelKind::Ridge,
        ModelKind::Lasso,
        ModelKind::ElasticNet,
        ModelKind::Kmeans,
        ModelKind::Dbscan,
        ModelKind::GaussianMixture,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::LogisticRegression => "logistic_regression",
            ModelKind::GaussianNb => "gaussian_nb",
            ModelKind::DecisionTree => "decision_tree",
            ModelKind::RandomForest => "random_forest",
            ModelKind::LinearRegression => "linear_regression",
            ModelKind::Ridge => "ridge",
            ModelKind::Lasso => "lasso",
            ModelKind::ElasticNet => "elastic_net",
            ModelKind::Kmeans => "kmeans",
            ModelKind::Dbscan => "dbscan",
            ModelKind::GaussianMixture => "gaussian_mixture",
        }
    }

    /// The name in at most 13 columns, for narrow tables: one of the names [`ModelKind::parse`]
    /// accepts, so what a narrow screen shows can be typed back (`--models logreg`).
    pub fn short(self) -> &'static str {
        match self {
            ModelKind::LogisticRegression => "logreg",
            ModelKind::LinearRegression => "linreg",
            ModelKind::GaussianMixture => "gmm",
            other => other.name(),
        }
    }

    /// The parameters this model takes, by name (those its defaults have).
    pub fn param_names(self) -> Vec<String> {
        let tag = serde_json::json!({ "model": self.name() });
        serde_json::from_value::<ModelParams>(tag)
            .map(|p| p.to_map().keys().cloned().collect())
            .unwrap_or_default()
    }

    /// A name or a common short name (`logreg`, `rf`, `gmm`, ...).
    pub fn parse(name: &str) -> Option<ModelKind> {
        let n = name.trim().to_ascii_lowercase().replace('-', "_");
        let kind = match n.as_str() {
            "logreg" | "logistic" => ModelKind::LogisticRegression,
            "nb" | "gnb" | "naive_bayes" => ModelKind::GaussianNb,
            "tree" | "dtree" | "cart" => ModelKind::DecisionTree,
            "rf" | "forest" => ModelKind::RandomForest,
            "linreg" | "ols" | "linear" => ModelKind::LinearRegression,
            "enet" => ModelKind::ElasticNet,
            "k_means" => ModelKind::Kmeans,
            "gmm" => ModelKind::GaussianMixture,
            _ => return ModelKind::ALL.into_iter().find(|k| k.name() == n),
        };
        Some(kind)
    }

    pub fn supports(self, task: TaskKind) -> bool {
        use ModelKind::*;
        match task {
            TaskKind::Classification => {
                matches!(
                    self,
                    LogisticRegression | GaussianNb | DecisionTree | RandomForest
                )
            }
            TaskKind::Regression => matches!(
                self,
                LinearRegression | Ridge | Lasso | ElasticNet | DecisionTree | RandomForest
            ),
            TaskKind::Clustering => matches!(self, Kmeans | Dbscan | GaussianMixture),
        }
    }

    /// The models trained when none is named.
    pub fn defaults(task: TaskKind) -> Vec<ModelKind> {
        ModelKind::ALL
            .into_iter()
            .filter(|k| k.supports(task))
            .collect()
    }

    /// A one-line description for lists and help.
    pub fn about(self) -> &'static str {
        match self {
            ModelKind::LogisticRegression => "L2 logistic regression (lbfgs)",
            ModelKind::GaussianNb => "Gaussian naive Bayes",
            ModelKind::DecisionTree => "CART tree on histogram splits",
            ModelKind::RandomForest => "random forest of histogram CART trees",
            ModelKind::LinearRegression => "ordinary least squares",
            ModelKind::Ridge => "least squares with an L2 penalty",
            ModelKind::Lasso => "least squares with an L1 penalty",
            ModelKind::ElasticNet => "least squares with L1 and L2 penalties",
            ModelKind::Kmeans => "k-means (k-means++ seeding)",
            ModelKind::Dbscan => "density clusters (on a sample)",
            ModelKind::GaussianMixture => "Gaussian mixture by EM (on a sample)",
        }
    }
}

/// `max_features` as scikit-learn takes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MaxFeatures {
    Count(u64),
    Fraction(f64),
    Rule(String),
}

impl MaxFeatures {
    fn resolve(&self, d: usize) -> usize {
        let d_f = d as f64;
        let n = match self {
            MaxFeatures::Count(c) => *c as usize,
            MaxFeatures::Fraction(f) => (f * d_f).floor() as usize,
            MaxFeatures::Rule(r) if r == "sqrt" => d_f.sqrt().floor() as usize,
            MaxFeatures::Rule(r) if r == "log2" => d_f.log2().floor() as usize,
            MaxFeatures::Rule(_) => d,
        };
        n.clamp(1, d.max(1))
    }

    fn check(&self) -> std::result::Result<(), ParamError> {
        let bad = |reason: String| Err(ParamError::field("max_features", reason));
        match self {
            MaxFeatures::Count(0) => bad("must be at least 1".into()),
            MaxFeatures::Fraction(f) if !(*f > 0.0 && *f <= 1.0) => {
                bad(format!("{f} must be in (0, 1] as a fraction"))
            }
            MaxFeatures::Rule(r) if !matches!(r.as_str(), "sqrt" | "log2" | "all") => bad(format!(
                "'{r}' is not known; use sqrt, log2, all, a count or a fraction"
            )),
            _ => Ok(()),
        }
    }
}

fn default_true() -> bool {
    true
}

macro_rules! params {
    ($(#[$m:meta])* $name:ident { $($field:ident : $ty:ty = $default:expr),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct $name { $(pub $field: $ty),* }
        impl Default for $name {
            fn default() -> Self { $name { $($field: $default),* } }
        }
    };
}

params!(
    #[allow(non_snake_case)]
    LogisticParams {
        C: f64 = 1.0,
        max_iter: u32 = 100,
        tol: f64 = 1e-4
    }
);
params!(NaiveBayesParams {
    var_smoothing: f64 = 1e-9
});
params!(TreeParams {
    max_depth: Option<u32> = None,
    min_samples_split: usize = 2,
    min_samples_leaf: usize = 1,
    max_features: Option<MaxFeatures> = None,
    max_bins: usize = 255,
});
params!(ForestParams {
    n_estimators: usize = 100,
    max_depth: Option<u32> = None,
    min_samples_split: usize = 2,
    min_samples_leaf: usize = 1,
    max_features: Option<MaxFeatures> = None,
    bootstrap: bool = default_true(),
    max_bins: usize = 255,
});
params!(LinearParams {});
params!(RidgeParams { alpha: f64 = 1.0 });
params!(ElasticNetParams {
    alpha: f64 = 1.0,
    l1_ratio: f64 = 0.5,
    max_iter: u32 = 1000,
    tol: f64 = 1e-4
});
params!(KMeansParams {
    n_clusters: usize = 8,
    max_iter: u32 = 300,
    tol: f64 = 1e-4
});
params!(DbscanParams {
    eps: f64 = 0.5,
    min_samples: usize = 5,
    max_rows: usize = 10_000
});
params!(GaussianMixtureParams {
    n_components: usize = 8,
    covariance_type: String = "full".into(),
    reg_covar: f64 = 1e-6,
    max_iter: u32 = 100,
    tol: f64 = 1e-3,
    max_rows: usize = 20_000,
});

/// Checked hyperparameters of one model, every default written out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum ModelParams {
    LogisticRegression(LogisticParams),
    GaussianNb(NaiveBayesParams),
    DecisionTree(TreeParams),
    RandomForest(ForestParams),
    LinearRegression(LinearParams),
    Ridge(RidgeParams),
    Lasso(ElasticNetParams),
    ElasticNet(ElasticNetParams),
    Kmeans(KMeansParams),
    Dbscan(DbscanParams),
    GaussianMixture(GaussianMixtureParams),
}

/// A model as asked for: a kind and any hyperparameters by scikit-learn's names.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    pub model: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, Value>,
}

impl ModelSpec {
    /// Parse `name` or `name:key=value,key=value` (values read as JSON when they parse, so
    /// `max_depth=8`, `bootstrap=false`, `max_depth=null`; otherwise as text).
    pub fn parse(text: &str) -> std::result::Result<ModelSpec, String> {
        let (name, rest) = text.split_once(':').unwrap_or((text, ""));
        let mut params = BTreeMap::new();
        for pair in rest.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((k, v)) = pair.split_once('=') else {
                return Err(format!("'{pair}' in '{text}' is not key=value"));
            };
            let v = v.trim();
            let value = match v {
                "None" | "none" => Value::Null,
                _ => serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_string())),
            };
            params.insert(k.trim().to_string(), value);
        }
        Ok(ModelSpec {
            model: name.trim().to_string(),
            params,
        })
    }

    /// Check the kind against the task and the parameters against the model.
    pub fn check(&self, task: TaskKind) -> std::result::Result<ModelParams, ParamError> {
        let kind = ModelKind::parse(&self.model).ok_or_else(|| {
            ParamError::general(format!(
                "unknown model '{}'; known: {}",
                self.model,
                ModelKind::ALL.map(ModelKind::name).join(", ")
            ))
        })?;
        if !kind.supports(task) {
            return Err(ParamError::general(format!(
                "{} does not do {}; for {} use {}",
                kind.name(),
                task.name(),
                task.name(),
                ModelKind::defaults(task)
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let known = kind.param_names();
        if let Some(unknown) = self.params.keys().find(|k| !known.contains(k)) {
            return Err(ParamError::unknown(kind, unknown, &known));
        }
        let mut obj = serde_json::Map::new();
        obj.insert("model".into(), Value::String(kind.name().into()));
        for (k, v) in &self.params {
            obj.insert(k.clone(), v.clone());
        }
        let mut params: ModelParams = serde_json::from_value(Value::Object(obj))
            .map_err(|e| ParamError::general(e.to_string()).of(kind))?;
        if let ModelParams::RandomForest(p) = &mut params
            && p.max_features.is_none()
            && !self.params.contains_key("max_features")
        {
            // scikit-learn: sqrt for classification, all features (1.0) for regression.
            p.max_features = Some(match task {
                TaskKind::Classification => MaxFeatures::Rule("sqrt".into()),
                _ => MaxFeatures::Fraction(1.0),
            });
        }
        if let ModelParams::Lasso(p) = &mut params {
            // A stored lasso run writes its l1_ratio out (1): that must pass again on a rerun.
            if let Some(v) = self.params.get("l1_ratio")
                && v.as_f64() != Some(1.0)
            {
                return Err(ParamError::field(
                    "l1_ratio",
                    format!("is always 1, not {v}; use elastic_net to set it"),
                )
                .of(kind));
            }
            p.l1_ratio = 1.0;
        }
        params.validate().map_err(|e| e.of(kind))?;
        Ok(params)
    }
}

/// A model or parameter that cannot be used: the model, the parameter at fault (when one
/// is), and why. Its text is what users read: `random_forest: max_depth must be at least 1`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}{}{reason}", model.map(|m| format!("{}: ", m.name())).unwrap_or_default(), field.as_ref().map(|f| format!("{f} ")).unwrap_or_default())]
pub struct ParamError {
    pub model: Option<ModelKind>,
    pub field: Option<String>,
    pub reason: String,
}

impl ParamError {
    /// Parameter `field` is wrong: `reason` follows its name (`must be at least 1`).
    pub fn field(field: &str, reason: impl Into<String>) -> ParamError {
        ParamError {
            model: None,
            field: Some(field.to_string()),
            reason: reason.into(),
        }
    }

    /// Not about one parameter (an unknown model, a model that does not fit the task).
    pub fn general(reason: impl Into<String>) -> ParamError {
        ParamError {
            model: None,
            field: None,
            reason: reason.into(),
        }
    }

    /// A parameter `kind` does not have, with the nearest one it does, if any is near.
    fn unknown(kind: ModelKind, field: &str, known: &[String]) -> ParamError {
        let near = known
            .iter()
            .map(|k| (crate::pipeline::text::edit_distance(field, k), k))
            .filter(|(d, _)| *d <= 2)
            .min();
        let hint = near.map_or(String::new(), |(_, k)| format!("did you mean {k}? "));
        ParamError::field(
            field,
            format!(
                "is not one of its parameters; {hint}(they are: {})",
                known.join(", ")
            ),
        )
        .of(kind)
    }

    /// The same error, said of `kind`.
    pub fn of(mut self, kind: ModelKind) -> ParamError {
        self.model = Some(kind);
        self
    }
}

impl From<ParamError> for PipelineError {
    fn from(e: ParamError) -> PipelineError {
        PipelineError::BadRequest(e.to_string())
    }
}

fn positive(name: &str, v: f64) -> std::result::Result<(), ParamError> {
    if v > 0.0 && v.is_finite() {
        Ok(())
    } else {
        Err(ParamError::field(
            name,
            format!("must be a positive number, not {v}"),
        ))
    }
}

fn at_least(name: &str, v: usize, min: usize) -> std::result::Result<(), ParamError> {
    if v >= min {
        Ok(())
    } else {
        Err(ParamError::field(
            name,
            format!("must be at least {min}, not {v}"),
        ))
    }
}

impl ModelParams {
    pub fn kind(&self) -> ModelKind {
        match self {
            ModelParams::LogisticRegression(_) => ModelKind::LogisticRegression,
            ModelParams::GaussianNb(_) => ModelKind::GaussianNb,
            ModelParams::DecisionTree(_) => ModelKind::DecisionTree,
            ModelParams::RandomForest(_) => ModelKind::RandomForest,
            ModelParams::LinearRegression(_) => ModelKind::LinearRegression,
            ModelParams::Ridge(_) => ModelKind::Ridge,
            ModelParams::Lasso(_) => ModelKind::Lasso,
            ModelParams::ElasticNet(_) => ModelKind::ElasticNet,
            ModelParams::Kmeans(_) => ModelKind::Kmeans,
            ModelParams::Dbscan(_) => ModelKind::Dbscan,
            ModelParams::GaussianMixture(_) => ModelKind::GaussianMixture,
        }
    }

    /// The parameters as a JSON object without the `model` tag.
    pub fn to_map(&self) -> serde_json::Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut m)) => {
                m.remove("model");
                m
            }
            _ => serde_json::Map::new(),
        }
    }

    /// Whether the parameters can work on `rows` training rows (scikit-learn refuses more
    /// clusters or components than samples); checked once before a study records its runs.
    pub fn check_rows(&self, rows: usize) -> std::result::Result<(), ParamError> {
        let (what, wanted) = match self {
            ModelParams::Kmeans(p) => ("n_clusters", p.n_clusters),
            ModelParams::GaussianMixture(p) => ("n_components", p.n_components),
            _ => return Ok(()),
        };
        if wanted > rows {
            return Err(ParamError::field(
                what,
                format!("is {wanted}, more than the {rows} training rows; use at most {rows}"),
            )
            .of(self.kind()));
        }
        Ok(())
    }

    fn validate(&self) -> std::result::Result<(), ParamError> {
        match self {
            ModelParams::LogisticRegression(p) => {
                positive("C", p.C)?;
                positive("tol", p.tol)?;
                at_least("max_iter", p.max_iter as usize, 1)
            }
            ModelParams::GaussianNb(p) => {
                if p.var_smoothing >= 0.0 && p.var_smoothing.is_finite() {
                    Ok(())
                } else {
                    Err(ParamError::field("var_smoothing", "must be ≥ 0"))
                }
            }
            ModelParams::DecisionTree(p) => check_tree(
                p.max_depth,
                p.min_samples_split,
                p.min_samples_leaf,
                &p.max_features,
                p.max_bins,
            ),
            ModelParams::RandomForest(p) => {
                at_least("n_estimators", p.n_estimators, 1)?;
                check_tree(
                    p.max_depth,
                    p.min_samples_split,
                    p.min_samples_leaf,
                    &p.max_features,
                    p.max_bins,
                )
            }
            ModelParams::LinearRegression(_) => Ok(()),
            ModelParams::Ridge(p) => {
                if p.alpha >= 0.0 && p.alpha.is_finite() {
                    Ok(())
                } else {
                    Err(ParamError::field(
                        "alpha",
                        format!("must be ≥ 0, not {}", p.alpha),
                    ))
                }
            }
            ModelParams::Lasso(p) | ModelParams::ElasticNet(p) => {
                positive("alpha", p.alpha)?;
                positive("tol", p.tol)?;
                if !(0.0..=1.0).contains(&p.l1_ratio) {
                    return Err(ParamError::field(
                        "l1_ratio",
                        format!("must be in [0, 1], not {}", p.l1_ratio),
                    ));
                }
                at_least("max_iter", p.max_iter as usize, 1)
            }
            ModelParams::Kmeans(p) => {
                at_least("n_clusters", p.n_clusters, 1)?;
                positive("tol", p.tol)?;
                at_least("max_iter", p.max_iter as usize, 1)
            }
            ModelParams::Dbscan(p) => {
                positive("eps", p.eps)?;
                at_least("min_samples", p.min_samples, 1)?;
                at_least("max_rows", p.max_rows, 2)
            }
            ModelParams::GaussianMixture(p) => {
                at_least("n_components", p.n_components, 1)?;
                positive("reg_covar", p.reg_covar)?;
                positive("tol", p.tol)?;
                at_least("max_rows", p.max_rows, 2)?;
                if !matches!(p.covariance_type.as_str(), "full" | "diag") {
                    return Err(ParamError::field(
                        "covariance_type",
                        format!("'{}' is not known; use full or diag", p.covariance_type),
                    ));
                }
                Ok(())
            }
        }
    }
}

fn check_tree(
    max_depth: Option<u32>,
    min_split: usize,
    min_leaf: usize,
    max_features: &Option<MaxFeatures>,
    max_bins: usize,
) -> std::result::Result<(), ParamError> {
    if max_depth == Some(0) {
        return Err(ParamError::field(
            "max_depth",
            "must be at least 1 (or null for no limit)",
        ));
    }
    at_least("min_samples_split", min_split, 2)?;
    at_least("min_samples_leaf", min_leaf, 1)?;
    if !(2..=256).contains(&max_bins) {
        return Err(ParamError::field(
            "max_bins",
            format!("must be in 2..=256, not {max_bins}"),
        ));
    }
    if let Some(m) = max_features {
        m.check()?;
    }
    Ok(())
}

/// What a model learns from: class indices, values, or nothing (clustering).
#[derive(Clone, Copy)]
pub enum Target<'a> {
    Classes { y: &'a [u32], k: usize },
    Values(&'a [f64]),
    None,
}

/// A fitted model, as data (externally tagged, so compact binary formats can hold it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FittedModel {
    Logistic(logistic::LogisticModel),
    NaiveBayes(naive_bayes::NaiveBayesModel),
    Trees {
        classification: bool,
        trees: Vec<tree::Tree>,
    },
    Linear(linear::LinearModel),
    Kmeans(kmeans::KMeansModel),
    Dbscan(dbscan::DbscanModel),
    GaussianMixture(gmm::GaussianMixtureModel),
}

/// A model's output for a set of rows.
#[derive(Clone, Debug)]
pub enum Prediction {
    Classes {
        labels: Vec<u32>,
        proba: Array2<f64>,
    },
    Values(Vec<f64>),
    /// Cluster per row (`None`: noise) and the distance to the nearest centre (the anomaly
    /// score).
    Clusters {
        labels: Vec<Option<u32>>,
        distance: Vec<f64>,
    },
}

fn bad_target(kind: ModelKind) -> PipelineError {
    PipelineError::Internal(format!("{} got a target of the wrong kind", kind.name()))
}

/// A seeded sample of at most `max` row indices, ascending.
pub fn sample_rows(n: usize, max: usize, seed: u64) -> Vec<usize> {
    let mut rows: Vec<usize> = (0..n).collect();
    if n > max {
        let mut rng = Rng::new(seed);
        for i in 0..max {
            let j = i + rng.below(n - i);
            rows.swap(i, j);
        }
        rows.truncate(max);
        rows.sort_unstable();
    }
    rows
}

/// Fit `params` on `x`. `tick(done, total)` reports sub-steps (trees).
pub fn fit(
    params: &ModelParams,
    x: ArrayView2<f64>,
    target: Target,
    seed: u64,
    cancel: &CancelFlag,
    tick: &(dyn Fn(u64, u64) + Sync),
) -> Result<FittedModel> {
    let kind = params.kind();
    Ok(match params {
        ModelParams::LogisticRegression(p) => {
            let Target::Classes { y, k } = target else {
                return Err(bad_target(kind));
            };
            FittedModel::Logistic(logistic::fit(x, y, k, p.C, p.max_iter, p.tol, cancel)?)
        }
        ModelParams::GaussianNb(p) => {
            let Target::Classes { y, k } = target else {
                return Err(bad_target(kind));
            };
            FittedModel::NaiveBayes(naive_bayes::fit(x, y, k, p.var_smoothing, cancel)?)
        }
        ModelParams::DecisionTree(_) | ModelParams::RandomForest(_) => {
            let labels = match target {
                Target::Classes { y, k } => tree::Labels::Classes { y, k },
                Target::Values(v) => tree::Labels::Values(v),
                Target::None => return Err(bad_target(kind)),
            };
            fit_trees(params, x, labels, seed, cancel, tick)?
        }
        ModelParams::LinearRegression(_)
        | ModelParams::Ridge(_)
        | ModelParams::Lasso(_)
        | ModelParams::ElasticNet(_) => {
            let Target::Values(v) = target else {
                return Err(bad_target(kind));
            };
            fit_linear(params, x, v, cancel)?
        }
        ModelParams::Kmeans(_) | ModelParams::Dbscan(_) | ModelParams::GaussianMixture(_) => {
            fit_clusters(params, x, seed, cancel)?
        }
    })
}

/// A decision tree (one tree on every row) or a random forest.
fn fit_trees(
    params: &ModelParams,
    x: ArrayView2<f64>,
    labels: tree::Labels,
    seed: u64,
    cancel: &CancelFlag,
    tick: &(dyn Fn(u64, u64) + Sync),
) -> Result<FittedModel> {
    let d = x.ncols();
    let ensemble = match params {
        ModelParams::DecisionTree(p) => forest::Ensemble {
            n_trees: 1,
            bootstrap: false,
            grow: grow_params(
                p.max_depth,
                p.min_samples_split,
                p.min_samples_leaf,
                &p.max_features,
                d,
            ),
            max_bins: p.max_bins,
            seed,
        },
        ModelParams::RandomForest(p) => forest::Ensemble {
            n_trees: p.n_estimators,
            bootstrap: p.bootstrap,
            grow: grow_params(
                p.max_depth,
                p.min_samples_split,
                p.min_samples_leaf,
                &p.max_features,
                d,
            ),
            max_bins: p.max_bins,
            seed,
        },
        other => {
            return Err(PipelineError::Internal(format!(
                "{} is not a tree model",
                other.kind().name()
            )));
        }
    };
    let classification = matches!(labels, tree::Labels::Classes { .. });
    Ok(FittedModel::Trees {
        classification,
        trees: forest::fit(x, labels, &ensemble, cancel, tick)?,
    })
}

/// Least squares, with the penalty the model names.
fn fit_linear(
    params: &ModelParams,
    x: ArrayView2<f64>,
    y: &[f64],
    cancel: &CancelFlag,
) -> Result<FittedModel> {
    let penalty = match params {
        ModelParams::Ridge(p) => linear::Penalty::Ridge { alpha: p.alpha },
        ModelParams::Lasso(p) | ModelParams::ElasticNet(p) => linear::Penalty::ElasticNet {
            alpha: p.alpha,
            l1_ratio: p.l1_ratio,
            max_iter: p.max_iter,
            tol: p.tol,
        },
        _ => linear::Penalty::None,
    };
    Ok(FittedModel::Linear(linear::fit(
        x,
        ndarray::ArrayView1::from(y),
        penalty,
        cancel,
    )?))
}

/// k-means on every row; DBSCAN and the Gaussian mixture on a sample of `max_rows`.
fn fit_clusters(
    params: &ModelParams,
    x: ArrayView2<f64>,
    seed: u64,
    cancel: &CancelFlag,
) -> Result<FittedModel> {
    Ok(match params {
        ModelParams::Kmeans(p) => FittedModel::Kmeans(kmeans::fit(
            x,
            p.n_clusters,
            p.max_iter,
            p.tol,
            seed,
            cancel,
        )?),
        ModelParams::Dbscan(p) => {
            let rows = sample_rows(x.nrows(), p.max_rows, seed);
            let sample = x.select(Axis(0), &rows);
            FittedModel::Dbscan(dbscan::fit(sample.view(), p.eps, p.min_samples, cancel)?)
        }
        ModelParams::GaussianMixture(p) => {
            let rows = sample_rows(x.nrows(), p.max_rows, seed);
            let sample = x.select(Axis(0), &rows);
            FittedModel::GaussianMixture(gmm::fit(
                sample.view(),
                p.n_components,
                p.covariance_type == "diag",
                p.reg_covar,
                p.max_iter,
                p.tol,
                seed,
                cancel,
            )?)
        }
        other => {
            return Err(PipelineError::Internal(format!(
                "{} is not a clustering model",
                other.kind().name()
            )));
        }
    })
}

/// A tree's growth limits, `max_features` resolved for `d` features (all when unset).
fn grow_params(
    max_depth: Option<u32>,
    min_samples_split: usize,
    min_samples_leaf: usize,
    max_features: &Option<MaxFeatures>,
    d: usize,
) -> tree::GrowParams {
    tree::GrowParams {
        max_depth,
        min_samples_split,
        min_samples_leaf,
        max_features: max_features.as_ref().map_or(d, |m| m.resolve(d)),
    }
}

/// The column of the largest value in each row (the first on ties).
pub fn argmax_rows(proba: &Array2<f64>) -> Vec<u32> {
    proba
        .outer_iter()
        .map(|row| {
            let mut best = (0u32, f64::NEG_INFINITY);
            for (c, &v) in row.iter().enumerate() {
                if v > best.1 {
                    best = (c as u32, v);
                }
            }
            best.0
        })
        .collect()
}

impl FittedModel {
    pub fn predict(&self, x: ArrayView2<f64>) -> Prediction {
        let classes = |proba: Array2<f64>| Prediction::Classes {
            labels: argmax_rows(&proba),
            proba,
        };
        match self {
            FittedModel::Logistic(m) => classes(m.predict_proba(x)),
            FittedModel::NaiveBayes(m) => classes(m.predict_proba(x)),
            FittedModel::Trees {
                classification: true,
                trees,
            } => classes(forest::predict(trees, x)),
            FittedModel::Trees {
                classification: false,
                trees,
            } => Prediction::Values(forest::predict(trees, x).column(0).to_vec()),
            FittedModel::Linear(m) => Prediction::Values(m.predict(x)),
            FittedModel::Kmeans(m) => {
                let (labels, d2) = kmeans::assign(x, &m.centers_array());
                Prediction::Clusters {
                    labels: labels.into_iter().map(Some).collect(),
                    distance: d2.into_iter().map(f64::sqrt).collect(),
                }
            }
            FittedModel::GaussianMixture(m) => {
                let labels = m.predict(x);
                let (_, d2) = kmeans::assign(x, &m.means_array());
                Prediction::Clusters {
                    labels: labels.into_iter().map(Some).collect(),
                    distance: d2.into_iter().map(f64::sqrt).collect(),
                }
            }
            FittedModel::Dbscan(m) => {
                let (labels, distance) = m.predict(x);
                Prediction::Clusters { labels, distance }
            }
        }
    }

    /// Facts about the fitted model worth showing (iterations, tree sizes, clusters).
    pub fn summary(&self) -> BTreeMap<String, Value> {
        let mut s = BTreeMap::new();
        match self {
            FittedModel::Logistic(m) => {
                s.insert("n_iter".into(), m.n_iter.into());
                s.insert("converged".into(), m.converged.into());
            }
            FittedModel::NaiveBayes(m) => {
                s.insert("epsilon".into(), m.epsilon.into());
            }
            FittedModel::Trees { trees, .. } => {
                s.insert("trees".into(), trees.len().into());
                s.insert(
                    "total_nodes".into(),
                    trees.iter().map(|t| t.n_nodes()).sum::<usize>().into(),
                );
                s.insert(
                    "max_depth_reached".into(),
                    trees.iter().map(|t| t.max_depth).max().unwrap_or(0).into(),
                );
            }
            FittedModel::Linear(m) => {
                s.insert("n_iter".into(), m.n_iter.into());
                s.insert(
                    "nonzero_coef".into(),
                    m.coef.iter().filter(|c| **c != 0.0).count().into(),
                );
            }
            FittedModel::Kmeans(m) => {
                s.insert("n_iter".into(), m.n_iter.into());
                s.insert("train_inertia".into(), m.inertia.into());
            }
            FittedModel::Dbscan(m) => {
                s.insert("n_clusters".into(), m.n_clusters.into());
                s.insert("core_points".into(), m.core.len().into());
            }
            FittedModel::GaussianMixture(m) => {
                s.insert("n_iter".into(), m.n_iter.into());
                s.insert("converged".into(), m.converged.into());
                s.insert("lower_bound".into(), m.lower_bound.into());
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_model_lists_its_parameters_and_a_mistyped_one_is_named_with_the_nearest() {
        for kind in ModelKind::ALL {
            let names = kind.param_names();
            assert!(
                kind == ModelKind::LinearRegression || !names.is_empty(),
                "{}",
                kind.name()
            );
        }
        let spec = ModelSpec::parse("rf:max_dept=3").unwrap();
        let e = spec.check(TaskKind::Classification).unwrap_err();
        assert_eq!(e.model, Some(ModelKind::RandomForest));
        assert_eq!(e.field.as_deref(), Some("max_dept"));
        assert!(e.to_string().contains("did you mean max_depth?"), "{e}");
        let e = ModelSpec::parse("rf:max_depth=0")
            .unwrap()
            .check(TaskKind::Classification)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("max_depth"));
        assert_eq!(
            e.to_string(),
            "random_forest: max_depth must be at least 1 (or null for no limit)"
        );
        // The parameters a run records (its checked defaults, written out) pass again, as a
        // rerun of a stored run needs.
        for kind in ModelKind::ALL {
            let task = [
                TaskKind::Classification,
                TaskKind::Regression,
                TaskKind::Clustering,
            ]
            .into_iter()
            .find(|t| kind.supports(*t))
            .unwrap();
            let bare = ModelSpec {
                model: kind.name().into(),
                params: BTreeMap::new(),
            };
            let written = bare.check(task).unwrap().to_map();
            let again = ModelSpec {
                model: kind.name().into(),
                params: written.into_iter().collect(),
            };
            assert!(again.check(task).is_ok(), "{}", kind.name());
        }
    }

    #[test]
    fn every_name_and_short_name_reads_back_as_its_model() {
        for kind in ModelKind::ALL {
            assert_eq!(ModelKind::parse(kind.name()), Some(kind), "{}", kind.name());
            assert_eq!(
                ModelKind::parse(kind.short()),
                Some(kind),
                "{}",
                kind.short()
            );
            assert!(kind.short().len() <= 13, "{}", kind.short());
        }
    }
}
