//! GitLab Code Quality report (`check --format gitlab`): the JSON array GitLab reads from a
//! job's `artifacts:reports:codequality` file and shows in merge requests.
//!
//! Each open finding is one issue object with the fields GitLab documents as required:
//! `description`, `check_name`, `fingerprint` (unique per issue: ctrlmap's stable finding
//! fingerprint), `severity` (one of `info`, `minor`, `major`, `critical`, `blocker`) and
//! `location.path` with `location.lines.begin`; `type: "issue"` and `categories` follow the
//! Code Climate spec GitLab's format comes from. Waived findings and findings in the
//! baseline are left out: GitLab has no state for an accepted issue, and it compares a merge
//! request's report with its target branch's by fingerprint itself.
//!
//! A finding placed on a built-in catalog (not a file of the repository) keeps its
//! `<builtin>/…` path: GitLab lists it without a link.

use crate::assess::Finding;
use crate::assess::baseline::Baseline;
use crate::model::Severity;
use serde_json::{Value, json};

/// GitLab's severity for ctrlmap's: five levels onto five levels, so a `critical` finding
/// (which fails any gate) is a `blocker`.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "blocker",
        Severity::High => "critical",
        Severity::Medium => "major",
        Severity::Low => "minor",
        Severity::Info => "info",
    }
}

/// The report: a JSON array, most severe first (the order the findings come in).
/// `uri_prefix` is the workspace's path from the folder ctrlmap runs in (the repository
/// root), so paths are the repository's.
pub fn gitlab(findings: &[Finding], baseline: Option<&Baseline>, uri_prefix: &str) -> String {
    let issues: Vec<Value> = findings
        .iter()
        .filter(|f| f.waived.is_none())
        .filter(|f| !baseline.is_some_and(|b| b.contains(f)))
        .map(|f| {
            let path = if f.file.starts_with('<') {
                f.file.to_string()
            } else {
                format!("{uri_prefix}{}", f.file)
            };
            let description = if f.message.contains(&*f.control) {
                format!("{} [{}] {}", f.scope, f.code, f.message)
            } else {
                format!("{} [{}] {}: {}", f.scope, f.code, f.control, f.message)
            };
            json!({
                "type": "issue",
                "check_name": format!("{} {}", f.code, f.rule),
                "description": description,
                "categories": ["Security"],
                "severity": severity(f.severity),
                "fingerprint": f.fingerprint,
                "location": { "path": path, "lines": { "begin": f.line.max(1) } },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&Value::Array(issues)).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}
