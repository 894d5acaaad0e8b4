//! The finding rules: one table of stable codes, each with its name, default severity and
//! one-line description. A code is a [`RuleCode`], never a string a rule could mistype, so a
//! finding can no longer be dropped because its code is unknown; policy packs' own codes stay
//! strings on the finding (`assess::Finding::code`). Data, in the model: the loader checks
//! codes a configuration or waiver names against it ([`KnownCodes`]) and the engine raises them.

use super::Severity;
use super::policy::Pack;
use std::collections::BTreeMap;
use strum::IntoEnumIterator;

/// A built-in finding rule's code. It never changes meaning; a retired rule keeps its code.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    strum::EnumIter,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::Display,
)]
pub enum RuleCode {
    /// `unassigned-control`
    CM001,
    /// `conflicting-assignments`
    CM002,
    /// `shared-duty-undefined`
    CM003,
    /// `unjustified-not-applicable`
    CM004,
    /// `hipaa-addressable-undocumented`
    CM005,
    /// `crosswalk-partial-coverage`
    CM006,
    /// `accountability-delegated`
    CM007,
    /// `notification-window-too-long`
    CM008,
    /// `evidence-missing`
    CM009,
    /// `evidence-file-missing`
    CM010,
    /// `evidence-tampered`
    CM011,
    /// `evidence-stale`
    CM012,
    /// `waiver-expired`
    CM013,
    /// `waiver-incomplete`
    CM014,
    /// `responsibility-delegated`
    CM015,
    /// `business-associate-agreement-missing`
    CM016,
    /// `regulator-mismatch`
    CM017,
    /// `provider-oversight-gap`
    CM018,
    /// `decision-overridden`
    CM019,
    /// `evidence-unpinned`
    CM020,
}

/// A finding rule: stable code, name, default severity, one-line description.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub code: RuleCode,
    pub name: &'static str,
    pub severity: Severity,
    pub description: &'static str,
}

impl RuleCode {
    /// `CM001`.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// The rule of this code: its name, default severity and description (the one table).
    pub fn rule(self) -> &'static Rule {
        match self {
            RuleCode::CM001 => &Rule {
                code: RuleCode::CM001,
                name: "unassigned-control",
                severity: Severity::High,
                description: "An applicable control has no owner: no scope assignment, service, client-owned entry or crosswalk covers it.",
            },
            RuleCode::CM002 => &Rule {
                code: RuleCode::CM002,
                name: "conflicting-assignments",
                severity: Severity::High,
                description: "Two sources at the same precedence level disagree about who owns a control.",
            },
            RuleCode::CM003 => &Rule {
                code: RuleCode::CM003,
                name: "shared-duty-undefined",
                severity: Severity::Medium,
                description: "A shared control does not say what both the MSP and the client do.",
            },
            RuleCode::CM004 => &Rule {
                code: RuleCode::CM004,
                name: "unjustified-not-applicable",
                severity: Severity::Medium,
                description: "A control is marked not applicable without a reason.",
            },
            RuleCode::CM005 => &Rule {
                code: RuleCode::CM005,
                name: "hipaa-addressable-undocumented",
                severity: Severity::High,
                description: "A HIPAA addressable implementation specification is neither implemented nor documented with an alternative (45 CFR 164.306(d)(3)).",
            },
            RuleCode::CM006 => &Rule {
                code: RuleCode::CM006,
                name: "crosswalk-partial-coverage",
                severity: Severity::Medium,
                description: "Retired: a control reached only through CSF outcomes that intersect it is now unassigned (CM001), with those outcomes listed as candidates. The code is kept so that configuration naming it still loads; it never fires.",
            },
            RuleCode::CM007 => &Rule {
                code: RuleCode::CM007,
                name: "accountability-delegated",
                severity: Severity::High,
                description: "A duty whose accountability the regulation keeps with the regulated entity (security official, Qualified Individual, CISO, board reporting, annual certification) is made someone else's.",
            },
            RuleCode::CM008 => &Rule {
                code: RuleCode::CM008,
                name: "notification-window-too-long",
                severity: Severity::High,
                description: "The MSP's contractual incident-notification window, plus the time the client needs, exceeds the regulation's deadline (or no window is agreed).",
            },
            RuleCode::CM009 => &Rule {
                code: RuleCode::CM009,
                name: "evidence-missing",
                severity: Severity::Medium,
                description: "The policy pack requires evidence for an applicable control and the scope lists none.",
            },
            RuleCode::CM010 => &Rule {
                code: RuleCode::CM010,
                name: "evidence-file-missing",
                severity: Severity::High,
                description: "An evidence entry names a file that does not exist in the workspace.",
            },
            RuleCode::CM011 => &Rule {
                code: RuleCode::CM011,
                name: "evidence-tampered",
                severity: Severity::Critical,
                description: "An evidence file's SHA-256 differs from the hash pinned in the scope.",
            },
            RuleCode::CM012 => &Rule {
                code: RuleCode::CM012,
                name: "evidence-stale",
                severity: Severity::Medium,
                description: "Evidence is older than the policy's maximum age as of the assessment date.",
            },
            RuleCode::CM013 => &Rule {
                code: RuleCode::CM013,
                name: "waiver-expired",
                severity: Severity::High,
                description: "A waiver has expired; the finding it waived counts again.",
            },
            RuleCode::CM014 => &Rule {
                code: RuleCode::CM014,
                name: "waiver-incomplete",
                severity: Severity::High,
                description: "A waiver lacks a justification, approver, ticket, compensating control or expiry date, so it is not honoured.",
            },
            RuleCode::CM015 => &Rule {
                code: RuleCode::CM015,
                name: "responsibility-delegated",
                severity: Severity::High,
                description: "A duty only the regulated entity itself can perform (the catalog's `retained: {responsible: true}`, e.g. 23 NYCRR 500.4(a)(2), 16 CFR 314.4(a)(2)) is made the responsibility of the MSP or a third party, directly, through a parent control or through a service claim.",
            },
            RuleCode::CM016 => &Rule {
                code: RuleCode::CM016,
                name: "business-associate-agreement-missing",
                severity: Severity::High,
                description: "HIPAA applies and ePHI is handled without a business associate agreement: the MSP's services handle ePHI but the scope records no signed BAA, a third party that performs HIPAA duties has none, or the MSP's subcontractor that handles ePHI has none, whatever it is assigned (45 CFR 164.308(b), 164.314(a), 164.502(e)).",
            },
            RuleCode::CM017 => &Rule {
                code: RuleCode::CM017,
                name: "regulator-mismatch",
                severity: Severity::High,
                description: "The profile applies a rule to an institution its regulator does not cover: `glba: true` for a kind of institution, or a bank's subsidiary or affiliate, that answers to another regulator than the FTC (16 CFR 314.1(b); GLBA section 505(a), 15 U.S.C. 6805(a)).",
            },
            RuleCode::CM018 => &Rule {
                code: RuleCode::CM018,
                name: "provider-oversight-gap",
                severity: Severity::Medium,
                description: "The declared facts show a point of the client's oversight of its service provider unmet: no contract requiring the provider to implement and maintain safeguards (16 CFR 314.4(f)(2)), or no assessment of the provider within the last 365 days (16 CFR 314.4(f)(3)). The provider summary shows the same point as a gap.",
            },
            RuleCode::CM019 => &Rule {
                code: RuleCode::CM019,
                name: "decision-overridden",
                severity: Severity::Low,
                description: "A decision of the scope's own has gone stale: a `client_owned` entry or a `responsible: undecided` stub whose control a subscribed service, the package or an assignment now decides, or a `client_owned` entry that keeps a control from a subscribed service reaching it through an `equal`/`subset-of` crosswalk row. `ctrlmap scaffold SCOPE_FILE --reconcile --write` removes them.",
            },
            RuleCode::CM020 => &Rule {
                code: RuleCode::CM020,
                name: "evidence-unpinned",
                severity: Severity::Info,
                description: "An evidence entry's file is on file but no SHA-256 is pinned for it, so a later change to the file would go unnoticed. `ctrlmap evidence pin SCOPE_FILE` pins it.",
            },
        }
    }
}

/// Every built-in rule, in code order.
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    RuleCode::iter().map(RuleCode::rule)
}

/// The built-in rule of a code written as text (`CM001`), if there is one.
pub fn rule(code: &str) -> Option<&'static Rule> {
    code.parse::<RuleCode>().ok().map(RuleCode::rule)
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
        let mut codes: std::collections::BTreeSet<String> = rules().map(|r| r.code.to_string()).collect();
        let mut names: BTreeMap<String, String> = rules().map(|r| (r.name.to_string(), r.code.to_string())).collect();
        for pack_rule in packs.values().flat_map(|p| &p.rules) {
            codes.insert(pack_rule.code.clone());
            if let Some(r) = rule(&pack_rule.code) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_named_and_documented() {
        let mut codes = std::collections::BTreeSet::new();
        let mut names = std::collections::BTreeSet::new();
        for r in rules() {
            assert!(codes.insert(r.code.as_str()), "{} twice", r.code);
            assert!(names.insert(r.name), "{} twice", r.name);
            assert_eq!(r.code.rule().code, r.code);
            assert!(
                r.code.as_str().starts_with("CM") && r.code.as_str().len() == 5,
                "{}",
                r.code
            );
            assert!(!r.name.is_empty() && r.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'));
            assert!(r.description.ends_with('.'), "{}: {}", r.code, r.description);
            assert_eq!(rule(r.code.as_str()).map(|x| x.code), Some(r.code));
        }
        assert_eq!(rule("CM999").map(|r| r.code), None);
    }
}
