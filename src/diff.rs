//! Diff: what changed in who owns what, and in the gaps, between two versions of a workspace
//! (`ctrlmap diff OLD_PATH NEW_PATH`, e.g. two git checkouts).
//!
//! Scopes are matched by id (a renamed file keeps its history). For every scope in both, each
//! assignable control is compared row by row: the owner (summary and responsible parties:
//! "moved from MSP to Client", "became unassigned"), the accountable party, the duties of each
//! party (a shared control that lost a party's duty), the coverage and conflicts. Frameworks
//! that start or stop applying are reported as a whole, not control by control. Findings are
//! compared by fingerprint: new ones and fixed ones. Scopes only in the new version count all
//! their findings as new; scopes only in the old one are listed as removed.
//!
//! A diff is a *regression* when a control of a scope present in both versions became
//! unassigned, or when a new, unwaived finding is at or above a severity
//! ([`Diff::is_regression`]); `--fail-on-regression` turns that into exit code 1.

use crate::assess::{Finding, Severity};
use crate::emit::escape::md_cell;
use crate::load::Workspace;
use crate::model::Scope;
use crate::resolve::{Coverage, Matrix, Row, Summary};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// Version of the JSON shape; bumped on any breaking change.
pub const DIFF_VERSION: &str = "1";

/// What kind of change a control went through (a control can have several).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// The owner changed between assigned parties (e.g. MSP → Client, Shared → MSP).
    Moved,
    BecameUnassigned,
    /// Was unassigned, now has an owner.
    BecameAssigned,
    BecameNotApplicable,
    /// Was not applicable, now applies.
    BecameApplicable,
    /// A party that is still responsible no longer has its duty written down.
    DutyLost,
    /// The duties' words changed (see `duties_removed` / `duties_added`).
    DutiesChanged,
    AccountableChanged,
    CoverageChanged,
    ConflictAppeared,
    ConflictResolved,
    /// The control is new in the catalog of a framework that applied before.
    Added,
    /// The control is gone from the catalog of a framework that still applies.
    Removed,
}

impl ChangeKind {
    fn words(self) -> &'static str {
        match self {
            ChangeKind::Moved => "moved",
            ChangeKind::BecameUnassigned => "became unassigned",
            ChangeKind::BecameAssigned => "became assigned",
            ChangeKind::BecameNotApplicable => "became not applicable",
            ChangeKind::BecameApplicable => "became applicable",
            ChangeKind::DutyLost => "lost a duty",
            ChangeKind::DutiesChanged => "duties changed",
            ChangeKind::AccountableChanged => "accountability changed",
            ChangeKind::CoverageChanged => "coverage changed",
            ChangeKind::ConflictAppeared => "sources now conflict",
            ChangeKind::ConflictResolved => "conflict resolved",
            ChangeKind::Added => "new in the catalog",
            ChangeKind::Removed => "gone from the catalog",
        }
    }
}

/// One side of a control's change: who owned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ownership {
    pub summary: Summary,
    pub responsible: Vec<String>,
    pub accountable: String,
    pub coverage: Coverage,
    pub conflict: bool,
}

impl Ownership {
    fn of(row: &Row) -> Ownership {
        let mut responsible = row.responsible.clone();
        responsible.sort();
        Ownership {
            summary: row.summary,
            responsible,
            accountable: row.accountable.clone(),
            coverage: row.coverage,
            conflict: row.conflict,
        }
    }

    /// "MSP", "Shared (client, msp)", "Client (partial)".
    pub fn label(&self) -> String {
        let mut s = self.summary.label().to_string();
        if matches!(self.summary, Summary::Shared | Summary::ThirdParty) && !self.responsible.is_empty() {
            let _ = write!(s, " ({})", self.responsible.join(", "));
        }
        if self.coverage == Coverage::Partial {
            s.push_str(" (partial)");
        }
        if self.conflict {
            s.push_str(" (conflict)");
        }
        s
    }
}

/// A control whose row changed.
#[derive(Debug, Clone, Serialize)]
pub struct ControlChange {
    pub control: String,
    pub title: String,
    pub kinds: Vec<ChangeKind>,
    /// `None` when the control was not in the old matrix.
    pub before: Option<Ownership>,
    /// `None` when the control is not in the new matrix.
    pub after: Option<Ownership>,
    /// Per party, the duties (in the services' and scope's words) no longer there.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub duties_removed: BTreeMap<String, Vec<String>>,
    /// Per party, the duties that are new.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub duties_added: BTreeMap<String, Vec<String>>,
}

impl ControlChange {
    /// Did the owner change (summary or responsible parties)?
    pub fn owner_changed(&self) -> bool {
        match (&self.before, &self.after) {
            (Some(b), Some(a)) => b.summary != a.summary || b.responsible != a.responsible,
            _ => false,
        }
    }

    pub fn became_unassigned(&self) -> bool {
        self.kinds.contains(&ChangeKind::BecameUnassigned)
    }
}

/// Whether a scope is in both versions, or only one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScopeStatus {
    Changed,
    Added,
    Removed,
}

/// Assignable controls of a framework that starts or stops applying to a scope.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkChange {
    pub framework: String,
    /// Its assignable controls in the version where it applies.
    pub controls: usize,
    /// Of those, how many are unassigned.
    pub unassigned: usize,
}

/// The changes of one scope.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeDiff {
    pub scope: String,
    pub client: String,
    pub file: String,
    pub status: ScopeStatus,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frameworks_added: Vec<FrameworkChange>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub frameworks_removed: Vec<FrameworkChange>,
    /// Changed controls, in the new matrix's order (then controls gone from it).
    pub controls: Vec<ControlChange>,
    /// Findings whose fingerprint is not in the old version (all of an added scope's).
    pub new_findings: Vec<Finding>,
    /// Findings of the old version whose fingerprint is gone.
    pub fixed_findings: Vec<Finding>,
}

impl ScopeDiff {
    fn is_empty(&self) -> bool {
        self.status == ScopeStatus::Changed
            && self.frameworks_added.is_empty()
            && self.frameworks_removed.is_empty()
            && self.controls.is_empty()
            && self.new_findings.is_empty()
            && self.fixed_findings.is_empty()
    }
}

/// Totals across scopes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub scopes_changed: usize,
    pub scopes_added: usize,
    pub scopes_removed: usize,
    pub scopes_unchanged: usize,
    pub controls_changed: usize,
    pub owner_changed: usize,
    pub became_unassigned: usize,
    pub new_findings: usize,
    pub fixed_findings: usize,
}

/// The difference between two workspaces.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub version: &'static str,
    pub tool: &'static str,
    /// The old and new workspace folders, as given.
    pub old: String,
    pub new: String,
    pub as_of: String,
    pub totals: Totals,
    /// Scopes with a change, by id (unchanged scopes are only counted).
    pub scopes: Vec<ScopeDiff>,
}

fn findings_sorted(mut v: Vec<Finding>) -> Vec<Finding> {
    v.sort_by(Finding::report_order);
    v
}

fn assessed(ws: &Workspace, scope: &Scope, as_of: time::Date) -> (Matrix, Vec<Finding>) {
    let matrix = crate::resolve::resolve(ws, scope);
    let findings = crate::assess::assess_on(ws, scope, &matrix, &crate::cli::overrides(ws), as_of);
    (matrix, findings)
}

fn framework_change(m: &Matrix, framework: &str) -> FrameworkChange {
    let rows = m.rows.iter().filter(|r| &*r.framework == framework && r.assignable);
    let (mut controls, mut unassigned) = (0, 0);
    for r in rows {
        controls += 1;
        unassigned += usize::from(r.summary == Summary::Unassigned);
    }
    FrameworkChange {
        framework: framework.to_string(),
        controls,
        unassigned,
    }
}

fn duty_sets(row: &Row) -> BTreeMap<String, BTreeSet<String>> {
    row.duties
        .iter()
        .map(|(p, d)| (p.clone(), d.iter().filter(|s| !s.trim().is_empty()).cloned().collect()))
        .collect()
}

/// Compare one control's two rows.
fn compare(old: Option<&Row>, new: Option<&Row>) -> Option<ControlChange> {
    let row = new.or(old)?;
    let before = old.map(Ownership::of);
    let after = new.map(Ownership::of);
    let mut kinds = Vec::new();
    let mut duties_removed = BTreeMap::new();
    let mut duties_added = BTreeMap::new();
    match (old, new, &before, &after) {
        (Some(o), Some(n), Some(b), Some(a)) => {
            use Summary::*;
            let owner_changed = b.summary != a.summary || b.responsible != a.responsible;
            if owner_changed {
                kinds.push(match (b.summary, a.summary) {
                    (_, Unassigned) if b.summary != Unassigned => ChangeKind::BecameUnassigned,
                    (Unassigned, _) if a.summary != NotApplicable => ChangeKind::BecameAssigned,
                    (_, NotApplicable) if b.summary != NotApplicable => ChangeKind::BecameNotApplicable,
                    (NotApplicable, _) => ChangeKind::BecameApplicable,
                    _ => ChangeKind::Moved,
                });
            }
            if b.accountable != a.accountable {
                kinds.push(ChangeKind::AccountableChanged);
            }
            let (od, nd) = (duty_sets(o), duty_sets(n));
            for party in od.keys().chain(nd.keys()).collect::<BTreeSet<_>>() {
                let empty = BTreeSet::new();
                let was = od.get(party).unwrap_or(&empty);
                let now = nd.get(party).unwrap_or(&empty);
                let removed: Vec<String> = was.difference(now).cloned().collect();
                let added: Vec<String> = now.difference(was).cloned().collect();
                if !removed.is_empty() {
                    duties_removed.insert(party.clone(), removed);
                }
                if !added.is_empty() {
                    duties_added.insert(party.clone(), added);
                }
            }
            // A party still responsible whose duty is no longer written down.
            let lost = a
                .responsible
                .iter()
                .any(|p| od.get(p).is_some_and(|d| !d.is_empty()) && nd.get(p).is_none_or(BTreeSet::is_empty));
            if lost {
                kinds.push(ChangeKind::DutyLost);
            }
            // When the owner changed, the duties' words change with it: not a change of its own.
            if !owner_changed && (!duties_removed.is_empty() || !duties_added.is_empty()) {
                kinds.push(ChangeKind::DutiesChanged);
            }
            if b.coverage != a.coverage && a.summary != Unassigned && b.summary != Unassigned {
                kinds.push(ChangeKind::CoverageChanged);
            }
            match (b.conflict, a.conflict) {
                (false, true) => kinds.push(ChangeKind::ConflictAppeared),
                (true, false) => kinds.push(ChangeKind::ConflictResolved),
                _ => {}
            }
        }
        (None, Some(_), ..) => kinds.push(ChangeKind::Added),
        (Some(_), None, ..) => kinds.push(ChangeKind::Removed),
        _ => {}
    }
    if kinds.is_empty() {
        return None;
    }
    Some(ControlChange {
        control: row.control.to_string(),
        title: row.title.to_string(),
        kinds,
        before,
        after,
        duties_removed,
        duties_added,
    })
}

fn scope_diff(
    old: Option<(&Workspace, &Scope)>,
    new: Option<(&Workspace, &Scope)>,
    as_of: time::Date,
) -> Option<ScopeDiff> {
    let (status, scope) = match (old, new) {
        (Some(_), Some((_, s))) => (ScopeStatus::Changed, s),
        (None, Some((_, s))) => (ScopeStatus::Added, s),
        (Some((_, s)), None) => (ScopeStatus::Removed, s),
        (None, None) => return None,
    };
    let mut d = ScopeDiff {
        scope: scope.id.clone(),
        client: scope.client.name.clone(),
        file: scope.origin.file.to_string(),
        status,
        frameworks_added: Vec::new(),
        frameworks_removed: Vec::new(),
        controls: Vec::new(),
        new_findings: Vec::new(),
        fixed_findings: Vec::new(),
    };
    let old = old.map(|(ws, s)| assessed(ws, s, as_of));
    let new = new.map(|(ws, s)| assessed(ws, s, as_of));
    match (old, new) {
        (Some((om, of)), Some((nm, nf))) => {
            let ofw: BTreeSet<&str> = om.frameworks.iter().map(|f| f.id.as_str()).collect();
            let nfw: BTreeSet<&str> = nm.frameworks.iter().map(|f| f.id.as_str()).collect();
            d.frameworks_added = nfw.difference(&ofw).map(|f| framework_change(&nm, f)).collect();
            d.frameworks_removed = ofw.difference(&nfw).map(|f| framework_change(&om, f)).collect();
            let common: BTreeSet<&str> = ofw.intersection(&nfw).copied().collect();
            let old_rows: BTreeMap<&str, &Row> = om
                .rows
                .iter()
                .filter(|r| r.assignable && common.contains(&*r.framework))
                .map(|r| (&*r.control, r))
                .collect();
            let mut seen = BTreeSet::new();
            for r in nm
                .rows
                .iter()
                .filter(|r| r.assignable && common.contains(&*r.framework))
            {
                seen.insert(&*r.control);
                d.controls.extend(compare(old_rows.get(&*r.control).copied(), Some(r)));
            }
            for (control, r) in &old_rows {
                if !seen.contains(control) {
                    d.controls.extend(compare(Some(r), None));
                }
            }
            let old_fp: BTreeSet<&str> = of.iter().map(|f| f.fingerprint.as_str()).collect();
            let new_fp: BTreeSet<&str> = nf.iter().map(|f| f.fingerprint.as_str()).collect();
            d.new_findings = findings_sorted(
                nf.iter()
                    .filter(|f| !old_fp.contains(f.fingerprint.as_str()))
                    .cloned()
                    .collect(),
            );
            d.fixed_findings = findings_sorted(
                of.iter()
                    .filter(|f| !new_fp.contains(f.fingerprint.as_str()))
                    .cloned()
                    .collect(),
            );
        }
        (None, Some((_, nf))) => d.new_findings = findings_sorted(nf),
        _ => {}
    }
    Some(d)
}

/// Every input file but the scope files, with its hash: what all scopes depend on.
fn shared_inputs(ws: &Workspace) -> BTreeMap<&str, &str> {
    let scope_files: BTreeSet<&str> = ws.scopes.iter().map(|s| &*s.origin.file).collect();
    ws.inputs
        .iter()
        .filter(|(file, _)| !scope_files.contains(file.as_str()))
        .map(|(file, sha)| (file.as_str(), sha.as_str()))
        .collect()
}

/// A scope whose file, evidence files and shared inputs are byte-identical in both versions
/// resolves and assesses the same (same date, same built-in catalogs): no need to compute it.
fn unchanged(old: &Scope, new: &Scope, shared_same: bool) -> bool {
    let evidence =
        |s: &Scope| -> Vec<Option<String>> { s.evidence.iter().flatten().map(|e| e.found_sha256.clone()).collect() };
    shared_same && !old.sha256.is_empty() && old.sha256 == new.sha256 && evidence(old) == evidence(new)
}

/// Compare two loaded workspaces as of a date (evidence age and waiver expiry are judged on
/// it, the same date for both). Each side's severity overrides come from its own
/// `ctrlmap.yaml`. Scopes are compared in parallel; the result is in scope-id order. A scope
/// whose inputs are all byte-identical on both sides is counted unchanged without being
/// resolved (a pull request that touches one client of thousands diffs in load time).
pub fn diff(old: &Workspace, new: &Workspace, as_of: time::Date) -> Diff {
    use rayon::prelude::*;
    let olds: BTreeMap<&str, &Scope> = old.scopes.iter().map(|s| (s.id.as_str(), s)).collect();
    let news: BTreeMap<&str, &Scope> = new.scopes.iter().map(|s| (s.id.as_str(), s)).collect();
    let ids: Vec<&str> = olds
        .keys()
        .chain(news.keys())
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let shared_same = shared_inputs(old) == shared_inputs(new);
    let all: Vec<ScopeDiff> = ids
        .par_iter()
        .filter_map(|id| {
            let (o, n) = (olds.get(id).copied(), news.get(id).copied());
            if let (Some(o), Some(n)) = (o, n)
                && unchanged(o, n, shared_same)
            {
                return None;
            }
            scope_diff(o.map(|s| (old, s)), n.map(|s| (new, s)), as_of)
        })
        .collect();
    let mut totals = Totals {
        scopes_unchanged: ids.len() - all.len(),
        ..Totals::default()
    };
    let mut scopes = Vec::new();
    for d in all {
        if d.is_empty() {
            totals.scopes_unchanged += 1;
            continue;
        }
        match d.status {
            ScopeStatus::Changed => totals.scopes_changed += 1,
            ScopeStatus::Added => totals.scopes_added += 1,
            ScopeStatus::Removed => totals.scopes_removed += 1,
        }
        totals.controls_changed += d.controls.len();
        totals.owner_changed += d.controls.iter().filter(|c| c.owner_changed()).count();
        totals.became_unassigned += d.controls.iter().filter(|c| c.became_unassigned()).count();
        totals.new_findings += d.new_findings.len();
        totals.fixed_findings += d.fixed_findings.len();
        scopes.push(d);
    }
    Diff {
        version: DIFF_VERSION,
        tool: "ctrlmap",
        old: old.root.display().to_string(),
        new: new.root.display().to_string(),
        as_of: as_of.to_string(),
        totals,
        scopes,
    }
}

impl Diff {
    /// A regression: a control of a scope in both versions became unassigned, or a new,
    /// unwaived finding is at or above `min` (`None`: only unassigned controls count).
    pub fn is_regression(&self, min: Option<Severity>) -> bool {
        self.scopes.iter().any(|s| {
            s.controls.iter().any(ControlChange::became_unassigned)
                || s.new_findings
                    .iter()
                    .any(|f| f.waived.is_none() && min.is_some_and(|m| f.severity >= m))
        })
    }

    /// The scope diff for a scope id.
    pub fn scope(&self, id: &str) -> Option<&ScopeDiff> {
        self.scopes.iter().find(|s| s.scope == id)
    }
}

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
        "{} scope(s) changed, {} added, {} removed, {} unchanged; {} control(s) changed ({} changed owner, {} became unassigned); {} new finding(s), {} fixed",
        t.scopes_changed,
        t.scopes_added,
        t.scopes_removed,
        t.scopes_unchanged,
        t.controls_changed,
        t.owner_changed,
        t.became_unassigned,
        t.new_findings,
        t.fixed_findings
    )
}

fn framework_words(list: &[FrameworkChange]) -> String {
    list.iter()
        .map(|f| format!("{} ({} controls, {} unassigned)", f.framework, f.controls, f.unassigned))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Plain text, for the terminal.
pub fn text(d: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "ctrlmap diff {} → {} (as of {})", d.old, d.new, d.as_of);
    let _ = writeln!(out, "{}", totals_line(&d.totals));
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
                let duties = |map: &BTreeMap<String, Vec<String>>| {
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

// ---------------------------------------------------------------------------------------
// The `ctrlmap diff` command
// ---------------------------------------------------------------------------------------

/// Output format of `ctrlmap diff`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    Text,
    Markdown,
    Json,
}

/// Compare two versions of a workspace: who owns what, and the gaps.
///
/// Reports, per scope and control, responsibility changes (moved from MSP to client, became
/// unassigned, a shared control lost a duty) and new and fixed findings. With
/// `--fail-on-regression`, exits 1 when a control became unassigned or a new, unwaived
/// finding is at or above `--fail-on`.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Examples:\n  git worktree add ../base origin/main\n  ctrlmap diff ../base . --format markdown --fail-on-regression"
)]
pub struct DiffArgs {
    /// The old workspace folder (e.g. a checkout of the base branch).
    pub old_path: std::path::PathBuf,
    /// The new workspace folder.
    pub new_path: std::path::PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Exit 1 on a regression: a control that became unassigned, or a new, unwaived finding
    /// at or above `--fail-on`.
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Severity at or above which a new finding is a regression. Default: `fail_on` in the
    /// new workspace's ctrlmap.yaml, else high.
    #[arg(long, value_enum)]
    pub fail_on: Option<crate::cli::Gate>,
    /// Date to assess both versions as of, YYYY-MM-DD (default: SOURCE_DATE_EPOCH if set,
    /// else today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Write to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,
}

/// Load one side; input problems are printed with the side's folder and stop with exit 2.
fn load_side(path: &std::path::Path) -> anyhow::Result<Workspace> {
    crate::cli::load_workspace(path, "compared")
}

/// Run `ctrlmap diff`: exit 0, or 1 on a regression with `--fail-on-regression`.
pub fn run(args: DiffArgs) -> anyhow::Result<u8> {
    let as_of = crate::cli::as_of_date(args.as_of.as_deref())?;
    let old = load_side(&args.old_path)?;
    let new = load_side(&args.new_path)?;
    let min = crate::cli::Gate::of_run(args.fail_on, new.config.fail_on.as_deref()).severity();
    let mut d = diff(&old, &new, as_of);
    crate::cli::stop_on_rule_failures(&old)?;
    crate::cli::stop_on_rule_failures(&new)?;
    // Name the folders as the user gave them.
    d.old = crate::load::input::display_path(&args.old_path);
    d.new = crate::load::input::display_path(&args.new_path);
    let out = match args.format {
        DiffFormat::Text => crate::emit::escape::terminal_text(&text(&d), false),
        DiffFormat::Markdown => crate::emit::escape::terminal_text(&markdown(&d), false),
        DiffFormat::Json => json(&d),
    };
    match &args.output {
        Some(file) => crate::cli::write_file(file, out.as_bytes())?,
        None => crate::emit::terminal::print_raw(out.as_bytes())?,
    }
    if args.fail_on_regression && d.is_regression(min) {
        let unassigned = d.totals.became_unassigned;
        let new_at_gate: usize = d
            .scopes
            .iter()
            .flat_map(|s| &s.new_findings)
            .filter(|f| f.waived.is_none() && min.is_some_and(|m| f.severity >= m))
            .count();
        crate::emit::terminal::eprintln(&format!(
            "regression: {unassigned} control(s) became unassigned, {new_at_gate} new finding(s) at or above `{}`",
            min.map(Severity::as_str).unwrap_or("none")
        ));
        return Ok(1);
    }
    Ok(0)
}
