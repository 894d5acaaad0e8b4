//! Render: the documents people sign, attach and audit — the BAA responsibility appendix,
//! the third-party service provider summary, a workspace's own templates, and the auditor's
//! evidence pack. All are drawn from one resolved matrix and its findings through minijinja
//! templates (built in, overridable by file name in the workspace's `templates/`), with
//! every user-written string escaped for the output it lands in.
//!
//! The data a template sees is [`Context`]; docs/documents.md, "Template context", lists it.

pub(crate) mod baa;
pub(crate) mod baa_appendix;
pub(crate) mod baa_document;
pub(crate) mod baa_notices;
pub(crate) mod baa_rows;
pub(crate) mod baa_terms;
pub(crate) mod baa_words;
pub(crate) mod charts;
pub(crate) mod context;
pub mod docx;
pub mod model;
pub(crate) mod open_points;
pub(crate) mod options;
pub(crate) mod pack_view;
pub mod related_text;
pub(crate) mod sources;
pub(crate) mod templates;
pub(crate) mod tpsp;
pub(crate) mod tpsp_document;
pub(crate) mod tpsp_summary;
pub(crate) mod views;

pub use baa::{Baa, BaaRow, BaaSection};
pub use baa_appendix::{baa_appendix, baa_appendix_for, baa_appendix_with, baa_context, baa_context_with};
pub use context::Context;
pub use options::{Audience, DocumentOptions};
pub use templates::available as available_templates;
pub use tpsp::Tpsp;
pub use tpsp_summary::{tpsp_context_with, tpsp_summary, tpsp_summary_with};
pub use views::{EvidenceView, FindingView, RowView};

use crate::model::Scope;
use crate::model::Workspace;
use std::path::Path;

/// Output format of the rendered documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Markdown,
    Html,
}

/// Why a document could not be rendered. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The document is for a kind of client this scope is not.
    #[error("{document} is for {needs}: {why}")]
    NotApplicable {
        document: &'static str,
        needs: &'static str,
        why: String,
    },
    #[error("the `{0}` catalog is not loaded; add it to the workspace's frameworks/ folder")]
    MissingCatalog(String),
    #[error("no template `{name}` in the workspace's templates/ folder or among the built-in templates{}", if available.is_empty() { String::new() } else { format!(" (available: {available})") })]
    UnknownTemplate { name: String, available: String },
    /// A template failed to compile or render: where, and why.
    #[error("{file}:{line}: {message}")]
    Template { file: String, line: usize, message: String },
    #[error("{0}")]
    Pack(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl RenderError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> RenderError {
        RenderError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Render a template by file name — the workspace's `templates/NAME` if it exists, else the
/// built-in one — with the full context of a scope as of a date. Undefined variables are
/// errors that name the template file and line.
pub fn render_template(
    ws: &Workspace,
    scope: &Scope,
    assessment: &crate::assess::Assessment,
    name: &str,
) -> Result<String, RenderError> {
    let matrix = &assessment.matrix;
    let mut ctx = Context::new(ws, scope, assessment);
    if baa_appendix::hipaa_missing(ws, scope, matrix).is_none() {
        ctx.baa = Some(Baa::build(ws, scope, matrix, &ctx)?);
    }
    if tpsp_summary::regimes_missing(ws, scope, matrix).is_none() {
        ctx.tpsp = Some(Tpsp::build(ws, scope, matrix, &ctx)?);
    }
    templates::render(ws, name, &ctx)
}
