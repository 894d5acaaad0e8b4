//! The third-party service provider summary built from one assessment: the regimes, the
//! controls the MSP performs, the oversight points with the engine's verdicts and the declared
//! facts that answer them (in words), the incident notice, the quoted definitions — and the
//! entry points that render it (Markdown, HTML) or hand its template context to the Word
//! writer. Uses the summary's data (`tpsp.rs`) and its document (`tpsp_document.rs`).

use super::context::{Context, duration_words};
use super::open_points::open_findings;
use super::options::{Audience, DocumentOptions};
use super::tpsp::{
    DefinitionQuote, GLBA, NYDFS, OtherProvider, Point, PointSection, Regime, Responsibilities, Responsible, Tpsp,
};
use super::views::FindingView;
use super::{Format, RenderError, templates};
use crate::assess::provider::{Answer, Missing, Verdict};
use crate::assess::rules::NoticeVerdict;
use crate::model::Workspace;
use crate::model::catalog::Framework;
use crate::model::{Party, Scope};
use crate::resolve::{Matrix, Summary};

/// Render the TPSP summary of a scope (the provider's own copy). Refuses a scope under neither
/// NY DFS nor GLBA.
pub fn tpsp_summary(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    format: Format,
) -> Result<String, RenderError> {
    tpsp_summary_with(
        ws,
        scope,
        assessment,
        format,
        &DocumentOptions::for_scope(scope, Audience::Internal),
    )
}

/// Render the TPSP summary with its options (audience, draft, gate).
pub fn tpsp_summary_with(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    format: Format,
    options: &DocumentOptions,
) -> Result<String, RenderError> {
    let ctx = tpsp_context_with(ws, scope, assessment, options)?;
    let name = match format {
        Format::Markdown => "tpsp-summary.md.j2",
        Format::Html => "tpsp-summary.html.j2",
    };
    templates::render(ws, name, &ctx)
}

/// The template context of the TPSP summary (also what the docx writer reads: `tpsp.document`).
pub fn tpsp_context_with(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    options: &DocumentOptions,
) -> Result<Context, RenderError> {
    let mut ctx = Context::new(ws, scope, assessment);
    ctx.tpsp = Some(Tpsp::build_with(ws, scope, &assessment.matrix, &ctx, options)?);
    Ok(ctx)
}

/// Why the summary does not apply to a scope, when it does not.
pub fn regimes_missing(ws: &Workspace, scope: &Scope, matrix: &Matrix) -> Option<RenderError> {
    if matrix.frameworks.iter().any(|f| f.id == NYDFS || f.id == GLBA) {
        return None;
    }
    let p = &scope.client.profile;
    for (id, claimed) in [
        (NYDFS, p.nydfs.as_deref() == Some("covered-entity")),
        (GLBA, p.glba == Some(true)),
    ] {
        if claimed && ws.framework(id).is_none() {
            return Some(RenderError::MissingCatalog(id.into()));
        }
    }
    // The engine's reasons, quoting what the scope declares (never a default it did not write).
    let reasons: Vec<String> = [NYDFS, GLBA]
        .iter()
        .filter_map(|id| matrix.exclusion(id))
        .map(|x| x.sentence())
        .collect();
    let why = match &scope.frameworks {
        Some(list) => format!(
            "scope `{}` lists its frameworks ({}) without `{NYDFS}` or `{GLBA}`",
            scope.id,
            list.join(", ")
        ),
        None => format!("for scope `{}`, {}", scope.id, reasons.join("; ")),
    };
    Some(RenderError::NotApplicable {
        document: "the third-party service provider summary",
        needs: "a NY DFS covered entity (23 NYCRR Part 500) or an FTC-regulated financial institution (16 CFR Part 314)",
        why,
    })
}

/// "Cybersecurity event" and "Cybersecurity incident" (23 NYCRR 500.1).
const EVENT_AND_INCIDENT: [&str; 2] = ["500.1(f)", "500.1(g)"];

/// The paragraphs whose parts are the points, in the order the summary shows them.
const POINT_PARENTS: [(&str, &str); 4] = [
    (NYDFS, "500.4(a)"),
    (NYDFS, "500.11(a)"),
    (NYDFS, "500.11(b)"),
    (GLBA, "314.4(f)"),
];

impl Tpsp {
    /// The provider's own copy (the evidence pack's, a workspace template's).
    pub fn build(ws: &Workspace, scope: &Scope, matrix: &Matrix, ctx: &Context) -> Result<Tpsp, RenderError> {
        Tpsp::build_with(
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
    ) -> Result<Tpsp, RenderError> {
        if let Some(e) = regimes_missing(ws, scope, matrix) {
            return Err(e);
        }
        let counterparty = options.audience == Audience::Counterparty;
        let draft = options.draft || scope.provider.draft;
        let applicable: Vec<&Framework> = [NYDFS, GLBA]
            .iter()
            .filter(|id| matrix.frameworks.iter().any(|f| f.id == **id))
            .filter_map(|id| ws.framework(id))
            .collect();
        let regimes = applicable
            .iter()
            .map(|fw| Regime {
                id: fw.id().to_string(),
                title: fw.catalog.title.clone(),
                citation: fw.catalog.citation.clone(),
                version: fw.catalog.version.clone(),
                client_role: if fw.id() == NYDFS {
                    "Covered entity"
                } else {
                    "Financial institution"
                },
                provider_role: if fw.id() == NYDFS {
                    "Third-party service provider"
                } else {
                    "Service provider"
                },
            })
            .collect();
        let responsibilities = applicable
            .iter()
            .map(|fw| {
                let rows: Vec<Responsible> = matrix
                    .rows
                    .iter()
                    .filter(|r| &*r.framework == fw.id() && r.assignable && r.responsible.contains(&Party::Msp))
                    .map(|r| responsible(fw, r))
                    .collect();
                Responsibilities {
                    framework: fw.id().to_string(),
                    title: fw.short_title().to_string(),
                    msp: rows.iter().filter(|r| r.summary == Summary::Msp.as_str()).count(),
                    shared: rows.iter().filter(|r| r.summary != Summary::Msp.as_str()).count(),
                    rows,
                }
            })
            .collect();
        let review = ctx.oversight.clone().unwrap_or_default();
        let sections = POINT_PARENTS
            .iter()
            .filter_map(|(fw, parent)| {
                let fw = applicable.iter().find(|f| f.id() == *fw)?;
                point_section(fw, parent, scope, matrix, &review, counterparty, &ctx.as_of)
            })
            .collect();
        let mut gaps: Vec<FindingView> = ctx
            .findings
            .iter()
            .filter(|f| f.control.starts_with("nydfs-500:") || f.control.starts_with("glba-safeguards:"))
            .cloned()
            .collect();
        gaps.sort_by_key(|f| f.waived.is_some());
        let open_gaps = gaps.iter().filter(|f| f.waived.is_none()).count();
        if counterparty {
            gaps.clear();
        }
        let mut tpsp = Tpsp {
            counterparty,
            draft,
            regimes,
            responsibilities,
            sections,
            provider_is_ciso: review.provider_is_ciso,
            other_providers: scope
                .parties()
                .map(|p| OtherProvider {
                    name: p.name.clone(),
                    kind: super::baa_document::kind_words(&p.kind),
                    note: p.note.clone(),
                })
                .collect(),
            incident_notice: incident_notice(ctx, &applicable),
            definitions: applicable
                .iter()
                .filter(|f| f.id() == NYDFS)
                .flat_map(|f| {
                    EVENT_AND_INCIDENT.iter().filter_map(|id| {
                        let i = f.index(id)?;
                        let c = &f.controls[i];
                        // A definition whose items the catalog splits out is quoted whole: the
                        // lead-in, then each item with its number.
                        let mut text = c.text.clone()?;
                        for &k in f.children(i) {
                            let item = &f.controls[k];
                            if let (Some(t), Some(n)) = (&item.text, item.id.strip_prefix(&c.id)) {
                                text.push_str(&format!(" {n} {t}"));
                            }
                        }
                        Some(DefinitionQuote {
                            citation: f.cite(id),
                            title: c.title.clone(),
                            text,
                        })
                    })
                })
                .collect(),
            gaps,
            open_gaps,
            open_findings: if draft {
                open_findings(ws, ctx, options, counterparty, &[NYDFS, GLBA])
            } else {
                Vec::new()
            },
            document: None,
        };
        tpsp.document = Some(super::tpsp_document::document(scope, ctx, &tpsp));
        Ok(tpsp)
    }
}

fn responsible(fw: &Framework, r: &crate::resolve::Row) -> Responsible {
    Responsible {
        citation: fw.cite(&r.id),
        title: r.title.to_string(),
        summary: r.summary.as_str(),
        owner: r.summary.label(),
        msp_duties: r.duties.get(&Party::Msp).cloned().unwrap_or_default(),
        client_duties: r.duties.get(&Party::Client).cloned().unwrap_or_default(),
    }
}

/// The notice of a cybersecurity incident (not of an event, 23 NYCRR 500.1(f)–(g)) against each
/// regulator's deadline the provider's window is measured against, in the engine's words.
fn incident_notice(ctx: &Context, applicable: &[&Framework]) -> Vec<String> {
    ctx.notifications
        .iter()
        .filter(|s| applicable.iter().any(|f| s.control.starts_with(&format!("{}:", f.id()))))
        .filter_map(|s| {
            let limit = s.limit.as_deref().map(duration_words)?;
            let window = s.window.as_deref().map(duration_words);
            let notify = s.notify.as_deref().unwrap_or("the regulator");
            Some(match (s.verdict, window) {
                (NoticeVerdict::Within, Some(w)) => format!(
                    "The provider notifies the client within {w}; {} gives the client {limit} to notify the {notify}: the provider's notice fits.",
                    s.citation
                ),
                (NoticeVerdict::Exceeds, Some(w)) => format!(
                    "The provider notifies the client within {w}; {} gives the client {limit} to notify the {notify}: the provider's notice does not fit ({}).",
                    s.citation, s.why
                ),
                (NoticeVerdict::NoWindow, _) => format!(
                    "No notice term is agreed for the provider; {} gives the client {limit} to notify the {notify}.",
                    s.citation
                ),
                (NoticeVerdict::Within | NoticeVerdict::Exceeds, None)
                | (NoticeVerdict::NotMeasured | NoticeVerdict::NotApplicable, _) => return None,
            })
        })
        .collect()
}

fn point_section(
    fw: &Framework,
    parent_id: &str,
    scope: &Scope,
    matrix: &Matrix,
    review: &crate::assess::provider::ProviderReview,
    counterparty: bool,
    as_of: &str,
) -> Option<PointSection> {
    let parent = fw.index(parent_id)?;
    let points: Vec<Point> = fw
        .children(parent)
        .iter()
        .filter_map(|&i| {
            let c = &fw.controls[i];
            let verdict = review.point(&format!("{}:{}", fw.id(), c.id))?;
            Some(Point {
                id: c.id.clone(),
                citation: fw.cite(&c.id),
                title: c.title.clone(),
                text: c.text.clone(),
                status: verdict.verdict.into(),
                verdict: Some(verdict.verdict),
                answers: verdict.answers.iter().map(|a| answer_words(scope, matrix, a)).collect(),
                missing: verdict.missing.iter().map(|m| missing_words(scope, m, as_of)).collect(),
                reported_by: (!counterparty && verdict.verdict == Verdict::Gap)
                    .then(|| verdict.missing.first().map(Missing::reported_by))
                    .flatten(),
            })
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let c = &fw.controls[parent];
    Some(PointSection {
        framework: fw.id().to_string(),
        id: c.id.clone(),
        citation: fw.cite(&c.id),
        title: c.title.clone(),
        text: c.text.clone(),
        points,
    })
}

fn topic_words(t: crate::model::Topic) -> &'static str {
    use crate::model::Topic;
    match t {
        Topic::AccessControls => "its access controls",
        Topic::Mfa => "its use of multi-factor authentication",
        Topic::Encryption => "its encryption of the client's information in transit and at rest",
        Topic::EventNotice => "its notice to the client of a cybersecurity event",
        Topic::Warranties => "representations and warranties on its cybersecurity policies",
        Topic::Safeguards => "its safeguards",
        Topic::CybersecurityProgram => "a cybersecurity program that protects the client",
    }
}

fn topics_words(topics: &[crate::model::Topic]) -> String {
    let words: Vec<&str> = topics.iter().map(|t| topic_words(*t)).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn kind_words(k: crate::model::AssessmentKind) -> &'static str {
    use crate::model::AssessmentKind;
    match k {
        AssessmentKind::RiskAssessment => "risk assessment",
        AssessmentKind::DueDiligence => "due diligence",
        AssessmentKind::Periodic => "periodic assessment",
    }
}

/// A declared fact that answers a point, in words.
fn answer_words(scope: &Scope, matrix: &Matrix, a: &Answer) -> String {
    let p = &scope.provider;
    match a {
        Answer::Clause { index } => match p.clauses.get(*index) {
            Some(c) => match &c.text {
                Some(t) => format!("Contract, {}: “{}”", c.reference, t),
                None => format!("Contract, {}: covers {}.", c.reference, topics_words(&c.covers)),
            },
            None => String::new(),
        },
        Answer::Attestation { index } => match p.attestations.get(*index) {
            Some(x) => format!("{}, dated {}: covers {}.", x.title, x.date, topics_words(&x.covers)),
            None => String::new(),
        },
        Answer::Assessment { index } => match p.assessments.get(*index) {
            Some(x) => {
                let mut s = format!("{} of {}", capitalised(kind_words(x.kind)), x.date);
                if let Some(by) = &x.by {
                    s.push_str(&format!(" by {by}"));
                }
                if let Some(t) = &x.title {
                    s.push_str(&format!(": {t}"));
                }
                super::baa::sentence(&s)
            }
            None => String::new(),
        },
        Answer::ClientDuty { control } => {
            let duties = matrix
                .row(control)
                .and_then(|r| r.duties.get(&Party::Client).cloned())
                .unwrap_or_default();
            if duties.is_empty() {
                format!("{} performs it itself.", scope.client.name)
            } else {
                format!("{}: {}", scope.client.name, duties.join(" "))
            }
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// What a point lacks, in words.
fn missing_words(scope: &Scope, m: &Missing, as_of: &str) -> String {
    let provider = &scope.provider.name;
    match m {
        Missing::NoContract => format!("No contract with {provider} is recorded."),
        Missing::NoClause { topics } => format!(
            "No clause of the contract is declared that covers {}.",
            topics_words(topics)
        ),
        Missing::NoClauseOrAttestation { topics } => format!(
            "No clause of the contract or attestation of {provider} is declared that covers {}.",
            topics_words(topics)
        ),
        Missing::NoAssessment { kind } => match kind {
            Some(k) => format!("No {} of {provider} is declared.", kind_words(*k)),
            None => format!("No assessment of {provider} is declared."),
        },
        Missing::NoRecentAssessment { last, max_days } => format!(
            "No assessment of {provider} is dated within the {max_days} days before {as_of}{}.",
            match last {
                Some(d) => format!(" (the latest is of {d})"),
                None => String::new(),
            }
        ),
        Missing::Unassigned { .. } => "No one is responsible for it.".into(),
        Missing::NotTheClients { .. } => {
            "A party other than the client is responsible for a duty only the client can perform.".into()
        }
    }
}
