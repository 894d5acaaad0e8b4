//! A client's scope (`scopes/*.yaml`): the client and its declared profile, the package and
//! services it subscribes to, SLA terms, the assessment record, and its decisions about controls
//! (assignments, client-owned, not-applicable, addressable decisions), evidence and waivers. The
//! provider and third parties it declares are in [`super::provider`] and [`super::third_party`].

use super::{NoticeContact, Origin, Pos, Provider, Retention, ThirdParty, lenient};
use serde::{Deserialize, Serialize};

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
    pub(super) fn position(&self, pointer: &str) -> Option<Pos> {
        self.positions
            .binary_search_by(|(p, _)| p.as_str().cmp(pointer))
            .ok()
            .map(|k| self.positions[k].1)
    }

    pub fn parties(&self) -> impl Iterator<Item = &ThirdParty> {
        self.parties.iter().flatten()
    }
}
