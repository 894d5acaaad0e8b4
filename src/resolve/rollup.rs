//! Roll-up: a parent control without a source of its own takes its children's owners (unless
//! the catalog says it carries a duty of its own). Uses the matrix rows and the catalog index.

use super::{Coverage, Provenance, Row, SourceKind, Summary};
use crate::model::catalog::Framework;
use crate::model::*;
use std::collections::BTreeSet;

/// Parents without a source of their own take their children's owners.
pub(super) fn roll_up(row: &mut Row, fw: &Framework, i: usize, at: &[usize], rows: &[Row]) {
    let children = || fw.children(i).iter().filter_map(|&c| rows.get(at[c]));
    let parts = children().count();
    let applicable = || children().filter(|r| r.summary != Summary::NotApplicable);
    let applicable_count = applicable().count();
    if applicable_count == 0 {
        if parts > 0 {
            row.summary = Summary::NotApplicable;
            // The parts' own reasons, once each: a paragraph whose every duty-bearing part is out
            // of a threshold's reach is N/A for that same reason.
            let mut reasons: Vec<&str> = Vec::new();
            for r in children() {
                if let Some(why) = r.reason.as_deref()
                    && !reasons.contains(&why)
                {
                    reasons.push(why);
                }
            }
            row.reason = Some(if reasons.is_empty() {
                "none of its parts applies".into()
            } else {
                format!("none of its parts applies: {}", reasons.join("; "))
            });
        }
        row.provenance.push(Provenance {
            kind: SourceKind::Rollup,
            detail: if parts == 1 {
                "rolled up from its 1 part, which does not apply".to_string()
            } else {
                format!("rolled up from {parts} parts, none applicable")
            },
            file: fw.controls[i].origin.file.clone(),
            line: fw.controls[i].origin.line,
            package: None,
        });
        return;
    }
    let mut responsible: BTreeSet<&str> = BTreeSet::new();
    let mut summary: Option<Summary> = None;
    let mut assigned = 0usize;
    let mut full = 0usize;
    for r in applicable().filter(|r| r.summary != Summary::Unassigned) {
        assigned += 1;
        summary = match summary {
            None => Some(r.summary),
            Some(s) if s == r.summary => Some(s),
            Some(_) => Some(Summary::Shared),
        };
        responsible.extend(r.responsible.iter().map(Party::as_str));
        if r.coverage == Coverage::Full {
            full += 1;
        }
    }
    row.summary = summary.unwrap_or(Summary::Unassigned);
    row.responsible = responsible.into_iter().map(Party::from).collect();
    row.coverage = if full == applicable_count {
        Coverage::Full
    } else if assigned == 0 {
        Coverage::None
    } else {
        Coverage::Partial
    };
    // Parents show their parts' owners, not a concatenation of their duties.
    row.provenance.push(Provenance {
        kind: SourceKind::Rollup,
        detail: format!(
            "rolled up from its {}: {assigned} assigned, {full} fully covered",
            if applicable_count == 1 {
                "1 applicable part".to_string()
            } else {
                format!("{applicable_count} applicable parts")
            }
        ),
        file: fw.controls[i].origin.file.clone(),
        line: fw.controls[i].origin.line,
        package: None,
    });
}
