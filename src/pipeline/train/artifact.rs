//! A fitted run on disk (`.mlwb/models/run-ID.mlwbm`): a magic line, one JSON line with what
//! the model needs around it (task, target, classes, parameters, the fitted feature pipeline),
//! then the fitted model in postcard's compact binary form. Data only, never code; written
//! atomically.

use std::io::{BufRead, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::TaskKind;
use super::models::{FittedModel, ModelParams};
use crate::pipeline::features::FittedFeatures;
use crate::pipeline::{PipelineError, Result};

const MAGIC: &[u8] = b"MLWB-MODEL 1\n";

/// Everything beside the model itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelHeader {
    pub task: TaskKind,
    pub target: Option<String>,
    pub classes: Vec<String>,
    pub params: ModelParams,
    pub fitted_features: FittedFeatures,
}

/// The model as bytes (what a worker sends and the file holds).
pub fn encode(model: &FittedModel) -> Result<Vec<u8>> {
    postcard::to_stdvec(model)
        .map_err(|e| PipelineError::Internal(format!("encoding the model: {e}")))
}

pub fn decode(bytes: &[u8]) -> Result<FittedModel> {
    postcard::from_bytes(bytes)
        .map_err(|e| PipelineError::Internal(format!("decoding the model: {e}")))
}

/// Write header and encoded model to `path`, atomically.
pub fn write(path: &Path, header: &ModelHeader, model_bytes: &[u8]) -> Result<()> {
    let json = serde_json::to_vec(header).map_err(|e| PipelineError::Internal(e.to_string()))?;
    crate::pipeline::files::write_atomic_with(path, |w| {
        let mut put = |b: &[u8]| w.write_all(b).map_err(|e| PipelineError::io(path, e));
        put(MAGIC)?;
        put(&json)?;
        put(b"\n")?;
        put(model_bytes)
    })
}

/// Read a model file back.
pub fn read(path: &Path) -> Result<(ModelHeader, FittedModel)> {
    let file = std::fs::File::open(path).map_err(|e| PipelineError::io(path, e))?;
    let mut r = std::io::BufReader::new(file);
    let bad = |m: &str| PipelineError::bad_data(path, format!("not an mlwb model file: {m}"));
    let mut magic = vec![0u8; MAGIC.len()];
    r.read_exact(&mut magic).map_err(|_| bad("too short"))?;
    if magic != MAGIC {
        return Err(bad("wrong header"));
    }
    let mut line = String::new();
    r.read_line(&mut line)
        .map_err(|e| PipelineError::io(path, e))?;
    let header: ModelHeader = serde_json::from_str(&line).map_err(|e| bad(&e.to_string()))?;
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)
        .map_err(|e| PipelineError::io(path, e))?;
    Ok((header, decode(&bytes)?))
}
