//! The rules a run knows and how custom rules are evaluated: the finding codes (built-in
//! and loaded packs'), and the sandboxed template engine custom rules run in (defined in
//! `format::rule_template`, below `load`, which checks that rules compile).

use crate::model::policy::Pack;
use std::collections::BTreeMap;

pub use crate::format::rule_template::rule_environment;

/// The finding codes a run knows: every built-in rule's and every loaded pack rule's, with
/// the built-in rules' names (`unassigned-control`) accepted for their codes. Used
/// to check `--deny/--warn/--allow` and `severity:` in `ctrlmap.yaml`, so a typo is an
/// error instead of a gate that quietly weakens.
pub struct KnownCodes {
    codes: std::collections::BTreeSet<String>,
    names: BTreeMap<String, String>,
}

impl KnownCodes {
    pub fn of(packs: &BTreeMap<String, Pack>) -> KnownCodes {
        let mut codes: std::collections::BTreeSet<String> = super::rules().map(|r| r.code.to_string()).collect();
        let mut names: BTreeMap<String, String> = super::rules()
            .map(|r| (r.name.to_string(), r.code.to_string()))
            .collect();
        for rule in packs.values().flat_map(|p| &p.rules) {
            codes.insert(rule.code.clone());
            if let Some(r) = super::rule(&rule.code) {
                names.insert(r.name.to_string(), r.code.to_string());
            }
        }
        KnownCodes { codes, names }
    }

    /// The code `text` names (a code, exactly, or a built-in rule's name), or what to write
    /// instead.
    pub fn resolve(&self, text: &str) -> Result<String, String> {
        if self.codes.contains(text) {
            return Ok(text.to_string());
        }
        if let Some(code) = self.names.get(text) {
            return Ok(code.clone());
        }
        let candidates = self.codes.iter().chain(self.names.keys()).map(String::as_str);
        let near = crate::model::diagnostic::closest(text, candidates, 1);
        let listed = self.codes.iter().cloned().collect::<Vec<_>>().join(", ");
        Err(match near.first() {
            Some(n) => format!("did you mean `{n}`? Codes are written exactly (known: {listed})"),
            None => format!("known codes: {listed}, or a rule name such as `unassigned-control`"),
        })
    }
}
