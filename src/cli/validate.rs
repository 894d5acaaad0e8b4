//! `ctrlmap validate`: load the workspace and report input problems only, and warn about a
//! `# yaml-language-server: $schema=…` line that does not lead to a file from where its file
//! now sits (a scope moved into `scopes/nj/`, a service copied from another workspace): the
//! editor would stop checking that file without a word.

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
        ..Default::default()
    };
    let ws = load_all(&args.path, options)?;
    let shown = crate::fs::input::display_path(&args.path);
    let base = PathBase::for_workspace(&args.path);
    let warnings = broken_schema_links(&ws, &base);
    if args.format == TextOrJson::Json {
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
            "warnings": warnings,
        });
        crate::emit::terminal::print_raw((serde_json::to_string_pretty(&doc)? + "\n").as_bytes())?;
    }
    if args.format == TextOrJson::Text {
        for w in &warnings {
            crate::emit::terminal::eprint(&w.render());
        }
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

/// A `$schema` line that leads nowhere from its file.
#[derive(Debug, serde::Serialize)]
struct SchemaLinkWarning {
    file: String,
    line: usize,
    column: usize,
    message: String,
    help: String,
    #[serde(skip)]
    source: String,
}

impl SchemaLinkWarning {
    fn render(&self) -> String {
        crate::emit::diagnostics::render_uncoded_warning(
            &self.message,
            (&self.file, self.line, self.column),
            Some(&self.source),
            &self.help,
            crate::emit::terminal::stderr_colour(),
        )
    }
}

/// The marker yaml-language-server reads in a comment near the top of a file.
const MODELINE: &str = "yaml-language-server:";

/// Every workspace file whose `# yaml-language-server: $schema=PATH` names a path that does
/// not exist from the file's folder. A URL is not checked (ctrlmap fetches nothing).
fn broken_schema_links(ws: &crate::load::Loaded, base: &PathBase) -> Vec<SchemaLinkWarning> {
    let mut out = Vec::new();
    for (rel, path) in &ws.files {
        // The line sits at the top: the first few kilobytes are enough.
        let Ok((file, _)) = ws.reader.open(path) else {
            continue;
        };
        let mut head = Vec::new();
        if std::io::Read::read_to_end(&mut std::io::Read::take(file, 4096), &mut head).is_err() {
            continue;
        }
        let text = String::from_utf8_lossy(&head);
        for (i, line) in text
            .lines()
            .enumerate()
            .take_while(|(_, l)| l.trim().is_empty() || l.trim_start().starts_with('#'))
        {
            let Some(value) = line
                .trim_start()
                .strip_prefix('#')
                .map(str::trim_start)
                .and_then(|l| l.strip_prefix(MODELINE))
                .and_then(|l| l.trim_start().strip_prefix("$schema="))
            else {
                continue;
            };
            let target = value.split_whitespace().next().unwrap_or_default();
            if target.contains("://") || target.is_empty() {
                continue;
            }
            let folder = path.parent().unwrap_or(std::path::Path::new("."));
            if folder.join(target).is_file() {
                continue;
            }
            let column = line.find(target).map_or(1, |c| line[..c].chars().count() + 1);
            // The workspace's own copy of the schemas, seen from this file's folder.
            let name = target.rsplit(['/', '\\']).next().unwrap_or_default();
            let ups = "../".repeat(rel.matches('/').count());
            let fix = if ws.root.join(".ctrlmap/schemas").join(name).is_file() {
                format!("write `$schema={ups}.ctrlmap/schemas/{name}` (the path from this file's folder)")
            } else {
                "write the path from this file's folder to the schema (`ctrlmap schema --write DIR/.ctrlmap/schemas` writes them into the workspace)".to_string()
            };
            out.push(SchemaLinkWarning {
                file: base.show(rel),
                line: i + 1,
                column,
                message: format!(
                    "the `$schema` path `{target}` does not lead to a file from here: editors check this file against nothing"
                ),
                help: format!(
                    "{fix}, or remove the line and let `.vscode/settings.json` (`ctrlmap init` writes one) map the file by its folder"
                ),
                source: line.to_string(),
            });
        }
    }
    out
}
