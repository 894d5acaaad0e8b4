//! The command line's choices that select one of emit's plain types: `--color`, `--audience`,
//! `--paper`. Each is a `clap::ValueEnum` here (its variants' docs are the `--help` text) and
//! maps to the emit type it names, so `src/emit` needs no clap. May use `emit`.

use crate::emit::documents::{Audience as DocumentAudience, docx};
use crate::emit::terminal;

/// Whether to colour output (`--color`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

impl From<ColorWhen> for terminal::ColorWhen {
    fn from(when: ColorWhen) -> terminal::ColorWhen {
        match when {
            ColorWhen::Auto => terminal::ColorWhen::Auto,
            ColorWhen::Always => terminal::ColorWhen::Always,
            ColorWhen::Never => terminal::ColorWhen::Never,
        }
    }
}

/// Who a document is for (`--audience`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Audience {
    /// The provider's own copy: finding codes, where in the workspace each gap comes from and
    /// what to do about it.
    #[default]
    Internal,
    /// The copy for the other party to sign: the agreement's terms, with the points still to
    /// be agreed, but no finding codes, workspace paths or remediation advice.
    Counterparty,
}

impl From<Audience> for DocumentAudience {
    fn from(audience: Audience) -> DocumentAudience {
        match audience {
            Audience::Internal => DocumentAudience::Internal,
            Audience::Counterparty => DocumentAudience::Counterparty,
        }
    }
}

/// Paper size of the Word document (`--paper`).
#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Paper {
    /// US Letter, 8.5 × 11 in (the default).
    #[default]
    Letter,
    /// ISO A4, 210 × 297 mm.
    A4,
}

impl From<Paper> for docx::Paper {
    fn from(paper: Paper) -> docx::Paper {
        match paper {
            Paper::Letter => docx::Paper::Letter,
            Paper::A4 => docx::Paper::A4,
        }
    }
}
