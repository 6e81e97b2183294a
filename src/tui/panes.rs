//! One module per pane, and the pane list; only panes that are built exist. A pane module
//! holds its actions, its job outputs, its state with `update` and `on_job`, and its view.

pub mod data;
pub mod drift;
pub mod features;
pub mod train;

use super::keymap::Context;

/// The panes that exist, in their fixed order (Data, Features, Train, Compare, Drift, Export).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    Data,
    Features,
    Train,
    Drift,
}

impl Pane {
    pub const ALL: &'static [Pane] = &[Pane::Data, Pane::Features, Pane::Train, Pane::Drift];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Data => "Data",
            Pane::Features => "Features",
            Pane::Train => "Train",
            Pane::Drift => "Drift",
        }
    }

    /// The keymap section of this pane's keys.
    pub fn context(self) -> Context {
        match self {
            Pane::Data => Context::Data,
            Pane::Features => Context::Features,
            Pane::Train => Context::Train,
            Pane::Drift => Context::Drift,
        }
    }
}
