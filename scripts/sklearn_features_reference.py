#!/usr/bin/env python3
"""Generate the scikit-learn reference fixtures for mlwb's feature-engineering parity tests.

What it does
------------
1. Writes two deterministic CSVs from ``numpy.random.default_rng(20261122)``:
   ``tests/fixtures/parity/features_train.csv`` (400 rows) and
   ``tests/fixtures/parity/features_test.csv`` (120 rows). Columns:

   - ``normal``    float N(50, 12), 6 decimals, ~8% empty cells
   - ``skewed``    lognormal(1, 1.2), 6 decimals, ~5% empty cells
   - ``ties``      integers 1..5, each value equally often in train (so most_frequent
                   must break a tie: scikit-learn takes the smallest), ~5% empty
   - ``constant``  always 3.5 (zero variance: scalers must not divide by zero)
   - ``color``     red/green/blue/violet, no missing; the test file adds the unseen level
                   ``magenta``
   - ``size``      s00..s11 (12 levels, zipf-like), no missing; the test file adds ``s99``

2. Fits on the train rows only and transforms both files with scikit-learn, for these cases:

   - ``impute_mean`` / ``impute_median`` / ``impute_most_frequent``: SimpleImputer(strategy)
     on the four numeric columns
   - ``standard`` / ``minmax`` / ``robust``: Pipeline(SimpleImputer("median"), Scaler())
   - ``one_hot``: OneHotEncoder(handle_unknown="ignore", sparse_output=False) on color, size
   - ``column_transformer``: the peer benchmark's ColumnTransformer: median + StandardScaler on
     the numerics, OneHotEncoder on the categoricals

   and writes ``tests/fixtures/parity/features.sklearn.json``: per case the input columns,
   the output names (``get_feature_names_out``; one-hot names ``col_level`` are written as
   mlwb's ``col=level``) and the train and test matrices, row-major, with ``repr``-exact floats.

Run it with the peer harness's environment (scikit-learn 1.9, numpy, pandas):

    python scripts/sklearn_features_reference.py
"""

import json
import pathlib

import numpy as np
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, OneHotEncoder, RobustScaler, StandardScaler

OUT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "parity"
NUM = ["normal", "skewed", "ties", "constant"]
CAT = ["color", "size"]


def make(rng, n, test):
    normal = np.round(rng.normal(50, 12, n), 6)
    skewed = np.round(rng.lognormal(1, 1.2, n), 6)
    ties = np.tile(np.arange(1, 6), n // 5 + 1)[:n].astype(float)
    rng.shuffle(ties)
    for col, share in ((normal, 0.08), (skewed, 0.05), (ties, 0.05)):
        col[rng.random(n) < share] = np.nan
    colors = np.array(["red", "green", "blue", "violet"] + (["magenta"] if test else []))
    color = rng.choice(colors, n)
    p = 1 / np.arange(1, 13)
    size = np.array([f"s{i:02d}" for i in range(12)])[rng.choice(12, n, p=p / p.sum())]
    if test:
        size[rng.random(n) < 0.05] = "s99"
    return pd.DataFrame({
        "normal": normal, "skewed": skewed, "ties": ties,
        "constant": np.full(n, 3.5), "color": color, "size": size,
    })


def names(est, cols):
    out = []
    for name in est.get_feature_names_out(cols):
        name = name.split("__", 1)[-1]
        for c in CAT:
            if name.startswith(c + "_"):
                name = c + "=" + name[len(c) + 1:]
        out.append(name)
    return out


def main():
    rng = np.random.default_rng(20261122)
    train = make(rng, 400, test=False)
    # In train, make the tie in `ties` exact: every value 1..5 equally often among present rows.
    present = train["ties"].notna()
    k = present.sum() // 5 * 5
    idx = np.flatnonzero(present)
    train.loc[idx[:k], "ties"] = np.tile(np.arange(1, 6), k // 5).astype(float)
    train.loc[idx[k:], "ties"] = np.nan
    test = make(rng, 120, test=True)
    train.to_csv(OUT / "features_train.csv", index=False, float_format="%.6f")
    test.to_csv(OUT / "features_test.csv", index=False, float_format="%.6f")
    # Read back exactly as mlwb will, so both sides start from the same numbers.
    train = pd.read_csv(OUT / "features_train.csv")
    test = pd.read_csv(OUT / "features_test.csv")

    cases = {}

    def record(name, est, cols, params):
        est.fit(train[cols])
        cases[name] = {
            "params": params,
            "columns": cols,
            "names": names(est, cols),
            "train": est.transform(train[cols]).tolist(),
            "test": est.transform(test[cols]).tolist(),
        }

    for strategy in ("mean", "median", "most_frequent"):
        record(f"impute_{strategy}", SimpleImputer(strategy=strategy), NUM,
               {"impute": strategy, "scale": "none"})
    for scale, scaler in (("standard", StandardScaler()), ("minmax", MinMaxScaler()),
                          ("robust", RobustScaler())):
        record(scale, Pipeline([("impute", SimpleImputer(strategy="median")), ("scale", scaler)]),
               NUM, {"impute": "median", "scale": scale})
    record("one_hot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CAT,
           {"encode": "one_hot"})
    ct = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer(strategy="median")),
                          ("scale", StandardScaler())]), NUM),
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CAT),
    ])
    record("column_transformer", ct, NUM + CAT, {"impute": "median", "scale": "standard",
                                                 "encode": "one_hot"})
    doc = {
        "generator": "scripts/sklearn_features_reference.py",
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "cases": cases,
    }
    (OUT / "features.sklearn.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
