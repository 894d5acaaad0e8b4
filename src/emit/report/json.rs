//! The JSON report: the run's scopes, findings and input problems as one document.

use super::{CheckRun, Report};
use crate::emit::{diagnostics, write_check_json};
use crate::model::diagnostic::Diagnostic;
use std::io::{self, Write};

pub struct Json;

impl Report for Json {
    fn findings(&self, run: &CheckRun<'_>, out: &mut dyn Write, _colour: bool) -> io::Result<()> {
        write_check_json(out, run.report)
    }

    fn diagnostics(&self, problems: &[Diagnostic]) -> Option<String> {
        Some(diagnostics::json(problems))
    }
}
