//! The bundled demo datasets: embedded in the binary and written to the user's data directory,
//! so `mlwb demo` works from any directory and never writes into the working tree.

use std::path::{Path, PathBuf};

use crate::pipeline::PipelineError;

/// One bundled dataset.
pub struct DemoFile {
    pub name: &'static str,
    bytes: &'static [u8],
}

/// The demo datasets, in the order the Data pane lists them (see assets/demo/README.md).
pub const FILES: &[DemoFile] = &[
    DemoFile {
        name: "penguins.csv",
        bytes: include_bytes!("../assets/demo/penguins.csv"),
    },
    DemoFile {
        name: "diabetes.csv",
        bytes: include_bytes!("../assets/demo/diabetes.csv"),
    },
    DemoFile {
        name: "weather_reference.csv",
        bytes: include_bytes!("../assets/demo/weather_reference.csv"),
    },
    DemoFile {
        name: "weather_current.csv",
        bytes: include_bytes!("../assets/demo/weather_current.csv"),
    },
];

/// The directory demo files are written to: `$XDG_DATA_HOME/mlwb/demo` or the platform's.
pub fn demo_dir() -> PathBuf {
    directories::ProjectDirs::from("", "", "mlwb")
        .map(|d| d.data_dir().join("demo"))
        .unwrap_or_else(|| std::env::temp_dir().join("mlwb-demo"))
}

/// Write the demo files into `dir` (atomically, only where missing or different) and return
/// their paths.
pub fn install(dir: &Path) -> Result<Vec<PathBuf>, PipelineError> {
    std::fs::create_dir_all(dir).map_err(|e| PipelineError::io(dir, e))?;
    FILES
        .iter()
        .map(|f| {
            let path = dir.join(f.name);
            let same = std::fs::read(&path).is_ok_and(|existing| existing == f.bytes);
            if !same {
                crate::pipeline::files::write_atomic(&path, f.bytes)?;
            }
            Ok(path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installs_every_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let paths = install(dir.path()).unwrap();
        assert_eq!(paths.len(), FILES.len());
        for (p, f) in paths.iter().zip(FILES) {
            assert_eq!(std::fs::read(p).unwrap(), f.bytes);
        }
        // A second install leaves the files as they are.
        assert_eq!(install(dir.path()).unwrap(), paths);
    }
}
