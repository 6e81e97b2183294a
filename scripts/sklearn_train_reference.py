"""Reference numbers for mlwb's training parity tests (tests/it/pipeline_train.rs).

Writes, into tests/fixtures/parity/:
  train_metrics.sklearn.json  seeded random predictions and scikit-learn 1.9's metric values on them
  train_models_train.csv / train_models_test.csv  a seeded synthetic table (8 numeric features,
      a binary, a 3-class and a numeric target; no missing values)
  train_models.sklearn.json   test accuracy / R² of scikit-learn models fitted on the train file
      after a StandardScaler (fitted on train), with the hyperparameters named in each entry

Run: python scripts/sklearn_train_reference.py   (numpy, pandas, scikit-learn 1.9)
"""
import json
import os

import numpy as np
import pandas as pd
import sklearn
from sklearn import metrics as M

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "parity")
rng = np.random.default_rng(20261121)


def metric_cases():
    cases = []
    for name, n, k, absent in [("binary", 300, 2, False), ("multiclass", 400, 4, False),
                               ("multiclass_missing_prediction", 200, 3, True)]:
        y = rng.integers(0, k, n)
        p = rng.random((n, k)) ** 2
        p[np.arange(n), y] += rng.random(n) * 0.8  # some skill
        p = np.round(p, 2)  # ties in scores
        p[:5] = 1.0  # a few all-equal rows
        p = p / p.sum(axis=1, keepdims=True)
        pred = p.argmax(axis=1)
        if absent:
            pred[pred == k - 1] = 0
        labels = list(range(k))
        case = {"name": name, "classes": k, "y_true": y.tolist(), "y_pred": pred.tolist(), "proba": p.tolist()}
        ref = {
            "accuracy": M.accuracy_score(y, pred),
            "balanced_accuracy": M.balanced_accuracy_score(y, pred),
            "precision_macro": M.precision_score(y, pred, average="macro", zero_division=0),
            "recall_macro": M.recall_score(y, pred, average="macro", zero_division=0),
            "f1_macro": M.f1_score(y, pred, average="macro", zero_division=0),
            "log_loss": M.log_loss(y, p, labels=labels),
            "roc_auc": M.roc_auc_score(y, p[:, 1]) if k == 2 else M.roc_auc_score(y, p, multi_class="ovr", average="macro", labels=labels),
            "confusion": M.confusion_matrix(y, pred, labels=labels).tolist(),
        }
        case["sklearn"] = {key: (float(v) if not isinstance(v, list) else v) for key, v in ref.items()}
        cases.append(case)
    yt = rng.normal(10, 3, 250)
    yp = yt + rng.normal(0, 1.5, 250)
    reg = {"y_true": yt.tolist(), "y_pred": yp.tolist(),
           "sklearn": {"r2": M.r2_score(yt, yp), "rmse": float(np.sqrt(M.mean_squared_error(yt, yp))),
                       "mae": M.mean_absolute_error(yt, yp)}}
    centers = rng.normal(0, 4, (3, 3))
    lab = rng.integers(0, 3, 240)
    X = centers[lab] + rng.normal(0, 1.2, (240, 3))
    guess = np.where(rng.random(240) < 0.85, lab, rng.integers(0, 3, 240))
    clu = {"x": X.tolist(), "labels": guess.tolist(), "truth": lab.tolist(),
           "sklearn": {"silhouette": float(M.silhouette_score(X, guess)),
                       "adjusted_rand": float(M.adjusted_rand_score(lab, guess))}}
    return {"sklearn_version": sklearn.__version__, "classification": cases, "regression": reg, "clustering": clu}


def model_table():
    n = 3000
    X = rng.normal(0, 1, (n, 8))
    X[:, 3] = np.exp(X[:, 3] * 0.5) * 10  # a skewed, offset column
    X[:, 5] = rng.integers(0, 5, n)  # a small-integer column
    z = 1.2 * X[:, 0] - 0.8 * X[:, 1] + 0.6 * X[:, 2] * X[:, 4] + 0.05 * X[:, 3] + 0.3 * X[:, 5] - 1.0
    binary = (z + rng.logistic(0, 1, n) > 0).astype(int)
    s = X[:, 0] + np.sin(2 * X[:, 1]) + 0.5 * X[:, 6]
    multi = np.digitize(s + rng.normal(0, 0.5, n), [-0.7, 0.7])
    yreg = 3 * X[:, 0] - 2 * X[:, 1] + X[:, 2] ** 2 + 0.1 * X[:, 3] + rng.normal(0, 1, n)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(8)])
    df["x5"] = df["x5"].astype(int)
    df["binary"] = binary
    df["grade"] = np.array(["low", "mid", "high"])[multi]
    df["y"] = yreg
    tr, te = df.iloc[:2000], df.iloc[2000:]
    tr.to_csv(os.path.join(OUT, "train_models_train.csv"), index=False, float_format="%.10g")
    te.to_csv(os.path.join(OUT, "train_models_test.csv"), index=False, float_format="%.10g")
    # Read back what was written, so both sides see the same numbers.
    tr = pd.read_csv(os.path.join(OUT, "train_models_train.csv"))
    te = pd.read_csv(os.path.join(OUT, "train_models_test.csv"))
    from sklearn.cluster import KMeans
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
    from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
    from sklearn.naive_bayes import GaussianNB
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor
    feats = [f"x{i}" for i in range(8)]
    sc = StandardScaler().fit(tr[feats])
    Xtr, Xte = sc.transform(tr[feats]), sc.transform(te[feats])
    out = []
    clf = [
        ("logistic_regression", {}, LogisticRegression()),
        ("logistic_regression", {"C": 0.05}, LogisticRegression(C=0.05)),
        ("gaussian_nb", {}, GaussianNB()),
        ("decision_tree", {"max_depth": 6}, DecisionTreeClassifier(max_depth=6, random_state=0)),
        ("random_forest", {"n_estimators": 100}, RandomForestClassifier(n_estimators=100, random_state=0)),
    ]
    for target in ["binary", "grade"]:
        for name, params, model in clf:
            model.fit(Xtr, tr[target])
            out.append({"target": target, "model": name, "params": params, "metric": "accuracy",
                        "sklearn": float(M.accuracy_score(te[target], model.predict(Xte))),
                        "how": f"{model!r} on StandardScaler(train) features"})
    reg = [
        ("linear_regression", {}, LinearRegression()),
        ("ridge", {"alpha": 10.0}, Ridge(alpha=10.0)),
        ("lasso", {"alpha": 0.1}, Lasso(alpha=0.1)),
        ("elastic_net", {"alpha": 0.1, "l1_ratio": 0.5}, ElasticNet(alpha=0.1, l1_ratio=0.5)),
        ("decision_tree", {"max_depth": 6}, DecisionTreeRegressor(max_depth=6, random_state=0)),
        ("random_forest", {"n_estimators": 100}, RandomForestRegressor(n_estimators=100, random_state=0)),
    ]
    for name, params, model in reg:
        model.fit(Xtr, tr["y"])
        out.append({"target": "y", "model": name, "params": params, "metric": "r2",
                    "sklearn": float(M.r2_score(te["y"], model.predict(Xte))),
                    "how": f"{model!r} on StandardScaler(train) features"})
    km = KMeans(n_clusters=3, n_init=1, random_state=0).fit(Xtr)
    out.append({"target": None, "model": "kmeans", "params": {"n_clusters": 3}, "metric": "inertia_per_row",
                "sklearn": float(-km.score(Xte) / len(Xte)), "how": "KMeans(n_clusters=3, n_init=1, random_state=0); test inertia per row"})
    return {"sklearn_version": sklearn.__version__, "models": out}


with open(os.path.join(OUT, "train_metrics.sklearn.json"), "w") as f:
    json.dump(metric_cases(), f)
with open(os.path.join(OUT, "train_models.sklearn.json"), "w") as f:
    json.dump(model_table(), f, indent=1)
print("wrote", OUT)
