//! What the commands share: loading a workspace (input problems become one [`Failure`]),
//! the scope a file names, reported paths, the as-of date, severity overrides.

use super::{Failure, fail};
use crate::assess::{self, Overrides};
use crate::emit::counted;
use crate::load::Loaded;
use crate::model::diagnostic::{Code, Diagnostic};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// `--format` of the commands that print for people or for programs.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TextOrJson {
    #[default]
    Text,
    Json,
}

/// Per-code severity changes from the command line (they win over `ctrlmap.yaml`).
#[derive(clap::Args, Debug, Default, Clone)]
pub struct Levels {
    /// Make a finding code critical, so it fails any gate (repeatable), e.g. --deny CM003 or
    /// --deny shared-duty-undefined. Codes are written exactly; an unknown one is an error.
    #[arg(long, value_name = "CODE")]
    pub deny: Vec<String>,
    /// Make a finding code informational: reported, never failing (repeatable).
    #[arg(long, value_name = "CODE")]
    pub warn: Vec<String>,
    /// Turn a finding code off (repeatable).
    #[arg(long, value_name = "CODE")]
    pub allow: Vec<String>,
}

/// Write an output file (`-o`), with an error that names it and says why.
pub(crate) fn write_file(file: &Path, bytes: &[u8]) -> Result<()> {
    crate::emit::output::write_atomic(file, bytes)
        .with_context(|| format!("writing {}", crate::fs::input::display_path(file)))
}

/// How reported paths are written: relative to the folder ctrlmap runs in (the repository
/// root in CI), in every format of `check` and in every input diagnostic, so a path in the
/// terminal, in JSON, in SARIF and in a GitHub annotation is the same string. A workspace
/// outside that folder is named as it was given (`../other/scopes/a.yaml`, or absolute).
#[derive(Debug, Clone, Default)]
pub struct PathBase {
    prefix: String,
}

impl PathBase {
    /// The base for files of the workspace at `workspace`, seen from the current folder.
    pub fn for_workspace(workspace: &Path) -> PathBase {
        let inside = std::env::current_dir()
            .ok()
            .and_then(|dir| Some((workspace.canonicalize().ok()?, dir.canonicalize().ok()?)))
            .and_then(|(ws, dir)| ws.strip_prefix(&dir).ok().map(Path::to_path_buf));
        let prefix = match inside {
            Some(rel) => crate::fs::input::display_path(&rel),
            None => crate::fs::input::display_path(workspace),
        };
        let prefix = prefix.trim_end_matches('/').to_string();
        PathBase {
            prefix: if prefix.is_empty() || prefix == "." {
                String::new()
            } else {
                prefix + "/"
            },
        }
    }

    /// A workspace file's display path (`scopes/a.yaml`) as reported. Built-in files
    /// (`<builtin>/…`) and the command line (empty) stay as they are.
    pub fn show(&self, file: &str) -> String {
        if file.is_empty() || file.starts_with('<') {
            file.to_string()
        } else {
            format!("{}{file}", self.prefix)
        }
    }

    /// A diagnostic with its path as reported.
    pub fn diagnostic(&self, d: &Diagnostic) -> Diagnostic {
        let mut shown = Diagnostic {
            file: self.show(&d.file),
            ..d.clone()
        };
        for label in &mut shown.labels {
            label.file = self.show(&label.file);
        }
        shown
    }
}

/// Diagnostics rendered for people (with source excerpts), paths as reported.
pub(crate) fn rendered(ws: &Loaded, diagnostics: &[Diagnostic], base: &PathBase) -> String {
    // Excerpts are looked up by workspace path, headers carry the reported path.
    crate::emit::diagnostics::render_each(
        diagnostics,
        |file| ws.source(file),
        |d| base.diagnostic(d),
        crate::emit::terminal::stderr_colour(),
    )
}

/// Load a workspace for a command; on input problems print them all, say that nothing was
/// `done` (assessed, rendered, compared), and stop with exit 2.
pub(crate) fn load_workspace(path: &Path, done: &str) -> Result<Loaded> {
    load_workspace_with(path, done, crate::load::LoadOptions::default())
}

/// [`load_workspace`] with options.
pub(crate) fn load_workspace_with(path: &Path, done: &str, options: crate::load::LoadOptions) -> Result<Loaded> {
    let ws = load_all(path, options)?;
    if !ws.diagnostics.is_empty() {
        return Err(input_failure(&ws, path, done).into());
    }
    Ok(ws)
}

/// Load a whole workspace, its input problems (sorted) kept in it; an error only when the
/// folder cannot be read at all.
pub(crate) fn load_all(path: &Path, options: crate::load::LoadOptions) -> Result<Loaded> {
    Loaded::load_with(path, options).map_err(|msg| fail(&msg))
}

/// When a loaded workspace has input problems, stop with all of them (sorted), saying that
/// nothing was `done`.
pub(crate) fn stop_on_input_problems(ws: &mut Loaded, path: &Path, done: &str) -> Result<()> {
    ws.diagnostics.sort();
    ws.diagnostics.dedup();
    if !ws.diagnostics.is_empty() {
        return Err(input_failure(ws, path, done).into());
    }
    Ok(())
}

/// The workspace's input problems, rendered, with the line that says nothing was `done`.
pub(crate) fn input_failure(ws: &Loaded, path: &Path, done: &str) -> Failure {
    let base = PathBase::for_workspace(path);
    Failure::Input(format!(
        "{}\nerror: {}: {}; nothing was {done}\n",
        rendered(ws, &ws.diagnostics, &base),
        crate::fs::input::display_path(path),
        counted(ws.diagnostics.len(), "problem in the input", "problems in the input")
    ))
}

/// Stop with exit 2 when a custom policy rule failed while it was evaluated (E021): one
/// diagnostic per rule (the first failure of each), sorted by place.
pub(crate) fn stop_on_rule_failures(ws: &Loaded, failures: &[Diagnostic]) -> Result<()> {
    let failures = first_failure_per_rule(failures);
    if failures.is_empty() {
        return Ok(());
    }
    let base = PathBase::for_workspace(&ws.root);
    Err(Failure::Input(format!(
        "{}\nerror: {} failed; the result would be wrong, so nothing is reported\n",
        rendered(ws, &failures, &base),
        counted(failures.len(), "custom rule", "custom rules")
    ))
    .into())
}

/// Custom rule failures of several scopes: the first one of each rule (by its place), sorted.
pub(crate) fn first_failure_per_rule(failures: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut by_place: std::collections::BTreeMap<(String, usize, usize), Diagnostic> = Default::default();
    for d in failures {
        by_place
            .entry((d.file.clone(), d.line, d.column))
            .or_insert_with(|| d.clone());
    }
    by_place.into_values().collect()
}

/// The workspace a scope file lives in: the nearest folder up that holds a `ctrlmap.yaml`
/// or is the parent of the `scopes/` folder the file is in (at any depth:
/// `scopes/ny/a.yaml`). The file's own name is not resolved, so a scope file that is a
/// symbolic link belongs to the workspace it sits in.
pub fn workspace_of(scope_file: &Path) -> PathBuf {
    let parent = match scope_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let parent = parent.canonicalize().unwrap_or_else(|_| parent.to_path_buf());
    let mut cur = Some(parent.as_path());
    while let Some(dir) = cur {
        if std::fs::symlink_metadata(dir.join("ctrlmap.yaml")).is_ok() {
            return dir.to_path_buf();
        }
        if dir.file_name().is_some_and(|n| n == "scopes")
            && let Some(root) = dir.parent()
        {
            return root.to_path_buf();
        }
        cur = dir.parent();
    }
    parent
}

/// Load what a command about one scope needs (see [`Loaded::load_one_scope`]): that scope,
/// its workspace's configuration, catalogs, services, packages, parties and policy packs,
/// and the ids of the other scopes; input problems are printed and stop with exit 2, saying
/// nothing was `done`. Returns the workspace and the index of the scope in `ws.scopes`.
pub(crate) fn load_scope_for(scope_file: &Path, command: &str, done: &str) -> Result<(Loaded, usize)> {
    super::lookup::scope_file(scope_file, command).map_err(|d| super::usage(&d))?;
    let root = workspace_of(scope_file);
    let (ws, found) =
        Loaded::load_one_scope(&root, scope_file, crate::load::LoadOptions::default()).map_err(|msg| fail(&msg))?;
    if !ws.diagnostics.is_empty() {
        return Err(input_failure(&ws, &root, done).into());
    }
    match (found, ws.scopes.is_empty()) {
        (true, false) => Ok((ws, 0)),
        _ => Err(fail(&format!(
            "{}: not a scope of the workspace {} (scope files live in its scopes/ folder and start with `kind: scope`)",
            crate::fs::input::display_path(scope_file),
            crate::fs::input::display_path(&ws.root)
        ))),
    }
}

/// [`load_scope_for`] for the commands that assess.
pub(crate) fn load_scope(scope_file: &Path, command: &str) -> Result<(Loaded, usize)> {
    load_scope_for(scope_file, command, "assessed")
}

/// Severity overrides of `ctrlmap.yaml` alone (commands without `--deny/--warn/--allow`).
pub fn overrides(ws: &crate::model::Workspace) -> Overrides {
    assess::overrides(&ws.config, &[], &[], &[])
}

/// Severity overrides from `ctrlmap.yaml` and the command line. Give it [`Levels`] that
/// passed [`check_levels`].
pub fn overrides_with(ws: &crate::model::Workspace, levels: &Levels) -> Overrides {
    assess::overrides(&ws.config, &levels.deny, &levels.warn, &levels.allow)
}

/// Check `--deny/--warn/--allow` against the finding codes the workspace knows (built-in
/// rules and the loaded packs' rules): a code must be written exactly, a built-in rule's
/// name stands for its code. Returns the levels with names replaced by codes, or one
/// problem per unknown code with "did you mean".
pub fn check_levels(ws: &Loaded, levels: &Levels) -> (Levels, Vec<Diagnostic>) {
    let known = crate::assess::registry::KnownCodes::of(&ws.packs);
    let mut problems = Vec::new();
    let mut resolve = |flag: &str, list: &[String]| -> Vec<String> {
        let mut out = Vec::new();
        for text in list {
            match known.resolve(text) {
                Ok(code) => out.push(code),
                Err(help) => problems.push(Diagnostic::on_command_line(
                    Code::E007,
                    format!("--{flag} `{text}`: no finding rule has this code"),
                    help,
                )),
            }
        }
        out
    };
    let resolved = Levels {
        deny: resolve("deny", &levels.deny),
        warn: resolve("warn", &levels.warn),
        allow: resolve("allow", &levels.allow),
    };
    (resolved, problems)
}

/// The as-of date: the flag, else SOURCE_DATE_EPOCH, else today (UTC).
/// A bad date is reported as `check` reports it: the E006 diagnostic with its help.
pub fn as_of_date(flag: Option<&str>) -> Result<time::Date> {
    parse_as_of(flag).map_err(|d| {
        Failure::Input(crate::emit::diagnostics::render(
            &d,
            None,
            crate::emit::terminal::stderr_colour(),
        ))
        .into()
    })
}

/// [`as_of_date`], with the problem as a diagnostic.
pub fn parse_as_of(flag: Option<&str>) -> Result<time::Date, Diagnostic> {
    if let Some(text) = flag {
        return crate::model::date::parse_ymd(text).ok_or_else(|| {
            Diagnostic::on_command_line(
                Code::E006,
                format!("--as-of `{text}` is not a date"),
                "write YYYY-MM-DD, e.g. 2026-11-30",
            )
        });
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let bad = |why: &str| {
            Diagnostic::on_command_line(
                Code::E006,
                format!("SOURCE_DATE_EPOCH `{epoch}` {why}"),
                "set it to a number of seconds since 1970-01-01, or unset it",
            )
        };
        let secs: i64 = epoch.trim().parse().map_err(|_| bad("is not a number of seconds"))?;
        return time::OffsetDateTime::from_unix_timestamp(secs)
            .map(|t| t.date())
            .map_err(|_| bad("is out of range"));
    }
    Ok(time::OffsetDateTime::now_utc().date())
}

/// Read a baseline file (a regular file of at most 16 MiB: a FIFO or a device is refused,
/// never read). The error names the file and says what is wrong with it.
pub fn read_baseline(path: &Path) -> Result<crate::assess::baseline::Baseline, String> {
    let name = crate::fs::input::display_path(path);
    let bytes = crate::fs::input::read_named(path, crate::fs::input::MAX_INPUT_BYTES)
        .map_err(|why| format!("{name}: the baseline {why}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{name}: the baseline is not UTF-8 text"))?;
    crate::assess::baseline::parse(&text, &name)
}
