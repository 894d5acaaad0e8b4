//! The `diff` reports: text, Markdown (a pull-request comment) and JSON, rendered from
//! [`crate::assess::diff::Diff`].

use crate::assess::Finding;
use crate::assess::diff::*;
use crate::emit::escape::md_cell;
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn change_line(c: &ControlChange) -> String {
    let what = match (&c.before, &c.after) {
        (Some(b), Some(a)) if b.label() != a.label() => format!("{} → {}", b.label(), a.label()),
        (Some(b), Some(_)) => b.label(),
        (None, Some(a)) => format!("new: {}", a.label()),
        (Some(b), None) => format!("was {}", b.label()),
        (None, None) => String::new(),
    };
    let kinds: Vec<&str> = c.kinds.iter().map(|k| k.words()).collect();
    let mut s = format!("{what} ({})", kinds.join(", "));
    if c.kinds.contains(&ChangeKind::AccountableChanged)
        && let (Some(b), Some(a)) = (&c.before, &c.after)
    {
        let _ = write!(s, "; accountable {} → {}", b.accountable, a.accountable);
    }
    s
}

fn finding_line(f: &Finding) -> String {
    f.cite(if f.waived.is_some() { " [waived]" } else { "" })
}

fn totals_line(t: &Totals) -> String {
    format!(
        "{} changed, {} added, {} removed, {} unchanged; {} changed ({} changed owner, {} became unassigned); {}, {} fixed",
        super::count(t.scopes_changed, "scope"),
        t.scopes_added,
        t.scopes_removed,
        t.scopes_unchanged,
        super::count(t.controls_changed, "control"),
        t.owner_changed,
        t.became_unassigned,
        super::count(t.new_findings, "new finding"),
        t.fixed_findings
    )
}

fn framework_words(list: &[FrameworkChange]) -> String {
    list.iter()
        .map(|f| format!("{} ({} controls, {} unassigned)", f.framework, f.controls, f.unassigned))
        .collect::<Vec<_>>()
        .join(", ")
}

/// "package `dental-complete`: 3 clients, 2 changed (a, b); 41 rows changed, 1 new finding, 0 fixed".
fn impact_lines(d: &Diff) -> Vec<String> {
    let line = |what: &str, i: &SharedImpact| {
        let changed = if i.changed.is_empty() {
            String::new()
        } else {
            format!(" ({})", i.changed.join(", "))
        };
        format!(
            "{what} `{}` changed: {}, {} changed{changed}; {} changed, {}, {} fixed",
            i.id,
            super::count(i.clients, "client"),
            i.clients_changed,
            super::count(i.rows_changed, "row"),
            super::count(i.new_findings, "new finding"),
            i.fixed_findings
        )
    };
    d.packages
        .iter()
        .map(|i| line("package", i))
        .chain(d.parties.iter().map(|i| line("party", i)))
        .collect()
}

/// Plain text, for the terminal.
pub fn text(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ctrlmap diff {} → {} (as of {})", d.old, d.new, d.as_of);
    let _ = writeln!(out, "{}", totals_line(&d.totals));
    for line in impact_lines(d) {
        let _ = writeln!(out, "{line}");
    }
    for s in &d.scopes {
        let _ = writeln!(out);
        let status = match s.status {
            ScopeStatus::Changed => "",
            ScopeStatus::Added => " [scope added]",
            ScopeStatus::Removed => " [scope removed]",
        };
        let _ = writeln!(out, "{} — {} ({}){status}", s.client, s.scope, s.file);
        if !s.frameworks_added.is_empty() {
            let _ = writeln!(out, "  now applies: {}", framework_words(&s.frameworks_added));
        }
        if !s.frameworks_removed.is_empty() {
            let _ = writeln!(out, "  no longer applies: {}", framework_words(&s.frameworks_removed));
        }
        for c in &s.controls {
            let _ = writeln!(out, "  {}: {}", c.control, change_line(c));
            for (party, duties) in &c.duties_removed {
                for duty in duties {
                    let _ = writeln!(out, "      - {party}: {duty}");
                }
            }
            for (party, duties) in &c.duties_added {
                for duty in duties {
                    let _ = writeln!(out, "      + {party}: {duty}");
                }
            }
        }
        if !s.new_findings.is_empty() {
            let _ = writeln!(out, "  new findings:");
            for f in &s.new_findings {
                let _ = writeln!(out, "    {}", finding_line(f));
            }
        }
        if !s.fixed_findings.is_empty() {
            let _ = writeln!(out, "  fixed findings:");
            for f in &s.fixed_findings {
                let _ = writeln!(out, "    {}", finding_line(f));
            }
        }
    }
    out
}

/// Markdown, for a pull-request comment: a summary, then per scope a table of changed
/// controls and one of new and fixed findings. All user text is escaped for table cells.
pub fn markdown(d: &Diff) -> String {
    let m = md_cell;
    let mut out = String::new();
    let _ = writeln!(out, "## ctrlmap diff\n");
    let _ = writeln!(out, "`{}` → `{}`, as of {}.\n", m(&d.old), m(&d.new), m(&d.as_of));
    let _ = writeln!(out, "{}.", m(&totals_line(&d.totals)));
    let impacts = impact_lines(d);
    if !impacts.is_empty() {
        let _ = writeln!(out);
        for line in impacts {
            let _ = writeln!(out, "- {}", m(&line));
        }
    }
    for s in &d.scopes {
        let status = match s.status {
            ScopeStatus::Changed => "",
            ScopeStatus::Added => " (scope added)",
            ScopeStatus::Removed => " (scope removed)",
        };
        let _ = writeln!(out, "\n### {} — `{}`{status}\n", m(&s.client), m(&s.scope));
        if !s.frameworks_added.is_empty() {
            let _ = writeln!(out, "Now applies: {}.\n", m(&framework_words(&s.frameworks_added)));
        }
        if !s.frameworks_removed.is_empty() {
            let _ = writeln!(
                out,
                "No longer applies: {}.\n",
                m(&framework_words(&s.frameworks_removed))
            );
        }
        if !s.controls.is_empty() {
            let _ = writeln!(
                out,
                "| Control | Title | Before | After | Change | Duties removed | Duties added |"
            );
            let _ = writeln!(out, "|---|---|---|---|---|---|---|");
            for c in &s.controls {
                let duties = |map: &BTreeMap<crate::model::Party, Vec<String>>| {
                    map.iter()
                        .flat_map(|(p, ds)| ds.iter().map(move |x| format!("{p}: {x}")))
                        .collect::<Vec<_>>()
                        .join(" · ")
                };
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} | {} | {} |",
                    m(&c.control),
                    m(&c.title),
                    m(&c.before.as_ref().map(Ownership::label).unwrap_or_default()),
                    m(&c.after.as_ref().map(Ownership::label).unwrap_or_default()),
                    m(&c.kinds.iter().map(|k| k.words()).collect::<Vec<_>>().join(", ")),
                    m(&duties(&c.duties_removed)),
                    m(&duties(&c.duties_added)),
                );
            }
            out.push('\n');
        }
        for (title, list) in [("New findings", &s.new_findings), ("Fixed findings", &s.fixed_findings)] {
            if list.is_empty() {
                continue;
            }
            let _ = writeln!(out, "**{title}**\n");
            let _ = writeln!(out, "| Severity | Code | Control | Message | Location |");
            let _ = writeln!(out, "|---|---|---|---|---|");
            for f in list.iter() {
                let sev = f.severity_label();
                let _ = writeln!(
                    out,
                    "| {sev} | {} | `{}` | {} | {}:{} |",
                    m(&f.code),
                    m(&f.control),
                    m(&f.message),
                    m(&f.file),
                    f.line
                );
            }
            out.push('\n');
        }
    }
    out
}

/// JSON (shape version [`DIFF_VERSION`]): `{ version, tool, old, new, as_of, totals,
/// scopes: [{ scope, client, file, status, frameworks_added?, frameworks_removed?,
/// controls: [{ control, title, kinds, before, after, duties_removed?, duties_added? }],
/// new_findings, fixed_findings }] }`.
pub fn json(d: &Diff) -> String {
    serde_json::to_string_pretty(d).unwrap_or_default() + "\n"
}
