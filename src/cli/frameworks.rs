//! `ctrlmap frameworks`: the built-in catalogs, one catalog, one control.

use super::common::TextOrJson;
use super::{fail, out};
use crate::load::Loaded;
use anyhow::{Result, anyhow};
use clap::Subcommand;

#[derive(Subcommand, Debug)]
pub enum FrameworksAction {
    /// Show a catalog (`hipaa`) or one control (`hipaa:164.312(a)(2)(iv)`), with its text,
    /// attributes and crosswalk.
    Show {
        /// `ID` or `ID:CONTROL`.
        target: String,
    },
}

/// List the built-in catalogs, or show one catalog or control.
#[derive(clap::Args, Debug)]
pub struct FrameworksArgs {
    #[command(subcommand)]
    pub action: Option<FrameworksAction>,
    /// Output format: text for people, or JSON.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text, global = true)]
    pub format: TextOrJson,
}

pub fn run(args: FrameworksArgs) -> Result<u8> {
    use crate::emit::explain;
    let ws = Loaded::builtin().map_err(|e| anyhow!(e))?;
    let json = args.format == TextOrJson::Json;
    let shown = match (&args.action, json) {
        (None, false) => Ok(explain::frameworks_list(&ws)),
        (None, true) => Ok(explain::frameworks_list_json(&ws)),
        (Some(FrameworksAction::Show { target }), false) => explain::frameworks_show(&ws, target),
        (Some(FrameworksAction::Show { target }), true) => explain::frameworks_show_json(&ws, target),
    };
    match shown {
        Ok(text) if json => crate::emit::terminal::print_raw(text.as_bytes())?,
        Ok(text) => out(&text)?,
        Err(msg) => return Err(fail(&msg)),
    }
    Ok(0)
}
