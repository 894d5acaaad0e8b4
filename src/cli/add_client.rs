//! `ctrlmap add-client WORKSPACE NAME --profile PROFILE [--package ID] [--id ID]`: a new
//! client in an existing workspace.
//!
//! Writes `scopes/ID.yaml` with the client's name, an id derived from it (or given), the
//! profile facts that make its regulations apply (each with a comment on what to change, as
//! `init` writes them), and its package. With a package the file is short: the package decides
//! the engagement, and only the controls the package leaves open for this client's profile are
//! listed under `client_owned` (with the catalog's title and text). Without one it starts as
//! `init` starts a scope. The new file is loaded with the workspace before it is written
//! (atomically), so it validates; an existing file or scope id is never replaced.

use super::init::{ClientProfile, Start, baa_comment, decisions, schema_line};
use crate::model::Service;
use anyhow::Result;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct AddClientArgs {
    /// The workspace folder (holds `scopes/`, `services/`, `packages/`, `ctrlmap.yaml`).
    pub workspace: PathBuf,
    /// The client's name as it appears on documents, e.g. "Lakeside Family Dental, PC".
    pub name: String,
    /// The client's regulatory profile: hipaa, glba, nydfs, nydfs-class-a or csf.
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub profile: ClientProfile,
    /// The engagement package the client takes (`packages/ID.yaml`).
    #[arg(long, value_name = "ID")]
    pub package: Option<String>,
    /// The scope's id and file name (default: derived from the name, e.g.
    /// `lakeside-family-dental`).
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
}

/// An id from a name: lower case letters and digits, words joined by `-`.
pub fn id_from_name(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    while id.ends_with('-') {
        id.pop();
    }
    id
}

fn valid_id(id: &str) -> bool {
    id.as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The name as a YAML scalar: plain when that reads back as the same string, else quoted.
pub(crate) fn yaml_string(text: &str) -> String {
    let plain = !text.is_empty()
        && !text.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`~ ".contains(c) || c.is_ascii_digit())
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with([' ', ':'])
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off"
        )
        && text.chars().all(|c| !c.is_control());
    if plain {
        text.to_string()
    } else {
        serde_json::to_string(text).unwrap_or_else(|_| format!("{text:?}"))
    }
}

pub fn run(args: AddClientArgs) -> Result<u8> {
    let ws = super::load_workspace(&args.workspace, "changed")?;
    let shown = crate::fs::input::display_path(&args.workspace);
    let name = args.name.trim();
    if name.is_empty() || name.chars().any(char::is_control) {
        return Err(super::fail(
            "the client's name is empty or holds control characters; give it as it appears on documents",
        ));
    }
    let id = match &args.id {
        Some(id) => id.clone(),
        None => id_from_name(name),
    };
    if !valid_id(&id) {
        return Err(super::fail(&format!(
            "`{id}` cannot be a scope id: use lower case letters, digits and `-`, starting with a letter or digit (give one with --id)"
        )));
    }
    if let Some(existing) = ws.scopes.iter().find(|s| s.id == id) {
        return Err(super::fail(&format!(
            "{shown} already has a scope `{id}` ({}); give another with --id",
            existing.origin.file
        )));
    }
    let rel = format!("scopes/{id}.yaml");
    let path = args.workspace.join(&rel);
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(super::fail(&format!(
            "{shown}/{rel} already exists; add-client never replaces a file (give another id with --id)"
        )));
    }
    if let Some(package) = &args.package
        && !ws.inherited.contains_key(package)
    {
        let known: Vec<&str> = ws.packages.keys().map(String::as_str).collect();
        return Err(super::fail(&format!(
            "{shown} has no package `{package}` ({}); packages are the `id`s of files in packages/",
            if known.is_empty() {
                "it has no packages/ yet; `ctrlmap init --package` writes a starter one".to_string()
            } else {
                format!("known: {}", known.join(", "))
            }
        )));
    }
    // The MSP's name: `provider` in ctrlmap.yaml (what a scope with a package takes), else the
    // name the workspace's scopes already write.
    let provider = ws
        .config
        .provider
        .clone()
        .or_else(|| ws.scopes.first().map(|s| s.provider.name.clone()));
    let Some(provider) = provider.filter(|p| !p.trim().is_empty()) else {
        return Err(super::fail(&format!(
            "{shown}/ctrlmap.yaml names no `provider`: set it to your company's name, then add the client"
        )));
    };
    if args.package.is_some() && ws.config.provider.is_none() {
        return Err(super::fail(&format!(
            "{shown}/ctrlmap.yaml names no `provider`: set it to your company's name (a scope with a package takes it from there)"
        )));
    }
    let head = head(&args, name, &id, &provider);
    // The draft is loaded with the workspace (its package merged in) to find what stays open.
    let (scope, problems) = ws.check_scope_bytes(&rel, head.clone().into_bytes());
    let Some(scope) = scope else {
        let first = problems
            .first()
            .map(|d| format!("{}:{}: {}", d.file, d.line, d.message))
            .unwrap_or_default();
        return Err(super::fail(&format!(
            "the new scope would not load ({first}); nothing was written"
        )));
    };
    let services: Vec<Service> = ws.services.values().cloned().collect();
    let mut text = head;
    let open = crate::resolve::resolve(&ws, &scope)
        .rows
        .iter()
        .filter(|r| super::init::open_for_scope(r))
        .count();
    if open > 0 {
        text.push_str(&decisions(
            &ws,
            &services,
            &scope,
            Start::ClientOwned,
            "from the profile above",
        ));
    }
    let (_, problems) = ws.check_scope_bytes(&rel, text.clone().into_bytes());
    if let Some(first) = problems.first() {
        return Err(super::fail(&format!(
            "the new scope would not load ({}:{}: {}); nothing was written",
            first.file, first.line, first.message
        )));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    super::write_file(&path, text.as_bytes())?;
    crate::emit::terminal::print(
        &crate::emit::escape::terminal_text(
            &format!(
                "Added {name} to {shown}: {shown}/{rel} ({}{}; {} listed under `client_owned`).\nNext: `ctrlmap check {shown}`.\n",
                crate::emit::count(text.lines().count(), "line"),
                match &args.package {
                    Some(p) => format!(", package `{p}`"),
                    None => String::new(),
                },
                crate::emit::count(open, "control"),
            ),
            false,
        ),
        false,
    )?;
    Ok(0)
}

/// The scope's head: kind, id, the client's name and profile, its package (or, without one,
/// the engagement `init` starts with).
fn head(args: &AddClientArgs, name: &str, id: &str, provider: &str) -> String {
    let profile = args.profile;
    let mut text = schema_line("scope", "../");
    let _ = write!(
        text,
        "kind: scope\nid: {id}\nclient:\n  name: {}\n  profile:\n{}",
        yaml_string(name),
        profile.profile_yaml()
    );
    match &args.package {
        Some(package) => {
            let _ = writeln!(
                text,
                "# The engagement: services, SLA and who performs each control (packages/{package}.yaml).\n# Add here only what differs for this client.\npackage: {package}"
            );
            if profile == ClientProfile::Hipaa {
                text.push_str(baa_comment(false));
            }
        }
        None => {
            let _ = writeln!(text, "provider:\n  name: {}", yaml_string(provider));
            if profile == ClientProfile::Hipaa {
                text.push_str(baa_comment(true));
            }
            text.push_str(
                "model: co-managed\nservices: []\nsla:\n  p1_response: 1h\n  p2_response: 4h\n  p3_response: next-business-day\n  incident_notification: 24h\n",
            );
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_derived_from_the_name() {
        assert_eq!(
            id_from_name("Lakeside Family Dental, P.C."),
            "lakeside-family-dental-p-c"
        );
        assert_eq!(id_from_name("  ÄBC Tax & Co  "), "bc-tax-co");
        assert!(valid_id("a-1"));
        assert!(!valid_id("-a"));
        assert!(!valid_id(""));
    }

    #[test]
    fn a_name_that_yaml_would_read_otherwise_is_quoted() {
        assert_eq!(yaml_string("Lakeside Family Dental, PC"), "Lakeside Family Dental, PC");
        assert_eq!(yaml_string("Yes"), "\"Yes\"");
        assert_eq!(yaml_string("A: B"), "\"A: B\"");
        assert_eq!(yaml_string("#1 Dental"), "\"#1 Dental\"");
        assert_eq!(yaml_string("1st Dental"), "\"1st Dental\"");
    }
}
