//! Stale decisions: the scope's own client-owned entries and `responsible: undecided` stubs that
//! a higher source now overrides, kept on the matrix for assess to report. Uses the matrix rows.

use super::{Row, SourceKind, StaleDecision, StaleEntry, Staleness, Summary};
use crate::model::*;

/// The scope's own client-owned entries that decide no row (a higher source decides their
/// control and everything under it) and its `responsible: undecided` stubs whose control is
/// decided all the same: each with what decides its control's row now.
pub(super) fn shadowed(scope: &Scope, rows: &[Row]) -> Vec<StaleDecision> {
    let own_entries = scope.client_owned.iter().flatten().any(|c| c.package.is_none());
    let own_stubs = scope
        .assignments
        .iter()
        .flatten()
        .any(|a| a.package.is_none() && a.is_undecided());
    if !own_entries && !own_stubs {
        return Vec::new();
    }
    let deciding: rustc_hash::FxHashSet<(&str, usize)> = rows
        .iter()
        .flat_map(|r| &r.provenance)
        .filter(|p| p.kind == SourceKind::ClientOwned)
        .map(|p| (&*p.file, p.line))
        .collect();
    // Looked up only for the entries that turn out stale (and for stubs, rare outside a review).
    let row_of = |control: &str| rows.iter().find(|r| &*r.control == control);
    let mut out = Vec::new();
    for c in scope.client_owned.iter().flatten().filter(|c| c.package.is_none()) {
        if deciding.contains(&(&*c.origin.file, c.origin.line)) {
            continue;
        }
        if let Some(row) = row_of(&c.control)
            && let Some(by) = row.provenance.first()
        {
            out.push(StaleDecision {
                file: c.origin.file.clone(),
                line: c.origin.line,
                column: c.origin.column,
                control: row.control.clone(),
                entry: StaleEntry::ClientOwned,
                how: Staleness::Shadowed,
                by: by.clone(),
            });
        }
    }
    for a in scope
        .assignments
        .iter()
        .flatten()
        .filter(|a| a.package.is_none() && a.is_undecided())
    {
        if let Some(row) = row_of(&a.control).filter(|r| r.summary != Summary::Unassigned && !r.conflict)
            && let Some(by) = row.provenance.first()
        {
            out.push(StaleDecision {
                file: a.origin.file.clone(),
                line: a.origin.line,
                column: a.origin.column,
                control: row.control.clone(),
                entry: StaleEntry::Undecided,
                how: Staleness::Shadowed,
                by: by.clone(),
            });
        }
    }
    out
}
