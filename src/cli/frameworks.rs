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
        /// `ID` or `ID:CONTROL`; the framework may be a short name (glba, nydfs, csf) or,
        /// for a control, left out.
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
    use crate::emit::frameworks;
    let ws = Loaded::builtin().map_err(|e| anyhow!(e))?;
    let json = args.format == TextOrJson::Json;
    let action = match args.action {
        Some(FrameworksAction::Show { target }) => Some(FrameworksAction::Show {
            target: full_target(&ws, &target).map_err(|d| super::usage(&d))?,
        }),
        None => None,
    };
    let args = FrameworksArgs { action, ..args };
    let shown = match (&args.action, json) {
        (None, false) => Ok(frameworks::frameworks_list(&ws)),
        (None, true) => Ok(frameworks::frameworks_list_json(&ws)),
        (Some(FrameworksAction::Show { target }), false) => frameworks::frameworks_show(&ws, target),
        (Some(FrameworksAction::Show { target }), true) => frameworks::frameworks_show_json(&ws, target),
    };
    match shown {
        Ok(text) if json => crate::emit::terminal::print_raw(text.as_bytes())?,
        Ok(text) => out(&text)?,
        Err(msg) => return Err(fail(&msg)),
    }
    Ok(0)
}

/// `frameworks show`'s target in full: a framework by id or short name (`glba`), or a control
/// with or without its framework (`164.312(a)(2)(iv)`, `glba:314.4(c)`).
fn full_target(ws: &Loaded, target: &str) -> Result<String, crate::model::diagnostic::Diagnostic> {
    let all: Vec<&str> = ws.frameworks.keys().map(String::as_str).collect();
    if target.contains(':') {
        return super::lookup::control_ref(ws, target, &all);
    }
    match super::lookup::framework_id(ws, target) {
        Ok(id) => Ok(id),
        // A control id alone (digits, dots, parentheses) is looked up in every catalog.
        Err(_) if target.contains(|c: char| c.is_ascii_digit() || c == '.') => {
            super::lookup::control_ref(ws, target, &all)
        }
        Err(d) => Err(d),
    }
}
