//! The third-party service provider summary for NY DFS and GLBA clients: the MSP as the
//! client's service provider — what it performs, which controls it is responsible for, and the
//! client's oversight of it point by point (23 NYCRR 500.11(a) and (b), 500.4(a) when the MSP is
//! the CISO, 16 CFR 314.4(f)) with the engine's verdict on each (`assess::provider`), as data.
//! `tpsp_summary.rs` builds it from one assessment and renders it; `tpsp_document.rs` turns it
//! into the document the templates and the Word writer render. Renders the engine's verdicts
//! and decides none.

use super::model::Document;
use super::views::{FindingView, OpenFinding};
use crate::assess::provider::Verdict;
use serde::Serialize;

pub(crate) const NYDFS: &str = "nydfs-500";
pub(crate) const GLBA: &str = "glba-safeguards";

#[derive(Debug, Clone, Serialize)]
pub struct Tpsp {
    /// The copy for the other party: no finding codes, workspace paths or remediation advice.
    pub counterparty: bool,
    /// The terms are still open: every page is marked "DRAFT — terms to be agreed".
    pub draft: bool,
    /// The regimes under which the MSP is the client's service provider.
    pub regimes: Vec<Regime>,
    /// Per regime: the assignable controls the MSP performs (alone or shared).
    pub responsibilities: Vec<Responsibilities>,
    /// The oversight points, per section of the regulation (500.4(a), 500.11(a), 500.11(b),
    /// 314.4(f)), each with the engine's verdict.
    pub sections: Vec<PointSection>,
    /// The MSP is the client's CISO (23 NYCRR 500.4(a)).
    pub provider_is_ciso: bool,
    /// The client's other declared providers (the scope's third parties).
    pub other_providers: Vec<OtherProvider>,
    /// The notice of a cybersecurity incident against the regulator's deadline (the engine's
    /// verdict, the one CM008 gives), kept apart from the notice of a cybersecurity event.
    pub incident_notice: Vec<String>,
    /// 23 NYCRR 500.1(f) and (g), "Cybersecurity event" and "Cybersecurity incident", quoted
    /// (NY DFS scopes).
    pub definitions: Vec<DefinitionQuote>,
    /// Findings on the regimes' controls, open first, then waived (none in the counterparty's copy).
    pub gaps: Vec<FindingView>,
    pub open_gaps: usize,
    /// The findings that fail the gate, in words, when the document is a draft.
    pub open_findings: Vec<OpenFinding>,
    /// The summary as one document: what the templates and the Word writer render.
    pub document: Option<Document>,
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

/// A definition of the regulation, quoted.
#[derive(Debug, Clone, Serialize)]
pub struct DefinitionQuote {
    pub citation: String,
    pub title: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OtherProvider {
    pub name: String,
    pub kind: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PointSection {
    pub framework: String,
    /// The paragraph the points belong to, e.g. `500.11(b)`.
    pub id: String,
    pub citation: String,
    pub title: String,
    /// The lead-in text of the paragraph, quoted.
    pub text: Option<String>,
    pub points: Vec<Point>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub id: String,
    pub citation: String,
    pub title: String,
    /// The point's text, quoted.
    pub text: Option<String>,
    /// The engine's verdict: `addressed`, `to-review` or `gap`.
    pub status: &'static str,
    #[serde(skip)]
    pub(crate) verdict: Option<Verdict>,
    /// The declared facts that answer it, in words.
    pub answers: Vec<String>,
    /// What is missing, in words.
    pub missing: Vec<String>,
    /// The finding that reports a gap (the provider's own copy only).
    pub reported_by: Option<crate::assess::RuleCode>,
}
