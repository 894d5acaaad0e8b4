//! Who a rendered document is for (`Audience`) and whether its terms are still open (the
//! draft mark and the gate whose findings become its open points). Plain data, used by the
//! BAA appendix, the TPSP summary and their open points; the command line maps its own
//! `--audience` to [`Audience`].

use crate::assess::Severity;
use crate::model::Scope;

/// Who a document is for, and whether its terms are still open.
#[derive(Clone, Copy, Debug)]
pub struct DocumentOptions {
    pub audience: Audience,
    /// Mark every page "DRAFT — terms to be agreed" and list the findings that fail the gate
    /// among the points to be agreed (`render --draft`, or the scope's `provider.draft`).
    pub draft: bool,
    /// The gate (`fail_on`): findings at or above it are the open points of a draft.
    pub gate: Option<Severity>,
}

impl Default for DocumentOptions {
    fn default() -> DocumentOptions {
        DocumentOptions {
            audience: Audience::Internal,
            draft: false,
            gate: Some(Severity::High),
        }
    }
}

impl DocumentOptions {
    /// Options for an audience, the scope's own `provider.draft` deciding the draft mark.
    pub fn for_scope(scope: &Scope, audience: Audience) -> DocumentOptions {
        DocumentOptions {
            audience,
            draft: scope.provider.draft,
            ..DocumentOptions::default()
        }
    }
}

/// Who the appendix is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Audience {
    /// The provider's own copy: finding codes, where in the workspace each gap comes from and
    /// what to do about it.
    #[default]
    Internal,
    /// The copy for the other party to sign: the agreement's terms, with the points still to
    /// be agreed, but no finding codes, workspace paths or remediation advice.
    Counterparty,
}
