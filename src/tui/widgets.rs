//! Small reusable widgets.

pub mod bars;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders};
use unicode_width::UnicodeWidthStr;

use crate::pipeline::text::truncate;

/// `s` padded to exactly `width` columns, cut with `…` when it is wider.
pub fn fit_cell(s: &str, width: usize) -> String {
    let cut = truncate(s, width);
    let w = cut.width();
    format!("{cut}{}", " ".repeat(width.saturating_sub(w)))
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

/// Draw a bordered panel titled `title`; returns the area inside the border.
pub fn panel(
    frame: &mut Frame,
    area: Rect,
    title: String,
    border: Style,
    title_style: Style,
) -> Rect {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(title, title_style));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}
