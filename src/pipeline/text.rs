//! Making untrusted text (cell values, column and file names) safe to show in a terminal.

use std::borrow::Cow;
use std::fmt::Write;

/// True for characters that must never reach a terminal raw: C0/C1 controls (ESC, BEL, CR, ...),
/// DEL, and the bidirectional overrides that can reorder what is displayed.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Escape control characters so they are shown, not executed: `\n`, `\t`, `\r`, `\e` and
/// `\u{..}` for the rest. Text without such characters is returned borrowed.
pub fn escape_control(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Format a float for display: compact, at most `sig` significant digits, no trailing zeros.
pub fn format_number(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let a = v.abs();
    if !(1e-4..1e9).contains(&a) {
        let s = format!("{v:.3e}");
        return s;
    }
    if v.fract() == 0.0 && a < 1e15 {
        return format!("{v:.0}");
    }
    // Six significant digits, trailing zeros removed.
    let digits = (5 - a.log10().floor() as i32).clamp(0, 9) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A number as a category label: exact (shortest round-trip form), whole numbers without ".0".
pub fn number_label(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Thousands separators for counts: 1234567 -> "1,234,567".
pub fn format_count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `s` cut to at most `width` terminal columns, the cut marked with `…`.
pub fn truncate(s: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// Levenshtein distance, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(row[j]).min(cur)
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(escape_control("plain"), "plain");
        assert_eq!(escape_control("a\u{1b}[31mred"), "a\\e[31mred");
        assert_eq!(escape_control("bell\u{7}"), "bell\\u{7}");
        assert_eq!(
            escape_control("osc\u{1b}]0;title\u{7}"),
            "osc\\e]0;title\\u{7}"
        );
        assert_eq!(escape_control("two\nlines"), "two\\nlines");
        assert_eq!(escape_control("c1\u{9b}x"), "c1\\u{9b}x");
        assert_eq!(escape_control("rtl\u{202e}x"), "rtl\\u{202e}x");
        assert!(matches!(escape_control("ok"), Cow::Borrowed(_)));
    }

    #[test]
    fn formats_numbers_compactly() {
        assert_eq!(format_number(0.0), "0");
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(3.25), "3.25");
        assert_eq!(format_number(1.0 / 3.0), "0.333333");
        assert_eq!(format_number(123456.789), "123457");
        assert_eq!(format_number(1e12), "1.000e12");
        assert_eq!(format_number(-2.5e-7), "-2.500e-7");
        assert_eq!(format_number(f64::INFINITY), "inf");
    }

    #[test]
    fn formats_counts_with_separators() {
        assert_eq!(format_count(0), "0");
        assert_eq!(format_count(999), "999");
        assert_eq!(format_count(1000), "1,000");
        assert_eq!(format_count(1234567), "1,234,567");
    }
}
