//! Diagnostics: problems in the user's input, as data.
//!
//! Loading never stops at the first problem. Every problem becomes a [`Diagnostic`] with a
//! stable code, a position, a message and a hint, and all of them are reported together.

use crate::model::Pos;
use serde::Serialize;

/// Stable input-diagnostic codes. A code never changes meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum Code {
    /// The file is not valid YAML.
    E001,
    /// A mapping has the same key twice.
    E002,
    /// A key the file format does not know.
    E003,
    /// A value of the wrong type.
    E004,
    /// A required field is missing.
    E005,
    /// A date is not a valid `YYYY-MM-DD` date.
    E006,
    /// A value outside the allowed set or pattern.
    E007,
    /// A reference to a framework that does not exist.
    E008,
    /// A reference to a control that does not exist in its framework.
    E009,
    /// A reference to a service that does not exist.
    E010,
    /// The same id is declared twice.
    E011,
    /// An evidence path leaves the workspace.
    E012,
    /// The YAML is too large or too deeply nested (alias bomb, nesting).
    E013,
    /// The file's `kind` is missing or unknown.
    E014,
    /// A catalog control names a parent that does not exist.
    E015,
    /// The file cannot be read.
    E016,
    /// A reference to a party that is not declared.
    E017,
    /// A reference to a service option that does not exist.
    E018,
    /// A custom policy rule's expression does not compile.
    E019,
    /// Nothing to assess: no scope files, or an empty (or comment-only) file.
    E020,
    /// A custom policy rule failed while it was evaluated (an undefined field, a runaway
    /// loop): never a silent `false`.
    E021,
    /// A mistake on the command line: a scope id, output, format or argument that does not
    /// name what the command needs (with the closest valid one), or an output that would
    /// overwrite another output or an input of the run.
    E022,
    /// A reference to a package that does not exist (a scope's `package`, a package's
    /// `extends`).
    E023,
    /// Packages that build on each other in a circle (`extends`).
    E024,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::E001 => "E001",
            Code::E002 => "E002",
            Code::E003 => "E003",
            Code::E004 => "E004",
            Code::E005 => "E005",
            Code::E006 => "E006",
            Code::E007 => "E007",
            Code::E008 => "E008",
            Code::E009 => "E009",
            Code::E010 => "E010",
            Code::E011 => "E011",
            Code::E012 => "E012",
            Code::E013 => "E013",
            Code::E014 => "E014",
            Code::E015 => "E015",
            Code::E016 => "E016",
            Code::E017 => "E017",
            Code::E018 => "E018",
            Code::E019 => "E019",
            Code::E020 => "E020",
            Code::E021 => "E021",
            Code::E022 => "E022",
            Code::E023 => "E023",
            Code::E024 => "E024",
        }
    }

    /// Short kebab-case name, shown next to the code.
    pub fn name(self) -> &'static str {
        match self {
            Code::E001 => "yaml-syntax",
            Code::E002 => "duplicate-key",
            Code::E003 => "unknown-key",
            Code::E004 => "wrong-type",
            Code::E005 => "missing-field",
            Code::E006 => "bad-date",
            Code::E007 => "invalid-value",
            Code::E008 => "unknown-framework",
            Code::E009 => "unknown-control",
            Code::E010 => "unknown-service",
            Code::E011 => "duplicate-id",
            Code::E012 => "evidence-outside-workspace",
            Code::E013 => "yaml-too-complex",
            Code::E014 => "unknown-kind",
            Code::E015 => "dangling-parent",
            Code::E016 => "unreadable-file",
            Code::E017 => "unknown-party",
            Code::E018 => "unknown-option",
            Code::E019 => "invalid-expression",
            Code::E020 => "empty-input",
            Code::E021 => "rule-failed",
            Code::E022 => "bad-usage",
            Code::E023 => "unknown-package",
            Code::E024 => "package-cycle",
        }
    }

    pub const ALL: [Code; 24] = [
        Code::E001,
        Code::E002,
        Code::E003,
        Code::E004,
        Code::E005,
        Code::E006,
        Code::E007,
        Code::E008,
        Code::E009,
        Code::E010,
        Code::E011,
        Code::E012,
        Code::E013,
        Code::E014,
        Code::E015,
        Code::E016,
        Code::E017,
        Code::E018,
        Code::E019,
        Code::E020,
        Code::E021,
        Code::E022,
        Code::E023,
        Code::E024,
    ];
}

/// One problem in one input file (or on the command line).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    /// File path as the user would type it (relative to the workspace, or `<builtin>/…`);
    /// empty for a problem on the command line.
    pub file: String,
    /// 1-based; 0 when the problem concerns the whole file (or the command line).
    pub line: usize,
    pub column: usize,
    pub code: Code,
    pub message: String,
    /// What to do about it.
    pub help: String,
    /// Other places that bear on it (e.g. where a duplicate id was first defined).
    pub labels: Vec<Label>,
}

/// A secondary place a diagnostic points at, with what it is.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Label {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: &str, pos: Pos, code: Code, message: impl Into<String>, help: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: pos.line.max(1),
            column: pos.column.max(1),
            code,
            message: message.into(),
            help: help.into(),
            labels: Vec::new(),
        }
    }

    /// The same diagnostic, also pointing at another place (`what` it is).
    pub fn with_label(mut self, file: &str, pos: Pos, what: impl Into<String>) -> Self {
        self.labels.push(Label {
            file: file.to_string(),
            line: pos.line,
            column: pos.column,
            message: what.into(),
        });
        self
    }

    /// A problem with a whole file or folder (no line in it), e.g. an empty `scopes/`.
    pub fn about_file(file: &str, code: Code, message: impl Into<String>, help: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            code,
            message: message.into(),
            help: help.into(),
            labels: Vec::new(),
        }
    }

    /// A problem with the command line (an unknown code in `--deny`, a bad `--as-of`).
    pub fn on_command_line(code: Code, message: impl Into<String>, help: impl Into<String>) -> Self {
        Diagnostic::about_file("", code, message, help)
    }

    /// Whether it points at a line of a file.
    pub fn has_position(&self) -> bool {
        !self.file.is_empty() && self.line > 0
    }

    /// `file:line:column`, `file` or nothing.
    pub fn location(&self) -> String {
        match (self.file.is_empty(), self.line) {
            (true, _) => String::new(),
            (false, 0) => self.file.clone(),
            (false, _) => format!("{}:{}:{}", self.file, self.line, self.column),
        }
    }
}

/// The closest candidates to `wanted`, best first, for "did you mean" hints.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>, n: usize) -> Vec<String> {
    let wanted_lower = wanted.to_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wanted_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score > 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(n).map(|(_, c)| c.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_distinct_name() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }

    #[test]
    fn closest_suggests_near_ids_first() {
        let c = closest("PR.AA-3", ["PR.AA-03", "PR.AA-01", "GV.OC-01"], 2);
        assert_eq!(c[0], "PR.AA-03");
    }
}
