//! The copies of a regulation or framework a catalog quotes, as documents and pack pages show
//! them (title, official or secondary copy, retrieval date), and the source of one control's
//! quoted text. Uses the model's source references and `explain`'s one-line label.

use serde::Serialize;

/// One copy of a regulation or framework that a catalog quotes: what it is, whether it is the
/// official publication, and when it was retrieved.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SourceView {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    /// `YYYY-MM-DD`, or none when the catalog does not record it.
    pub retrieved: Option<String>,
    /// The official publication (eCFR, Federal Register, NIST, the DFS), not a secondary copy.
    pub official: bool,
    /// The source in one line: title, official or secondary copy, retrieval date.
    pub label: String,
    /// Control texts quoted from it.
    pub texts: usize,
}

impl SourceView {
    pub fn new(s: &crate::model::SourceRef, texts: usize) -> Self {
        SourceView {
            id: s.id.clone(),
            title: s.title.clone(),
            url: s.url.clone(),
            retrieved: s.retrieved.clone(),
            official: s.official,
            label: crate::emit::frameworks::source_label(s),
            texts,
        }
    }
}

/// The source a control's quoted text comes from, when the catalog names one.
pub fn text_source(fw: &crate::model::catalog::Framework, control: &crate::model::Control) -> Option<SourceView> {
    let id = control.text_source.as_deref()?;
    let s = fw.catalog.sources.iter().find(|s| s.id == id)?;
    Some(SourceView::new(s, 0))
}
