//! Where the Data pane's parts go for a terminal size. Shared by `update` (to keep the cursor
//! on screen) and the view (to draw), so both agree.

use ratatui::layout::Rect;

/// The Data pane's regions inside the body (the screen minus the pane bar and status line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataLayout {
    pub table: Rect,
    pub columns: Rect,
    pub profile: Rect,
    pub chart: Rect,
}

/// The body: everything between the pane bar (top row) and the status line (bottom row).
pub fn body(size: (u16, u16)) -> Rect {
    let (w, h) = size;
    Rect::new(0, 1, w, h.saturating_sub(2))
}

pub fn split(body: Rect, details: bool) -> DataLayout {
    let h = body.height;
    let bottom = if details {
        h.saturating_sub(h / 3).max(h.min(10))
    } else if h >= 20 {
        (h * 2 / 5).clamp(9, 18)
    } else {
        h / 2
    };
    let table = Rect::new(body.x, body.y, body.width, h - bottom);
    let lower = Rect::new(body.x, body.y + table.height, body.width, bottom);
    let w = lower.width;
    let cols_w = (w / 4).clamp(w.min(16), 34);
    let prof_w = if details {
        (w * 2 / 5).clamp(w.min(30), 90)
    } else {
        (w * 3 / 8).clamp(w.min(28), 60)
    };
    let prof_w = prof_w.min(w.saturating_sub(cols_w));
    let columns = Rect::new(lower.x, lower.y, cols_w, lower.height);
    let profile = Rect::new(lower.x + cols_w, lower.y, prof_w, lower.height);
    let chart = Rect::new(
        lower.x + cols_w + prof_w,
        lower.y,
        w.saturating_sub(cols_w + prof_w),
        lower.height,
    );
    DataLayout {
        table,
        columns,
        profile,
        chart,
    }
}

/// Data rows visible in the table (two header lines: names and types).
pub fn table_rows(size: (u16, u16), details: bool) -> usize {
    split(body(size), details).table.height.saturating_sub(2) as usize
}

/// Width left for data columns after the row-number gutter.
pub fn table_width(size: (u16, u16), rows: usize) -> u16 {
    size.0.saturating_sub(gutter_width(rows) + 1)
}

/// Width of the row-number gutter for a view of `rows` rows.
pub fn gutter_width(rows: usize) -> u16 {
    (rows.max(1).ilog10() + 1).max(3) as u16
}
