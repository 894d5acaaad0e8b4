//! GitHub Actions workflow commands (`check --format github`): one annotation per finding,
//! shown on the pull request's files and in the run summary.
//!
//! `::error file=F,line=L,col=C,title=CODE scope::message` — `error` for critical and high,
//! `warning` for medium, `notice` for low and info and for waived findings (with the waiver
//! appended). The message is escaped as workflow-command data (`%`, CR, LF) and the
//! properties also escape `:` and `,`, so no user text can end a command early or forge
//! another one. Findings in the baseline are not annotated.
//!
//! GitHub shows at most 10 annotations of each kind per step (50 per job); the lines are
//! sorted most severe first, so the ones shown are the ones that matter, and when some will
//! not be shown (or baselined ones were skipped) a first `::notice` says how many there are.

use crate::assess::baseline::Baseline;
use crate::assess::{Finding, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Annotations of one kind GitHub shows per step.
pub const SHOWN_PER_KIND: usize = 10;

/// Escape workflow-command data (the message): `%`, CR and LF percent-encoded as the runner
/// expects, any other control character shown as `\u{…}` (the log would obey it).
pub fn escape_data(s: &str) -> String {
    use super::escape::{is_hidden_control, push_visible};
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if is_hidden_control(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Escape a workflow-command property value (file, title).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The command for a finding: error, warning or notice.
pub fn command(f: &Finding) -> &'static str {
    if f.waived.is_some() {
        return "notice";
    }
    match f.severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "notice",
    }
}

/// One annotation line (with its newline). `uri_prefix` is the workspace's path from the
/// folder ctrlmap runs in (the repository root), e.g. `examples/northwind-msp/`.
pub fn annotation(f: &Finding, uri_prefix: &str) -> String {
    let mut props = Vec::new();
    // A built-in catalog is not a file of the repository: no file to annotate.
    if !f.file.starts_with("<builtin>/") {
        props.push(format!("file={}", escape_property(&format!("{uri_prefix}{}", f.file))));
        props.push(format!("line={}", f.line.max(1)));
        props.push(format!("col={}", f.column.max(1)));
    }
    props.push(format!("title={}", escape_property(&format!("{} {}", f.code, f.scope))));
    // The message names its control in nearly every rule; where it does not, say which.
    let mut message = if f.message.contains(&*f.control) {
        f.message.to_string()
    } else {
        format!("{}: {}", f.control, f.message)
    };
    if let Some(w) = &f.waived {
        let _ = write!(
            message,
            " (waived until {} by {}, {}: {})",
            w.expires, w.approver, w.ticket, w.justification
        );
    }
    format!("::{} {}::{}\n", command(f), props.join(","), escape_data(&message))
}

/// The annotations for these findings, most severe first; findings in `baseline` are skipped.
pub fn github(findings: &[Finding], baseline: Option<&Baseline>, uri_prefix: &str) -> String {
    let mut shown: Vec<&Finding> = findings
        .iter()
        .filter(|f| !baseline.is_some_and(|b| b.contains(f)))
        .collect();
    let baselined = findings.len() - shown.len();
    shown.sort_by(|a, b| {
        (a.waived.is_some())
            .cmp(&b.waived.is_some())
            .then_with(|| Finding::report_order(a, b))
    });
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &shown {
        *kinds.entry(command(f)).or_default() += 1;
    }
    let mut out = String::new();
    let over = kinds.values().any(|n| *n > SHOWN_PER_KIND);
    if over || baselined > 0 {
        let counts: Vec<String> = ["error", "warning", "notice"]
            .iter()
            .filter_map(|k| kinds.get(k).map(|n| super::count(*n, k)))
            .collect();
        let mut note = format!(
            "{} annotated{}",
            super::count(shown.len(), "finding"),
            if counts.is_empty() {
                String::new()
            } else {
                format!(": {}", counts.join(", "))
            }
        );
        if baselined > 0 {
            let _ = write!(note, "; {baselined} in the baseline not annotated");
        }
        if over {
            let _ = write!(
                note,
                ". GitHub shows at most {SHOWN_PER_KIND} of each kind per step, most severe first; the job log has them all."
            );
        }
        let _ = writeln!(out, "::notice title=ctrlmap::{}", escape_data(&note));
    }
    for f in shown {
        out.push_str(&annotation(f, uri_prefix));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_data_cannot_carry_escape_sequences_or_line_breaks() {
        assert_eq!(escape_data("a\u{1b}[2J\nb%"), "a\\u{1b}[2J%0Ab%25");
    }
}
