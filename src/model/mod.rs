//! The typed model of everything ctrlmap reads: catalogs, crosswalks, services, scopes and
//! the workspace config. Field docs are written for the person who writes the YAML; the JSON
//! Schemas in `schemas/` say the same in their `description`s.
//!
//! These types are built only from documents that passed their JSON Schema (or from the
//! well-formed parts of those that did not), so they can trust their shape.

pub mod catalog;
pub mod diagnostic;
pub mod digest;
pub mod package;
pub mod policy;
pub mod workspace;

pub use workspace::Workspace;

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// How serious a finding is; the gate (`--fail-on`) compares against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
        [
            Severity::Info,
            Severity::Low,
            Severity::Medium,
            Severity::High,
            Severity::Critical,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}

/// Position in a source file, both 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Serialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    /// The start of a file (line 1, column 1): where a problem with the file as a whole is
    /// shown when it is drawn with the file's first line.
    pub const START: Pos = Pos { line: 1, column: 1 };
}

/// Where a piece of input came from: a file and a position in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Origin {
    pub file: std::sync::Arc<str>,
    pub line: usize,
    pub column: usize,
    /// JSON pointer of the item in its file, to find the position of its fields.
    #[serde(skip)]
    pub pointer: String,
}

impl Origin {
    pub fn new(file: &str, pos: Pos) -> Self {
        Origin {
            file: file.into(),
            line: pos.line,
            column: pos.column,
            pointer: String::new(),
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Deserialize a list element by element; an element that does not fit becomes `None`, so
/// the well-formed rest of a file is still used and indices (hence positions) are kept.
fn lenient<'de, D, T>(d: D) -> Result<Vec<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let raw: Option<Vec<serde_json::Value>> = Option::deserialize(d)?;
    Ok(raw
        .unwrap_or_default()
        .into_iter()
        .map(|v| serde_json::from_value(v).ok())
        .collect())
}

// ---------------------------------------------------------------------------------------
// Catalogs
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EffectiveDate {
    pub date: String,
    pub what: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct SourceRef {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub url: Option<String>,
    /// When the copy was retrieved (YYYY-MM-DD).
    #[serde(default)]
    pub retrieved: Option<String>,
    /// The official publication (eCFR, Federal Register, NIST, DFS), not a secondary copy.
    #[serde(default)]
    pub official: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// A kind of institution a rule covers or not (16 CFR 314.1(b)).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct InstitutionType {
    pub id: String,
    pub covered: bool,
    pub citation: String,
    #[serde(default)]
    pub note: Option<String>,
}

/// Which clients a catalog applies to when a scope does not list its frameworks: every
/// client (the baseline, which is also the hub the crosswalks map onto), or those whose
/// profile declares what the rule's own scope provision names.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AppliesTo {
    /// Where the framework is listed among a scope's frameworks (smaller first).
    #[serde(default)]
    pub order: Option<u32>,
    /// Set on the baseline, with why: it applies to every client, and crosswalks map the
    /// regulations onto it.
    #[serde(default)]
    pub baseline: Option<String>,
    /// A yes/no profile fact that, when declared, decides alone (`glba`).
    #[serde(default)]
    pub flag: Option<String>,
    /// Applies when one of these holds for the profile, for the reason given.
    #[serde(default)]
    pub profile: Vec<ProfileRule>,
    /// Applies when the profile's `institution_type` is one the catalog's
    /// `institution_types` lists as covered; the text says what such an institution is.
    #[serde(default)]
    pub institution_types: Option<String>,
    /// Does not apply when one of these holds, although `profile` or `institution_types` would
    /// make it apply (another regulator's jurisdiction), for the reason given. A declared `flag`
    /// still decides alone.
    #[serde(default)]
    pub except: Vec<ProfileRule>,
    /// Whom the catalog binds, in words, with the provision that says so: the reason given when
    /// nothing the profile declares makes it apply.
    #[serde(default)]
    pub binds: Option<String>,
}

/// A profile condition under which a catalog applies, and the provision that says so.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProfileRule {
    pub when: Condition,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Catalog {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub short_title: Option<String>,
    pub citation: String,
    pub authority: String,
    pub version: String,
    #[serde(default)]
    pub effective: Vec<EffectiveDate>,
    pub source_url: String,
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(default)]
    pub institution_types: Vec<InstitutionType>,
    /// Which clients the catalog applies to, from what their profile declares.
    #[serde(default)]
    pub applies_to: Option<AppliesTo>,
    #[serde(default, deserialize_with = "lenient")]
    pub exemptions: Vec<Option<Exemption>>,
    #[serde(default, deserialize_with = "lenient")]
    pub controls: Vec<Option<Control>>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Role {
    #[default]
    Requirement,
    Reference,
    Heading,
}

#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Requirement {
    Required,
    Addressable,
}

/// What of a duty the regulated entity itself must keep (the catalog's `retained`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Retained {
    /// Only the regulated entity itself can perform the duty.
    #[serde(default)]
    pub responsible: bool,
    /// With `responsible`: the regulated entity must itself take part (e.g. its highest-ranking
    /// executive's signature), and others may take part with it (e.g. a CISO employed by a
    /// third-party service provider). A finding only when the entity is not among those
    /// responsible.
    #[serde(default)]
    pub joint: bool,
    /// A provider may perform it, but the regulated entity stays accountable.
    #[serde(default)]
    pub accountable: bool,
    /// For a control with parts: what of `responsible` reaches them. `retained`: the text keeps
    /// every part with the entity too (a board's own oversight acts); `delegable`: the parts are
    /// tasks others may perform (the entity stays accountable for them when `accountable`).
    /// Unset, the mark stays on the control itself. Accountability always reaches the parts.
    #[serde(default)]
    pub parts: Option<RetainedParts>,
    pub citation: String,
    pub note: String,
}

/// Whether a `retained: {responsible: true}` mark on a control with parts reaches the parts.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RetainedParts {
    /// Every part is a duty only the entity can perform too.
    Retained,
    /// The parts are tasks others may perform; only the control itself is kept.
    Delegable,
}

/// Is a parent with its own text a row of its own or a roll-up of its parts?
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum OwnDutyDecision {
    Row,
    Rollup,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct OwnDuty {
    pub decision: OwnDutyDecision,
    /// For `row`: a row of its own only when this holds (otherwise a roll-up).
    #[serde(default)]
    pub when: Option<Condition>,
    pub reason: String,
}

/// Whose clock a deadline runs on, and so whether the MSP's notice window counts against it.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Clock {
    /// Starts when the regulated entity discovers or determines the event: the MSP's window
    /// plus the client's margin must fit.
    EntityDiscovery,
    /// Starts with the regulated entity's own act: the MSP's window is not measured.
    EntityAct,
    /// The MSP's own deadline (business associate, subcontractor): its window must fit, no margin.
    MspDiscovery,
    /// The covered entity's discovery, which is the MSP's only when the MSP is its agent.
    AgentDiscovery,
    /// A date-based duty: not measured.
    Calendar,
}

/// How many people an event must involve for a deadline to apply.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Threshold {
    pub fact: String,
    #[serde(default)]
    pub gte: Option<u64>,
    #[serde(default)]
    pub gt: Option<u64>,
    #[serde(default)]
    pub lt: Option<u64>,
    #[serde(default)]
    pub lte: Option<u64>,
    pub text: String,
}

impl Threshold {
    /// Can an event at a client whose largest possible event involves `most` people meet the
    /// threshold? Unknown (`None`) is always reachable: an undeclared count removes nothing.
    pub fn reachable(&self, most: Option<u64>) -> bool {
        let Some(most) = most else { return true };
        if let Some(n) = self.gte {
            return most >= n;
        }
        if let Some(n) = self.gt {
            return most > n;
        }
        if self.lt.is_some() || self.lte.is_some() {
            // "fewer than 500": any event involving at least one person.
            return most >= 1;
        }
        true
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Example {
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Deadline {
    pub id: String,
    pub event: String,
    #[serde(default)]
    pub within: Option<String>,
    #[serde(default)]
    pub annually_by: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub notify: Option<String>,
    #[serde(default)]
    pub clock: Option<Clock>,
    #[serde(default)]
    pub threshold: Option<Threshold>,
    #[serde(default)]
    pub contemporaneous_with: Option<String>,
    #[serde(default)]
    pub may_be_delayed_by: Option<String>,
    /// The paragraph under which a breach known to the regulated entity's agent counts as
    /// discovered by the entity (45 CFR 164.404(a)(2), 164.410(a)(2)): when the scope declares the
    /// MSP the client's agent (`provider.agent: true`), the client's clock starts at the MSP's
    /// discovery.
    #[serde(default)]
    pub agency: Option<String>,
    #[serde(default)]
    pub when: Option<Condition>,
    pub text: String,
}

impl Deadline {
    /// The key of the deadline's time limit in a catalog (`within: 72h`), which the OSCAL
    /// export also uses as the name of its property.
    pub const WITHIN_KEY: &'static str = "within";
}

impl Deadline {
    /// The outer limit in hours, when the deadline is a duration.
    pub fn within_hours(&self) -> Option<u64> {
        parse_duration_hours(self.within.as_deref()?)
    }
}

/// The longest duration ctrlmap accepts anywhere (an SLA window, a pack's margin, a
/// catalog deadline): ten years, in hours. Anything longer means a typo, and bounding it keeps
/// every sum of durations far from overflowing.
pub const MAX_DURATION_HOURS: u64 = 10 * 366 * 24;

/// `72h` → 72, `60d` → 1440. A window in business days is measured by its longest calendar
/// case, which starts on a Friday: each run of up to five business days spans a weekend, so
/// `N` business days take `N + 2 × ⌈N / 5⌉` calendar days (`1bd` and `next-business-day`: a
/// Friday's notice lands on Monday, 72 hours; `5bd`: the next Friday, 7 days). Holidays are not
/// modelled. `None` when the text is not a duration or is longer than [`MAX_DURATION_HOURS`]
/// (checked arithmetic: `768614336404564651d` is refused, not wrapped to a few hours).
pub fn parse_duration_hours(text: &str) -> Option<u64> {
    let number = |n: &str| -> Option<u64> {
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        n.parse::<u64>().ok()
    };
    let hours = if text == "next-business-day" {
        Some(72)
    } else if let Some(n) = text.strip_suffix("bd") {
        number(n).and_then(|d| d.checked_add(d.div_ceil(5).checked_mul(2)?)?.checked_mul(24))
    } else if let Some(n) = text.strip_suffix('h') {
        number(n)
    } else if let Some(n) = text.strip_suffix('d') {
        number(n).and_then(|d| d.checked_mul(24))
    } else {
        None
    };
    hours.filter(|h| *h <= MAX_DURATION_HOURS)
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Control {
    pub id: String,
    pub title: String,
    pub level: String,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default)]
    pub text_note: Option<String>,
    #[serde(default)]
    pub text_source: Option<String>,
    #[serde(default)]
    pub role: Role,
    #[serde(default)]
    pub requirement: Option<Requirement>,
    #[serde(default)]
    pub deadlines: Vec<Deadline>,
    #[serde(default)]
    pub applies_when: Option<Condition>,
    #[serde(default)]
    pub applies_note: Option<String>,
    #[serde(default)]
    pub effective_from: Option<String>,
    #[serde(default)]
    pub retained: Option<Retained>,
    #[serde(default)]
    pub own_duty: Option<OwnDuty>,
    #[serde(default)]
    pub examples: Vec<Example>,
    #[serde(default)]
    pub notes: Vec<String>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Exemption {
    pub id: String,
    pub citation: String,
    pub title: String,
    pub when: Condition,
    #[serde(default)]
    pub exempts: Option<Vec<String>>,
    #[serde(default)]
    pub still_applies: Option<Vec<String>>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A condition over the client profile (see the catalog schema for the facts).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Condition {
    All { all: Vec<Condition> },
    Any { any: Vec<Condition> },
    Not { not: Box<Condition> },
    Fact(FactTest),
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct FactTest {
    pub fact: String,
    #[serde(default)]
    pub eq: Option<serde_json::Value>,
    #[serde(default)]
    pub ne: Option<serde_json::Value>,
    #[serde(default)]
    pub lt: Option<f64>,
    #[serde(default)]
    pub lte: Option<f64>,
    #[serde(default)]
    pub gt: Option<f64>,
    #[serde(default)]
    pub gte: Option<f64>,
    #[serde(default)]
    pub each_lt: Option<f64>,
    #[serde(default)]
    pub contains: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Crosswalks
// ---------------------------------------------------------------------------------------

#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Relationship {
    Equal,
    SubsetOf,
    SupersetOf,
    IntersectsWith,
}

impl Relationship {
    /// Full coverage of the regulation's control flows only through `equal` and `subset-of`
    /// (NIST IR 8477): the regulation's duty is wholly inside the CSF outcome.
    pub fn gives_full_coverage(self) -> bool {
        matches!(self, Relationship::Equal | Relationship::SubsetOf)
    }

    /// The relationship as files write it (`subset-of`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Crosswalk {
    pub id: String,
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub sources: Vec<SourceRef>,
    #[serde(default, deserialize_with = "lenient")]
    pub mappings: Vec<Option<Mapping>>,
    #[serde(default, deserialize_with = "lenient")]
    pub unmapped: Vec<Option<Unmapped>>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Mapping {
    pub from: String,
    pub to: String,
    pub relationship: Relationship,
    pub source: String,
    pub rationale: String,
    /// On an `equal` / `subset-of` row whose regulation text carries a number, a time limit, a
    /// frequency, a named recipient or set content: the reviewed reason why those words do not
    /// reach beyond the CSF outcome.
    #[serde(default)]
    pub justification: Option<MappingJustification>,
    #[serde(skip)]
    pub origin: Origin,
}

/// Why a full-coverage crosswalk row stays full although the regulation's text carries a
/// number, a time limit, a frequency, a named recipient or set content.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MappingJustification {
    /// The regulation's words the reason answers for, quoted exactly.
    pub covers: Vec<String>,
    /// Why those words stay within the CSF outcome.
    pub reason: String,
    /// When the row was reviewed (YYYY-MM-DD).
    pub reviewed: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Unmapped {
    pub control: String,
    pub reason: String,
}

// ---------------------------------------------------------------------------------------
// Services
// ---------------------------------------------------------------------------------------

#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Split {
    Msp,
    Shared,
    Client,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ServiceOption {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub tower: String,
    pub description: String,
    /// The service handles electronic protected health information (`None`: not said).
    #[serde(default)]
    pub ephi: Option<bool>,
    #[serde(default)]
    pub options: Vec<ServiceOption>,
    #[serde(default, deserialize_with = "lenient")]
    pub controls: Vec<Option<Claim>>,
    #[serde(skip)]
    pub origin: Origin,
}

/// A service's claim on one control.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Claim {
    pub control: String,
    pub split: Split,
    #[serde(default)]
    pub msp: Option<String>,
    #[serde(default)]
    pub client: Option<String>,
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub option: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
}

// ---------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Profile {
    #[serde(default)]
    pub hipaa: Option<String>,
    #[serde(default)]
    pub glba: Option<bool>,
    #[serde(default)]
    pub nydfs: Option<String>,
    #[serde(default)]
    pub class_a: Option<bool>,
    #[serde(default)]
    pub employees: Option<u64>,
    #[serde(default)]
    pub gross_revenue_usd: Vec<f64>,
    #[serde(default)]
    pub total_assets_usd: Option<f64>,
    #[serde(default)]
    pub consumers: Option<u64>,
    #[serde(default)]
    pub individuals: Option<u64>,
    #[serde(default)]
    pub hipaa_functions: Option<Vec<String>>,
    #[serde(default)]
    pub institution_type: Option<String>,
    /// The institution is a subsidiary of a bank or savings association, or a bank holding
    /// company or one of its nonbank subsidiaries or affiliates: the federal banking agencies,
    /// not the FTC, enforce the GLBA safeguards standards for it (15 U.S.C. 6805(a)(1)).
    #[serde(default)]
    pub bank_affiliate: Option<bool>,
    #[serde(default)]
    pub states: Vec<String>,
    #[serde(default)]
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Client {
    pub name: String,
    #[serde(default)]
    pub contact: Option<String>,
    /// The person who authorizes the client's systems to operate (accepts their risk).
    #[serde(default)]
    pub authorizing_official: Option<Signatory>,
    #[serde(default)]
    pub profile: Profile,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Provider {
    /// The MSP's name; a scope with a package may leave it to `provider` in `ctrlmap.yaml`.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contract: Option<String>,
    #[serde(default)]
    pub baa_signed: Option<String>,
    /// HIPAA: the MSP is the client's agent under the federal common law of agency, so a breach
    /// it knows of counts as discovered by the client: a covered entity's (45 CFR 164.404(a)(2))
    /// or a business associate's (164.410(a)(2)).
    #[serde(default)]
    pub agent: Option<bool>,
    #[serde(default)]
    pub effective: Option<String>,
    /// The version date of the documents drawn from this scope (the BAA appendix is the exhibit
    /// of this date), `YYYY-MM-DD`. Unset: the as-of date of the run.
    #[serde(default)]
    pub exhibit_date: Option<String>,
    /// The terms are still being negotiated: every document of this scope is marked "DRAFT —
    /// terms to be agreed" and lists its open points, as `render --draft` does.
    #[serde(default)]
    pub draft: bool,
    /// Clauses of the contract with the provider, each with the points it answers.
    #[serde(default)]
    pub clauses: Vec<Clause>,
    /// The provider's own statements about its safeguards (a SOC 2 report, a written
    /// attestation), each with its date and the points it covers.
    #[serde(default)]
    pub attestations: Vec<Attestation>,
    /// The client's assessments of the provider (risk assessment, due diligence, periodic
    /// assessment), each with its date.
    #[serde(default)]
    pub assessments: Vec<ProviderAssessment>,
}

/// What a contract clause or an attestation speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Topic {
    /// The provider's own access controls to the client's systems and information (23 NYCRR
    /// 500.11(b)(1)).
    AccessControls,
    /// The provider's own use of multi-factor authentication (23 NYCRR 500.11(b)(1)).
    Mfa,
    /// The provider's encryption of the client's information in transit and at rest (23 NYCRR
    /// 500.11(b)(2)).
    Encryption,
    /// The provider's notice to the client of a cybersecurity event (23 NYCRR 500.11(b)(3)).
    EventNotice,
    /// Representations and warranties on the provider's cybersecurity policies (23 NYCRR
    /// 500.11(b)(4)).
    Warranties,
    /// The provider implements and maintains safeguards (16 CFR 314.4(f)(2); the minimum
    /// practices of 23 NYCRR 500.11(a)(2)).
    Safeguards,
    /// The provider maintains a cybersecurity program that protects the client (23 NYCRR
    /// 500.4(a)(3), when the provider is the CISO).
    CybersecurityProgram,
}

/// A clause of the contract with the provider (`provider.clauses`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Clause {
    /// Where the clause is, e.g. `MSA-2025-014, Schedule B, section 4.2`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// What it answers.
    pub covers: Vec<Topic>,
    /// The clause's words, quoted from the contract (optional).
    #[serde(default)]
    pub text: Option<String>,
}

/// A statement by the provider about its safeguards (`provider.attestations`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Attestation {
    /// What it is, e.g. `SOC 2 Type II report, Northwind managed services platform`.
    pub title: String,
    /// Its date (the end of the period a report covers), `YYYY-MM-DD`.
    pub date: String,
    /// What it covers.
    pub covers: Vec<Topic>,
}

/// Which of the client's assessments of its provider an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum AssessmentKind {
    /// The identification and risk assessment of the provider (23 NYCRR 500.11(a)(1)).
    RiskAssessment,
    /// Due diligence on the provider's safeguards before or when engaging it (23 NYCRR
    /// 500.11(a)(3); 16 CFR 314.4(f)(1)).
    DueDiligence,
    /// A periodic assessment of the provider on the risk it presents and the continued
    /// adequacy of its safeguards (23 NYCRR 500.11(a)(4); 16 CFR 314.4(f)(3)).
    Periodic,
}

/// One assessment of the provider by the client (`provider.assessments`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProviderAssessment {
    pub kind: AssessmentKind,
    /// When it was completed, `YYYY-MM-DD`.
    pub date: String,
    /// Who performed it.
    #[serde(default)]
    pub by: Option<String>,
    /// What it is, e.g. `Annual third-party risk review of Northwind Managed IT`.
    #[serde(default)]
    pub title: Option<String>,
}

/// How notices under the agreement reach the client (`sla.notice`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NoticeContact {
    /// To whom notices are given: a person or role at the client.
    pub to: String,
    /// By what channel, e.g. `telephone, then email to security@example.org`.
    pub channel: String,
}

/// Protected or customer information a subscribed service keeps, and what happens to it when
/// the engagement ends (`services[].retains`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Retention {
    /// What is kept, e.g. `Image backups of the servers`.
    pub data: String,
    /// For how long, in the contract's words, e.g. `30 daily and 12 monthly copies`.
    #[serde(default)]
    pub period: Option<String>,
    /// Where it is kept.
    #[serde(default)]
    pub location: Option<String>,
    /// Who holds it: `msp`, or the id of a declared third party (a subcontractor).
    #[serde(default)]
    pub held_by: Option<String>,
    /// What happens to it at termination (45 CFR 164.504(e)(2)(ii)(J)).
    #[serde(default)]
    pub at_termination: Option<AtTermination>,
    /// Within how long after termination.
    #[serde(default)]
    pub within: Option<String>,
    /// Why, for `keep-protected`: what makes return or destruction infeasible.
    #[serde(default)]
    pub note: Option<String>,
}

/// What happens to retained information at termination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum AtTermination {
    /// Returned to the client; no copy kept.
    Return,
    /// Destroyed; no copy kept.
    Destroy,
    /// Returned to the client, then destroyed; no copy kept.
    ReturnThenDestroy,
    /// Return or destruction is not feasible: kept under the agreement's protections, used
    /// only for the purposes that make return or destruction infeasible.
    KeepProtected,
}

/// Which package an entry of a scope comes from: `None` for the scope's own entries, the
/// package's id for those it inherits (its package's, or a package that one builds on).
pub type FromPackage = Option<std::sync::Arc<str>>;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Subscription {
    #[serde(rename = "ref")]
    pub service: String,
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// What the service keeps and what happens to it at termination. Unset: not declared;
    /// `[]`: it keeps nothing.
    #[serde(default)]
    pub retains: Option<Vec<Retention>>,
    #[serde(skip)]
    pub origin: Origin,
    #[serde(skip)]
    pub package: FromPackage,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Sla {
    #[serde(default)]
    pub p1_response: Option<String>,
    #[serde(default)]
    pub p2_response: Option<String>,
    #[serde(default)]
    pub p3_response: Option<String>,
    #[serde(default)]
    pub incident_notification: Option<String>,
    /// Time the client needs after the MSP's notice; replaces the pack's margin when set.
    #[serde(default)]
    pub client_margin: Option<String>,
    /// Time within which the MSP reports to the client a security incident that is not a breach
    /// (45 CFR 164.314(a)(2)(i)(C)); unset, `incident_notification` covers every incident.
    #[serde(default)]
    pub security_incident_report: Option<String>,
    /// How unsuccessful attempts (pings, port scans, failed log-ons that reach nothing) are
    /// reported: `standing-notice` (the agreement itself is the notice; no report each time) or
    /// `report` (like any other security incident). Unset: no term agreed.
    #[serde(default)]
    pub unsuccessful_attempts: Option<String>,
    /// To whom and by what channel the MSP's notices reach the client.
    #[serde(default)]
    pub notice: Option<NoticeContact>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct ThirdParty {
    pub id: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub baa: Option<bool>,
    /// Whose vendor the party is: `msp` (engaged by the provider, so a HIPAA subcontractor when
    /// it handles ePHI on the provider's behalf) or `client` (the client's own vendor, whose
    /// agreement is the client's). Unset: the engagement is not declared, and documents say so.
    #[serde(default)]
    pub engaged_by: Option<EngagedBy>,
    /// Whether the party creates, receives, maintains or transmits ePHI (`false`: it never
    /// does). Unset counts as handling it.
    #[serde(default)]
    pub ephi: Option<bool>,
    /// An authorization of the party's system that the client (or the MSP) relies on, e.g. a
    /// FedRAMP authorization: its title and the date it was granted. Only a declared one
    /// becomes an OSCAL leveraged authorization.
    #[serde(default)]
    pub authorization: Option<Authorization>,
    /// What the party does for the client, in plain words.
    #[serde(default)]
    pub performs: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Where the party is declared: its entry in the scope, or its file under `parties/`.
    #[serde(skip)]
    pub origin: Origin,
    /// Where its `baa` flag is written (or would be): where a finding about its agreement
    /// points.
    #[serde(skip)]
    pub baa_at: Origin,
    /// Declared once for the workspace (`parties/ID.yaml`) and named here by its id.
    #[serde(skip)]
    pub shared: bool,
}

impl ThirdParty {
    /// A scope's or package's reference to a workspace party by id, until it is looked up.
    pub fn reference(id: &str) -> ThirdParty {
        ThirdParty {
            id: id.to_string(),
            shared: true,
            ..ThirdParty::default()
        }
    }

    /// `performs` and `note` together, as documents show them.
    pub fn description(&self) -> Option<String> {
        match (&self.performs, &self.note) {
            (Some(p), Some(n)) => Some(format!("{} {n}", p.trim_end())),
            (Some(p), None) => Some(p.clone()),
            (None, n) => n.clone(),
        }
    }
}

/// An authorization a third party's system holds (`parties[].authorization`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Authorization {
    /// What was authorized, e.g. `FedRAMP High P-ATO: Microsoft 365 GCC`.
    #[serde(default)]
    pub title: Option<String>,
    /// When it was granted (YYYY-MM-DD).
    pub date: String,
}

/// The assessment an evidence pack records (`assessment:` in a scope).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct AssessmentRecord {
    /// The period the assessment covers, `from` and `to` (YYYY-MM-DD).
    #[serde(default)]
    pub period: Option<Period>,
    /// Who prepared the assessment.
    #[serde(default)]
    pub prepared_by: Option<Signatory>,
    /// Who reviewed it.
    #[serde(default)]
    pub reviewed_by: Option<Signatory>,
}

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Period {
    pub from: String,
    pub to: String,
}

/// A person who prepared or reviewed an assessment.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
pub struct Signatory {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    /// When they prepared or reviewed it (YYYY-MM-DD).
    #[serde(default)]
    pub date: Option<String>,
}

/// Who engaged a third party: the provider (MSP) or the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EngagedBy {
    Msp,
    Client,
}

impl EngagedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            EngagedBy::Msp => "msp",
            EngagedBy::Client => "client",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The names, borrowed.
    pub fn as_slice(&self) -> &[String] {
        match self {
            OneOrMany::One(s) => std::slice::from_ref(s),
            OneOrMany::Many(v) => v,
        }
    }

    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Assignment {
    pub control: String,
    pub responsible: OneOrMany,
    #[serde(default)]
    pub accountable: Option<String>,
    #[serde(default)]
    pub consulted: Vec<String>,
    #[serde(default)]
    pub informed: Vec<String>,
    #[serde(default)]
    pub msp: Option<String>,
    #[serde(default)]
    pub client: Option<String>,
    #[serde(default)]
    pub third_party: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
    #[serde(skip)]
    pub package: FromPackage,
}

/// The placeholder `responsible: undecided`: a stub `ctrlmap init` and `ctrlmap scaffold`
/// write for a person to decide. It is no source of ownership: the control stays unassigned
/// (CM001, located at the stub) until `undecided` is replaced by a party.
pub const UNDECIDED: &str = "undecided";

impl Assignment {
    /// The assignment is a stub still waiting for its owner (`responsible: undecided`).
    pub fn is_undecided(&self) -> bool {
        matches!(&self.responsible, OneOrMany::One(p) if p == UNDECIDED)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ClientOwned {
    pub control: String,
    #[serde(default)]
    pub duty: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
    #[serde(skip)]
    pub package: FromPackage,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NotApplicable {
    pub control: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
    #[serde(skip)]
    pub package: FromPackage,
}

#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum AddressableDecision {
    Implemented,
    Alternative,
    NotReasonable,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Addressable {
    pub control: String,
    pub decision: AddressableDecision,
    #[serde(default)]
    pub rationale: Option<String>,
    #[serde(default)]
    pub alternative: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
    #[serde(skip)]
    pub package: FromPackage,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Evidence {
    pub file: String,
    #[serde(default)]
    pub title: Option<String>,
    pub controls: Vec<String>,
    pub owner: String,
    pub effective: String,
    #[serde(default)]
    pub sha256: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
    /// SHA-256 of the file as found on disk at load time; `None` when it is missing.
    #[serde(skip)]
    pub found_sha256: Option<String>,
    #[serde(skip)]
    pub package: FromPackage,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Waiver {
    pub finding: String,
    pub control: String,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub compensating: Option<String>,
    #[serde(default)]
    pub approver: Option<String>,
    #[serde(default)]
    pub ticket: Option<String>,
    #[serde(default)]
    pub expires: Option<String>,
    #[serde(default)]
    pub granted: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Scope {
    pub id: String,
    pub client: Client,
    /// The MSP for this engagement; with a package, the name may come from `ctrlmap.yaml`.
    #[serde(default)]
    pub provider: Provider,
    /// The engagement model; with a package, the package's unless the scope says otherwise.
    #[serde(default)]
    pub model: String,
    /// The engagement package the scope builds on (`packages/ID.yaml`): the scope states only
    /// what differs from it.
    #[serde(default)]
    pub package: Option<String>,
    #[serde(default)]
    pub frameworks: Option<Vec<String>>,
    #[serde(default, deserialize_with = "lenient")]
    pub services: Vec<Option<Subscription>>,
    #[serde(default)]
    pub sla: Sla,
    #[serde(default, deserialize_with = "lenient")]
    pub parties: Vec<Option<ThirdParty>>,
    #[serde(default, deserialize_with = "lenient")]
    pub assignments: Vec<Option<Assignment>>,
    #[serde(default, deserialize_with = "lenient")]
    pub client_owned: Vec<Option<ClientOwned>>,
    #[serde(default, deserialize_with = "lenient")]
    pub not_applicable: Vec<Option<NotApplicable>>,
    #[serde(default, deserialize_with = "lenient")]
    pub addressable: Vec<Option<Addressable>>,
    #[serde(default, deserialize_with = "lenient")]
    pub evidence: Vec<Option<Evidence>>,
    #[serde(default, deserialize_with = "lenient")]
    pub waivers: Vec<Option<Waiver>>,
    #[serde(default)]
    pub notes: Option<String>,
    /// The assessment the evidence pack records: the period it covers and who prepared and
    /// reviewed it.
    #[serde(default)]
    pub assessment: Option<AssessmentRecord>,
    #[serde(skip)]
    pub origin: Origin,
    /// SHA-256 of the scope file's bytes, for documents that must name their inputs.
    #[serde(skip)]
    pub sha256: String,
    /// Positions of the fields findings point at (JSON pointer → position), kept because
    /// the parsed tree of a scope is not.
    #[serde(skip)]
    pub positions: Vec<(String, Pos)>,
    /// Positions of what the scope inherits from its package (pointers the scope's own file
    /// does not hold, and `@PACKAGE/…` pointers of inherited list items), in the package's file.
    #[serde(skip)]
    pub inherited_positions: Vec<(String, Origin)>,
    /// The package chain the scope inherits from: its package first, then the one that builds
    /// on, and so on. Empty without a package.
    #[serde(skip)]
    pub packages: Vec<std::sync::Arc<str>>,
}

impl Scope {
    /// Where a field of this scope sits: in its own file, or in the package it inherits the
    /// field from (the start of the scope's file when unknown).
    pub fn locate(&self, pointer: &str) -> Origin {
        if let Ok(k) = self
            .inherited_positions
            .binary_search_by(|(p, _)| p.as_str().cmp(pointer))
        {
            return self.inherited_positions[k].1.clone();
        }
        let pos = self.position(pointer).unwrap_or(Pos { line: 1, column: 1 });
        Origin {
            file: self.origin.file.clone(),
            line: pos.line,
            column: pos.column,
            pointer: pointer.to_string(),
        }
    }

    /// Where an owner for a control is written in this scope: the `assignments:` key, else
    /// `services:`, else `client_owned:` (the start of the file when it has none), so a
    /// finding about a control nobody owns points at the line the fix goes under.
    pub fn owner_anchor(&self) -> Origin {
        ["key:/assignments", "key:/services", "key:/client_owned"]
            .into_iter()
            .find(|p| self.position(p).is_some())
            .map(|p| self.locate(p))
            .unwrap_or_else(|| self.origin.clone())
    }

    /// A kept position (`positions` is sorted by pointer when the scope is loaded).
    fn position(&self, pointer: &str) -> Option<Pos> {
        self.positions
            .binary_search_by(|(p, _)| p.as_str().cmp(pointer))
            .ok()
            .map(|k| self.positions[k].1)
    }

    pub fn parties(&self) -> impl Iterator<Item = &ThirdParty> {
        self.parties.iter().flatten()
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Config {
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub fail_on: Option<String>,
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    #[serde(skip)]
    pub origin: Origin,
}

/// Who a duty is written for: the MSP, the client, or a third party the scope declares (by
/// its `id`). Read and written as the ids users write (`msp`, `client`, `ehr-vendor`), and
/// ordered as those ids are, so every list and table keeps its order.
#[derive(Debug, Clone)]
pub enum Party {
    Msp,
    Client,
    Third(std::sync::Arc<str>),
}

impl Party {
    pub fn parse(id: &str) -> Party {
        match id {
            "msp" => Party::Msp,
            "client" => Party::Client,
            other => Party::Third(other.into()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Party::Msp => "msp",
            Party::Client => "client",
            Party::Third(id) => id,
        }
    }

    /// A declared third party (neither the MSP nor the client).
    pub fn is_third(&self) -> bool {
        matches!(self, Party::Third(_))
    }
}

// Equality, hashing and order are those of the id, so a `Party` key is found by its id
// (`Borrow<str>`).
impl PartialEq for Party {
    fn eq(&self, other: &Party) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Party {}

impl std::hash::Hash for Party {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_str().hash(h)
    }
}

impl Ord for Party {
    fn cmp(&self, other: &Party) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Party {
    fn partial_cmp(&self, other: &Party) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

// A party reads as its id wherever an id is read (`&Party` coerces to `&str`).
impl std::ops::Deref for Party {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Party {
    fn from(id: &str) -> Party {
        Party::parse(id)
    }
}

impl From<String> for Party {
    fn from(id: String) -> Party {
        Party::parse(&id)
    }
}

impl std::fmt::Display for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Party {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::borrow::Borrow<str> for Party {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for Party {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::parse_duration_hours;

    #[test]
    fn business_days_count_their_longest_calendar_case_from_a_friday() {
        // Counted on a calendar from a Friday discovery: one business day is Monday (3 days),
        // two Tuesday (4), five the next Friday (7), six the Monday after (10), ten the Friday
        // after that (14). Holidays are not modelled.
        for (text, days) in [
            ("1bd", 3),
            ("next-business-day", 3),
            ("2bd", 4),
            ("5bd", 7),
            ("6bd", 10),
            ("10bd", 14),
        ] {
            assert_eq!(parse_duration_hours(text), Some(days * 24), "{text}");
        }
        assert_eq!(parse_duration_hours("0bd"), Some(0));
        assert_eq!(parse_duration_hours("72h"), Some(72));
        assert_eq!(parse_duration_hours("3d"), Some(72));
        assert_eq!(
            parse_duration_hours("768614336404564651bd"),
            None,
            "checked, not wrapped"
        );
    }
}
