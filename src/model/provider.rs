//! The provider (the MSP) as a scope declares it (`provider:`): the contract and BAA, contract
//! clauses and attestations with the topics they answer, the client's assessments of the
//! provider, notice contacts and what happens to the client's data at termination.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Provider {
    /// The MSP's name; a scope with a package may leave it to `provider` in `ctrlmap.yaml`.
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub contract: Option<String>,
    #[serde(default)]
    pub baa_signed: Option<String>,
    /// HIPAA: the MSP is the client's agent under the federal common law of agency, so a breach
    /// it knows of counts as discovered by the client: a covered entity's (45 CFR 164.404(a)(2))
    /// or a business associate's (164.410(a)(2)).
    #[serde(default)]
    pub agent: Option<bool>,
    #[serde(default)]
    pub effective: Option<String>,
    /// The version date of the documents drawn from this scope (the BAA appendix is the exhibit
    /// of this date), `YYYY-MM-DD`. Unset: the as-of date of the run.
    #[serde(default)]
    pub exhibit_date: Option<String>,
    /// The terms are still being negotiated: every document of this scope is marked "DRAFT —
    /// terms to be agreed" and lists its open points, as `render --draft` does.
    #[serde(default)]
    pub draft: bool,
    /// Clauses of the contract with the provider, each with the points it answers.
    #[serde(default)]
    pub clauses: Vec<Clause>,
    /// The provider's own statements about its safeguards (a SOC 2 report, a written
    /// attestation), each with its date and the points it covers.
    #[serde(default)]
    pub attestations: Vec<Attestation>,
    /// The client's assessments of the provider (risk assessment, due diligence, periodic
    /// assessment), each with its date.
    #[serde(default)]
    pub assessments: Vec<ProviderAssessment>,
}

/// What a contract clause or an attestation speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Topic {
    /// The provider's own access controls to the client's systems and information (23 NYCRR
    /// 500.11(b)(1)).
    AccessControls,
    /// The provider's own use of multi-factor authentication (23 NYCRR 500.11(b)(1)).
    Mfa,
    /// The provider's encryption of the client's information in transit and at rest (23 NYCRR
    /// 500.11(b)(2)).
    Encryption,
    /// The provider's notice to the client of a cybersecurity event (23 NYCRR 500.11(b)(3)).
    EventNotice,
    /// Representations and warranties on the provider's cybersecurity policies (23 NYCRR
    /// 500.11(b)(4)).
    Warranties,
    /// The provider implements and maintains safeguards (16 CFR 314.4(f)(2); the minimum
    /// practices of 23 NYCRR 500.11(a)(2)).
    Safeguards,
    /// The provider maintains a cybersecurity program that protects the client (23 NYCRR
    /// 500.4(a)(3), when the provider is the CISO).
    CybersecurityProgram,
}

/// A clause of the contract with the provider (`provider.clauses`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Clause {
    /// Where the clause is, e.g. `MSA-2025-014, Schedule B, section 4.2`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// What it answers.
    pub covers: Vec<Topic>,
    /// The clause's words, quoted from the contract (optional).
    #[serde(default)]
    pub text: Option<String>,
}

/// A statement by the provider about its safeguards (`provider.attestations`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Attestation {
    /// What it is, e.g. `SOC 2 Type II report, Northwind managed services platform`.
    pub title: String,
    /// Its date (the end of the period a report covers), `YYYY-MM-DD`.
    pub date: String,
    /// What it covers.
    pub covers: Vec<Topic>,
}

/// Which of the client's assessments of its provider an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum AssessmentKind {
    /// The identification and risk assessment of the provider (23 NYCRR 500.11(a)(1)).
    RiskAssessment,
    /// Due diligence on the provider's safeguards before or when engaging it (23 NYCRR
    /// 500.11(a)(3); 16 CFR 314.4(f)(1)).
    DueDiligence,
    /// A periodic assessment of the provider on the risk it presents and the continued
    /// adequacy of its safeguards (23 NYCRR 500.11(a)(4); 16 CFR 314.4(f)(3)).
    Periodic,
}

/// One assessment of the provider by the client (`provider.assessments`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProviderAssessment {
    pub kind: AssessmentKind,
    /// When it was completed, `YYYY-MM-DD`.
    pub date: String,
    /// Who performed it.
    #[serde(default)]
    pub by: Option<String>,
    /// What it is, e.g. `Annual third-party risk review of Northwind Managed IT`.
    #[serde(default)]
    pub title: Option<String>,
}

/// How notices under the agreement reach the client (`sla.notice`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct NoticeContact {
    /// To whom notices are given: a person or role at the client.
    pub to: String,
    /// By what channel, e.g. `telephone, then email to security@example.org`.
    pub channel: String,
}

/// Protected or customer information a subscribed service keeps, and what happens to it when
/// the engagement ends (`services[].retains`).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Retention {
    /// What is kept, e.g. `Image backups of the servers`.
    pub data: String,
    /// For how long, in the contract's words, e.g. `30 daily and 12 monthly copies`.
    #[serde(default)]
    pub period: Option<String>,
    /// Where it is kept.
    #[serde(default)]
    pub location: Option<String>,
    /// Who holds it: `msp`, or the id of a declared third party (a subcontractor).
    #[serde(default)]
    pub held_by: Option<String>,
    /// What happens to it at termination (45 CFR 164.504(e)(2)(ii)(J)).
    #[serde(default)]
    pub at_termination: Option<AtTermination>,
    /// Within how long after termination.
    #[serde(default)]
    pub within: Option<String>,
    /// Why, for `keep-protected`: what makes return or destruction infeasible.
    #[serde(default)]
    pub note: Option<String>,
}

/// What happens to retained information at termination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum AtTermination {
    /// Returned to the client; no copy kept.
    Return,
    /// Destroyed; no copy kept.
    Destroy,
    /// Returned to the client, then destroyed; no copy kept.
    ReturnThenDestroy,
    /// Return or destruction is not feasible: kept under the agreement's protections, used
    /// only for the purposes that make return or destruction infeasible.
    KeepProtected,
}
