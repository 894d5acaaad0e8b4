//! `check`'s reports, one file per output format: each implements [`Report`], which renders a
//! run's findings (with any input problems alongside) and, when the input could not be
//! assessed, the problems alone. Adding a format is one file here and one variant of the
//! command line's `--format`. Uses `assess`, `model` and emit's format writers.

mod github;
mod gitlab;
mod json;
mod junit;
mod markdown;
mod sarif;
mod text;

pub use github::Github;
pub use gitlab::Gitlab;
pub use json::Json;
pub use junit::Junit;
pub use markdown::Markdown;
pub use sarif::Sarif;
pub use text::Text;

use crate::assess::baseline::Baseline;
use crate::assess::portfolio::ScopeSummary;
use crate::assess::{Finding, Overrides, Severity};
use crate::model::diagnostic::Diagnostic;
use std::io::{self, Write};

/// One run's results, ready to be written in any format.
pub struct CheckRun<'a> {
    /// The workspace as the user wrote it, for the text report of a run without scopes.
    pub path_shown: &'a str,
    pub report: &'a super::CheckReport<'a>,
    /// The findings shown (after --severity and --quiet), for the formats that mark
    /// baselined findings instead of leaving them out.
    pub shown: &'a [Finding],
    /// Every finding: JUnit's test cases are the gate's verdicts.
    pub all: &'a [Finding],
    pub summaries: &'a [ScopeSummary],
    pub overrides: &'a Overrides,
    pub baseline: Option<&'a Baseline>,
    /// The gate's severity, none for `--fail-on none`.
    pub gate: Option<Severity>,
}

/// One output format of `check`.
pub trait Report {
    /// Write a run's findings, with its input problems (`run.report.problems`) alongside.
    fn findings(&self, run: &CheckRun<'_>, out: &mut dyn Write, colour: bool) -> io::Result<()>;
    /// Write the input problems of a run that assessed nothing. `None`: this format leaves
    /// them to standard error.
    fn diagnostics(&self, problems: &[Diagnostic]) -> Option<String>;
}
