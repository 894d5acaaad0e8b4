//! `ctrlmap scaffold SCOPE_FILE`: closing gaps is editing, not typing.
//!
//! For every control of the scope that nobody owns (or that an owner covers only in part), a
//! stub assignment `responsible: undecided` with the catalog's title and a short quote of its
//! text, and the CSF 2.0 outcomes the crosswalks link to it with their owners in this scope
//! (candidates, never owners). The stubs keep the control unassigned — CM001 points at each
//! one — until a person replaces `undecided` with the party that performs the duty. Printed by
//! default; `--write` adds them to the scope's `assignments:` list, atomically, after checking
//! that the result still loads.

use crate::load::Loaded;
use crate::model::catalog::Framework;
use crate::model::{Requirement, Scope};
use crate::resolve::{self, Coverage, Matrix, Row, SourceKind, Summary};
use anyhow::Result;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ScaffoldArgs {
    /// The scope file, e.g. scopes/riverside-dental.yaml (its workspace is found from it).
    pub scope_file: PathBuf,
    /// Add the stubs to the scope file's `assignments:` list (atomically) instead of printing them.
    #[arg(long)]
    pub write: bool,
}

/// How long a quote of the catalog's text may be in a comment (the full text is one
/// `ctrlmap frameworks show` away).
const QUOTE_CHARS: usize = 160;

/// The placeholder comment after `responsible: undecided`: what may replace it.
pub(crate) const UNDECIDED_HELP: &str =
    "client | msp | [client, msp] (shared: write `msp:` and `client:` duties) | a party id";

/// Text on one comment line: control characters (a line break would end the comment and
/// let the rest be read as YAML) become spaces, runs of whitespace one space.
pub(crate) fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| {
            if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
                ' '
            } else {
                c
            }
        })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The catalog's text on one line, cut at a word before `max` characters.
pub(crate) fn quote(text: &str, max: usize) -> String {
    let flat = one_line(text);
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut = String::new();
    for word in flat.split(' ') {
        if cut.chars().count() + word.chars().count() + 1 > max {
            break;
        }
        if !cut.is_empty() {
            cut.push(' ');
        }
        cut.push_str(word);
    }
    cut.push_str(" …");
    cut
}

/// The comment lines above a stub: the control, its title (and HIPAA requirement), and a
/// quote of its text, all from the built-in (or workspace) catalog.
pub(crate) fn control_comment(out: &mut String, indent: &str, fw: &Framework, id: &str) {
    let Some(control) = fw.get(id) else {
        return;
    };
    let requirement = match control.requirement {
        Some(Requirement::Required) => " (Required)",
        Some(Requirement::Addressable) => " (Addressable)",
        None => "",
    };
    // The title whole (a CSF 2.0 title is its outcome statement); the text quoted in part.
    let title = one_line(&control.title);
    let _ = writeln!(out, "{indent}# {}:{} — {title}{requirement}", fw.id(), control.id);
    // CSF 2.0 outcomes are their own text: quote only what the title does not already say.
    if let Some(text) = control
        .text
        .as_deref()
        .filter(|t| !t.trim().is_empty() && quote(t, usize::MAX) != title)
    {
        let _ = writeln!(out, "{indent}#   “{}”", quote(text, QUOTE_CHARS));
    }
    // What the catalog says may not be handed over (CM015, CM007 otherwise), on the control
    // or a control that contains it.
    let Some(i) = fw.index(id) else {
        return;
    };
    if let Some((_, r)) = fw.retained_responsible(i).filter(|(_, r)| r.joint) {
        let _ = writeln!(
            out,
            "{indent}#   the client must take part in it ({}): others may take part with it, never instead of it",
            one_line(&r.citation)
        );
    } else if let Some((_, r)) = fw.retained_responsible(i) {
        let _ = writeln!(
            out,
            "{indent}#   only the client can perform it ({}): not for the MSP or a third party",
            one_line(&r.citation)
        );
    } else if let Some((_, r)) = fw.retained_accountable(i) {
        let _ = writeln!(
            out,
            "{indent}#   the MSP may perform it; the client stays accountable ({})",
            one_line(&r.citation)
        );
    }
}

/// A conflict among the scope's own entries (assignments, not-applicable): another
/// assignment would not settle it (assignments outrank services, not each other), so it is
/// left to the person, never stubbed.
fn own_conflict(row: &Row) -> bool {
    row.conflict
        && row
            .conflicts
            .iter()
            .any(|p| matches!(p.kind, SourceKind::Assignment | SourceKind::NotApplicable))
}

/// Rows a person must decide: assignable, applicable, and unowned or only partly covered.
fn open_rows<'m>(matrix: &'m Matrix, scope: &Scope) -> Vec<&'m Row> {
    let stubbed: BTreeSet<&str> = scope
        .assignments
        .iter()
        .flatten()
        .filter(|a| a.is_undecided())
        .map(|a| a.control.as_str())
        .collect();
    matrix
        .rows
        .iter()
        .filter(|r| r.assignable)
        .filter(|r| {
            r.summary == Summary::Unassigned || (r.summary != Summary::NotApplicable && r.coverage == Coverage::Partial)
        })
        .filter(|r| !stubbed.contains(&*r.control) && !own_conflict(r))
        .collect()
}

/// The stubs, as items of a YAML list indented by `indent`.
fn stubs(ws: &Loaded, rows: &[&Row], indent: &str) -> String {
    let mut out = String::new();
    for row in rows {
        let Some(fw) = ws.framework(&row.framework) else {
            continue;
        };
        control_comment(&mut out, indent, fw, &row.id);
        if row.conflict {
            let _ = writeln!(
                out,
                "{indent}#   its services disagree (CM002; see `ctrlmap explain`): an assignment here decides"
            );
        } else if row.summary != Summary::Unassigned {
            let _ = writeln!(
                out,
                "{indent}#   now {} with {} coverage: an assignment here replaces that source",
                row.summary.label(),
                <&str>::from(row.coverage)
            );
        }
        for c in &row.candidates {
            let _ = writeln!(out, "{indent}#   candidate: {}", one_line(&c.describe()));
        }
        let _ = writeln!(out, "{indent}- control: {}", row.control);
        let _ = writeln!(out, "{indent}  responsible: undecided  # {UNDECIDED_HELP}");
    }
    out
}

/// Where the stubs go in a scope's text.
#[derive(Debug, PartialEq, Eq)]
enum Insertion {
    /// At this byte offset: the end of the top-level block `assignments:` list, whose items
    /// are indented so.
    InList { offset: usize, indent: String },
    /// The scope has no `assignments:`: a new key at the end of the file.
    NewKey,
    /// `assignments: []` on this line (0-based): replaced by a block list.
    EmptyFlow { line: usize },
}

/// Find where the stubs go. `Err` when the list is written in flow style (`[...]`) with
/// items, which block items cannot join.
fn insertion(text: &str) -> Result<Insertion, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(key) = lines.iter().position(|l| l.starts_with("assignments:")) else {
        return Ok(Insertion::NewKey);
    };
    let rest = lines[key]["assignments:".len()..].trim();
    if rest.starts_with("[]") {
        return Ok(Insertion::EmptyFlow { line: key });
    }
    if !(rest.is_empty() || rest.starts_with('#')) {
        return Err(format!(
            "{}: `assignments:` is written in flow style; write it as a block list (`- control: …` lines) and run scaffold again",
            key + 1
        ));
    }
    let mut end = key + 1;
    let mut indent: Option<String> = None;
    while end < lines.len() {
        let l = lines[end];
        let trimmed = l.trim_start();
        let top_level = !l.starts_with(' ') && !l.starts_with('\t');
        if top_level && !trimmed.trim().is_empty() && !trimmed.starts_with('#') && !trimmed.starts_with('-') {
            break;
        }
        if indent.is_none() && trimmed.starts_with("- ") {
            indent = Some(l[..l.len() - trimmed.len()].to_string());
        }
        end += 1;
    }
    // Trailing comments and blank lines belong to what follows.
    while end > key + 1 {
        let t = lines[end - 1].trim();
        if t.is_empty() || t.starts_with('#') {
            end -= 1;
        } else {
            break;
        }
    }
    let offset: usize = lines[..end].iter().map(|l| l.len()).sum();
    Ok(Insertion::InList {
        offset,
        indent: indent.unwrap_or_else(|| String::from("  ")),
    })
}

/// The scope's text with the stubs of `rows` added.
fn with_stubs(ws: &Loaded, rows: &[&Row], text: &str) -> Result<String, String> {
    let mut new = String::with_capacity(text.len() + rows.len() * 300);
    match insertion(text)? {
        Insertion::InList { offset, indent } => {
            new.push_str(&text[..offset]);
            if !new.ends_with('\n') {
                new.push('\n');
            }
            new.push_str(&stubs(ws, rows, &indent));
            new.push_str(&text[offset..]);
        }
        Insertion::NewKey => {
            new.push_str(text);
            if !new.is_empty() && !new.ends_with('\n') {
                new.push('\n');
            }
            new.push_str(
                "\n# Stubs written by `ctrlmap scaffold`: replace each `undecided` with the party that performs it.\nassignments:\n",
            );
            new.push_str(&stubs(ws, rows, "  "));
        }
        Insertion::EmptyFlow { line } => {
            for (k, l) in text.split_inclusive('\n').enumerate() {
                if k == line {
                    new.push_str("assignments:\n");
                    new.push_str(&stubs(ws, rows, "  "));
                } else {
                    new.push_str(l);
                }
            }
        }
    }
    Ok(new)
}

pub fn run(args: ScaffoldArgs) -> Result<u8> {
    let (ws, idx) = super::common::load_scope(&args.scope_file, "scaffold")?;
    let scope = &ws.scopes[idx];
    let matrix = resolve::resolve(&ws, scope);
    let rows = open_rows(&matrix, scope);
    let shown = crate::load::input::display_path(&args.scope_file);
    let conflicts: Vec<&str> = matrix
        .rows
        .iter()
        .filter(|r| r.assignable && own_conflict(r))
        .map(|r| &*r.control)
        .collect();
    if !conflicts.is_empty() {
        crate::emit::terminal::eprintln(&format!(
            "{shown}: the scope's own entries disagree on {} (CM002): keep one entry for each; no stub is written for them",
            conflicts.join(", ")
        ));
    }
    if rows.is_empty() {
        crate::emit::terminal::eprintln(&format!(
            "{shown}: every {}applicable control has an owner or a stub; nothing to scaffold",
            if conflicts.is_empty() { "" } else { "other " }
        ));
        return Ok(0);
    }
    if !args.write {
        let mut text = format!(
            "# {} for {shown}: add them under `assignments:`, or run with --write.\nassignments:\n",
            crate::emit::count(rows.len(), "stub")
        );
        text.push_str(&stubs(&ws, &rows, "  "));
        crate::emit::terminal::print(&crate::emit::escape::terminal_text(&text, false), false)?;
        return Ok(0);
    }
    let text = match std::fs::read_to_string(&args.scope_file) {
        Ok(t) => t,
        Err(e) => return Err(super::fail(&format!("{shown}: cannot read it: {e}"))),
    };
    let new = with_stubs(&ws, &rows, &text).map_err(|why| super::fail(&format!("{shown}:{why}")))?;
    // Never write a scope that no longer loads: check the new text as the workspace would.
    let rel = scope.origin.file.to_string();
    let (_, problems) = ws.check_scope_bytes(&rel, new.clone().into_bytes());
    if let Some(first) = problems.first() {
        return Err(super::fail(&format!(
            "{shown}: the stubs would make the scope invalid ({}:{}: {}); nothing was written",
            first.file, first.line, first.message
        )));
    }
    super::write_file(&args.scope_file, new.as_bytes())?;
    crate::emit::terminal::print(
        &format!(
            "{shown}: added {} with `responsible: undecided`; replace each with the party that performs it, then `ctrlmap check`.\n",
            crate::emit::count(rows.len(), "stub")
        ),
        false,
    )?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_text_never_breaks_its_line() {
        assert_eq!(one_line("a\nassignments: x\r\u{2028}b\u{1b}c"), "a assignments: x b c");
    }

    #[test]
    fn a_quote_is_cut_at_a_word_and_marked() {
        let q = quote("one two  three\nfour", 9);
        assert_eq!(q, "one two …");
        assert_eq!(quote("short", 9), "short");
    }

    #[test]
    fn stubs_go_at_the_end_of_a_block_assignments_list() {
        let text = "kind: scope\nassignments:\n    - control: a:b\n      responsible: msp\n\n# next\nwaivers: []\n";
        let Ok(Insertion::InList { offset, indent }) = insertion(text) else {
            panic!("a block list")
        };
        assert_eq!(indent, "    ");
        assert_eq!(&text[offset..], "\n# next\nwaivers: []\n");
        // At the end of the file too.
        let text = "kind: scope\nassignments:\n  - control: a:b\n    responsible: msp\n";
        assert_eq!(
            insertion(text),
            Ok(Insertion::InList {
                offset: text.len(),
                indent: "  ".into()
            })
        );
    }

    #[test]
    fn a_flow_assignments_list_is_refused_unless_empty() {
        assert!(insertion("assignments: [{control: a:b, responsible: msp}]\n").is_err());
        assert_eq!(
            insertion("kind: scope\nassignments: []\n"),
            Ok(Insertion::EmptyFlow { line: 1 })
        );
        assert_eq!(insertion("kind: scope\n"), Ok(Insertion::NewKey));
    }
}
