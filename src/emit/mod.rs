//! Emit: turn matrices and findings into text, Markdown, CSV and JSON. Every output is
//! sorted and carries no timestamps of its own, so the same inputs give the same bytes.

pub(crate) mod archive;
pub mod csv_out;
pub mod diagnostics;
pub mod diff;
pub mod documents;
pub mod editor_schema;
pub mod escape;
pub mod explain;
pub mod frameworks;
pub mod github;
pub mod gitlab;
pub mod junit;
pub mod oscal;
pub mod output;
pub mod pack;
pub mod report;
pub mod sarif;
pub mod terminal;

use crate::assess::portfolio::{ScopeSummary, SeverityCounts};
use crate::assess::waivers::WaiverDebt;
use crate::assess::{Finding, Severity};
use crate::model::Party;
use crate::resolve::{Matrix, Row, Summary};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Version of the JSON shapes below; bumped on any breaking change.
pub const JSON_VERSION: &str = "1";

#[derive(Serialize)]
struct CheckJson<'a> {
    version: &'static str,
    tool: &'static str,
    tool_version: &'static str,
    as_of: &'a str,
    fail_on: &'a str,
    passed: bool,
    /// Input problems of the scopes that could not be assessed (the others are).
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<serde_json::Value>,
    scopes: &'a [ScopeSummary],
    findings: &'a [Finding],
    /// With `--baseline`: how many findings matched the baseline (they are not listed).
    #[serde(skip_serializing_if = "Option::is_none")]
    baselined: Option<usize>,
    waivers: &'a WaiverDebt,
    /// Across clients: the controls most often unassigned, most frequent first.
    most_unassigned: Vec<Unassigned>,
}

/// What a `check` reports, whatever the format.
pub struct CheckReport<'a> {
    pub as_of: &'a str,
    pub fail_on: &'a str,
    pub scopes: &'a [ScopeSummary],
    /// The findings to list (with `--baseline`, only those not in it).
    pub findings: &'a [Finding],
    /// Findings at or above the gate, not waived and not in the baseline.
    pub failing: usize,
    /// With `--baseline`: how many findings matched it.
    pub baselined: Option<usize>,
    pub debt: &'a WaiverDebt,
    pub unassigned: &'a BTreeMap<String, usize>,
    /// `--quiet`: people's reports show only the listed findings and the verdict.
    pub quiet: bool,
    /// Findings left out of the list by `--quiet` or `--severity` (still counted by the gate).
    pub hidden: usize,
    /// Input problems of scope files that could not be assessed: the report covers the other
    /// scopes, and the run fails (exit 2) whatever the findings.
    pub problems: &'a [crate::model::diagnostic::Diagnostic],
}

/// "1 finding", "2 findings": a count with its noun in the right number.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// [`counted`] for nouns whose plural adds an `s`.
pub fn count(n: usize, noun: &str) -> String {
    counted(n, noun, &format!("{noun}s"))
}

impl CheckReport<'_> {
    /// Whether the run passes: nothing fails the gate and every input was assessed.
    pub fn passed(&self) -> bool {
        self.failing == 0 && self.problems.is_empty()
    }

    /// The verdict line's start when some scopes could not be assessed, e.g.
    /// `1 problem in the input (its scope is not assessed); `.
    fn problems_line(&self) -> String {
        match self.problems.len() {
            0 => String::new(),
            n => format!(
                "{} (not assessed: {}); ",
                counted(n, "problem in the input", "problems in the input"),
                self.unassessed().join(", ")
            ),
        }
    }

    /// The files whose problems kept them from being assessed, sorted.
    fn unassessed(&self) -> Vec<String> {
        let files: std::collections::BTreeSet<&str> = self
            .problems
            .iter()
            .map(|d| {
                if d.file.is_empty() {
                    "the command line"
                } else {
                    d.file.as_str()
                }
            })
            .collect();
        files.into_iter().map(str::to_string).collect()
    }

    /// "N findings", or with a baseline "N new findings (M in the baseline, not listed)".
    fn count_line(&self) -> String {
        let shown = match self.baselined {
            None => count(self.findings.len(), "finding"),
            Some(b) => format!(
                "{} ({b} in the baseline, not listed)",
                count(self.findings.len(), "new finding")
            ),
        };
        match self.hidden {
            0 => shown,
            n => format!("{shown} shown ({n} more not shown: --quiet or --severity)"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Unassigned {
    pub control: String,
    pub scopes: usize,
}

/// The controls most often unassigned across the portfolio (ties by control id).
pub fn most_unassigned(counts: &BTreeMap<String, usize>, n: usize) -> Vec<Unassigned> {
    let mut v: Vec<Unassigned> = counts
        .iter()
        .map(|(c, k)| Unassigned {
            control: c.clone(),
            scopes: *k,
        })
        .collect();
    v.sort_by(|a, b| b.scopes.cmp(&a.scopes).then_with(|| a.control.cmp(&b.control)));
    v.truncate(n);
    v
}

/// Write the gap report as JSON. Streamed to `out`: a portfolio's report is never held in
/// memory a second time as text.
pub fn write_check_json(out: impl std::io::Write, r: &CheckReport) -> std::io::Result<()> {
    let doc = CheckJson {
        version: JSON_VERSION,
        tool: "ctrlmap",
        tool_version: env!("CARGO_PKG_VERSION"),
        as_of: r.as_of,
        fail_on: r.fail_on,
        passed: r.passed(),
        errors: (!r.problems.is_empty()).then(|| diagnostics::errors_json(r.problems)),
        scopes: r.scopes,
        findings: r.findings,
        baselined: r.baselined,
        waivers: r.debt,
        most_unassigned: most_unassigned(r.unassigned, 10),
    };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &doc)?;
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)
}

fn sev_counts(findings: &SeverityCounts, waived: usize) -> String {
    let parts: Vec<String> = findings.iter().map(|(s, n)| format!("{n} {}", s.as_str())).collect();
    let total = findings.total();
    match (parts.is_empty(), waived) {
        (true, _) => "no findings".into(),
        (false, 0) => parts.join(", "),
        (false, w) if w == total => format!("{} (waived)", parts.join(", ")),
        (false, w) => format!("{} ({w} of them waived)", parts.join(", ")),
    }
}

fn debt_line(debt: &WaiverDebt) -> Option<String> {
    (debt.count > 0).then(|| {
        format!(
            "waiver debt: {}, {} expiring within 30 days{}{}",
            count(debt.count, "waived finding"),
            debt.expiring_within_30_days,
            debt.oldest
                .as_deref()
                .map(|o| format!("; oldest: {o}"))
                .unwrap_or_default(),
            match debt.undated {
                0 => String::new(),
                n => format!("; {n} without a grant date (`granted`)"),
            }
        )
    })
}

/// The text report. Every user-written value is put on its line with
/// [`escape::terminal_line`] (line breaks folded, control characters shown), so with colour
/// on, the only escape sequences are ctrlmap's own.
pub fn check_text(r: &CheckReport, color: bool) -> String {
    use escape::terminal_line as t;
    let (scopes, findings, failing, fail_on) = (r.scopes, r.findings, r.failing, r.fail_on);
    use anstyle::{AnsiColor, Style};
    let bold = Style::new().bold();
    let red = AnsiColor::Red.on_default().bold();
    let paint = |style: Style, s: &str| terminal::paint(color, style, s);
    let mut out = String::new();
    let mut by_scope: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in findings {
        by_scope.entry(&*f.scope).or_default().push(f);
    }
    let sev_of = |f: &Finding| match f.severity {
        Severity::Critical | Severity::High => paint(red, f.severity.as_str()),
        Severity::Medium => paint(AnsiColor::Yellow.on_default(), f.severity.as_str()),
        _ => paint(AnsiColor::Cyan.on_default(), f.severity.as_str()),
    };
    if r.quiet {
        for f in findings {
            let _ = writeln!(
                out,
                "{}: {}:{}:{}: {}[{}] {}",
                t(&f.scope),
                t(&f.file),
                f.line,
                f.column,
                sev_of(f),
                t(&f.code),
                t(&f.message)
            );
        }
    }
    // One block per client: its summary, then its findings, most severe first. When clients
    // take packages, they are grouped by package (the clients without one last).
    let grouped = scopes.iter().any(|s| s.package.is_some());
    let mut order: Vec<&ScopeSummary> = scopes.iter().collect();
    if grouped {
        order.sort_by(|a, b| {
            (a.package.is_none(), &a.package, &a.scope).cmp(&(b.package.is_none(), &b.package, &b.scope))
        });
    }
    let mut group: Option<Option<&str>> = None;
    for s in order.into_iter().filter(|_| !r.quiet) {
        if grouped && group != Some(s.package.as_deref()) {
            group = Some(s.package.as_deref());
            let members: Vec<&ScopeSummary> = scopes.iter().filter(|x| x.package == s.package).collect();
            let mut findings = SeverityCounts::default();
            for m in &members {
                for (sev, n) in m.findings.iter() {
                    findings.add(sev, n);
                }
            }
            let waived = members.iter().map(|m| m.waived).sum();
            let label = match &s.package {
                Some(id) => format!("package `{}`", t(id)),
                None => "no package".to_string(),
            };
            let _ = writeln!(
                out,
                "{} — findings: {}",
                paint(bold, &format!("{label}: {}", count(members.len(), "client"))),
                sev_counts(&findings, waived)
            );
            let _ = writeln!(out);
        }
        let c = &s.controls;
        let _ = writeln!(out, "{} — {} ({})", paint(bold, &t(&s.client)), t(&s.scope), t(&s.file));
        let _ = writeln!(out, "  frameworks: {}", t(&s.frameworks.join(", ")));
        for x in s.frameworks_not_applicable.iter() {
            let _ = writeln!(
                out,
                "  not applicable: {} ({}): {}",
                t(&x.id),
                t(&x.citation),
                t(&x.reason)
            );
        }
        let _ = writeln!(
            out,
            "  controls:   {} MSP · {} client · {} shared · {} third party · {} unassigned · {} N/A",
            c[Summary::Msp],
            c[Summary::Client],
            c[Summary::Shared],
            c[Summary::ThirdParty],
            c[Summary::Unassigned],
            c[Summary::NotApplicable]
        );
        let _ = writeln!(out, "  findings:   {}", sev_counts(&s.findings, s.waived));
        for f in by_scope.get(&*s.scope).into_iter().flatten() {
            let sev = sev_of(f);
            let waived = match &f.waived {
                Some(w) => format!(
                    " [waived until {} by {}, {}]",
                    t(&w.expires),
                    t(&w.approver),
                    t(&w.ticket)
                ),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "    {}:{}:{}: {sev}[{}] {}{waived}",
                t(&f.file),
                f.line,
                f.column,
                t(&f.code),
                t(&f.message)
            );
        }
        let _ = writeln!(out);
    }
    if let Some(line) = debt_line(r.debt).filter(|_| !r.quiet) {
        let _ = writeln!(out, "{}", t(&line));
    }
    if scopes.len() > 1 && !r.quiet {
        let top = most_unassigned(r.unassigned, 5);
        if !top.is_empty() {
            let list: Vec<String> = top
                .iter()
                .map(|u| format!("{} ({})", t(&u.control), count(u.scopes, "client")))
                .collect();
            let _ = writeln!(out, "most often unassigned: {}", list.join(", "));
        }
    }
    let verdict = if r.passed() {
        paint(AnsiColor::Green.on_default().bold(), "passed")
    } else {
        paint(red, "failed")
    };
    let _ = writeln!(
        out,
        "{verdict}: {}{}, {}, {failing} at or above `{fail_on}`",
        t(&r.problems_line()),
        count(scopes.len(), "scope"),
        r.count_line()
    );
    out
}

pub fn check_markdown(r: &CheckReport) -> String {
    use escape::md_cell as m;
    let (scopes, findings, failing, fail_on) = (r.scopes, r.findings, r.failing, r.fail_on);
    let mut out = String::new();
    let verdict = match (r.problems.is_empty(), failing) {
        (false, _) => "❌ input errors",
        (true, 0) => "✅ passed",
        (true, _) => "❌ failed",
    };
    let _ = writeln!(out, "## ctrlmap check: {verdict}\n");
    let _ = writeln!(
        out,
        "{}{}, {}, {failing} at or above `{fail_on}`.\n",
        m(&r.problems_line()),
        count(scopes.len(), "scope"),
        r.count_line()
    );
    if !r.problems.is_empty() {
        out.push_str(&diagnostics::problem_table(r.problems));
        out.push('\n');
    }
    if let Some(line) = debt_line(r.debt).filter(|_| !r.quiet) {
        let _ = writeln!(out, "{}\n", m(&line));
    }
    if !r.quiet {
        let _ = writeln!(
            out,
            "| Client | Scope | Frameworks | MSP | Client | Shared | Third party | Unassigned | N/A | Findings |"
        );
        let _ = writeln!(out, "|---|---|---|---:|---:|---:|---:|---:|---:|---|");
    }
    for s in scopes.iter().filter(|_| !r.quiet) {
        let c = &s.controls;
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} | {} | {} | {} | {} |",
            m(&s.client),
            m(&s.scope),
            m(&s.frameworks.join(", ")),
            c[Summary::Msp],
            c[Summary::Client],
            c[Summary::Shared],
            c[Summary::ThirdParty],
            c[Summary::Unassigned],
            c[Summary::NotApplicable],
            m(&sev_counts(&s.findings, s.waived))
        );
    }
    let top = most_unassigned(r.unassigned, 10);
    if scopes.len() > 1 && !top.is_empty() && !r.quiet {
        let _ = writeln!(out, "\n### Most often unassigned\n");
        let _ = writeln!(out, "| Control | Clients |\n|---|---:|");
        for u in &top {
            let _ = writeln!(out, "| `{}` | {} |", m(&u.control), u.scopes);
        }
    }
    if !findings.is_empty() {
        let _ = writeln!(out, "\n### Findings\n");
        let _ = writeln!(out, "| Severity | Code | Scope | Control | Message | Location |");
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for f in findings {
            let sev = f.severity_label();
            let _ = writeln!(
                out,
                "| {sev} | {} | {} | `{}` | {} | {}:{} |",
                f.code,
                m(&f.scope),
                m(&f.control),
                m(&f.message),
                m(&f.file),
                f.line
            );
        }
    }
    out
}

fn party_label(p: &str) -> String {
    match p {
        "msp" => "MSP".into(),
        "client" => "Client".into(),
        other => other.to_string(),
    }
}

fn duties_of(row: &Row, party: &Party) -> String {
    row.duties.get(party).map(|d| d.join(" ")).unwrap_or_default()
}

fn third_party_duties(row: &Row) -> String {
    row.duties
        .iter()
        .filter(|(p, _)| p.is_third())
        .map(|(p, d)| format!("{p}: {}", d.join(" ")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Where a source is, for people: `file:line`, or, for a file built into ctrlmap (which a
/// user cannot open), what shows it: the catalog and crosswalk rows of a control are shown by
/// `ctrlmap frameworks show CONTROL`.
pub fn place(file: &str, line: usize, control: &str) -> String {
    match file.strip_prefix("<builtin>/") {
        Some(rel) if rel.starts_with("frameworks/") => {
            format!("the built-in catalog: `ctrlmap frameworks show {control}`")
        }
        Some(rel) => format!("ctrlmap's built-in {rel}, line {line}"),
        None => format!("{file}:{line}"),
    }
}

/// The sources of a row in one cell: each with its place, for people (`human`) or as
/// `file:line` (CSV, where a program may read it).
fn provenance_line(row: &Row, human: bool) -> String {
    row.provenance
        .iter()
        .map(|p| {
            let at = if human {
                place(&p.file, p.line, &row.control)
            } else {
                format!("{}:{}", p.file, p.line)
            };
            format!("{} ({at})", p.detail)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn matrix_text(m: &Matrix) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Responsibility matrix — {} ({})", m.client, m.scope);
    for x in &m.frameworks_not_applicable {
        let _ = writeln!(out, "not applicable: {} — {}", x.id, x.sentence());
    }
    for fw in &m.frameworks {
        let _ = writeln!(out, "\n{} — {} [{}]", fw.id, fw.title, fw.version);
        for r in m.rows.iter().filter(|r| *r.framework == *fw.id) {
            let indent = "  ".repeat(r.depth);
            let flag = match r.requirement {
                Some(crate::model::Requirement::Required) => " (R)",
                Some(crate::model::Requirement::Addressable) => " (A)",
                None => "",
            };
            let cov = if r.coverage == crate::resolve::Coverage::Partial {
                " partial"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{indent}{:<14} {}{flag} — {}{cov}",
                r.summary.label(),
                r.id,
                one_line(&r.title, 70)
            );
        }
    }
    out
}

fn one_line(s: &str, max: usize) -> String {
    crate::model::text::shorten(&s.split_whitespace().collect::<Vec<_>>().join(" "), max)
}

pub fn matrix_markdown(m: &Matrix) -> String {
    use escape::md_cell as c;
    let mut out = String::new();
    let _ = writeln!(out, "# Responsibility matrix: {}\n", c(&m.client));
    let _ = writeln!(out, "Scope `{}`.\n", c(&m.scope));
    if !m.frameworks_not_applicable.is_empty() {
        let _ = writeln!(out, "Frameworks that do not apply:\n");
        for x in &m.frameworks_not_applicable {
            let _ = writeln!(out, "- `{}`: {}", c(&x.id), c(&x.sentence()));
        }
        out.push('\n');
    }
    for fw in &m.frameworks {
        let _ = writeln!(out, "## {} ({})\n", c(&fw.title), c(&fw.version));
        let _ = writeln!(
            out,
            "| Control | Title | R/A | Owner | Responsible | Accountable | MSP duties | Client duties | Third-party duties | Decided by |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
        for r in m.rows.iter().filter(|r| *r.framework == *fw.id) {
            let ra = match r.requirement {
                Some(crate::model::Requirement::Required) => "R",
                Some(crate::model::Requirement::Addressable) => "A",
                None => "",
            };
            let owner = match (r.summary, r.coverage) {
                (s, crate::resolve::Coverage::Partial) => format!("{} (partial)", s.label()),
                (Summary::NotApplicable, _) => format!("N/A: {}", r.reason.as_deref().unwrap_or_default()),
                (s, _) => s.label().to_string(),
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {ra} | {} | {} | {} | {} | {} | {} | {} |",
                c(&r.id),
                c(&one_line(&r.title, 120)),
                c(&owner),
                c(&r.responsible
                    .iter()
                    .map(|p| party_label(p))
                    .collect::<Vec<_>>()
                    .join(", ")),
                c(&party_label(&r.accountable)),
                c(&duties_of(r, &Party::Msp)),
                c(&duties_of(r, &Party::Client)),
                c(&third_party_duties(r)),
                c(&provenance_line(r, true)),
            );
        }
        out.push('\n');
    }
    out
}

pub fn matrix_csv(m: &Matrix) -> String {
    let header = [
        "scope",
        "client",
        "control",
        "framework",
        "id",
        "title",
        "level",
        "requirement",
        "summary",
        "coverage",
        "responsible",
        "accountable",
        "consulted",
        "informed",
        "msp_duties",
        "client_duties",
        "third_party_duties",
        "evidence",
        "reason",
        "applicability",
        "candidates",
        "provenance",
    ];
    let rows = m.rows.iter().map(|r| {
        vec![
            m.scope.clone(),
            m.client.clone(),
            r.control.to_string(),
            r.framework.to_string(),
            r.id.to_string(),
            r.title.to_string(),
            r.level.to_string(),
            r.requirement.map(|x| <&str>::from(x).to_string()).unwrap_or_default(),
            r.summary.as_str().to_string(),
            <&str>::from(r.coverage).to_string(),
            r.responsible.join("; "),
            r.accountable.to_string(),
            r.consulted.join("; "),
            r.informed.join("; "),
            duties_of(r, &Party::Msp),
            duties_of(r, &Party::Client),
            third_party_duties(r),
            r.evidence.join("; "),
            r.reason.clone().unwrap_or_default(),
            r.applicability.clone().unwrap_or_default(),
            r.candidates.iter().map(|c| c.describe()).collect::<Vec<_>>().join("; "),
            provenance_line(r, false),
        ]
    });
    csv_out::write(&header, rows)
}

#[derive(Serialize)]
struct MatrixJson<'a> {
    version: &'static str,
    #[serde(flatten)]
    matrix: &'a Matrix,
}

pub fn matrix_json(m: &Matrix) -> String {
    serde_json::to_string_pretty(&MatrixJson {
        version: JSON_VERSION,
        matrix: m,
    })
    .unwrap_or_default()
        + "\n"
}

/// Keep only the rows of one framework.
pub fn filter_framework(m: &Matrix, framework: &str) -> Matrix {
    Matrix {
        scope: m.scope.clone(),
        client: m.client.clone(),
        frameworks: m.frameworks.iter().filter(|f| f.id == framework).cloned().collect(),
        frameworks_not_applicable: Vec::new(),
        rows: m.rows.iter().filter(|r| &*r.framework == framework).cloned().collect(),
        stale: m
            .stale
            .iter()
            .filter(|d| d.control.starts_with(&format!("{framework}:")))
            .cloned()
            .collect(),
    }
}
