//! The scope's evidence files as back-matter resources, shared by the plan, the results and
//! the POA&M.

use super::ScopeInput;
use super::{ids, prop};
use crate::model::Scope;
use serde_json::{Value, json};

/// The UUID of an evidence entry's back-matter resource (the same in the plan and the results).
pub fn evidence_uuid(scope: &Scope, file: &str) -> String {
    ids::uuid(&format!("evidence/{}/{file}", scope.id))
}

/// The scope's evidence entries as back-matter resources of the document at `doc_path`:
/// title, owner, date, controls, the SHA-256 of the file as found (and the pinned one, when
/// the scope pins it) and the engine's verdict on the entry (integrity, freshness, age).
/// Entries naming the same file are one resource, with the controls of all of them. The link
/// is relative to the document (or absolute under `--href-base`).
pub fn evidence_resources(input: &ScopeInput, doc_path: &str) -> Vec<Value> {
    let scope = input.scope;
    let mut by_file: std::collections::BTreeMap<&str, Vec<(usize, &crate::model::Evidence)>> = Default::default();
    for (i, e) in scope.evidence.iter().enumerate() {
        if let Some(e) = e {
            by_file.entry(e.file.as_str()).or_default().push((i, e));
        }
    }
    let mut out = Vec::new();
    for (file, entries) in by_file {
        let Some(&(index, e)) = entries.first() else { continue };
        let status = input.evidence.iter().find(|s| s.index == index);
        let hashes: Vec<Value> = e
            .found_sha256
            .iter()
            .map(|h| json!({ "algorithm": "SHA-256", "value": h }))
            .collect();
        let mut props = vec![
            prop("path", file),
            prop("owner", &e.owner),
            prop("effective", &e.effective),
        ];
        if let Some(s) = status {
            props.push(prop("integrity", s.integrity.as_str()));
            props.push(prop("freshness", s.freshness.as_str()));
            props.extend(s.age_days.map(|d| prop("age-days", &d.to_string())));
            props.extend(s.max_age_days.map(|d| prop("max-age-days", &d.to_string())));
        }
        if let Some(p) = &e.sha256 {
            props.push(prop("pinned-sha256", p));
        }
        let mut controls: Vec<&String> = entries.iter().flat_map(|(_, e)| e.controls.iter()).collect();
        controls.sort();
        controls.dedup();
        props.extend(controls.into_iter().map(|c| prop("control", c)));
        out.push(json!({
            "uuid": evidence_uuid(scope, file),
            "title": e.title.clone().unwrap_or_else(|| file.to_string()),
            "description": format!("Evidence file `{file}` (path relative to the workspace), owner {}, effective {}.", e.owner, e.effective),
            "props": props,
            "rlinks": input.layout.file_href(doc_path, file).map(|href| vec![json!({ "href": href, "hashes": hashes })]),
        }));
    }
    out
}
