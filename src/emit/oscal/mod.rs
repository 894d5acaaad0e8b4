//! OSCAL in and out: ctrlmap's catalogs, services, crosswalks and every scope's matrix and
//! findings as NIST OSCAL documents, and a provider's published responsibilities back in as
//! service files.
//!
//! Like every other format, the documents are a function of what the engine computed: the
//! catalogs and crosswalks as loaded, the services as declared, and per scope its assessment
//! ([`crate::assess::assess_scope`]: the matrix, the findings, the evidence verdicts and the
//! implementation states they give). Nothing here decides who owns a control; the mapping from ctrlmap's words to OSCAL's is documented in
//! docs/oscal.md.
//!
//! Output is deterministic: UUIDs are version 5 UUIDs of stable names ([`ids::uuid`]), arrays
//! are in the catalog's order or sorted by id, every date comes from the as-of date (written
//! `YYYY-MM-DDT00:00:00Z`, always with its time zone), and JSON object keys are sorted. A
//! document's own UUID is derived from its content, so it changes when the document does
//! (as OSCAL asks) and only then.

mod attribution;
pub mod catalog;
pub mod component;
mod evidence;
pub mod mapping;
pub mod provider;
mod requirement;
pub mod results;
mod scope_ids;
pub mod ssp;
mod status;
pub mod system;

/// The identifiers ctrlmap writes into OSCAL (and reads back on import) live below both.
pub use crate::format::oscal_ids as ids;

use crate::assess::Finding;
use crate::model::Scope;
use crate::model::Workspace;
use crate::resolve::Matrix;
use ids::{NS, Tokens};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

/// The OSCAL version of the catalogs, profiles, component definitions, plans, results and
/// POA&Ms ctrlmap writes.
pub const OSCAL_VERSION: &str = "1.1.3";
/// The OSCAL version of mapping collections (the model first appeared in 1.2.0).
pub const MAPPING_OSCAL_VERSION: &str = "1.2.1";

/// Where the documents sit, and how one document names another or a workspace file.
///
/// Every document has a path inside the OSCAL root (the export folder, or a pack's `oscal/`):
/// `catalogs/hipaa.json`, `provider/ssp.json`, `scopes/riverside-dental/ssp.json`. An href
/// from one document to another is relative to the document that holds it (RFC 3986), so
/// the folder can move as a whole; with a base URI (`--href-base`) every href is absolute
/// instead, for tools that resolve relative hrefs against their working folder rather than
/// the document (compliance-trestle does).
#[derive(Debug, Clone)]
pub struct Layout {
    /// `true`: a scope's documents are in `scopes/<id>/` (an export); `false`: at the root
    /// (a pack holds one scope).
    pub scope_folders: bool,
    /// Absolute URI of the OSCAL root, ending in `/` (`--href-base`).
    pub base: Option<String>,
    /// Path from the OSCAL root to where workspace files are found: the copies in the export
    /// (`files/`, `--with-evidence`), the copies in a pack (`../files/`), or the workspace
    /// itself (`../`, `../../ws/`), always ending in `/` (or empty: the same folder).
    pub files: String,
}

impl Layout {
    /// `ctrlmap export oscal`: scopes in `scopes/<id>/`; workspace files at `files`.
    pub fn export(files: String, base: Option<String>) -> Layout {
        Layout {
            scope_folders: true,
            base,
            files,
        }
    }

    /// The evidence pack: the scope's documents in `oscal/`, next to `files/`.
    pub fn pack() -> Layout {
        Layout {
            scope_folders: false,
            base: None,
            files: "../files/".into(),
        }
    }

    /// The path of a scope's document inside the OSCAL root.
    pub fn scope_doc(&self, scope: &Scope, name: &str) -> String {
        if self.scope_folders {
            format!("scopes/{}/{name}", file_stem(&scope.id))
        } else {
            name.to_string()
        }
    }

    /// The href from the document at `from` to the one at `to` (both inside the OSCAL root).
    pub fn href(&self, from: &str, to: &str) -> String {
        match &self.base {
            Some(base) => format!("{base}{}", normalise(to)),
            None => relative(from, to),
        }
    }

    /// The href from the document at `from` to a workspace file, or `None` for a built-in
    /// one (`<builtin>/…`), which has no file to point at.
    pub fn file_href(&self, from: &str, path: &str) -> Option<String> {
        if path.starts_with('<') || path.is_empty() {
            return None;
        }
        Some(self.href(from, &format!("{}{}", self.files, encode_path(path))))
    }
}

/// What an href to a workspace file keeps as it is: the characters RFC 3986 allows in a path
/// (`pchar`: unreserved, sub-delims, `:` and `@`) and the `/` between segments. Spaces, `%`,
/// `?`, `#`, controls and non-ASCII bytes are encoded, so a file name cannot end the path or
/// start a query or fragment.
const HREF_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// Percent-encode every byte a URI path may not hold as it is (RFC 3986); `/` stays.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(path, HREF_PATH).to_string()
}

/// `a/./b/../c` → `a/c`; leading `..` are kept.
fn normalise(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "." | "" => {}
            ".." if out.last().is_some_and(|l| *l != "..") => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut joined = out.join("/");
    if path.ends_with('/') && !joined.is_empty() {
        joined.push('/');
    }
    joined
}

/// The relative reference from the document at `from` to `to` (both relative to one root).
fn relative(from: &str, to: &str) -> String {
    let to = normalise(to);
    let from_dir: Vec<&str> = from.split('/').collect::<Vec<_>>();
    let from_dir = &from_dir[..from_dir.len().saturating_sub(1)];
    let target: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&target)
        .take_while(|(a, b)| a == b && **a != "..")
        .count();
    let mut out = "../".repeat(from_dir.len() - common);
    let rest = target[common..].join("/");
    // A first segment with a colon would read as a scheme (`a:b.pdf`); RFC 3986, 4.2.
    if out.is_empty() && rest.split('/').next().is_some_and(|first| first.contains(':')) {
        out.push_str("./");
    }
    out.push_str(&rest);
    out
}

/// `2026-11-30T00:00:00Z`: the as-of date as an OSCAL date-time (with its time zone).
pub fn datetime(date: time::Date) -> String {
    format!("{}T00:00:00Z", date)
}

/// A `YYYY-MM-DD` date from the inputs, if OSCAL can hold it (its date-times run from 1900 to 2999).
pub fn input_date(text: &str) -> Option<time::Date> {
    let date = crate::model::date::parse_ymd(text)?;
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
/// component definition of the services, every crosswalk as a mapping collection, and the
/// provider's (the MSP's) profile and plan, by path inside the export folder. `msp_parties`
/// are the MSP's own parties (its subcontractors) for the provider's plan.
pub fn workspace_documents(
    ws: &Workspace,
    msp_parties: &[crate::model::ThirdParty],
    as_of: time::Date,
    layout: &Layout,
) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (id, fw) in &ws.frameworks {
        out.push((format!("catalogs/{}.json", file_stem(id)), catalog::catalog(fw, as_of)));
    }
    out.push((
        component::PATH.to_string(),
        component::component_definition(ws, as_of, layout),
    ));
    let mut stems = std::collections::BTreeSet::new();
    for cw in &ws.crosswalks {
        let mut stem = file_stem(&cw.id);
        while !stems.insert(stem.clone()) {
            stem.push('_');
        }
        let path = format!("mappings/{stem}.json");
        let bytes = mapping::mapping_collection(ws, cw, as_of, layout, &path);
        out.push((path, bytes));
    }
    out.extend(provider::provider_documents(ws, msp_parties, as_of, layout));
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
    /// The engine's verdict on how far each row is implemented, in the matrix's order.
    pub statuses: &'a [crate::assess::implementation::RowStatus],
    pub as_of: time::Date,
    pub layout: Layout,
}

/// A scope's documents by path inside the OSCAL root: its profile, plan, assessment plan,
/// assessment results and, when the scope has findings, its POA&M (OSCAL requires at least
/// one POA&M item).
pub fn scope_documents(input: &ScopeInput) -> Vec<(String, Vec<u8>)> {
    let at = |name: &str| input.layout.scope_doc(input.scope, name);
    let mut out = vec![
        (at("profile.json"), catalog::profile(input)),
        (at("ssp.json"), ssp::ssp(input)),
        (at("assessment-plan.json"), results::assessment_plan(input)),
        (at("assessment-results.json"), results::assessment_results(input)),
    ];
    if !input.findings.is_empty() {
        out.push((at("poam.json"), results::poam(input)));
    }
    out
}

/// The `oscal/` folder of an evidence pack: the scope's profile, plan, assessment plan and
/// results, the provider's plan and profile they leverage, and the catalogs of them all, so
/// every reference resolves inside the pack.
pub fn pack_files(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    as_of: time::Date,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    Tokens::new(ws)?;
    let matrix = &assessment.matrix;
    let input = ScopeInput {
        ws,
        scope,
        matrix,
        findings: &assessment.findings,
        evidence: &assessment.evidence,
        statuses: &assessment.implementation,
        as_of,
        layout: Layout::pack(),
    };
    let mut out: Vec<(String, Vec<u8>)> = scope_documents(&input)
        .into_iter()
        .filter(|(name, _)| name != "poam.json")
        .collect();
    let msp_parties = provider::msp_parties(ws);
    out.extend(provider::provider_documents(ws, &msp_parties, as_of, &input.layout));
    let mut catalogs: std::collections::BTreeSet<String> = matrix.frameworks.iter().map(|f| f.id.clone()).collect();
    catalogs.extend(provider::frameworks(&provider::claims_by_control(ws)));
    for id in catalogs {
        if let Some(fw) = ws.framework(&id) {
            out.push((format!("catalogs/{}.json", file_stem(&id)), catalog::catalog(fw, as_of)));
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
            l.file_href("ssp.json", "evidence/q3 test#1é.md").as_deref(),
            Some("../files/evidence/q3%20test%231%C3%A9.md")
        );
        assert_eq!(l.file_href("ssp.json", "<builtin>/policies/hipaa.yaml"), None);
    }

    #[test]
    fn a_relative_href_never_starts_with_a_segment_read_as_a_scheme() {
        // The OSCAL root is the workspace itself (`files` empty) and the file sits next to
        // the document: `x:y.md` alone would be a URI of scheme `x`.
        let l = Layout::export(String::new(), None);
        assert_eq!(
            l.file_href("scopes/a/ssp.json", "scopes/a/x:y.md").as_deref(),
            Some("./x:y.md")
        );
        assert_eq!(
            l.file_href("scopes/a/ssp.json", "evidence/x:y.md").as_deref(),
            Some("../../evidence/x:y.md")
        );
        assert_eq!(l.href("ssp.json", "a/b:c.json"), "a/b:c.json");
    }

    #[test]
    fn hrefs_keep_what_a_uri_path_may_hold_and_encode_the_rest() {
        // Every ASCII punctuation mark, a tab and DEL: RFC 3986's pchar (unreserved,
        // sub-delims, `:`, `@`) and `/` stay.
        assert_eq!(
            encode_path(" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\u{7f}"),
            "%20!%22%23$%25&'()*+,-./:;%3C=%3E%3F@%5B%5C%5D%5E_%60%7B%7C%7D~%09%7F"
        );
        assert_eq!(encode_path("AZaz09é"), "AZaz09%C3%A9");
    }

    #[test]
    fn hrefs_are_relative_to_the_document_or_absolute_under_a_base() {
        let l = Layout::export("../".into(), None);
        assert_eq!(
            l.href("scopes/a/ssp.json", "provider/ssp.json"),
            "../../provider/ssp.json"
        );
        assert_eq!(l.href("scopes/a/ssp.json", "scopes/a/profile.json"), "profile.json");
        assert_eq!(
            l.href("provider/profile.json", "catalogs/hipaa.json"),
            "../catalogs/hipaa.json"
        );
        assert_eq!(
            l.href("component-definition.json", "catalogs/hipaa.json"),
            "catalogs/hipaa.json"
        );
        assert_eq!(
            l.file_href("scopes/a/ssp.json", "evidence/x.md").as_deref(),
            Some("../../../evidence/x.md")
        );
        let b = Layout::export("files/".into(), Some("file:///srv/oscal/".into()));
        assert_eq!(
            b.href("scopes/a/ssp.json", "provider/ssp.json"),
            "file:///srv/oscal/provider/ssp.json"
        );
        assert_eq!(
            b.file_href("scopes/a/ssp.json", "evidence/x.md").as_deref(),
            Some("file:///srv/oscal/files/evidence/x.md")
        );
    }
}
