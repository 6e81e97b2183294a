"""Test accuracy of scikit-learn RandomForestClassifier(100 trees, n_jobs=2) over five seeds on the
peer harness's 1M-row classification split and preprocessing (issue #4: is the gap to mlwb
seed noise?). Compare with `BENCH_SEED=S cargo bench --bench train -- DIR rf 1`.
Run: BENCH_DATA=DIR python scripts/rf_seeds_sklearn.py  (imports ../shared/bench/peers.py)
"""
import json
import os
import sys
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
os.environ.setdefault("BENCH_DATA", "/tmp/bench-data")
import peers
import pandas as pd, numpy as np
from sklearn import metrics as M
from sklearn.ensemble import RandomForestClassifier
n = 1000000
df = pd.read_parquet(peers.path("classification", n, "parquet"))
ntr = int(0.8 * n)
tr, te = df.iloc[:ntr], df.iloc[ntr:]
pre = peers.sk_preprocessor().fit(tr[peers.FEATURES])
Xtr, Xte = pre.transform(tr[peers.FEATURES]), pre.transform(te[peers.FEATURES])
ytr, yte = tr["target"].to_numpy(), te["target"].to_numpy()
for seed in range(5):
    t0 = time.time()
    m = RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=seed).fit(Xtr, ytr)
    lab = m.predict(Xte); p = m.predict_proba(Xte)[:, 1]
    print(json.dumps({"seed": seed, "acc": float(M.accuracy_score(yte, lab)), "auc": float(M.roc_auc_score(yte, p)), "s": time.time() - t0}), flush=True)
