//! What can happen to the app: global actions, each pane's own actions (routed to the active
//! pane, never by guard order), typed input and events. The keymap deserialises into these.

use std::path::PathBuf;

use crossterm::event::KeyEvent;
use serde::Deserialize;

pub use super::panes::PaneAction;

/// Everything that can happen to the app.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    Global(Global),
    /// An action of one pane; it reaches that pane only while it is the active one.
    Pane(PaneAction),
    /// A key typed into an open prompt (palette, filter) or answering a question.
    Input(KeyEvent),
    /// Open a file (from the palette or the command line).
    Open(PathBuf),
    Resize(u16, u16),
    Tick,
}

/// Actions that mean the same in every pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Global {
    Quit,
    ForceQuit,
    Help,
    /// The earlier status messages.
    Messages,
    Palette,
    Cancel,
    NextPane,
    PrevPane,
    NextDataset,
    PrevDataset,
    /// `pane_1`, `pane_2`, …
    #[serde(untagged)]
    GotoPane(PaneNumber),
}

/// A pane by its place in the pane list, written `pane_N` (from 1) in the keymap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct PaneNumber(pub usize);

impl TryFrom<String> for PaneNumber {
    type Error = String;

    fn try_from(name: String) -> Result<Self, String> {
        name.strip_prefix("pane_")
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| n.checked_sub(1))
            .map(PaneNumber)
            .ok_or_else(|| format!("unknown action '{name}'"))
    }
}

/// Moving a cursor through a list: the same keys in every pane.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nav {
    Down,
    Up,
    Top,
    Bottom,
    HalfPageDown,
    HalfPageUp,
}

impl From<Global> for Action {
    fn from(a: Global) -> Action {
        Action::Global(a)
    }
}
