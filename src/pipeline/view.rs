//! Sorted and filtered views of a table, as row indices, so a UI can show millions of rows
//! by materialising only the visible slice.

use polars::prelude::*;

use super::error::{PipelineError, Result};
use super::progress::CancelFlag;

/// How a filter compares a column's values with the given value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Case-insensitive substring match (text), or equality (numbers).
    Contains,
    IsNull,
    NotNull,
}

/// A filter on one column, parsed from what a user types (`> 5`, `= red`, `null`, `abc`).
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub column: String,
    pub op: FilterOp,
    pub value: String,
}

impl Filter {
    /// Parse `text` as a filter on `column`. Operators: `= != < <= > >=`, `null`, `!null`;
    /// anything else is a case-insensitive "contains" match.
    pub fn parse(column: &str, text: &str) -> Result<Filter> {
        let t = text.trim();
        if t.is_empty() {
            return Err(PipelineError::BadRequest(
                "empty filter: type a value, or an operator and a value (> 5, = red, null)".into(),
            ));
        }
        let (op, value) = if t.eq_ignore_ascii_case("null") {
            (FilterOp::IsNull, "")
        } else if t.eq_ignore_ascii_case("!null") {
            (FilterOp::NotNull, "")
        } else if let Some(v) = t.strip_prefix("!=") {
            (FilterOp::Ne, v)
        } else if let Some(v) = t.strip_prefix("<=") {
            (FilterOp::Le, v)
        } else if let Some(v) = t.strip_prefix(">=") {
            (FilterOp::Ge, v)
        } else if let Some(v) = t.strip_prefix("==") {
            (FilterOp::Eq, v)
        } else if let Some(v) = t.strip_prefix('=') {
            (FilterOp::Eq, v)
        } else if let Some(v) = t.strip_prefix('<') {
            (FilterOp::Lt, v)
        } else if let Some(v) = t.strip_prefix('>') {
            (FilterOp::Gt, v)
        } else {
            (FilterOp::Contains, t)
        };
        Ok(Filter {
            column: column.to_string(),
            op,
            value: value.trim().to_string(),
        })
    }

    /// How the filter reads, for a status line.
    pub fn describe(&self) -> String {
        let op = match self.op {
            FilterOp::Eq => "=",
            FilterOp::Ne => "!=",
            FilterOp::Lt => "<",
            FilterOp::Le => "<=",
            FilterOp::Gt => ">",
            FilterOp::Ge => ">=",
            FilterOp::Contains => {
                return format!(
                    "{} contains '{}' (= {} for an exact match)",
                    self.column, self.value, self.value
                );
            }
            FilterOp::IsNull => "is null",
            FilterOp::NotNull => "is not null",
        };
        format!("{} {op} {}", self.column, self.value)
            .trim_end()
            .to_string()
    }
}

/// Split `COL EXPR` (as in `:filter age > 70`) where `COL` is one of `columns` (the longest
/// that fits) and an expression follows; `None` when the text does not start with a column.
pub fn split_column_expr(text: &str, columns: &[String]) -> Option<(String, String)> {
    let text = text.trim();
    columns
        .iter()
        .filter_map(|c| {
            let rest = text.strip_prefix(c.as_str())?;
            // The name must end there: a space or an operator follows, not more of a word.
            let next = rest.chars().next()?;
            let ends = next.is_whitespace() || "=!<>".contains(next);
            let expr = rest.trim();
            (ends && !expr.is_empty()).then(|| (c.clone(), expr.to_string()))
        })
        .max_by_key(|(c, _)| c.len())
}

/// A sort on one column.
#[derive(Clone, Debug, PartialEq)]
pub struct Sort {
    pub column: String,
    pub descending: bool,
}

/// What a view shows: rows passing the filter, in sort order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ViewSpec {
    pub filter: Option<Filter>,
    pub sort: Option<Sort>,
}

impl ViewSpec {
    pub fn is_identity(&self) -> bool {
        self.filter.is_none() && self.sort.is_none()
    }
}

fn column<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Series> {
    df.column(name)
        .map(|c| c.as_materialized_series())
        .map_err(|_| PipelineError::BadRequest(format!("no column named '{name}'")))
}

/// Row indices of `df` in view order; `None` means every row in file order.
pub fn compute(
    df: &DataFrame,
    spec: &ViewSpec,
    cancel: &CancelFlag,
) -> Result<Option<Vec<IdxSize>>> {
    if spec.is_identity() {
        return Ok(None);
    }
    let mut rows: Option<Vec<IdxSize>> = match &spec.filter {
        Some(f) => Some(filter_rows(column(df, &f.column)?, f)?),
        None => None,
    };
    cancel.check()?;
    if let Some(sort) = &spec.sort {
        let s = column(df, &sort.column)?;
        let subset = match &rows {
            Some(idx) => {
                let ca = IdxCa::from_vec("".into(), idx.clone());
                s.take(&ca)?
            }
            None => s.clone(),
        };
        let order = subset.arg_sort(SortOptions {
            descending: sort.descending,
            nulls_last: true,
            multithreaded: true,
            maintain_order: true,
            limit: None,
        });
        let order: Vec<IdxSize> = order.into_no_null_iter().collect();
        rows = Some(match rows {
            Some(idx) => order.iter().map(|&i| idx[i as usize]).collect(),
            None => order,
        });
    }
    cancel.check()?;
    Ok(rows)
}

fn filter_rows(s: &Series, f: &Filter) -> Result<Vec<IdxSize>> {
    let keep = |i: usize| i as IdxSize;
    let n = s.len();
    match f.op {
        FilterOp::IsNull | FilterOp::NotNull => {
            let want_null = f.op == FilterOp::IsNull;
            let nulls = s.is_null();
            let nan = if s.dtype().is_float() {
                s.cast(&DataType::Float64)?.f64()?.is_nan()
            } else {
                BooleanChunked::full("".into(), false, n)
            };
            return Ok(nulls
                .iter()
                .zip(nan.iter())
                .enumerate()
                .filter(|(_, (a, b))| (a.unwrap_or(false) || b.unwrap_or(false)) == want_null)
                .map(|(i, _)| keep(i))
                .collect());
        }
        _ => {}
    }
    let dtype = s.dtype();
    if dtype.is_primitive_numeric() {
        let target: f64 = f.value.parse().map_err(|_| {
            PipelineError::BadRequest(format!(
                "'{}' is a number column; '{}' is not a number",
                f.column, f.value
            ))
        })?;
        // Compare at the column's own precision: 0.1 typed for a Float32 column is 0.1f32.
        let target = if *dtype == DataType::Float32 {
            f64::from(target as f32)
        } else {
            target
        };
        let values = s.cast(&DataType::Float64)?;
        let ca = values.f64()?;
        let test = |v: f64| match f.op {
            FilterOp::Eq | FilterOp::Contains => v == target,
            FilterOp::Ne => v != target,
            FilterOp::Lt => v < target,
            FilterOp::Le => v <= target,
            FilterOp::Gt => v > target,
            FilterOp::Ge => v >= target,
            FilterOp::IsNull | FilterOp::NotNull => false,
        };
        return Ok(ca
            .iter()
            .enumerate()
            .filter(|(_, v)| v.is_some_and(test))
            .map(|(i, _)| keep(i))
            .collect());
    }
    // Text, booleans, dates: compare their text (ISO dates order correctly as text).
    let text = s.cast(&DataType::String)?;
    let ca = text.str()?;
    let needle = f.value.to_lowercase();
    let value = f.value.as_str();
    let test = |v: &str| match f.op {
        FilterOp::Contains => v.to_lowercase().contains(&needle),
        FilterOp::Eq => v == value,
        FilterOp::Ne => v != value,
        FilterOp::Lt => v < value,
        FilterOp::Le => v <= value,
        FilterOp::Gt => v > value,
        FilterOp::Ge => v >= value,
        FilterOp::IsNull | FilterOp::NotNull => false,
    };
    Ok(ca
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_some_and(test))
        .map(|(i, _)| keep(i))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn df() -> DataFrame {
        df!(
            "x" => [Some(3.0), None, Some(1.0), Some(2.0)],
            "s" => ["Red", "blue", "green", "RED"]
        )
        .unwrap()
    }

    #[test]
    fn parses_operators() {
        assert_eq!(Filter::parse("x", "> 5").unwrap().op, FilterOp::Gt);
        assert_eq!(Filter::parse("x", ">=5").unwrap().value, "5");
        assert_eq!(Filter::parse("x", "null").unwrap().op, FilterOp::IsNull);
        assert_eq!(Filter::parse("x", "abc").unwrap().op, FilterOp::Contains);
        assert!(Filter::parse("x", "  ").is_err());
    }

    #[test]
    fn filters_and_sorts() {
        let cancel = CancelFlag::new();
        let spec = ViewSpec {
            filter: Some(Filter::parse("x", ">1").unwrap()),
            sort: Some(Sort {
                column: "x".into(),
                descending: false,
            }),
        };
        assert_eq!(compute(&df(), &spec, &cancel).unwrap(), Some(vec![3, 0]));
        let spec = ViewSpec {
            filter: Some(Filter::parse("s", "red").unwrap()),
            sort: None,
        };
        assert_eq!(compute(&df(), &spec, &cancel).unwrap(), Some(vec![0, 3]));
        let spec = ViewSpec {
            filter: None,
            sort: Some(Sort {
                column: "x".into(),
                descending: true,
            }),
        };
        assert_eq!(
            compute(&df(), &spec, &cancel).unwrap(),
            Some(vec![0, 3, 2, 1])
        );
        let spec = ViewSpec {
            filter: Some(Filter::parse("x", "null").unwrap()),
            sort: None,
        };
        assert_eq!(compute(&df(), &spec, &cancel).unwrap(), Some(vec![1]));
        assert!(
            compute(
                &df(),
                &ViewSpec {
                    filter: Some(Filter::parse("x", "abc").unwrap()),
                    sort: None
                },
                &cancel
            )
            .is_err()
        );
    }
}
