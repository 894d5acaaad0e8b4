//! What a page of the evidence pack knows about the pack it sits in: where it is, what it links
//! to, the charts, the evidence counts, the assessment recorded, the catalogs read, the key that
//! signs it and the waiver register. Plain data the pack fills in (`emit::pack`) and the
//! templates read through the document context; uses the context's source view and the charts.

use super::charts::Chart;
use super::sources::SourceView;
use serde::Serialize;

/// What the pack's pages know about the pack: where they sit and what they link to.
#[derive(Debug, Clone, Serialize)]
pub struct PackView {
    /// Relative path from the page to the pack's root: `` for root pages, `../` under `matrix/`.
    pub root: String,
    /// The framework of the matrix page being rendered, else `none`.
    pub framework: Option<String>,
    pub charts: Vec<Chart>,
    pub matrices: Vec<MatrixLinks>,
    /// The pack's documents and data files, with a line on each.
    pub documents: Vec<DocumentLink>,
    /// Copies of inputs (scope, services, policies, config) inside the pack.
    pub copies: Vec<DocumentLink>,
    pub evidence: EvidenceSummary,
    /// The assessment the pack records: period, preparer, reviewer.
    pub assessment: AssessmentView,
    /// Catalogs and crosswalks read, with their copies in the pack and the sources they quote.
    pub catalogs: Vec<CatalogView>,
    /// The key that signs the pack (`--sign`), else `none`: the pack is unsigned.
    pub signature: Option<Signer>,
    /// The waiver register: every waiver of the scope with the engine's verdict on the as-of date.
    pub waivers: Vec<WaiverEntry>,
}

/// One waiver of the scope as the register shows it.
#[derive(Debug, Clone, Serialize)]
pub struct WaiverEntry {
    /// The finding code and control it waives, with the control's citation and title.
    pub finding: String,
    pub control: String,
    pub citation: String,
    pub title: Option<String>,
    pub justification: Option<String>,
    pub compensating: Option<String>,
    pub approver: Option<String>,
    pub ticket: Option<String>,
    /// `YYYY-MM-DD`, as the scope gives them.
    pub granted: Option<String>,
    pub expires: Option<String>,
    /// `valid` (waives a current finding), `unused` (in force, but no current finding matches),
    /// `expired` or `incomplete`.
    pub state: &'static str,
    /// Valid or unused: it still holds on the as-of date.
    pub in_force: bool,
    /// Days from the as-of date to the expiry date (negative once expired).
    pub days_left: Option<i64>,
    /// Where it is written in the scope.
    pub file: String,
    pub line: usize,
}

/// The assessment an evidence pack records, next to its as-of date. Each part is none when
/// neither the scope (`assessment:`) nor the command line states it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AssessmentView {
    pub as_of: String,
    pub period: Option<crate::model::Period>,
    /// The engagement dates the period starts before (`effective`, `baa-signed`), with the
    /// date and how many days of the period precede it; empty when none.
    pub period_before: Vec<PeriodBeforeView>,
    pub prepared_by: Option<crate::model::Signatory>,
    pub reviewed_by: Option<crate::model::Signatory>,
}

/// A catalog or crosswalk file the pack's matrices and findings were drawn from.
#[derive(Debug, Clone, Serialize)]
pub struct CatalogView {
    /// `catalog` or `crosswalk`.
    pub kind: &'static str,
    pub id: String,
    pub title: String,
    pub version: Option<String>,
    pub file: String,
    pub sha256: String,
    /// Its copy inside the pack.
    pub copy: Option<String>,
    pub sources: Vec<SourceView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatrixLinks {
    pub framework: String,
    pub title: String,
    pub version: String,
    pub html: String,
    pub csv: String,
    pub json: String,
    /// Assignable controls of the framework.
    pub controls: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentLink {
    pub title: String,
    pub path: String,
    pub description: String,
}

/// The period starts before an engagement date.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodBeforeView {
    /// `effective` (the engagement's effective date) or `baa-signed`.
    pub date_of: &'static str,
    pub date: String,
    pub days: i64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EvidenceSummary {
    pub total: usize,
    pub fresh: usize,
    pub stale: usize,
    pub missing: usize,
    pub changed: usize,
    pub copied: usize,
    /// Controls for which evidence is promised or required and none is on file.
    pub controls_missing: usize,
}

/// What a pack's index and manifest say about the key that signs it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Signer {
    /// `ssh-ed25519`, `ecdsa-sha2-nistp256`, …
    pub algorithm: String,
    /// `SHA256:…`, as `ssh-keygen -l` prints it.
    pub fingerprint: String,
    /// The public key as one line of an allowed-signers file would carry it (`TYPE BASE64`).
    pub public_key: String,
}
