//! One side of one column, read out of a DataFrame the way the drift tests need it: the finite
//! numbers sorted once (nulls, NaN and ±inf counted apart), or the labels with their counts.

use polars::prelude::*;

use super::sketch::LabelSummary;
use crate::pipeline::error::Result;

/// What a column's dtype lets the drift engine do with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DtypeClass {
    /// Integers and floats: tested on their values.
    Number { integer: bool },
    /// Strings, categoricals and booleans: tested on label counts.
    Label,
    /// Dates, datetimes, times and durations: not tested (time moves by design).
    Temporal,
    /// The null type: a column with no values at all.
    Null,
    /// Lists, structs, binary and the rest.
    Other,
}

impl DtypeClass {
    pub fn of(dtype: &DataType) -> DtypeClass {
        match dtype {
            d if d.is_float() => DtypeClass::Number { integer: false },
            d if d.is_integer() => DtypeClass::Number { integer: true },
            DataType::String | DataType::Boolean => DtypeClass::Label,
            DataType::Categorical(_, _) | DataType::Enum(_, _) => DtypeClass::Label,
            DataType::Date | DataType::Datetime(_, _) | DataType::Time | DataType::Duration(_) => {
                DtypeClass::Temporal
            }
            DataType::Null => DtypeClass::Null,
            _ => DtypeClass::Other,
        }
    }
}

/// The finite values of a numeric column, ascending, and what was left out.
#[derive(Clone, Debug, Default)]
pub struct Numbers {
    pub sorted: Vec<f64>,
    /// Nulls and NaN.
    pub nulls: u64,
    pub infinite: u64,
}

/// Read a numeric column: one pass to copy the finite values, one radix sort.
pub fn numbers(series: &Series) -> Result<Numbers> {
    let s = series.cast(&DataType::Float64)?;
    let ca = s.f64()?;
    let mut out = Numbers {
        sorted: Vec::with_capacity(ca.len() - ca.null_count()),
        nulls: ca.null_count() as u64,
        ..Numbers::default()
    };
    let mut push = |v: f64| {
        if v.is_finite() {
            out.sorted.push(v);
        } else if v.is_nan() {
            out.nulls += 1;
        } else {
            out.infinite += 1;
        }
    };
    for arr in ca.downcast_iter() {
        match arr.validity().filter(|v| v.unset_bits() > 0) {
            None => arr.values().iter().for_each(|&v| push(v)),
            Some(validity) => arr
                .values()
                .iter()
                .zip(validity.iter())
                .filter(|(_, ok)| *ok)
                .for_each(|(&v, _)| push(v)),
        }
    }
    radsort::sort(&mut out.sorted);
    Ok(out)
}

/// Read a label column (strings, categoricals, booleans as `true`/`false`): the counts sorted
/// by label.
pub fn labels(series: &Series) -> Result<LabelSummary> {
    let s = series.cast(&DataType::String)?;
    let ca = s.str()?;
    let mut map: PlHashMap<&str, u64> = PlHashMap::new();
    for arr in ca.downcast_iter() {
        for v in arr.iter().flatten() {
            *map.entry(v).or_insert(0) += 1;
        }
    }
    let mut out = LabelSummary {
        nulls: ca.null_count() as u64,
        distinct: map.len() as u64,
        ..LabelSummary::default()
    };
    for (k, &n) in &map {
        out.chars += k.chars().count() as u64 * n;
        out.spaces += k.bytes().filter(|b| *b == b' ').count() as u64 * n;
        out.values += n;
    }
    out.counts = map.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
    out.counts.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Align two sorted label-count lists on the union of their labels.
pub fn align(a: &[(String, u64)], b: &[(String, u64)]) -> (Vec<String>, Vec<f64>, Vec<f64>) {
    let (mut keys, mut ca, mut cb) = (Vec::new(), Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let order = match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => x.0.cmp(&y.0),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Less => {
                keys.push(a[i].0.clone());
                ca.push(a[i].1 as f64);
                cb.push(0.0);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                keys.push(b[j].0.clone());
                ca.push(0.0);
                cb.push(b[j].1 as f64);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                keys.push(a[i].0.clone());
                ca.push(a[i].1 as f64);
                cb.push(b[j].1 as f64);
                i += 1;
                j += 1;
            }
        }
    }
    (keys, ca, cb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_leave_out_nulls_nan_and_infinities() {
        let s = Series::new(
            "x".into(),
            &[
                Some(3.0),
                None,
                Some(f64::NAN),
                Some(f64::INFINITY),
                Some(-1.0),
            ],
        );
        let n = numbers(&s).unwrap();
        assert_eq!(n.sorted, vec![-1.0, 3.0]);
        assert_eq!((n.nulls, n.infinite), (2, 1));
    }

    #[test]
    fn labels_count_and_align() {
        let a = labels(&Series::new(
            "c".into(),
            &[Some("b"), Some("a"), None, Some("b")],
        ))
        .unwrap();
        assert_eq!(a.counts, vec![("a".into(), 1), ("b".into(), 2)]);
        assert_eq!(a.nulls, 1);
        let b = vec![("b".to_string(), 5), ("c".to_string(), 1)];
        let (k, x, y) = align(&a.counts, &b);
        assert_eq!(k, vec!["a", "b", "c"]);
        assert_eq!((x, y), (vec![1.0, 2.0, 0.0], vec![0.0, 5.0, 1.0]));
    }
}
