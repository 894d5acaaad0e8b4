//! The rules a run knows and how custom rules are evaluated: the finding codes (built-in
//! and loaded packs'), and the sandboxed template engine custom rules run in.

use crate::model::policy::Pack;
use std::collections::BTreeMap;

/// Fuel for one evaluation of a custom rule's `when` or one `message` (minijinja charges
/// about one unit per instruction and one per 64 bytes produced): thousands of times what a
/// real rule needs, and a loop or a doubling string runs out of it in milliseconds.
pub const RULE_FUEL: u64 = 200_000;

/// Deepest recursion (macros, nested blocks) a rule's templates may use.
pub const RULE_RECURSION: usize = 64;

/// The engine that evaluates custom rules: a field that does not exist is an error, never
/// a silent `false`; every evaluation has a fuel budget and a recursion limit.
pub fn rule_environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_fuel(Some(RULE_FUEL));
    env.set_recursion_limit(RULE_RECURSION);
    env
}

/// Check that a custom rule's expression compiles; the error text names what is wrong.
pub fn check_expression(expr: &str) -> Result<(), String> {
    let env = rule_environment();
    env.compile_expression(expr).map(|_| ()).map_err(|e| e.to_string())
}

/// Check that a rule's `message` template compiles.
pub fn check_message(template: &str) -> Result<(), String> {
    let env = rule_environment();
    env.template_from_str(template).map(|_| ()).map_err(|e| e.to_string())
}

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
