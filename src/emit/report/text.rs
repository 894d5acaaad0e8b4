//! The text report: the summary people read in a terminal, coloured when asked.

use super::{CheckRun, Report};
use crate::emit::{check_text, escape};
use crate::model::diagnostic::Diagnostic;
use std::io::{self, Write};

pub struct Text;

impl Report for Text {
    fn findings(&self, run: &CheckRun<'_>, out: &mut dyn Write, colour: bool) -> io::Result<()> {
        let report = if run.summaries.is_empty() {
            format!("no scopes in {} (allowed by --allow-empty)\n", run.path_shown)
        } else {
            check_text(run.report, colour)
        };
        out.write_all(escape::terminal_text(&report, colour).as_bytes())
    }

    fn diagnostics(&self, _problems: &[Diagnostic]) -> Option<String> {
        None // standard error has them
    }
}
