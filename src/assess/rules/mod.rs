//! The regulation-aware rules that policy packs enable: which rule of which pack runs for a
//! scope ([`pack_findings`]), and the helpers every rule shares to word and raise its finding.
//! Pure functions of the loaded workspace, the matrix and the as-of date; no I/O (evidence files
//! were hashed by `load`). May use `model`, `resolve` and `assess`'s finding types.
//!
//! One file per concern: `catalog` (rules from the catalogs' data), `accountability`,
//! `notice` (notice statuses and CM008), `evidence_status` (evidence statuses and evidence
//! rules), `custom` (the custom-rule engine). Waivers are in `assess::waivers`.

mod accountability;
mod catalog;
mod custom;
mod evidence_status;
mod notice;

pub use catalog::catalog_findings;
pub use evidence_status::{EvidenceStatus, evidence_statuses};
pub use notice::{NoticeVerdict, NotificationStatus, notification_statuses};

use accountability::accountability;
use custom::custom;
use evidence_status::{evidence_files, evidence_required, evidence_stale};
use notice::notification_findings;

use crate::assess::{Finding, Overrides, make};
use crate::model::Workspace;
use crate::model::diagnostic::Diagnostic;
use crate::model::policy::{PolicyRule, RuleKind};
use crate::model::{Origin, Scope};
use crate::resolve::Matrix;
use std::collections::BTreeMap;

fn hours_text(h: u64) -> String {
    if h.is_multiple_of(24) && h >= 168 {
        format!("{} days", h / 24)
    } else {
        format!("{h} hours")
    }
}

fn rule_name(rule: &PolicyRule) -> String {
    crate::assess::rule(&rule.code)
        .map(|r| r.name.to_string())
        .unwrap_or_else(|| {
            rule.title
                .clone()
                .unwrap_or_else(|| <&str>::from(rule.kind).to_string())
        })
}

/// Findings of every rule of every pack enabled for this scope.
///
/// A custom rule that fails while it is evaluated (E021) is returned as a diagnostic, not a
/// finding: the caller must stop, since the result would be wrong.
pub fn pack_findings(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    notifications: &[NotificationStatus],
    overrides: &Overrides,
    as_of: time::Date,
) -> (Vec<Finding>, Vec<Diagnostic>) {
    let frameworks = super::frameworks_of(matrix);
    let mut out = Vec::new();
    let mut failures = Vec::new();
    for pack in ws.packs.values().filter(|p| p.enabled_for(&frameworks)) {
        for rule in &pack.rules {
            let fw = pack.framework.as_deref();
            let found = match rule.kind {
                RuleKind::AccountabilityNonDelegable => accountability(ws, scope, matrix, rule, fw, overrides),
                // Raised once for all packs from the notification statuses (below).
                RuleKind::NotificationWindow => Vec::new(),
                RuleKind::EvidenceRequired => evidence_required(ws, scope, matrix, rule, overrides),
                RuleKind::EvidenceFileMissing | RuleKind::EvidenceTampered | RuleKind::EvidenceUnpinned => {
                    evidence_files(scope, rule, overrides)
                }
                RuleKind::EvidenceStale => evidence_stale(ws, scope, rule, fw, overrides, as_of),
                RuleKind::Custom => {
                    let (found, failure) = custom(ws, scope, matrix, rule, fw, overrides);
                    failures.extend(failure);
                    found
                }
            };
            out.extend(found);
        }
    }
    out.extend(notification_findings(ws, scope, notifications, overrides));
    // The same finding from two packs keeps the higher severity.
    let mut by_fp: BTreeMap<String, Finding> = BTreeMap::new();
    for f in out {
        match by_fp.get(&f.fingerprint) {
            Some(prev) if prev.severity >= f.severity => {}
            _ => {
                by_fp.insert(f.fingerprint.clone(), f);
            }
        }
    }
    (by_fp.into_values().collect(), failures)
}

fn emit(
    scope: &Scope,
    control: &str,
    rule: &PolicyRule,
    message: String,
    at: &Origin,
    disc: &str,
    overrides: &Overrides,
) -> Option<Finding> {
    make(
        scope,
        control,
        &rule.code,
        &rule_name(rule),
        rule.severity,
        message,
        at,
        disc,
        overrides,
    )
}

/// A finding message from a template: at most 2,000 characters.
fn short_message(text: &str) -> String {
    crate::model::text::shorten(text, 2_000)
}

/// A control's title in a finding message: at most 80 characters.
pub(super) fn short(title: &str) -> String {
    crate::model::text::shorten(title, 80)
}

#[cfg(test)]
mod tests;
