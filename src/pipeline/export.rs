//! Leaving mlwb: a trained model as a package that mlwb, MLflow, onnxruntime and Spark load.
//! `onnx` writes ONNX models (the protobuf messages, encoded here without a protobuf
//! dependency); `safety` checks what a package holds before anything of it is read.

pub mod onnx;
pub mod safety;
