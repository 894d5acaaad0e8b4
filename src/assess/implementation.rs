//! How far each party's part of a control is implemented, as far as the scope shows it: the
//! verdict an OSCAL plan's `implementation-status` renders. A pure function of the matrix and
//! the engine's verdict on every evidence entry; no I/O.
//!
//! A plan claims only what is known. Being assigned a duty is not having done it:
//!
//! - a party whose part is only partly covered (a crosswalk that covers part of the control)
//!   is `partial`;
//! - a party with an evidence entry of its own for the control that matches its pinned SHA-256
//!   and is fresh (within the age the enabled packs allow) is `implemented`, and the entry is
//!   named;
//! - any other responsible party is `planned`, and the verdict says why: no evidence of its
//!   own for the control, or evidence that is unpinned, changed, missing, stale, dated in the
//!   future or not judged for age;
//! - a documented HIPAA alternative measure (addressable decision `alternative`) is
//!   `alternative`; a control marked not applicable is `not-applicable` with its reason;
//!   nobody implements an unassigned control.

use super::evidence::{Freshness, Integrity};
use super::rules::EvidenceStatus;
use crate::model::{AddressableDecision, Party, Scope};
use crate::resolve::{Coverage, Matrix, Row, Summary};

/// The OSCAL implementation state a party's part can honestly claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Implemented,
    Partial,
    Planned,
    Alternative,
}

impl State {
    /// OSCAL's name of the state.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Implemented => "implemented",
            State::Partial => "partial",
            State::Planned => "planned",
            State::Alternative => "alternative",
        }
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One evidence entry as the verdict weighed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Weighed {
    pub file: String,
    /// The engine's verdicts on the entry (see [`EvidenceStatus`]).
    pub integrity: Integrity,
    pub freshness: Freshness,
}

impl Weighed {
    /// Pinned, matching its pin, and within the allowed age.
    pub fn is_current(&self) -> bool {
        self.integrity == Integrity::MatchesPin && self.freshness == Freshness::Fresh
    }
}

/// What a party's state rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// The party's evidence entries for the control that are pinned and fresh.
    CurrentEvidence(Vec<Weighed>),
    /// The party's part is only partly covered (the row's coverage).
    PartialCoverage,
    /// The scope holds no evidence entry of this party for the control.
    NoEvidence,
    /// The party's evidence entries for the control, none of them both pinned and fresh.
    EvidenceNotCurrent(Vec<Weighed>),
    /// The scope documents an alternative measure (HIPAA addressable decision).
    Alternative {
        alternative: Option<String>,
        rationale: Option<String>,
    },
}

/// One responsible party's part of a control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartStatus {
    pub party: Party,
    pub state: State,
    pub basis: Basis,
}

/// The implementation verdict on one matrix row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowStatus {
    /// Marked not applicable, with the scope's reason.
    NotApplicable { reason: Option<String> },
    /// Nobody owns it (or the sources conflict): nobody implements it.
    Unassigned,
    /// One verdict per responsible party, in the row's order.
    Parties(Vec<PartStatus>),
}

impl RowStatus {
    /// The verdict on one party's part, if it is responsible.
    pub fn part(&self, party: &str) -> Option<&PartStatus> {
        match self {
            RowStatus::Parties(parts) => parts.iter().find(|p| p.party == *party),
            _ => None,
        }
    }
}

/// The verdict on every row of a scope's matrix, in the matrix's order.
pub fn statuses(scope: &Scope, matrix: &Matrix, evidence: &[EvidenceStatus]) -> Vec<RowStatus> {
    matrix.rows.iter().map(|row| status(scope, row, evidence)).collect()
}

fn status(scope: &Scope, row: &Row, evidence: &[EvidenceStatus]) -> RowStatus {
    match row.summary {
        Summary::NotApplicable => {
            return RowStatus::NotApplicable {
                reason: row.reason.clone(),
            };
        }
        Summary::Unassigned => return RowStatus::Unassigned,
        _ => {}
    }
    let alternative = row
        .addressable
        .as_ref()
        .filter(|a| a.decision == AddressableDecision::Alternative);
    let parts = row
        .responsible
        .iter()
        .map(|party| {
            let (state, basis) = if let Some(a) = alternative {
                (
                    State::Alternative,
                    Basis::Alternative {
                        alternative: a.alternative.clone(),
                        rationale: a.rationale.clone(),
                    },
                )
            } else if row.coverage == Coverage::Partial {
                (State::Partial, Basis::PartialCoverage)
            } else {
                let own = own_evidence(scope, row, party, evidence);
                if own.is_empty() {
                    (State::Planned, Basis::NoEvidence)
                } else if own.iter().any(Weighed::is_current) {
                    (
                        State::Implemented,
                        Basis::CurrentEvidence(own.into_iter().filter(Weighed::is_current).collect()),
                    )
                } else {
                    (State::Planned, Basis::EvidenceNotCurrent(own))
                }
            };
            PartStatus {
                party: party.clone(),
                state,
                basis,
            }
        })
        .collect();
    RowStatus::Parties(parts)
}

/// The party's own evidence entries for the row's control, with the engine's verdicts.
fn own_evidence(scope: &Scope, row: &Row, party: &Party, evidence: &[EvidenceStatus]) -> Vec<Weighed> {
    let mut out: Vec<Weighed> = Vec::new();
    for (index, e) in scope.evidence.iter().enumerate() {
        let Some(e) = e else { continue };
        if e.owner != **party || !e.controls.iter().any(|c| **c == *row.control) {
            continue;
        }
        let Some(verdict) = evidence.iter().find(|s| s.index == index) else {
            continue;
        };
        out.push(Weighed {
            file: e.file.clone(),
            integrity: verdict.integrity,
            freshness: verdict.freshness,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weighed(integrity: Integrity, freshness: Freshness) -> Weighed {
        Weighed {
            file: "evidence/a.md".into(),
            integrity,
            freshness,
        }
    }

    #[test]
    fn only_pinned_and_fresh_evidence_is_current() {
        assert!(weighed(Integrity::MatchesPin, Freshness::Fresh).is_current());
        for (i, f) in [
            (Integrity::Unpinned, Freshness::Fresh),
            (Integrity::Changed, Freshness::Fresh),
            (Integrity::Missing, Freshness::Fresh),
            (Integrity::MatchesPin, Freshness::Stale),
            (Integrity::MatchesPin, Freshness::NotAssessed),
            (Integrity::MatchesPin, Freshness::Future),
        ] {
            assert!(!weighed(i, f).is_current(), "{i} {f}");
        }
    }
}
