//! Verdicts on evidence: how fresh each file is, whether it is the file the scope pinned, and
//! for each control what is on file against what the services promise and the policy packs
//! require. Computed once per scope; every document renders these and decides nothing.

use crate::assess::rules::EvidenceStatus;
use crate::model::policy::RuleKind;
use crate::model::{Scope, Workspace};
use crate::resolve::{Matrix, Summary};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How fresh an evidence entry is on the as-of date (the verdict CM012 gives).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Freshness {
    /// At most the maximum age the enabled packs allow.
    Fresh,
    /// Older than that.
    Stale,
    /// Dated after the as-of date.
    Future,
    /// No readable date.
    Unknown,
    /// No enabled rule judges its age.
    NotAssessed,
}

/// Whether an evidence file is the one the scope pinned (the verdict CM010 and CM011 give).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Integrity {
    /// Its SHA-256 is the one pinned.
    MatchesPin,
    /// Found, but the scope pins no SHA-256.
    Unpinned,
    /// Its SHA-256 differs from the pin.
    Changed,
    /// Not found.
    Missing,
}

impl Integrity {
    /// The verdict on a file found with SHA-256 `found` (none when missing) against `pinned`.
    pub fn of(found: Option<&str>, pinned: Option<&str>) -> Integrity {
        match (found, pinned) {
            (None, _) => Integrity::Missing,
            (Some(_), None) => Integrity::Unpinned,
            (Some(f), Some(p)) if f == p => Integrity::MatchesPin,
            _ => Integrity::Changed,
        }
    }

    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl Freshness {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for Freshness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Integrity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a control has on file, against what is expected of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum EvidenceOnFile {
    /// At least one evidence file that supports the control is in the workspace.
    OnFile,
    /// A subscribed service promises evidence for it, or an enabled policy pack requires it,
    /// and no file that supports it is in the workspace.
    Missing,
    /// Nothing is promised or required, and nothing is on file.
    NotExpected,
}

impl EvidenceOnFile {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The evidence of one matrix row, reconciled with what is promised and required. Only rows
/// with something on file, promised or required have one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlEvidence {
    /// Position of the row in the matrix.
    pub row: usize,
    /// Positions in the assessment's evidence statuses of the entries that support the
    /// control: those that list it, or a part of it.
    pub files: Vec<usize>,
    /// Evidence the subscribed services promise for the control (the row's `evidence`).
    pub promised: bool,
    /// An enabled policy pack requires evidence for the control (CM009).
    pub required: bool,
    pub verdict: EvidenceOnFile,
}

/// The evidence of every row of a matrix that has something on file, promised or required.
/// Linear in the rows plus the evidence entries times the depth of the controls they list.
pub fn control_evidence(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    statuses: &[EvidenceStatus],
) -> Vec<ControlEvidence> {
    // Each entry supports the controls it lists and every control above them.
    let mut supporting: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (k, status) in statuses.iter().enumerate() {
        let Some(Some(e)) = scope.evidence.get(status.index) else {
            continue;
        };
        for listed in &e.controls {
            let mut keys = vec![listed.clone()];
            if let Some((fw_id, id)) = listed.split_once(':')
                && let Some(fw) = ws.framework(fw_id)
                && let Some(i) = fw.index(id)
            {
                keys.extend(
                    fw.ancestors(i)
                        .iter()
                        .map(|&a| format!("{fw_id}:{}", fw.controls[a].id)),
                );
            }
            for key in keys {
                let list = supporting.entry(key).or_default();
                if list.last() != Some(&k) {
                    list.push(k);
                }
            }
        }
    }
    let frameworks = super::frameworks_of(matrix);
    let required: BTreeSet<&str> = ws
        .packs
        .values()
        .filter(|p| p.enabled_for(&frameworks))
        .flat_map(|p| p.rules.iter())
        .filter(|r| r.kind == RuleKind::EvidenceRequired)
        .flat_map(|r| r.params.controls.iter().map(String::as_str))
        .collect();
    let mut out = Vec::new();
    for (row, r) in matrix.rows.iter().enumerate() {
        let mut files = supporting.get(&*r.control).cloned().unwrap_or_default();
        files.sort_unstable();
        files.dedup();
        let applies = r.summary != Summary::NotApplicable;
        let promised = applies && !r.evidence.is_empty();
        let required = applies && required.contains(&*r.control);
        if files.is_empty() && !promised && !required {
            continue;
        }
        let on_file = files.iter().any(|&k| statuses[k].integrity != Integrity::Missing);
        let verdict = match (on_file, promised || required) {
            (true, _) => EvidenceOnFile::OnFile,
            (false, true) => EvidenceOnFile::Missing,
            (false, false) => EvidenceOnFile::NotExpected,
        };
        out.push(ControlEvidence {
            row,
            files,
            promised,
            required,
            verdict,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrity_compares_the_found_hash_with_the_pin() {
        assert_eq!(Integrity::of(None, Some("a")), Integrity::Missing);
        assert_eq!(Integrity::of(Some("a"), None), Integrity::Unpinned);
        assert_eq!(Integrity::of(Some("ab"), Some("ab")), Integrity::MatchesPin);
        assert_eq!(Integrity::of(Some("a"), Some("b")), Integrity::Changed);
        assert_eq!(Integrity::MatchesPin.as_str(), "matches-pin");
        assert_eq!(Freshness::NotAssessed.as_str(), "not-assessed");
    }
}
