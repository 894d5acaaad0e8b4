//! The pack's data files about itself: `manifest.json` (generator, as-of date, inputs, every
//! file's hash), `catalogs.json` (catalog and crosswalk versions and hashes) and
//! `findings.json`, and the catalog views the pages list.

use super::copies::copy_path;
use super::signature::Signer;
use crate::assess::Finding;
use crate::emit::documents::pack_view::{AssessmentView, CatalogView};
use crate::emit::documents::views::Input;
use crate::model::Workspace;
use crate::resolve::Matrix;
use serde::Serialize;

#[derive(Serialize)]
pub(super) struct CatalogEntry<'a> {
    pub(super) id: &'a str,
    pub(super) title: &'a str,
    pub(super) version: &'a str,
    pub(super) citation: &'a str,
    pub(super) authority: &'a str,
    pub(super) source_url: &'a str,
    pub(super) effective: &'a [crate::model::EffectiveDate],
    pub(super) file: &'a str,
    pub(super) sha256: String,
    /// The copy of the catalog file inside this pack.
    pub(super) copy: Option<String>,
    /// The copies of the regulation the catalog quotes: title, URL, retrieval date, official or not.
    pub(super) sources: &'a [crate::model::SourceRef],
    /// Controls in the catalog, and how many apply as matrix rows to this scope.
    pub(super) controls: usize,
    pub(super) rows: usize,
    /// The crosswalks from this catalog that the matrix read.
    pub(super) crosswalks: Vec<CrosswalkEntry<'a>>,
}

#[derive(Serialize)]
pub(super) struct CrosswalkEntry<'a> {
    pub(super) id: &'a str,
    pub(super) from: &'a str,
    pub(super) to: &'a str,
    pub(super) file: &'a str,
    pub(super) sha256: String,
    pub(super) copy: Option<String>,
    pub(super) sources: &'a [crate::model::SourceRef],
    pub(super) mappings: usize,
}

#[derive(Serialize)]
pub(super) struct ManifestFile {
    pub(super) path: String,
    pub(super) sha256: String,
    pub(super) bytes: u64,
}

#[derive(Serialize)]
pub(super) struct Manifest<'a> {
    pub(super) format: &'static str,
    pub(super) format_version: &'static str,
    pub(super) generator: &'a crate::emit::documents::views::Generator,
    pub(super) as_of: &'a str,
    pub(super) scope: ManifestScope<'a>,
    pub(super) frameworks: Vec<ManifestFramework<'a>>,
    /// The files the pack was computed from, with their hashes (evidence included).
    pub(super) inputs: Vec<Input>,
    /// SHA-256 over the document inputs (not evidence), as printed in every document.
    pub(super) inputs_sha256: &'a str,
    /// The period assessed and who prepared and reviewed it.
    pub(super) assessment: &'a AssessmentView,
    pub(super) findings: &'a crate::emit::documents::views::SeverityCounts,
    pub(super) findings_waived: usize,
    /// The key that signs SHA256SUMS into SHA256SUMS.sig, or null: the pack is unsigned.
    pub(super) signature: Option<&'a Signer>,
    /// Every file of the pack except this one, SHA256SUMS and SHA256SUMS.sig.
    pub(super) files: Vec<ManifestFile>,
}

#[derive(Serialize)]
pub(super) struct ManifestScope<'a> {
    pub(super) id: &'a str,
    pub(super) client: &'a str,
    pub(super) provider: &'a str,
    pub(super) file: &'a str,
    pub(super) sha256: &'a str,
}

#[derive(Serialize)]
pub(super) struct ManifestFramework<'a> {
    pub(super) id: &'a str,
    pub(super) version: &'a str,
    pub(super) sha256: &'a str,
}

#[derive(Serialize)]
pub(super) struct FindingsJson<'a> {
    pub(super) version: &'static str,
    pub(super) scope: &'a str,
    pub(super) as_of: &'a str,
    pub(super) findings: &'a [Finding],
}

pub(super) fn catalog_entries<'a>(ws: &'a Workspace, matrix: &Matrix) -> Vec<CatalogEntry<'a>> {
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
pub(super) fn catalog_views(ws: &Workspace, inputs: &[Input]) -> Vec<CatalogView> {
    let source_views = |sources: &[crate::model::SourceRef]| {
        sources
            .iter()
            .map(|s| crate::emit::documents::sources::SourceView::new(s, 0))
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
