//! The GitLab Code Quality report: findings and input problems as issues.

use super::{CheckRun, Report};
use crate::emit::{diagnostics, gitlab};
use crate::model::diagnostic::Diagnostic;
use std::io::{self, Write};

pub struct Gitlab;

impl Report for Gitlab {
    fn findings(&self, run: &CheckRun<'_>, out: &mut dyn Write, _colour: bool) -> io::Result<()> {
        let issues = gitlab::gitlab(run.shown, run.baseline, "");
        let issues = match run.report.problems {
            [] => issues,
            problems => diagnostics::gitlab_with_findings(&issues, problems),
        };
        out.write_all(issues.as_bytes())
    }

    fn diagnostics(&self, problems: &[Diagnostic]) -> Option<String> {
        Some(diagnostics::gitlab(problems))
    }
}
