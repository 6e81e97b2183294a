//! JSON records read value by value, for files polars' JSON reader cannot type (a key holding
//! numbers in some rows and text or lists in others): each column gets the one type all its
//! values share, and a column of mixed values is read as text, with a warning.

use polars::prelude::*;
use serde_json::Value;

/// The table of `text` (a JSON array of objects, or one object per line), or `None` when the
/// text is not such records (the caller then reports its own reader's error).
pub fn read(text: &str, lines: bool) -> Option<(DataFrame, Option<String>)> {
    let records: Vec<serde_json::Map<String, Value>> = if lines {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| match serde_json::from_str(l) {
                Ok(Value::Object(m)) => Some(m),
                _ => None,
            })
            .collect::<Option<_>>()?
    } else {
        match serde_json::from_str(text).ok()? {
            Value::Array(rows) => rows
                .into_iter()
                .map(|r| match r {
                    Value::Object(m) => Some(m),
                    _ => None,
                })
                .collect::<Option<_>>()?,
            _ => return None,
        }
    };
    // Columns in the order their keys first appear.
    let mut names: Vec<String> = Vec::new();
    for r in &records {
        for k in r.keys() {
            if !names.contains(k) {
                names.push(k.clone());
            }
        }
    }
    let mut mixed = Vec::new();
    let columns: Vec<Column> = names
        .iter()
        .map(|name| {
            let values: Vec<&Value> = records
                .iter()
                .map(|r| r.get(name).unwrap_or(&Value::Null))
                .collect();
            let (column, was_mixed) = column(name, &values);
            if was_mixed {
                mixed.push(name.clone());
            }
            column
        })
        .collect();
    let df = DataFrame::new(records.len(), columns).ok()?;
    let note = (!mixed.is_empty()).then(|| {
        format!(
            "values of different kinds in {} (numbers, text, lists): read as text",
            mixed.join(", ")
        )
    });
    Some((df, note))
}

/// One column from its values, and whether they were of mixed kinds (then read as text).
fn column(name: &str, values: &[&Value]) -> (Column, bool) {
    let present = || values.iter().filter(|v| !v.is_null());
    let name = PlSmallStr::from(name);
    if present().all(|v| v.is_boolean()) {
        let v: Vec<Option<bool>> = values.iter().map(|v| v.as_bool()).collect();
        return (Series::new(name, v).into(), false);
    }
    if present().all(|v| v.is_i64()) {
        let v: Vec<Option<i64>> = values.iter().map(|v| v.as_i64()).collect();
        return (Series::new(name, v).into(), false);
    }
    if present().all(|v| v.is_number()) {
        let v: Vec<Option<f64>> = values.iter().map(|v| v.as_f64()).collect();
        return (Series::new(name, v).into(), false);
    }
    let all_text = present().all(|v| v.is_string());
    let v: Vec<Option<String>> = values
        .iter()
        .map(|v| match v {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        })
        .collect();
    (Series::new(name, v).into(), !all_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_columns_become_text_and_plain_ones_keep_their_type() {
        let (df, note) = read(
            r#"[{"a":1,"b":"x","c":true},{"a":"two","b":"y"},{"a":[1],"b":null,"c":false}]"#,
            false,
        )
        .unwrap();
        assert_eq!(df.shape(), (3, 3));
        assert_eq!(df.column("a").unwrap().dtype(), &DataType::String);
        assert_eq!(df.column("c").unwrap().dtype(), &DataType::Boolean);
        assert_eq!(
            note.unwrap(),
            "values of different kinds in a (numbers, text, lists): read as text"
        );
        let (df, note) = read("{\"n\":1}\n\n{\"n\":2.5}\n", true).unwrap();
        assert_eq!(df.column("n").unwrap().dtype(), &DataType::Float64);
        assert!(note.is_none());
        assert!(read("[1, 2]", false).is_none());
        assert!(read("{\"a\": 1", true).is_none());
    }
}
