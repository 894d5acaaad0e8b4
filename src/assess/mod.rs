//! Assess: findings from a resolved matrix. A pure function; no I/O.
//!
//! Each rule has a stable code that never changes meaning, a default severity, and a
//! message that says what to do.

pub mod agreement;
pub mod baseline;
pub use crate::model::codes;
pub mod diff;
pub mod evidence;
pub mod implementation;
pub mod portfolio;
pub mod provider;
pub mod register;
pub mod registry;
pub mod rules;
pub mod waivers;

use crate::model::Workspace;
use crate::model::diagnostic::Diagnostic;
use crate::model::{AddressableDecision, Origin, Party, Requirement, Scope};
use crate::resolve::{Matrix, Row, SourceKind, Summary};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

pub use crate::model::Severity;
pub use crate::model::codes::{Rule, RuleCode, rule, rules};

/// One gap in one scope.
///
/// The texts are shared (`Arc<str>`, serialised as strings): a portfolio's findings repeat
/// the same scope, file, control, code, rule and message many times, and `check` keeps every
/// finding until the end of the run (see [`portfolio::SharedLists::share_findings`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub scope: Arc<str>,
    pub control: Arc<str>,
    pub code: Arc<str>,
    pub rule: Arc<str>,
    pub severity: Severity,
    pub message: Arc<str>,
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
    /// Stable across runs: hash of code, scope, control and the rule's discriminator.
    pub fingerprint: String,
    /// Set when a valid, unexpired waiver covers the finding: reported, but not gating.
    /// (Boxed: most findings have none, and a note is six strings.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waived: Option<Box<WaiverNote>>,
}

impl Finding {
    /// The finding as a text report cites it: `file:line:column: severity[CODE] message`,
    /// then `state` (e.g. ` [waived]`).
    pub fn cite(&self, state: &str) -> String {
        format!(
            "{}:{}:{}: {}[{}] {}{state}",
            self.file,
            self.line,
            self.column,
            self.severity.as_str(),
            self.code,
            self.message
        )
    }

    /// The gate predicate, the one every command uses (`check`, `diff`, JUnit, the
    /// counterparty documents): does this finding fail a gate at `gate` (`None`: nothing
    /// fails)? Only when no waiver covers it, it is at or above the gate, and `baseline`
    /// (when given) does not hold it.
    pub fn fails_gate(&self, gate: Option<Severity>, baseline: Option<&baseline::Baseline>) -> bool {
        self.waived.is_none()
            && gate.is_some_and(|min| self.severity >= min)
            && !baseline.is_some_and(|b| b.contains(self))
    }

    /// `high`, or `high (waived)` when a waiver covers it (for report tables).
    pub fn severity_label(&self) -> String {
        match self.waived {
            Some(_) => format!("{} (waived)", self.severity.as_str()),
            None => self.severity.as_str().to_string(),
        }
    }

    /// The order every report lists findings in: most severe first, then by scope,
    /// control, code and fingerprint (total, so output is deterministic).
    pub fn report_order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.scope.cmp(&b.scope))
            .then_with(|| a.control.cmp(&b.control))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.fingerprint.cmp(&b.fingerprint))
    }
}

/// The waiver that covers a finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct WaiverNote {
    pub justification: String,
    pub compensating: String,
    pub approver: String,
    pub ticket: String,
    pub expires: String,
    pub file: String,
    pub line: usize,
    /// Where the waiver's entry starts on its line (its first key).
    pub column: usize,
}

/// Severity overrides from `ctrlmap.yaml` and the command line; `None` turns a rule off.
pub type Overrides = BTreeMap<String, Option<Severity>>;

#[allow(clippy::too_many_arguments)]
fn finding(
    scope: &Scope,
    row: Option<&Row>,
    control: &str,
    code: RuleCode,
    message: String,
    at: &Origin,
    discriminator: &str,
    overrides: &Overrides,
) -> Option<Finding> {
    let rule = code.rule();
    let _ = row;
    make(
        scope,
        control,
        code.as_str(),
        rule.name,
        rule.severity,
        message,
        at,
        discriminator,
        overrides,
    )
}

/// Build a finding for any code (built-in or a pack's own), applying severity overrides.
#[allow(clippy::too_many_arguments)]
pub fn make(
    scope: &Scope,
    control: &str,
    code: &str,
    name: &str,
    default: Severity,
    message: String,
    at: &Origin,
    discriminator: &str,
    overrides: &Overrides,
) -> Option<Finding> {
    let severity = match overrides.get(code) {
        Some(None) => return None,
        Some(Some(s)) => *s,
        None => default,
    };
    let fingerprint = crate::model::digest::sha256_hex(
        format!("{code}\u{1f}{}\u{1f}{control}\u{1f}{discriminator}", scope.id).as_bytes(),
    );
    Some(Finding {
        scope: scope.id.as_str().into(),
        control: control.into(),
        code: code.into(),
        rule: name.into(),
        severity,
        message: message.into(),
        file: Arc::clone(&at.file),
        line: at.line,
        column: at.column,
        fingerprint: fingerprint[..16].to_string(),
        waived: None,
    })
}

/// Where an unowned row's finding points: the scope's `responsible: undecided` stub for the
/// control when it has one (the line a person edits), else the scope.
fn stub_or_scope(row: &Row, scope: &Scope) -> Origin {
    stub(row, scope).unwrap_or_else(|| scope.origin.clone())
}

/// The `responsible: undecided` stub of a row, if it has one.
fn stub(row: &Row, scope: &Scope) -> Option<Origin> {
    row.provenance
        .iter()
        .find(|p| p.kind == SourceKind::Default && (p.line, &*p.file) != (scope.origin.line, &*scope.origin.file))
        .map(|p| origin_of(&p.file, p.line))
}

pub(crate) fn origin_of(file: &str, line: usize) -> Origin {
    Origin {
        file: file.into(),
        line,
        column: 1,
        pointer: String::new(),
    }
}

/// Everything the engine decides about one scope, once, as of a date: the matrix, the findings
/// (waivers applied), the verdict on every evidence entry and on every deadline the MSP's notice
/// window is measured against. Every command, format and document renders this and decides
/// nothing of its own.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub as_of: String,
    pub matrix: Matrix,
    pub findings: Vec<Finding>,
    pub evidence: Vec<rules::EvidenceStatus>,
    /// Per matrix row with something on file, promised or required: the evidence that
    /// supports it and whether what is expected is on file.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub control_evidence: Vec<evidence::ControlEvidence>,
    /// Every waiver of the scope with where it stands on the as-of date.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<register::WaiverStatus>,
    pub notifications: Vec<rules::NotificationStatus>,
    /// Each matrix row's implementation state, per party, from the evidence verdicts above
    /// (what the OSCAL plans and assessment results state).
    #[serde(skip)]
    pub implementation: Vec<implementation::RowStatus>,
    /// The client's oversight of its service provider, point by point (NY DFS and GLBA
    /// scopes only): what the provider summary shows and CM018 reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<provider::ProviderReview>,
    /// Custom policy rules that failed while they were evaluated (E021): when any is here,
    /// the findings are incomplete and nothing may be reported as a result.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<Diagnostic>,
}

/// Resolve and assess one scope as of a date: the one path every command takes (`check`'s
/// portfolio batches too). Each decision is made once, in order, and read by what follows:
/// the matrix (with the frameworks that apply), the notification and evidence verdicts, the
/// provider review, then the findings raised from them.
pub fn assess_scope(ws: &Workspace, scope: &Scope, overrides: &Overrides, as_of: time::Date) -> Assessment {
    let matrix = crate::resolve::resolve(ws, scope);
    let evidence = rules::evidence_statuses(ws, scope, &frameworks_of(&matrix), as_of);
    let notifications = rules::notification_statuses(ws, scope, &matrix);
    let provider = provider::review(ws, scope, &matrix, as_of);
    let (findings, failures) = findings_from(ws, scope, &matrix, &notifications, provider.as_ref(), overrides, as_of);
    Assessment {
        as_of: as_of.to_string(),
        control_evidence: evidence::control_evidence(ws, scope, &matrix, &evidence),
        implementation: implementation::statuses(scope, &matrix, &evidence),
        waivers: register::waiver_statuses(scope, &findings, as_of),
        evidence,
        notifications,
        provider,
        matrix,
        findings,
        failures,
    }
}

/// The frameworks that apply to the scope of a matrix, by id, as `resolve` decided them (the
/// matrix lists them): read, never decided again.
pub(crate) fn frameworks_of(matrix: &Matrix) -> Vec<String> {
    matrix.frameworks.iter().map(|f| f.id.clone()).collect()
}

/// Findings for one scope from what its assessment decided: the core rules, the catalogs'
/// rules, the provider review's points, the enabled policy packs' rules (notification
/// windows from `notifications`), then waivers; sorted, most severe first. With them, the
/// custom rules that failed at run time (E021).
#[allow(clippy::too_many_arguments)]
fn findings_from(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    notifications: &[rules::NotificationStatus],
    review: Option<&provider::ProviderReview>,
    overrides: &Overrides,
    as_of: time::Date,
) -> (Vec<Finding>, Vec<Diagnostic>) {
    let mut out = core_findings(scope, matrix, overrides);
    out.extend(rules::catalog_findings(ws, scope, matrix, overrides));
    if let Some(review) = review {
        out.extend(provider::findings(ws, scope, review, overrides, as_of));
    }
    let (found, failures) = rules::pack_findings(ws, scope, matrix, notifications, overrides, as_of);
    out.extend(found);
    let mut out = waivers::apply_waivers(scope, out, overrides, as_of);
    out.sort_by(Finding::report_order); // one scope: by severity, control, code
    out.dedup_by(|a, b| a.fingerprint == b.fingerprint);
    (out, failures)
}

/// The findings of one scope alone from a matrix already resolved, for tests, fuzzing and
/// the benchmark; commands use [`assess_scope`], which also returns the custom rules that
/// failed (E021) and every verdict the findings come from.
pub fn assess_on(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    overrides: &Overrides,
    as_of: time::Date,
) -> Vec<Finding> {
    let notifications = rules::notification_statuses(ws, scope, matrix);
    let review = provider::review(ws, scope, matrix, as_of);
    findings_from(ws, scope, matrix, &notifications, review.as_ref(), overrides, as_of).0
}

/// Severity overrides: `severity:` in the workspace config (its codes were checked when it
/// was loaded), then the command line's `--deny` (critical), `--warn` (info) and `--allow`
/// (off), which win. Give it codes that were checked: an unknown code changes nothing.
pub fn overrides(config: &crate::model::Config, deny: &[String], warn: &[String], allow: &[String]) -> Overrides {
    let mut o = Overrides::new();
    for (code, sev) in &config.severity {
        o.insert(code.clone(), Severity::parse(sev));
    }
    for code in deny {
        o.insert(code.clone(), Some(Severity::Critical));
    }
    for code in warn {
        o.insert(code.clone(), Some(Severity::Info));
    }
    for code in allow {
        o.insert(code.clone(), None);
    }
    o
}

fn core_findings(scope: &Scope, matrix: &Matrix, overrides: &Overrides) -> Vec<Finding> {
    let mut out = Vec::new();
    for row in &matrix.rows {
        let deciding = row.provenance.first();
        // CM002 — conflicting sources.
        if row.conflict {
            let sides: Vec<String> = row
                .conflicts
                .iter()
                .map(|p| format!("{} ({}:{})", p.detail, p.file, p.line))
                .collect();
            let at = row
                .conflicts
                .last()
                .map(|p| origin_of(&p.file, p.line))
                .unwrap_or_else(|| scope.origin.clone());
            out.extend(finding(
                scope,
                Some(row),
                &row.control,
                RuleCode::CM002,
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
                None if row.summary == Summary::Unassigned => {
                    Some("is neither implemented (no owner) nor documented with an alternative".to_string())
                }
                Some(a) => match a.decision {
                    AddressableDecision::Implemented if row.summary == Summary::Unassigned => {
                        Some("is documented as implemented, but nobody is assigned to implement it".into())
                    }
                    AddressableDecision::Alternative if blank(&a.alternative) || blank(&a.rationale) => Some(
                        "is documented as an alternative measure without both the `alternative` and the `rationale`"
                            .into(),
                    ),
                    AddressableDecision::NotReasonable if blank(&a.rationale) => {
                        Some("is documented as not reasonable and appropriate without a `rationale`".into())
                    }
                    _ => None,
                },
                None => None,
            };
            if let Some(problem) = problem {
                let at = row
                    .addressable
                    .as_ref()
                    .map(|a| origin_of(&a.file, a.line))
                    .unwrap_or_else(|| stub_or_scope(row, scope));
                out.extend(finding(
                    scope,
                    Some(row),
                    &row.control,
                    RuleCode::CM005,
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
        // CM001 — unassigned control that carries a duty (a leaf, or a parent with a duty of
        // its own). Outcomes that only intersect it are named as candidates, never owners.
        if row.assignable && row.summary == Summary::Unassigned {
            let documented = row
                .addressable
                .as_ref()
                .is_some_and(|a| a.decision != AddressableDecision::Implemented);
            if !documented {
                let mut message = format!(
                    "{} ({}) applies to {} but nobody owns it.",
                    row.control,
                    rules::short(&row.title),
                    scope.client.name
                );
                match row.candidates.as_slice() {
                    [] => message.push_str(" Subscribe a service that covers it, add a scope assignment, list it under `client_owned`, or mark it `not_applicable` with a reason."),
                    list => {
                        let named: Vec<String> = list.iter().take(3).map(|c| c.describe()).collect();
                        let more = list.len().saturating_sub(3);
                        message.push_str(&format!(
                            " {}{} {} this control but {} not contain all of it, so {} no owner; assign it explicitly (a scope assignment or a service claim on the control itself).",
                            named.join("; "),
                            if more > 0 { format!("; and {more} more") } else { String::new() },
                            if list.len() == 1 { "intersects" } else { "intersect" },
                            if list.len() == 1 { "does" } else { "do" },
                            if list.len() == 1 { "it gives" } else { "they give" },
                        ));
                    }
                }
                // At the stub, else where an owner would be written.
                let at = stub(row, scope).unwrap_or_else(|| scope.owner_anchor());
                out.extend(finding(
                    scope,
                    Some(row),
                    &row.control,
                    RuleCode::CM001,
                    message,
                    &at,
                    "",
                    overrides,
                ));
            }
        }
        // CM003 — shared without both duties (only where a source decided it directly).
        if row.summary == Summary::Shared
            && deciding.is_some_and(|p| matches!(p.kind, SourceKind::Assignment | SourceKind::Service))
        {
            // Every responsible party of a shared control must have its duty in words.
            let missing: Vec<&str> = row
                .responsible
                .iter()
                .map(Party::as_str)
                .filter(|p| row.duties.get(*p).is_none_or(|d| d.is_empty()))
                .collect();
            if !missing.is_empty()
                && let Some(p) = deciding
            {
                out.extend(finding(
                    scope,
                    Some(row),
                    &row.control,
                    RuleCode::CM003,
                    format!(
                        "{} is shared, but the duty of {} is not written down. Say in plain words what each party does (`msp:`, `client:`, `third_party:`).",
                        row.control,
                        missing.join(" and ")
                    ),
                    &origin_of(&p.file, p.line),
                    &missing.join(","),
                    overrides,
                ));
            }
        }
    }
    out.extend(stale_decisions(scope, matrix, overrides));
    // CM004 — not applicable without a reason.
    for n in scope.not_applicable.iter().flatten() {
        if blank(&n.reason) {
            out.extend(finding(
                scope,
                matrix.row(&n.control),
                &n.control,
                RuleCode::CM004,
                format!(
                    "{} is marked not applicable without a reason. Write why (`reason:`), so an auditor can accept it.",
                    n.control
                ),
                &n.origin,
                "",
                overrides,
            ));
        }
    }
    out
}

/// CM019 — the scope's own decisions that a higher source overrides (see
/// [`crate::resolve::StaleDecision`]), each at its entry.
fn stale_decisions(scope: &Scope, matrix: &Matrix, overrides: &Overrides) -> Vec<Finding> {
    use crate::resolve::{StaleEntry, Staleness};
    let mut out = Vec::new();
    for d in &matrix.stale {
        let by = format!("{} ({}:{})", d.by.detail, d.by.file, d.by.line);
        let message = match (d.entry, d.how) {
            (StaleEntry::ClientOwned, Staleness::Shadowed) => format!(
                "the `client_owned` entry for {} decides nothing any more: {by} decides it now. Remove the entry (`ctrlmap scaffold SCOPE_FILE --reconcile --write` does), or write an assignment if the client is to keep the duty.",
                d.control
            ),
            (StaleEntry::Undecided, _) => format!(
                "the stub `responsible: undecided` for {} is decided all the same: {by}. Remove the stub (`ctrlmap scaffold SCOPE_FILE --reconcile --write` does), or replace `undecided` with the party that performs the duty to override that source.",
                d.control
            ),
            (StaleEntry::ClientOwned, Staleness::OutranksSubscription) => format!(
                "the `client_owned` entry keeps {} with the client, although a subscribed service now covers it: {by}. A client-owned entry outranks crosswalk projection, so the subscription changes nothing while the entry stays. Remove the entry to let the service decide (`ctrlmap scaffold SCOPE_FILE --reconcile --write` does), or write an assignment `responsible: client` to keep the duty with the client deliberately.",
                d.control
            ),
        };
        let at = Origin {
            file: d.file.clone(),
            line: d.line,
            column: d.column,
            pointer: String::new(),
        };
        let discriminator = format!("{}:{}", <&str>::from(d.entry), <&str>::from(d.how));
        out.extend(finding(
            scope,
            matrix.row(&d.control),
            &d.control,
            RuleCode::CM019,
            message,
            &at,
            &discriminator,
            overrides,
        ));
    }
    out
}

pub(crate) fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|s| s.trim().is_empty())
}
