//! SARIF 2.1.0 (`check --format sarif`), for GitHub code scanning and other SARIF viewers.
//!
//! One run; the tool driver `ctrlmap` with every finding rule as a reporting descriptor; one
//! result per finding, anchored at the scope or service YAML line that caused it. Each result
//! carries the finding's fingerprint as `partialFingerprints["ctrlmap/v1"]` (so an alert
//! keeps its identity across runs and line moves), its scope, control and severity as
//! properties, a waiver as an `external`, `accepted` suppression with its justification, and,
//! when a baseline is in use, `baselineState` `new` or `unchanged`.
//!
//! What this module enforces to stay inside GitHub code scanning's limits
//! (docs.github.com, "SARIF results exceed limit"):
//! - one run per file (limit 20);
//! - at most [`MAX_RESULTS`] = 25,000 results per run: beyond that, the most severe are kept
//!   (results are sorted by severity first) and the run's invocation carries a warning
//!   notification with the number left out (GitHub displays the top 5,000 by severity);
//! - exactly one location per result (limit 1,000, 100 displayed);
//! - three tags per rule (limit 20, 10 displayed); far fewer than 25,000 rules;
//! - message text at most [`MAX_MESSAGE_CHARS`] = 1,000 characters, cut with `…` (GitHub
//!   shows the first line of a message in lists; the rest of a long message is noise there).
//!
//! GitHub's 10 MB (gzip) upload limit is not checked here: at 25,000 results a file is well
//! under it.
//!
//! Paths: a finding's file is relative to the workspace; a result's `uri` is relative to
//! `%SRCROOT%`, the folder `ctrlmap` runs in (the repository root in CI), so the caller gives
//! the workspace's path from there (see [`srcroot_prefix`]). Files built into ctrlmap (a
//! finding anchored at a built-in catalog or crosswalk) use the base id `CTRLMAP_BUILTIN`.

use crate::assess::baseline::Baseline;
use crate::assess::{Finding, Overrides, Rule, Severity};
use crate::model::text::shorten;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::path::Path;

/// Results per run GitHub code scanning accepts.
pub const MAX_RESULTS: usize = 25_000;
/// Longest message text we emit, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1_000;
/// The `partialFingerprints` key; bump the version if fingerprints ever change meaning.
pub const FINGERPRINT_KEY: &str = "ctrlmap/v1";
/// The schema the output declares (and validates against in the tests).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// The base id of URIs that name files built into ctrlmap.
pub const BUILTIN_BASE: &str = "CTRLMAP_BUILTIN";
const SRCROOT: &str = "%SRCROOT%";

/// SARIF level of a severity: critical/high → error, medium → warning, low/info → note.
pub fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Critical | Severity::High => sarif::ResultLevel::Error,
        Severity::Medium => sarif::ResultLevel::Warning,
        Severity::Low | Severity::Info => sarif::ResultLevel::Note,
    }
}

fn level_str(severity: Severity) -> &'static str {
    match level(severity) {
        sarif::ResultLevel::Error => "error",
        sarif::ResultLevel::Warning => "warning",
        _ => "note",
    }
}

/// GitHub's `security-severity` for a severity (its bands: critical > 9.0, high 7.0–8.9,
/// medium 4.0–6.9, low 0.1–3.9). `None` for info: no security severity.
fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Info => None,
    }
}

/// The built-in rules with the workspace's and the command line's severity overrides applied;
/// rules turned off (`allow`) are left out. Pass this as `rules` to [`sarif`] so the rule
/// descriptors show the severities the gate uses.
pub fn effective_rules(overrides: &Overrides) -> Vec<Rule> {
    crate::assess::rules()
        .filter_map(|r| match overrides.get(r.code.as_str()) {
            Some(None) => None,
            Some(Some(s)) => Some(Rule { severity: *s, ..*r }),
            None => Some(*r),
        })
        .collect()
}

/// The workspace's path from the folder ctrlmap runs in, as a URI prefix ending in `/`
/// (empty when the workspace is that folder, or lies outside it). Both paths are resolved
/// (symlinks, `..`) before comparing.
pub fn srcroot_prefix(workspace: &Path, run_dir: &Path) -> String {
    let (Ok(ws), Ok(dir)) = (workspace.canonicalize(), run_dir.canonicalize()) else {
        return String::new();
    };
    match ws.strip_prefix(&dir) {
        Ok(rel) => {
            let parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.is_empty() {
                String::new()
            } else {
                parts.join("/") + "/"
            }
        }
        Err(_) => String::new(),
    }
}

/// What an artifact's `uri` keeps as it is: RFC 3986 unreserved characters and `/`. Everything
/// else is encoded, so no character of a file name can be read as a scheme (`:`), a query, a
/// fragment or an escape of its own, whichever `uriBaseId` a viewer resolves it against.
const ARTIFACT_URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// Percent-encode a relative path for a URI reference: RFC 3986 unreserved characters and
/// `/` stay, everything else (spaces, `%`, `#`, `?`, `:`, non-ASCII) is encoded; `\` becomes `/`.
pub fn encode_path(path: &str) -> String {
    utf8_percent_encode(&path.replace('\\', "/"), ARTIFACT_URI_PATH).to_string()
}

fn text(s: &str) -> sarif::Message {
    sarif::Message::builder().text(s.to_string()).build()
}

fn mm(s: &str) -> sarif::MultiformatMessageString {
    sarif::MultiformatMessageString::builder().text(s.to_string()).build()
}

fn bag(pairs: Vec<(&str, Value)>) -> sarif::PropertyBag {
    sarif::PropertyBag::builder()
        .additional_properties(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect::<BTreeMap<_, _>>(),
        )
        .build()
}

/// The artifact a path names: a built-in file (base `CTRLMAP_BUILTIN`), an absolute path
/// (a `file://` URI, no base: a workspace outside the folder ctrlmap runs in), or a path
/// relative to `%SRCROOT%`.
fn artifact(file: &str, uri_prefix: &str) -> sarif::ArtifactLocation {
    if let Some(rest) = file.strip_prefix("<builtin>/") {
        return sarif::ArtifactLocation::builder()
            .uri(encode_path(rest))
            .uri_base_id(BUILTIN_BASE)
            .build();
    }
    let path = format!("{uri_prefix}{file}");
    if path.starts_with('/') {
        return sarif::ArtifactLocation::builder()
            .uri(format!("file://{}", encode_path(&path)))
            .build();
    }
    sarif::ArtifactLocation::builder()
        .uri(encode_path(&path))
        .uri_base_id(SRCROOT)
        .build()
}

/// The location of an input diagnostic (paths as shown), or none for a problem on the
/// command line. A diagnostic about a whole file has no region.
pub fn diagnostic_location(d: &crate::model::diagnostic::Diagnostic) -> Option<Value> {
    if d.file.is_empty() {
        return None;
    }
    let mut physical = sarif::PhysicalLocation::builder()
        .artifact_location(artifact(&d.file, ""))
        .build();
    if d.line > 0 {
        physical.region = Some(
            sarif::Region::builder()
                .start_line(d.line as i64)
                .start_column(d.column.max(1) as i64)
                .build(),
        );
    }
    serde_json::to_value(sarif::Location::builder().physical_location(physical).build()).ok()
}

/// A location in a workspace file (or a built-in one), line and column at least 1.
fn location(file: &str, line: usize, column: usize, uri_prefix: &str) -> sarif::Location {
    let artifact = artifact(file, uri_prefix);
    let region = sarif::Region::builder()
        .start_line(line.max(1) as i64)
        .start_column(column.max(1) as i64)
        .build();
    sarif::Location::builder()
        .physical_location(
            sarif::PhysicalLocation::builder()
                .artifact_location(artifact)
                .region(region)
                .build(),
        )
        .build()
}

fn descriptor(code: &str, name: &str, description: &str, severity: Severity) -> sarif::ReportingDescriptor {
    let mut props = vec![
        ("tags", json!(["compliance", "security", name])),
        ("precision", json!("very-high")),
    ];
    if let Some(s) = security_severity(severity) {
        props.push(("security-severity", json!(s)));
    }
    sarif::ReportingDescriptor::builder()
        .id(code.to_string())
        .name(name.to_string())
        .short_description(mm(&shorten(description, MAX_MESSAGE_CHARS)))
        .full_description(mm(description))
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(level_str(severity)))
                .build(),
        )
        .properties(bag(props))
        .build()
}

/// The SARIF 2.1.0 log for these findings.
///
/// - `rules`: the rule descriptors (usually [`effective_rules`]); a code that a finding
///   carries but `rules` lacks (a policy pack's custom rule) gets a descriptor from the
///   finding's rule name and highest severity.
/// - `baseline`: when given, each result has `baselineState` `unchanged` (in the baseline)
///   or `new`.
/// - `uri_prefix`: the workspace's path from `%SRCROOT%` (see [`srcroot_prefix`]).
///
/// Deterministic: results sorted by severity (most severe first), scope, control, code and
/// fingerprint; maps ordered; no timestamps.
pub fn sarif(findings: &[Finding], rules: &[Rule], baseline: Option<&Baseline>, uri_prefix: &str) -> String {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by(|a, b| Finding::report_order(a, b));
    let omitted = sorted.len().saturating_sub(MAX_RESULTS);
    sorted.truncate(MAX_RESULTS);

    // Rule descriptors: the given rules in their order, then custom codes by code.
    let mut descriptors: Vec<sarif::ReportingDescriptor> = rules
        .iter()
        .map(|r| descriptor(r.code.as_str(), r.name, r.description, r.severity))
        .collect();
    let mut index: BTreeMap<String, usize> = rules.iter().enumerate().map(|(i, r)| (r.code.to_string(), i)).collect();
    let mut custom: BTreeMap<&str, (&str, Severity)> = BTreeMap::new();
    for f in &sorted {
        if !index.contains_key(&*f.code) {
            let e = custom.entry(&*f.code).or_insert((&*f.rule, f.severity));
            e.1 = e.1.max(f.severity);
        }
    }
    for (code, (name, severity)) in custom {
        index.insert(code.to_string(), descriptors.len());
        let description = format!("Policy rule {code} ({name}) of a policy pack.");
        descriptors.push(descriptor(code, name, &description, severity));
    }

    let mut uses_builtin = false;
    let results: Vec<sarif::Result> = sorted
        .iter()
        .map(|f| {
            uses_builtin |= f.file.starts_with("<builtin>/");
            let mut props = vec![
                ("scope", json!(f.scope)),
                ("control", json!(f.control)),
                ("severity", json!(f.severity.as_str())),
                ("rule", json!(f.rule)),
            ];
            if f.message.chars().count() > MAX_MESSAGE_CHARS {
                props.push(("messageTruncated", json!(true)));
            }
            let mut result = sarif::Result::builder()
                .rule_id(f.code.to_string())
                .rule_index(index.get(&*f.code).copied().unwrap_or_default() as i64)
                .level(level(f.severity))
                .message(text(&shorten(&f.message, MAX_MESSAGE_CHARS)))
                .locations(vec![location(&f.file, f.line, f.column, uri_prefix)])
                .partial_fingerprints(BTreeMap::from([(FINGERPRINT_KEY.to_string(), f.fingerprint.clone())]))
                .properties(bag(props))
                .build();
            if let Some(w) = &f.waived {
                uses_builtin |= w.file.starts_with("<builtin>/");
                result.suppressions = Some(vec![
                    sarif::Suppression::builder()
                        .kind(json!("external"))
                        .status(json!("accepted"))
                        .justification(shorten(&w.justification, MAX_MESSAGE_CHARS))
                        .location(location(&w.file, w.line, w.column.max(1), uri_prefix))
                        .properties(bag(vec![
                            ("approver", json!(w.approver)),
                            ("ticket", json!(w.ticket)),
                            ("expires", json!(w.expires)),
                            ("compensating", json!(w.compensating)),
                        ]))
                        .build(),
                ]);
            }
            if let Some(b) = baseline {
                result.baseline_state = Some(json!(if b.contains(f) { "unchanged" } else { "new" }));
            }
            result
        })
        .collect();

    let driver = sarif::ToolComponent::builder()
        .name("ctrlmap")
        .full_name(format!("ctrlmap {}", env!("CARGO_PKG_VERSION")))
        .version(env!("CARGO_PKG_VERSION"))
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(descriptors)
        .build();
    let mut run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .results(results)
        .column_kind(json!("unicodeCodePoints"))
        .build();
    if uses_builtin {
        run.original_uri_base_ids = Some(BTreeMap::from([(
            BUILTIN_BASE.to_string(),
            sarif::ArtifactLocation::builder()
                .description(text(
                    "Catalogs, crosswalks and policy packs built into ctrlmap (the frameworks/ and policies/ folders of its source).",
                ))
                .build(),
        )]));
    }
    if omitted > 0 {
        let note = format!(
            "{} left out (lower severity): GitHub code scanning accepts at most {MAX_RESULTS} results per run. `ctrlmap check --format json` lists them all.",
            super::counted(omitted, "finding was", "findings were")
        );
        run.invocations = Some(vec![
            sarif::Invocation::builder()
                .execution_successful(true)
                .tool_execution_notifications(vec![
                    sarif::Notification::builder()
                        .level(json!("warning"))
                        .message(text(&note))
                        .build(),
                ])
                .build(),
        ]);
        run.properties = Some(bag(vec![("omittedResults", json!(omitted))]));
    }
    let log = sarif::Sarif::builder()
        .schema(SCHEMA_URI)
        .version(json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(encode_path("scopes/a b#1.yaml"), "scopes/a%20b%231.yaml");
        assert_eq!(encode_path("scopes\\x.yaml"), "scopes/x.yaml");
        assert_eq!(encode_path("é"), "%C3%A9");
    }

    #[test]
    fn artifact_uris_keep_only_unreserved_characters_and_slashes() {
        // Every ASCII punctuation mark, a tab and DEL: `-._~` and `/` stay, `\` turns into `/`.
        assert_eq!(
            encode_path(" !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\t\u{7f}"),
            "%20%21%22%23%24%25%26%27%28%29%2A%2B%2C-./%3A%3B%3C%3D%3E%3F%40%5B/%5D%5E_%60%7B%7C%7D~%09%7F"
        );
        assert_eq!(encode_path("AZaz09"), "AZaz09");
    }

    #[test]
    fn long_messages_are_cut() {
        let long = "x".repeat(MAX_MESSAGE_CHARS + 5);
        let c = shorten(&long, MAX_MESSAGE_CHARS);
        assert_eq!(c.chars().count(), MAX_MESSAGE_CHARS);
        assert!(c.ends_with('…'));
    }
}
