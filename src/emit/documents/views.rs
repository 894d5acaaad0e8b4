//! The shapes a template reads: one scope's facts, rows, findings, evidence and inputs as plain
//! views, each field named for the person who writes templates. `context.rs` fills them from
//! one assessment; the BAA appendix and the provider summary carry some of them (findings, the
//! catalog, the open points) in their own data. Types only: nothing here reads the workspace.

use super::sources::SourceView;
use crate::assess::Severity;
use crate::resolve::Summary;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeView {
    pub id: String,
    /// The scope file, relative to the workspace.
    pub file: String,
    pub sha256: String,
    /// `fully-managed`, `co-managed` or `partial`.
    pub model: String,
    pub notes: Option<String>,
    pub client: ClientView,
    pub provider: ProviderView,
    pub sla: SlaView,
    /// Third parties declared in the scope.
    pub parties: Vec<PartyView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientView {
    pub name: String,
    pub contact: Option<String>,
    pub profile: ProfileView,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub hipaa: Option<String>,
    pub glba: Option<bool>,
    pub nydfs: Option<String>,
    pub class_a: Option<bool>,
    pub employees: Option<u64>,
    pub states: Vec<String>,
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderView {
    pub name: String,
    pub contract: Option<String>,
    pub baa_signed: Option<String>,
    pub effective: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlaView {
    pub p1_response: Option<String>,
    pub p2_response: Option<String>,
    pub p3_response: Option<String>,
    pub incident_notification: Option<String>,
    /// `incident_notification` in words, e.g. `24 hours`.
    pub incident_notification_text: Option<String>,
    /// The report of a security incident that is not a breach, as written and in words.
    pub security_incident_report: Option<String>,
    pub security_incident_report_text: Option<String>,
    /// `standing-notice` or `report`, or none when no term was agreed.
    pub unsuccessful_attempts: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub baa: Option<bool>,
    /// `msp` or `client` (whose vendor it is), or none when the scope does not say.
    pub engaged_by: Option<&'static str>,
    /// Whether it handles ePHI, or none when the scope does not say.
    pub ephi: Option<bool>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceView {
    pub id: String,
    pub name: String,
    pub tower: String,
    pub description: String,
    /// The options this scope subscribes to.
    pub options: Vec<OptionView>,
    pub note: Option<String>,
    pub file: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    pub id: String,
    pub title: String,
    pub short_title: String,
    pub version: String,
    pub citation: String,
    pub authority: String,
    pub source_url: String,
    /// Catalog file (`<builtin>/frameworks/…` for a built-in one) and its SHA-256.
    pub file: String,
    pub sha256: String,
    /// Where the catalog's quoted control texts come from: each source that supplies at least
    /// one text, with how many, in the catalog's order.
    pub text_sources: Vec<SourceView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    /// `framework:id`.
    pub control: String,
    pub framework: String,
    pub id: String,
    /// Official citation, e.g. `45 CFR 164.308(a)(1)`.
    pub citation: String,
    pub title: String,
    pub level: String,
    pub depth: usize,
    /// A leaf that carries a duty; other rows roll up from their parts.
    pub assignable: bool,
    /// `required`, `addressable` or `none`.
    pub requirement: Option<&'static str>,
    /// `msp`, `client`, `shared`, `third-party`, `unassigned` or `not-applicable`.
    pub summary: &'static str,
    /// `summary` as a label: `MSP`, `Client`, `Shared`, `Third party`, `Unassigned`, `N/A`.
    pub owner: &'static str,
    /// `full`, `partial` or `none`.
    pub coverage: &'static str,
    /// Party ids (`msp`, `client`, third-party ids).
    pub responsible: Vec<String>,
    pub accountable: String,
    pub consulted: Vec<String>,
    pub informed: Vec<String>,
    /// The same RACI with each party's name (the provider's, the client's, a third party's).
    pub raci: RaciNames,
    pub msp_duties: Vec<String>,
    pub client_duties: Vec<String>,
    pub third_party_duties: Vec<PartyDuties>,
    /// Evidence the services say the MSP produces for this control.
    pub evidence: Vec<String>,
    /// Why the control does not apply, for N/A rows.
    pub reason: Option<String>,
    pub conflict: bool,
    pub addressable: Option<AddressableView>,
    /// Why the row says what it says: `{ kind, detail, file, line }`, deciding source first.
    pub provenance: Vec<ProvenanceView>,
    /// Codes of open (not waived) findings on this control.
    pub findings: Vec<String>,
    /// The evidence on file for the control, reconciled with what is promised and required;
    /// `none` when nothing is on file, promised or required.
    pub on_file: Option<RowEvidence>,
}

/// The engine's verdict on a row's evidence, with the entries that support it.
#[derive(Debug, Clone, Serialize)]
pub struct RowEvidence {
    /// `on-file`, `missing` (promised or required, and nothing on file) or `not-expected`.
    pub verdict: &'static str,
    /// The subscribed services promise evidence for it (`evidence` lists what).
    pub promised: bool,
    /// An enabled policy pack requires evidence for it (CM009).
    pub required: bool,
    /// Positions in `evidence` of the entries that support the control (list it or a part of it).
    pub files: Vec<usize>,
}

/// RACI as names people read, not party ids.
#[derive(Debug, Clone, Serialize)]
pub struct RaciNames {
    pub responsible: Vec<String>,
    pub accountable: String,
    pub consulted: Vec<String>,
    pub informed: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartyDuties {
    pub party: String,
    pub name: String,
    pub duties: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AddressableView {
    /// `implemented`, `alternative` or `not-reasonable`.
    pub decision: String,
    pub rationale: Option<String>,
    pub alternative: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProvenanceView {
    pub kind: String,
    pub detail: String,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct OwnerCounts {
    pub msp: usize,
    pub client: usize,
    pub shared: usize,
    pub third_party: usize,
    pub unassigned: usize,
    pub not_applicable: usize,
    pub total: usize,
}

impl OwnerCounts {
    pub fn get(&self, s: Summary) -> usize {
        match s {
            Summary::Msp => self.msp,
            Summary::Client => self.client,
            Summary::Shared => self.shared,
            Summary::ThirdParty => self.third_party,
            Summary::Unassigned => self.unassigned,
            Summary::NotApplicable => self.not_applicable,
        }
    }

    pub(super) fn add(&mut self, s: Summary) {
        let slot = match s {
            Summary::Msp => &mut self.msp,
            Summary::Client => &mut self.client,
            Summary::Shared => &mut self.shared,
            Summary::ThirdParty => &mut self.third_party,
            Summary::Unassigned => &mut self.unassigned,
            Summary::NotApplicable => &mut self.not_applicable,
        };
        *slot += 1;
        self.total += 1;
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub total: usize,
}

impl SeverityCounts {
    pub fn get(&self, s: Severity) -> usize {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    pub(super) fn add(&mut self, s: Severity) {
        let slot = match s {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        };
        *slot += 1;
        self.total += 1;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub code: String,
    pub rule: String,
    /// `critical`, `high`, `medium`, `low` or `info`.
    pub severity: &'static str,
    pub control: String,
    /// Citation and title of the control, when the catalog has it.
    pub citation: String,
    pub title: Option<String>,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub fingerprint: String,
    pub waived: Option<WaiverView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaiverView {
    pub justification: String,
    pub compensating: String,
    pub approver: String,
    pub ticket: String,
    pub expires: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    /// Path inside the workspace, as the scope gives it.
    pub file: String,
    pub title: Option<String>,
    pub controls: Vec<String>,
    /// Party id of the owner, and its name.
    pub owner: String,
    pub owner_name: String,
    /// Date the evidence was effective, `YYYY-MM-DD`.
    pub effective: String,
    /// Days from `effective` to `as_of` (`none` for an unreadable date).
    pub age_days: Option<i64>,
    /// The maximum age the enabled policy packs allow for the controls it supports (the
    /// strictest; `none` when no pack judges its age).
    pub max_age_days: Option<i64>,
    /// The engine's verdict, the one CM012 gives: `fresh` (at most `max_age_days` old), `stale`,
    /// `future` (dated after `as_of`), `unknown` (no readable date) or `not-assessed`.
    pub freshness: &'static str,
    /// SHA-256 of the file as found, `none` when it is missing.
    pub sha256: Option<String>,
    /// SHA-256 pinned in the scope, if any.
    pub pinned_sha256: Option<String>,
    /// `matches-pin`, `unpinned`, `changed` (differs from the pin) or `missing`.
    pub integrity: &'static str,
    /// Path of its copy inside the evidence pack (pack only), else `none`.
    pub copy: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub path: String,
    pub sha256: String,
    /// `scope`, `config`, `service`, `package`, `party`, `catalog`, `crosswalk`, `policy` or
    /// `evidence`.
    pub role: &'static str,
}

/// A finding that fails the gate, as a point to be agreed: the safeguard and what is open, in
/// words (no code, no path).
#[derive(Debug, Clone, Serialize)]
pub struct OpenFinding {
    pub citation: String,
    pub title: Option<String>,
    /// What is open, in words.
    pub what: String,
    /// The finding's code and location (the provider's own copy only; none in the
    /// counterparty's).
    pub code: Option<String>,
}
