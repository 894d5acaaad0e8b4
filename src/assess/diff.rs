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
//! When a package (`packages/`) or a party declared for the workspace (`parties/`) changed,
//! the diff also sums up its impact: how many clients take it, how many of them changed, how
//! many of their rows changed and which findings came and went ([`SharedImpact`]); the
//! clients themselves are listed with everything else.
//!
//! A diff is a *regression* when a control of a scope present in both versions became
//! unassigned, or when a new, unwaived finding is at or above a severity
//! ([`Diff::is_regression`]); `--fail-on-regression` turns that into exit code 1.

use crate::assess::{Finding, Severity};
use crate::model::Workspace;
use crate::model::{Party, Scope};
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
    pub fn words(self) -> &'static str {
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
    pub responsible: Vec<Party>,
    pub accountable: Party,
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
    pub duties_removed: BTreeMap<Party, Vec<String>>,
    /// Per party, the duties that are new.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub duties_added: BTreeMap<Party, Vec<String>>,
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
    /// Custom policy rules that failed on this scope (E021), on either side.
    #[serde(skip)]
    pub failures: Vec<crate::model::diagnostic::Diagnostic>,
    /// The packages the scope takes (its package, then the ones that builds on), in the new
    /// version (the old one for a removed scope).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
}

/// What a changed package, or a changed party declared for the workspace, did to the clients
/// that take it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SharedImpact {
    pub id: String,
    /// Clients that take it (in either version).
    pub clients: usize,
    /// Of those, how many changed.
    pub clients_changed: usize,
    /// Their changed rows, summed.
    pub rows_changed: usize,
    pub new_findings: usize,
    pub fixed_findings: usize,
    /// The ids of the clients that changed.
    pub changed: Vec<String>,
}

/// What each scope takes that others share: its package chain and its workspace parties.
#[derive(Debug, Clone, Default)]
struct Shared {
    packages: Vec<String>,
    parties: Vec<String>,
}

impl Shared {
    fn of(scope: &Scope) -> Shared {
        let mut parties: Vec<String> = scope.parties().filter(|p| p.shared).map(|p| p.id.clone()).collect();
        parties.sort();
        Shared {
            packages: scope.packages.iter().map(ToString::to_string).collect(),
            parties,
        }
    }
}

/// The packages and the workspace parties whose files differ between two versions (added,
/// removed or changed), by id.
pub fn changed_shared(old: &Workspace, new: &Workspace) -> (BTreeSet<String>, BTreeSet<String>) {
    let sha = |ws: &Workspace, file: &str| ws.inputs.get(file).cloned();
    let mut packages = BTreeSet::new();
    for id in old.packages.keys().chain(new.packages.keys()) {
        let a = old
            .packages
            .get(id)
            .map(|p| (p.origin.file.to_string(), sha(old, &p.origin.file)));
        let b = new
            .packages
            .get(id)
            .map(|p| (p.origin.file.to_string(), sha(new, &p.origin.file)));
        if a != b {
            packages.insert(id.clone());
        }
    }
    let mut parties = BTreeSet::new();
    for id in old.parties.keys().chain(new.parties.keys()) {
        let a = old
            .parties
            .get(id)
            .map(|p| (p.origin.file.to_string(), sha(old, &p.origin.file)));
        let b = new
            .parties
            .get(id)
            .map(|p| (p.origin.file.to_string(), sha(new, &p.origin.file)));
        if a != b {
            parties.insert(id.clone());
        }
    }
    (packages, parties)
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
    /// Changed packages and what they did to their clients, by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<SharedImpact>,
    /// Changed parties declared for the workspace and what they did to their clients, by id.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parties: Vec<SharedImpact>,
    /// Custom policy rules that failed while either side was assessed (E021): the diff is
    /// then incomplete and must not be reported.
    #[serde(skip)]
    pub failures: Vec<crate::model::diagnostic::Diagnostic>,
}

fn findings_sorted(mut v: Vec<Finding>) -> Vec<Finding> {
    v.sort_by(Finding::report_order);
    v
}

/// One side's assessment of a scope, with that side's own severity overrides.
fn assessed(ws: &Workspace, scope: &Scope, as_of: time::Date) -> crate::assess::Assessment {
    let overrides = crate::assess::overrides(&ws.config, &[], &[], &[]);
    crate::assess::assess_scope(ws, scope, &overrides, as_of)
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

fn duty_sets(row: &Row) -> BTreeMap<Party, BTreeSet<String>> {
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
        failures: Vec::new(),
        packages: scope.packages.iter().map(ToString::to_string).collect(),
    };
    let old = old.map(|(ws, s)| assessed(ws, s, as_of));
    let new = new.map(|(ws, s)| assessed(ws, s, as_of));
    for a in old.iter().chain(new.iter()) {
        d.failures.extend(a.failures.iter().cloned());
    }
    match (old, new) {
        (Some(o), Some(n)) => {
            let (om, of, nm, nf) = (o.matrix, o.findings, n.matrix, n.findings);
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
        (None, Some(n)) => d.new_findings = findings_sorted(n.findings),
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

/// Whether every input but the scope files (services, policies, catalogs, `ctrlmap.yaml`) is
/// byte-identical in both versions. For workspaces whose scopes are streamed in, ask before
/// the first scope is loaded.
pub fn shared_inputs_same(old: &Workspace, new: &Workspace) -> bool {
    shared_inputs(old) == shared_inputs(new)
}

/// A scope whose file, evidence files and shared inputs are byte-identical in both versions
/// resolves and assesses the same (same date, same built-in catalogs): no need to compute it.
fn unchanged(old: &Scope, new: &Scope, shared_same: bool) -> bool {
    let evidence =
        |s: &Scope| -> Vec<Option<String>> { s.evidence.iter().flatten().map(|e| e.found_sha256.clone()).collect() };
    shared_same && !old.sha256.is_empty() && old.sha256 == new.sha256 && evidence(old) == evidence(new)
}

/// A scope id's versions: in the old workspace, the new one, or both.
pub type Pair<'a> = (Option<&'a Scope>, Option<&'a Scope>);

/// The diff built a batch of scopes at a time, so two large workspaces can be compared with
/// their scopes streamed through and dropped: only the differences are kept. Batches may come
/// in any order; [`DiffBuilder::finish`] puts the result in scope-id order.
#[derive(Debug, Default)]
pub struct DiffBuilder {
    scopes: Vec<ScopeDiff>,
    unchanged: usize,
    /// What every compared scope takes that others share, by scope id (both versions').
    shared: BTreeMap<String, Shared>,
    /// Packages and workspace parties whose files changed (see [`changed_shared`]).
    changed_packages: BTreeSet<String>,
    changed_parties: BTreeSet<String>,
    /// Rule failures by scope id, each scope's old side first.
    failures: Vec<(String, Vec<crate::model::diagnostic::Diagnostic>)>,
}

impl DiffBuilder {
    /// Compare a batch of scopes (each id once across all batches) in parallel. `shared_same`
    /// is [`shared_inputs_same`] of the two workspaces.
    pub fn compare(&mut self, old: &Workspace, new: &Workspace, pairs: &[Pair], shared_same: bool, as_of: time::Date) {
        use rayon::prelude::*;
        for &(o, n) in pairs {
            let versions: Vec<&Scope> = o.into_iter().chain(n).collect();
            let Some(first) = versions.first() else { continue };
            let entry = self.shared.entry(first.id.clone()).or_default();
            for s in versions {
                let found = Shared::of(s);
                for p in found.packages {
                    if !entry.packages.contains(&p) {
                        entry.packages.push(p);
                    }
                }
                for p in found.parties {
                    if !entry.parties.contains(&p) {
                        entry.parties.push(p);
                    }
                }
            }
        }
        let compared: Vec<Option<ScopeDiff>> = pairs
            .par_iter()
            .map(|&(o, n)| {
                if let (Some(o), Some(n)) = (o, n)
                    && unchanged(o, n, shared_same)
                {
                    return None;
                }
                scope_diff(o.map(|s| (old, s)), n.map(|s| (new, s)), as_of)
            })
            .collect();
        for d in compared {
            match d {
                Some(d) => self.add(d),
                None => self.unchanged += 1,
            }
        }
    }

    fn add(&mut self, mut d: ScopeDiff) {
        if !d.failures.is_empty() {
            self.failures.push((d.scope.clone(), std::mem::take(&mut d.failures)));
        }
        if d.is_empty() {
            self.unchanged += 1;
        } else {
            self.scopes.push(d);
        }
    }

    /// Say which packages and workspace parties changed ([`changed_shared`]), so the diff
    /// sums up what each did to the clients that take it.
    pub fn shared_changes(&mut self, packages: BTreeSet<String>, parties: BTreeSet<String>) {
        self.changed_packages = packages;
        self.changed_parties = parties;
    }

    /// The impact of each changed package (`packages`) or workspace party on its clients.
    fn impacts(&self, changed: &BTreeSet<String>, packages: bool) -> Vec<SharedImpact> {
        let mut out = Vec::new();
        for id in changed {
            let mut impact = SharedImpact {
                id: id.clone(),
                ..SharedImpact::default()
            };
            for (scope, shared) in &self.shared {
                let takes = if packages {
                    shared.packages.contains(id)
                } else {
                    shared.parties.contains(id)
                };
                if !takes {
                    continue;
                }
                impact.clients += 1;
                if let Some(d) = self.scopes.iter().find(|d| d.scope == *scope) {
                    impact.clients_changed += 1;
                    impact.rows_changed += d.controls.len();
                    impact.new_findings += d.new_findings.len();
                    impact.fixed_findings += d.fixed_findings.len();
                    impact.changed.push(scope.clone());
                }
            }
            out.push(impact);
        }
        out
    }

    /// The diff of every scope compared, in scope-id order. `old` and `new` name the folders.
    pub fn finish(mut self, old: String, new: String, as_of: time::Date) -> Diff {
        self.scopes.sort_by(|a, b| a.scope.cmp(&b.scope));
        self.failures.sort_by(|a, b| a.0.cmp(&b.0));
        let mut totals = Totals {
            scopes_unchanged: self.unchanged,
            ..Totals::default()
        };
        for d in &self.scopes {
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
        }
        let packages = self.impacts(&self.changed_packages, true);
        let parties = self.impacts(&self.changed_parties, false);
        Diff {
            version: DIFF_VERSION,
            tool: "ctrlmap",
            old,
            new,
            as_of: as_of.to_string(),
            totals,
            packages,
            parties,
            scopes: self.scopes,
            failures: self.failures.into_iter().flat_map(|(_, f)| f).collect(),
        }
    }
}

/// Compare two loaded workspaces as of a date (evidence age and waiver expiry are judged on
/// it, the same date for both). Each side's severity overrides come from its own
/// `ctrlmap.yaml`. Scopes are compared in parallel; the result is in scope-id order. A scope
/// whose inputs are all byte-identical on both sides is counted unchanged without being
/// resolved (a pull request that touches one client of thousands diffs in load time).
/// `ctrlmap diff` streams the scopes through a [`DiffBuilder`] instead, to the same result.
pub fn diff(old: &Workspace, new: &Workspace, as_of: time::Date) -> Diff {
    let olds: BTreeMap<&str, &Scope> = old.scopes.iter().map(|s| (s.id.as_str(), s)).collect();
    let news: BTreeMap<&str, &Scope> = new.scopes.iter().map(|s| (s.id.as_str(), s)).collect();
    let ids: BTreeSet<&str> = olds.keys().chain(news.keys()).copied().collect();
    let pairs: Vec<Pair> = ids
        .into_iter()
        .map(|id| (olds.get(id).copied(), news.get(id).copied()))
        .collect();
    let mut builder = DiffBuilder::default();
    builder.compare(old, new, &pairs, shared_inputs_same(old, new), as_of);
    let (packages, parties) = changed_shared(old, new);
    builder.shared_changes(packages, parties);
    builder.finish(old.root.display().to_string(), new.root.display().to_string(), as_of)
}

impl Diff {
    /// A regression: a control of a scope in both versions became unassigned, or a new,
    /// unwaived finding is at or above `min` (`None`: only unassigned controls count).
    pub fn is_regression(&self, min: Option<Severity>) -> bool {
        self.scopes.iter().any(|s| {
            s.controls.iter().any(ControlChange::became_unassigned)
                || s.new_findings.iter().any(|f| f.fails_gate(min, None))
        })
    }

    /// The scope diff for a scope id.
    pub fn scope(&self, id: &str) -> Option<&ScopeDiff> {
        self.scopes.iter().find(|s| s.scope == id)
    }
}
