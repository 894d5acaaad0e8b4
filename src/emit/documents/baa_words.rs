//! The words both parts of the BAA appendix share: what an undeclared term reads, the two
//! signatories' roles, and quotes (the catalog's, and texts from outside it) as blocks. Used by
//! `baa_document.rs` (the appendix) and `baa_terms.rs` (its terms), which do not import each other.

use super::model::Block;
use super::related_text::RelatedText;

/// What the document says where a term is not declared.
pub(crate) const TO_AGREE: &str = "To be agreed";

/// The roles of the two signatories, capitalised and in a sentence.
pub(crate) struct Roles<'a> {
    pub(crate) ce: &'a str,
    pub(crate) ba: &'a str,
    pub(crate) ce_l: String,
    pub(crate) ba_l: String,
}

/// A quote of the catalog, with its source in the provider's own copy.
pub(crate) fn quote(q: &super::baa::Quote, counterparty: bool, with_title: bool) -> Block {
    let cite = if with_title {
        format!("{}, {}", q.citation, q.title)
    } else {
        q.citation.clone()
    };
    Block::quote(
        q.text.clone(),
        cite,
        if counterparty {
            None
        } else {
            q.source.as_ref().map(|s| s.label.clone())
        },
    )
}

/// A quote from outside the catalog.
pub(crate) fn related(r: &RelatedText, counterparty: bool) -> Block {
    Block::quote(
        r.text,
        format!("{}, {}", r.citation, r.title),
        (!counterparty).then(|| r.source.to_string()),
    )
}
