//! Reading a column's values the way the feature steps need them: numbers with NaN for missing,
//! labels for categories, and date parts.

use polars::prelude::*;

use super::check::ValueClass;
use super::spec::DatePart;
use crate::pipeline::error::{PipelineError, Result};
use crate::pipeline::text::number_label;

/// One f64 per row; missing values (null, NaN, ±inf) are NaN. Booleans are 1 and 0.
pub fn numbers(series: &Series) -> Result<Vec<f64>> {
    let s = series.cast(&DataType::Float64)?;
    let ca = s.f64()?;
    let mut out = Vec::with_capacity(ca.len());
    for arr in ca.downcast_iter() {
        let values = arr
            .values()
            .iter()
            .map(|v| if v.is_finite() { *v } else { f64::NAN });
        match arr.validity().filter(|v| v.unset_bits() > 0) {
            None => out.extend(values),
            Some(validity) => out.extend(
                values
                    .zip(validity.iter())
                    .map(|(v, ok)| if ok { v } else { f64::NAN }),
            ),
        }
    }
    Ok(out)
}

/// The column as text labels (null stays null). Numbers are written exactly, whole numbers
/// without a decimal point; booleans as `true`/`false`.
pub fn labels(series: &Series) -> Result<StringChunked> {
    match ValueClass::of(series.dtype()) {
        ValueClass::Number => {
            let values = numbers_keep_inf(series)?;
            Ok(StringChunked::from_iter_options(
                series.name().clone(),
                values.into_iter().map(|v| v.map(number_label)),
            ))
        }
        _ => {
            let s = series.cast(&DataType::String)?;
            Ok(s.str()?.clone())
        }
    }
}

fn numbers_keep_inf(series: &Series) -> Result<Vec<Option<f64>>> {
    let s = series.cast(&DataType::Float64)?;
    let ca = s.f64()?;
    Ok(ca.iter().map(|v| v.filter(|x| !x.is_nan())).collect())
}

/// One date part per row (NaN for missing) of a Date or Datetime column, in UTC.
pub fn date_part(series: &Series, part: DatePart) -> Result<Vec<f64>> {
    let (per_day, per_second) = match series.dtype() {
        DataType::Date => (1i64, 0i64),
        DataType::Datetime(unit, _) => {
            let per_second = match unit {
                TimeUnit::Nanoseconds => 1_000_000_000,
                TimeUnit::Microseconds => 1_000_000,
                TimeUnit::Milliseconds => 1_000,
            };
            (per_second * 86_400, per_second)
        }
        other => {
            return Err(PipelineError::BadRequest(format!(
                "column '{}' is {other}, not a date or timestamp",
                series.name()
            )));
        }
    };
    let phys = series.to_physical_repr();
    let phys = phys.cast(&DataType::Int64)?;
    let ca = phys.i64()?;
    Ok(ca
        .iter()
        .map(|v| match v {
            None => f64::NAN,
            Some(v) => {
                let days = v.div_euclid(per_day);
                let within = v.rem_euclid(per_day);
                let (y, m, d) = civil_from_days(days);
                match part {
                    DatePart::Year => y as f64,
                    DatePart::Month => m as f64,
                    DatePart::Day => d as f64,
                    DatePart::Weekday => (days + 3).rem_euclid(7) as f64,
                    DatePart::DayOfYear => (days - days_from_civil(y, 1, 1) + 1) as f64,
                    DatePart::Hour if per_second > 0 => (within / per_second / 3600) as f64,
                    DatePart::Minute if per_second > 0 => (within / per_second / 60 % 60) as f64,
                    DatePart::Hour | DatePart::Minute => 0.0,
                }
            }
        })
        .collect())
}

/// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01 (H. Hinnant's method).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_round_trip() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        for z in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn date_parts_of_a_timestamp() {
        // 2024-02-29 13:45:00 UTC, a Thursday, day 60 of the year.
        let ms = (19_782i64 * 86_400 + 13 * 3600 + 45 * 60) * 1000;
        let s = Series::new("t".into(), &[Some(ms), None])
            .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
            .unwrap();
        let get = |p| date_part(&s, p).unwrap()[0];
        assert_eq!(get(DatePart::Year), 2024.0);
        assert_eq!(get(DatePart::Month), 2.0);
        assert_eq!(get(DatePart::Day), 29.0);
        assert_eq!(get(DatePart::Weekday), 3.0);
        assert_eq!(get(DatePart::DayOfYear), 60.0);
        assert_eq!(get(DatePart::Hour), 13.0);
        assert_eq!(get(DatePart::Minute), 45.0);
        assert!(date_part(&s, DatePart::Year).unwrap()[1].is_nan());
    }
}
