//! `ctrlmap validate`: load the workspace and report input problems only.

use super::common::load_workspace_with;
use super::out;
use crate::emit::counted;
use anyhow::Result;
use std::path::PathBuf;

/// Load the workspace and report input problems only (exit 2 if any).
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Skip empty (or comment-only) YAML files instead of reporting them (see `check`).
    #[arg(long)]
    pub allow_empty: bool,
}

pub fn run(args: ValidateArgs) -> Result<u8> {
    let options = crate::load::LoadOptions {
        allow_empty: args.allow_empty,
    };
    let ws = load_workspace_with(&args.path, "assessed", options)?;
    out(&format!(
        "{}: valid — {}, {}, {}\n",
        crate::load::input::display_path(&args.path),
        counted(ws.services.len(), "service", "services"),
        counted(ws.scopes.len(), "scope", "scopes"),
        counted(ws.frameworks.len(), "catalog", "catalogs"),
    ))?;
    Ok(0)
}
