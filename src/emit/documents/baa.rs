//! The Business Associate Agreement responsibility appendix as data: every HIPAA Security
//! Rule standard and implementation specification of 164.308, 164.310, 164.312, 164.314 and
//! 164.316 with who does what, the breach and security-incident reporting terms, the
//! subcontractors, the open gaps, the quotes of the regulation and the copies they come from.
//! `baa_appendix.rs` builds it from one assessment (with `baa_rows.rs` and `baa_notices.rs`);
//! `baa_document.rs` turns it into the document the templates and the Word writer render.
//! Uses the document context's views only.

use super::model::Document;
use super::sources::{SourceView, text_source};
use super::views::{FindingView, FrameworkView, OpenFinding};
use crate::assess::agreement::BaaAgreement;
use crate::assess::rules::NoticeVerdict;
use crate::model::catalog::Framework;
use crate::resolve::Summary;
use serde::Serialize;

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
    pub gaps: Vec<FindingView>,
    pub open_gaps: usize,
    /// The catalog the appendix was drawn from.
    pub catalog: FrameworkView,
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

pub(super) fn quote(fw: &Framework, id: &str) -> Option<Quote> {
    let c = fw.get(id)?;
    Some(Quote {
        id: c.id.clone(),
        citation: fw.cite(&c.id),
        title: c.title.clone(),
        text: c.text.clone()?,
        source: text_source(fw, c),
    })
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
