//! Evidence statuses and the evidence pack rules: each evidence entry's age, freshness and
//! integrity ([`EvidenceStatus`]), and the `evidence-required`, `evidence-promised`,
//! `evidence-file-*` and `evidence-stale` findings. Uses the model, the resolved matrix and
//! `assess::evidence`'s verdict enums; no I/O (files were hashed by `load`).

use super::{emit, short};
use crate::assess::evidence::{Freshness, Integrity};
use crate::assess::{Finding, Overrides};
use crate::model::Scope;
use crate::model::Workspace;
use crate::model::date::parse_ymd;
use crate::model::policy::{PolicyRule, RuleKind};
use crate::resolve::{Matrix, Summary};

/// What the engine decided about one evidence entry: its age, the maximum age the enabled
/// packs allow for the controls it supports (the strictest), freshness and integrity. CM010,
/// CM011 and CM012 say the same; every document shows these.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EvidenceStatus {
    /// Position of the entry in the scope's `evidence:` list.
    pub index: usize,
    pub file: String,
    pub effective: String,
    /// Days from `effective` to the as-of date (`None` for an unreadable date).
    pub age_days: Option<i64>,
    /// The strictest maximum age of the enabled `evidence-stale` rules for its controls
    /// (`None`: no enabled rule judges its age).
    pub max_age_days: Option<i64>,
    /// `fresh`, `stale`, `future` (dated after the as-of date), `unknown` (no readable date) or
    /// `not-assessed` (no rule judges it).
    pub freshness: Freshness,
    /// `matches-pin`, `unpinned`, `changed` (differs from the pin) or `missing`.
    pub integrity: Integrity,
}

/// The maximum age an `evidence-stale` rule allows for an evidence entry, when the rule judges
/// it (the entry supports a control of the rule's framework).
fn max_age_for(rule: &PolicyRule, fw: Option<&str>, controls: &[String]) -> Option<i64> {
    let relevant: Vec<&String> = controls
        .iter()
        .filter(|c| fw.is_none_or(|f| c.split_once(':').is_some_and(|(x, _)| x == f)))
        .collect();
    if relevant.is_empty() {
        return None;
    }
    Some(
        relevant
            .iter()
            .filter_map(|c| rule.params.max_age_days_by_control.get(*c).copied())
            .min()
            .or(rule.params.max_age_days)
            .unwrap_or(365),
    )
}

/// Every evidence entry of the scope with the engine's verdict on its age and integrity, under
/// the policy packs enabled for `frameworks` (the frameworks that apply to the scope, as its
/// matrix lists them).
pub fn evidence_statuses(
    ws: &Workspace,
    scope: &Scope,
    frameworks: &[String],
    as_of: time::Date,
) -> Vec<EvidenceStatus> {
    let stale_rules: Vec<(&PolicyRule, Option<&str>)> = ws
        .packs
        .values()
        .filter(|p| p.enabled_for(frameworks))
        .flat_map(|p| p.rules.iter().map(move |r| (r, p.framework.as_deref())))
        .filter(|(r, _)| r.kind == RuleKind::EvidenceStale)
        .collect();
    scope
        .evidence
        .iter()
        .enumerate()
        .filter_map(|(index, e)| e.as_ref().map(|e| (index, e)))
        .map(|(index, e)| {
            let age = parse_ymd(&e.effective).map(|d| (as_of - d).whole_days());
            let max_age = stale_rules
                .iter()
                .filter_map(|(r, fw)| max_age_for(r, *fw, &e.controls))
                .min();
            let freshness = match (age, max_age) {
                (None, _) => Freshness::Unknown,
                (Some(a), _) if a < 0 => Freshness::Future,
                (Some(_), None) => Freshness::NotAssessed,
                (Some(a), Some(m)) if a <= m => Freshness::Fresh,
                _ => Freshness::Stale,
            };
            let integrity = Integrity::of(e.found_sha256.as_deref(), e.sha256.as_deref());
            EvidenceStatus {
                index,
                file: e.file.clone(),
                effective: e.effective.clone(),
                age_days: age,
                max_age_days: max_age,
                freshness,
                integrity,
            }
        })
        .collect()
}

fn supports(ws: &Workspace, listed: &str, required: &str) -> bool {
    if listed == required {
        return true;
    }
    let (Some((fa, a)), Some((fb, b))) = (listed.split_once(':'), required.split_once(':')) else {
        return false;
    };
    if fa != fb {
        return false;
    }
    let Some(fw) = ws.framework(fa) else { return false };
    match (fw.index(a), fw.index(b)) {
        (Some(ia), Some(ib)) => fw.is_within(ia, ib),
        _ => false,
    }
}

pub(super) fn evidence_required(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    rule: &PolicyRule,
    overrides: &Overrides,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for required in &rule.params.controls {
        let Some(row) = matrix.row(required) else { continue };
        if row.summary == Summary::NotApplicable {
            continue;
        }
        let has = scope
            .evidence
            .iter()
            .flatten()
            .any(|e| e.controls.iter().any(|c| supports(ws, c, required)));
        if !has {
            let at = if scope.evidence.is_empty() {
                scope.origin.clone()
            } else {
                scope.locate("/evidence")
            };
            let message = format!(
                "{} ({}) needs evidence on file and the scope lists none. Add an `evidence:` entry naming the file, the controls it supports, its owner and the date it was effective.",
                row.control,
                short(&row.title)
            );
            out.extend(emit(scope, required, rule, message, &at, "", overrides));
        }
    }
    if rule.params.promised {
        out.extend(evidence_promised(ws, scope, matrix, rule, overrides));
    }
    out
}

/// CM009 for every applicable control a subscribed service promises evidence for and that
/// no evidence entry supports (a rule with `promised: true`). A control the rule also lists
/// gets one finding (the same fingerprint).
fn evidence_promised(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    rule: &PolicyRule,
    overrides: &Overrides,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for row in matrix
        .rows
        .iter()
        .filter(|r| !r.evidence.is_empty() && r.summary != Summary::NotApplicable)
    {
        if rule.params.controls.iter().any(|c| **c == *row.control) {
            continue;
        }
        let has = scope
            .evidence
            .iter()
            .flatten()
            .any(|e| e.found_sha256.is_some() && e.controls.iter().any(|c| supports(ws, c, &row.control)));
        if has {
            continue;
        }
        let at = if scope.evidence.is_empty() {
            scope.origin.clone()
        } else {
            scope.locate("/evidence")
        };
        let message = format!(
            "{} ({}): the subscribed services promise evidence for it ({}), and none is on file. Add an `evidence:` entry naming the file, the controls it supports, its owner and the date it was effective.",
            row.control,
            short(&row.title),
            row.evidence.join("; ")
        );
        out.extend(emit(scope, &row.control, rule, message, &at, "", overrides));
    }
    out
}

pub(super) fn evidence_files(scope: &Scope, rule: &PolicyRule, overrides: &Overrides) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in scope.evidence.iter().flatten() {
        let control = e.controls.first().cloned().unwrap_or_default();
        let message = match (rule.kind, &e.found_sha256, &e.sha256) {
            (RuleKind::EvidenceFileMissing, None, _) => format!(
                "evidence file `{}` does not exist in the workspace. Add the file or fix the path.",
                e.file
            ),
            (RuleKind::EvidenceTampered, Some(found), Some(pinned)) if found != pinned => format!(
                "evidence file `{}` has SHA-256 {found}, but the scope pins {pinned}: the file changed after it was recorded. Restore the original, or re-collect the evidence and pin the new hash.",
                e.file
            ),
            (RuleKind::EvidenceUnpinned, Some(found), None) => match e.origin.pointer.strip_prefix('@') {
                // An entry of the package: pinned there, once for every client of the package.
                Some(_) => format!(
                    "evidence file `{}` comes from the scope's package, which pins no SHA-256 for it, so a later change to the file would go unnoticed. Add `sha256: {found}` to the package's entry.",
                    e.file
                ),
                None => format!(
                    "evidence file `{}` has no pinned SHA-256, so a later change to the file would go unnoticed. Run `ctrlmap evidence pin {}` to pin it ({found}).",
                    e.file, scope.origin.file
                ),
            },
            _ => continue,
        };
        let at = scope.locate(&format!("{}/file", e.origin.pointer));
        out.extend(emit(scope, &control, rule, message, &at, &e.file, overrides));
    }
    out
}

pub(super) fn evidence_stale(
    ws: &Workspace,
    scope: &Scope,
    rule: &PolicyRule,
    fw: Option<&str>,
    overrides: &Overrides,
    as_of: time::Date,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for e in scope.evidence.iter().flatten() {
        let Some(max_age) = max_age_for(rule, fw, &e.controls) else {
            continue;
        };
        let Some(effective) = parse_ymd(&e.effective) else {
            continue;
        };
        let relevant: Vec<&String> = e
            .controls
            .iter()
            .filter(|c| fw.is_none_or(|f| c.split_once(':').is_some_and(|(x, _)| x == f)))
            .collect();
        let age = (as_of - effective).whole_days();
        if age > max_age {
            let at = scope.locate(&format!("{}/effective", e.origin.pointer));
            let message = format!(
                "evidence `{}` was effective {} — {age} days before {as_of}, older than the {max_age} days allowed. Collect it again and update `effective`.",
                e.file, e.effective
            );
            out.extend(emit(scope, relevant[0], rule, message, &at, &e.file, overrides));
        }
    }
    let _ = ws;
    out
}
