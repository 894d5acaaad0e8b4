//! A portfolio of scopes, assessed in parallel batches: per-scope summaries (counts by owner
//! and severity, the assignable controls), the findings, the controls left unassigned across
//! clients, and any custom rule that failed. Each scope's matrix is dropped as soon as it is
//! summarised, so memory holds the findings and summaries, not the portfolio.

use super::{Finding, Overrides};
use crate::model::Workspace;
use crate::model::diagnostic::Diagnostic;
use crate::resolve::{Matrix, Summary};
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

/// Per-scope figures for the check summary.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeSummary {
    pub scope: String,
    pub client: String,
    pub file: String,
    /// The engagement package the scope names (`package:`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    pub frameworks: Vec<String>,
    /// The workspace's other catalogs, each with why it does not apply to this client (shared
    /// between scopes with the same list).
    pub frameworks_not_applicable: Arc<[crate::resolve::FrameworkExclusion]>,
    /// Assignable controls by owner (`msp`, `third-party`: [`Summary::as_str`]).
    pub controls: BTreeMap<&'static str, usize>,
    /// Findings by severity (`high`).
    pub findings: BTreeMap<&'static str, usize>,
    /// How many of those findings a valid waiver covers (reported, never gating).
    pub waived: usize,
    /// The assignable controls themselves, in matrix order (shared between scopes with the
    /// same list), for the JUnit report after the matrix is gone.
    #[serde(skip)]
    pub assignable: Arc<[String]>,
    /// The assignable controls that do not apply to this client, with the reason, in matrix
    /// order (JUnit reports them as skipped, with the reason; shared between scopes with the
    /// same list).
    #[serde(skip)]
    pub not_applicable: Arc<[(String, String)]>,
}

/// The assignable rows that are not applicable, with the reason the matrix gives.
pub fn not_applicable(matrix: &Matrix) -> Vec<(String, String)> {
    matrix
        .rows
        .iter()
        .filter(|r| r.assignable && r.summary == Summary::NotApplicable)
        .map(|r| (r.control.to_string(), r.reason.clone().unwrap_or_default()))
        .collect()
}

/// The rows `resolve` made assignable (leaves, and parents with a duty of their own for this
/// client), in matrix order: the one list every output uses.
pub fn assignable(matrix: &Matrix) -> Vec<String> {
    matrix
        .rows
        .iter()
        .filter(|r| r.assignable)
        .map(|r| r.control.to_string())
        .collect()
}

impl ScopeSummary {
    /// The same summary counting only these findings of its scope (e.g. those not in a
    /// baseline): the one place a scope's finding counts are made.
    pub fn counting<'a>(&self, findings: impl IntoIterator<Item = &'a Finding>) -> ScopeSummary {
        let (findings, waived) = finding_counts(findings);
        ScopeSummary {
            findings,
            waived,
            ..self.clone()
        }
    }
}

/// A scope's findings counted by severity (`"high" → 2`), and how many of them a waiver covers.
fn finding_counts<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> (BTreeMap<&'static str, usize>, usize) {
    let mut by_sev: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut waived = 0;
    for f in findings {
        *by_sev.entry(f.severity.as_str()).or_default() += 1;
        waived += usize::from(f.waived.is_some());
    }
    (by_sev, waived)
}

pub fn scope_summary(matrix: &Matrix, file: &str, findings: &[Finding]) -> ScopeSummary {
    let mut controls: BTreeMap<&'static str, usize> = Summary::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for r in matrix.rows.iter().filter(|r| r.assignable) {
        *controls.entry(r.summary.as_str()).or_default() += 1;
    }
    let (counts, waived) = finding_counts(findings);
    ScopeSummary {
        scope: matrix.scope.clone(),
        client: matrix.client.clone(),
        file: file.to_string(),
        package: None,
        frameworks: matrix.frameworks.iter().map(|f| f.id.clone()).collect(),
        frameworks_not_applicable: Arc::from(matrix.frameworks_not_applicable.as_slice()),
        controls,
        findings: counts,
        waived,
        assignable: Arc::from(assignable(matrix)),
        not_applicable: Arc::from(not_applicable(matrix)),
    }
}

/// The lists a summary keeps after its matrix is gone, shared between summaries: scopes of
/// the same package mostly have the same assignable controls, the same controls that do not
/// apply and the same catalogs that do not, and hold one copy of each. Safe to use from
/// parallel workers.
#[derive(Debug, Default)]
pub struct SharedLists {
    controls: Shared<String>,
    not_applicable: Shared<(String, String)>,
    exclusions: Shared<crate::resolve::FrameworkExclusion>,
}

impl SharedLists {
    /// The shared copy of this list of assignable controls.
    pub fn get(&self, list: &[String]) -> Arc<[String]> {
        self.controls.get(list)
    }

    /// The summary with its lists replaced by their shared copies.
    pub fn share(&self, summary: &mut ScopeSummary) {
        summary.assignable = self.controls.get(&summary.assignable);
        summary.not_applicable = self.not_applicable.get(&summary.not_applicable);
        summary.frameworks_not_applicable = self.exclusions.get(&summary.frameworks_not_applicable);
    }
}

/// One kind of shared list.
#[derive(Debug)]
struct Shared<T> {
    lists: Mutex<HashSet<Arc<[T]>>>,
}

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Shared {
            lists: Mutex::new(HashSet::new()),
        }
    }
}

impl<T: Clone + Eq + std::hash::Hash> Shared<T> {
    fn get(&self, list: &[T]) -> Arc<[T]> {
        let Ok(mut set) = self.lists.lock() else {
            return Arc::from(list);
        };
        if let Some(found) = set.get(list) {
            return Arc::clone(found);
        }
        let shared: Arc<[T]> = Arc::from(list);
        set.insert(Arc::clone(&shared));
        shared
    }
}

/// What a batch of scopes gave.
#[derive(Debug, Default)]
pub struct Batch {
    /// In the batch's scope order.
    pub summaries: Vec<ScopeSummary>,
    pub findings: Vec<Finding>,
    /// Assignable controls left unassigned, with the number of scopes where they are.
    pub unassigned: BTreeMap<String, usize>,
    /// Custom rules that failed while the batch was assessed (E021).
    pub failures: Vec<Diagnostic>,
}

/// One scope of a batch: its summary, findings, unassigned controls and rule failures.
type Assessed = (ScopeSummary, Vec<Finding>, Vec<String>, Vec<Diagnostic>);

/// Assess a batch of scopes in parallel ([`super::assess_scope`], as every command does);
/// `each_done` is called once per scope
/// as it finishes (for a progress line). Results come back in the batch's order whatever the
/// thread schedule.
pub fn assess_batch(
    ws: &Workspace,
    scopes: &[crate::model::Scope],
    overrides: &Overrides,
    as_of: time::Date,
    lists: &SharedLists,
    each_done: &(dyn Fn() + Sync),
) -> Batch {
    use rayon::prelude::*;
    let per_scope: Vec<Assessed> = scopes
        .par_iter()
        .map(|scope| {
            // The same assessment every document renders, summarised and dropped here.
            let super::Assessment {
                matrix,
                findings: found,
                failures,
                ..
            } = super::assess_scope(ws, scope, overrides, as_of);
            let mut summary = scope_summary(&matrix, &scope.origin.file, &found);
            summary.package = scope.package.clone();
            lists.share(&mut summary);
            let unassigned: Vec<String> = matrix
                .rows
                .iter()
                .filter(|r| r.assignable && r.summary == Summary::Unassigned)
                .map(|r| r.control.to_string())
                .collect();
            each_done();
            (summary, found, unassigned, failures)
        })
        .collect();
    let mut batch = Batch::default();
    for (summary, found, unassigned, failures) in per_scope {
        batch.summaries.push(summary);
        batch.findings.extend(found);
        for control in unassigned {
            *batch.unassigned.entry(control).or_default() += 1;
        }
        batch.failures.extend(failures);
    }
    batch
}

/// Every scope of a loaded workspace, in one batch (for the benchmark and tests).
pub fn assess_portfolio(ws: &Workspace, overrides: &Overrides, as_of: time::Date) -> Batch {
    assess_batch(ws, &ws.scopes, overrides, as_of, &SharedLists::default(), &|| {})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_with_the_same_controls_share_one_list() {
        let shared = SharedLists::default();
        let a = shared.get(&["x:1".to_string(), "x:2".to_string()]);
        let b = shared.get(&["x:1".to_string(), "x:2".to_string()]);
        assert!(Arc::ptr_eq(&a, &b));
    }
}
