//! OSCAL in and out: ctrlmap's catalogs, services, crosswalks and every scope's matrix and
//! findings as NIST OSCAL documents, and a provider's published responsibilities back in as
//! service files.
//!
//! Like every other format, the documents are a function of what the engine computed: the
//! catalogs and crosswalks as loaded, the services as declared, and per scope the matrix
//! ([`crate::resolve::resolve`]) and the findings ([`crate::assess::assess_on`]). Nothing here
//! decides who owns a control; the mapping from ctrlmap's words to OSCAL's is documented in the
//! README's OSCAL section.
//!
//! Output is deterministic: UUIDs are version 5 UUIDs of stable names ([`ids::uuid`]), arrays
//! are in the catalog's order or sorted by id, every date comes from the as-of date (written
//! `YYYY-MM-DDT00:00:00Z`, always with its time zone), and JSON object keys are sorted. A
//! document's own UUID is derived from its content, so it changes when the document does
//! (as OSCAL asks) and only then.

pub mod catalog;
pub mod component;
pub mod ids;
pub mod import;
pub mod mapping;
mod position;
pub mod results;
pub mod ssp;

use crate::assess::Finding;
use crate::model::Scope;
use crate::model::Workspace;
use crate::resolve::Matrix;
use ids::{NS, Tokens};
use serde_json::{Value, json};

/// The OSCAL version of the catalogs, profiles, component definitions, plans, results and
/// POA&Ms ctrlmap writes.
pub const OSCAL_VERSION: &str = "1.1.3";
/// The OSCAL version of mapping collections (the model first appeared in 1.2.0).
pub const MAPPING_OSCAL_VERSION: &str = "1.2.1";

/// Where a scope's documents find the catalogs and the workspace's files.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Prefix from a scope's documents to the catalogs: `../../catalogs/` in an export,
    /// `catalogs/` in an evidence pack.
    pub catalogs: String,
    /// Prefix from a scope's documents to workspace files (evidence, scope and service files):
    /// empty in an export (the paths are relative to the workspace root), `../files/` in an
    /// evidence pack (where the copies are).
    pub files: String,
}

impl Layout {
    /// `ctrlmap export oscal`: scopes in `scopes/<id>/`, catalogs in `catalogs/`.
    pub fn export() -> Layout {
        Layout {
            catalogs: "../../catalogs/".into(),
            files: String::new(),
        }
    }

    /// The evidence pack: `oscal/` next to `files/`.
    pub fn pack() -> Layout {
        Layout {
            catalogs: "catalogs/".into(),
            files: "../files/".into(),
        }
    }

    /// The href of a workspace file, or `None` for a built-in one (`<builtin>/…`), which has
    /// no file to point at.
    pub fn file_href(&self, path: &str) -> Option<String> {
        if path.starts_with('<') || path.is_empty() {
            return None;
        }
        // Percent-encode every byte a URI path segment may not hold as it is (RFC 3986).
        let mut encoded = String::with_capacity(path.len());
        for b in path.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
                encoded.push(char::from(b));
            } else {
                encoded.push_str(&format!("%{b:02X}"));
            }
        }
        Some(format!("{}{encoded}", self.files))
    }
}

/// `2026-11-30T00:00:00Z`: the as-of date as an OSCAL date-time (with its time zone).
pub fn datetime(date: time::Date) -> String {
    format!("{}T00:00:00Z", date)
}

/// A `YYYY-MM-DD` date from the inputs, if OSCAL can hold it (its date-times run from 1900 to 2999).
pub fn input_date(text: &str) -> Option<time::Date> {
    let date = time::Date::parse(text, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    (1900..=2999).contains(&date.year()).then_some(date)
}

/// The end of a day from the inputs (for deadlines that hold through a date, such as a
/// waiver's expiry), if OSCAL can hold it.
pub fn end_of(date: &str) -> Option<String> {
    input_date(date).map(|d| format!("{d}T23:59:59Z"))
}

/// A string as OSCAL's `StringDatatype` wants it: one line, no surrounding whitespace.
/// `None` when nothing is left.
pub fn one_line(text: &str) -> Option<String> {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// A ctrlmap property (`ns` is ctrlmap's namespace); `None` for an empty value.
pub fn prop(name: &str, value: &str) -> Option<Value> {
    one_line(value).map(|v| json!({ "name": name, "ns": NS, "value": v }))
}

/// A ctrlmap property with remarks (multi-line text kept as written).
pub fn prop_with_remarks(name: &str, value: &str, remarks: Option<&str>) -> Option<Value> {
    let mut p = prop(name, value)?;
    if let Some(r) = remarks.filter(|r| !r.trim().is_empty()) {
        p["remarks"] = json!(r);
    }
    Some(p)
}

/// A property OSCAL itself defines (no namespace), e.g. `label`.
pub fn oscal_prop(name: &str, value: &str) -> Option<Value> {
    one_line(value).map(|v| json!({ "name": name, "value": v }))
}

/// Remove what OSCAL does not allow to be empty: `null` values and empty arrays (every OSCAL
/// array has at least one item). Objects stay, even empty (`include-all: {}` means something).
pub fn prune(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !(v.is_null() || v.as_array().is_some_and(Vec::is_empty)));
            for v in map.values_mut() {
                prune(v);
            }
            map.retain(|_, v| !v.as_array().is_some_and(Vec::is_empty));
        }
        Value::Array(items) => {
            items.retain(|v| !v.is_null());
            for v in items.iter_mut() {
                prune(v);
            }
        }
        _ => {}
    }
}

/// Serialise a document whose root object is `root` (e.g. `system-security-plan`): pruned,
/// pretty-printed, with the document's UUID derived from `name` and the content itself.
pub fn finish(mut doc: Value, root: &str, name: &str) -> Vec<u8> {
    prune(&mut doc);
    doc[root]["uuid"] = json!("00000000-0000-5000-8000-000000000000");
    let digest = crate::model::digest::sha256_hex(&serde_json::to_vec(&doc).unwrap_or_default());
    doc[root]["uuid"] = json!(ids::uuid(&format!("{name}@{digest}")));
    let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The metadata every document shares: title, dates, versions and the generator.
pub fn metadata(title: &str, version: &str, oscal_version: &str, as_of: time::Date) -> Value {
    json!({
        "title": title,
        "last-modified": datetime(as_of),
        "version": one_line(version).unwrap_or_else(|| as_of.to_string()),
        "oscal-version": oscal_version,
        "props": [prop("generator", &format!("ctrlmap {}", env!("CARGO_PKG_VERSION")))],
    })
}

/// The file name a framework's or crosswalk's id gets (ids of workspace crosswalks are free
/// text): anything outside `A-Z a-z 0-9 . - _` becomes `-`, and a leading `.` is refused.
pub fn file_stem(id: &str) -> String {
    let stem: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if stem.is_empty() || stem.starts_with('.') {
        format!("_{stem}")
    } else {
        stem
    }
}

/// The documents of a whole workspace that do not depend on a scope: every catalog, the
/// component definition of the services and every crosswalk as a mapping collection, by
/// path inside the export folder.
pub fn workspace_documents(ws: &Workspace, as_of: time::Date) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (id, fw) in &ws.frameworks {
        out.push((format!("catalogs/{}.json", file_stem(id)), catalog::catalog(fw, as_of)));
    }
    out.push((
        "component-definition.json".to_string(),
        component::component_definition(ws, as_of),
    ));
    let mut stems = std::collections::BTreeSet::new();
    for cw in &ws.crosswalks {
        let mut stem = file_stem(&cw.id);
        while !stems.insert(stem.clone()) {
            stem.push('_');
        }
        out.push((
            format!("mappings/{stem}.json"),
            mapping::mapping_collection(ws, cw, as_of),
        ));
    }
    out
}

/// What the engine computed for one scope, and where its documents will sit.
pub struct ScopeInput<'a> {
    pub ws: &'a Workspace,
    pub scope: &'a Scope,
    pub matrix: &'a Matrix,
    pub findings: &'a [Finding],
    /// The engine's verdict on every evidence entry (integrity, freshness).
    pub evidence: &'a [crate::assess::rules::EvidenceStatus],
    pub as_of: time::Date,
    pub layout: Layout,
}

/// A scope's documents by file name: `profile.json`, `ssp.json`, `assessment-results.json`
/// and, when the scope has findings, `poam.json` (OSCAL requires at least one POA&M item).
pub fn scope_documents(input: &ScopeInput) -> Vec<(String, Vec<u8>)> {
    let mut out = vec![
        ("profile.json".to_string(), catalog::profile(input)),
        ("ssp.json".to_string(), ssp::ssp(input)),
        (
            "assessment-results.json".to_string(),
            results::assessment_results(input),
        ),
    ];
    if !input.findings.is_empty() {
        out.push(("poam.json".to_string(), results::poam(input)));
    }
    out
}

/// The `oscal/` folder of an evidence pack: the scope's profile, plan and assessment results,
/// and the catalogs of its frameworks, so every reference resolves inside the pack.
pub fn pack_files(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    findings: &[Finding],
    as_of: time::Date,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    Tokens::new(ws)?;
    let evidence = crate::assess::rules::evidence_statuses(ws, scope, as_of);
    let input = ScopeInput {
        ws,
        scope,
        matrix,
        findings,
        evidence: &evidence,
        as_of,
        layout: Layout::pack(),
    };
    let mut out: Vec<(String, Vec<u8>)> = scope_documents(&input)
        .into_iter()
        .filter(|(name, _)| name != "poam.json")
        .collect();
    for f in &matrix.frameworks {
        if let Some(fw) = ws.framework(&f.id) {
            out.push((
                format!("catalogs/{}.json", file_stem(&f.id)),
                catalog::catalog(fw, as_of),
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prune_drops_nulls_and_empty_arrays_but_keeps_empty_objects() {
        let mut v = json!({"a": null, "b": [], "c": {"include-all": {}}, "d": [null, {"e": []}], "f": "x"});
        prune(&mut v);
        assert_eq!(v, json!({"c": {"include-all": {}}, "d": [{}], "f": "x"}));
    }

    #[test]
    fn one_line_folds_whitespace_and_refuses_blank() {
        assert_eq!(one_line("  a\n  b\tc "), Some("a b c".into()));
        assert_eq!(one_line(" \n "), None);
    }

    #[test]
    fn file_hrefs_are_uri_references_and_builtins_have_none() {
        let l = Layout::pack();
        assert_eq!(
            l.file_href("evidence/q3 test#1é.md").as_deref(),
            Some("../files/evidence/q3%20test%231%C3%A9.md")
        );
        assert_eq!(l.file_href("<builtin>/policies/hipaa.yaml"), None);
    }
}
