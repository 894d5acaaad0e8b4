//! Engagement packages and the MSP's own parties: what an MSP decides once for many clients.
//!
//! A *package* (`packages/*.yaml`) is one of the MSP's standard engagements — a fully managed
//! healthcare tier, a co-managed security tier: the services with options, the engagement
//! model, SLA terms, assignments with their duties, client-owned and not-applicable controls,
//! addressable decisions, the evidence it promises and the parties it brings. A scope names its
//! package and states only what differs. A package may build on another (`extends`).
//!
//! A *workspace party* (`parties/*.yaml`) is a third party the MSP uses for many clients (its
//! SOC, its offsite backup storage, its RMM vendor), declared once with its BAA status; packages
//! and scopes name it by id, so a status changed once changes every client's answer.
//!
//! Precedence, highest first: the scope's own assignment or not-applicable → the package's
//! (a package's over the one it builds on) → subscribed services' claims → client-owned
//! controls (the scope's and its package's) → crosswalk projection. For what is not a decision
//! about a control: the scope's value of a field wins over its package's (model, each SLA
//! window, a service subscribed in both with other options, an addressable decision on the same
//! control); lists are joined (services, parties, evidence).

use super::{
    Addressable, Assignment, ClientOwned, EngagedBy, Evidence, NotApplicable, Origin, Sla, Subscription, ThirdParty,
};
use serde::{Deserialize, Serialize};

/// One of the MSP's standard engagements (`kind: package`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Package {
    /// Stable id; scopes name it in `package:`.
    pub id: String,
    /// The engagement's name as the MSP sells it.
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    /// The package this one builds on: its entries apply unless this package decides the same
    /// control (or sets the same field) itself.
    #[serde(default)]
    pub extends: Option<String>,
    /// Engagement model: `fully-managed`, `co-managed` or `partial`.
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default, deserialize_with = "super::lenient")]
    pub services: Vec<Option<Subscription>>,
    #[serde(default)]
    pub sla: Option<Sla>,
    /// Workspace parties (`parties/ID.yaml`) every client of the package works with, by id.
    #[serde(default)]
    pub parties: Vec<String>,
    #[serde(default, deserialize_with = "super::lenient")]
    pub assignments: Vec<Option<Assignment>>,
    #[serde(default, deserialize_with = "super::lenient")]
    pub client_owned: Vec<Option<ClientOwned>>,
    #[serde(default, deserialize_with = "super::lenient")]
    pub not_applicable: Vec<Option<NotApplicable>>,
    #[serde(default, deserialize_with = "super::lenient")]
    pub addressable: Vec<Option<Addressable>>,
    /// Evidence every client of the package shares (the MSP's own reports and policies).
    #[serde(default, deserialize_with = "super::lenient")]
    pub evidence: Vec<Option<Evidence>>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
}

/// A third party declared once for the workspace (`kind: party`, `parties/*.yaml`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PartyFile {
    /// Id that packages and scopes name the party by, and that assignments use as a party.
    pub id: String,
    pub name: String,
    /// What kind of party: `cloud-provider`, `software-vendor`, `subcontractor`, `auditor` or
    /// `other` (the `kind` of a party a scope declares itself).
    pub category: String,
    /// A business associate agreement covers the party.
    #[serde(default)]
    pub baa: Option<bool>,
    /// Whose vendor it is: `msp` (the MSP's subcontractor) or `client`.
    #[serde(default)]
    pub engaged_by: Option<EngagedBy>,
    /// Whether it creates, receives, maintains or transmits ePHI (unset counts as yes).
    #[serde(default)]
    pub ephi: Option<bool>,
    /// What it performs for the MSP's clients, in plain words.
    #[serde(default)]
    pub performs: Option<String>,
    /// An authorization of the party's system that is relied on (e.g. a FedRAMP
    /// authorization): its title and the date it was granted. Only a declared one becomes an
    /// OSCAL leveraged authorization.
    #[serde(default)]
    pub authorization: Option<crate::model::Authorization>,
    #[serde(default)]
    pub note: Option<String>,
}

impl PartyFile {
    /// The party as a scope holds it.
    pub fn into_party(self, origin: Origin, baa_at: Origin) -> ThirdParty {
        ThirdParty {
            id: self.id,
            name: self.name,
            kind: self.category,
            baa: self.baa,
            engaged_by: self.engaged_by,
            ephi: self.ephi,
            authorization: self.authorization,
            performs: self.performs,
            note: self.note,
            origin,
            baa_at,
            shared: true,
        }
    }
}

/// Everything a scope inherits from its package chain, flattened once per package: the
/// nearest package's entries first, each entry marked with the package that declares it and
/// pointing at its line there.
#[derive(Debug, Clone, Default)]
pub struct Inherited {
    /// The chain: the package itself, then the one it builds on, and so on.
    pub chain: Vec<std::sync::Arc<str>>,
    pub model: Option<String>,
    pub services: Vec<Subscription>,
    pub sla: Sla,
    pub parties: Vec<ThirdParty>,
    pub assignments: Vec<Assignment>,
    pub client_owned: Vec<ClientOwned>,
    pub not_applicable: Vec<NotApplicable>,
    pub addressable: Vec<Addressable>,
    pub evidence: Vec<Evidence>,
    /// Positions of the inherited fields (`/sla/incident_notification`, `@ID/evidence/0/file`),
    /// sorted by pointer.
    pub positions: Vec<(String, Origin)>,
}
