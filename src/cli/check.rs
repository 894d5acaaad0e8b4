//! `ctrlmap check`: the CI gate. Streams the portfolio through the engine in chunks and
//! prints one report in the format asked.

use super::Failure;
use super::common::{
    Levels, PathBase, check_levels, first_failure_per_rule, overrides_with, parse_as_of, rendered, write_file,
};
use crate::assess::{self, Finding, Severity};
use crate::emit::terminal;
use crate::emit::{self, counted};
use crate::load::Loaded;
use crate::model::diagnostic::{Code, Diagnostic};
use anyhow::Result;
use clap::ValueEnum;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Validate the workspace and assess every scope: the CI gate.
///
/// Prints a summary per client and every finding. Exits 1 when a finding is at or above
/// `--fail-on`, 2 when an input file is invalid.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Workspace folder (holds services/, scopes/, optional ctrlmap.yaml).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,
    /// Fail (exit 1) on findings of this severity or higher. Default: `fail_on` in ctrlmap.yaml, else high.
    #[arg(long, value_enum)]
    pub fail_on: Option<Gate>,
    /// Date to assess as of, YYYY-MM-DD (default: SOURCE_DATE_EPOCH if set, else today).
    /// Evidence age and waiver expiry are judged on this date.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[command(flatten)]
    pub levels: Levels,
    /// Report and fail only on findings not in this baseline file (matched by fingerprint,
    /// which includes the scope and control).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the current findings as a baseline file (atomically).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Pass a workspace with no scope files, and skip empty (or comment-only) YAML files.
    /// Without it both are errors (exit 2): a gate with nothing to check must not pass
    /// silently, and an emptied scope file must not drop a client from the gate.
    #[arg(long)]
    pub allow_empty: bool,
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

/// Report input problems in the requested format (and, for people, on standard error) and
/// stop with exit 2: the CI gate fails, and its machine output says why.
fn input_errors(ws: &Loaded, format: CheckFormat, problems: &[Diagnostic], base: &PathBase) -> Result<u8> {
    let report = format!(
        "{}\nerror: {}; nothing was assessed\n",
        rendered(ws, problems, base),
        counted(problems.len(), "problem in the input", "problems in the input")
    );
    let shown: Vec<Diagnostic> = problems.iter().map(|d| base.diagnostic(d)).collect();
    match format {
        CheckFormat::Text => {}
        CheckFormat::Json => terminal::print_raw(emit::diagnostics::json(&shown).as_bytes())?,
        CheckFormat::Sarif => terminal::print_raw(emit::diagnostics::sarif(&shown).as_bytes())?,
        CheckFormat::Github => terminal::print_raw(emit::diagnostics::github(&shown).as_bytes())?,
        CheckFormat::Junit => terminal::print_raw(emit::diagnostics::junit(&shown).as_bytes())?,
        CheckFormat::Markdown => terminal::print(&emit::diagnostics::markdown(&shown), false)?,
    }
    Err(Failure::Input(report).into())
}

pub fn run(args: &CheckArgs) -> Result<u8> {
    let path = args.path.as_path();
    let format = args.format;
    let base = PathBase::for_workspace(path);
    // Problems with the command line are reported with the workspace's, in the format asked.
    let mut early = Vec::new();
    let as_of = parse_as_of(args.as_of.as_deref()).map_err(|d| early.push(d)).ok();
    let baseline = match args.baseline.as_deref() {
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
    let (levels, level_problems) = check_levels(&ws, &args.levels);
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
    if let Some(file) = args.write_baseline.as_deref() {
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
    Ok(if failing > 0 { 1 } else { 0 })
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
