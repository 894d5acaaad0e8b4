//! The workspace config (`ctrlmap.yaml`): the provider's name, the gate's `fail_on` and
//! severity overrides.

use super::Origin;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
