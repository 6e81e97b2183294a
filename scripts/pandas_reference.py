#!/usr/bin/env python3
"""Generate the pandas reference fixtures used for mlwb profile parity tests.

What it does
------------
1. Generates a deterministic CSV, ``tests/fixtures/parity/profile_parity.csv``
   (5,000 rows, header, comma delimiter, ``\\n`` line endings), from
   ``numpy.random.default_rng(20261121)``. Columns:

   - ``normal``       float N(10, 3), 6 decimals, ~5% empty cells
   - ``skewed``       lognormal(0, 1) * 1000, 4 decimals, ~1% literal ``NaN``
                      and ~1% literal ``NA`` (disjoint cells)
   - ``ints``         integers uniform in [0, 1000] inclusive, no missing
   - ``ints_missing`` integers uniform in [-50, 50] inclusive, ~10% empty
   - ``small_vals``   float N(0, 1e-6), written with ``%.17g``
   - ``big_vals``     float N(1e9, 1e3), written with ``%.17g``
   - ``category``     red/green/blue/yellow with p = .4/.3/.2/.1, ~3% empty
   - ``flag``         yes/no (p = .5 each)
   - ``constant``     always 7

   Missing values are empty cells, except the literal ``NaN``/``NA`` texts in
   ``skewed``.

2. Reads the CSV back with plain ``pandas.read_csv(path)`` (default
   na_values, so ``NaN`` and ``NA`` are missing) and writes
   ``tests/fixtures/parity/profile_parity.pandas.json``: one object per column
   with ``count``, ``nulls``, ``distinct`` and, for numeric columns, ``mean``,
   ``std`` (ddof=1), ``min``, ``max``, ``q25``, ``median``, ``q75`` (linear
   interpolation); for string columns ``top`` = ``value_counts().head(3)`` as
   ``[value, count]`` pairs. ``normal`` also gets ``hist_counts`` /
   ``hist_edges`` from ``numpy.histogram(values, bins=13)``. Floats are stored
   as ``float(x)``; ``json`` writes the shortest repr that round-trips exactly
   (at most 17 significant digits). A top-level ``_meta`` key records versions,
   seed, dtypes and the command used.

Requirements
------------
pandas 2.3.3 and numpy 2.4.6 (other versions may produce different random
draws or statistics; the script refuses to run on other versions unless
``--allow-other-versions`` is given).

How to run (from the repository root)
-------------------------------------
    /tmp/peers-venv/bin/python scripts/pandas_reference.py

or with any Python environment that has pandas==2.3.3 and numpy==2.4.6:

    python scripts/pandas_reference.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261121
N_ROWS = 5000
EXPECTED_PANDAS = "2.3.3"
EXPECTED_NUMPY = "2.4.6"
COMMAND = "python scripts/pandas_reference.py"

REPO_ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = REPO_ROOT / "tests" / "fixtures" / "parity"
CSV_PATH = OUT_DIR / "profile_parity.csv"
JSON_PATH = OUT_DIR / "profile_parity.pandas.json"

COLUMNS = [
    "normal",
    "skewed",
    "ints",
    "ints_missing",
    "small_vals",
    "big_vals",
    "category",
    "flag",
    "constant",
]


def generate_columns(rng: np.random.Generator) -> dict[str, list[str]]:
    """Return each column as a list of already-formatted cell strings.

    The order of the rng calls below defines the data; do not reorder.
    """
    n = N_ROWS

    # normal: N(10, 3), 6 decimals, ~5% empty
    normal = rng.normal(10.0, 3.0, n)
    normal_missing = rng.random(n) < 0.05
    normal_cells = [
        "" if miss else f"{v:.6f}" for v, miss in zip(normal, normal_missing)
    ]

    # skewed: lognormal(0, 1) * 1000, 4 decimals, ~1% "NaN", ~1% "NA"
    skewed = rng.lognormal(0.0, 1.0, n) * 1000.0
    u = rng.random(n)
    skewed_cells = []
    for v, x in zip(skewed, u):
        if x < 0.01:
            skewed_cells.append("NaN")
        elif x < 0.02:
            skewed_cells.append("NA")
        else:
            skewed_cells.append(f"{v:.4f}")

    # ints: uniform integers 0..1000 inclusive
    ints = rng.integers(0, 1001, n)
    ints_cells = [str(int(v)) for v in ints]

    # ints_missing: uniform integers -50..50 inclusive, ~10% empty
    ints_m = rng.integers(-50, 51, n)
    ints_m_missing = rng.random(n) < 0.10
    ints_m_cells = [
        "" if miss else str(int(v)) for v, miss in zip(ints_m, ints_m_missing)
    ]

    # small_vals: N(0, 1e-6), full precision
    small = rng.normal(0.0, 1e-6, n)
    small_cells = ["%.17g" % float(v) for v in small]

    # big_vals: N(1e9, 1e3), full precision
    big = rng.normal(1e9, 1e3, n)
    big_cells = ["%.17g" % float(v) for v in big]

    # category: red/green/blue/yellow (.4/.3/.2/.1), ~3% empty
    cats = rng.choice(
        np.array(["red", "green", "blue", "yellow"]), size=n, p=[0.4, 0.3, 0.2, 0.1]
    )
    cat_missing = rng.random(n) < 0.03
    cat_cells = ["" if miss else str(c) for c, miss in zip(cats, cat_missing)]

    # flag: yes/no
    flags = rng.choice(np.array(["yes", "no"]), size=n)
    flag_cells = [str(f) for f in flags]

    # constant: 7
    const_cells = ["7"] * n

    return {
        "normal": normal_cells,
        "skewed": skewed_cells,
        "ints": ints_cells,
        "ints_missing": ints_m_cells,
        "small_vals": small_cells,
        "big_vals": big_cells,
        "category": cat_cells,
        "flag": flag_cells,
        "constant": const_cells,
    }


def write_csv(cols: dict[str, list[str]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(COLUMNS) + "\n")
        for i in range(N_ROWS):
            fh.write(",".join(cols[c][i] for c in COLUMNS) + "\n")


def column_stats(s: pd.Series) -> dict:
    out: dict = {
        "count": int(s.count()),
        "nulls": int(s.isna().sum()),
        "distinct": int(s.nunique()),
    }
    if pd.api.types.is_numeric_dtype(s):
        q = s.quantile([0.25, 0.5, 0.75])  # linear interpolation (default)
        out.update(
            {
                "mean": float(s.mean()),
                "std": float(s.std()),  # ddof=1
                "min": float(s.min()),
                "max": float(s.max()),
                "q25": float(q.loc[0.25]),
                "median": float(q.loc[0.5]),
                "q75": float(q.loc[0.75]),
            }
        )
    else:
        out["top"] = [[str(k), int(v)] for k, v in s.value_counts().head(3).items()]
    return out


def main(argv: list[str]) -> int:
    if "--allow-other-versions" not in argv and (
        pd.__version__ != EXPECTED_PANDAS or np.__version__ != EXPECTED_NUMPY
    ):
        print(
            f"expected pandas {EXPECTED_PANDAS} / numpy {EXPECTED_NUMPY}, "
            f"got pandas {pd.__version__} / numpy {np.__version__} "
            "(pass --allow-other-versions to override)",
            file=sys.stderr,
        )
        return 2

    rng = np.random.default_rng(SEED)
    write_csv(generate_columns(rng), CSV_PATH)

    df = pd.read_csv(CSV_PATH)
    assert list(df.columns) == COLUMNS, list(df.columns)
    assert len(df) == N_ROWS, len(df)

    result: dict = {
        "_meta": {
            "pandas": pd.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "seed": SEED,
            "rows": int(len(df)),
            "command": COMMAND,
            "read_csv": "pandas.read_csv(path) with default options",
            "dtypes": {c: str(df[c].dtype) for c in COLUMNS},
        }
    }
    for c in COLUMNS:
        result[c] = column_stats(df[c])

    counts, edges = np.histogram(df["normal"].dropna().to_numpy(), bins=13)
    result["normal"]["hist_counts"] = [int(x) for x in counts]
    result["normal"]["hist_edges"] = [float(x) for x in edges]

    with open(JSON_PATH, "w", encoding="utf-8", newline="") as fh:
        json.dump(result, fh, indent=2, allow_nan=False)
        fh.write("\n")

    print(f"wrote {CSV_PATH.relative_to(REPO_ROOT)} ({len(df)} rows)")
    print(f"wrote {JSON_PATH.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
