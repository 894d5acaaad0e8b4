//! Diagnostics: problems in the user's input, as data.
//!
//! Loading never stops at the first problem. Every problem becomes a [`Diagnostic`] with a
//! stable code, a position, a message and a hint, and all of them are reported together.

use crate::model::Pos;
use serde::Serialize;

/// Stable input-diagnostic codes: one table, each code with its name (`message`) and what it
/// means (its doc comment, which `description` returns). A code never changes meaning.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    strum::EnumIter,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumMessage,
)]
pub enum Code {
    /// The file is not valid YAML.
    #[strum(message = "yaml-syntax")]
    E001,
    /// A mapping has the same key twice.
    #[strum(message = "duplicate-key")]
    E002,
    /// A key the file format does not know.
    #[strum(message = "unknown-key")]
    E003,
    /// A value of the wrong type.
    #[strum(message = "wrong-type")]
    E004,
    /// A required field is missing.
    #[strum(message = "missing-field")]
    E005,
    /// A date is not a valid `YYYY-MM-DD` date.
    #[strum(message = "bad-date")]
    E006,
    /// A value outside the allowed set or pattern.
    #[strum(message = "invalid-value")]
    E007,
    /// A reference to a framework that does not exist.
    #[strum(message = "unknown-framework")]
    E008,
    /// A reference to a control that does not exist in its framework.
    #[strum(message = "unknown-control")]
    E009,
    /// A reference to a service that does not exist.
    #[strum(message = "unknown-service")]
    E010,
    /// The same id is declared twice.
    #[strum(message = "duplicate-id")]
    E011,
    /// An evidence path leaves the workspace.
    #[strum(message = "evidence-outside-workspace")]
    E012,
    /// The YAML is too large or too deeply nested (alias bomb, nesting).
    #[strum(message = "yaml-too-complex")]
    E013,
    /// The file's `kind` is missing or unknown.
    #[strum(message = "unknown-kind")]
    E014,
    /// A catalog control names a parent that does not exist.
    #[strum(message = "dangling-parent")]
    E015,
    /// The file cannot be read.
    #[strum(message = "unreadable-file")]
    E016,
    /// A reference to a party that is not declared.
    #[strum(message = "unknown-party")]
    E017,
    /// A reference to a service option that does not exist.
    #[strum(message = "unknown-option")]
    E018,
    /// A custom policy rule's expression does not compile.
    #[strum(message = "invalid-expression")]
    E019,
    /// Nothing to assess: no scope files, or an empty (or comment-only) file.
    #[strum(message = "empty-input")]
    E020,
    /// A custom policy rule failed while it was evaluated (an undefined field, a runaway
    /// loop): never a silent `false`.
    #[strum(message = "rule-failed")]
    E021,
    /// A mistake on the command line: a scope id, output, format or argument that does not
    /// name what the command needs (with the closest valid one), or an output that would
    /// overwrite another output or an input of the run.
    #[strum(message = "bad-usage")]
    E022,
    /// A reference to a package that does not exist (a scope's `package`, a package's
    /// `extends`).
    #[strum(message = "unknown-package")]
    E023,
    /// Packages that build on each other in a circle (`extends`).
    #[strum(message = "package-cycle")]
    E024,
}

impl Code {
    /// `E001`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Short kebab-case name, shown next to the code.
    pub fn name(self) -> &'static str {
        strum::EnumMessage::get_message(&self).unwrap_or_default()
    }

    /// What the code means, in one sentence (its documentation above, on one line).
    pub fn description(self) -> String {
        let doc = strum::EnumMessage::get_documentation(&self).unwrap_or_default();
        doc.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Every code, in order.
    pub fn all() -> impl Iterator<Item = Code> {
        <Code as strum::IntoEnumIterator>::iter()
    }
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
            // Not clamped: a position lost on the way (line 0) must show as lost, so tests can
            // catch it; a problem with a whole file uses `about_file` or `Pos::START`.
            line: pos.line,
            column: if pos.line == 0 { 0 } else { pos.column.max(1) },
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
    fn every_code_is_unique_named_and_documented() {
        let mut names = std::collections::BTreeSet::new();
        let mut count = 0;
        for c in Code::all() {
            count += 1;
            assert!(names.insert(c.name()), "{}: name used twice", c.as_str());
            assert!(!c.name().is_empty(), "{}: no name", c.as_str());
            assert!(c.description().ends_with('.'), "{}: {:?}", c.as_str(), c.description());
            assert_eq!(c.as_str().parse::<Code>().ok(), Some(c));
        }
        assert_eq!(count, 24);
    }

    #[test]
    fn a_lost_position_stays_visible_and_a_file_start_is_a_place() {
        let lost = Diagnostic::new("s.yaml", Pos::default(), Code::E003, "m", "h");
        assert_eq!((lost.line, lost.column), (0, 0));
        assert!(!lost.has_position());
        let start = Diagnostic::new("s.yaml", Pos::START, Code::E016, "m", "h");
        assert_eq!((start.line, start.column), (1, 1));
        let no_column = Diagnostic::new("s.yaml", Pos { line: 3, column: 0 }, Code::E003, "m", "h");
        assert_eq!((no_column.line, no_column.column), (3, 1));
    }

    #[test]
    fn closest_suggests_near_ids_first() {
        let c = closest("PR.AA-3", ["PR.AA-03", "PR.AA-01", "GV.OC-01"], 2);
        assert_eq!(c[0], "PR.AA-03");
    }
}
