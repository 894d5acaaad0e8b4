//! Baselines: the findings a team has accepted for now, so that a CI gate fails only on what
//! is new.
//!
//! A baseline is a small, versioned JSON file (`ctrlmap check --write-baseline FILE`) that
//! lists every finding of a run by its fingerprint, with the code, scope, control, severity
//! and message so a reviewer can read it in a pull request. `--baseline FILE` then treats a
//! finding whose fingerprint is in the file as *baselined*: still reported and counted, never
//! gating. The fingerprint hashes the code, the scope, the control and what distinguishes the
//! case, so the same gap in another scope or on another control is never absorbed.
//!
//! Waived findings are written too (with their waiver's expiry): a baseline is a snapshot of
//! what exists. When a waiver expires, `CM013 waiver-expired` is a new finding, so the gate
//! still fails loudly.

use crate::assess::{Finding, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the baseline file's shape; bumped on any breaking change.
pub const BASELINE_VERSION: &str = "1";

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The finding's stable fingerprint: what the baseline matches on.
    pub fingerprint: String,
    pub code: String,
    pub scope: String,
    pub control: String,
    pub severity: Severity,
    pub message: String,
    /// Expiry of the waiver that covered the finding when the baseline was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waived_until: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: String,
    tool: String,
    findings: Vec<Entry>,
}

/// A baseline read from a file: its entries, indexed by fingerprint.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    entries: BTreeMap<String, Entry>,
}

/// The baseline file for these findings: sorted by scope, control, code and fingerprint,
/// one entry per fingerprint, no timestamps, so the same findings give the same bytes.
pub fn write(findings: &[Finding]) -> String {
    let entries: BTreeMap<(&str, &str, &str, &str), Entry> = findings
        .iter()
        .map(|f| {
            (
                (&*f.scope, &*f.control, &*f.code, f.fingerprint.as_str()),
                Entry {
                    fingerprint: f.fingerprint.clone(),
                    code: f.code.to_string(),
                    scope: f.scope.to_string(),
                    control: f.control.to_string(),
                    severity: f.severity,
                    message: f.message.to_string(),
                    waived_until: f.waived.as_ref().map(|w| w.expires.clone()),
                },
            )
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    let findings: Vec<Entry> = entries
        .into_values()
        .filter(|e| seen.insert(e.fingerprint.clone()))
        .collect();
    let file = File {
        version: BASELINE_VERSION.to_string(),
        tool: "ctrlmap".to_string(),
        findings,
    };
    serde_json::to_string_pretty(&file).unwrap_or_default() + "\n"
}

/// Parse a baseline from its text; `name` is the file name used in errors.
pub fn parse(text: &str, name: &str) -> Result<Baseline, String> {
    let file: File = serde_json::from_str(text).map_err(|e| {
        // serde_json ends its message with the position, which leads ours instead.
        let what = e.to_string();
        let what = what.split(" at line ").next().unwrap_or_default().to_string();
        format!(
            "{name}:{}:{}: not a ctrlmap baseline: {what}; write one with `ctrlmap check --write-baseline {name}`",
            e.line(),
            e.column()
        )
    })?;
    if file.tool != "ctrlmap" {
        return Err(format!("{name}: a baseline of `{}`, not of ctrlmap", file.tool));
    }
    if file.version != BASELINE_VERSION {
        return Err(format!(
            "{name}: baseline version {} is not supported (this ctrlmap reads version {BASELINE_VERSION}); write it again with `ctrlmap check --write-baseline {name}`",
            file.version
        ));
    }
    let mut entries = BTreeMap::new();
    for (i, e) in file.findings.into_iter().enumerate() {
        if e.fingerprint.trim().is_empty() {
            return Err(format!("{name}: finding #{} has an empty fingerprint", i + 1));
        }
        entries.insert(e.fingerprint.clone(), e);
    }
    Ok(Baseline { entries })
}

impl Baseline {
    /// Is this finding in the baseline (same fingerprint)?
    pub fn contains(&self, finding: &Finding) -> bool {
        self.entries.contains_key(&finding.fingerprint)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries no finding matches any more: gaps fixed since the baseline was written.
    /// Sorted by scope, control and code.
    pub fn fixed<'a>(&'a self, findings: &[Finding]) -> Vec<&'a Entry> {
        let now: std::collections::BTreeSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
        let mut gone: Vec<&Entry> = self
            .entries
            .values()
            .filter(|e| !now.contains(e.fingerprint.as_str()))
            .collect();
        gone.sort_by(|a, b| (&a.scope, &a.control, &a.code).cmp(&(&b.scope, &b.control, &b.code)));
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(scope: &str, control: &str, fp: &str) -> Finding {
        Finding {
            scope: scope.into(),
            control: control.into(),
            code: "CM001".into(),
            rule: "unassigned-control".into(),
            severity: Severity::High,
            message: "m".into(),
            file: "scopes/a.yaml".into(),
            line: 1,
            column: 1,
            fingerprint: fp.into(),
            waived: None,
        }
    }

    #[test]
    fn written_baseline_reads_back_and_matches_by_fingerprint() {
        let fs = vec![finding("b", "x:1", "f2"), finding("a", "x:1", "f1")];
        let text = write(&fs);
        let b = parse(&text, "baseline.json").unwrap();
        assert_eq!(b.len(), 2);
        assert!(fs.iter().all(|f| b.contains(f)));
        assert!(!b.contains(&finding("a", "x:1", "f3")));
        // Sorted by scope first, and the same bytes every time.
        assert!(text.find("\"a\"").unwrap() < text.find("\"b\"").unwrap());
        assert_eq!(text, write(&[fs[1].clone(), fs[0].clone()]));
    }

    #[test]
    fn bad_json_names_the_file_and_position() {
        let err = parse("{\"version\": \"1\",", "ci/baseline.json").unwrap_err();
        assert!(err.starts_with("ci/baseline.json:1:"), "{err}");
        let err = parse(
            "{\"version\": \"9\", \"tool\": \"ctrlmap\", \"findings\": []}",
            "b.json",
        )
        .unwrap_err();
        assert!(err.contains("version 9"), "{err}");
    }

    #[test]
    fn gate_ignores_waived_baselined_and_lower_findings() {
        let f = finding("a", "x:1", "f1");
        assert!(f.fails_gate(Some(Severity::High), None));
        assert!(!f.fails_gate(Some(Severity::Critical), None));
        assert!(!f.fails_gate(None, None));
        let b = parse(&write(std::slice::from_ref(&f)), "b").unwrap();
        assert!(!f.fails_gate(Some(Severity::High), Some(&b)));
        let waived = Finding {
            waived: Some(Box::new(crate::assess::WaiverNote {
                justification: "j".into(),
                compensating: "c".into(),
                approver: "a".into(),
                ticket: "t".into(),
                expires: "2030-01-01".into(),
                file: "scopes/a.yaml".into(),
                line: 1,
                column: 1,
            })),
            ..f
        };
        assert!(!waived.fails_gate(Some(Severity::Low), None));
    }
}
