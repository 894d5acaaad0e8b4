//! The auditor's evidence pack: one folder (and optionally one zip) an examiner can open
//! offline and check for tampering. Everything is computed in memory first, written to a
//! temporary sibling folder and renamed into place, so a failed run leaves the previous
//! pack intact. The same inputs and as-of date give the same bytes: files are written in
//! sorted order, nothing carries a clock time, and zip entries get a fixed timestamp (the
//! as-of date at midnight) and fixed permissions.
//!
//! Layout:
//!
//! ```text
//! index.html                 overview: parties, frameworks, charts, findings, links
//! matrix/<framework>.html    responsibility matrix with provenance (also .csv and .json)
//! evidence.html              evidence index (also evidence.csv)
//! findings.csv, findings.json
//! baa-appendix.html, .md     when HIPAA applies
//! tpsp-summary.html, .md     when NY DFS or GLBA applies
//! catalogs.json              catalog versions and hashes
//! oscal/…                    the scope as OSCAL: ssp.json, assessment-results.json, profile.json, catalogs/
//! files/…                    copies of the scope, services, policies, config and evidence, by workspace path
//! builtin/…                  copies of the built-in policy packs applied
//! waivers.html               the waiver register: every waiver and whether it holds on the as-of date
//! manifest.json              generator, as-of date, inputs and every file's hash
//! SHA256SUMS                 `sha256sum -c` list of every other file
//! SHA256SUMS.sig             with `--sign KEY`: the SSH signature of SHA256SUMS (namespace `ctrlmap-pack`)
//! ```

pub mod signature;
pub mod verify;

pub use signature::{AllowedSigners, SigningKey};
pub use verify::{VerifyOptions, VerifyReport, verify, verify_path, verify_with, verify_zip};

use crate::assess::Finding;
use crate::assess::evidence::Integrity;
use crate::emit;
use crate::emit::documents::baa::{Baa, hipaa_missing};
use crate::emit::documents::charts::{self, Chart};
use crate::emit::documents::context::{Context, EvidenceView, Input};
use crate::emit::documents::tpsp::{Tpsp, regimes_missing};
use crate::emit::documents::{RenderError, templates};
use crate::fs::evidence::evidence_path;
use crate::fs::input::{Refusal, Root};
use crate::model::digest::sha256_hex;
use crate::model::{Scope, Workspace};
use crate::resolve::Matrix;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

/// File names the pack owns at its root.
pub const SUMS: &str = "SHA256SUMS";
pub const MANIFEST: &str = "manifest.json";
pub(crate) const FORMAT: &str = "ctrlmap-evidence-pack";
const FORMAT_VERSION: &str = "1";

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
    pub signature: Option<signature::Signer>,
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
    pub sources: Vec<crate::emit::documents::context::SourceView>,
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

/// What a pack run produced.
#[derive(Debug, Clone)]
pub struct PackOutcome {
    pub dir: PathBuf,
    pub zip: Option<PathBuf>,
    /// Files in the pack, `SHA256SUMS` included.
    pub files: usize,
    /// SHA-256 of `SHA256SUMS`: record it to prove later which pack was handed over.
    pub digest: String,
    /// Evidence entries that were not copied, with the reason.
    pub skipped: Vec<String>,
}

/// Build the evidence pack of a scope as of a date into `out_dir` (and `out_dir.zip`), with the
/// assessment record the scope states.
pub fn pack(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    as_of: time::Date,
    out_dir: &Path,
    zip: bool,
) -> Result<PackOutcome, RenderError> {
    let record = scope.assessment.clone().unwrap_or_default();
    pack_with(ws, scope, assessment, &record, as_of, out_dir, zip)
}

/// [`pack`] with an assessment record (period, preparer, reviewer) given by the caller.
pub fn pack_with(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    record: &crate::model::AssessmentRecord,
    as_of: time::Date,
    out_dir: &Path,
    zip: bool,
) -> Result<PackOutcome, RenderError> {
    pack_signed(ws, scope, assessment, record, as_of, out_dir, zip, None)
}

/// [`pack_with`], signed with `key` when one is given: `SHA256SUMS.sig` beside `SHA256SUMS`.
#[allow(clippy::too_many_arguments)]
pub fn pack_signed(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    record: &crate::model::AssessmentRecord,
    as_of: time::Date,
    out_dir: &Path,
    zip: bool,
    key: Option<&SigningKey>,
) -> Result<PackOutcome, RenderError> {
    let (parent, name) = split_target(out_dir)?;
    check_target(out_dir)?;
    // The read policy over the workspace's folder: evidence and input copies stay inside it.
    let reader = Root::new(&ws.root);
    let (mut files, skipped) = build(
        ws,
        &reader,
        scope,
        assessment,
        record,
        as_of,
        key.map(SigningKey::signer),
    )?;
    if let Some(key) = key {
        let sums = match files.get(SUMS) {
            Some(Blob::Data(bytes)) => bytes.clone(),
            _ => Vec::new(),
        };
        let sig = key.sign(&sums).map_err(RenderError::Pack)?;
        files.insert(signature::SIG.into(), sig.into_bytes().into());
    }
    write_tree(&reader, &parent, &name, &files)?;
    let zip_path = if zip {
        let path = parent.join(format!("{name}.zip"));
        write_zip(&reader, &path, &name, &files, as_of)?;
        Some(path)
    } else {
        None
    };
    Ok(PackOutcome {
        dir: out_dir.to_path_buf(),
        zip: zip_path,
        files: files.len(),
        digest: files.get(SUMS).map(Blob::sha256).unwrap_or_default(),
        skipped,
    })
}

fn split_target(out_dir: &Path) -> Result<(PathBuf, String), RenderError> {
    let name = out_dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty() && n != "." && n != "..")
        .ok_or_else(|| {
            RenderError::Pack(format!(
                "{}: give the pack a folder name, e.g. `-o packs/riverside-2026-11`",
                out_dir.display()
            ))
        })?;
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Ok((parent, name))
}

/// Refuse to replace a folder that is not an earlier pack: `-o ~/Documents` must never
/// delete anyone's documents.
fn check_target(out_dir: &Path) -> Result<(), RenderError> {
    let Ok(meta) = std::fs::symlink_metadata(out_dir) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(RenderError::Pack(format!(
            "{} exists and is not a folder; choose another output folder",
            out_dir.display()
        )));
    }
    let empty = std::fs::read_dir(out_dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if empty {
        return Ok(());
    }
    let is_pack = Root::new(out_dir)
        .read(&out_dir.join(MANIFEST), crate::fs::input::MAX_INPUT_BYTES)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .is_some_and(|m| m["format"] == FORMAT);
    if is_pack {
        Ok(())
    } else {
        Err(RenderError::Pack(format!(
            "{} exists and is not a ctrlmap evidence pack (no {MANIFEST} written by ctrlmap); choose a new folder or remove it first",
            out_dir.display()
        )))
    }
}

/// The path of a copy inside the pack, or none when it cannot have one: a name that climbs
/// out of the workspace, or one that `sha256sum` would have to escape (a backslash, which also
/// stands for a byte that is not UTF-8 in a shown path; a newline or another control character).
pub(crate) fn pack_path(file: &str) -> Option<String> {
    let parts: Vec<String> = Path::new(file)
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| match c {
            Component::Normal(s) => s.to_str().map(str::to_string),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    let joined = parts.join("/");
    (!joined.is_empty() && !joined.contains('\\') && !joined.chars().any(char::is_control))
        .then(|| format!("files/{joined}"))
}

/// Why a file's name cannot be stored in a pack.
fn unstorable(file: &str) -> RenderError {
    RenderError::Pack(format!(
        "{file}: this name cannot be stored in the pack (it is not UTF-8, or it holds a newline, a backslash or another character SHA256SUMS cannot list); rename the file"
    ))
}

/// Plan the copy of an evidence file: hashed now as a stream, copied (and hashed again)
/// when the pack is written, never held in memory whole. `Err` when the pack cannot be
/// built; `Ok(Some(why))` when this file is left out (it is missing).
fn copy_evidence(
    ws: &Workspace,
    reader: &Root,
    e: &mut EvidenceView,
    files: &mut Files,
) -> Result<Option<String>, RenderError> {
    let path = match evidence_path(&ws.root, &e.file) {
        Ok(p) => p,
        Err(why) => return Ok(Some(format!("{} {why}", e.file))),
    };
    // The read policy resolves links, keeps the file inside the workspace and refuses
    // anything that is not a plain file (a folder, a FIFO, a device, a file that vanished).
    // A file that is there but whose name a pack cannot hold stops the pack.
    let planned = reader.open(&path).map(|(file, len)| (pack_path(&e.file), len, file));
    let hashed = match planned {
        Ok((None, _, _)) => return Err(unstorable(&e.file)),
        Ok((Some(target), len, file)) => crate::model::digest::sha256_reader(file)
            .map(|sha| (target, len, sha))
            .map_err(Refusal::Unreadable),
        Err(why) => Err(why),
    };
    let (target, len, sha) = match hashed {
        Ok(x) => x,
        Err(why) => {
            e.sha256 = None;
            e.integrity = Integrity::Missing.as_str();
            return Ok(Some(format!("{} {why}", e.file)));
        }
    };
    e.integrity = Integrity::of(Some(&sha), e.pinned_sha256.as_deref()).as_str();
    e.sha256 = Some(sha.clone());
    e.copy = Some(target.clone());
    files.insert(
        target,
        Blob::Copy {
            from: path,
            sha256: sha,
            len,
        },
    );
    Ok(None)
}

/// Where a copy of an input goes, and its bytes: workspace files under `files/` (read again
/// and checked against the hash taken when the workspace was loaded), built-in catalogs,
/// crosswalks and policy packs under `builtin/`, written out as the files the binary embeds, so
/// an auditor holds every text a finding or a matrix row cites.
fn input_copy(ws: &Workspace, reader: &Root, input: &Input) -> Result<Option<(String, Vec<u8>)>, RenderError> {
    if let Some(p) = input.path.strip_prefix("<builtin>/") {
        return Ok(crate::fs::embedded::get(p).map(|text| (format!("builtin/{p}"), text.as_bytes().to_vec())));
    }
    let target = pack_path(&input.path).ok_or_else(|| unstorable(&input.path))?;
    let path = ws
        .files
        .get(&input.path)
        .cloned()
        .unwrap_or_else(|| ws.root.join(&input.path));
    let bytes = reader
        .read(&path, crate::fs::input::MAX_INPUT_BYTES)
        .map_err(|why| RenderError::Pack(format!("{} {why}", input.path)))?;
    if sha256_hex(&bytes) != input.sha256 {
        return Err(RenderError::Pack(format!(
            "{} changed while the pack was being built; run `ctrlmap pack` again",
            input.path
        )));
    }
    Ok(Some((target, bytes)))
}

#[derive(Serialize)]
struct CatalogEntry<'a> {
    id: &'a str,
    title: &'a str,
    version: &'a str,
    citation: &'a str,
    authority: &'a str,
    source_url: &'a str,
    effective: &'a [crate::model::EffectiveDate],
    file: &'a str,
    sha256: String,
    /// The copy of the catalog file inside this pack.
    copy: Option<String>,
    /// The copies of the regulation the catalog quotes: title, URL, retrieval date, official or not.
    sources: &'a [crate::model::SourceRef],
    /// Controls in the catalog, and how many apply as matrix rows to this scope.
    controls: usize,
    rows: usize,
    /// The crosswalks from this catalog that the matrix read.
    crosswalks: Vec<CrosswalkEntry<'a>>,
}

#[derive(Serialize)]
struct CrosswalkEntry<'a> {
    id: &'a str,
    from: &'a str,
    to: &'a str,
    file: &'a str,
    sha256: String,
    copy: Option<String>,
    sources: &'a [crate::model::SourceRef],
    mappings: usize,
}

#[derive(Serialize)]
struct ManifestFile {
    path: String,
    sha256: String,
    bytes: u64,
}

#[derive(Serialize)]
struct Manifest<'a> {
    format: &'static str,
    format_version: &'static str,
    generator: &'a crate::emit::documents::context::Generator,
    as_of: &'a str,
    scope: ManifestScope<'a>,
    frameworks: Vec<ManifestFramework<'a>>,
    /// The files the pack was computed from, with their hashes (evidence included).
    inputs: Vec<Input>,
    /// SHA-256 over the document inputs (not evidence), as printed in every document.
    inputs_sha256: &'a str,
    /// The period assessed and who prepared and reviewed it.
    assessment: &'a AssessmentView,
    findings: &'a crate::emit::documents::context::SeverityCounts,
    findings_waived: usize,
    /// The key that signs SHA256SUMS into SHA256SUMS.sig, or null: the pack is unsigned.
    signature: Option<&'a signature::Signer>,
    /// Every file of the pack except this one, SHA256SUMS and SHA256SUMS.sig.
    files: Vec<ManifestFile>,
}

#[derive(Serialize)]
struct ManifestScope<'a> {
    id: &'a str,
    client: &'a str,
    provider: &'a str,
    file: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct ManifestFramework<'a> {
    id: &'a str,
    version: &'a str,
    sha256: &'a str,
}

#[derive(Serialize)]
struct FindingsJson<'a> {
    version: &'static str,
    scope: &'a str,
    as_of: &'a str,
    findings: &'a [Finding],
}

/// A file of the pack: bytes made here, or an evidence file of the workspace, copied when
/// the pack is written (a large evidence file is never held in memory).
enum Blob {
    Data(Vec<u8>),
    Copy { from: PathBuf, sha256: String, len: u64 },
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Blob {
        Blob::Data(bytes)
    }
}

impl Blob {
    fn sha256(&self) -> String {
        match self {
            Blob::Data(bytes) => sha256_hex(bytes),
            Blob::Copy { sha256, .. } => sha256.clone(),
        }
    }

    fn len(&self) -> u64 {
        match self {
            Blob::Data(bytes) => bytes.len() as u64,
            Blob::Copy { len, .. } => *len,
        }
    }

    /// Write the content to `out`. A copy is streamed through the read policy and hashed on
    /// the way: a file that changed since it was hashed fails the pack.
    fn write_to(&self, reader: &Root, rel: &str, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
        match self {
            Blob::Data(bytes) => out
                .write_all(bytes)
                .map_err(|e| RenderError::Pack(format!("writing {rel}: {e}"))),
            Blob::Copy { from, sha256, .. } => {
                let (file, _) = reader
                    .open(from)
                    .map_err(|why| RenderError::Pack(format!("{rel}: the evidence file {why}")))?;
                let mut tee = HashingWriter {
                    out,
                    hasher: <sha2::Sha256 as sha2::Digest>::new(),
                };
                std::io::copy(&mut std::io::BufReader::new(file), &mut tee)
                    .map_err(|e| RenderError::Pack(format!("copying {rel}: {e}")))?;
                if hex::encode(sha2::Digest::finalize(tee.hasher)) != *sha256 {
                    return Err(RenderError::Pack(format!(
                        "{rel} changed while the pack was being built; run `ctrlmap pack` again"
                    )));
                }
                Ok(())
            }
        }
    }
}

/// A writer that hashes what passes through it.
struct HashingWriter<'a> {
    out: &'a mut dyn std::io::Write,
    hasher: sha2::Sha256,
}

impl std::io::Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(buf)?;
        sha2::Digest::update(&mut self.hasher, &buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Every file of a pack by its path inside the pack.
type Files = BTreeMap<String, Blob>;

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    (serde_json::to_string_pretty(value).unwrap_or_default() + "\n").into_bytes()
}

/// Every file of the pack, by path, and the evidence entries that could not be copied.
fn build(
    ws: &Workspace,
    reader: &Root,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    record: &crate::model::AssessmentRecord,
    as_of: time::Date,
    signer: Option<signature::Signer>,
) -> Result<(Files, Vec<String>), RenderError> {
    let matrix = &assessment.matrix;
    let findings = &assessment.findings;
    let mut ctx = Context::new(ws, scope, assessment);
    if hipaa_missing(ws, scope, matrix).is_none() {
        ctx.baa = Some(Baa::build(ws, scope, matrix, &ctx)?);
    }
    if regimes_missing(ws, scope, matrix).is_none() {
        ctx.tpsp = Some(Tpsp::build(ws, scope, matrix, &ctx)?);
    }

    let mut files = Files::new();
    let mut skipped = Vec::new();
    let mut evidence = std::mem::take(&mut ctx.evidence);
    for e in &mut evidence {
        // The same file listed twice is copied once.
        if let Some((path, blob)) = pack_path(&e.file).and_then(|p| files.get_key_value(&p)) {
            let sha = blob.sha256();
            e.integrity = Integrity::of(Some(&sha), e.pinned_sha256.as_deref()).as_str();
            e.sha256 = Some(sha);
            e.copy = Some(path.clone());
            continue;
        }
        if let Some(why) = copy_evidence(ws, reader, e, &mut files)? {
            skipped.push(why);
        }
    }
    // A file that is not what an entry pinned stays out of the pack: every copy it carries is
    // the file the scope recorded (or one it pins nothing for), which `pack verify` checks.
    let changed: std::collections::BTreeSet<String> = evidence
        .iter()
        .filter(|e| e.integrity == Integrity::Changed.as_str())
        .filter_map(|e| e.copy.clone())
        .collect();
    for copy in &changed {
        files.remove(copy);
    }
    for e in evidence
        .iter_mut()
        .filter(|e| e.copy.as_ref().is_some_and(|c| changed.contains(c)))
    {
        e.copy = None;
        if e.integrity == Integrity::Changed.as_str() {
            skipped.push(format!(
                "{}: its SHA-256 is not the one pinned in the scope (CM011), so the pack does not carry it",
                e.file
            ));
        }
    }
    ctx.evidence = evidence;

    let mut copies = Vec::new();
    for input in &ctx.inputs {
        if let Some((path, bytes)) = input_copy(ws, reader, input)? {
            copies.push(DocumentLink {
                title: input.path.clone(),
                path: path.clone(),
                description: format!("{} (SHA-256 {})", input.role, input.sha256),
            });
            files.insert(path, bytes.into());
        }
    }

    let matrices: Vec<MatrixLinks> = ctx
        .frameworks
        .iter()
        .map(|f| MatrixLinks {
            framework: f.id.clone(),
            title: f.short_title.clone(),
            version: f.version.clone(),
            html: format!("matrix/{}.html", f.id),
            csv: format!("matrix/{}.csv", f.id),
            json: format!("matrix/{}.json", f.id),
            controls: ctx.counts.get(&f.id).map(|c| c.total).unwrap_or(0),
        })
        .collect();
    let mut documents = Vec::new();
    if ctx.baa.is_some() {
        documents.push(link("BAA responsibility appendix", "baa-appendix.html", "HIPAA Security Rule safeguards with the responsible party, breach reporting terms and open gaps (also baa-appendix.md)."));
    }
    if ctx.tpsp.is_some() {
        documents.push(link(
            "Third-party service provider summary",
            "tpsp-summary.html",
            "The MSP as service provider under 23 NYCRR 500.11 and 16 CFR 314.4(f) (also tpsp-summary.md).",
        ));
    }
    documents.push(link(
        "Evidence index",
        "evidence.html",
        "Every evidence item with its controls, owner, age, freshness and SHA-256 (also evidence.csv).",
    ));
    documents.push(link(
        "Findings",
        "findings.csv",
        "The gap report as CSV (also findings.json).",
    ));
    documents.push(link(
        "Waiver register",
        "waivers.html",
        "Every waiver of the scope: finding, control, justification, compensating control, approver, ticket, dates, and whether it holds on the as-of date.",
    ));
    documents.push(link(
        "OSCAL system security plan",
        "oscal/ssp.json",
        "The responsibility matrix as a NIST OSCAL system security plan (also oscal/assessment-results.json, the findings).",
    ));
    documents.push(link(
        "Catalog versions",
        "catalogs.json",
        "Each framework catalog: version, citation, source and SHA-256.",
    ));
    documents.push(link(
        "Manifest",
        MANIFEST,
        "Generator, as-of date, inputs with their hashes and every file of the pack.",
    ));
    documents.push(link(
        "Checksums",
        SUMS,
        "SHA-256 of every other file of the pack (SHA256SUMS.sig aside), for `sha256sum -c SHA256SUMS` or `ctrlmap pack verify`.",
    ));
    if signer.is_some() {
        documents.push(link(
            "Signature",
            signature::SIG,
            "The SSH signature of SHA256SUMS (namespace ctrlmap-pack), for `ssh-keygen -Y verify` or `ctrlmap pack verify --signers`.",
        ));
    }

    let mut summary = EvidenceSummary::default();
    for (e, status) in ctx.evidence.iter().zip(&assessment.evidence) {
        summary.total += 1;
        summary.fresh += usize::from(status.freshness == crate::assess::evidence::Freshness::Fresh);
        summary.stale += usize::from(status.freshness == crate::assess::evidence::Freshness::Stale);
        summary.missing += usize::from(e.integrity == Integrity::Missing.as_str());
        summary.changed += usize::from(e.integrity == Integrity::Changed.as_str());
        summary.copied += usize::from(e.copy.is_some());
    }
    summary.controls_missing = assessment
        .control_evidence
        .iter()
        .filter(|c| c.verdict == crate::assess::evidence::EvidenceOnFile::Missing)
        .count();
    let mut chart_list = vec![charts::by_framework(ws, matrix)];
    chart_list.extend(charts::by_csf_function(ws, matrix));
    // Findings by severity are a small table on the index page: a bar chart of a handful of
    // findings is mostly empty bars.
    let record_view = AssessmentView {
        as_of: ctx.as_of.clone(),
        period: record.period.clone(),
        period_before: crate::assess::register::period_before_engagement(scope, record.period.as_ref())
            .into_iter()
            .map(|p| PeriodBeforeView {
                date_of: p.date_of.into(),
                date: p.date,
                days: p.days,
            })
            .collect(),
        prepared_by: record.prepared_by.clone(),
        reviewed_by: record.reviewed_by.clone(),
    };
    let view = PackView {
        root: String::new(),
        framework: None,
        charts: chart_list,
        matrices: matrices.clone(),
        documents,
        copies,
        evidence: summary,
        assessment: record_view.clone(),
        catalogs: catalog_views(ws, &ctx.inputs),
        signature: signer.clone(),
        waivers: waiver_entries(ws, scope, assessment),
    };

    // Pages.
    let pages = templates::Renderer::new(ws);
    ctx.pack = Some(view.clone());
    files.insert(
        "index.html".into(),
        pages.render("pack-index.html.j2", &ctx)?.into_bytes().into(),
    );
    files.insert(
        "evidence.html".into(),
        pages.render("pack-evidence.html.j2", &ctx)?.into_bytes().into(),
    );
    files.insert(
        "waivers.html".into(),
        pages.render("pack-waivers.html.j2", &ctx)?.into_bytes().into(),
    );
    for m in &matrices {
        ctx.pack = Some(PackView {
            root: "../".into(),
            framework: Some(m.framework.clone()),
            ..view.clone()
        });
        files.insert(
            m.html.clone(),
            pages.render("pack-matrix.html.j2", &ctx)?.into_bytes().into(),
        );
        let only = emit::filter_framework(matrix, &m.framework);
        files.insert(m.csv.clone(), emit::matrix_csv(&only).into_bytes().into());
        files.insert(m.json.clone(), emit::matrix_json(&only).into_bytes().into());
    }
    ctx.pack = Some(view);
    if ctx.baa.is_some() {
        files.insert(
            "baa-appendix.html".into(),
            pages.render("baa-appendix.html.j2", &ctx)?.into_bytes().into(),
        );
        files.insert(
            "baa-appendix.md".into(),
            pages.render("baa-appendix.md.j2", &ctx)?.into_bytes().into(),
        );
    }
    if ctx.tpsp.is_some() {
        files.insert(
            "tpsp-summary.html".into(),
            pages.render("tpsp-summary.html.j2", &ctx)?.into_bytes().into(),
        );
        files.insert(
            "tpsp-summary.md".into(),
            pages.render("tpsp-summary.md.j2", &ctx)?.into_bytes().into(),
        );
    }

    // Data files.
    files.insert("evidence.csv".into(), evidence_csv(&ctx.evidence).into_bytes().into());
    files.insert("findings.csv".into(), findings_csv(findings).into_bytes().into());
    files.insert(
        "findings.json".into(),
        json(&FindingsJson {
            version: emit::JSON_VERSION,
            scope: &scope.id,
            as_of: &ctx.as_of,
            findings,
        })
        .into(),
    );
    files.insert("catalogs.json".into(), json(&catalog_entries(ws, matrix)).into());
    // OSCAL: the scope's plan and assessment results, with the profile and catalogs they cite.
    for (path, bytes) in crate::emit::oscal::pack_files(ws, scope, assessment, as_of).map_err(RenderError::Pack)? {
        files.insert(format!("oscal/{path}"), bytes.into());
    }

    let mut inputs = ctx.inputs.clone();
    for e in &ctx.evidence {
        if let Some(sha) = &e.sha256 {
            inputs.push(Input {
                path: e.file.clone(),
                sha256: sha.clone(),
                role: "evidence",
            });
        }
    }
    inputs.sort();
    inputs.dedup_by(|a, b| a.path == b.path);
    let manifest = Manifest {
        format: FORMAT,
        format_version: FORMAT_VERSION,
        generator: &ctx.generator,
        as_of: &ctx.as_of,
        scope: ManifestScope {
            id: &scope.id,
            client: &scope.client.name,
            provider: &scope.provider.name,
            file: &scope.origin.file,
            sha256: &scope.sha256,
        },
        frameworks: ctx
            .frameworks
            .iter()
            .map(|f| ManifestFramework {
                id: &f.id,
                version: &f.version,
                sha256: &f.sha256,
            })
            .collect(),
        inputs,
        inputs_sha256: &ctx.inputs_sha256,
        assessment: &record_view,
        findings: &ctx.findings_by_severity,
        findings_waived: ctx.findings_waived,
        signature: signer.as_ref(),
        files: files
            .iter()
            .map(|(p, b)| ManifestFile {
                path: p.clone(),
                sha256: b.sha256(),
                bytes: b.len(),
            })
            .collect(),
    };
    let manifest = json(&manifest);
    files.insert(MANIFEST.into(), manifest.into());
    let sums: String = files.iter().map(|(p, b)| format!("{}  {p}\n", b.sha256())).collect();
    files.insert(SUMS.into(), sums.into_bytes().into());
    Ok((files, skipped))
}

/// The waiver register: every waiver of the scope, with the engine's verdict on the as-of date.
fn waiver_entries(ws: &Workspace, scope: &Scope, assessment: &crate::assess::Assessment) -> Vec<WaiverEntry> {
    assessment
        .waivers
        .iter()
        .filter_map(|status| {
            let w = scope.waivers.get(status.index)?.as_ref()?;
            let (fw, id) = w.control.split_once(':').unwrap_or(("", &w.control));
            let framework = ws.framework(fw);
            Some(WaiverEntry {
                finding: w.finding.clone(),
                control: w.control.clone(),
                citation: framework.map(|x| x.cite(id)).unwrap_or_else(|| w.control.clone()),
                title: framework.and_then(|x| x.get(id)).map(|c| c.title.clone()),
                justification: w.justification.clone(),
                compensating: w.compensating.clone(),
                approver: w.approver.clone(),
                ticket: w.ticket.clone(),
                granted: w.granted.clone(),
                expires: w.expires.clone(),
                state: status.state.as_str(),
                in_force: status.state.in_force(),
                days_left: status.days_left,
                file: w.origin.file.to_string(),
                line: w.origin.line,
            })
        })
        .collect()
}

fn link(title: &str, path: &str, description: &str) -> DocumentLink {
    DocumentLink {
        title: title.into(),
        path: path.into(),
        description: description.into(),
    }
}

fn catalog_entries<'a>(ws: &'a Workspace, matrix: &Matrix) -> Vec<CatalogEntry<'a>> {
    matrix
        .frameworks
        .iter()
        .filter_map(|f| ws.framework(&f.id))
        .map(|fw| {
            let c = &fw.catalog;
            CatalogEntry {
                id: &c.id,
                title: &c.title,
                version: &c.version,
                citation: &c.citation,
                authority: &c.authority,
                source_url: &c.source_url,
                effective: &c.effective,
                file: &c.origin.file,
                sha256: crate::emit::documents::context::input_sha256(ws, &c.origin.file).unwrap_or_default(),
                copy: copy_path(&c.origin.file),
                sources: &c.sources,
                controls: fw.controls.len(),
                rows: matrix.rows.iter().filter(|r| *r.framework == *c.id).count(),
                crosswalks: ws
                    .crosswalks
                    .iter()
                    .filter(|cw| cw.from == c.id)
                    .map(|cw| CrosswalkEntry {
                        id: &cw.id,
                        from: &cw.from,
                        to: &cw.to,
                        file: &cw.origin.file,
                        sha256: crate::emit::documents::context::input_sha256(ws, &cw.origin.file).unwrap_or_default(),
                        copy: copy_path(&cw.origin.file),
                        sources: &cw.sources,
                        mappings: cw.mappings.iter().flatten().count(),
                    })
                    .collect(),
            }
        })
        .collect()
}

/// The catalogs and crosswalks among the inputs, each with its copy and its sources.
fn catalog_views(ws: &Workspace, inputs: &[Input]) -> Vec<CatalogView> {
    let source_views = |sources: &[crate::model::SourceRef]| {
        sources
            .iter()
            .map(|s| crate::emit::documents::context::SourceView::new(s, 0))
            .collect()
    };
    let mut out = Vec::new();
    for input in inputs {
        match input.role {
            "catalog" => {
                if let Some(fw) = ws.frameworks.values().find(|f| *f.catalog.origin.file == *input.path) {
                    out.push(CatalogView {
                        kind: "catalog",
                        id: fw.catalog.id.clone(),
                        title: fw.catalog.title.clone(),
                        version: Some(fw.catalog.version.clone()),
                        file: input.path.clone(),
                        sha256: input.sha256.clone(),
                        copy: copy_path(&input.path),
                        sources: source_views(&fw.catalog.sources),
                    });
                }
            }
            "crosswalk" => {
                if let Some(cw) = ws.crosswalks.iter().find(|c| *c.origin.file == *input.path) {
                    out.push(CatalogView {
                        kind: "crosswalk",
                        id: cw.id.clone(),
                        title: format!("{} → {}", cw.from, cw.to),
                        version: None,
                        file: input.path.clone(),
                        sha256: input.sha256.clone(),
                        copy: copy_path(&input.path),
                        sources: source_views(&cw.sources),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// The path of an input's copy in the pack: `builtin/…` for a built-in file, `files/…` else.
fn copy_path(display: &str) -> Option<String> {
    match display.strip_prefix("<builtin>/") {
        Some(p) => Some(format!("builtin/{p}")),
        None => pack_path(display),
    }
}

fn evidence_csv(evidence: &[EvidenceView]) -> String {
    let header = [
        "file",
        "title",
        "controls",
        "owner",
        "effective",
        "age_days",
        "freshness",
        "sha256",
        "pinned_sha256",
        "integrity",
        "copy",
    ];
    let rows = evidence.iter().map(|e| {
        vec![
            e.file.clone(),
            e.title.clone().unwrap_or_default(),
            e.controls.join("; "),
            e.owner.clone(),
            e.effective.clone(),
            e.age_days.map(|d| d.to_string()).unwrap_or_default(),
            e.freshness.to_string(),
            e.sha256.clone().unwrap_or_default(),
            e.pinned_sha256.clone().unwrap_or_default(),
            e.integrity.to_string(),
            e.copy.clone().unwrap_or_default(),
        ]
    });
    emit::csv_out::write(&header, rows)
}

fn findings_csv(findings: &[Finding]) -> String {
    let header = [
        "severity",
        "code",
        "rule",
        "control",
        "message",
        "file",
        "line",
        "fingerprint",
        "waived_until",
        "waiver_ticket",
    ];
    let rows = findings.iter().map(|f| {
        vec![
            f.severity.as_str().to_string(),
            f.code.clone(),
            f.rule.clone(),
            f.control.clone(),
            f.message.clone(),
            f.file.clone(),
            f.line.to_string(),
            f.fingerprint.clone(),
            f.waived.as_ref().map(|w| w.expires.clone()).unwrap_or_default(),
            f.waived.as_ref().map(|w| w.ticket.clone()).unwrap_or_default(),
        ]
    });
    emit::csv_out::write(&header, rows)
}

/// Write the files into a temporary sibling folder, then swap it into place.
fn write_tree(reader: &Root, parent: &Path, name: &str, files: &Files) -> Result<(), RenderError> {
    std::fs::create_dir_all(parent).map_err(|e| RenderError::io(parent, e))?;
    let pid = std::process::id();
    let tmp = parent.join(format!(".{name}.ctrlmap-tmp-{pid}"));
    let target = parent.join(name);
    let _ = std::fs::remove_dir_all(&tmp);
    let written = (|| -> Result<(), RenderError> {
        for (rel, blob) in files {
            let path = tmp.join(rel);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| RenderError::io(dir, e))?;
            }
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| RenderError::io(&path, e))?;
            blob.write_to(reader, rel, &mut f)?;
            f.sync_all().map_err(|e| RenderError::io(&path, e))?;
        }
        Ok(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if target.exists() {
        let old = parent.join(format!(".{name}.ctrlmap-old-{pid}"));
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(&target, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            RenderError::io(&target, e)
        })?;
        if let Err(e) = std::fs::rename(&tmp, &target) {
            let _ = std::fs::rename(&old, &target);
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(RenderError::io(&target, e));
        }
        let _ = std::fs::remove_dir_all(&old);
    } else {
        std::fs::rename(&tmp, &target).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            RenderError::io(&target, e)
        })?;
    }
    Ok(())
}

/// Write `path` (the pack's zip) atomically, streamed into a temporary file.
fn write_zip(reader: &Root, path: &Path, top: &str, files: &Files, as_of: time::Date) -> Result<(), RenderError> {
    crate::emit::output::write_atomic_with(path, |file| {
        zip_into(reader, file, top, files, as_of).map_err(|e| std::io::Error::other(e.to_string()))
    })
    .map_err(|e| RenderError::io(path, e))
}

/// One deterministic zip: entries in sorted order under the pack's folder name, each with the
/// as-of date at midnight as its time and mode 0644.
fn zip_into(
    reader: &Root,
    out: &mut std::fs::File,
    top: &str,
    files: &Files,
    as_of: time::Date,
) -> Result<(), RenderError> {
    let options = zip_entry_options(as_of);
    let mut writer = zip::ZipWriter::new(std::io::BufWriter::new(out));
    let fail = |e: zip::result::ZipError| RenderError::Pack(format!("writing the zip: {e}"));
    for (rel, blob) in files {
        writer.start_file(format!("{top}/{rel}"), options).map_err(fail)?;
        blob.write_to(reader, rel, &mut writer)?;
    }
    let mut out = writer.finish().map_err(fail)?;
    out.flush()
        .map_err(|e| RenderError::Pack(format!("writing the zip: {e}")))
}

/// Options of every entry of a zip ctrlmap writes (the pack's `--zip`, a docx): deflated, the
/// as-of date as its time (zip holds 1980–2107), mode 0644, so the same inputs give the same bytes.
pub(crate) fn zip_entry_options(as_of: time::Date) -> zip::write::SimpleFileOptions {
    let year = u16::try_from(as_of.year().clamp(1980, 2107)).unwrap_or(1980);
    let stamp =
        zip::DateTime::from_date_and_time(year, u8::from(as_of.month()), as_of.day(), 0, 0, 0).unwrap_or_default();
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_copies_keep_their_workspace_path() {
        assert_eq!(
            pack_path("evidence/2026/q3.pdf").as_deref(),
            Some("files/evidence/2026/q3.pdf")
        );
        assert_eq!(pack_path("./evidence/a.pdf").as_deref(), Some("files/evidence/a.pdf"));
        assert_eq!(pack_path("../outside.pdf"), None);
        assert_eq!(pack_path("/etc/passwd"), None);
        assert_eq!(pack_path("evidence/odd\nname.pdf"), None);
    }

    #[test]
    fn a_folder_that_is_not_a_pack_is_never_replaced() {
        let dir = std::env::temp_dir().join(format!("ctrlmap-pack-target-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        assert!(check_target(&dir).is_ok(), "an empty folder is fine");
        std::fs::write(dir.join("thesis.docx"), b"years of work").expect("write");
        assert!(check_target(&dir).is_err(), "a folder with someone's files is refused");
        std::fs::write(dir.join(MANIFEST), br#"{"format": "ctrlmap-evidence-pack"}"#).expect("write");
        assert!(check_target(&dir).is_ok(), "an earlier pack may be replaced");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
