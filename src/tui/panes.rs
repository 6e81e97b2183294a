//! One module per pane; only panes that are built exist.

pub mod data;
pub mod drift;
pub mod features;
pub mod train;
