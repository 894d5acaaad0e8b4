//! The data every template sees: one scope, its matrix and findings, shaped for people who
//! write templates. Every key is always present (`none` when there is nothing to say), so a
//! template under `UndefinedBehavior::Strict` can test `{% if x %}` without tripping over a
//! missing key. docs/documents.md, "Template context", documents the same fields.

use super::baa::Baa;
use super::pack_view::PackView;
pub use super::sources::{SourceView, text_source};
use super::tpsp::Tpsp;
use crate::assess::{Finding, Severity};
use crate::model::Workspace;
use crate::model::{Requirement, Scope};
use crate::resolve::{Coverage, Row, Summary};
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

#[derive(Debug, Clone, Serialize)]
pub struct Generator {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ScopeView {
    pub id: String,
    /// The scope file, relative to the workspace.
    pub file: String,
    pub sha256: String,
    /// `fully-managed`, `co-managed` or `partial`.
    pub model: String,
    pub notes: Option<String>,
    pub client: ClientView,
    pub provider: ProviderView,
    pub sla: SlaView,
    /// Third parties declared in the scope.
    pub parties: Vec<PartyView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClientView {
    pub name: String,
    pub contact: Option<String>,
    pub profile: ProfileView,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileView {
    pub hipaa: Option<String>,
    pub glba: Option<bool>,
    pub nydfs: Option<String>,
    pub class_a: Option<bool>,
    pub employees: Option<u64>,
    pub states: Vec<String>,
    pub flags: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderView {
    pub name: String,
    pub contract: Option<String>,
    pub baa_signed: Option<String>,
    pub effective: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SlaView {
    pub p1_response: Option<String>,
    pub p2_response: Option<String>,
    pub p3_response: Option<String>,
    pub incident_notification: Option<String>,
    /// `incident_notification` in words, e.g. `24 hours`.
    pub incident_notification_text: Option<String>,
    /// The report of a security incident that is not a breach, as written and in words.
    pub security_incident_report: Option<String>,
    pub security_incident_report_text: Option<String>,
    /// `standing-notice` or `report`, or none when no term was agreed.
    pub unsuccessful_attempts: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartyView {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub baa: Option<bool>,
    /// `msp` or `client` (whose vendor it is), or none when the scope does not say.
    pub engaged_by: Option<&'static str>,
    /// Whether it handles ePHI, or none when the scope does not say.
    pub ephi: Option<bool>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceView {
    pub id: String,
    pub name: String,
    pub tower: String,
    pub description: String,
    /// The options this scope subscribes to.
    pub options: Vec<OptionView>,
    pub note: Option<String>,
    pub file: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OptionView {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    pub id: String,
    pub title: String,
    pub short_title: String,
    pub version: String,
    pub citation: String,
    pub authority: String,
    pub source_url: String,
    /// Catalog file (`<builtin>/frameworks/…` for a built-in one) and its SHA-256.
    pub file: String,
    pub sha256: String,
    /// Where the catalog's quoted control texts come from: each source that supplies at least
    /// one text, with how many, in the catalog's order.
    pub text_sources: Vec<SourceView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    /// `framework:id`.
    pub control: String,
    pub framework: String,
    pub id: String,
    /// Official citation, e.g. `45 CFR 164.308(a)(1)`.
    pub citation: String,
    pub title: String,
    pub level: String,
    pub depth: usize,
    /// A leaf that carries a duty; other rows roll up from their parts.
    pub assignable: bool,
    /// `required`, `addressable` or `none`.
    pub requirement: Option<&'static str>,
    /// `msp`, `client`, `shared`, `third-party`, `unassigned` or `not-applicable`.
    pub summary: &'static str,
    /// `summary` as a label: `MSP`, `Client`, `Shared`, `Third party`, `Unassigned`, `N/A`.
    pub owner: &'static str,
    /// `full`, `partial` or `none`.
    pub coverage: &'static str,
    /// Party ids (`msp`, `client`, third-party ids).
    pub responsible: Vec<String>,
    pub accountable: String,
    pub consulted: Vec<String>,
    pub informed: Vec<String>,
    /// The same RACI with each party's name (the provider's, the client's, a third party's).
    pub raci: RaciNames,
    pub msp_duties: Vec<String>,
    pub client_duties: Vec<String>,
    pub third_party_duties: Vec<PartyDuties>,
    /// Evidence the services say the MSP produces for this control.
    pub evidence: Vec<String>,
    /// Why the control does not apply, for N/A rows.
    pub reason: Option<String>,
    pub conflict: bool,
    pub addressable: Option<AddressableView>,
    /// Why the row says what it says: `{ kind, detail, file, line }`, deciding source first.
    pub provenance: Vec<ProvenanceView>,
    /// Codes of open (not waived) findings on this control.
    pub findings: Vec<String>,
    /// The evidence on file for the control, reconciled with what is promised and required;
    /// `none` when nothing is on file, promised or required.
    pub on_file: Option<RowEvidence>,
}

/// The engine's verdict on a row's evidence, with the entries that support it.
#[derive(Debug, Clone, Serialize)]
pub struct RowEvidence {
    /// `on-file`, `missing` (promised or required, and nothing on file) or `not-expected`.
    pub verdict: &'static str,
    /// The subscribed services promise evidence for it (`evidence` lists what).
    pub promised: bool,
    /// An enabled policy pack requires evidence for it (CM009).
    pub required: bool,
    /// Positions in `evidence` of the entries that support the control (list it or a part of it).
    pub files: Vec<usize>,
}

/// RACI as names people read, not party ids.
#[derive(Debug, Clone, Serialize)]
pub struct RaciNames {
    pub responsible: Vec<String>,
    pub accountable: String,
    pub consulted: Vec<String>,
    pub informed: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartyDuties {
    pub party: String,
    pub name: String,
    pub duties: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AddressableView {
    /// `implemented`, `alternative` or `not-reasonable`.
    pub decision: String,
    pub rationale: Option<String>,
    pub alternative: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProvenanceView {
    pub kind: String,
    pub detail: String,
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct OwnerCounts {
    pub msp: usize,
    pub client: usize,
    pub shared: usize,
    pub third_party: usize,
    pub unassigned: usize,
    pub not_applicable: usize,
    pub total: usize,
}

impl OwnerCounts {
    pub fn get(&self, s: Summary) -> usize {
        match s {
            Summary::Msp => self.msp,
            Summary::Client => self.client,
            Summary::Shared => self.shared,
            Summary::ThirdParty => self.third_party,
            Summary::Unassigned => self.unassigned,
            Summary::NotApplicable => self.not_applicable,
        }
    }

    fn add(&mut self, s: Summary) {
        let slot = match s {
            Summary::Msp => &mut self.msp,
            Summary::Client => &mut self.client,
            Summary::Shared => &mut self.shared,
            Summary::ThirdParty => &mut self.third_party,
            Summary::Unassigned => &mut self.unassigned,
            Summary::NotApplicable => &mut self.not_applicable,
        };
        *slot += 1;
        self.total += 1;
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub total: usize,
}

impl SeverityCounts {
    pub fn get(&self, s: Severity) -> usize {
        match s {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    fn add(&mut self, s: Severity) {
        let slot = match s {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        };
        *slot += 1;
        self.total += 1;
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    pub code: String,
    pub rule: String,
    /// `critical`, `high`, `medium`, `low` or `info`.
    pub severity: &'static str,
    pub control: String,
    /// Citation and title of the control, when the catalog has it.
    pub citation: String,
    pub title: Option<String>,
    pub message: String,
    pub file: String,
    pub line: usize,
    pub fingerprint: String,
    pub waived: Option<WaiverView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WaiverView {
    pub justification: String,
    pub compensating: String,
    pub approver: String,
    pub ticket: String,
    pub expires: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvidenceView {
    /// Path inside the workspace, as the scope gives it.
    pub file: String,
    pub title: Option<String>,
    pub controls: Vec<String>,
    /// Party id of the owner, and its name.
    pub owner: String,
    pub owner_name: String,
    /// Date the evidence was effective, `YYYY-MM-DD`.
    pub effective: String,
    /// Days from `effective` to `as_of` (`none` for an unreadable date).
    pub age_days: Option<i64>,
    /// The maximum age the enabled policy packs allow for the controls it supports (the
    /// strictest; `none` when no pack judges its age).
    pub max_age_days: Option<i64>,
    /// The engine's verdict, the one CM012 gives: `fresh` (at most `max_age_days` old), `stale`,
    /// `future` (dated after `as_of`), `unknown` (no readable date) or `not-assessed`.
    pub freshness: &'static str,
    /// SHA-256 of the file as found, `none` when it is missing.
    pub sha256: Option<String>,
    /// SHA-256 pinned in the scope, if any.
    pub pinned_sha256: Option<String>,
    /// `matches-pin`, `unpinned`, `changed` (differs from the pin) or `missing`.
    pub integrity: &'static str,
    /// Path of its copy inside the evidence pack (pack only), else `none`.
    pub copy: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub path: String,
    pub sha256: String,
    /// `scope`, `config`, `service`, `package`, `party`, `catalog`, `crosswalk`, `policy` or
    /// `evidence`.
    pub role: &'static str,
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
                    m.entry(f.control.as_str()).or_default().push(f.code.clone());
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

/// The name of a party of the scope: the provider for `msp`, the client for `client`.
/// Party ids as the templates read them (`msp`, `client`, a third party's id).
fn ids(parties: &[crate::model::Party]) -> Vec<String> {
    parties.iter().map(ToString::to_string).collect()
}

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
        code: f.code.clone(),
        rule: f.rule.clone(),
        severity: f.severity.as_str(),
        control: f.control.clone(),
        citation: framework.map(|x| x.cite(id)).unwrap_or_else(|| f.control.clone()),
        title: framework.and_then(|x| x.get(id)).map(|c| c.title.clone()),
        message: f.message.clone(),
        file: f.file.clone(),
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
