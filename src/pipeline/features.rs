//! Feature engineering as data: a [`FeatureSpec`] (per column: role, kind, imputation,
//! transforms, scaling, encoding) is checked against a table, fitted on training rows only into
//! [`FittedFeatures`], and applied to any table with the same columns to give the design matrix
//! (`ndarray` 0.16 `Array2<f64>`, column-major) and its feature names.
//!
//! Conventions follow scikit-learn so results can be compared: StandardScaler's ddof = 0 std,
//! MinMaxScaler, RobustScaler (IQR), SimpleImputer (most-frequent ties go to the smallest value),
//! OneHotEncoder with sorted levels named `column=level`. Beyond scikit-learn, one-hot columns
//! get an explicit `(unseen)` bucket (and `(other)` for grouped rare levels), and every output is
//! finite: missing values are always imputed, zero-variance columns never divide by zero.

mod apply;
mod auto;
mod check;
mod fit;
mod preview;
mod spec;
pub(crate) mod values;

pub use apply::{ColumnCount, Transformed};
pub use auto::{AUTO_MAX_LEVELS, auto_spec};
pub use check::{SpecProblem, SpecProblems, ValidFeatureSpec, ValueClass, check, default_parts};
pub use fit::{
    Affine, CategoricalSteps, FITTED_FORMAT, FittedColumn, FittedFeatures, FittedPart, FittedSteps,
    FittedTransform, NumericSteps, Source, fit,
};
pub use preview::{FeaturePreview, OutputSummary, preview};
pub use spec::{
    ColumnRole, ColumnSpec, DatePart, Encode, FeatureSpec, FillValue, Impute, Kind, SPEC_FORMAT,
    Scale, SpecFormat, Transform,
};
pub use values::{civil_from_days, days_from_civil};
