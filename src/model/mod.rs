//! The typed model of everything ctrlmap reads: catalogs, crosswalks, services, scopes and
//! the workspace config. Field docs are written for the person who writes the YAML; the JSON
//! Schemas in `schemas/` say the same in their `description`s.
//!
//! These types are built only from documents that passed their JSON Schema (or from the
//! well-formed parts of those that did not), so they can trust their shape.

pub mod catalog;
pub mod codes;
mod config;
mod controls;
mod crosswalk;
pub mod date;
pub mod diagnostic;
pub mod digest;
pub mod package;
mod party;
pub mod policy;
mod provider;
mod scope;
mod services;
pub mod text;
mod third_party;
pub mod workspace;

pub use config::Config;
pub use controls::{
    AppliesTo, Catalog, Clock, Condition, Control, Deadline, EffectiveDate, Example, Exemption, FactTest,
    InstitutionType, MAX_DURATION_HOURS, OwnDuty, OwnDutyDecision, ProfileRule, Requirement, Retained, RetainedParts,
    Role, SourceRef, Threshold, parse_duration_hours,
};
pub use crosswalk::{Crosswalk, Mapping, MappingJustification, Relationship, Unmapped};
pub use party::Party;
pub use provider::{
    AssessmentKind, AtTermination, Attestation, Clause, NoticeContact, Provider, ProviderAssessment, Retention, Topic,
};
pub use scope::{
    Addressable, AddressableDecision, AssessmentRecord, Assignment, Client, ClientOwned, Evidence, FromPackage,
    NotApplicable, OneOrMany, Period, Profile, Scope, Signatory, Sla, Subscription, UNDECIDED, Waiver,
};
pub use services::{Claim, Service, ServiceOption, Split};
pub use third_party::{Authorization, EngagedBy, ThirdParty};
pub use workspace::Workspace;

use serde::{Deserialize, Deserializer, Serialize};

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
