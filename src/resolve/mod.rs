//! Resolve: who owns every applicable control of a scope. A pure function of the loaded
//! workspace and one scope; no I/O.
//!
//! Precedence, highest first (DESIGN.md): explicit scope assignment or not-applicable → the
//! package's assignment or not-applicable (see [`crate::model::package`]) → subscribed
//! services' direct claims → client-owned controls (the scope's and its package's) →
//! crosswalk projection from CSF 2.0 outcomes → unassigned. Projection never invents an owner: only `equal` and
//! `subset-of` rows (the regulation's duty lies wholly inside the outcome) give one; an
//! `intersects-with` or `superset-of` link leaves the control unassigned and lists the
//! linked outcomes and their owners as *candidates*. A source on a parent control covers
//! its children unless a child has its own source at the same or a higher level. Two sources
//! that disagree at the same level are a conflict, kept on the row, never silently resolved.
//! A parent rolls up from its parts, unless the catalog says it carries a duty of its own
//! (`own_duty: row`): then it is a row that must be owned itself. A decision of the scope's
//! own that a higher source now overrides — a client-owned entry or a `responsible:
//! undecided` stub that decides nothing any more, or a client-owned entry that keeps a
//! control from a subscribed service reaching it through an `equal`/`subset-of` crosswalk
//! row — is kept on the matrix ([`StaleDecision`]) for assess to report.
//!
//! Applicability is decided from declared facts only: a condition that depends on a fact
//! the scope does not declare never removes a duty (see [`applicability::evaluate`]).

pub mod applicability;
mod frameworks;
mod matrix;
mod not_applicable;
mod precedence;
mod projection;
mod rollup;
mod stale;

pub use frameworks::{applicable_frameworks, framework_applicability, framework_exclusions};
pub use matrix::{
    AddressableNote, Candidate, Coverage, FrameworkExclusion, FrameworkRef, Matrix, Provenance, Row, SourceKind,
    StaleDecision, StaleEntry, Staleness, Summary,
};

use crate::model::Workspace;
use crate::model::catalog::Framework;
use crate::model::*;
use applicability::{Facts, holds, own_duty_row};
use not_applicable::{applies_because, catalog_not_applicable};
use precedence::{
    Decision, Sources, decide_client_owned, decide_level1, decide_package, decide_services, decided_by, summary_of,
};
use projection::{Projection, project};
use rollup::roll_up;
use rustc_hash::FxHashMap;
use stale::shadowed;
use std::collections::BTreeMap;

/// The scope's CSF 2.0 rows, with where each control's row is, for crosswalk projection.
#[derive(Default)]
struct CsfRows<'a> {
    framework: Option<&'a Framework>,
    rows: &'a [Row],
    /// Position in `rows` of each control's row (`usize::MAX` when it has none).
    at: Vec<usize>,
}

impl<'a> CsfRows<'a> {
    fn get(&self, id: &str) -> Option<&'a Row> {
        let i = self.framework?.index(id)?;
        self.rows.get(*self.at.get(i)?)
    }
}

/// Sources by (framework, control id), borrowed from the scope and services.
type SourceMap<'a> = FxHashMap<(&'a str, &'a str), Sources<'a>>;

fn split_ref(reference: &str) -> (&str, &str) {
    reference.split_once(':').unwrap_or(("", reference))
}

/// Resolve one scope into its matrix.
pub fn resolve(ws: &Workspace, scope: &Scope) -> Matrix {
    let frameworks = framework_applicability(ws, scope);

    // Index the scope's and its services' sources by control reference.
    let entries = scope.assignments.len() + scope.not_applicable.len() + scope.client_owned.len();
    let mut sources: SourceMap = FxHashMap::with_capacity_and_hasher(entries, Default::default());
    for a in scope.assignments.iter().flatten() {
        let found = sources.entry(split_ref(&a.control)).or_default();
        if a.is_undecided() {
            found.undecided.push(a);
        } else if a.package.is_some() {
            found.package_assignments.push(a);
        } else {
            found.assignments.push(a);
        }
    }
    for n in scope.not_applicable.iter().flatten() {
        let found = sources.entry(split_ref(&n.control)).or_default();
        if n.package.is_some() {
            found.package_not_applicable.push(n);
        } else {
            found.not_applicable.push(n);
        }
    }
    for sub in scope.services.iter().flatten() {
        let Some(service) = ws.services.get(&sub.service) else {
            continue;
        };
        for claim in service.controls.iter().flatten() {
            if claim.option.as_ref().is_some_and(|o| !sub.options.contains(o)) {
                continue;
            }
            sources
                .entry(split_ref(&claim.control))
                .or_default()
                .claims
                .push((service, claim, &sub.package));
        }
    }
    for c in scope.client_owned.iter().flatten() {
        sources.entry(split_ref(&c.control)).or_default().client_owned.push(c);
    }
    let addressable: BTreeMap<&str, &Addressable> = scope
        .addressable
        .iter()
        .flatten()
        .map(|a| (a.control.as_str(), a))
        .collect();

    // CSF is resolved first: crosswalk projection reads its rows. The matrix lists CSF first
    // (the baseline) when it applies; the other frameworks' rows are appended to it.
    let applicable: Vec<(&Framework, &str)> = frameworks
        .iter()
        .filter_map(|(id, why)| ws.framework(id).map(|fw| (fw, why.as_str())))
        .collect();
    let capacity = applicable.iter().map(|(fw, _)| fw.controls.len()).sum();
    let mut csf_rows: Vec<Row> = Vec::with_capacity(capacity);
    let mut stale = Vec::new();
    let csf_framework = ws.hub();
    let mut csf_at = Vec::new();
    if let Some(fw) = csf_framework {
        csf_at = resolve_framework(
            ws,
            scope,
            fw,
            &sources,
            &addressable,
            &CsfRows::default(),
            &mut csf_rows,
            &mut stale,
        );
    }
    // Room for the other frameworks' rows at once: rows are large, and growing the vector
    // step by step copied them again and again.
    let rest_capacity = applicable
        .iter()
        .filter(|(fw, _)| csf_framework.is_none_or(|hub| hub.id() != fw.id()))
        .map(|(fw, _)| fw.controls.len())
        .sum();
    let mut rest = Vec::with_capacity(rest_capacity);
    let mut refs = Vec::new();
    let mut csf_applies = false;
    {
        let csf = CsfRows {
            framework: csf_framework,
            rows: &csf_rows,
            at: csf_at,
        };
        for (fw, why) in applicable {
            refs.push(FrameworkRef {
                id: fw.id().to_string(),
                title: fw.catalog.title.clone(),
                version: fw.catalog.version.clone(),
                citation: fw.catalog.citation.clone(),
                reason: why.to_string(),
            });
            if csf_framework.is_some_and(|hub| hub.id() == fw.id()) {
                csf_applies = true;
            } else {
                resolve_framework(ws, scope, fw, &sources, &addressable, &csf, &mut rest, &mut stale);
            }
        }
    }
    let rows = if csf_applies {
        csf_rows.append(&mut rest);
        csf_rows
    } else {
        rest
    };
    stale.extend(shadowed(scope, &rows));
    stale.sort();
    stale.dedup();
    Matrix {
        scope: scope.id.clone(),
        client: scope.client.name.clone(),
        frameworks: refs,
        frameworks_not_applicable: framework_exclusions(ws, scope, &frameworks),
        rows,
        stale,
    }
}

#[allow(clippy::too_many_arguments)]
fn resolve_framework<'s>(
    ws: &Workspace,
    scope: &Scope,
    fw: &Framework,
    sources: &SourceMap<'s>,
    addressable: &BTreeMap<&str, &Addressable>,
    csf_rows: &CsfRows,
    out: &mut Vec<Row>,
    stale: &mut Vec<StaleDecision>,
) -> Vec<usize> {
    let n = fw.controls.len();
    let start = out.len();
    // Where each control's row is in `out` (children are decided before their parents).
    let mut at: Vec<usize> = vec![usize::MAX; n];
    let mut mappings: FxHashMap<&str, Vec<&Mapping>> = FxHashMap::default();
    for m in ws
        .crosswalks
        .iter()
        .filter(|cw| cw.from == fw.id() && csf_rows.framework.is_some_and(|hub| hub.id() == cw.to))
        .flat_map(|cw| cw.mappings.iter().flatten())
    {
        mappings.entry(m.from.as_str()).or_default().push(m);
    }
    // Exemptions are granted only on declared facts (a known true); the ones granted are
    // themselves facts for the catalog's other conditions (`exempt`, `exemptions`).
    let profile = &scope.client.profile;
    let granted: Vec<usize> = fw
        .catalog
        .exemptions
        .iter()
        .enumerate()
        .filter(|(_, ex)| ex.as_ref().is_some_and(|ex| holds(&ex.when, profile)))
        .map(|(e, _)| e)
        .collect();
    let granted_citations: Vec<String> = granted
        .iter()
        .filter_map(|&e| fw.catalog.exemptions[e].as_ref().map(|ex| ex.citation.clone()))
        .collect();
    let facts = Facts::with_exemptions(profile, &granted_citations);
    // The sources of each control, by control index (looked up once, read many times).
    let empty = Sources::default();
    let mut by_control: Vec<&Sources<'s>> = vec![&empty; n];
    for ((framework, id), found) in sources {
        if *framework == fw.id()
            && let Some(i) = fw.index(id)
        {
            by_control[i] = found;
        }
    }
    let sources_of = |i: usize| -> &Sources<'s> { by_control[i] };

    // Children before parents: process in reverse source order (parents precede children).
    for i in (0..n).rev() {
        let control = &fw.controls[i];
        if control.role == Role::Reference {
            continue;
        }
        let mut row = blank_row(fw, i);
        if let Some((why, origin)) = catalog_not_applicable(fw, i, facts, &granted) {
            row.summary = Summary::NotApplicable;
            row.coverage = Coverage::None;
            row.reason = Some(why.clone());
            row.provenance
                .push(Provenance::new(SourceKind::Applicability, why, &origin));
            at[i] = out.len();
            out.push(row);
            continue;
        }
        row.applicability = applies_because(fw, i, facts);
        let has_parts = !fw.children(i).is_empty();
        // A parent with a duty of its own is owned itself, like a leaf.
        let own_row = has_parts && own_duty_row(fw, i, facts);
        row.assignable = fw.is_assignable(i) || own_row;
        // Sources on the control itself or on a control that contains it. A parent that is a
        // duty of its own (`own_duty: row`) is assigned for that duty: its source reaches a part
        // only when nothing else covers the part, not even an `equal`/`subset-of` crosswalk row.
        let row_parent = |c: usize| c != i && own_duty_row(fw, c, facts);
        let own_or_inherited = |decide: &dyn Fn(&Sources<'s>) -> Option<Decision<'s>>,
                                from_row_parents: bool|
         -> Option<(Decision<'s>, usize)> {
            std::iter::once(i)
                .chain(fw.ancestors(i).iter().copied())
                .filter(|&c| from_row_parents || !row_parent(c))
                .find_map(|c| decide(sources_of(c)).map(|d| (d, c)))
        };
        let levels = |from_row_parents: bool| {
            own_or_inherited(&decide_level1, from_row_parents)
                .or_else(|| own_or_inherited(&decide_package, from_row_parents))
                .or_else(|| own_or_inherited(&decide_services, from_row_parents))
                .or_else(|| own_or_inherited(&decide_client_owned, from_row_parents))
        };
        let project_here = || {
            if csf_rows.framework.is_none_or(|hub| hub.id() != fw.id()) {
                project(fw, i, &mappings, csf_rows)
            } else {
                Projection::default()
            }
        };
        let mut found = levels(false);
        let mut projected: Option<Projection> = None;
        if found.is_none() && (!has_parts || own_row) {
            let projection = project_here();
            if projection.full.is_none() {
                found = levels(true);
            }
            projected = Some(projection);
        }
        match found {
            Some((decision, from)) if from == i || !has_parts || own_row => {
                // The scope's own client-owned entry on this very control outranks a crosswalk
                // row through which a subscribed service would take it: say so.
                let own_client_owned = from == i
                    && decision
                        .provenance
                        .iter()
                        .all(|p| p.kind == SourceKind::ClientOwned && p.package.is_none());
                if own_client_owned && csf_rows.framework.is_some_and(|hub| hub.id() != fw.id()) {
                    let reaching = projected.take().unwrap_or_else(project_here).by_subscription;
                    if let (Some(by), Some(entry)) = (reaching, sources_of(i).client_owned.first()) {
                        stale.push(StaleDecision {
                            file: entry.origin.file.clone(),
                            line: entry.origin.line,
                            column: entry.origin.column,
                            control: row.control.clone(),
                            entry: StaleEntry::ClientOwned,
                            how: Staleness::OutranksSubscription,
                            by,
                        });
                    }
                }
                apply(&mut row, decision, (from != i).then(|| fw.controls[from].id.clone()));
            }
            _ if has_parts && !own_row => roll_up(&mut row, fw, i, &at, out),
            _ => {
                let projection = projected.take().unwrap_or_else(project_here);
                match projection.full {
                    Some(decision) => apply(&mut row, decision, None),
                    None => {
                        let mut detail = String::from(
                            "no scope assignment, subscribed service, client-owned entry or `equal`/`subset-of` crosswalk row covers it",
                        );
                        if own_row {
                            detail.push_str(" (it carries a duty of its own beyond its parts: ");
                            detail.push_str(control.own_duty.as_ref().map_or("", |o| o.reason.as_str()));
                            detail.push(')');
                        }
                        if !projection.candidates.is_empty() {
                            detail.push_str(&format!(
                                "; {} CSF 2.0 outcome{} only intersect{} it (candidates, never owners)",
                                projection.candidates.len(),
                                if projection.candidates.len() == 1 { "" } else { "s" },
                                if projection.candidates.len() == 1 { "s" } else { "" },
                            ));
                        }
                        row.candidates = projection.candidates;
                        // A stub waiting for its owner is where the decision is written: the
                        // row (and so CM001) points at it.
                        let (at, package) = match sources_of(i).undecided.first() {
                            Some(stub) => {
                                detail.push_str(&format!(
                                    "; the {} stub says `responsible: undecided`: replace it with the party that performs it",
                                    match &stub.package {
                                        Some(id) => format!("package `{id}`'s"),
                                        None => "scope's".to_string(),
                                    }
                                ));
                                (&stub.origin, stub.package.clone())
                            }
                            None => (&scope.origin, None),
                        };
                        row.provenance
                            .push(Provenance::new(SourceKind::Default, detail, at).in_package(&package));
                    }
                }
            }
        }
        if let Some(a) = addressable.get(&*row.control) {
            row.addressable = Some(Box::new(AddressableNote {
                decision: a.decision,
                rationale: a.rationale.clone(),
                alternative: a.alternative.clone(),
                file: a.origin.file.clone(),
                line: a.origin.line,
            }));
        }
        at[i] = out.len();
        out.push(row);
    }
    // Rows were made children first; list them in the catalog's order, parents first.
    out[start..].reverse();
    let last = out.len().saturating_sub(1) + start;
    for p in at.iter_mut().filter(|p| **p != usize::MAX) {
        *p = last - *p;
    }
    at
}

fn blank_row(fw: &Framework, i: usize) -> Row {
    let c = &fw.controls[i];
    let labels = fw.labels(i);
    Row {
        control: labels.control.clone(),
        framework: fw.shared_id().clone(),
        id: labels.id.clone(),
        title: labels.title.clone(),
        level: labels.level.clone(),
        depth: fw.ancestors(i).len(),
        assignable: fw.is_assignable(i),
        requirement: c.requirement,
        summary: Summary::Unassigned,
        coverage: Coverage::None,
        responsible: Vec::new(),
        accountable: Party::Client,
        consulted: Vec::new(),
        informed: Vec::new(),
        duties: BTreeMap::new(),
        evidence: Vec::new(),
        reason: None,
        conflict: false,
        conflicts: Vec::new(),
        addressable: None,
        candidates: Vec::new(),
        applicability: None,
        provenance: Vec::new(),
    }
}

fn apply(row: &mut Row, d: Decision, inherited_from: Option<String>) {
    if let Some(reason) = d.not_applicable.filter(|_| d.responsible.is_empty()) {
        row.summary = Summary::NotApplicable;
        row.reason = Some(reason.to_string());
        row.coverage = Coverage::None;
    } else {
        row.summary = summary_of(&d.responsible);
        row.coverage = if d.responsible.is_empty() {
            Coverage::None
        } else {
            d.coverage
        };
    }
    row.responsible = d.responsible.into_iter().map(Party::parse).collect();
    // A blank row's `accountable` is already `client`.
    if let Some(accountable) = d.accountable {
        row.accountable = Party::parse(accountable);
    }
    row.consulted = d.consulted.into_iter().map(Party::parse).collect();
    row.informed = d.informed.into_iter().map(Party::parse).collect();
    row.duties = d
        .duties
        .into_iter()
        .map(|(p, duties)| (Party::parse(p), duties.into_iter().map(str::to_string).collect()))
        .collect();
    row.evidence = d.evidence.into_iter().map(str::to_string).collect();
    row.conflict = !d.conflicts.is_empty();
    row.conflicts = d.conflicts;
    if row.conflict {
        row.summary = Summary::Unassigned;
        row.coverage = Coverage::None;
    }
    let mut provenance = d.provenance;
    if let Some(parent) = inherited_from {
        for p in &mut provenance {
            p.detail = format!("{} (set on {parent}, which contains this control)", p.detail);
        }
    }
    row.provenance.extend(provenance);
}

#[cfg(test)]
mod tests {
    //! Precedence and roll-up on a minimal workspace built here. Expected owners are written
    //! from the precedence DESIGN.md and this module's doc state: scope assignment → service
    //! claim → client-owned → crosswalk projection; a parent with no source of its own takes
    //! its children's owners.
    use super::*;
    use crate::model::catalog::Framework;
    use std::sync::Arc;

    fn workspace() -> Workspace {
        let catalog: Catalog = serde_json::from_value(serde_json::json!({
            "id": "t", "title": "Test rule", "citation": "Test", "authority": "Test",
            "version": "1", "source_url": "https://example.invalid",
            "controls": [
                {"id": "a", "title": "Assigned, claimed and client-owned", "level": "section"},
                {"id": "b", "title": "Claimed and client-owned", "level": "section"},
                {"id": "c", "title": "Client-owned only", "level": "section"},
                {"id": "d", "title": "No source", "level": "section"},
                {"id": "p", "title": "Parent", "level": "section"},
                {"id": "p1", "title": "First part", "level": "paragraph", "parent": "p"},
                {"id": "p2", "title": "Second part", "level": "paragraph", "parent": "p"},
                // As 16 CFR 314.4(j): notice to the FTC of an event involving the information
                // of at least 500 consumers.
                {"id": "n", "title": "Notice to the regulator", "level": "section",
                 "deadlines": [{"id": "regulator-notice", "event": "notification event",
                                "within": "30d", "text": "within 30 days",
                                "threshold": {"fact": "consumers", "gte": 500,
                                              "text": "the information of at least 500 consumers"}}]}
            ]
        }))
        .expect("catalog");
        let service: Service = serde_json::from_value(serde_json::json!({
            "id": "svc", "name": "Service", "tower": "security", "description": "A service",
            "controls": [
                {"control": "t:a", "split": "client"},
                {"control": "t:b", "split": "msp"}
            ]
        }))
        .expect("service");
        let mut ws = Workspace::default();
        ws.frameworks.insert("t".into(), Arc::new(Framework::new(catalog)));
        ws.services.insert("svc".into(), service);
        ws
    }

    fn scope() -> Scope {
        serde_json::from_value(serde_json::json!({
            "id": "s",
            "client": {"name": "Client"},
            "frameworks": ["t"],
            "services": [{"ref": "svc", "options": []}],
            "assignments": [
                {"control": "t:a", "responsible": "msp"},
                {"control": "t:p1", "responsible": "msp"},
                {"control": "t:p2", "responsible": "msp"}
            ],
            "client_owned": [{"control": "t:a"}, {"control": "t:b"}, {"control": "t:c"}]
        }))
        .expect("scope")
    }

    fn with_consumers(consumers: Option<u64>) -> Scope {
        let mut scope = scope();
        scope.client.profile.consumers = consumers;
        scope
    }

    fn summary(matrix: &Matrix, control: &str) -> Summary {
        matrix
            .row(control)
            .unwrap_or_else(|| panic!("no row for {control}"))
            .summary
    }

    #[test]
    fn the_scope_assignment_wins_over_a_service_claim_and_client_owned() {
        let matrix = resolve(&workspace(), &scope());
        // The service claims `a` for the client and the scope lists it client-owned, but the
        // scope's own assignment names the MSP.
        assert_eq!(summary(&matrix, "t:a"), Summary::Msp);
    }

    #[test]
    fn a_service_claim_wins_over_client_owned() {
        let matrix = resolve(&workspace(), &scope());
        assert_eq!(summary(&matrix, "t:b"), Summary::Msp);
    }

    #[test]
    fn client_owned_decides_when_nothing_higher_does_and_no_source_leaves_it_unassigned() {
        let matrix = resolve(&workspace(), &scope());
        assert_eq!(summary(&matrix, "t:c"), Summary::Client);
        assert_eq!(summary(&matrix, "t:d"), Summary::Unassigned);
    }

    #[test]
    fn a_parent_without_a_source_takes_its_childrens_owner() {
        let matrix = resolve(&workspace(), &scope());
        assert_eq!(summary(&matrix, "t:p1"), Summary::Msp);
        assert_eq!(summary(&matrix, "t:p2"), Summary::Msp);
        assert_eq!(summary(&matrix, "t:p"), Summary::Msp);
    }

    #[test]
    fn a_duty_whose_every_deadline_needs_more_people_than_the_client_declares_is_not_applicable() {
        let ws = workspace();
        // 499 consumers can never make an event involving at least 500.
        assert_eq!(
            summary(&resolve(&ws, &with_consumers(Some(499))), "t:n"),
            Summary::NotApplicable
        );
        // 500 can; and an undeclared count never removes a duty.
        assert_eq!(
            summary(&resolve(&ws, &with_consumers(Some(500))), "t:n"),
            Summary::Unassigned
        );
        assert_eq!(
            summary(&resolve(&ws, &with_consumers(None)), "t:n"),
            Summary::Unassigned
        );
    }
}
