//! The data every template sees: one scope, its matrix and findings, shaped for people who
//! write templates. Every key is always present (`none` when there is nothing to say), so a
//! template under `UndefinedBehavior::Strict` can test `{% if x %}` without tripping over a
//! missing key. docs/documents.md, "Template context", documents the same fields.
//!
//! This file assembles the context from one assessment; the view types it is made of are in
//! `views.rs`.

use super::baa::Baa;
use super::pack_view::PackView;
use super::sources::SourceView;
use super::tpsp::Tpsp;
use super::views::{
    AddressableView, ClientView, EvidenceView, FindingView, FrameworkView, Generator, Input, OptionView, OwnerCounts,
    PartyDuties, PartyView, ProfileView, ProvenanceView, ProviderView, RaciNames, RowEvidence, RowView, ScopeView,
    ServiceView, SeverityCounts, SlaView, WaiverView,
};
use crate::assess::Finding;
use crate::model::Workspace;
use crate::model::{Requirement, Scope};
use crate::resolve::{Coverage, Row};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Everything a template can use. See docs/documents.md, "Template context".
#[derive(Debug, Clone, Serialize)]
pub struct Context {
    /// `{ name, version }` of the program that rendered the document.
    pub generator: Generator,
    /// The date the document speaks for, `YYYY-MM-DD` (`--as-of`, else `SOURCE_DATE_EPOCH`, else today).
    pub as_of: String,
    pub scope: ScopeView,
    /// The services the scope subscribes to, in the scope's order.
    pub services: Vec<ServiceView>,
    /// The frameworks that apply to the scope, baseline first.
    pub frameworks: Vec<FrameworkView>,
    /// Every matrix row of every applicable framework, in catalog order.
    pub rows: Vec<RowView>,
    /// Assignable controls by owner, per framework id.
    pub counts: BTreeMap<String, OwnerCounts>,
    /// Findings, most severe first; waived ones carry `waived`.
    pub findings: Vec<FindingView>,
    /// Open (not waived) findings per severity.
    pub findings_by_severity: SeverityCounts,
    /// Number of waived findings.
    pub findings_waived: usize,
    /// Every evidence entry of the scope, as of `as_of`.
    pub evidence: Vec<EvidenceView>,
    /// Every deadline of the applicable frameworks with the engine's verdict on the MSP's notice
    /// window (the one CM008 gives).
    pub notifications: Vec<crate::assess::rules::NotificationStatus>,
    /// The client's oversight of its service provider, point by point, with the engine's
    /// verdicts (NY DFS and GLBA scopes; none otherwise): what the provider summary shows.
    pub oversight: Option<crate::assess::provider::ProviderReview>,
    /// The files the document was computed from (scope, config, services, catalogs,
    /// crosswalks, policies), sorted by path.
    pub inputs: Vec<Input>,
    /// SHA-256 over the `inputs` lines `<sha256>  <path>\n`: one value that changes when any input does.
    pub inputs_sha256: String,
    /// The BAA appendix data when HIPAA applies, else `none`.
    pub baa: Option<Baa>,
    /// The third-party service provider summary when NY DFS or GLBA applies, else `none`.
    pub tpsp: Option<Tpsp>,
    /// Links and charts of the evidence pack while it is being written, else `none`.
    pub pack: Option<PackView>,
}

impl Context {
    /// The context of one scope as of a date.
    /// The context of one scope's assessment: every verdict in it is the engine's.
    pub fn new(ws: &Workspace, scope: &Scope, assessment: &crate::assess::Assessment) -> Context {
        let matrix = &assessment.matrix;
        let findings = &assessment.findings;
        let open: BTreeMap<&str, Vec<String>> =
            findings
                .iter()
                .filter(|f| f.waived.is_none())
                .fold(BTreeMap::new(), |mut m, f| {
                    m.entry(&*f.control).or_default().push(f.code.to_string());
                    m
                });
        let mut rows: Vec<RowView> = matrix
            .rows
            .iter()
            .map(|r| row_view(ws, scope, r, open.get(&*r.control)))
            .collect();
        for c in &assessment.control_evidence {
            if let Some(row) = rows.get_mut(c.row) {
                row.on_file = Some(RowEvidence {
                    verdict: c.verdict.as_str(),
                    promised: c.promised,
                    required: c.required,
                    files: c.files.clone(),
                });
            }
        }
        let mut counts: BTreeMap<String, OwnerCounts> = matrix
            .frameworks
            .iter()
            .map(|f| (f.id.clone(), OwnerCounts::default()))
            .collect();
        for r in matrix.rows.iter().filter(|r| r.assignable) {
            counts.entry(r.framework.to_string()).or_default().add(r.summary);
        }
        let mut by_severity = SeverityCounts::default();
        for f in findings.iter().filter(|f| f.waived.is_none()) {
            by_severity.add(f.severity);
        }
        let inputs = inputs(ws, scope, matrix);
        Context {
            generator: Generator {
                name: "ctrlmap",
                version: env!("CARGO_PKG_VERSION"),
            },
            as_of: assessment.as_of.clone(),
            scope: scope_view(scope),
            services: services(ws, scope),
            frameworks: matrix
                .frameworks
                .iter()
                .filter_map(|f| ws.framework(&f.id))
                .map(|fw| framework_view(ws, fw))
                .collect(),
            rows,
            counts,
            findings: findings.iter().map(|f| finding_view(ws, f)).collect(),
            findings_by_severity: by_severity,
            findings_waived: findings.iter().filter(|f| f.waived.is_some()).count(),
            evidence: assessment
                .evidence
                .iter()
                .filter_map(|status| {
                    let e = scope.evidence.get(status.index)?.as_ref()?;
                    Some(evidence_view(scope, e, status))
                })
                .collect(),
            notifications: assessment.notifications.clone(),
            oversight: assessment.provider.clone(),
            inputs_sha256: inputs_sha256(&inputs),
            inputs,
            baa: None,
            tpsp: None,
            pack: None,
        }
    }
}

fn scope_view(scope: &Scope) -> ScopeView {
    let p = &scope.client.profile;
    ScopeView {
        id: scope.id.clone(),
        file: scope.origin.file.to_string(),
        sha256: scope.sha256.clone(),
        model: scope.model.clone(),
        notes: scope.notes.clone(),
        client: ClientView {
            name: scope.client.name.clone(),
            contact: scope.client.contact.clone(),
            profile: ProfileView {
                hipaa: p.hipaa.clone(),
                glba: p.glba,
                nydfs: p.nydfs.clone(),
                class_a: p.class_a,
                employees: p.employees,
                states: p.states.clone(),
                flags: p.flags.clone(),
            },
        },
        provider: ProviderView {
            name: scope.provider.name.clone(),
            contract: scope.provider.contract.clone(),
            baa_signed: scope.provider.baa_signed.clone(),
            effective: scope.provider.effective.clone(),
        },
        sla: SlaView {
            p1_response: scope.sla.p1_response.clone(),
            p2_response: scope.sla.p2_response.clone(),
            p3_response: scope.sla.p3_response.clone(),
            incident_notification: scope.sla.incident_notification.clone(),
            incident_notification_text: scope.sla.incident_notification.as_deref().map(duration_words),
            security_incident_report: scope.sla.security_incident_report.clone(),
            security_incident_report_text: scope.sla.security_incident_report.as_deref().map(duration_words),
            unsuccessful_attempts: scope.sla.unsuccessful_attempts.clone(),
        },
        parties: scope
            .parties()
            .map(|p| PartyView {
                id: p.id.clone(),
                name: p.name.clone(),
                kind: p.kind.clone(),
                baa: p.baa,
                engaged_by: p.engaged_by.map(crate::model::EngagedBy::as_str),
                ephi: p.ephi,
                note: p.description(),
            })
            .collect(),
    }
}

fn services(ws: &Workspace, scope: &Scope) -> Vec<ServiceView> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for sub in scope.services.iter().flatten() {
        let Some(s) = ws.services.get(&sub.service) else {
            continue;
        };
        if !seen.insert(s.id.clone()) {
            continue;
        }
        out.push(ServiceView {
            id: s.id.clone(),
            name: s.name.clone(),
            tower: s.tower.clone(),
            description: s.description.clone(),
            options: s
                .options
                .iter()
                .filter(|o| sub.options.contains(&o.id))
                .map(|o| OptionView {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    description: o.description.clone(),
                })
                .collect(),
            note: sub.note.clone(),
            file: s.origin.file.to_string(),
            sha256: input_sha256(ws, &s.origin.file).unwrap_or_default(),
        });
    }
    out
}

fn framework_view(ws: &Workspace, fw: &crate::model::catalog::Framework) -> FrameworkView {
    let c = &fw.catalog;
    FrameworkView {
        id: c.id.clone(),
        title: c.title.clone(),
        short_title: fw.short_title().to_string(),
        version: c.version.clone(),
        citation: c.citation.clone(),
        authority: c.authority.clone(),
        source_url: c.source_url.clone(),
        file: c.origin.file.to_string(),
        sha256: input_sha256(ws, &c.origin.file).unwrap_or_default(),
        text_sources: c
            .sources
            .iter()
            .map(|s| {
                let texts = fw
                    .controls
                    .iter()
                    .filter(|x| x.text.is_some() && x.text_source.as_deref() == Some(s.id.as_str()))
                    .count();
                SourceView::new(s, texts)
            })
            .filter(|s| s.texts > 0)
            .collect(),
    }
}

/// Party ids as the templates read them (`msp`, `client`, a third party's id).
fn ids(parties: &[crate::model::Party]) -> Vec<String> {
    parties.iter().map(ToString::to_string).collect()
}

/// The name of a party of the scope: the provider for `msp`, the client for `client`.
pub fn party_name(scope: &Scope, id: &str) -> String {
    match id {
        "msp" => scope.provider.name.clone(),
        "client" => scope.client.name.clone(),
        other => scope
            .parties()
            .find(|p| p.id == other)
            .map(|p| p.name.clone())
            .unwrap_or_else(|| other.to_string()),
    }
}

pub fn requirement_name(r: Option<Requirement>) -> Option<&'static str> {
    r.map(|r| match r {
        Requirement::Required => "required",
        Requirement::Addressable => "addressable",
    })
}

pub fn coverage_name(c: Coverage) -> &'static str {
    match c {
        Coverage::Full => "full",
        Coverage::Partial => "partial",
        Coverage::None => "none",
    }
}

fn row_view(ws: &Workspace, scope: &Scope, r: &Row, open: Option<&Vec<String>>) -> RowView {
    let citation = ws
        .framework(&r.framework)
        .map(|f| f.cite(&r.id))
        .unwrap_or_else(|| r.control.to_string());
    RowView {
        control: r.control.to_string(),
        framework: r.framework.to_string(),
        id: r.id.to_string(),
        citation,
        title: r.title.to_string(),
        level: r.level.to_string(),
        depth: r.depth,
        assignable: r.assignable,
        requirement: requirement_name(r.requirement),
        summary: r.summary.as_str(),
        owner: r.summary.label(),
        coverage: coverage_name(r.coverage),
        responsible: ids(&r.responsible),
        accountable: r.accountable.to_string(),
        consulted: ids(&r.consulted),
        informed: ids(&r.informed),
        raci: {
            let names = |ids: &[crate::model::Party]| ids.iter().map(|p| party_name(scope, p)).collect();
            RaciNames {
                responsible: names(&r.responsible),
                accountable: party_name(scope, &r.accountable),
                consulted: names(&r.consulted),
                informed: names(&r.informed),
            }
        },
        msp_duties: r.duties.get(&crate::model::Party::Msp).cloned().unwrap_or_default(),
        client_duties: r.duties.get(&crate::model::Party::Client).cloned().unwrap_or_default(),
        third_party_duties: r
            .duties
            .iter()
            .filter(|(p, d)| p.is_third() && !d.is_empty())
            .map(|(p, d)| PartyDuties {
                party: p.to_string(),
                name: party_name(scope, p),
                duties: d.clone(),
            })
            .collect(),
        evidence: r.evidence.clone(),
        reason: r.reason.clone(),
        conflict: r.conflict,
        addressable: r.addressable.as_ref().map(|a| AddressableView {
            decision: match a.decision {
                crate::model::AddressableDecision::Implemented => "implemented",
                crate::model::AddressableDecision::Alternative => "alternative",
                crate::model::AddressableDecision::NotReasonable => "not-reasonable",
            }
            .to_string(),
            rationale: a.rationale.clone(),
            alternative: a.alternative.clone(),
        }),
        provenance: r
            .provenance
            .iter()
            .map(|p| ProvenanceView {
                kind: serde_json::to_value(p.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                detail: p.detail.clone(),
                file: p.file.to_string(),
                line: p.line,
            })
            .collect(),
        findings: open.cloned().unwrap_or_default(),
        on_file: None,
    }
}

fn finding_view(ws: &Workspace, f: &Finding) -> FindingView {
    let (fw, id) = f.control.split_once(':').unwrap_or(("", &f.control));
    let framework = ws.framework(fw);
    FindingView {
        code: f.code.to_string(),
        rule: f.rule.to_string(),
        severity: f.severity.as_str(),
        control: f.control.to_string(),
        citation: framework.map(|x| x.cite(id)).unwrap_or_else(|| f.control.to_string()),
        title: framework.and_then(|x| x.get(id)).map(|c| c.title.clone()),
        message: f.message.to_string(),
        file: f.file.to_string(),
        line: f.line,
        fingerprint: f.fingerprint.clone(),
        waived: f.waived.as_ref().map(|w| WaiverView {
            justification: w.justification.clone(),
            compensating: w.compensating.clone(),
            approver: w.approver.clone(),
            ticket: w.ticket.clone(),
            expires: w.expires.clone(),
        }),
    }
}

/// An evidence entry as documents show it, with the engine's verdict on its age and integrity.
pub(crate) fn evidence_view(
    scope: &Scope,
    e: &crate::model::Evidence,
    status: &crate::assess::rules::EvidenceStatus,
) -> EvidenceView {
    EvidenceView {
        file: e.file.clone(),
        title: e.title.clone(),
        controls: e.controls.clone(),
        owner: e.owner.clone(),
        owner_name: party_name(scope, &e.owner),
        effective: e.effective.clone(),
        age_days: status.age_days,
        max_age_days: status.max_age_days,
        freshness: status.freshness.as_str(),
        sha256: e.found_sha256.clone(),
        pinned_sha256: e.sha256.clone(),
        integrity: status.integrity.as_str(),
        copy: None,
    }
}

/// SHA-256 of an input by its display path: a workspace file as read, or a built-in file.
pub fn input_sha256(ws: &Workspace, display: &str) -> Option<String> {
    match display.strip_prefix("<builtin>/") {
        Some(path) => crate::fs::embedded::get(path).map(|text| crate::model::digest::sha256_hex(text.as_bytes())),
        None => ws.inputs.get(display).cloned(),
    }
}

/// The inputs a scope's documents are computed from (the frameworks as its matrix lists
/// them), sorted by path.
pub fn inputs(ws: &Workspace, scope: &Scope, matrix: &crate::resolve::Matrix) -> Vec<Input> {
    let frameworks: Vec<String> = matrix.frameworks.iter().map(|f| f.id.clone()).collect();
    let mut wanted: Vec<(String, &'static str)> = vec![(scope.origin.file.to_string(), "scope")];
    if !ws.config.origin.file.is_empty() {
        wanted.push((ws.config.origin.file.to_string(), "config"));
    }
    for sub in scope.services.iter().flatten() {
        if let Some(s) = ws.services.get(&sub.service) {
            wanted.push((s.origin.file.to_string(), "service"));
        }
    }
    // The packages the scope builds on and the parties declared once for the workspace.
    for id in &scope.packages {
        if let Some(p) = ws.packages.get(&**id) {
            wanted.push((p.origin.file.to_string(), "package"));
        }
    }
    for p in scope.parties().filter(|p| p.shared) {
        wanted.push((p.origin.file.to_string(), "party"));
    }
    // CSF is always resolved when present: crosswalk projection reads it.
    for id in frameworks.iter().map(String::as_str).chain(["csf-2.0"]) {
        if let Some(fw) = ws.framework(id) {
            wanted.push((fw.catalog.origin.file.to_string(), "catalog"));
        }
    }
    for cw in ws.crosswalks.iter().filter(|cw| frameworks.contains(&cw.from)) {
        wanted.push((cw.origin.file.to_string(), "crosswalk"));
    }
    for pack in ws.packs.values().filter(|p| p.enabled_for(&frameworks)) {
        wanted.push((pack.origin.file.to_string(), "policy"));
    }
    let mut out: Vec<Input> = wanted
        .into_iter()
        .filter_map(|(path, role)| input_sha256(ws, &path).map(|sha256| Input { path, sha256, role }))
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.path == b.path);
    out
}

/// One hash over a list of inputs, in the `sha256sum` line format.
pub fn inputs_sha256(inputs: &[Input]) -> String {
    let text: String = inputs.iter().map(|i| format!("{}  {}\n", i.sha256, i.path)).collect();
    crate::model::digest::sha256_hex(text.as_bytes())
}

/// A scope duration in words: `24h` → `24 hours`, `3d` → `3 calendar days`.
pub fn duration_words(text: &str) -> String {
    let plural = |n: &str, one: &str, many: &str| {
        if n == "1" {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    if text == "next-business-day" {
        return "the next business day".into();
    }
    if let Some(n) = text.strip_suffix("bd") {
        return plural(n, "business day", "business days");
    }
    if let Some(n) = text.strip_suffix('h') {
        return plural(n, "hour", "hours");
    }
    if let Some(n) = text.strip_suffix('d') {
        return plural(n, "calendar day", "calendar days");
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration_words("24h"), "24 hours");
        assert_eq!(duration_words("1h"), "1 hour");
        assert_eq!(duration_words("60d"), "60 calendar days");
        assert_eq!(duration_words("2bd"), "2 business days");
        assert_eq!(duration_words("next-business-day"), "the next business day");
    }
}
