//! Third parties a scope, package or the workspace declares (`parties:`): who engaged them,
//! their business associate agreement and authorization, and the access they have.

use super::Origin;
use serde::{Deserialize, Serialize};

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
