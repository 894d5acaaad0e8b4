//! Input errors (diagnostics), rendered from data. For people, like rustc (with
//! annotate-snippets, as rustc and cargo do): `error[CODE]: message`, ` --> file:line:col`,
//! the source line with the span underlined, other places as notes, and the help. For
//! machines, in every `check` format, so a CI that reads only the machine output still sees
//! why the run exited 2: JSON `errors`, SARIF tool execution notifications with their
//! locations, GitHub `::error` annotations, a JUnit failure per problem, a Markdown table.
//!
//! Paths are given as the caller shows them (see `cli::PathBase`): the diagnostics passed
//! here already carry them.

use crate::emit::escape::terminal_line;
use crate::model::diagnostic::Diagnostic;
use serde::Serialize;
use serde_json::json;
use std::fmt::Write as _;

/// Render one diagnostic for a terminal, like rustc. `line` is the source line it points at
/// (when known). Everything user-written (message, excerpt, help, notes) is shown with its
/// control characters made visible, so a file cannot drive the terminal that shows its
/// problems; a long line is cut to a window around the column, marked with `…`. `styled`
/// colours it as rustc does (for a terminal, or `--color always`).
pub fn render(d: &Diagnostic, line: Option<&str>, styled: bool) -> String {
    render_labelled(d, line, &[], styled)
}

/// [`render`], with the source line of each secondary label (same order as `d.labels`): a
/// label whose line is known is drawn as its own excerpt (`::: file:line:col`, as rustc
/// shows a previous definition), the others as notes.
pub fn render_labelled(d: &Diagnostic, line: Option<&str>, label_lines: &[Option<&str>], styled: bool) -> String {
    render_at(annotate_snippets::Level::Error, d, line, label_lines, styled)
}

/// [`render`] for a problem that does not stop the command: `warning[CODE]: …`.
pub fn render_warning(d: &Diagnostic, line: Option<&str>, styled: bool) -> String {
    render_at(annotate_snippets::Level::Warning, d, line, &[], styled)
}

fn render_at(
    level: annotate_snippets::Level,
    d: &Diagnostic,
    line: Option<&str>,
    label_lines: &[Option<&str>],
    styled: bool,
) -> String {
    use annotate_snippets::{Level, Renderer, Snippet};
    let title = terminal_line(&d.message).into_owned();
    let code = d.code.as_str();
    let location = d.location();
    let location = terminal_line(&location).into_owned();
    let help = terminal_line(&d.help).into_owned();
    // Labels with a known line become excerpts; the rest stay notes.
    let drawn: Vec<(String, std::ops::Range<usize>, String, String, usize)> = d
        .labels
        .iter()
        .zip(label_lines.iter().chain(std::iter::repeat(&None)))
        .filter_map(|(l, text)| {
            let text = text.filter(|_| l.line > 0)?;
            let (shown, span) = excerpt(text, l.column);
            Some((
                shown,
                span,
                terminal_line(&l.message).into_owned(),
                terminal_line(&l.file).into_owned(),
                l.line,
            ))
        })
        .collect();
    let notes: Vec<String> = d
        .labels
        .iter()
        .zip(label_lines.iter().chain(std::iter::repeat(&None)))
        .filter(|(l, text)| text.is_none() || l.line == 0)
        .map(|(l, _)| terminal_line(&format!("{} ({}:{}:{})", l.message, l.file, l.line, l.column)).into_owned())
        .collect();
    // The excerpt as shown (control characters visible), the span in it, and its column.
    let excerpt = line.filter(|_| d.line > 0).map(|text| excerpt(text, d.column));
    let mut message = level.title(&title).id(code);
    if let Some((shown, span)) = &excerpt {
        message = message.snippet(
            Snippet::source(shown)
                .line_start(d.line)
                .origin(&d.file)
                .annotation(level.span(span.clone())),
        );
    }
    for (shown, span, label, file, line) in &drawn {
        message = message.snippet(
            Snippet::source(shown)
                .line_start(*line)
                .origin(file)
                .annotation(Level::Note.span(span.clone()).label(label)),
        );
    }
    for note in &notes {
        message = message.footer(Level::Note.title(note));
    }
    if !help.is_empty() {
        message = message.footer(Level::Help.title(&help));
    }
    let renderer = if styled { Renderer::styled() } else { Renderer::plain() };
    let mut out = renderer.render(message).to_string();
    // The renderer counts the column in the excerpt as shown (which may be cut or carry
    // escapes); the arrow names the place in the file. (Styled, the arrow is followed by
    // its colour's reset, then the space.)
    if excerpt.is_some()
        && let Some(arrow) = out.find("-->")
        && let Some(space) = out[arrow..].find(' ').map(|n| arrow + n)
    {
        let end = out[space..].find('\n').map_or(out.len(), |n| space + n);
        out.replace_range(space + 1..end, &location);
    }
    // Without an excerpt, say where it is the way rustc does.
    if excerpt.is_none() && !location.is_empty() {
        let arrow = format!("\n --> {location}");
        match out.find('\n') {
            Some(i) => out.insert_str(i, &arrow),
            None => out.push_str(&arrow),
        }
    }
    out.push('\n');
    out
}

/// A warning without a code for people: the run goes on. Drawn like rustc's `warning:` with
/// its place, the source line (when known) with the token underlined, and the help.
pub fn render_uncoded_warning(
    message: &str,
    (file, line_no, column): (&str, usize, usize),
    line: Option<&str>,
    help: &str,
    styled: bool,
) -> String {
    use annotate_snippets::{Level, Renderer, Snippet};
    let title = terminal_line(message).into_owned();
    let origin = terminal_line(file).into_owned();
    let help = terminal_line(help).into_owned();
    let excerpt = line.map(|text| excerpt(text, column));
    let mut message = Level::Warning.title(&title);
    if let Some((shown, span)) = &excerpt {
        message = message.snippet(
            Snippet::source(shown)
                .line_start(line_no)
                .origin(&origin)
                .annotation(Level::Warning.span(span.clone())),
        );
    }
    if !help.is_empty() {
        message = message.footer(Level::Help.title(&help));
    }
    let renderer = if styled { Renderer::styled() } else { Renderer::plain() };
    let mut out = renderer.render(message).to_string();
    if excerpt.is_none() {
        let arrow = format!("\n --> {origin}:{line_no}:{column}");
        match out.find('\n') {
            Some(i) => out.insert_str(i, &arrow),
            None => out.push_str(&arrow),
        }
    }
    out.push('\n');
    out
}

/// The source line as shown (a window of at most 120 characters around the column, control
/// characters made visible) and the byte span of the token at the column in it.
fn excerpt(line: &str, column: usize) -> (String, std::ops::Range<usize>) {
    let chars: Vec<char> = line.chars().collect();
    let col = column.saturating_sub(1).min(chars.len());
    let start = col.saturating_sub(60);
    let end = (start + 120).min(chars.len());
    let mut shown = String::new();
    if start > 0 {
        shown.push(crate::model::text::ELLIPSIS);
    }
    let mut span_start = shown.len();
    // The token at the column: a quoted string to its closing quote, else up to the next
    // space, `,`, closing bracket or key separator (at least one character).
    let token_end = match chars.get(col) {
        Some(q @ ('"' | '\'')) => chars[col + 1..end]
            .iter()
            .position(|c| c == q)
            .map_or(end, |n| col + n + 2),
        _ => (col..end)
            .position(|i| {
                let c = chars[i];
                // `:` ends a token only as YAML's key separator (`hipaa:164.308(a)` is one).
                c.is_whitespace()
                    || matches!(c, ',' | ']' | '}')
                    || (c == ':' && chars.get(i + 1).is_none_or(|n| n.is_whitespace()))
            })
            .map_or(end, |n| col + n.max(1)),
    };
    let mut span_end = span_start;
    for (i, c) in chars[start..end].iter().enumerate() {
        if start + i == col {
            span_start = shown.len();
        }
        shown.push_str(&terminal_line(c.encode_utf8(&mut [0; 4])));
        if start + i < token_end {
            span_end = shown.len();
        }
    }
    if col >= end {
        // The column is past the end of the line (e.g. a missing value): point just after it.
        span_start = shown.len();
        shown.push(' ');
        span_end = shown.len();
    }
    if end < chars.len() {
        shown.push(crate::model::text::ELLIPSIS);
    }
    (shown, span_start..span_end.max(span_start + 1))
}

/// Every diagnostic, rendered with source excerpts (`source` gives a file's text); each
/// file's lines are split once, however many diagnostics point into it.
pub fn render_all<'a>(diagnostics: &'a [Diagnostic], source: impl Fn(&str) -> Option<&'a str>) -> String {
    render_each(diagnostics, source, |d| d.clone(), false)
}

/// Every diagnostic rendered: excerpts looked up by the diagnostic's own file (`source`),
/// headers and places as `shown` writes them (e.g. relative to the folder ctrlmap runs in).
pub fn render_each<'a>(
    diagnostics: &'a [Diagnostic],
    source: impl Fn(&str) -> Option<&'a str>,
    shown: impl Fn(&Diagnostic) -> Diagnostic,
    styled: bool,
) -> String {
    let mut lines: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    let mut line_of = |file: &'a str, n: usize| -> Option<&'a str> {
        if n == 0 {
            return None;
        }
        let text = source(file)?;
        lines
            .entry(file)
            .or_insert_with(|| text.lines().collect())
            .get(n - 1)
            .copied()
    };
    let mut out = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let line = line_of(&d.file, d.line);
        let label_lines: Vec<Option<&str>> = d.labels.iter().map(|l| line_of(&l.file, l.line)).collect();
        out.push(render_labelled(&shown(d), line, &label_lines, styled));
    }
    out.join("\n")
}

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
    /// Other places it points at: `file`, `line`, `column`, `message`.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    labels: &'a [crate::model::diagnostic::Label],
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

/// The problems as `check --format json` lists them under `errors`.
pub fn errors_json(diagnostics: &[Diagnostic]) -> serde_json::Value {
    serde_json::to_value(error_rows(diagnostics)).unwrap_or_default()
}

fn error_rows(diagnostics: &[Diagnostic]) -> Vec<ErrorJson<'_>> {
    diagnostics
        .iter()
        .map(|d| ErrorJson {
            file: &d.file,
            line: d.line,
            column: d.column,
            code: d.code.as_str(),
            name: d.code.name(),
            message: &d.message,
            help: &d.help,
            labels: &d.labels,
        })
        .collect()
}

/// `check --format json` when the input is broken: `passed: false`, every problem under
/// `errors`, and empty `scopes` and `findings` (nothing was assessed).
pub fn json(diagnostics: &[Diagnostic]) -> String {
    let doc = FailedCheckJson {
        version: super::JSON_VERSION,
        tool: "ctrlmap",
        tool_version: env!("CARGO_PKG_VERSION"),
        passed: false,
        errors: error_rows(diagnostics),
        scopes: [],
        findings: [],
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// `check --format sarif` when the input is broken: one run with no results, whose
/// invocation failed (exit code 2) and carries one error notification per problem, with its
/// location and the diagnostic code as the notification's descriptor.
pub fn sarif(diagnostics: &[Diagnostic]) -> String {
    let mut run = json!({
        "tool": { "driver": {
            "name": "ctrlmap",
            "fullName": format!("ctrlmap {}", env!("CARGO_PKG_VERSION")),
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "notifications": notification_descriptors(),
            "rules": [],
        }},
        "invocations": [{
            "executionSuccessful": false,
            "exitCode": 2,
            "toolExecutionNotifications": notifications(diagnostics),
        }],
        "results": [],
        "columnKind": "unicodeCodePoints",
    });
    if diagnostics.iter().any(|d| d.file.starts_with("<builtin>/")) {
        run["originalUriBaseIds"] = builtin_base();
    }
    let log = json!({
        "$schema": super::sarif::SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// A SARIF log of findings (from [`super::sarif::sarif`]) with the input problems of the
/// scopes that could not be assessed added to its run: the invocation failed (exit code 2)
/// and carries one error notification per problem, as [`sarif`] writes them, after any
/// notification the log already had.
pub fn sarif_with_findings(findings_log: &str, diagnostics: &[Diagnostic]) -> String {
    let Ok(mut log) = serde_json::from_str::<serde_json::Value>(findings_log) else {
        return sarif(diagnostics);
    };
    let Some(run) = log.pointer_mut("/runs/0") else {
        return sarif(diagnostics);
    };
    run["tool"]["driver"]["notifications"] = json!(notification_descriptors());
    let mut list: Vec<serde_json::Value> = run
        .pointer("/invocations/0/toolExecutionNotifications")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    list.extend(notifications(diagnostics));
    run["invocations"] = json!([{
        "executionSuccessful": false,
        "exitCode": 2,
        "toolExecutionNotifications": list,
    }]);
    if diagnostics.iter().any(|d| d.file.starts_with("<builtin>/")) && run.get("originalUriBaseIds").is_none() {
        run["originalUriBaseIds"] = builtin_base();
    }
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// The `originalUriBaseIds` entry for files built into ctrlmap.
fn builtin_base() -> serde_json::Value {
    json!({
        super::sarif::BUILTIN_BASE: { "description": { "text": "Catalogs, crosswalks and policy packs built into ctrlmap." } }
    })
}

/// Every diagnostic code as a SARIF notification descriptor.
fn notification_descriptors() -> Vec<serde_json::Value> {
    crate::model::diagnostic::Code::all()
        .map(|c| json!({ "id": c.as_str(), "name": c.name() }))
        .collect()
}

/// One SARIF error notification per problem, with its locations.
fn notifications(diagnostics: &[Diagnostic]) -> Vec<serde_json::Value> {
    diagnostics
        .iter()
        .map(|d| {
            let mut n = json!({
                "level": "error",
                "message": { "text": crate::model::text::shorten(&format!("{}: {} ({})", d.code.as_str(), d.message, d.help), super::sarif::MAX_MESSAGE_CHARS) },
                "descriptor": { "id": d.code.as_str() },
                "properties": { "name": d.code.name(), "help": d.help },
            });
            let mut locations: Vec<serde_json::Value> = super::sarif::diagnostic_location(d).into_iter().collect();
            // Other places the diagnostic points at (e.g. where a duplicate id was first
            // defined), each with what it is.
            for label in &d.labels {
                let at = Diagnostic::new(
                    &label.file,
                    crate::model::Pos { line: label.line, column: label.column },
                    d.code,
                    "",
                    "",
                );
                if let Some(mut location) = super::sarif::diagnostic_location(&at) {
                    location["message"] = json!({ "text": label.message });
                    locations.push(location);
                }
            }
            if !locations.is_empty() {
                n["locations"] = json!(locations);
            }
            n
        })
        .collect()
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

/// `check --format gitlab` when the input is broken: one `blocker` issue per problem, so the
/// merge request shows why the job failed. The fingerprint hashes the code, place and
/// message (stable across runs).
pub fn gitlab(diagnostics: &[Diagnostic]) -> String {
    use sha2::{Digest, Sha256};
    let issues: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let place = format!("{}:{}:{}", d.file, d.line, d.column);
            let digest = Sha256::digest(format!("{}\n{place}\n{}", d.code.as_str(), d.message).as_bytes());
            let fingerprint = hex::encode(&digest[..16]);
            json!({
                "type": "issue",
                "check_name": format!("{} {}", d.code.as_str(), d.code.name()),
                "description": format!("{} ({})", d.message, d.help),
                "categories": ["Bug Risk"],
                "severity": "blocker",
                "fingerprint": fingerprint,
                "location": { "path": if d.file.is_empty() { "(command line)".to_string() } else { d.file.clone() }, "lines": { "begin": d.line.max(1) } },
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&serde_json::Value::Array(issues)).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}

/// A GitLab Code Quality report of findings (from [`super::gitlab::gitlab`]) with one
/// `blocker` issue per input problem of the scopes that could not be assessed, first.
pub fn gitlab_with_findings(findings_report: &str, diagnostics: &[Diagnostic]) -> String {
    let mut issues: Vec<serde_json::Value> = serde_json::from_str(&gitlab(diagnostics)).unwrap_or_default();
    let found: Vec<serde_json::Value> = serde_json::from_str(findings_report).unwrap_or_default();
    issues.extend(found);
    let mut out = serde_json::to_string_pretty(&serde_json::Value::Array(issues)).unwrap_or_else(|_| "[]".into());
    out.push('\n');
    out
}

/// `check --format markdown` when the input is broken: the verdict and a table of problems.
pub fn markdown(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::from("## ctrlmap check: ❌ input errors\n\n");
    let _ = writeln!(
        out,
        "{} in the input; nothing was assessed.\n",
        super::count(diagnostics.len(), "problem")
    );
    out.push_str(&problem_table(diagnostics));
    out
}

/// The Markdown table of input problems: code, location, problem, what to do.
pub fn problem_table(diagnostics: &[Diagnostic]) -> String {
    use super::escape::md_cell as m;
    let mut out = String::new();
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

#[cfg(test)]
mod render_tests {
    use super::*;
    use crate::model::Pos;
    use crate::model::diagnostic::Code;

    #[test]
    fn a_diagnostic_reads_like_rustc_with_the_token_underlined() {
        let d = Diagnostic::new(
            "s.yaml",
            Pos { line: 2, column: 3 },
            Code::E003,
            "unknown key `nmae`",
            "did you mean `name`?",
        );
        let text = render(&d, Some("  nmae: x"), false);
        assert_eq!(
            text,
            "error[E003]: unknown key `nmae`\n --> s.yaml:2:3\n  |\n2 |   nmae: x\n  |   ^^^^\n  |\n  = help: did you mean `name`?\n"
        );
    }

    #[test]
    fn control_characters_are_shown_and_the_underline_stays_in_place() {
        let d = Diagnostic::new(
            "s.yaml",
            Pos { line: 1, column: 9 },
            Code::E003,
            "unknown key `\u{1b}[2J`",
            "",
        );
        let text = render(&d, Some("a: \u{1b}[31mx: y"), false);
        assert!(!text.contains('\u{1b}'), "{text}");
        assert!(text.contains("1 | a: \\u{1b}[31mx: y\n"), "{text}");
        assert!(text.contains(&format!("  | {}^", " ".repeat(13))), "{text}");
    }

    #[test]
    fn other_places_are_notes_and_a_file_without_a_line_is_still_named() {
        let d = Diagnostic::new(
            "scopes/b.yaml",
            Pos { line: 2, column: 5 },
            Code::E011,
            "scope `x` is defined twice",
            "rename one",
        )
        .with_label("scopes/a.yaml", Pos { line: 2, column: 5 }, "first defined here");
        let text = render(&d, None, false);
        assert!(
            text.starts_with("error[E011]: scope `x` is defined twice\n --> scopes/b.yaml:2:5\n"),
            "{text}"
        );
        assert!(
            text.contains("= note: first defined here (scopes/a.yaml:2:5)"),
            "{text}"
        );
    }
}
