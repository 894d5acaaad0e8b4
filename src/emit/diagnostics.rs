//! Input errors (diagnostics) in every `check` format, so a CI that reads only the machine
//! output still sees why the run exited 2: JSON `errors`, SARIF tool execution
//! notifications with their locations, GitHub `::error` annotations, a JUnit failure per
//! problem, a Markdown table. (Text goes to standard error with source excerpts, as for
//! every command.)
//!
//! Paths are given as the caller shows them (see `cli::PathBase`): the diagnostics passed
//! here already carry them.

use crate::model::diagnostic::Diagnostic;
use serde::Serialize;
use serde_json::json;
use std::fmt::Write as _;

#[derive(Serialize)]
struct ErrorJson<'a> {
    /// Empty for a problem on the command line.
    file: &'a str,
    /// 0 when the problem concerns a whole file or folder.
    line: usize,
    column: usize,
    code: &'static str,
    name: &'static str,
    message: &'a str,
    help: &'a str,
}

#[derive(Serialize)]
struct FailedCheckJson<'a> {
    version: &'static str,
    tool: &'static str,
    tool_version: &'static str,
    passed: bool,
    errors: Vec<ErrorJson<'a>>,
    scopes: [(); 0],
    findings: [(); 0],
}

/// `check --format json` when the input is broken: `passed: false`, every problem under
/// `errors`, and empty `scopes` and `findings` (nothing was assessed).
pub fn json(diagnostics: &[Diagnostic]) -> String {
    let doc = FailedCheckJson {
        version: super::JSON_VERSION,
        tool: "ctrlmap",
        tool_version: env!("CARGO_PKG_VERSION"),
        passed: false,
        errors: diagnostics
            .iter()
            .map(|d| ErrorJson {
                file: &d.file,
                line: d.line,
                column: d.column,
                code: d.code.as_str(),
                name: d.code.name(),
                message: &d.message,
                help: &d.help,
            })
            .collect(),
        scopes: [],
        findings: [],
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// `check --format sarif` when the input is broken: one run with no results, whose
/// invocation failed (exit code 2) and carries one error notification per problem, with its
/// location and the diagnostic code as the notification's descriptor.
pub fn sarif(diagnostics: &[Diagnostic]) -> String {
    let notifications: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let mut n = json!({
                "level": "error",
                "message": { "text": super::sarif::cut(&format!("{}: {} ({})", d.code.as_str(), d.message, d.help), super::sarif::MAX_MESSAGE_CHARS) },
                "descriptor": { "id": d.code.as_str() },
                "properties": { "name": d.code.name(), "help": d.help },
            });
            if let Some(location) = super::sarif::diagnostic_location(d) {
                n["locations"] = json!([location]);
            }
            n
        })
        .collect();
    let uses_builtin = diagnostics.iter().any(|d| d.file.starts_with("<builtin>/"));
    let notification_descriptors: Vec<serde_json::Value> = crate::model::diagnostic::Code::ALL
        .iter()
        .map(|c| json!({ "id": c.as_str(), "name": c.name() }))
        .collect();
    let mut run = json!({
        "tool": { "driver": {
            "name": "ctrlmap",
            "fullName": format!("ctrlmap {}", env!("CARGO_PKG_VERSION")),
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "notifications": notification_descriptors,
            "rules": [],
        }},
        "invocations": [{
            "executionSuccessful": false,
            "exitCode": 2,
            "toolExecutionNotifications": notifications,
        }],
        "results": [],
        "columnKind": "unicodeCodePoints",
    });
    if uses_builtin {
        run["originalUriBaseIds"] = json!({
            super::sarif::BUILTIN_BASE: { "description": { "text": "Catalogs, crosswalks and policy packs built into ctrlmap." } }
        });
    }
    let log = json!({
        "$schema": super::sarif::SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// `check --format github` when the input is broken: one `::error` annotation per problem,
/// on its file and line when it has one.
pub fn github(diagnostics: &[Diagnostic]) -> String {
    use super::github::{escape_data, escape_property};
    let mut out = String::new();
    for d in diagnostics {
        let mut props = Vec::new();
        if !d.file.is_empty() && !d.file.starts_with('<') {
            props.push(format!("file={}", escape_property(&d.file)));
            if d.line > 0 {
                props.push(format!("line={}", d.line));
                props.push(format!("col={}", d.column.max(1)));
            }
        }
        props.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.code.as_str(), d.code.name()))
        ));
        let _ = writeln!(
            out,
            "::error {}::{}",
            props.join(","),
            escape_data(&format!("{} ({})", d.message, d.help))
        );
    }
    out
}

/// `check --format junit` when the input is broken: a suite `ctrlmap input` with one failed
/// test case per problem.
pub fn junit(diagnostics: &[Diagnostic]) -> String {
    use super::junit::{xml_attr, xml_text};
    let n = diagnostics.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"ctrlmap\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" skipped=\"0\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"ctrlmap input\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" skipped=\"0\">"
    );
    for d in diagnostics {
        let location = d.location();
        let name = if location.is_empty() {
            "command line".to_string()
        } else {
            location
        };
        let _ = writeln!(
            out,
            "    <testcase name=\"{}\" classname=\"ctrlmap.input\">",
            xml_attr(&format!("{name} {}", d.code.as_str()))
        );
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            xml_attr(&format!("{}: {}", d.code.as_str(), d.message)),
            d.code.as_str(),
            xml_text(&format!("{name}: {}\nhelp: {}", d.message, d.help))
        );
        let _ = writeln!(out, "    </testcase>");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// `check --format markdown` when the input is broken: the verdict and a table of problems.
pub fn markdown(diagnostics: &[Diagnostic]) -> String {
    use super::escape::md_cell as m;
    let mut out = String::from("## ctrlmap check: ❌ input errors\n\n");
    let _ = writeln!(
        out,
        "{} problem(s) in the input; nothing was assessed.\n",
        diagnostics.len()
    );
    let _ = writeln!(out, "| Code | Location | Problem | What to do |");
    let _ = writeln!(out, "|---|---|---|---|");
    for d in diagnostics {
        let _ = writeln!(
            out,
            "| {} {} | {} | {} | {} |",
            d.code.as_str(),
            d.code.name(),
            m(&d.location()),
            m(&d.message),
            m(&d.help)
        );
    }
    out
}
