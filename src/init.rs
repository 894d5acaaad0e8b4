//! `ctrlmap init`: a new workspace that passes `ctrlmap check` straight away.

use anyhow::{Result, bail};
use std::path::Path;

pub fn scaffold(dir: &Path) -> Result<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        bail!("{} exists and is not empty; pick a new folder", dir.display());
    }
    let _ = dir;
    bail!("init is not available yet")
}
