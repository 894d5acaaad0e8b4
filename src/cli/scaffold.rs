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
use crate::load::outline::{self, Shape, outline};
use crate::model::catalog::Framework;
use crate::model::{Requirement, Scope};
use crate::resolve::{self, Coverage, Matrix, Row, SourceKind, StaleDecision, StaleEntry, Summary};
use anyhow::Result;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct ScaffoldArgs {
    /// The scope file, e.g. scopes/riverside-dental.yaml (its workspace is found from it).
    pub scope_file: PathBuf,
    /// Add the stubs to the scope file's `assignments:` list (atomically) instead of printing
    /// them; with --reconcile, remove the stale entries from the file.
    #[arg(long)]
    pub write: bool,
    /// Instead of stubs, list the scope's decisions that a higher source now overrides
    /// (CM019: a `client_owned` entry or a `responsible: undecided` stub whose control a
    /// subscribed service, the package or an assignment decides); with --write, remove them.
    #[arg(long)]
    pub reconcile: bool,
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
    crate::model::text::shorten_at_word(&one_line(text), max)
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

/// The scope's text with the stubs of `rows` added to its top-level `assignments:` list (see
/// [`outline::append_to_list`]: at the end of a block list, in place of `[]`, or as a new key
/// at the end). `Err` (a line number and why) for a list in flow style with items, or an
/// `assignments:` that is not a list.
fn with_stubs(ws: &Loaded, rows: &[&Row], text: &str) -> Result<String, String> {
    outline::append_to_list(
        text,
        "assignments",
        &stubs(ws, rows, ""),
        "# Stubs written by `ctrlmap scaffold`: replace each `undecided` with the party that performs it.\n",
    )
    .map_err(|why| match why {
        outline::ListEdit::Flow { line } => format!(
            "{line}: `assignments:` is written in flow style; write it as a block list (`- control: …` lines) and run scaffold again"
        ),
        other => other.describe("assignments"),
    })
}

/// The scope's text without its stale entries (see [`crate::resolve::StaleDecision`]): each
/// item goes with its lines and the comment lines right above it that name its control (the
/// catalog comments `init` and `scaffold` write); a list left empty becomes `[]`. Items are
/// found in the parsed document by the line their entry starts on.
fn without_stale(text: &str, stale: &[&StaleDecision]) -> Result<String, String> {
    let entries = outline(text).map_err(|why| format!(" the scope does not parse ({why})"))?;
    let mut cuts: Vec<std::ops::Range<usize>> = Vec::new();
    let mut emptied: Vec<&outline::Entry> = Vec::new();
    for key in ["client_owned", "assignments"] {
        let wanted: Vec<&&StaleDecision> = stale
            .iter()
            .filter(|d| match d.entry {
                StaleEntry::ClientOwned => key == "client_owned",
                StaleEntry::Undecided => key == "assignments",
            })
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let Some(list) = entries.iter().find(|e| e.key == key) else {
            return Err(format!(" no top-level `{key}:` list holds the entries to remove"));
        };
        if list.shape != Shape::BlockList {
            return Err(format!(
                "{}: `{key}:` is written in flow style; remove the entries by hand (or write it as a block list and run again)",
                list.line
            ));
        }
        let mut removed = 0;
        for d in &wanted {
            let Some(item) = list.items.iter().find(|i| i.line == d.line) else {
                return Err(format!("{}: no entry of `{key}:` starts on this line", d.line));
            };
            let lines = item.lines(text);
            cuts.push(comments_above(text, lines.start, &d.control)..lines.end);
            removed += 1;
        }
        if removed == list.items.len() {
            emptied.push(list);
        }
    }
    cuts.sort_by_key(|r| r.start);
    let mut new = String::with_capacity(text.len());
    let mut at = 0;
    for cut in cuts {
        if cut.start < at {
            continue;
        }
        // A list left without items is written `[]` after its key.
        let from = at;
        for list in emptied.iter().filter(|l| l.key_end >= from && l.key_end <= cut.start) {
            let colon = text[list.key_end..]
                .find(':')
                .map_or(list.key_end, |k| list.key_end + k + 1);
            new.push_str(&text[at..colon]);
            new.push_str(" []");
            at = colon;
        }
        new.push_str(&text[at..cut.start]);
        at = cut.end;
    }
    new.push_str(&text[at..]);
    Ok(new)
}

/// Where an item's own comment starts: the comment lines right above `start` that begin with
/// the one naming `control` (`# hipaa:164.308(a)(1) — …`, as `init` and `scaffold` write
/// them); `start` itself when none does.
fn comments_above(text: &str, start: usize, control: &str) -> usize {
    let mut first = start;
    let mut cursor = start;
    while cursor > 0 {
        let above = outline::line_start(text, cursor - 1);
        let line = text[above..cursor].trim();
        if !line.starts_with('#') {
            break;
        }
        if line
            .strip_prefix('#')
            .map(str::trim_start)
            .is_some_and(|l| l.starts_with(control) && l[control.len()..].starts_with([' ', '\n']) || l == control)
        {
            first = above;
            break;
        }
        cursor = above;
    }
    first
}

pub fn run(args: ScaffoldArgs) -> Result<u8> {
    let (ws, idx) = super::common::load_scope(&args.scope_file, "scaffold")?;
    let scope = &ws.scopes[idx];
    let matrix = resolve::resolve(&ws, scope);
    let shown = crate::fs::input::display_path(&args.scope_file);
    if args.reconcile {
        return reconcile(&ws, scope, &matrix, &args, &shown);
    }
    let rows = open_rows(&matrix, scope);
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

/// `scaffold --reconcile [--write]`: the scope's stale decisions, listed or removed.
fn reconcile(ws: &Loaded, scope: &Scope, matrix: &Matrix, args: &ScaffoldArgs, shown: &str) -> Result<u8> {
    let stale: Vec<&StaleDecision> = matrix.stale.iter().filter(|d| d.file == scope.origin.file).collect();
    if stale.is_empty() {
        crate::emit::terminal::eprintln(&format!(
            "{shown}: no `client_owned` entry or `responsible: undecided` stub is overridden; nothing to reconcile"
        ));
        return Ok(0);
    }
    let mut list = String::new();
    for d in &stale {
        let what = match d.entry {
            StaleEntry::ClientOwned => "client_owned entry",
            StaleEntry::Undecided => "undecided stub",
        };
        let now = match d.how {
            crate::resolve::Staleness::Shadowed => "what decides it now:",
            crate::resolve::Staleness::OutranksSubscription => {
                "it keeps the control from a subscribed service, which decides it once the entry is gone:"
            }
        };
        let _ = writeln!(
            list,
            "  {shown}:{}: {} — {what}; {now} {} ({}:{})",
            d.line,
            d.control,
            one_line(&d.by.detail),
            d.by.file,
            d.by.line
        );
    }
    let list = crate::emit::escape::terminal_text(&list, false);
    if !args.write {
        crate::emit::terminal::print(
            &format!(
                "{shown}: {} a higher source overrides (CM019):\n{list}Run with --reconcile --write to remove {}.\n",
                crate::emit::counted(stale.len(), "decision", "decisions"),
                if stale.len() == 1 { "it" } else { "them" }
            ),
            false,
        )?;
        return Ok(0);
    }
    let text = match std::fs::read_to_string(&args.scope_file) {
        Ok(t) => t,
        Err(e) => return Err(super::fail(&format!("{shown}: cannot read it: {e}"))),
    };
    let new = without_stale(&text, &stale).map_err(|why| super::fail(&format!("{shown}:{why}")))?;
    let rel = scope.origin.file.to_string();
    let (_, problems) = ws.check_scope_bytes(&rel, new.clone().into_bytes());
    if let Some(first) = problems.first() {
        return Err(super::fail(&format!(
            "{shown}: removing the entries would make the scope invalid ({}:{}: {}); nothing was written",
            first.file, first.line, first.message
        )));
    }
    super::write_file(&args.scope_file, new.as_bytes())?;
    crate::emit::terminal::print(
        &format!(
            "{shown}: removed {} a higher source overrides:\n{list}",
            crate::emit::counted(stale.len(), "decision", "decisions")
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

    fn stale(line: usize, control: &str, entry: StaleEntry) -> StaleDecision {
        StaleDecision {
            file: "scopes/a.yaml".into(),
            line,
            column: 5,
            control: control.into(),
            entry,
            how: crate::resolve::Staleness::Shadowed,
            by: crate::resolve::Provenance {
                kind: SourceKind::Service,
                detail: String::new(),
                file: "services/x.yaml".into(),
                line: 1,
                package: None,
            },
        }
    }

    #[test]
    fn a_stale_entry_goes_with_the_comment_that_names_its_control() {
        let text = "kind: scope\nclient_owned:\n  # ── HIPAA ──\n  # hipaa:1 — One\n  #   “text”\n  - control: hipaa:1\n  # hipaa:2 — Two\n  - control: hipaa:2\n    duty: d\nwaivers: []\n";
        let d = stale(6, "hipaa:1", StaleEntry::ClientOwned);
        let new = without_stale(text, &[&d]).expect("removed");
        assert_eq!(
            new,
            "kind: scope\nclient_owned:\n  # ── HIPAA ──\n  # hipaa:2 — Two\n  - control: hipaa:2\n    duty: d\nwaivers: []\n"
        );
    }

    #[test]
    fn a_list_left_empty_is_written_as_an_empty_list() {
        let text = "kind: scope\nassignments:  # stubs\n  - control: a:1\n    responsible: undecided\nnotes: x\n";
        let d = stale(3, "a:1", StaleEntry::Undecided);
        let new = without_stale(text, &[&d]).expect("removed");
        assert_eq!(new, "kind: scope\nassignments: []  # stubs\nnotes: x\n");
    }

    #[test]
    fn a_flow_list_is_refused_for_removal() {
        let text = "kind: scope\nclient_owned: [{control: a:1}]\n";
        let d = stale(2, "a:1", StaleEntry::ClientOwned);
        assert!(without_stale(text, &[&d]).is_err());
    }
}
