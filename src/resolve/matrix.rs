//! The responsibility matrix `resolve` produces: one [`Row`] per control with its owners
//! (RACI), summary, coverage, provenance and conflicts, the crosswalk candidates, the stale
//! decisions and the frameworks excluded. Plain data over `model`; assess and emit read it.

use crate::model::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Who owns a control, in one word.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Summary {
    Msp,
    Client,
    Shared,
    ThirdParty,
    Unassigned,
    NotApplicable,
}

impl Summary {
    pub const ALL: [Summary; 6] = [
        Summary::Msp,
        Summary::Client,
        Summary::Shared,
        Summary::ThirdParty,
        Summary::Unassigned,
        Summary::NotApplicable,
    ];

    /// The summary as JSON and CSV write it (`third-party`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn label(self) -> &'static str {
        match self {
            Summary::Msp => "MSP",
            Summary::Client => "Client",
            Summary::Shared => "Shared",
            Summary::ThirdParty => "Third party",
            Summary::Unassigned => "Unassigned",
            Summary::NotApplicable => "N/A",
        }
    }
}

/// How completely the deciding source covers the control.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Coverage {
    Full,
    Partial,
    None,
}

/// What kind of source decided (part of) a row.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum SourceKind {
    Applicability,
    Assignment,
    NotApplicable,
    Service,
    ClientOwned,
    Crosswalk,
    Rollup,
    Default,
}

/// One link in the chain that explains a row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Provenance {
    pub kind: SourceKind,
    /// What the source says, in words.
    pub detail: String,
    pub file: Arc<str>,
    pub line: usize,
    /// The package the source comes from (its entry, or its subscription to a service).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<Arc<str>>,
}

impl Provenance {
    pub(super) fn new(kind: SourceKind, detail: String, origin: &Origin) -> Self {
        Provenance {
            kind,
            detail,
            file: origin.file.clone(),
            line: origin.line,
            package: None,
        }
    }

    pub(super) fn in_package(mut self, package: &FromPackage) -> Self {
        self.package = package.clone();
        self
    }
}

/// A scope's own decision that a higher source overrides.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct StaleDecision {
    /// Where the entry is written.
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
    /// `framework:id` the entry names.
    pub control: Arc<str>,
    pub entry: StaleEntry,
    pub how: Staleness,
    /// What decides the row now (`Shadowed`), or the crosswalk row through which a subscribed
    /// service would decide it (`OutranksSubscription`).
    pub by: Provenance,
}

/// Which kind of entry went stale.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum StaleEntry {
    /// A `client_owned` entry.
    ClientOwned,
    /// An assignment that still says `responsible: undecided`.
    Undecided,
}

/// How a higher source overrides the entry.
#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Staleness {
    /// The entry decides no row any more: a higher source decides its control.
    Shadowed,
    /// The client-owned entry still decides its control, but only because client-owned
    /// entries outrank crosswalk projection: a subscribed service claims a CSF 2.0 outcome
    /// that contains the whole control (`equal`/`subset-of`).
    OutranksSubscription,
}

/// One control of one scope: who does what, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `framework:id`.
    pub control: Arc<str>,
    pub framework: Arc<str>,
    pub id: Arc<str>,
    pub title: Arc<str>,
    pub level: Arc<str>,
    pub depth: usize,
    /// A leaf that carries a duty (where duties are assigned); others roll up.
    pub assignable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<Requirement>,
    pub summary: Summary,
    pub coverage: Coverage,
    pub responsible: Vec<Party>,
    pub accountable: Party,
    pub consulted: Vec<Party>,
    pub informed: Vec<Party>,
    /// Duties per party, in the words of the services and the scope.
    pub duties: BTreeMap<Party, Vec<String>>,
    /// Evidence the services say they produce for this control.
    pub evidence: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// True when sources at the deciding level disagree (see `conflicts`).
    pub conflict: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Provenance>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addressable: Option<Box<AddressableNote>>,
    /// For an unassigned control: CSF 2.0 outcomes that only intersect it, and their owners.
    pub candidates: Vec<Candidate>,
    /// Why the control applies although the catalog makes it conditional: the fact that
    /// decides it is not declared (an undeclared fact never removes a duty).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applicability: Option<String>,
    pub provenance: Vec<Provenance>,
}

/// A CSF 2.0 outcome that a crosswalk links to an unassigned regulation control only
/// through `intersects-with` or `superset-of`: a lead for whoever assigns the control, never
/// its owner (the outcome does not contain the whole duty).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Candidate {
    /// `csf-2.0:PR.AA-03`.
    pub control: Arc<str>,
    pub relationship: Relationship,
    /// Who owns the outcome in this scope.
    pub summary: Summary,
    pub responsible: Vec<String>,
    /// What decided the outcome's owner, e.g. "service `m365-identity` (…) claims it: split msp".
    pub via: String,
    /// The crosswalk row.
    pub file: Arc<str>,
    pub line: usize,
}

impl Candidate {
    /// "CSF 2.0 PR.AA-03 (intersects-with), owned by the MSP through service `m365-identity`".
    pub fn describe(&self) -> String {
        let id = self.control.split_once(':').map_or(&*self.control, |(_, id)| id);
        let owner = match self.summary {
            Summary::Msp => "the MSP".to_string(),
            Summary::Client => "the client".to_string(),
            Summary::Shared => format!("{} (shared)", self.responsible.join(" and ")),
            Summary::ThirdParty => format!("third party {}", self.responsible.join(", ")),
            Summary::Unassigned | Summary::NotApplicable => "nobody".to_string(),
        };
        format!(
            "CSF 2.0 {id} ({}), owned by {owner} through {}",
            self.relationship.as_str(),
            self.via
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AddressableNote {
    pub decision: AddressableDecision,
    pub rationale: Option<String>,
    pub alternative: Option<String>,
    pub file: Arc<str>,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkRef {
    pub id: String,
    pub title: String,
    pub version: String,
    pub citation: String,
    /// Why the framework applies to this client, citing the profile fact and the rule.
    pub reason: String,
}

/// A catalog of the workspace that does not apply to a scope, and why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct FrameworkExclusion {
    pub id: String,
    pub title: String,
    /// The catalog's citation, e.g. `16 CFR Part 314`.
    pub citation: String,
    /// Why it does not apply: what the scope declares (or does not), and the provision that
    /// decides, quoted from the catalog's `applies_to` and `institution_types`.
    pub reason: String,
}

impl FrameworkExclusion {
    /// `16 CFR Part 314 does not apply: …`.
    pub fn sentence(&self) -> String {
        format!("{} does not apply: {}", self.citation, self.reason)
    }
}

/// The responsibility matrix of one scope.
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    pub scope: String,
    pub client: String,
    pub frameworks: Vec<FrameworkRef>,
    /// Every other catalog of the workspace, with why it does not apply to this client.
    pub frameworks_not_applicable: Vec<FrameworkExclusion>,
    pub rows: Vec<Row>,
    /// The scope's own decisions a higher source overrides, by place.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stale: Vec<StaleDecision>,
}

impl Matrix {
    pub fn row(&self, control: &str) -> Option<&Row> {
        self.rows.iter().find(|r| &*r.control == control)
    }

    /// Why a framework does not apply to this scope, when it is a catalog of the workspace
    /// that does not.
    pub fn exclusion(&self, framework: &str) -> Option<&FrameworkExclusion> {
        self.frameworks_not_applicable.iter().find(|x| x.id == framework)
    }
}
