//! Policy packs: which regulation-aware rules run for a scope, at what severity, with what
//! parameters. Built-in rule kinds are code (in `assess`); a pack may add custom rules whose
//! condition is a minijinja expression over the matrix row, the control and the scope.

use crate::model::Origin;
use crate::model::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Pack {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub framework: Option<String>,
    #[serde(default)]
    pub rules: Vec<PolicyRule>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RuleKind {
    AccountabilityNonDelegable,
    NotificationWindow,
    EvidenceRequired,
    EvidenceFileMissing,
    EvidenceTampered,
    EvidenceUnpinned,
    EvidenceStale,
    Custom,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Params {
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub margin: Option<String>,
    #[serde(default)]
    pub controls: Vec<String>,
    /// evidence-required: also every applicable control for which a subscribed service
    /// promises evidence (its `evidence:` list) must have evidence on file.
    #[serde(default)]
    pub promised: bool,
    #[serde(default)]
    pub max_age_days: Option<i64>,
    #[serde(default)]
    pub max_age_days_by_control: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PolicyRule {
    pub code: String,
    pub kind: RuleKind,
    pub severity: Severity,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub params: Params,
    #[serde(default)]
    pub when: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
    /// Where `when` and `message` sit in the pack file (for run-time errors, E021).
    #[serde(skip)]
    pub when_at: crate::model::Pos,
    #[serde(skip)]
    pub message_at: crate::model::Pos,
}

impl Pack {
    /// Is the pack enabled for a scope with these frameworks?
    pub fn enabled_for(&self, frameworks: &[String]) -> bool {
        self.framework.as_ref().is_none_or(|f| frameworks.contains(f))
    }
}
