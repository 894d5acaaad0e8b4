//! `ctrlmap frameworks`: the built-in catalogs, one catalog, one control.

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

pub fn run(action: Option<FrameworksAction>) -> Result<u8> {
    let ws = Loaded::builtin().map_err(|e| anyhow!(e))?;
    match action {
        None => out(&crate::emit::explain::frameworks_list(&ws))?,
        Some(FrameworksAction::Show { target }) => match crate::emit::explain::frameworks_show(&ws, &target) {
            Ok(text) => out(&text)?,
            Err(msg) => return Err(fail(&msg)),
        },
    }
    Ok(0)
}
