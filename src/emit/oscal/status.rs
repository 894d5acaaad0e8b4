//! Implementation status in OSCAL's words: each responsible party's state with remarks that say
//! what it rests on (the plan's by-components), and a row's state as a whole (the results'
//! findings). Renders the verdicts of `assess::implementation`; decides none.

use crate::assess::implementation::{Basis, PartStatus, RowStatus, State};
use crate::model::Scope;
use serde_json::{Value, json};

/// Who a party is, in words for remarks.
fn party_words(scope: &Scope, party: &str) -> String {
    match party {
        "msp" => "The MSP".to_string(),
        "client" => "The client".to_string(),
        other => scope
            .parties()
            .find(|p| p.id == other)
            .map_or_else(|| format!("Party `{other}`"), |p| p.name.clone()),
    }
}

/// A party's implementation status as OSCAL has it, with remarks that say what it rests on.
pub fn part_status(scope: &Scope, part: &PartStatus) -> Value {
    let who = party_words(scope, &part.party);
    let remarks = match &part.basis {
        Basis::CurrentEvidence(files) => format!(
            "{who} holds evidence for this control that matches its pinned SHA-256 and is within the allowed age: {}.",
            files
                .iter()
                .map(|w| format!("`{}`", w.file))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Basis::PartialCoverage => format!(
            "{who} is assigned this control, but only part of it is covered (a crosswalk covers part of the duty)."
        ),
        Basis::NoEvidence => format!(
            "{who} is assigned this control; the scope holds no evidence of its own for it, so it is planned, not shown implemented."
        ),
        Basis::EvidenceNotCurrent(list) => format!(
            "{who} is assigned this control; its evidence is not both pinned and fresh: {}.",
            list.iter()
                .map(|w| format!("`{}` (integrity {}, freshness {})", w.file, w.integrity, w.freshness))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Basis::Alternative { alternative, rationale } => {
            let text = [alternative.as_deref(), rationale.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n\n");
            if text.is_empty() {
                "The scope documents an alternative measure (HIPAA addressable decision) without describing it.".into()
            } else {
                text
            }
        }
    };
    json!({ "state": part.state.as_str(), "remarks": remarks })
}

/// The implementation status of a row as a whole, for findings: `not-applicable`, the state
/// of every responsible party when they agree, else the least advanced of them; none when
/// nobody owns it.
pub fn row_status(status: &RowStatus) -> Option<Value> {
    match status {
        RowStatus::NotApplicable { reason } => Some(json!({ "state": "not-applicable", "remarks": reason })),
        RowStatus::Unassigned => None,
        RowStatus::Parties(parts) => {
            let rank = |s: State| match s {
                State::Planned => 0,
                State::Partial => 1,
                State::Alternative => 2,
                State::Implemented => 3,
            };
            parts
                .iter()
                .map(|p| p.state)
                .min_by_key(|s| rank(*s))
                .map(|s| json!({ "state": s.as_str() }))
        }
    }
}
