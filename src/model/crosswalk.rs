//! Crosswalks (`crosswalks/*.yaml`): how a regulation's controls map to CSF 2.0 outcomes, each
//! mapping with its relationship and justification, and the controls left unmapped.

use super::{Origin, SourceRef, lenient};
use serde::{Deserialize, Serialize};

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
