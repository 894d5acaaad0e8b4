//! Identifiers in OSCAL documents: control ids as OSCAL tokens, statement ids, and UUIDs
//! derived from stable names, so the same inputs always give the same documents.
//!
//! **The token rule.** OSCAL control ids are tokens (`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`), and a
//! regulation's citation such as `164.308(a)(1)(ii)(A)` is not one. ctrlmap keeps an id that is
//! already a token (written in ASCII letters, digits, `.`, `-`, `_`, starting with a letter or
//! `_`) as it is: NIST CSF 2.0's `GV.OC-01` stays NIST's own id. Any other id becomes the
//! framework id, a hyphen, and the id with each `(` written `_`, each `)` dropped and any
//! other character outside `A-Z a-z 0-9 . - _` written `_`:
//! `hipaa:164.308(a)(1)(ii)(A)` → `hipaa-164.308_a_1_ii_A`, `nydfs-500:500.12(a)` →
//! `nydfs-500-500.12_a`, `glba-safeguards:314.4(c)(5)` → `glba-safeguards-314.4_c_5`. The
//! framework prefix keeps ids from different regulations apart in one plan; the citation
//! itself stays in the control's `label` property. Two controls that would get the same token
//! are refused (the export stops and names both).

use crate::model::{Split, Workspace};
use std::collections::BTreeMap;
use std::sync::LazyLock;
use uuid::Uuid;

/// The namespace of ctrlmap's own OSCAL properties, parts and UUIDs.
pub const NS: &str = "https://ctrlmap.dev/ns/oscal";

/// Every UUID ctrlmap writes is a version 5 UUID of a stable name in this namespace.
static NAMESPACE: LazyLock<Uuid> = LazyLock::new(|| Uuid::new_v5(&Uuid::NAMESPACE_URL, NS.as_bytes()));

/// The UUID of a stable name, e.g. `component/service/managed-backup`.
pub fn uuid(name: &str) -> String {
    Uuid::new_v5(&NAMESPACE, name.as_bytes()).to_string()
}

/// Is `s` an OSCAL token written in ASCII (the only tokens ctrlmap keeps as they are)?
pub fn is_token(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// The OSCAL control id of a control of a framework (the rule in the module docs).
pub fn control_token(framework: &str, id: &str) -> String {
    if is_token(id) {
        return id.to_string();
    }
    let mut token = String::with_capacity(framework.len() + id.len() + 1);
    token.push_str(framework);
    token.push('-');
    for c in id.chars() {
        match c {
            '(' => token.push('_'),
            ')' => {}
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') => token.push(c),
            _ => token.push('_'),
        }
    }
    if is_token(&token) {
        token
    } else {
        // Only the framework id can make it fail (ids of workspace catalogs may start with a
        // digit); every character is already one a token allows.
        format!("_{token}")
    }
}

/// The id of a control's statement part: `<token>_smt`; CSF 2.0 keeps NIST's own part ids
/// (`GV.OC-01_statement`).
pub fn statement_id(framework: &str, token: &str) -> String {
    if framework == "csf-2.0" {
        format!("{token}_statement")
    } else {
        format!("{token}_smt")
    }
}

/// Any text as a token (for part ids, property groups): the token rule without the prefix.
pub fn tokenize(text: &str) -> String {
    let body: String = text
        .chars()
        .filter(|c| *c != ')')
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if is_token(&body) { body } else { format!("_{body}") }
}

/// Control ids of every catalog of a workspace, both ways.
#[derive(Debug, Default)]
pub struct Tokens {
    /// token → (framework, control id)
    by_token: BTreeMap<String, (String, String)>,
}

impl Tokens {
    /// Index every control of every catalog; two controls with one token are an error that
    /// names both.
    pub fn new(ws: &Workspace) -> Result<Tokens, String> {
        let mut by_token: BTreeMap<String, (String, String)> = BTreeMap::new();
        for (fw_id, fw) in &ws.frameworks {
            for c in &fw.controls {
                let token = control_token(fw_id, &c.id);
                if let Some((f, id)) = by_token.get(&token)
                    && (f != fw_id || *id != c.id)
                {
                    return Err(format!(
                        "`{f}:{id}` and `{fw_id}:{}` would both have the OSCAL id `{token}`; rename one of them (OSCAL ids are tokens: see ctrlmap's docs/oscal.md)",
                        c.id
                    ));
                }
                by_token.insert(token, (fw_id.clone(), c.id.clone()));
            }
        }
        Ok(Tokens { by_token })
    }

    /// The control (framework, id) an OSCAL control id names, if ctrlmap knows it.
    pub fn resolve(&self, token: &str) -> Option<(&str, &str)> {
        self.by_token.get(token).map(|(f, id)| (f.as_str(), id.as_str()))
    }

    /// Every known OSCAL control id (for "did you mean" hints).
    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.by_token.keys().map(String::as_str)
    }
}

/// A split as service files and ctrlmap's OSCAL `split` property spell it.
pub fn split_name(split: Split) -> &'static str {
    match split {
        Split::Msp => "msp",
        Split::Shared => "shared",
        Split::Client => "client",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_become_tokens_with_the_framework_in_front() {
        assert_eq!(control_token("hipaa", "164.308(a)(1)(ii)(A)"), "hipaa-164.308_a_1_ii_A");
        assert_eq!(control_token("nydfs-500", "500.12(a)"), "nydfs-500-500.12_a");
        assert_eq!(
            control_token("glba-safeguards", "314.4(c)(5)"),
            "glba-safeguards-314.4_c_5"
        );
        assert_eq!(control_token("hipaa", "164.404"), "hipaa-164.404");
    }

    #[test]
    fn ids_that_are_tokens_stay_as_they_are() {
        assert_eq!(control_token("csf-2.0", "GV.OC-01"), "GV.OC-01");
        assert_eq!(control_token("csf-2.0", "GV"), "GV");
        assert_eq!(statement_id("csf-2.0", "GV.OC-01"), "GV.OC-01_statement");
        assert_eq!(statement_id("hipaa", "hipaa-164.404"), "hipaa-164.404_smt");
    }

    #[test]
    fn a_framework_id_that_starts_with_a_digit_still_gives_a_token() {
        let t = control_token("800-53", "1(a)");
        assert!(is_token(&t), "{t}");
        assert_eq!(t, "_800-53-1_a");
    }

    #[test]
    fn uuids_are_version_5_and_stable() {
        let a = uuid("component/service/managed-backup");
        assert_eq!(a, uuid("component/service/managed-backup"));
        assert_ne!(a, uuid("component/service/helpdesk"));
        assert_eq!(&a[14..15], "5");
    }
}
