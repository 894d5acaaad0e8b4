//! The Business Associate Agreement responsibility appendix: the data drawn from one
//! assessment — every HIPAA Security Rule standard and implementation specification of 164.308,
//! 164.310, 164.312, 164.314 and 164.316, in the catalog's (the regulation's) order, with who
//! does what; the breach and security-incident reporting terms measured against 164.410, and
//! every notice of Subpart D with its deadline quoted from the catalog; the subcontractors; the
//! open gaps; the copies of the regulation the quotes come from — and the document made of it
//! (`baa_document.rs`), which the templates and the Word writer render.

use super::context::{Context, SourceView, duration_words, party_name, text_source};
use super::model::Document;
pub use super::open_points::OpenFinding;
pub(crate) use super::open_points::open_findings;
use super::{Format, RenderError, templates};
use crate::assess::Severity;
use crate::assess::agreement::BaaAgreement;
use crate::assess::rules::NoticeVerdict;
use crate::model::Workspace;
use crate::model::catalog::Framework;
use crate::model::{Party, Requirement, Scope};
use crate::resolve::{Matrix, Row, Summary};
use serde::Serialize;

/// The sections of Subpart C that hold the Security Rule's standards.
const SECURITY_RULE_SECTIONS: [&str; 5] = ["164.308", "164.310", "164.312", "164.314", "164.316"];
/// Flow-down to subcontractors: the rule's own words, quoted from the catalog.
const FLOW_DOWN: [&str; 2] = ["164.308(b)(2)", "164.314(a)(2)(iii)"];
/// Where the contract must make the business associate report security incidents.
const INCIDENT_REPORTING: [&str; 2] = ["164.314(a)(2)(i)(C)", "164.314(a)(2)(i)"];
const BREACH_NOTICE_SECTION: &str = "164.410";
const NOTICE_CONTENT: &str = "164.410(c)";
/// The sections of Subpart D whose notices carry deadlines, in the regulation's order.
const NOTICE_SECTIONS: [&str; 4] = ["164.404", "164.406", "164.408", "164.410"];
/// When a breach counts as discovered by the covered entity, through its workforce or agents.
const AGENCY: &str = "164.404(a)(2)";
/// The same for a business associate (164.410(a)(2)).
const BA_AGENCY: &str = "164.410(a)(2)";
/// The definitions of the Security Rule ("Security incident").
const DEFINITIONS: &str = "164.304";
/// To whom Subpart C applies: covered entities and business associates alike.
const APPLICABILITY: &str = "164.302";
/// When a breach counts as discovered by the business associate.
const DISCOVERY: &str = "164.410(a)(2)";

/// Who a document is for, and whether its terms are still open.
#[derive(Clone, Copy, Debug)]
pub struct DocumentOptions {
    pub audience: Audience,
    /// Mark every page "DRAFT — terms to be agreed" and list the findings that fail the gate
    /// among the points to be agreed (`render --draft`, or the scope's `provider.draft`).
    pub draft: bool,
    /// The gate (`fail_on`): findings at or above it are the open points of a draft.
    pub gate: Option<Severity>,
}

impl Default for DocumentOptions {
    fn default() -> DocumentOptions {
        DocumentOptions {
            audience: Audience::Internal,
            draft: false,
            gate: Some(Severity::High),
        }
    }
}

impl DocumentOptions {
    /// Options for an audience, the scope's own `provider.draft` deciding the draft mark.
    pub fn for_scope(scope: &Scope, audience: Audience) -> DocumentOptions {
        DocumentOptions {
            audience,
            draft: scope.provider.draft,
            ..DocumentOptions::default()
        }
    }
}

/// Who the appendix is for.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Audience {
    /// The provider's own copy: finding codes, where in the workspace each gap comes from and
    /// what to do about it.
    #[default]
    Internal,
    /// The copy for the other party to sign: the agreement's terms, with the points still to
    /// be agreed, but no finding codes, workspace paths or remediation advice.
    Counterparty,
}

#[derive(Debug, Clone, Serialize)]
pub struct Baa {
    /// `true` for the copy given to the other party (`--audience counterparty`): templates
    /// leave out finding codes, file paths and remediation advice.
    pub counterparty: bool,
    /// The terms are still open: every page is marked "DRAFT — terms to be agreed".
    pub draft: bool,
    /// What the client is under HIPAA (`Covered entity`, or `Business associate` when the
    /// client is itself one), and what that makes the provider.
    pub client_role: &'static str,
    pub provider_role: &'static str,
    /// The provider's subcontractors (45 CFR 160.103): third parties the provider engaged
    /// (`engaged_by: msp`) that create, receive, maintain or transmit ePHI on its behalf
    /// (`ephi` not `false`), whether or not their agreement is on record.
    pub subcontractors: Vec<BaaParty>,
    /// Vendors the provider engaged that never handle ePHI (`ephi: false`): not subcontractors.
    pub provider_vendors: Vec<BaaParty>,
    /// The client's own vendors (`engaged_by: client`): for a covered entity its own business
    /// associates, whose agreements are the client's, not the provider's subcontractors.
    pub client_vendors: Vec<BaaParty>,
    /// Third parties whose engagement the scope does not declare (`engaged_by` unset): nobody
    /// calls them subcontractors until it does.
    pub undeclared_parties: Vec<BaaParty>,
    pub sections: Vec<BaaSection>,
    /// Counts of the rows listed, to state completeness.
    pub standards: usize,
    pub specifications: usize,
    pub notification: Notification,
    pub flow_down: Vec<Quote>,
    /// Open findings on HIPAA controls, most severe first; waived ones after them.
    pub gaps: Vec<super::context::FindingView>,
    pub open_gaps: usize,
    /// The catalog the appendix was drawn from.
    pub catalog: super::context::FrameworkView,
    /// The copies of the regulation the quoted texts of this appendix come from, in the
    /// catalog's order.
    pub text_sources: Vec<SourceView>,
    /// To whom Subpart C applies (45 CFR 164.302), quoted: the business associate complies
    /// with it for its own systems whatever the table assigns.
    pub applicability: Option<Quote>,
    /// The findings that fail the gate, in words, when the document is a draft.
    pub open_findings: Vec<OpenFinding>,
    /// The appendix as one document (sections, paragraphs, tables, quotes): what the
    /// templates and the Word writer render.
    pub document: Option<Document>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BaaParty {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub note: Option<String>,
    /// The scope's `baa` flag: an agreement covers the party (`true`), none does (`false`), or
    /// the scope does not say.
    pub baa: Option<bool>,
    /// The scope's `ephi` flag (none: not declared, which counts as handling ePHI).
    pub ephi: Option<bool>,
    /// The state of its agreement in words: `BAA in place`, `BAA required, none on record` (the
    /// provider's subcontractor that handles ePHI), `no BAA on record`, `no BAA needed (no ePHI)`.
    pub agreement: BaaAgreement,
    /// Citations of the HIPAA controls the party is responsible for.
    pub controls: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BaaSection {
    pub id: String,
    pub citation: String,
    pub title: String,
    pub rows: Vec<BaaRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BaaRow {
    pub id: String,
    pub citation: String,
    pub title: String,
    /// `standard` or `implementation-specification`.
    pub level: String,
    pub is_standard: bool,
    /// A standard with implementation specifications: duties sit with its specifications.
    pub has_specifications: bool,
    /// `Required`, `Addressable`, or `none` for a standard with specifications.
    pub requirement: Option<&'static str>,
    /// Matrix summary (`msp`, `client`, `shared`, …) for styling.
    pub summary: &'static str,
    /// The same, as the engine's verdict (`None`: the control is not in the matrix).
    #[serde(skip)]
    pub(crate) owner: Option<Summary>,
    /// The responsible party in the agreement's words, e.g. `Business associate`.
    pub responsible: String,
    pub ba_duties: Vec<String>,
    pub ce_duties: Vec<String>,
    /// Duties of subcontractors and other third parties, `Name: duty`.
    pub other_duties: Vec<String>,
    /// The same, per party, with whose vendor it is: parties that do not sign this agreement.
    pub others: Vec<OtherParty>,
    /// The row carries duties of its own (a standard with specifications may, besides theirs).
    pub own_duties: bool,
    /// `Required`, or `Addressable` with the documented decision in words
    /// (`Addressable — implemented as specified`, `Addressable — alternative: …`).
    pub requirement_words: Option<String>,
    /// Evidence the business associate provides for this safeguard.
    pub evidence: Vec<String>,
    /// For addressable specifications: the documented decision, in words.
    pub addressable: Option<String>,
    /// Why the safeguard does not apply, for N/A rows.
    pub reason: Option<String>,
    /// Codes of open findings on this safeguard.
    pub gaps: Vec<String>,
}

/// A third party's part of a safeguard: never a signatory's duty.
#[derive(Debug, Clone, Serialize)]
pub struct OtherParty {
    pub id: String,
    pub name: String,
    /// `msp` (the business associate's subcontractor or vendor), `client` (the covered
    /// entity's own vendor) or none (not declared).
    pub engaged_by: Option<&'static str>,
    /// A business associate agreement covers the party (`baa: true`).
    pub baa: Option<bool>,
    pub duties: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    /// The scope's `sla.incident_notification` (e.g. `24h`) and in words.
    pub window: Option<String>,
    pub window_text: Option<String>,
    /// The regulation's outer limit in words (`60 calendar days`), its citation and words.
    pub limit_text: Option<String>,
    pub limit_citation: Option<String>,
    pub limit_quote: Option<String>,
    pub limit_from: Option<String>,
    /// The engine's verdict on the window against the breach notice's outer limit
    /// (164.410(b)): `within`, `exceeds` or `no-window`; `None` when the catalog carries no
    /// such deadline or the window is not measured against it.
    pub status: Option<NoticeVerdict>,
    /// The other deadlines the window is measured against and does not meet, each as the
    /// engine explains it (CM008's reason).
    pub others_exceeded: Vec<String>,
    /// 164.410(c) and its paragraphs, quoted.
    pub content: Vec<Quote>,
    /// The contract clause on security incidents (164.314(a)(2)(i)(C)), quoted.
    pub incident_clause: Option<Quote>,
    /// Who performs security incident response and reporting (164.308(a)(6)(ii)).
    pub incident_response: Option<String>,
    /// Every notice of Subpart D that carries a deadline, in the regulation's order, with its
    /// deadline quoted from the catalog and whether it applies to this engagement.
    pub notices: Vec<NoticeTerm>,
    /// The scope declares the provider the client's agent (`provider.agent: true`): the
    /// provider's discovery of a breach is the covered entity's (164.404(a)(2)), quoted.
    pub agency: Option<Quote>,
    /// `provider.agent` as declared (none: not declared).
    pub agent: Option<bool>,
    /// When a breach counts as discovered by the business associate (164.410(a)(2)), quoted.
    pub discovery: Option<Quote>,
    /// `sla.notice`: to whom and by what channel notices are given (none: not declared).
    pub notice_to: Option<String>,
    pub notice_channel: Option<String>,
    /// The terms for security incidents that are not breaches.
    pub security_incidents: SecurityIncidentTerms,
}

/// How the business associate reports security incidents (45 CFR 164.314(a)(2)(i)(C)), as the
/// scope agrees it; nothing here is a number the scope did not write.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityIncidentTerms {
    /// The definition of "Security incident" in 45 CFR 164.304, quoted from the catalog.
    pub definition: Option<Quote>,
    /// `sla.security_incident_report` as written and in words, when agreed.
    pub window: Option<String>,
    pub window_text: Option<String>,
    /// `standing-notice`, `report`, or none when no term was agreed.
    pub unsuccessful_attempts: Option<String>,
}

/// One notice of 45 CFR Part 164, Subpart D, as the catalog records it.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeTerm {
    pub id: String,
    pub citation: String,
    pub title: String,
    /// Who must be notified, as the catalog says.
    pub notify: Option<String>,
    /// The deadline in words: `60 calendar days after discovery of a breach …`,
    /// `contemporaneously with the notice of 45 CFR 164.404(a)`, `60 days after the end of each
    /// calendar year`.
    pub limit: String,
    /// The number of people an event must involve, in the rule's words.
    pub threshold: Option<String>,
    /// The deadline in the rule's words, quoted from the catalog.
    pub quote: String,
    /// The copy of the regulation the quote comes from.
    pub source: Option<SourceView>,
    /// The notice may be delayed under this provision (164.412).
    pub delayed_by: Option<String>,
    /// Whether the notice applies to this engagement; when not, why (the matrix's reason).
    pub applies: bool,
    pub reason: Option<String>,
    /// The engine's verdict on the provider's notice window against this deadline
    /// (`within`, `exceeds`, `no-window`, `not-measured`, `not-applicable`) and why: the same
    /// decision the gate (CM008) makes.
    pub window_verdict: NoticeVerdict,
    pub window_why: String,
    /// The same verdict in the agreement's words (`The agreed 24 hours is within its 60
    /// calendar days.`), when the window is measured against this deadline.
    pub window_words: Option<String>,
    /// Who gives it, in the agreement's words (`Covered entity`, `Business associate`, …).
    pub responsible: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Quote {
    pub id: String,
    pub citation: String,
    pub title: String,
    pub text: String,
    /// The copy of the regulation the text comes from.
    pub source: Option<SourceView>,
}

/// Render the BAA appendix of a scope. Refuses a scope to which HIPAA does not apply.
pub fn baa_appendix(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    format: Format,
) -> Result<String, RenderError> {
    baa_appendix_for(ws, scope, assessment, format, Audience::Internal)
}

/// Render the BAA appendix of a scope for an audience.
pub fn baa_appendix_for(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    format: Format,
    audience: Audience,
) -> Result<String, RenderError> {
    baa_appendix_with(
        ws,
        scope,
        assessment,
        format,
        &DocumentOptions::for_scope(scope, audience),
    )
}

/// Render the BAA appendix of a scope with its options (audience, draft, gate).
pub fn baa_appendix_with(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    format: Format,
    options: &DocumentOptions,
) -> Result<String, RenderError> {
    let ctx = baa_context_with(ws, scope, assessment, options)?;
    let name = match format {
        Format::Markdown => "baa-appendix.md.j2",
        Format::Html => "baa-appendix.html.j2",
    };
    templates::render(ws, name, &ctx)
}

/// The template context of the BAA appendix for an audience.
pub fn baa_context(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    audience: Audience,
) -> Result<Context, RenderError> {
    baa_context_with(ws, scope, assessment, &DocumentOptions::for_scope(scope, audience))
}

/// The template context of the BAA appendix (also what the docx writer reads: `baa.document`).
pub fn baa_context_with(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    options: &DocumentOptions,
) -> Result<Context, RenderError> {
    let mut ctx = Context::new(ws, scope, assessment);
    ctx.baa = Some(Baa::build_with(ws, scope, &assessment.matrix, &ctx, options)?);
    Ok(ctx)
}

/// Why HIPAA does not apply to a scope, when it does not.
pub fn hipaa_missing(ws: &Workspace, scope: &Scope, matrix: &Matrix) -> Option<RenderError> {
    if matrix.frameworks.iter().any(|f| f.id == "hipaa") {
        return None;
    }
    let profile = scope.client.profile.hipaa.as_deref();
    if matches!(profile, Some("covered-entity" | "business-associate")) && ws.framework("hipaa").is_none() {
        return Some(RenderError::MissingCatalog("hipaa".into()));
    }
    let why = match &scope.frameworks {
        Some(list) => format!(
            "scope `{}` lists its frameworks ({}) without `hipaa`",
            scope.id,
            list.join(", ")
        ),
        None => format!(
            "for scope `{}`, {}; set `client.profile.hipaa` to `covered-entity` or `business-associate` if the client is one",
            scope.id,
            matrix
                .exclusion("hipaa")
                .map(|x| x.sentence())
                .unwrap_or_else(|| "HIPAA does not apply".into())
        ),
    };
    Some(RenderError::NotApplicable {
        document: "the BAA appendix",
        needs: "a HIPAA covered entity or business associate",
        why,
    })
}

fn in_security_rule(id: &str) -> bool {
    SECURITY_RULE_SECTIONS
        .iter()
        .any(|s| id == *s || id.strip_prefix(s).is_some_and(|rest| rest.starts_with('(')))
}

fn quote(fw: &Framework, id: &str) -> Option<Quote> {
    let c = fw.get(id)?;
    Some(Quote {
        id: c.id.clone(),
        citation: fw.cite(&c.id),
        title: c.title.clone(),
        text: c.text.clone()?,
        source: text_source(fw, c),
    })
}

impl Baa {
    /// The provider's own copy (the evidence pack's, a workspace template's).
    pub fn build(ws: &Workspace, scope: &Scope, matrix: &Matrix, ctx: &Context) -> Result<Baa, RenderError> {
        Baa::build_with(
            ws,
            scope,
            matrix,
            ctx,
            &DocumentOptions::for_scope(scope, Audience::Internal),
        )
    }

    pub fn build_with(
        ws: &Workspace,
        scope: &Scope,
        matrix: &Matrix,
        ctx: &Context,
        options: &DocumentOptions,
    ) -> Result<Baa, RenderError> {
        let counterparty = options.audience == Audience::Counterparty;
        let draft = options.draft || scope.provider.draft;
        if let Some(e) = hipaa_missing(ws, scope, matrix) {
            return Err(e);
        }
        let fw = ws
            .framework("hipaa")
            .ok_or_else(|| RenderError::MissingCatalog("hipaa".into()))?;
        let client_is_ba = scope.client.profile.hipaa.as_deref() == Some("business-associate");
        let (client_role, provider_role) = if client_is_ba {
            ("Business associate", "Subcontractor")
        } else {
            ("Covered entity", "Business associate")
        };
        let roles = Roles {
            client: client_role,
            provider: provider_role,
            counterparty,
        };

        let mut sections: Vec<BaaSection> = Vec::new();
        let (mut standards, mut specifications) = (0, 0);
        for (i, c) in fw.controls.iter().enumerate() {
            if SECURITY_RULE_SECTIONS.contains(&c.id.as_str()) {
                sections.push(BaaSection {
                    id: c.id.clone(),
                    citation: fw.cite(&c.id),
                    title: c.title.clone(),
                    rows: Vec::new(),
                });
                continue;
            }
            let is_standard = c.level == "standard";
            if !(is_standard || c.level == "implementation-specification") || !in_security_rule(&c.id) {
                continue;
            }
            if is_standard {
                standards += 1;
            } else {
                specifications += 1;
            }
            let has_specifications = fw
                .children(i)
                .iter()
                .any(|&k| fw.controls[k].level == "implementation-specification");
            let row = matrix.row(&format!("hipaa:{}", c.id));
            let baa_row = baa_row(fw, scope, &roles, c, row, is_standard, has_specifications, ctx);
            let section_id = SECURITY_RULE_SECTIONS
                .iter()
                .find(|s| c.id.starts_with(**s))
                .copied()
                .unwrap_or_default();
            match sections.iter_mut().find(|s| s.id == section_id) {
                Some(s) => s.rows.push(baa_row),
                None => sections.push(BaaSection {
                    id: section_id.to_string(),
                    citation: fw.cite(section_id),
                    title: section_id.to_string(),
                    rows: vec![baa_row],
                }),
            }
        }
        sections.retain(|s| !s.rows.is_empty());

        let mut gaps: Vec<super::context::FindingView> = ctx
            .findings
            .iter()
            .filter(|f| f.control.starts_with("hipaa:"))
            .cloned()
            .collect();
        gaps.sort_by_key(|f| f.waived.is_some());
        let open_gaps = gaps.iter().filter(|f| f.waived.is_none()).count();
        // The other party's copy carries no finding (codes, workspace paths, advice): the
        // safeguards still to be agreed are in the table itself.
        if counterparty {
            gaps.clear();
        }

        let responsible_for = |party: &str| -> Vec<String> {
            matrix
                .rows
                .iter()
                .filter(|r| &*r.framework == "hipaa" && r.assignable && r.responsible.iter().any(|p| p == party))
                .map(|r| fw.cite(&r.id))
                .collect()
        };
        let (mut subcontractors, mut provider_vendors, mut client_vendors, mut undeclared_parties) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for p in scope.parties() {
            let entry = BaaParty {
                id: p.id.clone(),
                name: p.name.clone(),
                kind: p.kind.clone(),
                note: p.description(),
                baa: p.baa,
                ephi: p.ephi,
                agreement: BaaAgreement::of(p.baa, p.ephi, p.engaged_by),
                controls: responsible_for(&p.id),
            };
            // Only whom the provider engaged to handle ePHI on its behalf is its subcontractor
            // (45 CFR 160.103, "Subcontractor"; 164.502(e)(1)(ii)); a vendor of the client's is
            // the client's business associate, never the provider's subcontractor.
            match (p.engaged_by, p.ephi) {
                (Some(crate::model::EngagedBy::Msp), Some(false)) => provider_vendors.push(entry),
                (Some(crate::model::EngagedBy::Msp), _) => subcontractors.push(entry),
                (Some(crate::model::EngagedBy::Client), _) => client_vendors.push(entry),
                (None, _) => undeclared_parties.push(entry),
            }
        }

        let notification = notification(fw, scope, matrix, &roles, &ctx.notifications);
        let flow_down: Vec<Quote> = FLOW_DOWN.iter().filter_map(|id| quote(fw, id)).collect();
        let applicability = quote(fw, APPLICABILITY);
        // The sources of every text this appendix quotes, in the catalog's order.
        let mut used: Vec<&str> = Vec::new();
        let quoted = notification
            .content
            .iter()
            .chain(&notification.incident_clause)
            .chain(&notification.agency)
            .chain(&notification.security_incidents.definition)
            .chain(&notification.discovery)
            .chain(&applicability)
            .chain(&flow_down)
            .filter_map(|q| q.source.as_ref());
        for s in quoted.chain(notification.notices.iter().filter_map(|n| n.source.as_ref())) {
            if !used.contains(&s.id.as_str()) {
                used.push(&s.id);
            }
        }
        let text_sources = fw
            .catalog
            .sources
            .iter()
            .filter(|s| used.contains(&s.id.as_str()))
            .map(|s| SourceView::new(s, 0))
            .collect();

        let open_findings = if draft {
            open_findings(ws, ctx, options, counterparty, &["hipaa"])
        } else {
            Vec::new()
        };
        let mut baa = Baa {
            counterparty,
            draft,
            applicability,
            open_findings,
            document: None,
            client_role,
            provider_role,
            subcontractors,
            provider_vendors,
            client_vendors,
            undeclared_parties,
            sections,
            standards,
            specifications,
            notification,
            flow_down,
            text_sources,
            gaps,
            open_gaps,
            catalog: ctx
                .frameworks
                .iter()
                .find(|f| f.id == "hipaa")
                .cloned()
                .ok_or_else(|| RenderError::MissingCatalog("hipaa".into()))?,
        };
        baa.document = Some(super::baa_document::document(ws, scope, ctx, &baa));
        Ok(baa)
    }
}

struct Roles {
    client: &'static str,
    provider: &'static str,
    /// Words for the other party: an unassigned safeguard is "to be agreed", not a gap.
    counterparty: bool,
}

impl Roles {
    fn party(&self, scope: &Scope, id: &str) -> String {
        match id {
            "msp" => self.provider.to_string(),
            "client" => self.client.to_string(),
            other => party_name(scope, other),
        }
    }

    /// The responsible party of a row in the agreement's words.
    fn responsible(&self, scope: &Scope, row: &Row) -> String {
        match row.summary {
            Summary::NotApplicable => "Not applicable".into(),
            Summary::Unassigned => self.unassigned(row.conflict),
            _ => {
                let names: Vec<String> = row.responsible.iter().map(|p| self.party(scope, p.as_str())).collect();
                match names.as_slice() {
                    [] => self.unassigned(false),
                    [one] => one.clone(),
                    [init @ .., last] => format!("{} and {}", init.join(", "), lower_role(last)),
                }
            }
        }
    }
}

impl Roles {
    fn unassigned(&self, conflict: bool) -> String {
        match (self.counterparty, conflict) {
            (true, _) => "To be agreed".into(),
            (false, true) => "Disputed (open gap)".into(),
            (false, false) => "Unassigned (open gap)".into(),
        }
    }
}

/// A value that ends a sentence: a full stop unless it already ends one.
pub(crate) fn sentence(s: &str) -> String {
    let t = s.trim_end();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// `Covered entity` → `covered entity` after the first name in a list; party names stay as written.
fn lower_role(name: &str) -> String {
    match name {
        "Covered entity" | "Business associate" | "Subcontractor" => name.to_lowercase(),
        _ => name.to_string(),
    }
}

#[allow(clippy::too_many_arguments)]
fn baa_row(
    fw: &Framework,
    scope: &Scope,
    roles: &Roles,
    c: &crate::model::Control,
    row: Option<&Row>,
    is_standard: bool,
    has_specifications: bool,
    ctx: &Context,
) -> BaaRow {
    let requirement = match c.requirement {
        Some(Requirement::Required) => Some("Required"),
        Some(Requirement::Addressable) => Some("Addressable"),
        // A standard without implementation specifications is itself required (Appendix A to
        // Subpart C); the specifications of 164.314 and 164.316 are mandatory ("must").
        None if !(is_standard && has_specifications) => Some("Required"),
        None => None,
    };
    let control = format!("hipaa:{}", c.id);
    let Some(row) = row else {
        return BaaRow {
            id: c.id.clone(),
            citation: fw.cite(&c.id),
            title: c.title.clone(),
            level: c.level.clone(),
            is_standard,
            has_specifications,
            requirement,
            summary: "unassigned",
            owner: None,
            responsible: "Not in the matrix".into(),
            ba_duties: Vec::new(),
            ce_duties: Vec::new(),
            other_duties: Vec::new(),
            others: Vec::new(),
            own_duties: false,
            requirement_words: requirement.map(str::to_string),
            evidence: Vec::new(),
            addressable: None,
            reason: None,
            gaps: Vec::new(),
        };
    };
    // Evidence the business associate provides: what its services produce, and the MSP's
    // evidence entries on this safeguard or on the standard that contains it.
    let mut evidence = row.evidence.clone();
    let ancestors: Vec<String> = fw
        .index(&c.id)
        .map(|i| {
            fw.ancestors(i)
                .iter()
                .map(|&a| format!("hipaa:{}", fw.controls[a].id))
                .collect()
        })
        .unwrap_or_default();
    for e in ctx.evidence.iter().filter(|e| e.owner == "msp") {
        if e.controls.iter().any(|x| *x == control || ancestors.contains(x)) {
            // The other party's copy names evidence by title and date only.
            let label = match (&e.title, roles.counterparty) {
                (Some(title), true) => format!("{title} ({})", e.effective),
                (None, true) => format!("Evidence of {} ({})", e.effective, fw.cite(&c.id)),
                (title, false) => format!(
                    "{} ({}, effective {})",
                    title.as_deref().unwrap_or(&e.file),
                    e.file,
                    e.effective
                ),
            };
            if !evidence.contains(&label) {
                evidence.push(label);
            }
        }
    }
    // An addressable decision reads as a decision (45 CFR 164.306(d)(3)).
    let addressable = row.addressable.as_ref().map(|a| match a.decision {
        crate::model::AddressableDecision::Implemented => "Addressable — implemented as specified".to_string(),
        crate::model::AddressableDecision::Alternative => {
            let mut words = format!(
                "Addressable — alternative: {}",
                sentence(a.alternative.as_deref().unwrap_or("not stated"))
            );
            if let Some(r) = &a.rationale {
                words.push_str(&format!(" Why: {}", sentence(r)));
            }
            words
        }
        crate::model::AddressableDecision::NotReasonable => format!(
            "Addressable — not reasonable and appropriate: {}",
            sentence(a.rationale.as_deref().unwrap_or("no rationale stated"))
        ),
    });
    let requirement_words = match (requirement, &addressable) {
        (Some("Addressable"), Some(words)) => Some(words.clone()),
        (Some("Addressable"), None) if row.summary != Summary::NotApplicable => Some(if roles.counterparty {
            "Addressable — decision to be agreed".to_string()
        } else {
            "Addressable — no decision documented".to_string()
        }),
        (r, _) => r.map(str::to_string),
    };
    let others = row
        .duties
        .iter()
        .filter(|(p, d)| p.is_third() && !d.is_empty())
        .map(|(p, d)| {
            let party = scope.parties().find(|x| x.id == p.as_str());
            OtherParty {
                id: p.as_str().to_string(),
                name: party_name(scope, p.as_str()),
                engaged_by: party.and_then(|x| x.engaged_by).map(crate::model::EngagedBy::as_str),
                baa: party.and_then(|x| x.baa),
                duties: d.clone(),
            }
        })
        .collect();
    let own_duties = row.duties.values().any(|d| !d.is_empty());
    let other_duties = row
        .duties
        .iter()
        .filter(|(p, _)| p.is_third())
        .flat_map(|(p, d)| d.iter().map(move |duty| (p, duty)))
        .map(|(p, duty)| format!("{}: {duty}", party_name(scope, p.as_str())))
        .collect();
    BaaRow {
        id: c.id.clone(),
        citation: fw.cite(&c.id),
        title: c.title.clone(),
        level: c.level.clone(),
        is_standard,
        has_specifications,
        requirement,
        summary: row.summary.as_str(),
        owner: Some(row.summary),
        responsible: roles.responsible(scope, row),
        ba_duties: row.duties.get(&Party::Msp).cloned().unwrap_or_default(),
        ce_duties: row.duties.get(&Party::Client).cloned().unwrap_or_default(),
        other_duties,
        others,
        own_duties,
        requirement_words,
        evidence,
        addressable,
        reason: row.reason.clone(),
        gaps: if roles.counterparty {
            Vec::new()
        } else {
            ctx.rows
                .iter()
                .find(|r| r.control == control)
                .map(|r| r.findings.clone())
                .unwrap_or_default()
        },
    }
}

/// A deadline the provider's window does not meet, in words: `45 CFR 164.404(b) (notice to
/// the affected individuals): the agreed 50 days, plus the 15 days the covered entity needs
/// to act, exceed its 60 days`.
fn exceeded_words(s: &crate::assess::rules::NotificationStatus) -> String {
    use super::context::duration_words;
    let hours = |h: u64| {
        let n = |x: u64| usize::try_from(x).unwrap_or(usize::MAX);
        if h.is_multiple_of(24) {
            crate::emit::count(n(h / 24), "day")
        } else {
            crate::emit::count(n(h), "hour")
        }
    };
    let window = s
        .window
        .as_deref()
        .map(duration_words)
        .unwrap_or_else(|| "no window".into());
    let limit = s.limit.as_deref().map(duration_words).unwrap_or_default();
    let notify = s
        .notify
        .as_deref()
        .map(|n| format!(" (notice to {n})"))
        .unwrap_or_default();
    if s.margin_hours > 0 {
        format!(
            "{}{notify}: the proposed {window}, plus the {} the covered entity needs to act, exceed its {limit}",
            s.citation,
            hours(s.margin_hours)
        )
    } else {
        format!("{}{notify}: the proposed {window} exceeds its {limit}", s.citation)
    }
}

fn notification(
    fw: &Framework,
    scope: &Scope,
    matrix: &Matrix,
    roles: &Roles,
    statuses: &[crate::assess::rules::NotificationStatus],
) -> Notification {
    let in_section = |id: &str| {
        id == BREACH_NOTICE_SECTION
            || id
                .strip_prefix(BREACH_NOTICE_SECTION)
                .is_some_and(|r| r.starts_with('('))
    };
    // The outer limit: the breach-discovery deadline of 164.410, else any deadline there.
    let deadlines: Vec<(&crate::model::Control, &crate::model::Deadline)> = fw
        .controls
        .iter()
        .filter(|c| in_section(&c.id))
        .flat_map(|c| c.deadlines.iter().map(move |d| (c, d)))
        .filter(|(_, d)| d.within.is_some())
        .collect();
    let deadline = deadlines
        .iter()
        .find(|(_, d)| d.event == "breach-discovery")
        .or_else(|| deadlines.first());
    let window = scope.sla.incident_notification.clone();
    // The verdict on the provider's window is the engine's (CM008's, in the assessment), never
    // recomputed here.
    let status = match deadline.and_then(|(c, d)| {
        statuses
            .iter()
            .find(|s| s.control == format!("hipaa:{}", c.id) && s.deadline == d.id)
    }) {
        None => None,
        Some(s) => match s.verdict {
            v @ (NoticeVerdict::Within | NoticeVerdict::Exceeds | NoticeVerdict::NoWindow) => Some(v),
            NoticeVerdict::NotMeasured | NoticeVerdict::NotApplicable => None,
        },
    };
    let content = match fw.index(NOTICE_CONTENT) {
        Some(i) => fw
            .controls
            .iter()
            .enumerate()
            .filter(|(k, _)| fw.is_within(*k, i))
            .filter_map(|(_, c)| quote(fw, &c.id))
            .collect(),
        None => Vec::new(),
    };
    let incident_response = matrix
        .row("hipaa:164.308(a)(6)(ii)")
        .map(|r| roles.responsible(scope, r));
    let notices = fw
        .controls
        .iter()
        .filter(|c| {
            NOTICE_SECTIONS
                .iter()
                .any(|s| c.id.strip_prefix(s).is_some_and(|r| r.starts_with('(')))
        })
        .flat_map(|c| c.deadlines.iter().map(move |d| (c, d)))
        .map(|(c, d)| notice_term(fw, scope, matrix, roles, statuses, c, d))
        .collect();
    // Any other deadline the window is measured against and does not meet (e.g. 164.404(b)
    // with the covered entity's margin, when the provider is its agent): the headline must not
    // say the window is within alone where the gate says otherwise.
    let headline = deadline.map(|(c, d)| (format!("hipaa:{}", c.id), d.id.clone()));
    let others_exceeded = statuses
        .iter()
        .filter(|s| s.verdict == NoticeVerdict::Exceeds)
        .filter(|s| headline.as_ref() != Some(&(s.control.clone(), s.deadline.clone())))
        .map(exceeded_words)
        .collect();
    // A business associate client's discovery through its agent is 164.410(a)(2)'s, a covered
    // entity's 164.404(a)(2)'s.
    let agency = match (scope.provider.agent, scope.client.profile.hipaa.as_deref()) {
        (Some(true), Some("business-associate")) => quote(fw, BA_AGENCY),
        (Some(true), _) => quote(fw, AGENCY),
        _ => None,
    };
    Notification {
        window_text: window.as_deref().map(duration_words),
        window,
        limit_text: deadline.and_then(|(_, d)| d.within.as_deref()).map(duration_words),
        limit_citation: deadline.map(|(c, _)| fw.cite(&c.id)),
        limit_quote: deadline.map(|(_, d)| d.text.clone()),
        limit_from: deadline.and_then(|(_, d)| d.from.clone()),
        status,
        others_exceeded,
        content,
        incident_clause: INCIDENT_REPORTING.iter().find_map(|id| quote(fw, id)),
        incident_response,
        notices,
        agency,
        agent: scope.provider.agent,
        discovery: quote(fw, DISCOVERY),
        notice_to: scope.sla.notice.as_ref().map(|n| n.to.clone()),
        notice_channel: scope.sla.notice.as_ref().map(|n| n.channel.clone()),
        security_incidents: SecurityIncidentTerms {
            definition: definition(fw, DEFINITIONS, "Security incident"),
            window: scope.sla.security_incident_report.clone(),
            window_text: scope.sla.security_incident_report.as_deref().map(duration_words),
            unsuccessful_attempts: scope.sla.unsuccessful_attempts.clone(),
        },
    }
}

/// One definition of a definitions section, quoted from the catalog's text of the section:
/// the sentence that starts with the term and `means`.
fn definition(fw: &Framework, section: &str, term: &str) -> Option<Quote> {
    let c = fw.get(section)?;
    let text = c.text.as_deref()?;
    let start = text.find(&format!("{term} means "))?;
    let rest = &text[start..];
    let end = rest.find(". ").map_or(rest.len(), |i| i + 1);
    Some(Quote {
        id: c.id.clone(),
        citation: fw.cite(&c.id),
        title: format!("Definitions, “{term}”"),
        text: rest[..end].to_string(),
        source: text_source(fw, c),
    })
}

/// A notice of Subpart D with its deadline as the catalog records it and the matrix's verdict on
/// whether it applies to this client.
fn notice_term(
    fw: &Framework,
    scope: &Scope,
    matrix: &Matrix,
    roles: &Roles,
    statuses: &[crate::assess::rules::NotificationStatus],
    c: &crate::model::Control,
    d: &crate::model::Deadline,
) -> NoticeTerm {
    let status = statuses
        .iter()
        .find(|s| s.control == format!("hipaa:{}", c.id) && s.deadline == d.id);
    let limit = match (&d.within, &d.contemporaneous_with) {
        (Some(w), _) => {
            // A date-based duty counts plain days (“not later than 60 days after the end of
            // each calendar year”); the others count calendar days after discovery.
            let words = match (d.clock, w.strip_suffix('d')) {
                (Some(crate::model::Clock::Calendar), Some(n)) => format!("{n} days"),
                _ => duration_words(w),
            };
            match &d.from {
                Some(from) => format!("{words} after {from}"),
                None => words,
            }
        }
        (None, Some(other)) => format!("contemporaneously with the notice of {}", fw.cite(other)),
        (None, None) => "no time limit of its own".into(),
    };
    let row = matrix.row(&format!("hipaa:{}", c.id));
    let applies = row.is_some_and(|r| r.summary != Summary::NotApplicable);
    NoticeTerm {
        id: c.id.clone(),
        citation: fw.cite(&c.id),
        // `Notification to individuals — Implementation specification: Timeliness of notification`
        title: fw
            .index(&c.id)
            .and_then(|i| fw.ancestors(i).last().copied())
            .map(|root| format!("{} — {}", fw.controls[root].title, c.title))
            .unwrap_or_else(|| c.title.clone()),
        notify: d.notify.clone(),
        limit,
        threshold: d.threshold.as_ref().map(|t| t.text.clone()),
        quote: d.text.clone(),
        source: text_source(fw, c),
        delayed_by: d.may_be_delayed_by.as_deref().map(|x| fw.cite(x)),
        applies,
        reason: match row {
            Some(r) if !applies => r.reason.clone(),
            None => Some("not in the matrix of this scope".into()),
            _ => None,
        },
        responsible: row
            .map(|r| roles.responsible(scope, r))
            .unwrap_or_else(|| "Not in the matrix".into()),
        window_verdict: status.map_or(NoticeVerdict::NotMeasured, |s| s.verdict),
        window_why: status.map(|s| s.why.clone()).unwrap_or_default(),
        window_words: status.and_then(|s| match s.verdict {
            NoticeVerdict::Within => Some(format!(
                "The agreed {} is within its {}.",
                s.window.as_deref().map(duration_words).unwrap_or_default(),
                s.limit.as_deref().map(duration_words).unwrap_or_default()
            )),
            NoticeVerdict::Exceeds => Some(format!("It is not met: {}.", exceeded_words(s))),
            NoticeVerdict::NoWindow => Some("No term is agreed against it.".to_string()),
            NoticeVerdict::NotMeasured | NoticeVerdict::NotApplicable => None,
        }),
    }
}
