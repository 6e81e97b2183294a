//! Where the Drift pane's parts go for a terminal size. Shared by its state (to keep the
//! cursor on screen) and its view (to draw), so both agree.

use ratatui::layout::Rect;

/// Where the parts go.
pub struct DriftLayout {
    pub header: Rect,
    pub table: Rect,
    pub chart: Rect,
}

/// Table beside the chart from 110 columns, above it below that: as tall as its rows need
/// (`wanted`, borders included), at most half the height, so the chart keeps the rest.
pub fn split(body: Rect, wanted: u16) -> DriftLayout {
    let header = Rect::new(body.x, body.y, body.width, 2.min(body.height));
    let rest = Rect::new(
        body.x,
        body.y + header.height,
        body.width,
        body.height.saturating_sub(header.height),
    );
    if rest.width >= 110 {
        let tw = (u32::from(rest.width) * 2 / 5).clamp(50, 70) as u16;
        DriftLayout {
            header,
            table: Rect::new(rest.x, rest.y, tw, rest.height),
            chart: Rect::new(rest.x + tw, rest.y, rest.width - tw, rest.height),
        }
    } else {
        let th = wanted.min(rest.height / 2).max(5).min(rest.height);
        DriftLayout {
            header,
            table: Rect::new(rest.x, rest.y, rest.width, th),
            chart: Rect::new(rest.x, rest.y + th, rest.width, rest.height - th),
        }
    }
}

/// Lines of the table's inside (`inner_height`) for column rows and for findings: findings
/// take the last lines (after a blank one), at least a third of them when there are many rows.
pub fn table_lines(inner_height: u16, rows: usize, findings: usize) -> (usize, usize) {
    let h = inner_height as usize;
    let room = h.saturating_sub(2 + rows);
    let shown = findings.min(room.max(h / 3));
    let rows_h = h.saturating_sub(1 + shown + usize::from(shown > 0));
    (rows_h, shown)
}
