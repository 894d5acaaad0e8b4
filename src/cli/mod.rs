//! The command line: argument parsing (clap derive) and the glue between the stages.

pub mod diff;
pub mod init;
pub mod oscal;
pub mod render;

use crate::assess::{self, Finding, Overrides, Severity};
use crate::emit;
use crate::emit::terminal;
use crate::load::Loaded;
use crate::model::diagnostic::{Code, Diagnostic};
use crate::resolve::{self, Matrix};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "ctrlmap",
    version,
    about = "Map compliance controls to who owns them: MSP, client, shared, third party — and find the gaps.",
    long_about = "ctrlmap reads a workspace of YAML files — the MSP's services (services/), one scope per client \
engagement (scopes/), evidence and policies — together with built-in catalogs of NIST CSF 2.0, HIPAA \
(45 CFR Part 164), the FTC Safeguards Rule (16 CFR Part 314) and NY DFS (23 NYCRR Part 500). It resolves \
who is responsible for every applicable control and reports the gaps.\n\n\
Start with `ctrlmap init my-workspace`, then `ctrlmap check my-workspace`.\n\n\
Exit codes: 0 no finding at or above the gate; 1 findings at or above the gate; 2 bad input or usage.",
    after_help = "Examples:\n  ctrlmap check examples/northwind-msp\n  ctrlmap matrix examples/northwind-msp/scopes/riverside-dental.yaml --format markdown\n  ctrlmap explain examples/northwind-msp/scopes/riverside-dental.yaml 'hipaa:164.308(a)(7)(ii)(A)'\n  ctrlmap frameworks show 'hipaa:164.312(a)(2)(iv)'"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Validate the workspace and assess every scope: the CI gate.
    ///
    /// Prints a summary per client and every finding. Exits 1 when a finding is at or above
    /// `--fail-on`, 2 when an input file is invalid.
    Check {
        /// Loaded folder (holds services/, scopes/, optional ctrlmap.yaml).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
        format: CheckFormat,
        /// Fail (exit 1) on findings of this severity or higher. Default: `fail_on` in ctrlmap.yaml, else high.
        #[arg(long, value_enum)]
        fail_on: Option<Gate>,
        /// Date to assess as of, YYYY-MM-DD (default: SOURCE_DATE_EPOCH if set, else today).
        /// Evidence age and waiver expiry are judged on this date.
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        #[command(flatten)]
        levels: Levels,
        /// Report and fail only on findings not in this baseline file (matched by fingerprint,
        /// which includes the scope and control).
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Write the current findings as a baseline file (atomically).
        #[arg(long, value_name = "FILE")]
        write_baseline: Option<PathBuf>,
        /// Pass a workspace with no scope files, and skip empty (or comment-only) YAML files.
        /// Without it both are errors (exit 2): a gate with nothing to check must not pass
        /// silently, and an emptied scope file must not drop a client from the gate.
        #[arg(long)]
        allow_empty: bool,
    },
    /// Load the workspace and report input problems only (exit 2 if any).
    Validate {
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Skip empty (or comment-only) YAML files instead of reporting them (see `check`).
        #[arg(long)]
        allow_empty: bool,
    },
    /// Print the responsibility matrix of one scope.
    Matrix {
        /// The scope file, e.g. scopes/riverside-dental.yaml (its workspace is found from it).
        scope_file: PathBuf,
        #[arg(long, value_enum, default_value_t = MatrixFormat::Text)]
        format: MatrixFormat,
        /// Only this framework, e.g. hipaa.
        #[arg(long, value_name = "ID")]
        framework: Option<String>,
        /// Write to this file (atomically) instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Explain why a control's row says what it says, with the file and line of each source.
    Explain {
        scope_file: PathBuf,
        /// Control reference, e.g. 'hipaa:164.308(a)(7)(ii)(A)' (quote it in the shell).
        control: String,
        /// Judge findings, evidence age and waivers as of this date (YYYY-MM-DD); default
        /// SOURCE_DATE_EPOCH, else today.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// List the built-in catalogs, or show one catalog or control.
    Frameworks {
        #[command(subcommand)]
        action: Option<FrameworksAction>,
    },
    /// Compare two versions of a workspace: responsibility changes per scope and control, new
    /// and fixed findings; a gate with --fail-on-regression.
    Diff(diff::DiffArgs),
    /// Render a document for one scope: the BAA responsibility appendix, the third-party
    /// service provider summary, or a template of the workspace's templates/ folder.
    Render(render::RenderArgs),
    /// Build the auditor's evidence pack of one scope (`pack SCOPE_FILE -o DIR`), or check
    /// one for tampering (`pack verify DIR`).
    Pack(render::PackArgs),
    /// Export the workspace in an interchange format: `export oscal PATH -o DIR`.
    Export(oscal::ExportArgs),
    /// Import a provider's published responsibilities as service files: `import oscal FILE`.
    Import(oscal::ImportArgs),
    /// Create a new workspace that passes `ctrlmap check` straight away.
    Init {
        /// Folder to create (must not exist or be empty).
        dir: PathBuf,
    },
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

#[derive(Subcommand, Debug)]
pub enum FrameworksAction {
    /// Show a catalog (`hipaa`) or one control (`hipaa:164.312(a)(2)(iv)`), with its text,
    /// attributes and crosswalk.
    Show {
        /// `ID` or `ID:CONTROL`.
        target: String,
    },
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckFormat {
    Text,
    Json,
    Markdown,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps).
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
    /// JUnit XML: one test case per scope and control, failures carry the findings.
    Junit,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixFormat {
    Text,
    Markdown,
    Csv,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    Critical,
    High,
    Medium,
    Low,
    None,
}

impl Gate {
    /// The gate of a run: the command line's `--fail-on`, else `fail_on` in `ctrlmap.yaml`
    /// (validated by the config schema), else `high`. `check` and `diff` both decide it here.
    pub fn of_run(flag: Option<Gate>, config: Option<&str>) -> Gate {
        flag.or_else(|| config.and_then(Gate::parse)).unwrap_or(Gate::High)
    }

    pub fn severity(self) -> Option<Severity> {
        match self {
            Gate::Critical => Some(Severity::Critical),
            Gate::High => Some(Severity::High),
            Gate::Medium => Some(Severity::Medium),
            Gate::Low => Some(Severity::Low),
            Gate::None => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Gate::Critical => "critical",
            Gate::High => "high",
            Gate::Medium => "medium",
            Gate::Low => "low",
            Gate::None => "none",
        }
    }

    fn parse(s: &str) -> Option<Gate> {
        [Gate::Critical, Gate::High, Gate::Medium, Gate::Low, Gate::None]
            .into_iter()
            .find(|g| g.name() == s)
    }
}

/// A failure with its exit code: 2 for bad input or usage.
#[derive(Debug)]
pub struct Exit(pub u8);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}", self.0)
    }
}

impl std::error::Error for Exit {}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            if e.use_stderr() {
                terminal::eprint(&text);
            } else {
                let _ = terminal::print(&text, false);
            }
            return ExitCode::from(code);
        }
    };
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if let Some(Exit(code)) = e.downcast_ref::<Exit>() {
                return ExitCode::from(*code);
            }
            // A closed pipe is the reader's choice, not an error (see emit::terminal).
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            terminal::eprintln(&format!("error: {e:#}"));
            ExitCode::from(2)
        }
    }
}

/// Print an error message (to standard error) and stop with exit 2.
pub(crate) fn fail(message: &str) -> anyhow::Error {
    terminal::eprintln(&format!("error: {message}"));
    Exit(2).into()
}

fn dispatch(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Check {
            path,
            format,
            fail_on,
            as_of,
            levels,
            baseline,
            write_baseline,
            allow_empty,
        } => check(&CheckArgs {
            path: &path,
            format,
            fail_on,
            as_of: as_of.as_deref(),
            levels: &levels,
            baseline: baseline.as_deref(),
            write_baseline: write_baseline.as_deref(),
            allow_empty,
        }),
        Command::Validate { path, allow_empty } => {
            let options = crate::load::LoadOptions { allow_empty };
            let ws = load_workspace_with(&path, "assessed", options)?;
            let n = ws.frameworks.len();
            out(&format!(
                "{}: valid — {} service(s), {} scope(s), {n} catalog(s)\n",
                crate::load::input::display_path(&path),
                ws.services.len(),
                ws.scopes.len()
            ))?;
            Ok(0)
        }
        Command::Matrix {
            scope_file,
            format,
            framework,
            output,
        } => {
            let (ws, scope_idx) = load_scope(&scope_file)?;
            let scope = &ws.scopes[scope_idx];
            let mut matrix = resolve::resolve(&ws, scope);
            if let Some(fw) = framework {
                if !matrix.frameworks.iter().any(|f| f.id == fw) {
                    let known: Vec<&str> = matrix.frameworks.iter().map(|f| f.id.as_str()).collect();
                    return Err(fail(&format!(
                        "framework `{fw}` does not apply to scope `{}`; it has: {}",
                        scope.id,
                        known.join(", ")
                    )));
                }
                matrix = emit::filter_framework(&matrix, &fw);
            }
            let human = matches!(format, MatrixFormat::Text | MatrixFormat::Markdown);
            let text = match format {
                MatrixFormat::Text => emit::matrix_text(&matrix),
                MatrixFormat::Markdown => emit::matrix_markdown(&matrix),
                MatrixFormat::Csv => emit::matrix_csv(&matrix),
                MatrixFormat::Json => emit::matrix_json(&matrix),
            };
            let text = if human {
                crate::emit::escape::terminal_text(&text, false)
            } else {
                text
            };
            match output {
                Some(file) => write_file(&file, text.as_bytes())?,
                None => terminal::print_raw(text.as_bytes())?,
            }
            Ok(0)
        }
        Command::Explain {
            scope_file,
            control,
            as_of,
        } => {
            let as_of = as_of_date(as_of.as_deref())?;
            let (ws, scope_idx) = load_scope(&scope_file)?;
            let scope = &ws.scopes[scope_idx];
            let assessment = assess::assess_scope(&ws, scope, &overrides(&ws), as_of);
            if assessment.matrix.row(&control).is_none() {
                return Err(explain_unknown(&ws, &assessment.matrix, &control));
            }
            stop_on_rule_failures(&ws, &assessment.failures)?;
            out(&crate::emit::explain::render(&ws, scope, &assessment, &control))?;
            Ok(0)
        }
        Command::Frameworks { action } => {
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
        Command::Diff(args) => diff::run(args),
        Command::Render(args) => render::run_render(args),
        Command::Pack(args) => render::run_pack(args),
        Command::Export(args) => oscal::run_export(args),
        Command::Import(args) => oscal::run_import(args),
        Command::Init { dir } => {
            crate::cli::init::scaffold(&dir)?;
            let shown = crate::load::input::display_path(&dir);
            out(&format!(
                "Created a ctrlmap workspace in {shown}.\nNext: `ctrlmap check {shown}`, then edit scopes/ and services/ (see the README).\n",
            ))?;
            Ok(0)
        }
    }
}

fn out(text: &str) -> Result<()> {
    terminal::print(text, false)?;
    Ok(())
}

/// Write an output file (`-o`), with an error that names it and says why.
pub(crate) fn write_file(file: &Path, bytes: &[u8]) -> Result<()> {
    crate::emit::output::write_atomic(file, bytes)
        .with_context(|| format!("writing {}", crate::load::input::display_path(file)))
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
            Some(rel) => crate::load::input::display_path(&rel),
            None => crate::load::input::display_path(workspace),
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
fn rendered(ws: &Loaded, diagnostics: &[Diagnostic], base: &PathBase) -> String {
    // Excerpts are looked up by workspace path, headers carry the reported path.
    let mut lines: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    let mut out = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let line = match (d.line, ws.source(&d.file)) {
            (0, _) | (_, None) => None,
            (n, Some(src)) => lines
                .entry(d.file.as_str())
                .or_insert_with(|| src.lines().collect())
                .get(n - 1)
                .copied(),
        };
        out.push(crate::emit::diagnostics::render(&base.diagnostic(d), line));
    }
    out.join("\n")
}

/// Load a workspace; on input problems print them all and stop with exit 2.
fn load(path: &Path) -> Result<Loaded> {
    load_workspace(path, "assessed")
}

/// Load a workspace for a command; on input problems print them all, say that nothing was
/// `done` (assessed, rendered, compared), and stop with exit 2.
pub(crate) fn load_workspace(path: &Path, done: &str) -> Result<Loaded> {
    load_workspace_with(path, done, crate::load::LoadOptions::default())
}

/// [`load_workspace`] with options.
pub(crate) fn load_workspace_with(path: &Path, done: &str, options: crate::load::LoadOptions) -> Result<Loaded> {
    let (mut ws, files) = match Loaded::load_streaming_with(path, options) {
        Ok(loaded) => loaded,
        Err(msg) => return Err(fail(&msg)),
    };
    for chunk in files.chunks(64) {
        let scopes = ws.load_scopes(chunk);
        ws.scopes.extend(scopes);
    }
    ws.scopes.sort_by(|a, b| a.id.cmp(&b.id));
    stop_on_input_problems(&mut ws, path, done)?;
    Ok(ws)
}

/// When a loaded workspace has input problems, print them all (sorted), say that nothing was
/// `done`, and stop with exit 2.
pub(crate) fn stop_on_input_problems(ws: &mut Loaded, path: &Path, done: &str) -> Result<()> {
    ws.diagnostics.sort();
    ws.diagnostics.dedup();
    if !ws.diagnostics.is_empty() {
        let base = PathBase::for_workspace(path);
        terminal::eprint(&rendered(ws, &ws.diagnostics, &base));
        terminal::eprintln(&format!(
            "\nerror: {}: {} problem(s) in the input; nothing was {done}",
            crate::load::input::display_path(path),
            ws.diagnostics.len()
        ));
        return Err(Exit(2).into());
    }
    Ok(())
}

/// Stop with exit 2 when a custom policy rule failed while it was evaluated (E021): one
/// diagnostic per rule (the first failure of each), sorted by place.
pub(crate) fn stop_on_rule_failures(ws: &Loaded, failures: &[Diagnostic]) -> Result<()> {
    let failures = first_failure_per_rule(failures);
    if failures.is_empty() {
        return Ok(());
    }
    let base = PathBase::for_workspace(&ws.root);
    terminal::eprint(&rendered(ws, &failures, &base));
    terminal::eprintln(&format!(
        "\nerror: {} custom rule(s) failed; the result would be wrong, so nothing is reported",
        failures.len()
    ));
    Err(Exit(2).into())
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

/// The E020 problem of a workspace without scope files.
fn no_scopes() -> Diagnostic {
    Diagnostic::about_file(
        "scopes/",
        Code::E020,
        "no scope files: there is nothing to assess, and a gate with nothing to check must not pass",
        "add a client engagement as `scopes/CLIENT.yaml` (`ctrlmap init` writes an example), or pass `--allow-empty`",
    )
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

fn load_scope(scope_file: &Path) -> Result<(Loaded, usize)> {
    if !scope_file.is_file() {
        return Err(fail(&format!(
            "{}: no such scope file",
            crate::load::input::display_path(scope_file)
        )));
    }
    let ws = load(&workspace_of(scope_file))?;
    let idx = ws
        .scope_for_file(scope_file)
        .and_then(|found| ws.scopes.iter().position(|s| std::ptr::eq(s, found)));
    match idx {
        Some(i) => Ok((ws, i)),
        None => Err(fail(&format!(
            "{}: not a scope of the workspace {} (scope files live in its scopes/ folder and start with `kind: scope`)",
            crate::load::input::display_path(scope_file),
            crate::load::input::display_path(&ws.root)
        ))),
    }
}

fn explain_unknown(ws: &Loaded, matrix: &Matrix, control: &str) -> anyhow::Error {
    let (fw, id) = control.split_once(':').unwrap_or(("", control));
    let msg = match ws.framework(fw) {
        None => format!(
            "`{control}`: unknown framework `{fw}` (write FRAMEWORK:CONTROL, e.g. `hipaa:164.308(a)(1)(ii)(A)`)"
        ),
        Some(f) if f.get(id).is_some() => {
            if matrix.frameworks.iter().any(|x| x.id == fw) {
                format!("`{control}` is informative (a definition or reference), not a control with an owner")
            } else {
                format!(
                    "framework `{fw}` does not apply to scope `{}` (its frameworks: {})",
                    matrix.scope,
                    matrix
                        .frameworks
                        .iter()
                        .map(|f| f.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
        Some(f) => {
            let near = crate::model::diagnostic::closest(id, f.controls.iter().map(|c| c.id.as_str()), 3);
            format!(
                "`{id}` is not a control of `{fw}`; did you mean {}?",
                near.iter()
                    .map(|n| format!("`{fw}:{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };
    fail(&msg)
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
pub fn as_of_date(flag: Option<&str>) -> Result<time::Date> {
    parse_as_of(flag).map_err(|d| fail(&d.message))
}

/// [`as_of_date`], with the problem as a diagnostic.
pub fn parse_as_of(flag: Option<&str>) -> Result<time::Date, Diagnostic> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    if let Some(text) = flag {
        return time::Date::parse(text, &format).map_err(|_| {
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

/// What `ctrlmap check` was asked.
struct CheckArgs<'a> {
    path: &'a Path,
    format: CheckFormat,
    fail_on: Option<Gate>,
    as_of: Option<&'a str>,
    levels: &'a Levels,
    baseline: Option<&'a Path>,
    write_baseline: Option<&'a Path>,
    allow_empty: bool,
}

/// Report input problems in the requested format (and, for people, on standard error) and
/// stop with exit 2: the CI gate fails, and its machine output says why.
fn input_errors(ws: &Loaded, format: CheckFormat, problems: &[Diagnostic], base: &PathBase) -> Result<u8> {
    terminal::eprint(&rendered(ws, problems, base));
    terminal::eprintln(&format!(
        "\nerror: {} problem(s) in the input; nothing was assessed",
        problems.len()
    ));
    let shown: Vec<Diagnostic> = problems.iter().map(|d| base.diagnostic(d)).collect();
    match format {
        CheckFormat::Text => {}
        CheckFormat::Json => terminal::print_raw(emit::diagnostics::json(&shown).as_bytes())?,
        CheckFormat::Sarif => terminal::print_raw(emit::diagnostics::sarif(&shown).as_bytes())?,
        CheckFormat::Github => terminal::print_raw(emit::diagnostics::github(&shown).as_bytes())?,
        CheckFormat::Junit => terminal::print_raw(emit::diagnostics::junit(&shown).as_bytes())?,
        CheckFormat::Markdown => terminal::print(&emit::diagnostics::markdown(&shown), false)?,
    }
    Err(Exit(2).into())
}

fn check(args: &CheckArgs) -> Result<u8> {
    let path = args.path;
    let format = args.format;
    let base = PathBase::for_workspace(path);
    // Problems with the command line are reported with the workspace's, in the format asked.
    let mut early = Vec::new();
    let as_of = parse_as_of(args.as_of).map_err(|d| early.push(d)).ok();
    let baseline = match args.baseline {
        Some(file) => match crate::load::read_baseline(file) {
            Ok(b) => Some(b),
            Err(msg) => {
                early.push(Diagnostic::on_command_line(
                    Code::E016,
                    format!("--baseline: {msg}"),
                    "give a file written by `ctrlmap check --write-baseline FILE`",
                ));
                None
            }
        },
        None => None,
    };
    // Scopes stream through in chunks: each is loaded, checked, assessed and dropped, so
    // memory holds the findings and summaries, not the portfolio.
    let options = crate::load::LoadOptions {
        allow_empty: args.allow_empty,
    };
    let (mut ws, scope_files) = match Loaded::load_streaming_with(path, options) {
        Ok(loaded) => loaded,
        Err(msg) => {
            early.push(Diagnostic::on_command_line(
                Code::E016,
                msg,
                "give the workspace folder: `ctrlmap check PATH`",
            ));
            return input_errors(&Loaded::default(), format, &early, &base);
        }
    };
    let (levels, level_problems) = check_levels(&ws, args.levels);
    early.extend(level_problems);
    if scope_files.is_empty() && !args.allow_empty {
        early.push(no_scopes());
    }
    let gate = Gate::of_run(args.fail_on, ws.config.fail_on.as_deref());
    let overrides = overrides_with(&ws, &levels);
    let as_of = as_of.unwrap_or(time::Date::MIN);
    // Scopes stream through in chunks: each is loaded, assessed and dropped.
    let total = scope_files.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let progress = std::io::stderr().is_terminal() && total > 50;
    let each_done = || {
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if progress && (n.is_multiple_of(100) || n == total) {
            terminal::eprint(&format!("\rassessed {n}/{total} scopes"));
            if n == total {
                terminal::eprintln("");
            }
        }
    };
    let lists = assess::portfolio::SharedControls::default();
    let mut summaries = Vec::new();
    let mut findings = Vec::new();
    let mut unassigned: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    let mut debt = crate::assess::rules::WaiverDebt::default();
    for chunk in scope_files.chunks(64) {
        let scopes = ws.load_scopes(chunk);
        if !ws.diagnostics.is_empty() || !early.is_empty() {
            continue; // keep loading to report every problem, but assess nothing
        }
        let batch = assess::portfolio::assess_batch(&ws, &scopes, &overrides, as_of, &lists, &each_done);
        let refs: Vec<&crate::model::Scope> = scopes.iter().collect();
        debt.merge(crate::assess::rules::waiver_debt(&refs, &batch.findings, as_of));
        summaries.extend(batch.summaries);
        findings.extend(batch.findings);
        failures.extend(batch.failures);
        for (control, n) in batch.unassigned {
            *unassigned.entry(control).or_default() += n;
        }
    }
    ws.diagnostics.extend(first_failure_per_rule(&failures));
    ws.diagnostics.extend(early);
    if !ws.diagnostics.is_empty() {
        ws.diagnostics.sort();
        ws.diagnostics.dedup();
        let problems = std::mem::take(&mut ws.diagnostics);
        return input_errors(&ws, format, &problems, &base);
    }
    summaries.sort_by(|a, b| a.scope.cmp(&b.scope));
    findings.sort_by(Finding::report_order);
    // Every path is reported from the folder ctrlmap runs in (see PathBase).
    for f in &mut findings {
        f.file = base.show(&f.file);
        if let Some(w) = &mut f.waived {
            w.file = base.show(&w.file);
        }
    }
    for s in &mut summaries {
        s.file = base.show(&s.file);
    }
    let failing = match gate.severity() {
        Some(min) => findings
            .iter()
            .filter(|f| f.severity >= min && f.waived.is_none())
            .filter(|f| !baseline.as_ref().is_some_and(|b| b.contains(f)))
            .count(),
        None => 0,
    };
    let as_of_text = as_of.to_string();
    if let Some(file) = args.write_baseline {
        write_file(file, crate::assess::baseline::write(&findings).as_bytes())?;
    }
    // With a baseline, the human and JSON reports list only the findings not in it (and
    // count the others); SARIF, JUnit and annotations mark them instead.
    let new_findings: Vec<Finding>;
    let (listed, baselined, summaries) = match &baseline {
        Some(b) if matches!(format, CheckFormat::Text | CheckFormat::Json | CheckFormat::Markdown) => {
            new_findings = findings.iter().filter(|f| !b.contains(f)).cloned().collect();
            let mut by_scope: std::collections::HashMap<&str, Vec<&Finding>> = Default::default();
            for f in &new_findings {
                by_scope.entry(f.scope.as_str()).or_default().push(f);
            }
            let summaries: Vec<assess::portfolio::ScopeSummary> = summaries
                .iter()
                .map(|s| assess::portfolio::ScopeSummary {
                    findings: assess::portfolio::severity_counts(by_scope.remove(s.scope.as_str()).unwrap_or_default()),
                    ..s.clone()
                })
                .collect();
            (&new_findings[..], Some(findings.len() - new_findings.len()), summaries)
        }
        _ => (&findings[..], None, summaries),
    };
    let report = emit::CheckReport {
        as_of: &as_of_text,
        fail_on: gate.name(),
        scopes: &summaries,
        findings: listed,
        failing,
        baselined,
        debt: &debt,
        unassigned: &unassigned,
    };
    match format {
        CheckFormat::Text => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let text = if summaries.is_empty() {
                format!(
                    "no scopes in {} (allowed by --allow-empty)\n",
                    crate::load::input::display_path(path)
                )
            } else {
                emit::check_text(&report, color)
            };
            terminal::print(&text, color)?;
        }
        CheckFormat::Json => emit::write_check_json(terminal::Stdout::lock(), &report)?,
        CheckFormat::Markdown => terminal::print(&emit::check_markdown(&report), false)?,
        CheckFormat::Sarif => terminal::print_raw(
            emit::sarif::sarif(
                &findings,
                &emit::sarif::effective_rules(&overrides),
                baseline.as_ref(),
                "",
            )
            .as_bytes(),
        )?,
        CheckFormat::Github => terminal::print_raw(emit::github::github(&findings, baseline.as_ref(), "").as_bytes())?,
        CheckFormat::Junit => {
            // Streamed: a large portfolio's report is never built in memory.
            let suites: Vec<emit::junit::Suite> = summaries.iter().map(emit::junit::Suite::from_summary).collect();
            emit::junit::write_junit(
                terminal::Stdout::lock(),
                &suites,
                &findings,
                gate.severity(),
                baseline.as_ref(),
            )?;
        }
    }
    if failing > 0 {
        bail!(Exit(1));
    }
    Ok(0)
}
