//! Policy packs: which regulation-aware rules run for a scope, at what severity, with what
//! parameters. Built-in rule kinds are code (in `assess`); a pack may add custom rules whose
//! condition is a minijinja expression over the matrix row, the control and the scope.

use crate::assess::Severity;
use crate::model::Origin;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Pack {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub framework: Option<String>,
    #[serde(default)]
    pub rules: Vec<PolicyRule>,
    #[serde(skip)]
    pub origin: Origin,
}

#[derive(strum::IntoStaticStr, Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum RuleKind {
    AccountabilityNonDelegable,
    NotificationWindow,
    EvidenceRequired,
    EvidenceFileMissing,
    EvidenceTampered,
    EvidenceStale,
    Custom,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Params {
    #[serde(default)]
    pub events: Vec<String>,
    #[serde(default)]
    pub margin: Option<String>,
    #[serde(default)]
    pub controls: Vec<String>,
    #[serde(default)]
    pub max_age_days: Option<i64>,
    #[serde(default)]
    pub max_age_days_by_control: BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PolicyRule {
    pub code: String,
    pub kind: RuleKind,
    pub severity: Severity,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub params: Params,
    #[serde(default)]
    pub when: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(skip)]
    pub origin: Origin,
    /// Where `when` and `message` sit in the pack file (for run-time errors, E021).
    #[serde(skip)]
    pub when_at: crate::model::Pos,
    #[serde(skip)]
    pub message_at: crate::model::Pos,
}

impl Pack {
    /// Is the pack enabled for a scope with these frameworks?
    pub fn enabled_for(&self, frameworks: &[String]) -> bool {
        self.framework.as_ref().is_none_or(|f| frameworks.contains(f))
    }
}

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
        let mut codes: std::collections::BTreeSet<String> =
            crate::assess::RULES.iter().map(|r| r.code.to_string()).collect();
        let mut names: BTreeMap<String, String> = crate::assess::RULES
            .iter()
            .map(|r| (r.name.to_string(), r.code.to_string()))
            .collect();
        for rule in packs.values().flat_map(|p| &p.rules) {
            codes.insert(rule.code.clone());
            if let Some(r) = crate::assess::rule(&rule.code) {
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
