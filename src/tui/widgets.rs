//! Small reusable widgets.

pub mod bars;
