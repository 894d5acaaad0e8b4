//! The SARIF 2.1.0 report for code scanning: findings as results, input problems as tool
//! notifications.

use super::{CheckRun, Report};
use crate::emit::{diagnostics, sarif};
use crate::model::diagnostic::Diagnostic;
use std::io::{self, Write};

pub struct Sarif;

impl Report for Sarif {
    fn findings(&self, run: &CheckRun<'_>, out: &mut dyn Write, _colour: bool) -> io::Result<()> {
        let log = sarif::sarif(run.shown, &sarif::effective_rules(run.overrides), run.baseline, "");
        let log = match run.report.problems {
            [] => log,
            problems => diagnostics::sarif_with_findings(&log, problems),
        };
        out.write_all(log.as_bytes())
    }

    fn diagnostics(&self, problems: &[Diagnostic]) -> Option<String> {
        Some(diagnostics::sarif(problems))
    }
}
