//! JUnit XML (`check --format junit`), for the test views of GitLab, Jenkins, Azure DevOps and
//! the like.
//!
//! One `<testsuite>` per scope and one `<testcase>` per scope × assignable control
//! (`name` = the control, `classname` = the scope), so a CI's test report reads as "which
//! controls of which client pass". A control with a finding that fails the gate (unwaived, at
//! or above `--fail-on`, not in the baseline) is a `<failure>`: its message is
//! `CODE: message` of the most severe such finding, its text every finding on the control
//! with `file:line:column`. A control whose findings are waived is `<skipped>` with the
//! waiver's justification; a control that does not apply to the client is `<skipped>` with
//! the reason it does not apply (as checkov reports a skipped check). Findings below the gate or in the baseline leave the control
//! passing and are listed in its `<system-out>`. A finding on a control that is not in the
//! scope's list (a heading, a scope-wide rule) gets its own test case after the listed ones,
//! so no finding is lost. No timestamps or durations: the same inputs give the same bytes.
//!
//! A portfolio of 10,000 scopes is millions of test cases, so the report is streamed to a
//! writer suite by suite ([`write_junit`]) instead of being built in memory, and scopes with
//! the same assignable controls share one control list ([`crate::assess::portfolio::SharedLists`]). The XML is written here
//! (a handful of elements, escaped by [`xml_text`] / [`xml_attr`]); the tests read it back
//! with `quick-junit`'s parser, an independent implementation.

use crate::assess::baseline::Baseline;
use crate::assess::{Finding, Severity, WaiverNote};
use crate::model::diagnostic::Diagnostic;
use crate::resolve::Matrix;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::Arc;

/// One scope's test suite: its id, the client's name, and its assignable controls in matrix
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suite {
    pub scope: String,
    pub client: String,
    /// `framework:id` of every assignable control (one test case each).
    pub controls: Arc<[String]>,
    /// The controls of `controls` that do not apply to the client, with the reason.
    pub not_applicable: BTreeMap<String, String>,
}

impl Suite {
    /// The suite of a resolved matrix: its assignable rows, in order.
    pub fn from_matrix(matrix: &Matrix) -> Suite {
        Suite {
            scope: matrix.scope.clone(),
            client: matrix.client.clone(),
            controls: Arc::from(crate::assess::portfolio::assignable(matrix)),
            not_applicable: crate::assess::portfolio::not_applicable(matrix).into_iter().collect(),
        }
    }

    /// A scope's suite without its matrix: from the assignable controls its summary kept
    /// when it was assessed (for `check`, which drops each matrix as soon as its scope is
    /// assessed).
    pub fn from_summary(summary: &crate::assess::portfolio::ScopeSummary) -> Suite {
        Suite {
            scope: summary.scope.to_string(),
            client: summary.client.clone(),
            controls: Arc::clone(&summary.assignable),
            not_applicable: summary.not_applicable.iter().cloned().collect(),
        }
    }
}

/// Drop what XML 1.0 cannot carry at all (control characters other than tab, LF, CR;
/// U+FFFE, U+FFFF).
fn xml_char_ok(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// Text content: `&`, `<`, `>` escaped, invalid characters dropped.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| xml_char_ok(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// An attribute value (in double quotes): also `"` and, so that a parser keeps them,
/// tab, LF and CR as character references.
pub fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|c| xml_char_ok(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
    out
}

fn line(f: &Finding, gate: Option<Severity>, baseline: Option<&Baseline>) -> String {
    let state = match (&f.waived, baseline.is_some_and(|b| b.contains(f))) {
        (Some(w), _) => format!(
            " [waived until {} by {}, {}: {}]",
            w.expires, w.approver, w.ticket, w.justification
        ),
        (None, true) => " [baselined]".to_string(),
        (None, false) if !f.fails_gate(gate, None) => " [below the gate]".to_string(),
        _ => String::new(),
    };
    f.cite(&state)
}

/// What a test case reports.
enum Outcome<'a> {
    Pass,
    Fail(&'a Finding),
    Skip(&'a WaiverNote),
    /// The control does not apply to the client, for this reason.
    NotApplicable(&'a str),
}

/// Findings are sorted most severe first, so the first failing one is the worst. A failing
/// finding wins over a waiver, and a waiver over the control not applying.
fn outcome<'a>(
    found: &[&'a Finding],
    not_applicable: Option<&'a String>,
    gate: Option<Severity>,
    baseline: Option<&Baseline>,
) -> Outcome<'a> {
    if let Some(f) = found.iter().find(|f| f.fails_gate(gate, baseline)) {
        return Outcome::Fail(f);
    }
    match (found.iter().find_map(|f| f.waived.as_ref()), not_applicable) {
        (Some(w), _) => Outcome::Skip(w),
        (None, Some(reason)) => Outcome::NotApplicable(reason),
        (None, None) => Outcome::Pass,
    }
}

type ByControl<'a> = BTreeMap<&'a str, Vec<&'a Finding>>;

/// A suite's test cases: its listed controls (first occurrence), then the other controls
/// its findings name.
fn cases<'a>(suite: &'a Suite, found: &'a ByControl<'a>) -> Vec<(&'a str, &'a [&'a Finding])> {
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::with_capacity(suite.controls.len());
    for control in suite.controls.iter() {
        if seen.insert(control.as_str()) {
            let list = found.get(control.as_str()).map(Vec::as_slice).unwrap_or_default();
            out.push((control.as_str(), list));
        }
    }
    for (control, list) in found {
        if seen.insert(control) {
            out.push((*control, list.as_slice()));
        }
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tests: usize,
    failures: usize,
    skipped: usize,
}

fn count(suite: &Suite, list: &[(&str, &[&Finding])], gate: Option<Severity>, baseline: Option<&Baseline>) -> Counts {
    let mut c = Counts::default();
    for (control, found) in list {
        c.tests += 1;
        match outcome(found, suite.not_applicable.get(*control), gate, baseline) {
            Outcome::Fail(_) => c.failures += 1,
            Outcome::Skip(_) | Outcome::NotApplicable(_) => c.skipped += 1,
            Outcome::Pass => {}
        }
    }
    c
}

/// Stream the JUnit XML report to `out`: `suites` in the given order (then a suite for any
/// scope only the findings name), test cases in each suite's control order (then the
/// findings' other controls, sorted). `gate` is the `--fail-on` severity (`None`: nothing
/// fails); findings in `baseline` never fail.
pub fn write_junit<W: Write>(
    out: W,
    suites: &[Suite],
    findings: &[Finding],
    gate: Option<Severity>,
    baseline: Option<&Baseline>,
) -> io::Result<()> {
    write_junit_with_problems(out, suites, findings, gate, baseline, &[])
}

/// [`write_junit`], with the input problems of scopes that could not be assessed as a first
/// suite `ctrlmap input` (one failed test case per problem), counted in the totals.
pub fn write_junit_with_problems<W: Write>(
    out: W,
    suites: &[Suite],
    findings: &[Finding],
    gate: Option<Severity>,
    baseline: Option<&Baseline>,
    problems: &[crate::model::diagnostic::Diagnostic],
) -> io::Result<()> {
    // Findings by scope and control, most severe first within a control.
    let mut by_scope: BTreeMap<&str, ByControl> = BTreeMap::new();
    for f in findings {
        by_scope
            .entry(&*f.scope)
            .or_default()
            .entry(&*f.control)
            .or_default()
            .push(f);
    }
    for controls in by_scope.values_mut() {
        for list in controls.values_mut() {
            list.sort_by(|a, b| Finding::report_order(a, b)); // one scope and control
        }
    }
    let listed: BTreeSet<&str> = suites.iter().map(|s| s.scope.as_str()).collect();
    let extra: Vec<Suite> = by_scope
        .keys()
        .filter(|s| !listed.contains(*s))
        .map(|s| Suite {
            scope: s.to_string(),
            client: String::new(),
            controls: Arc::from(Vec::new()),
            not_applicable: BTreeMap::new(),
        })
        .collect();
    let all: Vec<&Suite> = suites.iter().chain(extra.iter()).collect();
    let empty = ByControl::new();

    // First pass: the totals the root element carries.
    let mut total = Counts {
        tests: problems.len(),
        failures: problems.len(),
        ..Counts::default()
    };
    for suite in &all {
        let found = by_scope.get(suite.scope.as_str()).unwrap_or(&empty);
        let c = count(suite, &cases(suite, found), gate, baseline);
        total.tests += c.tests;
        total.failures += c.failures;
        total.skipped += c.skipped;
    }

    let mut w = io::BufWriter::new(out);
    writeln!(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(
        w,
        "<testsuites name=\"ctrlmap\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
        total.tests, total.failures, total.skipped
    )?;
    if !problems.is_empty() {
        w.write_all(input_suite(problems, "    ", "        ", "            ").as_bytes())?;
    }
    let fail_on = gate.map(Severity::as_str).unwrap_or("none");
    for suite in &all {
        let found = by_scope.get(suite.scope.as_str()).unwrap_or(&empty);
        let list = cases(suite, found);
        let c = count(suite, &list, gate, baseline);
        let scope = xml_attr(&suite.scope);
        writeln!(
            w,
            "    <testsuite name=\"{scope}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">",
            c.tests, c.failures, c.skipped
        )?;
        writeln!(w, "        <properties>")?;
        if !suite.client.is_empty() {
            writeln!(
                w,
                "            <property name=\"client\" value=\"{}\"/>",
                xml_attr(&suite.client)
            )?;
        }
        writeln!(w, "            <property name=\"fail_on\" value=\"{fail_on}\"/>")?;
        writeln!(w, "        </properties>")?;
        for (control, found) in list {
            let head = format!("        <testcase name=\"{}\" classname=\"{scope}\"", xml_attr(control));
            let not_applicable = suite.not_applicable.get(control);
            if found.is_empty() && not_applicable.is_none() {
                writeln!(w, "{head}/>")?;
                continue;
            }
            let lines = xml_text(
                &found
                    .iter()
                    .map(|f| line(f, gate, baseline))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
            writeln!(w, "{head}>")?;
            match outcome(found, not_applicable, gate, baseline) {
                Outcome::Fail(f) => writeln!(
                    w,
                    "            <failure message=\"{}\" type=\"{}\">{lines}</failure>",
                    xml_attr(&format!("{}: {}", f.code, f.message)),
                    f.severity.as_str()
                )?,
                Outcome::Skip(waiver) => writeln!(
                    w,
                    "            <skipped message=\"{}\" type=\"waived\">{lines}</skipped>",
                    xml_attr(&format!("waived until {}: {}", waiver.expires, waiver.justification))
                )?,
                Outcome::NotApplicable(reason) => {
                    let reason = if reason.is_empty() { "no reason given" } else { reason };
                    let message = xml_attr(&format!("not applicable: {reason}"));
                    if lines.is_empty() {
                        writeln!(
                            w,
                            "            <skipped message=\"{message}\" type=\"not-applicable\"/>"
                        )?
                    } else {
                        writeln!(
                            w,
                            "            <skipped message=\"{message}\" type=\"not-applicable\">{lines}</skipped>"
                        )?
                    }
                }
                Outcome::Pass => writeln!(w, "            <system-out>{lines}</system-out>")?,
            }
            writeln!(w, "        </testcase>")?;
        }
        writeln!(w, "    </testsuite>")?;
    }
    writeln!(w, "</testsuites>")?;
    w.flush()
}

/// The JUnit XML report as a string; see [`write_junit`] (prefer it for large portfolios).
pub fn junit(suites: &[Suite], findings: &[Finding], gate: Option<Severity>, baseline: Option<&Baseline>) -> String {
    let mut bytes = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = write_junit(&mut bytes, suites, findings, gate, baseline);
    String::from_utf8(bytes).unwrap_or_default()
}

/// `check --format junit` when the input is broken: a suite `ctrlmap input` with one failed
/// test case per problem.
pub fn input_errors(diagnostics: &[Diagnostic]) -> String {
    let n = diagnostics.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"ctrlmap\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" skipped=\"0\">"
    );
    out.push_str(&input_suite(diagnostics, "  ", "    ", "      "));
    out.push_str("</testsuites>\n");
    out
}

/// The JUnit suite `ctrlmap input`: one failed test case per problem, indented as the
/// report around it is (suite, test case, failure).
pub fn input_suite(diagnostics: &[Diagnostic], suite: &str, case: &str, failure: &str) -> String {
    let n = diagnostics.len();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{suite}<testsuite name=\"ctrlmap input\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" skipped=\"0\">"
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
            "{case}<testcase name=\"{}\" classname=\"ctrlmap.input\">",
            xml_attr(&format!("{name} {}", d.code.as_str()))
        );
        let _ = writeln!(
            out,
            "{failure}<failure message=\"{}\" type=\"{}\">{}</failure>",
            xml_attr(&format!("{}: {}", d.code.as_str(), d.message)),
            d.code.as_str(),
            xml_text(&format!("{name}: {}\nhelp: {}", d.message, d.help))
        );
        let _ = writeln!(out, "{case}</testcase>");
    }
    let _ = writeln!(out, "{suite}</testsuite>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_keeps_markup_out_and_drops_what_xml_cannot_carry() {
        assert_eq!(xml_text("a<b>&c\u{1}\td"), "a&lt;b&gt;&amp;c\td");
        assert_eq!(xml_attr("\"x\"\n<y>"), "&quot;x&quot;&#10;&lt;y&gt;");
    }
}
