//! Headless pipeline: loading, profiling, feature engineering, training and drift.
//!
//! Nothing below this module may depend on a terminal-UI or async-runtime crate: every function is
//! synchronous, takes a [`progress::CancelFlag`] and a progress callback where the work is
//! long, and is shared by the CLI, the TUI's background jobs and the tests.

pub mod charts;
pub mod data;
pub mod drift;
pub mod error;
pub mod export;
pub mod features;
pub mod files;
pub mod profile;
pub mod progress;
pub mod runs;
pub mod stats;
pub mod text;
pub mod train;
pub mod view;

pub use error::{PipelineError, Result};
