//! Assess: findings from a resolved matrix. A pure function; no I/O.
//!
//! Each rule has a stable code that never changes meaning, a default severity, and a
//! message that says what to do.

use crate::load::Workspace;
use crate::model::{AddressableDecision, Origin, Requirement, Scope};
use crate::resolve::{Coverage, Matrix, Row, SourceKind, Summary};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Info, Severity::Low, Severity::Medium, Severity::High, Severity::Critical].into_iter().find(|x| x.as_str() == s)
    }
}

/// A finding rule: stable code, name, default severity, one-line description.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub description: &'static str,
}

pub const RULES: &[Rule] = &[
    Rule {
        code: "CM001",
        name: "unassigned-control",
        severity: Severity::High,
        description: "An applicable control has no owner: no scope assignment, service, client-owned entry or crosswalk covers it.",
    },
    Rule {
        code: "CM002",
        name: "conflicting-assignments",
        severity: Severity::High,
        description: "Two sources at the same precedence level disagree about who owns a control.",
    },
    Rule {
        code: "CM003",
        name: "shared-duty-undefined",
        severity: Severity::Medium,
        description: "A shared control does not say what both the MSP and the client do.",
    },
    Rule {
        code: "CM004",
        name: "unjustified-not-applicable",
        severity: Severity::Medium,
        description: "A control is marked not applicable without a reason.",
    },
    Rule {
        code: "CM005",
        name: "hipaa-addressable-undocumented",
        severity: Severity::High,
        description: "A HIPAA addressable implementation specification is neither implemented nor documented with an alternative (45 CFR 164.306(d)(3)).",
    },
    Rule {
        code: "CM006",
        name: "crosswalk-partial-coverage",
        severity: Severity::Medium,
        description: "A regulation control is covered only partially, through CSF outcomes that intersect it; review and assign it explicitly.",
    },
];

pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.code == code)
}

/// One gap in one scope.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub scope: String,
    pub control: String,
    pub code: String,
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// Stable across runs: hash of code, scope, control and the rule's discriminator.
    pub fingerprint: String,
}

/// Severity overrides from `ctrlmap.yaml` and the command line; `None` turns a rule off.
pub type Overrides = BTreeMap<String, Option<Severity>>;

fn finding(scope: &Scope, row: Option<&Row>, control: &str, code: &str, message: String, at: &Origin, discriminator: &str, overrides: &Overrides) -> Option<Finding> {
    let rule = rule(code)?;
    let severity = match overrides.get(code) {
        Some(None) => return None,
        Some(Some(s)) => *s,
        None => rule.severity,
    };
    let _ = row;
    let fingerprint = crate::hash::sha256_hex(format!("{code}\u{1f}{}\u{1f}{control}\u{1f}{discriminator}", scope.id).as_bytes());
    Some(Finding {
        scope: scope.id.clone(),
        control: control.to_string(),
        code: code.to_string(),
        rule: rule.name.to_string(),
        severity,
        message,
        file: at.file.clone(),
        line: at.line,
        column: at.column,
        fingerprint: fingerprint[..16].to_string(),
    })
}

fn origin_of(file: &str, line: usize) -> Origin {
    Origin {
        file: file.to_string(),
        line,
        column: 1,
        pointer: String::new(),
    }
}

/// Findings for one scope, sorted.
pub fn assess(_ws: &Workspace, scope: &Scope, matrix: &Matrix, overrides: &Overrides) -> Vec<Finding> {
    let mut out = Vec::new();
    for row in &matrix.rows {
        let deciding = row.provenance.first();
        // CM002 — conflicting sources.
        if row.conflict {
            let sides: Vec<String> = row.conflicts.iter().map(|p| format!("{} ({}:{})", p.detail, p.file, p.line)).collect();
            let at = row.conflicts.last().map(|p| origin_of(&p.file, p.line)).unwrap_or_else(|| scope.origin.clone());
            out.extend(finding(
                scope,
                Some(row),
                &row.control,
                "CM002",
                format!("{} — sources disagree: {}. Decide who owns it with one scope assignment (assignments override services).", row.control, sides.join(" vs ")),
                &at,
                "",
                overrides,
            ));
            continue;
        }
        let addressable = row.requirement == Some(Requirement::Addressable);
        // CM005 — HIPAA addressable specification with no implementation and no documented decision.
        if addressable && row.summary != Summary::NotApplicable {
            let problem = match &row.addressable {
                None if row.summary == Summary::Unassigned => Some("is neither implemented (no owner) nor documented with an alternative".to_string()),
                Some(a) => match a.decision {
                    AddressableDecision::Implemented if row.summary == Summary::Unassigned => Some("is documented as implemented, but nobody is assigned to implement it".into()),
                    AddressableDecision::Alternative if blank(&a.alternative) || blank(&a.rationale) => Some("is documented as an alternative measure without both the `alternative` and the `rationale`".into()),
                    AddressableDecision::NotReasonable if blank(&a.rationale) => Some("is documented as not reasonable and appropriate without a `rationale`".into()),
                    _ => None,
                },
                None => None,
            };
            if let Some(problem) = problem {
                let at = row.addressable.as_ref().map(|a| origin_of(&a.file, a.line)).unwrap_or_else(|| scope.origin.clone());
                out.extend(finding(
                    scope,
                    Some(row),
                    &row.control,
                    "CM005",
                    format!(
                        "HIPAA addressable specification {} ({}) {problem}. Under 45 CFR 164.306(d)(3) implement it, or document why it is not reasonable and appropriate and implement an equivalent alternative if reasonable: add an `addressable:` entry to the scope and assign an owner.",
                        row.control, row.title
                    ),
                    &at,
                    "",
                    overrides,
                ));
                continue;
            }
        }
        // CM001 — unassigned leaf.
        if row.assignable && row.summary == Summary::Unassigned {
            let documented = row.addressable.as_ref().is_some_and(|a| a.decision != AddressableDecision::Implemented);
            if !documented {
                out.extend(finding(
                    scope,
                    Some(row),
                    &row.control,
                    "CM001",
                    format!(
                        "{} ({}) applies to {} but nobody owns it. Subscribe a service that covers it, add a scope assignment, list it under `client_owned`, or mark it `not_applicable` with a reason.",
                        row.control,
                        short(&row.title),
                        scope.client.name
                    ),
                    &scope.origin,
                    "",
                    overrides,
                ));
            }
        }
        // CM003 — shared without both duties (only where a source decided it directly).
        if row.summary == Summary::Shared
            && deciding.is_some_and(|p| matches!(p.kind, SourceKind::Assignment | SourceKind::Service))
        {
            let missing: Vec<&str> = ["msp", "client"].into_iter().filter(|p| row.duties.get(*p).is_none_or(|d| d.is_empty())).collect();
            if !missing.is_empty()
                && let Some(p) = deciding
            {
                out.extend(finding(
                    scope,
                    Some(row),
                    &row.control,
                    "CM003",
                    format!("{} is shared, but the {} duty is not written down. Say in plain words what each side does (`msp:` and `client:`).", row.control, missing.join(" and ")),
                    &origin_of(&p.file, p.line),
                    &missing.join(","),
                    overrides,
                ));
            }
        }
        // CM006 — only partial coverage through the crosswalk.
        if row.assignable && row.coverage == Coverage::Partial && deciding.is_some_and(|p| p.kind == SourceKind::Crosswalk) {
            let at = deciding.map(|p| origin_of(&p.file, p.line)).unwrap_or_else(|| scope.origin.clone());
            out.extend(finding(
                scope,
                Some(row),
                &row.control,
                "CM006",
                format!(
                    "{} ({}) is covered only partially: the CSF 2.0 outcomes that cover it only intersect it. Review what the regulation asks beyond them and assign it explicitly (a scope assignment or a service claim).",
                    row.control,
                    short(&row.title)
                ),
                &at,
                "",
                overrides,
            ));
        }
    }
    // CM004 — not applicable without a reason.
    for n in scope.not_applicable.iter().flatten() {
        if blank(&n.reason) {
            out.extend(finding(
                scope,
                matrix.row(&n.control),
                &n.control,
                "CM004",
                format!("{} is marked not applicable without a reason. Write why (`reason:`), so an auditor can accept it.", n.control),
                &n.origin,
                "",
                overrides,
            ));
        }
    }
    out.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.control.cmp(&b.control)).then_with(|| a.code.cmp(&b.code)));
    out.dedup();
    out
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn short(title: &str) -> String {
    if title.chars().count() > 80 {
        let cut: String = title.chars().take(77).collect();
        format!("{cut}…")
    } else {
        title.to_string()
    }
}
