//! The command line: argument parsing (clap derive) and the glue between the stages.

use crate::assess::{self, Finding, Overrides, Severity};
use crate::emit;
use crate::load::Workspace;
use crate::resolve::{self, Matrix};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
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
        /// Workspace folder (holds services/, scopes/, optional ctrlmap.yaml).
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
    },
    /// Load the workspace and report input problems only (exit 2 if any).
    Validate {
        #[arg(default_value = ".")]
        path: PathBuf,
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
    },
    /// List the built-in catalogs, or show one catalog or control.
    Frameworks {
        #[command(subcommand)]
        action: Option<FrameworksAction>,
    },
    /// Compare two versions of a workspace: responsibility changes per scope and control, new
    /// and fixed findings; a gate with --fail-on-regression.
    Diff(crate::diff::DiffArgs),
    /// Render a document for one scope: the BAA responsibility appendix, the third-party
    /// service provider summary, or a template of the workspace's templates/ folder.
    Render(crate::render::RenderArgs),
    /// Build the auditor's evidence pack of one scope (`pack SCOPE_FILE -o DIR`), or check
    /// one for tampering (`pack verify DIR`).
    Pack(crate::render::PackArgs),
    /// Create a new workspace that passes `ctrlmap check` straight away.
    Init {
        /// Folder to create (must not exist or be empty).
        dir: PathBuf,
    },
}

/// Per-code severity changes from the command line (they win over `ctrlmap.yaml`).
#[derive(clap::Args, Debug, Default, Clone)]
pub struct Levels {
    /// Make a finding code critical, so it fails any gate (repeatable), e.g. --deny CM006.
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
    fn severity(self) -> Option<Severity> {
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
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if let Some(Exit(code)) = e.downcast_ref::<Exit>() {
                return ExitCode::from(*code);
            }
            if let Some(io) = e.downcast_ref::<std::io::Error>()
                && io.kind() == std::io::ErrorKind::BrokenPipe
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
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
        } => check(
            &path,
            format,
            fail_on,
            as_of.as_deref(),
            &levels,
            baseline.as_deref(),
            write_baseline.as_deref(),
        ),
        Command::Validate { path } => {
            let ws = load(&path)?;
            let n = ws.frameworks.len();
            out(&format!(
                "{}: valid — {} service(s), {} scope(s), {n} catalog(s)\n",
                path.display(),
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
                    eprintln!(
                        "error: framework `{fw}` does not apply to scope `{}`; it has: {}",
                        scope.id,
                        known.join(", ")
                    );
                    return Err(Exit(2).into());
                }
                matrix = emit::filter_framework(&matrix, &fw);
            }
            let text = match format {
                MatrixFormat::Text => emit::matrix_text(&matrix),
                MatrixFormat::Markdown => emit::matrix_markdown(&matrix),
                MatrixFormat::Csv => emit::matrix_csv(&matrix),
                MatrixFormat::Json => emit::matrix_json(&matrix),
            };
            match output {
                Some(file) => crate::write_atomic(&file, text.as_bytes())
                    .with_context(|| format!("writing {}", file.display()))?,
                None => out(&text)?,
            }
            Ok(0)
        }
        Command::Explain { scope_file, control } => {
            let (ws, scope_idx) = load_scope(&scope_file)?;
            let scope = &ws.scopes[scope_idx];
            let matrix = resolve::resolve(&ws, scope);
            let Some(row) = matrix.row(&control) else {
                return Err(explain_unknown(&ws, &matrix, &control));
            };
            let findings = assess::assess(&ws, scope, &matrix, &overrides(&ws));
            out(&crate::explain::render(&ws, scope, row, &findings))?;
            Ok(0)
        }
        Command::Frameworks { action } => {
            let ws = Workspace::builtin().map_err(|e| anyhow!(e))?;
            match action {
                None => out(&crate::explain::frameworks_list(&ws))?,
                Some(FrameworksAction::Show { target }) => match crate::explain::frameworks_show(&ws, &target) {
                    Ok(text) => out(&text)?,
                    Err(msg) => {
                        eprintln!("error: {msg}");
                        return Err(Exit(2).into());
                    }
                },
            }
            Ok(0)
        }
        Command::Diff(args) => crate::diff::run(args),
        Command::Render(args) => crate::render::run_render(args),
        Command::Pack(args) => crate::render::run_pack(args),
        Command::Init { dir } => {
            crate::init::scaffold(&dir)?;
            out(&format!(
                "Created a ctrlmap workspace in {}.\nNext: `ctrlmap check {}`, then edit scopes/ and services/ (see the README).\n",
                dir.display(),
                dir.display()
            ))?;
            Ok(0)
        }
    }
}

fn out(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// Load a workspace; on input problems print them all and stop with exit 2.
fn load(path: &Path) -> Result<Workspace> {
    load_workspace(path, "assessed")
}

/// Load a workspace for a command; on input problems print them all, say that nothing was
/// `done` (assessed, rendered, compared), and stop with exit 2.
pub(crate) fn load_workspace(path: &Path, done: &str) -> Result<Workspace> {
    let ws = match Workspace::load(path) {
        Ok(ws) => ws,
        Err(msg) => {
            eprintln!("error: {msg}");
            return Err(Exit(2).into());
        }
    };
    if !ws.diagnostics.is_empty() {
        eprint!("{}", ws.render_diagnostics());
        eprintln!(
            "\nerror: {}: {} problem(s) in the input; nothing was {done}",
            path.display(),
            ws.diagnostics.len()
        );
        return Err(Exit(2).into());
    }
    Ok(ws)
}

/// The workspace a scope file lives in: the folder above `scopes/`, or the nearest folder
/// up with a `ctrlmap.yaml`.
pub fn workspace_of(scope_file: &Path) -> PathBuf {
    let abs = scope_file.canonicalize().unwrap_or_else(|_| scope_file.to_path_buf());
    let parent = abs.parent().map(Path::to_path_buf).unwrap_or_default();
    if parent.file_name().is_some_and(|n| n == "scopes")
        && let Some(root) = parent.parent()
    {
        return root.to_path_buf();
    }
    let mut cur = Some(parent.as_path());
    while let Some(dir) = cur {
        if dir.join("ctrlmap.yaml").is_file() {
            return dir.to_path_buf();
        }
        cur = dir.parent();
    }
    parent
}

fn load_scope(scope_file: &Path) -> Result<(Workspace, usize)> {
    if !scope_file.is_file() {
        eprintln!("error: {}: no such scope file", scope_file.display());
        return Err(Exit(2).into());
    }
    let ws = load(&workspace_of(scope_file))?;
    let canon = scope_file.canonicalize()?;
    let idx = ws
        .scopes
        .iter()
        .position(|s| ws.root.join(&*s.origin.file).canonicalize().ok().as_ref() == Some(&canon));
    match idx {
        Some(i) => Ok((ws, i)),
        None => {
            eprintln!(
                "error: {}: not a scope of the workspace {} (scope files live in its scopes/ folder and start with `kind: scope`)",
                scope_file.display(),
                ws.root.display()
            );
            Err(Exit(2).into())
        }
    }
}

fn explain_unknown(ws: &Workspace, matrix: &Matrix, control: &str) -> anyhow::Error {
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
            let near = crate::diag::closest(id, f.controls.iter().map(|c| c.id.as_str()), 3);
            format!(
                "`{id}` is not a control of `{fw}`; did you mean {}?",
                near.iter()
                    .map(|n| format!("`{fw}:{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    };
    eprintln!("error: {msg}");
    Exit(2).into()
}

/// Severity overrides: `ctrlmap.yaml` first, then the command line.
pub fn overrides(ws: &Workspace) -> Overrides {
    overrides_with(ws, &Levels::default())
}

pub fn overrides_with(ws: &Workspace, levels: &Levels) -> Overrides {
    let mut o = Overrides::new();
    for (code, sev) in &ws.config.severity {
        o.insert(code.clone(), Severity::parse(sev));
    }
    for code in &levels.deny {
        o.insert(code.clone(), Some(Severity::Critical));
    }
    for code in &levels.warn {
        o.insert(code.clone(), Some(Severity::Info));
    }
    for code in &levels.allow {
        o.insert(code.clone(), None);
    }
    o
}

/// The as-of date: the flag, else SOURCE_DATE_EPOCH, else today (UTC).
pub fn as_of_date(flag: Option<&str>) -> Result<time::Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    if let Some(text) = flag {
        return time::Date::parse(text, &format).map_err(|_| {
            eprintln!("error: --as-of `{text}` is not a date; write YYYY-MM-DD, e.g. 2026-11-30");
            Exit(2).into()
        });
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = epoch.trim().parse().map_err(|_| {
            eprintln!("error: SOURCE_DATE_EPOCH `{epoch}` is not a number of seconds");
            anyhow::Error::from(Exit(2))
        })?;
        return Ok(time::OffsetDateTime::from_unix_timestamp(secs)
            .map_err(|_| anyhow!("SOURCE_DATE_EPOCH out of range"))?
            .date());
    }
    Ok(time::OffsetDateTime::now_utc().date())
}

/// Resolve and assess every scope, in parallel; each matrix is dropped as soon as its scope
/// is assessed, so memory holds only the findings and summaries. Results come back in scope
/// order whatever the thread schedule.
pub fn assess_portfolio(
    ws: &Workspace,
    overrides: &Overrides,
    as_of: time::Date,
) -> (
    Vec<emit::ScopeSummary>,
    Vec<Finding>,
    std::collections::BTreeMap<String, usize>,
) {
    let done = std::sync::atomic::AtomicUsize::new(0);
    assess_scopes(ws, &ws.scopes, overrides, as_of, &done, ws.scopes.len())
}

/// Resolve and assess a batch of scopes in parallel (see [`assess_portfolio`]); `done` and
/// `total` drive the progress line across batches.
pub fn assess_scopes(
    ws: &Workspace,
    scopes: &[crate::model::Scope],
    overrides: &Overrides,
    as_of: time::Date,
    done: &std::sync::atomic::AtomicUsize,
    total: usize,
) -> (
    Vec<emit::ScopeSummary>,
    Vec<Finding>,
    std::collections::BTreeMap<String, usize>,
) {
    use rayon::prelude::*;
    use std::sync::atomic::Ordering;
    let progress = std::io::stderr().is_terminal() && total > 50;
    // Controls left unassigned, counted across the portfolio as scopes finish.
    let unassigned: std::sync::Mutex<std::collections::BTreeMap<String, usize>> = Default::default();
    // Scopes with the same assignable controls share one list.
    let lists = emit::junit::SharedControls::default();
    let per_scope: Vec<(emit::ScopeSummary, Vec<Finding>)> = scopes
        .par_iter()
        .map(|scope| {
            let matrix = resolve::resolve(ws, scope);
            let found = assess::assess_on(ws, scope, &matrix, overrides, as_of);
            let mut summary = emit::scope_summary(&matrix, &scope.origin.file, &found);
            summary.assignable = lists.get(summary.assignable.to_vec());
            if let Ok(mut counts) = unassigned.lock() {
                for r in matrix
                    .rows
                    .iter()
                    .filter(|r| r.assignable && r.summary == resolve::Summary::Unassigned)
                {
                    match counts.get_mut(&*r.control) {
                        Some(n) => *n += 1,
                        None => {
                            counts.insert(r.control.to_string(), 1);
                        }
                    }
                }
            }
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            if progress && (n.is_multiple_of(100) || n == total) {
                eprint!("\rassessed {n}/{total} scopes");
                if n == total {
                    eprintln!();
                }
            }
            (summary, found)
        })
        .collect();
    let mut summaries = Vec::with_capacity(per_scope.len());
    let mut findings = Vec::new();
    for (summary, found) in per_scope {
        summaries.push(summary);
        findings.extend(found);
    }
    let unassigned = unassigned.into_inner().unwrap_or_default();
    (summaries, findings, unassigned)
}

fn check(
    path: &Path,
    format: CheckFormat,
    fail_on: Option<Gate>,
    as_of: Option<&str>,
    levels: &Levels,
    baseline_file: Option<&Path>,
    write_baseline: Option<&Path>,
) -> Result<u8> {
    let as_of = as_of_date(as_of)?;
    let baseline = match baseline_file {
        Some(file) => match crate::baseline::read(file) {
            Ok(b) => Some(b),
            Err(msg) => {
                eprintln!("error: {msg}");
                return Err(Exit(2).into());
            }
        },
        None => None,
    };
    // Scopes stream through in chunks: each is loaded, checked, assessed and dropped, so
    // memory holds the findings and summaries, not the portfolio.
    let (mut ws, scope_files) = match Workspace::load_streaming(path) {
        Ok(loaded) => loaded,
        Err(msg) => {
            eprintln!("error: {msg}");
            return Err(Exit(2).into());
        }
    };
    let gate = match fail_on {
        Some(g) => g,
        None => match ws.config.fail_on.as_deref().and_then(Gate::parse) {
            Some(g) => g,
            None => Gate::High,
        },
    };
    let overrides = overrides_with(&ws, levels);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut summaries = Vec::new();
    let mut findings = Vec::new();
    let mut unassigned: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut debt = crate::rules::WaiverDebt::default();
    let mut scope_count = 0usize;
    for chunk in scope_files.chunks(64) {
        let scopes = ws.load_scopes(chunk);
        scope_count += scopes.len();
        if !ws.diagnostics.is_empty() {
            continue; // keep loading to report every problem, but assess nothing
        }
        let (s, f, u) = assess_scopes(&ws, &scopes, &overrides, as_of, &done, scope_files.len());
        let refs: Vec<&crate::model::Scope> = scopes.iter().collect();
        debt.merge(crate::rules::waiver_debt(&refs, &f, as_of));
        summaries.extend(s);
        findings.extend(f);
        for (control, n) in u {
            *unassigned.entry(control).or_default() += n;
        }
    }
    if !ws.diagnostics.is_empty() {
        ws.diagnostics.sort();
        ws.diagnostics.dedup();
        eprint!("{}", ws.render_diagnostics());
        eprintln!(
            "\nerror: {} problem(s) in the input; nothing was assessed",
            ws.diagnostics.len()
        );
        return Err(Exit(2).into());
    }
    summaries.sort_by(|a, b| a.scope.cmp(&b.scope));
    findings.sort_by(Finding::report_order);
    let failing = match gate.severity() {
        Some(min) => findings
            .iter()
            .filter(|f| f.severity >= min && f.waived.is_none())
            .filter(|f| !baseline.as_ref().is_some_and(|b| b.contains(f)))
            .count(),
        None => 0,
    };
    let as_of_text = as_of.to_string();
    if let Some(file) = write_baseline {
        crate::write_atomic(file, crate::baseline::write(&findings).as_bytes())
            .with_context(|| format!("writing {}", file.display()))?;
    }
    let uri_prefix = std::env::current_dir()
        .map(|dir| emit::sarif::srcroot_prefix(path, &dir))
        .unwrap_or_default();
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
            let summaries: Vec<emit::ScopeSummary> = summaries
                .iter()
                .map(|s| emit::ScopeSummary {
                    findings: emit::severity_counts(by_scope.remove(s.scope.as_str()).unwrap_or_default()),
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
    let text = match format {
        CheckFormat::Text => {
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            if scope_count == 0 {
                format!(
                    "no scopes in {} (add client engagements under scopes/)\n",
                    path.display()
                )
            } else {
                emit::check_text(&report, color)
            }
        }
        CheckFormat::Json => {
            emit::write_check_json(std::io::stdout().lock(), &report)?;
            String::new()
        }
        CheckFormat::Markdown => emit::check_markdown(&report),
        CheckFormat::Sarif => emit::sarif::sarif(
            &findings,
            &emit::sarif::effective_rules(&overrides),
            baseline.as_ref(),
            &uri_prefix,
        ),
        CheckFormat::Github => emit::github::github(&findings, baseline.as_ref(), &uri_prefix),
        CheckFormat::Junit => {
            // Streamed: a large portfolio's report is never built in memory.
            let suites: Vec<emit::junit::Suite> = summaries.iter().map(emit::junit::Suite::from_summary).collect();
            emit::junit::write_junit(
                std::io::stdout().lock(),
                &suites,
                &findings,
                gate.severity(),
                baseline.as_ref(),
            )?;
            String::new()
        }
    };
    out(&text)?;
    if failing > 0 {
        bail!(Exit(1));
    }
    Ok(0)
}
