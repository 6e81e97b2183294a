//! Where the Features pane's parts go for a terminal size. Shared by its state (to keep the
//! cursor on screen) and its view (to draw), so both agree.

use ratatui::layout::Rect;

use crate::tui::panes::data::layout::body;

/// Where the pane's parts go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeaturesLayout {
    pub list: Rect,
    pub detail: Rect,
    pub preview: Rect,
}

pub fn split(body: Rect) -> FeaturesLayout {
    // The preview grows with a tall terminal (two fifths of it from 40 rows), where the list
    // and the detail would otherwise keep rows they cannot fill.
    let preview_h = if body.height >= 40 {
        body.height * 2 / 5
    } else if body.height >= 14 {
        (body.height / 3).clamp(6, 14)
    } else {
        0
    };
    let top_h = body.height - preview_h;
    let list_w = if body.width < 60 {
        body.width
    } else {
        (body.width * 11 / 20).min(96)
    };
    FeaturesLayout {
        list: Rect::new(body.x, body.y, list_w, top_h),
        detail: Rect::new(body.x + list_w, body.y, body.width - list_w, top_h),
        preview: Rect::new(body.x, body.y + top_h, body.width, preview_h),
    }
}

/// Column rows visible in the list (borders and a header line take three).
pub fn list_rows(size: (u16, u16)) -> usize {
    split(body(size)).list.height.saturating_sub(3) as usize
}
