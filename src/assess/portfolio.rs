//! A portfolio of scopes, assessed in parallel batches: per-scope summaries (counts by owner
//! and severity, the assignable controls), the findings, the controls left unassigned across
//! clients, and any custom rule that failed. Each scope's matrix is dropped as soon as it is
//! summarised, so memory holds the findings and summaries, not the portfolio; and those hold
//! their texts and lists shared ([`SharedLists`]), so that a finding or a summary costs little
//! more than its own figures.

use super::{Finding, Overrides, Severity};
use crate::model::Workspace;
use crate::model::diagnostic::Diagnostic;
use crate::resolve::{Matrix, Summary};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

/// Per-scope figures for the check summary.
#[derive(Debug, Clone, Serialize)]
pub struct ScopeSummary {
    /// The scope's id (the same text its findings share).
    pub scope: Arc<str>,
    pub client: String,
    /// The scope file (the same text its findings share).
    pub file: Arc<str>,
    /// The engagement package the scope names (`package:`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package: Option<Arc<str>>,
    /// The catalogs that apply (shared between scopes with the same list).
    pub frameworks: Arc<[String]>,
    /// The workspace's other catalogs, each with why it does not apply to this client (shared
    /// between scopes with the same list).
    pub frameworks_not_applicable: Arc<[crate::resolve::FrameworkExclusion]>,
    /// Assignable controls by owner (`msp`, `third-party`: [`Summary::as_str`]).
    pub controls: OwnerCounts,
    /// Findings by severity (`high`).
    pub findings: SeverityCounts,
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

/// A count per owner ([`Summary`]; a `u32` each, ten thousand summaries are kept), written as a JSON map of all six, sorted by name
/// (`{"client": 116, "msp": 8, …}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnerCounts([u32; Summary::ALL.len()]);

impl OwnerCounts {
    fn add(&mut self, owner: Summary) {
        self.0[owner as usize] = self.0[owner as usize].saturating_add(1);
    }
}

impl std::ops::Index<Summary> for OwnerCounts {
    type Output = u32;
    fn index(&self, owner: Summary) -> &u32 {
        &self.0[owner as usize]
    }
}

impl Serialize for OwnerCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut owners = Summary::ALL;
        owners.sort_by_key(|o| o.as_str());
        let mut map = serializer.serialize_map(Some(owners.len()))?;
        for owner in owners {
            map.serialize_entry(owner.as_str(), &self[owner])?;
        }
        map.end()
    }
}

/// Every severity, least severe first: a severity's place is its discriminant.
const SEVERITIES: [Severity; 5] = [
    Severity::Info,
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

/// A count per severity, written as a JSON map of the severities present, sorted by name
/// (`{"high": 2, "medium": 1}`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeverityCounts([u32; SEVERITIES.len()]);

impl SeverityCounts {
    pub fn add(&mut self, severity: Severity, n: usize) {
        let slot = &mut self.0[severity as usize];
        *slot = slot.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
    }

    pub fn get(&self, severity: Severity) -> usize {
        self.0[severity as usize] as usize
    }

    /// Every finding counted.
    pub fn total(&self) -> usize {
        self.0.iter().map(|n| *n as usize).sum()
    }

    /// The severities present with their counts, most severe first.
    pub fn iter(&self) -> impl Iterator<Item = (Severity, usize)> + '_ {
        SEVERITIES
            .into_iter()
            .rev()
            .map(|s| (s, self.get(s)))
            .filter(|(_, n)| *n > 0)
    }
}

impl Serialize for SeverityCounts {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut present: Vec<(Severity, usize)> = self.iter().collect();
        present.sort_by_key(|(s, _)| s.as_str());
        let mut map = serializer.serialize_map(Some(present.len()))?;
        for (severity, n) in present {
            map.serialize_entry(severity.as_str(), &n)?;
        }
        map.end()
    }
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
fn finding_counts<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> (SeverityCounts, usize) {
    let mut by_sev = SeverityCounts::default();
    let mut waived = 0;
    for f in findings {
        by_sev.add(f.severity, 1);
        waived += usize::from(f.waived.is_some());
    }
    (by_sev, waived)
}

pub fn scope_summary(matrix: &Matrix, file: &Arc<str>, findings: &[Finding]) -> ScopeSummary {
    let mut controls = OwnerCounts::default();
    for r in matrix.rows.iter().filter(|r| r.assignable) {
        controls.add(r.summary);
    }
    let (counts, waived) = finding_counts(findings);
    ScopeSummary {
        scope: matrix.scope.as_str().into(),
        client: matrix.client.clone(),
        file: Arc::clone(file),
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

/// The lists and texts a summary and its findings keep after the matrix is gone, shared
/// between scopes: scopes of the same package mostly have the same catalogs, the same
/// assignable controls, the same controls that do not apply and the same catalogs that do
/// not, and their findings the same controls, codes, rules and messages; each is held once.
/// Safe to use from parallel workers.
#[derive(Debug, Default)]
pub struct SharedLists {
    controls: Shared<String>,
    not_applicable: Shared<(String, String)>,
    exclusions: Shared<crate::resolve::FrameworkExclusion>,
    frameworks: Shared<String>,
    texts: SharedTexts,
}

impl SharedLists {
    /// The shared copy of this list of assignable controls.
    pub fn get(&self, list: &[String]) -> Arc<[String]> {
        self.controls.get(list)
    }

    /// The summary and its scope's findings with their lists and texts replaced by shared
    /// copies: the findings share the summary's scope id and file, and the texts of every
    /// other finding with the same control, code, rule or message.
    pub fn share(&self, summary: &mut ScopeSummary, findings: &mut [Finding]) {
        summary.assignable = self.controls.get(&summary.assignable);
        summary.not_applicable = self.not_applicable.get(&summary.not_applicable);
        summary.frameworks_not_applicable = self.exclusions.get(&summary.frameworks_not_applicable);
        summary.frameworks = self.frameworks.get(&summary.frameworks);
        summary.package = summary.package.as_deref().map(|p| self.texts.get(p));
        // A scope's findings point at a few files (mostly the scope file): one copy of each.
        let mut files = vec![Arc::clone(&summary.file)];
        for f in findings {
            f.scope = Arc::clone(&summary.scope);
            f.file = match files.iter().find(|x| **x == f.file) {
                Some(file) => Arc::clone(file),
                None => {
                    files.push(Arc::clone(&f.file));
                    Arc::clone(&f.file)
                }
            };
            f.control = self.texts.get(&f.control);
            f.code = self.texts.get(&f.code);
            f.rule = self.texts.get(&f.rule);
            f.message = self.texts.get(&f.message);
        }
    }
}

/// Texts held once (see [`SharedLists`]).
#[derive(Debug, Default)]
struct SharedTexts {
    texts: Mutex<HashSet<Arc<str>>>,
}

impl SharedTexts {
    fn get(&self, text: &str) -> Arc<str> {
        let Ok(mut set) = self.texts.lock() else {
            return Arc::from(text);
        };
        if let Some(found) = set.get(text) {
            return Arc::clone(found);
        }
        let shared: Arc<str> = Arc::from(text);
        set.insert(Arc::clone(&shared));
        shared
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
            let mut found = found;
            let mut summary = scope_summary(&matrix, &scope.origin.file, &found);
            summary.package = scope.package.as_deref().map(Arc::from);
            lists.share(&mut summary, &mut found);
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

    #[test]
    fn a_scopes_findings_share_its_id_and_file_and_every_finding_its_texts() {
        let summary = || ScopeSummary {
            scope: "s".into(),
            client: "Client".into(),
            file: "scopes/s.yaml".into(),
            package: Some("p".into()),
            frameworks: Arc::from(["hipaa".to_string()]),
            frameworks_not_applicable: Arc::from([]),
            controls: OwnerCounts::default(),
            findings: SeverityCounts::default(),
            waived: 0,
            assignable: Arc::from([]),
            not_applicable: Arc::from([]),
        };
        let finding = |file: &str| Finding {
            scope: "s".into(),
            control: "hipaa:164.308(a)(1)".into(),
            code: "CM009".into(),
            rule: "evidence-missing".into(),
            severity: Severity::Medium,
            message: "needs evidence".into(),
            file: file.into(),
            line: 1,
            column: 1,
            fingerprint: "f".into(),
            waived: None,
        };
        let shared = SharedLists::default();
        let (mut one, mut two) = (summary(), summary());
        let mut found_one = [
            finding("scopes/s.yaml"),
            finding("services/x.yaml"),
            finding("services/x.yaml"),
        ];
        let mut found_two = [finding("scopes/s.yaml")];
        shared.share(&mut one, &mut found_one);
        shared.share(&mut two, &mut found_two);
        assert!(Arc::ptr_eq(&found_one[0].scope, &one.scope));
        assert!(Arc::ptr_eq(&found_one[0].file, &one.file));
        assert!(Arc::ptr_eq(&found_one[1].file, &found_one[2].file));
        assert!(Arc::ptr_eq(&found_one[0].message, &found_two[0].message));
        assert!(Arc::ptr_eq(&found_one[0].control, &found_two[0].control));
        assert!(Arc::ptr_eq(&found_one[0].code, &found_two[0].code));
        assert!(Arc::ptr_eq(&found_one[0].rule, &found_two[0].rule));
        assert!(Arc::ptr_eq(&one.frameworks, &two.frameworks));
        assert!(Arc::ptr_eq(
            one.package.as_ref().unwrap(),
            two.package.as_ref().unwrap()
        ));
        // Sharing changes no text.
        assert_eq!(found_one[1], finding("services/x.yaml"));
    }

    #[test]
    fn owner_counts_write_all_six_owners_sorted_by_name() {
        let mut c = OwnerCounts::default();
        c.add(Summary::Msp);
        c.add(Summary::ThirdParty);
        c.add(Summary::ThirdParty);
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"client":0,"msp":1,"not-applicable":0,"shared":0,"third-party":2,"unassigned":0}"#
        );
        assert_eq!(c[Summary::ThirdParty], 2);
    }

    #[test]
    fn severity_counts_write_only_the_severities_present_sorted_by_name() {
        let mut c = SeverityCounts::default();
        assert_eq!(serde_json::to_string(&c).unwrap(), "{}");
        c.add(Severity::Medium, 2);
        c.add(Severity::Critical, 1);
        c.add(Severity::Info, 3);
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"critical":1,"info":3,"medium":2}"#
        );
        let listed: Vec<(Severity, usize)> = c.iter().collect();
        assert_eq!(
            listed,
            [(Severity::Critical, 1), (Severity::Medium, 2), (Severity::Info, 3)]
        );
        assert_eq!(c.total(), 6);
    }

    #[test]
    fn a_severity_has_the_place_of_its_discriminant() {
        for (i, s) in SEVERITIES.into_iter().enumerate() {
            assert_eq!(s as usize, i, "{s:?}");
        }
    }
}
