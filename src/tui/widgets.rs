//! Small reusable widgets.

pub mod bars;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// `s` padded to exactly `width` columns, cut with `…` when it is wider.
pub fn fit_cell(s: &str, width: usize) -> String {
    let w = s.width();
    if w <= width {
        return format!("{s}{}", " ".repeat(width - w));
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
        used += 1;
    }
    format!("{out}{}", " ".repeat(width.saturating_sub(used)))
}

/// `s` right-aligned in `width` columns (cut like [`fit_cell`] when wider).
pub fn fit_right(s: &str, width: usize) -> String {
    let w = s.width();
    if w <= width {
        format!("{}{s}", " ".repeat(width - w))
    } else {
        fit_cell(s, width)
    }
}
