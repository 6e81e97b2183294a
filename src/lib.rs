//! mlwb: a terminal workbench for tabular machine learning.
//!
//! [`pipeline`] is the headless core (no UI, no async runtime); [`jobs`] runs its long
//! functions in the background; [`cli`] and (with the `tui` feature) `tui` are its two faces.

pub mod cli;
pub mod demo;
pub mod jobs;
pub mod pipeline;
#[cfg(feature = "tui")]
pub mod tui;
