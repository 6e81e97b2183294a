//! Where the Train pane's parts go for a terminal size. Shared by its state (to keep the
//! cursor on screen) and its view (to draw), so both agree.

use ratatui::layout::Rect;

use super::{SETUP_ROWS, TrainState};
use crate::tui::panes::data::layout::body;

/// Where the pane's parts go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainLayout {
    pub setup: Rect,
    pub board: Rect,
    pub detail: Rect,
}

/// From this width the detail stands beside the leaderboard; below, it covers the pane.
const SIDE_DETAIL_WIDTH: u16 = 140;
/// The set-up's label column and a metric column of the leaderboard.
pub const LABEL_W: usize = 12;
pub const METRIC_W: usize = 9;

/// Lines the models row needs at this inner width.
fn model_lines(state: &TrainState, inner_w: usize) -> usize {
    let room = inner_w.saturating_sub(2 + LABEL_W).max(10);
    let mut lines = 1;
    let mut used = 0;
    for (k, _) in state.model_choices() {
        let w = k.name().len() + 5;
        if used > 0 && used + w > room {
            lines += 1;
            used = 0;
        }
        used += w;
    }
    lines
}

pub fn split(state: &TrainState, body: Rect) -> TrainLayout {
    let inner_w = body.width.saturating_sub(2) as usize;
    let setup_h = (SETUP_ROWS + model_lines(state, inner_w) - 1 + 2) as u16;
    let setup_h = setup_h.min(body.height / 2);
    let rest = Rect::new(body.x, body.y + setup_h, body.width, body.height - setup_h);
    if !state.detail {
        return TrainLayout {
            setup: Rect::new(body.x, body.y, body.width, setup_h),
            board: rest,
            detail: Rect::default(),
        };
    }
    if body.width >= SIDE_DETAIL_WIDTH {
        let board_w = body.width * 11 / 20;
        TrainLayout {
            setup: Rect::new(body.x, body.y, body.width, setup_h),
            board: Rect::new(rest.x, rest.y, board_w, rest.height),
            detail: Rect::new(rest.x + board_w, rest.y, rest.width - board_w, rest.height),
        }
    } else {
        TrainLayout {
            setup: Rect::default(),
            board: Rect::default(),
            detail: body,
        }
    }
}

/// Leaderboard rows visible at this terminal size (borders and the header take three).
pub fn board_rows(state: &TrainState, size: (u16, u16)) -> usize {
    let layout = split(state, body(size));
    let area = if layout.board.height > 0 {
        layout.board
    } else {
        layout.detail
    };
    area.height.saturating_sub(3) as usize
}
