//! `ctrlmap validate`: load the workspace and report input problems only.

use super::common::{PathBase, TextOrJson, input_failure, load_all};
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
    /// Output format: text for people, or JSON (`valid`, the counts, and every problem with
    /// its file, line, column, code and help, as `check --format json` reports them).
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

pub fn run(args: ValidateArgs) -> Result<u8> {
    let options = crate::load::LoadOptions {
        allow_empty: args.allow_empty,
    };
    let ws = load_all(&args.path, options)?;
    let shown = crate::load::input::display_path(&args.path);
    if args.format == TextOrJson::Json {
        let base = PathBase::for_workspace(&args.path);
        let errors: Vec<_> = ws.diagnostics.iter().map(|d| base.diagnostic(d)).collect();
        let doc = serde_json::json!({
            "version": crate::emit::JSON_VERSION,
            "tool": "ctrlmap",
            "path": shown,
            "valid": errors.is_empty(),
            "services": ws.services.len(),
            "packages": ws.packages.len(),
            "parties": ws.parties.len(),
            "scopes": ws.scopes.len(),
            "catalogs": ws.frameworks.len(),
            "errors": crate::emit::diagnostics::errors_json(&errors),
        });
        crate::emit::terminal::print_raw((serde_json::to_string_pretty(&doc)? + "\n").as_bytes())?;
    }
    if !ws.diagnostics.is_empty() {
        return Err(input_failure(&ws, &args.path, "assessed").into());
    }
    if args.format == TextOrJson::Text {
        // Packages and workspace parties are named only where the workspace has them.
        let mut shared = String::new();
        if !ws.packages.is_empty() {
            shared.push_str(&format!(", {}", counted(ws.packages.len(), "package", "packages")));
        }
        if !ws.parties.is_empty() {
            shared.push_str(&format!(", {}", counted(ws.parties.len(), "party", "parties")));
        }
        out(&format!(
            "{shown}: valid — {}{shared}, {}, {}\n",
            counted(ws.services.len(), "service", "services"),
            counted(ws.scopes.len(), "scope", "scopes"),
            counted(ws.frameworks.len(), "catalog", "catalogs"),
        ))?;
    }
    Ok(0)
}
