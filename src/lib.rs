//! ctrlmap — a compliance control mapping engine for MSPs and their regulated clients.
//!
//! The pipeline, one module each: [`load`] (parse, validate, check references) →
//! [`resolve`] (who owns every applicable control) → [`assess`] (findings) → [`emit`]
//! (formats and documents). `resolve` and `assess` do no I/O.

#![forbid(unsafe_code)]
// Input must never make ctrlmap panic: no unwrap/expect/panic outside tests.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod assess;
pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod diag;
pub mod diff;
pub mod embedded;
pub mod emit;
pub mod explain;
pub mod hash;
pub mod init;
pub mod load;
pub mod model;
pub mod oscal;
pub mod policy;
pub mod render;
pub mod resolve;
pub mod rules;

use std::path::Path;

/// Write a file atomically: a temporary file in the same folder, then a rename, so a failed
/// run never leaves a half-written file and never destroys the previous one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.ctrlmap-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
