//! `ctrlmap explain`: why one control's row says what it says.

use super::common::{TextOrJson, as_of_date, load_scope, overrides, stop_on_rule_failures};
use super::{fail, out};
use crate::assess;
use crate::load::Loaded;
use crate::resolve::Matrix;
use anyhow::Result;
use std::path::PathBuf;

/// Explain why a control's row says what it says, with the file and line of each source.
#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    pub scope_file: PathBuf,
    /// Control reference, e.g. 'hipaa:164.308(a)(7)(ii)(A)' (quote it in the shell). The
    /// framework may be left out when one of the scope's catalogs has the id
    /// ('164.308(a)(7)(ii)(A)'), or written short: glba, nydfs, csf.
    pub control: String,
    /// Judge findings, evidence age and waivers as of this date (YYYY-MM-DD); default
    /// SOURCE_DATE_EPOCH, else today.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Output format: text for people, or JSON (the row, its findings, evidence and notice
    /// verdicts).
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

pub fn run(args: ExplainArgs) -> Result<u8> {
    let ExplainArgs {
        scope_file,
        control,
        as_of,
        format,
    } = args;
    let as_of = as_of_date(as_of.as_deref())?;
    let (ws, scope_idx) = load_scope(&scope_file, "explain")?;
    let scope = &ws.scopes[scope_idx];
    let assessment = assess::assess_scope(&ws, scope, &overrides(&ws), as_of);
    // `164.308(a)(1)` or `glba:314.4(a)`: looked up in the scope's frameworks, printed in full.
    let applicable: Vec<&str> = assessment.matrix.frameworks.iter().map(|f| f.id.as_str()).collect();
    let control = super::lookup::control_ref(&ws, &control, &applicable).map_err(|d| super::usage(&d))?;
    // A control of a catalog that does not apply to this client is explained by why not.
    let excluded = excluded_control(&ws, &assessment.matrix, &control);
    if assessment.matrix.row(&control).is_none() && !excluded {
        return Err(explain_unknown(&ws, &control));
    }
    stop_on_rule_failures(&ws, &assessment.failures)?;
    match format {
        TextOrJson::Text => {
            // Paths as `check` reports them: from the folder ctrlmap runs in.
            let base = super::common::PathBase::for_workspace(&ws.root);
            let shown = |file: &str| base.show(file);
            out(&crate::emit::explain::render(&ws, scope, &assessment, &control, &shown))?
        }
        TextOrJson::Json => crate::emit::terminal::print_raw(
            crate::emit::explain::render_json(scope, &assessment, &control).as_bytes(),
        )?,
    }
    Ok(0)
}

/// Is `control` a control of a catalog of the workspace that does not apply to the scope?
fn excluded_control(ws: &Loaded, matrix: &Matrix, control: &str) -> bool {
    control
        .split_once(':')
        .is_some_and(|(fw, id)| matrix.exclusion(fw).is_some() && ws.framework(fw).is_some_and(|f| f.get(id).is_some()))
}

fn explain_unknown(ws: &Loaded, control: &str) -> anyhow::Error {
    let (fw, id) = control.split_once(':').unwrap_or(("", control));
    let msg = match ws.framework(fw) {
        None => format!(
            "`{control}`: unknown framework `{fw}` (write FRAMEWORK:CONTROL, e.g. `hipaa:164.308(a)(1)(ii)(A)`)"
        ),
        Some(f) if f.get(id).is_some() => {
            format!("`{control}` is informative (a definition or reference), not a control with an owner")
        }
        Some(f) => {
            let near = crate::model::diagnostic::closest(id, f.controls.iter().map(|c| c.id.as_str()), 3);
            if near.is_empty() {
                format!("`{id}` is not a control of `{fw}`; `ctrlmap frameworks show {fw}` lists its controls")
            } else {
                format!(
                    "`{id}` is not a control of `{fw}`; did you mean {}?",
                    near.iter()
                        .map(|n| format!("`{fw}:{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
    };
    fail(&msg)
}
