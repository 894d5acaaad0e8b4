//! The Markdown report (also the GitHub step summary), terminal escapes neutralised.

use super::{CheckRun, Report};
use crate::emit::{check_markdown, diagnostics, escape};
use crate::model::diagnostic::Diagnostic;
use std::io::{self, Write};

pub struct Markdown;

impl Report for Markdown {
    fn findings(&self, run: &CheckRun<'_>, out: &mut dyn Write, _colour: bool) -> io::Result<()> {
        out.write_all(escape::terminal_text(&check_markdown(run.report), false).as_bytes())
    }

    fn diagnostics(&self, problems: &[Diagnostic]) -> Option<String> {
        Some(escape::terminal_text(&diagnostics::markdown(problems), false))
    }
}
