//! The one integration-test crate (polars is linked once): CLI, pipeline, TUI and project rules.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod cli_drift;
mod cli_features;
mod cli_train;
mod hostile;
mod hostile_text;
mod pipeline_baseline;
mod pipeline_data;
mod pipeline_drift;
mod pipeline_features;
mod pipeline_profile;
mod pipeline_train;
mod project;
#[cfg(feature = "tui")]
mod tui;
#[cfg(feature = "tui")]
mod tui_drift;
#[cfg(feature = "tui")]
mod tui_features;
#[cfg(feature = "tui")]
mod tui_session;
#[cfg(feature = "tui")]
mod tui_train;
mod worker;

use std::path::PathBuf;

/// A file under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

/// A bundled demo dataset under `assets/demo`.
pub fn demo_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("assets/demo")
        .join(name)
}
