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

mod copies;
mod manifest;
pub mod signature;
pub mod verify;
mod verify_report;
mod verify_source;
mod write;

pub use signature::{AllowedSigners, SigningKey};
pub use verify::{VerifyOptions, verify, verify_path, verify_with, verify_zip};
pub use verify_report::VerifyReport;

use crate::assess::Finding;
use crate::assess::evidence::Integrity;
use crate::emit;
use crate::emit::documents::baa::Baa;
use crate::emit::documents::baa_appendix::hipaa_missing;
use crate::emit::documents::charts;
use crate::emit::documents::context::Context;
use crate::emit::documents::pack_view::{
    AssessmentView, DocumentLink, EvidenceSummary, MatrixLinks, PackView, PeriodBeforeView, WaiverEntry,
};
use crate::emit::documents::tpsp::Tpsp;
use crate::emit::documents::tpsp_summary::regimes_missing;
use crate::emit::documents::views::{EvidenceView, Input};
use crate::emit::documents::{RenderError, templates};
use crate::fs::input::Root;
use crate::model::{Scope, Workspace};
use copies::{copy_evidence, input_copy, pack_path};
use manifest::{
    FindingsJson, Manifest, ManifestFile, ManifestFramework, ManifestScope, catalog_entries, catalog_views,
};
use std::path::{Path, PathBuf};
use write::{Blob, Files, check_target, json, split_target, write_tree, write_zip};

/// File names the pack owns at its root.
pub const SUMS: &str = "SHA256SUMS";
pub const MANIFEST: &str = "manifest.json";
pub(crate) const FORMAT: &str = "ctrlmap-evidence-pack";
const FORMAT_VERSION: &str = "1";

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
            f.code.to_string(),
            f.rule.to_string(),
            f.control.to_string(),
            f.message.to_string(),
            f.file.to_string(),
            f.line.to_string(),
            f.fingerprint.clone(),
            f.waived.as_ref().map(|w| w.expires.clone()).unwrap_or_default(),
            f.waived.as_ref().map(|w| w.ticket.clone()).unwrap_or_default(),
        ]
    });
    emit::csv_out::write(&header, rows)
}
