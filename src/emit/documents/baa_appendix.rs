//! The BAA responsibility appendix built from one assessment: the rows of the Security Rule in
//! the catalog's (the regulation's) order, the parties, the notification terms, the open gaps,
//! the quotes of the regulation — and the entry points that render it (Markdown, HTML) or hand
//! its template context to the Word writer. Uses the appendix's data (`baa.rs`), its rows
//! (`baa_rows.rs`), its notices (`baa_notices.rs`) and its document (`baa_document.rs`).

use super::baa::{Baa, BaaParty, BaaSection, Quote, quote};
use super::baa_notices::notification;
use super::baa_rows::{Roles, baa_row};
use super::context::Context;
use super::open_points::open_findings;
use super::options::{Audience, DocumentOptions};
use super::sources::SourceView;
use super::views::FindingView;
use super::{Format, RenderError, templates};
use crate::assess::agreement::BaaAgreement;
use crate::model::Scope;
use crate::model::Workspace;
use crate::resolve::Matrix;

/// The sections of Subpart C that hold the Security Rule's standards.
const SECURITY_RULE_SECTIONS: [&str; 5] = ["164.308", "164.310", "164.312", "164.314", "164.316"];
/// Flow-down to subcontractors: the rule's own words, quoted from the catalog.
const FLOW_DOWN: [&str; 2] = ["164.308(b)(2)", "164.314(a)(2)(iii)"];
/// To whom Subpart C applies: covered entities and business associates alike.
const APPLICABILITY: &str = "164.302";

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

        let mut gaps: Vec<FindingView> = ctx
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
