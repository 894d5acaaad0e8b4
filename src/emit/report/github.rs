//! GitHub Actions workflow annotations: input problems first, then the findings.

use super::{CheckRun, Report};
use crate::emit::{diagnostics, github};
use crate::model::diagnostic::Diagnostic;
use std::io::{self, Write};

pub struct Github;

impl Report for Github {
    fn findings(&self, run: &CheckRun<'_>, out: &mut dyn Write, _colour: bool) -> io::Result<()> {
        out.write_all(diagnostics::github(run.report.problems).as_bytes())?;
        out.write_all(github::github(run.shown, run.baseline, "").as_bytes())
    }

    fn diagnostics(&self, problems: &[Diagnostic]) -> Option<String> {
        Some(diagnostics::github(problems))
    }
}
