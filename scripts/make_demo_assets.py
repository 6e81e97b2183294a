#!/usr/bin/env python3
"""Regenerate the demo datasets in assets/demo/ from locally installed packages.

No network access is needed at run time: every dataset below ships inside
the pip package it is loaded from.

Requirements (the versions these files were produced with):

    python3 -m venv /tmp/assets-venv
    /tmp/assets-venv/bin/pip install palmerpenguins==0.1.6 vega-datasets==0.9.0 \
        scikit-learn==1.9.1 pandas==3.1.1 scipy==1.17.1
    # (numpy 2.4.6 was pulled in as a dependency)

Usage (from the repository root):

    /tmp/assets-venv/bin/python scripts/make_demo_assets.py

Outputs (plain UTF-8 CSV, comma delimited, header row, "\\n" line endings,
empty cell for missing values, no index column):

    assets/demo/penguins.csv            Palmer Penguins (classification, target `species`)
    assets/demo/diabetes.csv            sklearn diabetes, unscaled (regression, target `progression`)
    assets/demo/weather_reference.csv   Seattle weather, Nov-Feb of 2012-2015 (drift reference)
    assets/demo/weather_current.csv     Seattle weather, Jun-Aug of 2012-2015 (drift current)

The script also prints a two-sample Kolmogorov-Smirnov test per numeric
weather column and the weather-category proportions, to document the drift.
"""

from pathlib import Path

import pandas as pd
from palmerpenguins import load_penguins
from scipy.stats import ks_2samp
from sklearn.datasets import load_diabetes
from vega_datasets import local_data

OUT_DIR = Path(__file__).resolve().parent.parent / "assets" / "demo"
MAX_BYTES = 200 * 1024

REFERENCE_MONTHS = [11, 12, 1, 2]  # Nov-Feb (winter)
CURRENT_MONTHS = [6, 7, 8]  # Jun-Aug (summer)
WEATHER_NUMERIC = ["precipitation", "temp_max", "temp_min", "wind"]


def integral_floats_to_int(df: pd.DataFrame) -> pd.DataFrame:
    """Write whole-number float columns as integers ("181", not "181.0").

    Uses pandas' nullable Int64 so missing values stay missing (empty cell).
    """
    df = df.copy()
    for col in df.columns:
        if pd.api.types.is_float_dtype(df[col]):
            vals = df[col].dropna()
            if len(vals) and (vals % 1 == 0).all():
                df[col] = df[col].astype("Int64")
    return df


def write_csv(df: pd.DataFrame, name: str) -> None:
    path = OUT_DIR / name
    df.to_csv(path, index=False, na_rep="", lineterminator="\n", encoding="utf-8")
    size = path.stat().st_size
    assert size < MAX_BYTES, f"{name} is {size} bytes (limit {MAX_BYTES})"
    print(f"wrote {path.relative_to(OUT_DIR.parent.parent)}: "
          f"{len(df)} rows x {df.shape[1]} cols, {size} bytes")


def make_penguins() -> None:
    # Cleaned/simplified table (8 columns), not penguins_raw.
    df = load_penguins()
    expected = ["species", "island", "bill_length_mm", "bill_depth_mm",
                "flipper_length_mm", "body_mass_g", "sex", "year"]
    assert list(df.columns) == expected, list(df.columns)
    write_csv(integral_floats_to_int(df), "penguins.csv")


def make_diabetes() -> None:
    bunch = load_diabetes(scaled=False, as_frame=True)
    df = bunch.frame.rename(columns={"target": "progression"})
    write_csv(integral_floats_to_int(df), "diabetes.csv")


def make_weather() -> None:
    df = local_data.seattle_weather()  # bundled CSV, read offline
    df = df.sort_values("date").reset_index(drop=True)
    month = df["date"].dt.month
    ref = df[month.isin(REFERENCE_MONTHS)].copy()
    cur = df[month.isin(CURRENT_MONTHS)].copy()
    cols = ["date"] + WEATHER_NUMERIC + ["weather"]
    for part in (ref, cur):
        part["date"] = part["date"].dt.strftime("%Y-%m-%d")
    write_csv(ref[cols], "weather_reference.csv")
    write_csv(cur[cols], "weather_current.csv")

    print("\nKS two-sample test, reference (Nov-Feb) vs current (Jun-Aug):")
    print(f"  {'column':<14}{'ref mean':>10}{'cur mean':>10}{'KS D':>8}{'p-value':>12}  p<0.05")
    for col in WEATHER_NUMERIC:
        res = ks_2samp(ref[col], cur[col])
        print(f"  {col:<14}{ref[col].mean():>10.2f}{cur[col].mean():>10.2f}"
              f"{res.statistic:>8.3f}{res.pvalue:>12.3g}  {res.pvalue < 0.05}")
    props = pd.concat(
        [ref["weather"].value_counts(normalize=True).rename("reference"),
         cur["weather"].value_counts(normalize=True).rename("current")],
        axis=1,
    ).fillna(0.0).round(3)
    print("\nweather category proportions:")
    print(props.to_string())


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    make_penguins()
    make_diabetes()
    make_weather()


if __name__ == "__main__":
    main()
