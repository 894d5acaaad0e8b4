//! The rules a run knows and how custom rules are evaluated: the finding codes (built-in
//! and loaded packs'), and the sandboxed template engine custom rules run in (defined in
//! `format::rule_template`, below `load`, which checks that rules compile).

pub use crate::format::rule_template::rule_environment;
pub use crate::model::codes::KnownCodes;
