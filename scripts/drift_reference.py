"""Reference numbers for tests/it/pipeline_drift.rs (issue #5).

Builds the same deterministic reference/current tables as `fixture()` in pipeline_drift.rs
(integer arithmetic, then one correctly rounded division, so both languages get identical
floats), and prints per column:
  - scipy 1.17 ks_2samp(method="auto") statistic and p-value;
  - wasserstein_distance / max(np.std(ref), 0.001);
  - Jensen-Shannon distance (natural log) on Evidently's bins (get_binned_data);
  - PSI on 10 reference-quantile bins, shares floored at 1e-4 (the peer harness's formula);
  - chi-square p-value as Evidently computes it (scipy.stats.chisquare with scaled reference);
  - Evidently 0.7 DataDriftPreset's per-column method, score and verdict;
and the same for the demo drift pair assets/demo/weather_{reference,current}.csv (without `date`).
Run: /tmp/peers-venv/bin/python scripts/drift_reference.py > tests/fixtures/parity/drift_parity.json
"""
import json
import os
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

warnings.filterwarnings("ignore")


def table(n, cur):
    rows = range(n)
    if not cur:
        x = [((i * 7919) % 10007) / 1000.0 for i in rows]
        k = [(i * 31) % 5 for i in rows]
        b = ["yes" if i % 3 == 0 else "no" for i in rows]
        c = ["abcd"[(i * 7) % 4] for i in rows]
        m = [None if i % 10 == 0 else (i % 97) / 7.0 for i in rows]
    else:
        x = [((i * 104729) % 10009) / 950.0 + 0.2 for i in rows]
        k = [(i * 17) % 6 for i in rows]
        b = ["yes" if i % 2 == 0 else "no" for i in rows]
        c = ["abce"[(i * 5) % 4] if i % 9 else "abcd"[i % 4] for i in rows]
        m = [None if i % 4 == 0 else (i % 89) / 7.0 for i in rows]
    same = [float((i * 13) % 101) for i in rows]
    return pd.DataFrame({"x": x, "k": k, "b": b, "c": c, "m": m, "same": same})


def psi(r, q):
    edges = np.unique(np.quantile(r, np.linspace(0, 1, 11)[1:-1]))
    bins = np.concatenate([[-np.inf], edges, [np.inf]])
    p = np.histogram(r, bins)[0] / len(r)
    c = np.histogram(q, bins)[0] / len(q)
    p = np.clip(p, 1e-4, None)
    c = np.clip(c, 1e-4, None)
    return float(np.sum((c - p) * np.log(c / p)))


def main():
    from evidently import DataDefinition, Dataset, Report
    from evidently.legacy.calculations.stattests.utils import get_binned_data
    from evidently.legacy.core import ColumnType
    from evidently.presets import DataDriftPreset

    out = {}
    demo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "demo")
    pairs = {
        "small": (table(400, False), table(300, True)),
        "large": (table(3000, False), table(2500, True)),
        "weather": tuple(
            pd.read_csv(os.path.join(demo, f"weather_{s}.csv")).drop(columns="date")
            for s in ("reference", "current")
        ),
    }
    for name, (ref, cur) in pairs.items():
        res = {}
        for col in ref.columns:
            r = ref[col].dropna()
            q = cur[col].dropna()
            numeric = pd.api.types.is_numeric_dtype(ref[col])
            d = {}
            ft = ColumnType.Numerical if numeric else ColumnType.Categorical
            pr, pc = get_binned_data(r, q, ft, 30, False)
            d["js"] = float(jensenshannon(pr, pc))
            if numeric:
                ks = stats.ks_2samp(r.to_numpy(), q.to_numpy(), method="auto")
                d["ks_d"], d["ks_p"] = float(ks.statistic), float(ks.pvalue)
                d["wasserstein"] = float(stats.wasserstein_distance(r, q) / max(float(np.std(r)), 0.001))
                d["psi"] = psi(r.to_numpy(), q.to_numpy())
            keys = sorted(set(r.unique()) | set(q.unique()))
            if len(keys) <= 100:
                a = np.array([(r == k).sum() for k in keys], dtype=float)
                bq = np.array([(q == k).sum() for k in keys], dtype=float)
                with np.errstate(divide="ignore", invalid="ignore"):
                    chi = stats.chisquare(bq, a * len(q) / len(r))
                d["chi_p"] = float(chi.pvalue)
            res[col] = d
        num = [c for c in ref.columns if pd.api.types.is_numeric_dtype(ref[c])]
        dd = DataDefinition(
            numerical_columns=num, categorical_columns=[c for c in ref.columns if c not in num]
        )
        snap = Report([DataDriftPreset()]).run(
            current_data=Dataset.from_pandas(cur, data_definition=dd),
            reference_data=Dataset.from_pandas(ref, data_definition=dd),
        ).dict()
        for m in snap["metrics"]:
            cfg = m.get("config", {}) or {}
            if "ValueDrift" in str(cfg.get("type", "")):
                meth = str(cfg.get("method"))
                s, t = float(m["value"]), float(cfg["threshold"])
                is_p = "p_value" in meth
                drifted = (s <= t if "K-S" in meth else s < t) if is_p else s >= t
                res[cfg["column"]]["evidently"] = {"method": meth, "score": s, "drifted": drifted}
        out[name] = res
    print(json.dumps(out, indent=1))


main()
