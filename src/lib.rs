//! ctrlmap — a compliance control mapping engine for MSPs and their regulated clients.
//!
//! The pipeline, one module each: [`load`] (read, parse, validate, check references; builds
//! the [`model`]) → [`resolve`] (who owns every applicable control) → [`assess`] (one
//! [`assess::Assessment`] per scope: findings, evidence and notice verdicts) → [`emit`]
//! (every format and document renders the assessment). [`cli`] reads the command line and
//! drives them. `resolve` and `assess` read plain data and return plain data: no I/O, no
//! clock, nothing printed. Below them all, [`fs`] (the one read policy, the built-in files)
//! and [`format`] (the YAML tree with positions, OSCAL identifiers, the rule template
//! language) serve both reading and writing.

#![forbid(unsafe_code)]
// Input must never make ctrlmap panic: no unwrap/expect/panic outside tests.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod assess;
pub mod cli;
pub mod emit;
pub mod format;
pub mod fs;
pub mod load;
pub mod model;
pub mod resolve;
