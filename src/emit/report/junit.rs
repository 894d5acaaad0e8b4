//! The JUnit XML report: one test case per scope and control, failures carrying the findings
//! at or above the gate; input problems as a failing suite of their own.

use super::{CheckRun, Report};
use crate::emit::junit;
use crate::model::diagnostic::Diagnostic;
use std::io::{self, Write};

pub struct Junit;

impl Report for Junit {
    fn findings(&self, run: &CheckRun<'_>, out: &mut dyn Write, _colour: bool) -> io::Result<()> {
        // Streamed: a large portfolio's report is never built in memory.
        let suites: Vec<junit::Suite> = run.summaries.iter().map(junit::Suite::from_summary).collect();
        junit::write_junit_with_problems(out, &suites, run.all, run.gate, run.baseline, run.report.problems)
    }

    fn diagnostics(&self, problems: &[Diagnostic]) -> Option<String> {
        Some(junit::input_errors(problems))
    }
}
