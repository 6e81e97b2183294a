//! Fit + predict time of each model against the peer harness's scikit-learn jobs (issue #4).
//!
//! Run: `cargo bench --bench train -- DIR [MODELS] [REPS]`, with DIR holding
//! `classification_N.parquet` and `regression_N.parquet` from `../shared/bench/gen_data.py`
//! (N = 1000000 by default, or set BENCH_ROWS). As the peer (`peers.py`, `w_model`): the first
//! 80% of rows train and the rest test, features are median-imputed + standard-scaled f00..f11
//! and one-hot c0..c2 fitted on the training rows, and the matrices are built before the clock
//! starts. Timed: fit, then predict of the test rows. Prints the median time per model, the
//! test accuracy / ROC AUC (or R², or k-means test inertia) and the process's peak RSS.
//! MODELS is a comma list of logreg,gnb,kmeans,dtree,rf,linreg,ridge,dtree_reg (default all).
//! BENCH_PARAMS adds hyperparameters to every model (`max_bins=128`), BENCH_SEED sets the seed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "common.rs"]
mod common;

use std::path::PathBuf;
use std::time::Instant;

use mlwb::pipeline::data::{self, LoadOptions};
use mlwb::pipeline::features;
use mlwb::pipeline::progress::{CancelFlag, no_progress};
use mlwb::pipeline::train::metrics;
use mlwb::pipeline::train::metrics::Metric;
use mlwb::pipeline::train::models::{self, ModelSpec, Prediction, Target};
use mlwb::pipeline::train::{self, TaskKind};

struct Prepared {
    xtr: ndarray::Array2<f64>,
    xte: ndarray::Array2<f64>,
    ytr: train::TargetValues,
    yte: train::TargetValues,
}

fn prepare(path: &std::path::Path, task: TaskKind) -> Prepared {
    let cancel = CancelFlag::new();
    let df = data::load(path, &LoadOptions::default(), &cancel, &no_progress)
        .unwrap()
        .df;
    let n = df.height();
    let ntr = (0.8 * n as f64) as usize;
    let (tr, te) = (df.slice(0, ntr), df.slice(ntr as i64, n - ntr));
    let spec = train::spec_for_target(&common::peer_spec(), Some("target")).unwrap();
    let valid = features::check(&spec, tr.schema()).unwrap();
    let fitted = features::fit(&valid, &tr, &cancel, &no_progress).unwrap();
    let xtr = fitted.transform(&tr, &cancel, &no_progress).unwrap().x;
    let xte = fitted.transform(&te, &cancel, &no_progress).unwrap().x;
    let all = train::prepare_target(&df, Some("target"), task).unwrap();
    let split = |v: &train::TargetValues, r: std::ops::Range<usize>| match v {
        train::TargetValues::Classes { y, classes } => train::TargetValues::Classes {
            y: y[r].to_vec(),
            classes: classes.clone(),
        },
        train::TargetValues::Values { y } => train::TargetValues::Values { y: y[r].to_vec() },
        train::TargetValues::None => train::TargetValues::None,
    };
    Prepared {
        ytr: split(&all.values, 0..ntr),
        yte: split(&all.values, ntr..n),
        xtr,
        xte,
    }
}

fn main() {
    let mut args = std::env::args().skip(1).filter(|a| a != "--bench");
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: cargo bench --bench train -- DIR [MODELS] [REPS]");
        return;
    };
    let wanted: Vec<String> = args
        .next()
        .unwrap_or_else(|| "logreg,gnb,kmeans,dtree,rf,linreg,ridge,dtree_reg".into())
        .split(',')
        .map(str::to_string)
        .collect();
    let reps: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let rows = std::env::var("BENCH_ROWS").unwrap_or_else(|_| "1000000".into());
    let mut clf: Option<Prepared> = None;
    let mut reg: Option<Prepared> = None;
    for job in &wanted {
        let (model, task) = match job.as_str() {
            "logreg" => ("logistic_regression", TaskKind::Classification),
            "gnb" => ("gaussian_nb", TaskKind::Classification),
            "kmeans" => ("kmeans:n_clusters=8", TaskKind::Clustering),
            "dtree" => ("decision_tree:max_depth=10", TaskKind::Classification),
            "rf" => ("random_forest:n_estimators=100", TaskKind::Classification),
            "linreg" => ("linear_regression", TaskKind::Regression),
            "ridge" => ("ridge:alpha=1.0", TaskKind::Regression),
            "dtree_reg" => ("decision_tree:max_depth=10", TaskKind::Regression),
            other => panic!("unknown job {other}"),
        };
        let p = if task == TaskKind::Regression {
            reg.get_or_insert_with(|| {
                prepare(
                    &dir.join(format!("regression_{rows}.parquet")),
                    TaskKind::Regression,
                )
            })
        } else {
            clf.get_or_insert_with(|| {
                prepare(
                    &dir.join(format!("classification_{rows}.parquet")),
                    TaskKind::Classification,
                )
            })
        };
        let model = match std::env::var("BENCH_PARAMS") {
            Ok(extra) if !extra.is_empty() => {
                let sep = if model.contains(':') { "," } else { ":" };
                format!("{model}{sep}{extra}")
            }
            _ => model.to_string(),
        };
        let seed: u64 = std::env::var("BENCH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let params = ModelSpec::parse(&model).unwrap().check(task).unwrap();
        let base = common::rss_mb("VmRSS:");
        let mut times = Vec::new();
        let mut summary = String::new();
        for _ in 0..reps {
            let target = match (&p.ytr, task) {
                (_, TaskKind::Clustering) => Target::None,
                (train::TargetValues::Classes { y, classes }, _) => Target::Classes {
                    y,
                    k: classes.len(),
                },
                (train::TargetValues::Values { y }, _) => Target::Values(y),
                _ => Target::None,
            };
            let t0 = Instant::now();
            let fitted = models::fit(
                &params,
                p.xtr.view(),
                target,
                seed,
                &CancelFlag::new(),
                &|_, _| {},
            )
            .unwrap();
            let t1 = Instant::now();
            let pred = fitted.predict(p.xte.view());
            let t2 = Instant::now();
            times.push((t2 - t0).as_secs_f64());
            summary = match (&pred, &p.yte) {
                (
                    Prediction::Classes { labels, proba },
                    train::TargetValues::Classes { y, classes },
                ) => {
                    let (m, _) = metrics::classification(y, labels, Some(proba.view()), classes);
                    format!(
                        "fit {:.2}s predict {:.3}s acc {:.4} auc {:.4} {:?}",
                        (t1 - t0).as_secs_f64(),
                        (t2 - t1).as_secs_f64(),
                        m[&Metric::Accuracy],
                        m[&Metric::RocAuc],
                        fitted.summary()
                    )
                }
                (Prediction::Values(v), train::TargetValues::Values { y }) => {
                    let m = metrics::regression(y, v);
                    format!(
                        "fit {:.2}s predict {:.3}s r2 {:.4} rmse {:.4}",
                        (t1 - t0).as_secs_f64(),
                        (t2 - t1).as_secs_f64(),
                        m[&Metric::R2],
                        m[&Metric::Rmse]
                    )
                }
                (Prediction::Clusters { distance, .. }, _) => format!(
                    "fit {:.2}s predict {:.3}s test inertia {:.1} {:?}",
                    (t1 - t0).as_secs_f64(),
                    (t2 - t1).as_secs_f64(),
                    distance.iter().map(|d| d * d).sum::<f64>(),
                    fitted.summary()
                ),
                _ => String::new(),
            };
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{job:<10} median {:.3}s (min {:.3}s, n={reps})  {summary}  rss base {base:.0} MB, peak {:.0} MB",
            times[times.len() / 2],
            times[0],
            common::rss_mb("VmHWM:")
        );
    }
}
