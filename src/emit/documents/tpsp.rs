//! The third-party service provider summary for NY DFS and GLBA clients: the MSP as the
//! client's service provider — what it performs, which controls it is responsible for, how
//! the engagement covers the points 23 NYCRR 500.11(b) asks the client's policies to address
//! and the oversight 16 CFR 314.4(f) requires, and the gaps.

use super::context::{Context, EvidenceView, FindingView, duration_words};
use super::{Format, RenderError, templates};
use crate::model::Workspace;
use crate::model::catalog::Framework;
use crate::model::{Party, Scope};
use crate::resolve::{Matrix, Summary};
use serde::Serialize;

const NYDFS: &str = "nydfs-500";
const GLBA: &str = "glba-safeguards";

/// What each point is about, so the summary can show the controls and contract terms that
/// answer it. The points themselves (ids, titles, text) come from the catalog.
#[derive(Clone, Copy)]
enum Topic {
    AccessControls,
    Encryption,
    Notice,
    Warranties,
    Selection,
    Contract,
    Assessment,
}

/// (catalog section, point, topic, related controls whose owners answer the point).
const POINTS: &[(&str, &str, Topic, &[&str])] = &[
    (NYDFS, "500.11(b)(1)", Topic::AccessControls, &["500.7", "500.12"]),
    (NYDFS, "500.11(b)(2)", Topic::Encryption, &["500.15"]),
    (NYDFS, "500.11(b)(3)", Topic::Notice, &["500.16", "500.17"]),
    (NYDFS, "500.11(b)(4)", Topic::Warranties, &[]),
    (GLBA, "314.4(f)(1)", Topic::Selection, &[]),
    (GLBA, "314.4(f)(2)", Topic::Contract, &["314.4(c)"]),
    (GLBA, "314.4(f)(3)", Topic::Assessment, &[]),
];
/// The parent of the points in each catalog.
const POINT_PARENTS: [(&str, &str); 2] = [(NYDFS, "500.11(b)"), (GLBA, "314.4(f)")];
/// Deadline events that bound the provider's notice of a cybersecurity event.
const NOTICE_EVENTS: [&str; 2] = ["cybersecurity-incident", "notification-event"];

#[derive(Debug, Clone, Serialize)]
pub struct Tpsp {
    /// The regimes under which the MSP is the client's service provider.
    pub regimes: Vec<Regime>,
    /// Per regime: the assignable controls the MSP performs (alone or shared).
    pub responsibilities: Vec<Responsibilities>,
    /// 500.11(b) and 314.4(f), point by point.
    pub sections: Vec<PointSection>,
    /// Findings on the regimes' controls, open first, then waived.
    pub gaps: Vec<FindingView>,
    pub open_gaps: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Regime {
    pub id: String,
    pub title: String,
    pub citation: String,
    pub version: String,
    /// What the client is under it, e.g. `Covered entity`, `Financial institution`.
    pub client_role: &'static str,
    /// What the provider is called under it.
    pub provider_role: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Responsibilities {
    pub framework: String,
    pub title: String,
    pub rows: Vec<Responsible>,
    pub msp: usize,
    pub shared: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Responsible {
    pub citation: String,
    pub title: String,
    pub summary: &'static str,
    pub owner: &'static str,
    pub msp_duties: Vec<String>,
    pub client_duties: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PointSection {
    pub framework: String,
    pub id: String,
    pub citation: String,
    pub title: String,
    /// The lead-in text of the section, quoted.
    pub text: Option<String>,
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub id: String,
    pub citation: String,
    pub title: String,
    pub text: Option<String>,
    /// Who owns the point itself in the matrix.
    pub owner: &'static str,
    pub summary: &'static str,
    /// `addressed`, `review` (a term to confirm in the contract) or `gap`.
    pub status: &'static str,
    /// The engagement's terms that answer the point, in words.
    pub terms: Vec<String>,
    /// Controls whose owners answer the point.
    pub related: Vec<Responsible>,
    /// Evidence entries supporting the point.
    pub evidence: Vec<String>,
}

/// Render the TPSP summary of a scope. Refuses a scope under neither NY DFS nor GLBA.
pub fn tpsp_summary(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    format: Format,
) -> Result<String, RenderError> {
    let matrix = &assessment.matrix;
    let mut ctx = Context::new(ws, scope, assessment);
    ctx.tpsp = Some(Tpsp::build(ws, scope, matrix, &ctx)?);
    let name = match format {
        Format::Markdown => "tpsp-summary.md.j2",
        Format::Html => "tpsp-summary.html.j2",
    };
    templates::render(ws, name, &ctx)
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

impl Tpsp {
    pub fn build(ws: &Workspace, scope: &Scope, matrix: &Matrix, ctx: &Context) -> Result<Tpsp, RenderError> {
        if let Some(e) = regimes_missing(ws, scope, matrix) {
            return Err(e);
        }
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
        let sections = applicable
            .iter()
            .filter_map(|fw| point_section(fw, scope, matrix, ctx))
            .collect();
        let mut gaps: Vec<FindingView> = ctx
            .findings
            .iter()
            .filter(|f| f.control.starts_with("nydfs-500:") || f.control.starts_with("glba-safeguards:"))
            .cloned()
            .collect();
        gaps.sort_by_key(|f| f.waived.is_some());
        let open_gaps = gaps.iter().filter(|f| f.waived.is_none()).count();
        Ok(Tpsp {
            regimes,
            responsibilities,
            sections,
            gaps,
            open_gaps,
        })
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

fn point_section(fw: &Framework, scope: &Scope, matrix: &Matrix, ctx: &Context) -> Option<PointSection> {
    let (_, parent_id) = POINT_PARENTS.iter().find(|(f, _)| *f == fw.id())?;
    let parent = fw.index(parent_id)?;
    let points = fw
        .children(parent)
        .iter()
        .map(|&i| point(fw, &fw.controls[i], scope, matrix, ctx))
        .collect();
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

fn supports(fw: &Framework, listed: &str, id: &str) -> bool {
    let Some((f, listed_id)) = listed.split_once(':') else {
        return false;
    };
    f == fw.id() && matches!((fw.index(listed_id), fw.index(id)), (Some(l), Some(i)) if fw.is_within(i, l))
}

fn evidence_line(e: &EvidenceView) -> String {
    let age = e.age_days.map(|d| format!(", {d} days old")).unwrap_or_default();
    format!(
        "{} ({}, effective {}{age}, {})",
        e.title.as_deref().unwrap_or(&e.file),
        e.owner_name,
        e.effective,
        e.freshness
    )
}

fn point(fw: &Framework, c: &crate::model::Control, scope: &Scope, matrix: &Matrix, ctx: &Context) -> Point {
    let spec = POINTS.iter().find(|(f, id, _, _)| *f == fw.id() && *id == c.id);
    let row = matrix.row(&format!("{}:{}", fw.id(), c.id));
    let roots: Vec<usize> = spec
        .map(|s| s.3.iter().filter_map(|id| fw.index(id)).collect())
        .unwrap_or_default();
    let related_rows: Vec<(usize, &crate::resolve::Row)> = matrix
        .rows
        .iter()
        .filter(|r| &*r.framework == fw.id() && r.assignable && r.summary != Summary::NotApplicable)
        .filter_map(|r| fw.index(&r.id).map(|i| (i, r)))
        .filter(|(i, _)| roots.iter().any(|&root| fw.is_within(*i, root)))
        .collect();
    let evidence: Vec<&EvidenceView> = ctx
        .evidence
        .iter()
        .filter(|e| e.controls.iter().any(|x| supports(fw, x, &c.id)))
        .collect();

    // A gap when nobody owns the point or a control that answers it, or a finding is open on them.
    let controls: Vec<String> = std::iter::once(format!("{}:{}", fw.id(), c.id))
        .chain(related_rows.iter().map(|(_, r)| r.control.to_string()))
        .collect();
    let unassigned = row.is_none_or(|r| r.summary == Summary::Unassigned)
        || related_rows.iter().any(|(_, r)| r.summary == Summary::Unassigned);
    let open: Vec<String> = ctx
        .findings
        .iter()
        .filter(|f| f.waived.is_none() && controls.contains(&f.control))
        .map(|f| format!("{} on {}", f.code, f.citation))
        .collect();
    let mut status = if unassigned || !open.is_empty() {
        "gap"
    } else {
        "addressed"
    };

    let mut terms: Vec<String> = roots.iter().map(|&root| owners_line(fw, root, &related_rows)).collect();
    if !open.is_empty() {
        terms.push(format!(
            "{}: {}.",
            if open.len() == 1 {
                "Open finding"
            } else {
                "Open findings"
            },
            open.join(", ")
        ));
    }
    let (more, verdict) = topic_terms(spec.map(|s| s.2), fw, scope, matrix, ctx, &evidence);
    terms.extend(more);
    match verdict {
        Some("gap") => status = "gap",
        Some("review") if status == "addressed" => status = "review",
        _ => {}
    }
    Point {
        id: c.id.clone(),
        citation: fw.cite(&c.id),
        title: c.title.clone(),
        text: c.text.clone(),
        owner: row.map(|r| r.summary.label()).unwrap_or("Not in the matrix"),
        summary: row.map(|r| r.summary.as_str()).unwrap_or("unassigned"),
        status,
        terms,
        related: related_rows.iter().map(|(_, r)| responsible(fw, r)).collect(),
        evidence: evidence.into_iter().map(evidence_line).collect(),
    }
}

/// `23 NYCRR 500.12 (Multi-factor authentication): 4 MSP, 1 shared.`
fn owners_line(fw: &Framework, root: usize, rows: &[(usize, &crate::resolve::Row)]) -> String {
    let mut counts: Vec<(Summary, usize)> = Vec::new();
    for (_, r) in rows.iter().filter(|(i, _)| fw.is_within(*i, root)) {
        match counts.iter_mut().find(|(s, _)| *s == r.summary) {
            Some((_, n)) => *n += 1,
            None => counts.push((r.summary, 1)),
        }
    }
    counts.sort();
    let c = &fw.controls[root];
    let owners: Vec<String> = counts
        .iter()
        .map(|(s, n)| {
            format!(
                "{n} {}",
                if *s == Summary::Msp {
                    "MSP".to_string()
                } else {
                    s.label().to_lowercase()
                }
            )
        })
        .collect();
    let owners = if owners.is_empty() {
        "no applicable controls".to_string()
    } else {
        owners.join(", ")
    };
    format!("{} ({}): {owners}.", fw.cite(&c.id), c.title)
}

/// The engagement's terms on one topic, and whether they make the point a gap or a term to review.
fn topic_terms(
    topic: Option<Topic>,
    fw: &Framework,
    scope: &Scope,
    matrix: &Matrix,
    ctx: &Context,
    evidence: &[&EvidenceView],
) -> (Vec<String>, Option<&'static str>) {
    let contract = scope.provider.contract.as_deref();
    match topic {
        None | Some(Topic::AccessControls) | Some(Topic::Encryption) => (Vec::new(), None),
        Some(Topic::Notice) => {
            let deadline = fw
                .controls
                .iter()
                .flat_map(|x| x.deadlines.iter().map(move |d| (x, d)))
                .find(|(_, d)| NOTICE_EVENTS.contains(&d.event.as_str()) && d.within.is_some());
            match (scope.sla.incident_notification.as_deref(), deadline) {
                (None, _) => (vec!["No notification window is agreed: add `sla.incident_notification` to the scope and the contract.".into()], Some("gap")),
                (Some(w), Some((x, d))) => {
                    let line = format!(
                        "The provider notifies the client of a cybersecurity event within {} (sla.incident_notification); {} gives the client {} from {} to notify the {}.",
                        duration_words(w),
                        fw.cite(&x.id),
                        duration_words(d.within.as_deref().unwrap_or_default()),
                        d.from.as_deref().unwrap_or(&d.event),
                        d.notify.as_deref().unwrap_or("regulator")
                    );
                    // The engine's verdict, the one CM008 gives (with the client's margin).
                    let status = ctx
                        .notifications
                        .iter()
                        .find(|s| s.control == format!("{}:{}", fw.id(), x.id) && s.deadline == d.id);
                    let mut lines = vec![line];
                    if let Some(s) = status.filter(|s| s.is_gap()) {
                        lines.push(format!("The window does not fit: {}.", s.why));
                    }
                    (lines, status.is_some_and(|s| s.is_gap()).then_some("gap"))
                }
                (Some(w), None) => (vec![format!("The provider notifies the client of a cybersecurity event within {}.", duration_words(w))], None),
            }
        }
        Some(Topic::Warranties) => match contract {
            Some(k) => (
                vec![
                    format!("Contract: {k}."),
                    "Representations and warranties are contract text: confirm the clause in the contract named above."
                        .into(),
                ],
                Some("review"),
            ),
            None => (
                vec!["No contract reference is recorded: add `provider.contract` to the scope.".into()],
                Some("gap"),
            ),
        },
        Some(Topic::Contract) => match contract {
            Some(k) => {
                let n = matrix
                    .rows
                    .iter()
                    .filter(|r| &*r.framework == fw.id() && r.assignable && r.responsible.contains(&Party::Msp))
                    .count();
                (
                    vec![format!(
                        "Contract: {k}; the provider performs {} of this regulation under it (see the responsibilities below).",
                        crate::emit::count(n, "safeguard")
                    )],
                    None,
                )
            }
            None => (
                vec!["No contract reference is recorded: add `provider.contract` to the scope.".into()],
                Some("gap"),
            ),
        },
        Some(Topic::Selection) => {
            let since = scope
                .provider
                .effective
                .as_deref()
                .map(|d| format!(", engaged since {d}"))
                .unwrap_or_default();
            let line = format!("Provider: {} ({} engagement{since}).", scope.provider.name, scope.model);
            (vec![line], evidence.is_empty().then_some("review"))
        }
        Some(Topic::Assessment) => {
            if evidence.iter().any(|e| e.freshness == "fresh") {
                (Vec::new(), None)
            } else {
                (
                    vec!["No assessment of the provider dated within the last 365 days is on file.".into()],
                    Some("gap"),
                )
            }
        }
    }
}
