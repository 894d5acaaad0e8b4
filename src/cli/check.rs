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
    /// which includes the scope and control). `-` reads it from standard input.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the current findings as a baseline file (atomically). Writing a baseline is not
    /// a gate: the run exits 0 whatever it finds (2 on bad input), unless `--fail-on` is given
    /// too.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Pass a workspace with no scope files, and skip empty (or comment-only) YAML files.
    /// Without it both are errors (exit 2): a gate with nothing to check must not pass
    /// silently, and an emptied scope file must not drop a client from the gate.
    #[arg(long)]
    pub allow_empty: bool,
    /// Write a report to a file (atomically), repeatable: `-o FILE` writes the `--format`
    /// report there instead of standard output; `-o FORMAT=FILE` (e.g. `sarif=ctrlmap.sarif`)
    /// writes that format too, and standard output still gets the `--format` report. A file
    /// whose name holds `=` is written with its folder (`./a=b`). Two outputs onto one file,
    /// or onto a file the run reads, stop the run (exit 2) before anything is written.
    #[arg(short, long, value_name = "[FORMAT=]FILE")]
    pub output: Vec<String>,
    /// Show only what fails the gate (the findings at or above it) and the verdict line, on
    /// standard output. Files written with `-o` hold every finding. The gate is unchanged.
    #[arg(short, long)]
    pub quiet: bool,
    /// Show only findings of this severity or higher on standard output (in every format but
    /// JUnit, whose test cases are the gate's verdicts). Files written with `-o` hold every
    /// finding. The gate is unchanged.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub severity: Option<Shown>,
    /// Check only this scope (its `id`), repeatable. Unlike the display filters this selects
    /// what is assessed, so it also selects what gates. An unknown id is an error with the
    /// closest ids.
    #[arg(long, value_name = "ID")]
    pub scope: Vec<String>,
}

/// A severity, for `--severity`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Shown {
    fn severity(self) -> Severity {
        match self {
            Shown::Critical => Severity::Critical,
            Shown::High => Severity::High,
            Shown::Medium => Severity::Medium,
            Shown::Low => Severity::Low,
            Shown::Info => Severity::Info,
        }
    }
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
    /// GitLab Code Quality report (for `artifacts:reports:codequality`).
    Gitlab,
}

impl CheckFormat {
    fn named(name: &str) -> Option<CheckFormat> {
        CheckFormat::from_str(name, true).ok()
    }

    /// The name `--format` and `-o FORMAT=` take.
    fn name(self) -> &'static str {
        match self {
            CheckFormat::Text => "text",
            CheckFormat::Json => "json",
            CheckFormat::Markdown => "markdown",
            CheckFormat::Sarif => "sarif",
            CheckFormat::Github => "github",
            CheckFormat::Junit => "junit",
            CheckFormat::Gitlab => "gitlab",
        }
    }

    /// The report that writes this format.
    fn report(self) -> &'static dyn emit::report::Report {
        match self {
            CheckFormat::Text => &emit::report::Text,
            CheckFormat::Json => &emit::report::Json,
            CheckFormat::Markdown => &emit::report::Markdown,
            CheckFormat::Sarif => &emit::report::Sarif,
            CheckFormat::Github => &emit::report::Github,
            CheckFormat::Junit => &emit::report::Junit,
            CheckFormat::Gitlab => &emit::report::Gitlab,
        }
    }

    const ALL: [CheckFormat; 7] = [
        CheckFormat::Text,
        CheckFormat::Json,
        CheckFormat::Markdown,
        CheckFormat::Sarif,
        CheckFormat::Github,
        CheckFormat::Junit,
        CheckFormat::Gitlab,
    ];
}

/// Where the reports of one run go: the `--format` report to standard output or a file,
/// and any `FORMAT=FILE` outputs.
struct Outputs {
    main: (CheckFormat, Option<PathBuf>),
    extra: Vec<(CheckFormat, PathBuf)>,
}

impl Outputs {
    fn of(format: CheckFormat, outputs: &[String]) -> Result<Outputs, Diagnostic> {
        let names: Vec<&str> = CheckFormat::ALL.iter().map(|f| f.name()).collect();
        let mut main = (format, None);
        let mut extra = Vec::new();
        for o in outputs {
            if o.is_empty() {
                return Err(Diagnostic::on_command_line(
                    Code::E022,
                    "-o ``: no file",
                    "write `-o FILE` for the --format report, or `-o FORMAT=FILE`",
                ));
            }
            match super::outputs::parse_output(o, &names, "check")? {
                (Some(name), file) => extra.push((CheckFormat::named(&name).unwrap_or(format), file)),
                (None, _) if main.1.is_some() => {
                    return Err(Diagnostic::on_command_line(
                        Code::E022,
                        format!("-o `{o}`: a second file for the --format report"),
                        "give the --format report one `-o FILE`; name any other report's format: `-o FORMAT=FILE`",
                    ));
                }
                (None, file) => main.1 = Some(file),
            }
        }
        Ok(Outputs { main, extra })
    }

    /// Every output file with the argument that named it, and the baseline to write.
    fn files<'a>(&'a self, write_baseline: Option<&'a std::path::Path>) -> Vec<super::outputs::Output<'a>> {
        let main = self.main.1.iter().map(|f| super::outputs::Output {
            file: f,
            flag: format!("-o {}", crate::fs::input::display_path(f)),
        });
        let extra = self.extra.iter().map(|(format, f)| super::outputs::Output {
            file: f,
            flag: format!("-o {}={}", format.name(), crate::fs::input::display_path(f)),
        });
        let baseline = write_baseline.map(|f| super::outputs::Output {
            file: f,
            flag: format!("--write-baseline {}", crate::fs::input::display_path(f)),
        });
        main.chain(extra).chain(baseline).collect()
    }

    /// Every report: (format, file, or standard output).
    fn all(&self) -> impl Iterator<Item = (CheckFormat, Option<&PathBuf>)> {
        std::iter::once((self.main.0, self.main.1.as_ref())).chain(self.extra.iter().map(|(f, p)| (*f, Some(p))))
    }
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

/// Report input problems in every report asked for (and, for people, on standard error)
/// and stop with exit 2: the CI gate fails, and its machine output says why.
fn input_errors(ws: &Loaded, outputs: &Outputs, problems: &[Diagnostic], base: &PathBase) -> Result<u8> {
    let report = format!(
        "{}\nerror: {}; nothing was assessed\n",
        rendered(ws, problems, base),
        counted(problems.len(), "problem in the input", "problems in the input")
    );
    let shown: Vec<Diagnostic> = problems.iter().map(|d| base.diagnostic(d)).collect();
    for (format, file) in outputs.all() {
        let Some(text) = format.report().diagnostics(&shown) else {
            continue; // standard error has them
        };
        match file {
            Some(file) => write_file(file, text.as_bytes())?,
            None => terminal::print_raw(text.as_bytes())?,
        }
    }
    Err(Failure::Input(report).into())
}

pub fn run(args: &CheckArgs) -> Result<u8> {
    let path = args.path.as_path();
    let base = PathBase::for_workspace(path);
    // Problems with the command line are reported with the workspace's, in the format asked.
    let mut early = Vec::new();
    let outputs = Outputs::of(args.format, &args.output).unwrap_or_else(|d| {
        early.push(d);
        Outputs {
            main: (args.format, None),
            extra: Vec::new(),
        }
    });
    // Two outputs onto one file: stop before any report is written.
    let written = outputs.files(args.write_baseline.as_deref());
    let clashes = super::outputs::overwrites(&written, &[]);
    if !clashes.is_empty() {
        return Err(nothing_written(&Loaded::default(), clashes, &base));
    }
    let as_of = parse_as_of(args.as_of.as_deref()).map_err(|d| early.push(d)).ok();
    let baseline = match args.baseline.as_deref() {
        Some(file) => match super::common::read_baseline(file) {
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
        forget_scope_hashes: true,
    };
    let (mut ws, scope_files) = match Loaded::load_streaming_with(path, options) {
        Ok(loaded) => loaded,
        Err(msg) => {
            // The path given is not a workspace folder: a usage mistake, not an unreadable file.
            early.push(Diagnostic::on_command_line(
                Code::E022,
                msg,
                "give the workspace folder: `ctrlmap check PATH`",
            ));
            return input_errors(&Loaded::default(), &outputs, &early, &base);
        }
    };
    // The inputs an output file must not replace; without output files there is nothing to
    // compare them with.
    let mut inputs = if written.is_empty() {
        Vec::new()
    } else {
        super::outputs::workspace_inputs(&ws)
    };
    // The list of the workspace's files served only for that (one entry per scope file).
    ws.files = Default::default();
    if let Some(file) = args.baseline.as_deref().filter(|f| f.as_os_str() != "-") {
        inputs.push(super::outputs::Input {
            file: file.to_path_buf(),
            in_workspace: None,
            what: format!("--baseline {}", crate::fs::input::display_path(file)),
        });
    }
    let (levels, level_problems) = check_levels(&ws, &args.levels);
    early.extend(level_problems);
    if scope_files.is_empty() && !args.allow_empty {
        early.push(no_scopes());
    }
    // Writing a baseline is not a gate, unless --fail-on asks for one in the same run.
    let gate = match (&args.write_baseline, args.fail_on) {
        (Some(_), None) => Gate::None,
        _ => Gate::of_run(args.fail_on, ws.config.fail_on.as_deref()),
    };
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
    let lists = assess::portfolio::SharedLists::default();
    // One summary per scope assessed: sized once, not doubled (and copied) as it fills.
    let mut summaries = Vec::with_capacity(if args.scope.is_empty() {
        total
    } else {
        args.scope.len().min(total)
    });
    let mut findings: Vec<Finding> = Vec::new();
    let mut unassigned: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    let mut debt = crate::assess::waivers::WaiverDebt::default();
    // Scope ids, to name the closest to a `--scope` that matches none.
    let mut ids: Vec<String> = Vec::new();
    // A problem outside the scope files (configuration, services, packages, parties,
    // catalogs, the command line) touches every scope: nothing is assessed. A problem in a
    // scope file keeps that scope out; every other scope is assessed and reported with it.
    let workspace_broken = !ws.diagnostics.is_empty();
    // While a chunk is assessed, the next one is read, parsed and checked (rayon's workers
    // take from both), so neither waits at the end of the other's chunk.
    const CHUNK: usize = 64;
    let mut chunks = scope_files.chunks(CHUNK);
    let mut files_done = 0;
    let mut next = chunks.next().map(|chunk| ws.prepare_scopes(chunk));
    while let Some(prepared) = next.take() {
        files_done = (files_done + CHUNK).min(total);
        let before = ws.diagnostics.len();
        let mut scopes = ws.record_scopes(prepared);
        // Evidence is an input an output file must not replace; without output files there is
        // nothing to compare it with (and no path to resolve for each evidence file).
        if !written.is_empty() {
            inputs.extend(super::outputs::evidence_inputs(&ws.root, &scopes));
        }
        if !args.scope.is_empty() {
            ids.extend(scopes.iter().map(|s| s.id.clone()));
        }
        let broken: std::collections::HashSet<&str> =
            ws.diagnostics[before..].iter().map(|d| d.file.as_str()).collect();
        scopes.retain(|s| !broken.contains(&*s.origin.file));
        if !args.scope.is_empty() {
            scopes.retain(|s| args.scope.contains(&s.id));
        }
        let following = chunks.next();
        if workspace_broken || !early.is_empty() {
            // Keep loading to report every problem, but assess nothing.
            next = following.map(|chunk| ws.prepare_scopes(chunk));
            continue;
        }
        let (batch, prepared_next) = rayon::join(
            || assess::portfolio::assess_batch(&ws, &scopes, &overrides, as_of, &lists, &each_done),
            || following.map(|chunk| ws.prepare_scopes(chunk)),
        );
        next = prepared_next;
        let refs: Vec<&crate::model::Scope> = scopes.iter().collect();
        debt.merge(crate::assess::waivers::waiver_debt(&refs, &batch.findings, as_of));
        let mut batch = batch;
        shown_from_here(&mut batch, &base);
        summaries.extend(batch.summaries);
        reserve_for_the_rest(&mut findings, batch.findings.len(), files_done, total);
        findings.extend(batch.findings);
        failures.extend(batch.failures);
        for (control, n) in batch.unassigned {
            *unassigned.entry(control).or_default() += n;
        }
        // Freeing a chunk's scopes is a worker's job, not this thread's while the other
        // core waits for the next chunk.
        drop(refs);
        rayon::spawn(move || drop(scopes));
    }
    ids.sort();
    for id in args.scope.iter().filter(|id| ids.binary_search(id).is_err()) {
        early.push(unknown_scope(id, &ids));
    }
    // An output onto an input (a scope, a service, the configuration, evidence, the
    // baseline): stop before any report is written.
    let clashes = super::outputs::overwrites(&written, &inputs);
    if !clashes.is_empty() {
        let mut problems = std::mem::take(&mut ws.diagnostics);
        problems.extend(early);
        problems.extend(clashes);
        return Err(nothing_written(&ws, problems, &base));
    }
    // Problems that leave nothing to report: every one is listed, nothing is assessed. (So
    // are problems in scope files when no other scope was assessed.)
    let blocked = workspace_broken
        || !early.is_empty()
        || !failures.is_empty()
        || (!ws.diagnostics.is_empty() && summaries.is_empty());
    ws.diagnostics.extend(first_failure_per_rule(&failures));
    ws.diagnostics.extend(early);
    ws.diagnostics.sort();
    ws.diagnostics.dedup();
    if blocked {
        let problems = std::mem::take(&mut ws.diagnostics);
        return input_errors(&ws, &outputs, &problems, &base);
    }
    // Only scope files are broken: they are reported with the other scopes' findings.
    let problems: Vec<Diagnostic> = ws.diagnostics.iter().map(|d| base.diagnostic(d)).collect();
    // Sorted in place: a stable sort would copy half the list aside. Both orders are total
    // (scope ids are unique, since a second definition is not assessed, and a scope's findings
    // are distinct in their report order: `assess_scope` drops repeated fingerprints), so an
    // unstable sort gives the same order.
    summaries.sort_unstable_by(|a, b| a.scope.cmp(&b.scope));
    findings.sort_unstable_by(Finding::report_order);
    let failing = findings
        .iter()
        .filter(|f| f.fails_gate(gate.severity(), baseline.as_ref()))
        .count();
    let as_of_text = as_of.to_string();
    // A baseline is a snapshot of every finding: not written while a scope could not be
    // assessed (its findings would be missing from it).
    if let Some(file) = args.write_baseline.as_deref().filter(|_| problems.is_empty()) {
        write_file(file, crate::assess::baseline::write(&findings).as_bytes())?;
        terminal::eprintln(&format!(
            "wrote the baseline {} ({}){}",
            crate::fs::input::display_path(file),
            emit::count(findings.len(), "finding"),
            if args.fail_on.is_none() {
                "; writing a baseline is not a gate: exit 0 (add --fail-on LEVEL to gate this run too)"
            } else {
                ""
            }
        ));
    }
    // Files get every finding; --quiet and --severity shape standard output only.
    let complete = Listing::of(&findings, &summaries, baseline.as_ref(), gate, None, false);
    let display = Listing::of(
        &findings,
        &summaries,
        baseline.as_ref(),
        gate,
        args.severity,
        args.quiet,
    );
    let report = |listing| Listing::report(listing, &as_of_text, gate, failing, &debt, &unassigned, &problems);
    let (complete_report, display_report) = (report(&complete), report(&display));
    let path_shown = crate::fs::input::display_path(path);
    let run = |shown, report| emit::report::CheckRun {
        path_shown: &path_shown,
        report,
        shown,
        all: &findings,
        summaries: &summaries,
        overrides: &overrides,
        baseline: baseline.as_ref(),
        gate: gate.severity(),
    };
    let to_file = run(&complete.shown, &complete_report);
    let to_stdout = run(&display.shown, &display_report);
    for (format, file) in outputs.all() {
        match file {
            Some(file) => {
                let mut bytes = Vec::new();
                write(&to_file, format, &mut bytes, false)?;
                write_file(file, &bytes)?;
            }
            None => write(
                &to_stdout,
                format,
                &mut terminal::Stdout::lock(),
                terminal::stdout_colour(),
            )?,
        }
    }
    step_summary(|out| write(&to_file, CheckFormat::Markdown, out, false))?;
    if !problems.is_empty() {
        // The broken files' problems, with their source, on standard error; exit 2.
        let problems = std::mem::take(&mut ws.diagnostics);
        return Err(Failure::Input(format!(
            "{}\nerror: {}; the {} assessed{}\n",
            rendered(&ws, &problems, &base),
            counted(problems.len(), "problem in the input", "problems in the input"),
            counted(summaries.len(), "other scope was", "other scopes were"),
            if args.write_baseline.is_some() {
                "; the baseline was not written"
            } else {
                ""
            },
        ))
        .into());
    }
    Ok(if failing > 0 { 1 } else { 0 })
}

/// Room in `findings` for `more` now and for the scope files not yet assessed at the rate
/// seen so far (findings per scope file, with a sixteenth to spare): at 10,000 scopes, a
/// list that doubles as it fills holds up to twice the findings, and three times while it
/// is copied into the next. A portfolio that finds more later grows it again.
fn reserve_for_the_rest(findings: &mut Vec<Finding>, more: usize, files_done: usize, total: usize) {
    let found = findings.len() + more;
    let expected = found.saturating_mul(total) / files_done.max(1);
    let wanted = expected.max(found);
    if wanted > findings.capacity() {
        findings.reserve_exact(wanted + wanted / 16 - findings.len());
    }
}

/// Every path of a batch as reported, from the folder ctrlmap runs in (see [`PathBase`]).
/// A file that many findings and summaries share is rewritten once and stays shared.
fn shown_from_here(batch: &mut assess::portfolio::Batch, base: &PathBase) {
    let mut shown: std::collections::HashMap<std::sync::Arc<str>, std::sync::Arc<str>> = Default::default();
    let mut show = |file: &std::sync::Arc<str>| {
        std::sync::Arc::clone(
            shown
                .entry(std::sync::Arc::clone(file))
                .or_insert_with(|| base.show(file).into()),
        )
    };
    for s in &mut batch.summaries {
        s.file = show(&s.file);
    }
    for f in &mut batch.findings {
        f.file = show(&f.file);
        if let Some(w) = &mut f.waived {
            w.file = base.show(&w.file);
        }
    }
}

/// What one destination shows of the findings: everything (a file), or what `--severity`
/// and `--quiet` leave (standard output). Neither changes the gate. Borrows the run's findings
/// and summaries; only what a flag or a baseline changes is a list of its own (at 10,000
/// scopes, copying every finding and summary for each destination was most of the peak
/// memory).
struct Listing<'a> {
    /// After `--severity` and `--quiet`, for the formats that mark baselined findings
    /// instead of leaving them out (SARIF, annotations, GitLab).
    shown: std::borrow::Cow<'a, [Finding]>,
    /// What the text, Markdown and JSON reports list when it differs from `shown`: with a
    /// baseline, only what is new.
    new_only: Option<Vec<Finding>>,
    /// With a baseline: how many findings it holds that the run found.
    baselined: Option<usize>,
    /// The scope summaries, with a baseline counting only the new findings.
    summaries: std::borrow::Cow<'a, [assess::portfolio::ScopeSummary]>,
    /// Findings left out of the list by the display flags.
    hidden: usize,
    quiet: bool,
}

impl<'a> Listing<'a> {
    /// What the text, Markdown and JSON reports list.
    fn listed(&self) -> &[Finding] {
        self.new_only.as_deref().unwrap_or(&self.shown)
    }

    /// The report of this listing.
    fn report<'r>(
        &'r self,
        as_of: &'r str,
        gate: Gate,
        failing: usize,
        debt: &'r crate::assess::waivers::WaiverDebt,
        unassigned: &'r std::collections::BTreeMap<String, usize>,
        problems: &'r [Diagnostic],
    ) -> emit::CheckReport<'r> {
        emit::CheckReport {
            as_of,
            fail_on: gate.name(),
            scopes: &self.summaries,
            findings: self.listed(),
            failing,
            baselined: self.baselined,
            debt,
            unassigned,
            quiet: self.quiet,
            hidden: self.hidden,
            problems,
        }
    }

    fn of(
        findings: &'a [Finding],
        summaries: &'a [assess::portfolio::ScopeSummary],
        baseline: Option<&crate::assess::baseline::Baseline>,
        gate: Gate,
        severity: Option<Shown>,
        quiet: bool,
    ) -> Listing<'a> {
        use std::borrow::Cow;
        let in_baseline = |f: &Finding| baseline.is_some_and(|b| b.contains(f));
        let keep = |f: &&Finding| {
            severity.is_none_or(|s| f.severity >= s.severity()) && (!quiet || f.fails_gate(gate.severity(), baseline))
        };
        let shown: Cow<[Finding]> = if findings.iter().all(|f| keep(&f)) {
            Cow::Borrowed(findings)
        } else {
            Cow::Owned(findings.iter().filter(keep).cloned().collect())
        };
        // With a baseline, the human and JSON reports list only the findings not in it (and
        // count the others); SARIF, JUnit and annotations mark them instead.
        let (new_only, baselined, listed_summaries) = match baseline {
            Some(b) => {
                let new_findings: Vec<Finding> = shown.iter().filter(|f| !b.contains(f)).cloned().collect();
                let mut by_scope: std::collections::HashMap<&str, Vec<&Finding>> = Default::default();
                for f in findings.iter().filter(|f| !b.contains(f)) {
                    by_scope.entry(&*f.scope).or_default().push(f);
                }
                let summaries: Vec<assess::portfolio::ScopeSummary> = summaries
                    .iter()
                    .map(|s| s.counting(by_scope.remove(&*s.scope).unwrap_or_default()))
                    .collect();
                let in_baseline = findings.iter().filter(|f| b.contains(f)).count();
                (Some(new_findings), Some(in_baseline), Cow::Owned(summaries))
            }
            None => (None, None, Cow::Borrowed(summaries)),
        };
        let not_in_baseline = findings.iter().filter(|f| !in_baseline(f)).count();
        let listed = new_only.as_ref().map_or(shown.len(), Vec::len);
        Listing {
            hidden: not_in_baseline - listed,
            shown,
            new_only,
            baselined,
            summaries: listed_summaries,
            quiet,
        }
    }
}

/// On GitHub Actions (`$GITHUB_STEP_SUMMARY` set), append the complete Markdown report to
/// the job's summary, as other scanners do, whatever the format asked.
fn step_summary(write: impl FnOnce(&mut dyn std::io::Write) -> Result<()>) -> Result<()> {
    let Some(file) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|f| !f.is_empty()) else {
        return Ok(());
    };
    let mut bytes = Vec::new();
    write(&mut bytes)?;
    append(std::path::Path::new(&file), &bytes)
}

/// Append to a file (the job summary is one file that every step adds to).
fn append(file: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use anyhow::Context as _;
    use std::io::Write as _;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .with_context(|| {
            format!(
                "appending to $GITHUB_STEP_SUMMARY ({})",
                crate::fs::input::display_path(file)
            )
        })?;
    f.write_all(bytes).and_then(|()| f.write_all(b"\n")).with_context(|| {
        format!(
            "appending to $GITHUB_STEP_SUMMARY ({})",
            crate::fs::input::display_path(file)
        )
    })
}

/// Problems that must stop the run before any report is written (an output that would
/// replace another output or an input): on standard error only, exit 2.
fn nothing_written(ws: &Loaded, mut problems: Vec<Diagnostic>, base: &PathBase) -> anyhow::Error {
    problems.sort();
    problems.dedup();
    Failure::Input(format!(
        "{}\nerror: {}; nothing was assessed and no report was written\n",
        rendered(ws, &problems, base),
        counted(problems.len(), "problem", "problems")
    ))
    .into()
}

/// `--scope ID` that no scope has: the closest ids, or the list when it is short.
fn unknown_scope(id: &str, ids: &[String]) -> Diagnostic {
    let near = crate::model::diagnostic::closest(id, ids.iter().map(String::as_str), 3);
    let help = match near.first() {
        Some(best) => format!(
            "did you mean `{best}`? Closest ids: {}",
            near.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        ),
        None if ids.len() <= 10 => format!(
            "the workspace's scopes: {}",
            ids.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        ),
        None => "give the `id:` of a scope file (`ctrlmap check` without --scope lists them)".to_string(),
    };
    Diagnostic::on_command_line(
        Code::E022,
        format!("--scope `{id}`: no scope of the workspace has this id"),
        help,
    )
}

/// Write one report of a run in a format.
fn write(
    run: &emit::report::CheckRun<'_>,
    format: CheckFormat,
    out: &mut dyn std::io::Write,
    colour: bool,
) -> Result<()> {
    format.report().findings(run, out, colour)?;
    out.flush()?;
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_get_room_for_the_rest_of_the_portfolio_at_the_rate_seen() {
        let mut findings: Vec<Finding> = Vec::new();
        // 64 of 1,000 scope files gave 120 findings: room for about 1,875 (and a sixteenth).
        reserve_for_the_rest(&mut findings, 120, 64, 1000);
        assert!(
            (1875..=1875 + 1875 / 16).contains(&findings.capacity()),
            "{}",
            findings.capacity()
        );
    }
}
