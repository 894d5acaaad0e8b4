//! The MSP's services (`services/*.yaml`): their options and the controls each claims, with how
//! the duty is split between the MSP and the client.

use super::{Origin, lenient};
use serde::{Deserialize, Serialize};

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
