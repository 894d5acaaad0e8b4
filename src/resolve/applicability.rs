//! Applicability: which conditions of a catalog hold for a client, decided on declared facts
//! only. A condition is evaluated with three values: a test of a fact the scope does not
//! declare is *unknown*, and callers resolve unknown toward more duties (an exemption needs a
//! known true; a duty's `applies_when` removes it only when known false).

use crate::model::catalog::Framework;
use crate::model::{Condition, FactTest, Profile, Role};

/// The facts a condition is evaluated against: the client profile, plus what the engine
/// computed for one catalog (which of its exemptions hold).
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub profile: &'a Profile,
    /// Citations of the catalog's exemptions that hold for the client; `None` while the
    /// exemptions themselves are being evaluated (so they cannot depend on each other).
    pub exemptions: Option<&'a [String]>,
}

impl<'a> Facts<'a> {
    pub fn of(profile: &'a Profile) -> Self {
        Facts {
            profile,
            exemptions: None,
        }
    }

    pub fn with_exemptions(profile: &'a Profile, exemptions: &'a [String]) -> Self {
        Facts {
            profile,
            exemptions: Some(exemptions),
        }
    }
}

/// Is a parent a row of its own for this client (catalog `own_duty: {decision: row}`,
/// and its `when` not false)?
pub fn own_duty_row(fw: &Framework, i: usize, facts: Facts) -> bool {
    let c = &fw.controls[i];
    c.role == Role::Requirement
        && !fw.children(i).is_empty()
        && c.own_duty.as_ref().is_some_and(|o| {
            o.decision == crate::model::OwnDutyDecision::Row
                && o.when.as_ref().is_none_or(|w| evaluate(w, facts) != Some(false))
        })
}

/// Evaluate a condition with three values: `None` when it depends on a fact the scope does
/// not declare. Callers decide what unknown means, always toward more duties: an exemption
/// is granted only on `Some(true)`, a control's `applies_when` removes it only on
/// `Some(false)`.
pub fn evaluate(condition: &Condition, facts: Facts) -> Option<bool> {
    match condition {
        Condition::All { all } => {
            let mut unknown = false;
            for c in all {
                match evaluate(c, facts) {
                    Some(false) => return Some(false),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            (!unknown).then_some(true)
        }
        Condition::Any { any } => {
            let mut unknown = false;
            for c in any {
                match evaluate(c, facts) {
                    Some(true) => return Some(true),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            (!unknown).then_some(false)
        }
        Condition::Not { not } => evaluate(not, facts).map(|b| !b),
        Condition::Fact(test) => fact_holds(test, facts),
    }
}

/// Does the condition certainly hold? (An exemption is granted only then.)
pub fn holds(condition: &Condition, profile: &Profile) -> bool {
    evaluate(condition, Facts::of(profile)) == Some(true)
}

/// A yes/no fact as the profile declares it (`None`: not declared). Only `glba` is one: the
/// explicit answer to "is the client under 16 CFR 314?".
pub fn declared_flag(fact: &str, profile: &Profile) -> Option<bool> {
    match fact {
        "glba" => profile.glba,
        _ => None,
    }
}

/// A profile fact as the scope writes it (`covered-entity`, `true`, `[NY, NJ]`), or `None` when
/// the scope does not declare it: what a reason quotes.
pub fn declared(fact: &str, profile: &Profile) -> Option<String> {
    let list = |items: &[String]| format!("[{}]", items.join(", "));
    match fact {
        "hipaa" => profile.hipaa.clone(),
        "glba" => profile.glba.map(|b| b.to_string()),
        "nydfs" => profile.nydfs.clone(),
        "class_a" => profile.class_a.map(|b| b.to_string()),
        "employees" => profile.employees.map(|n| n.to_string()),
        "consumers" => profile.consumers.map(|n| n.to_string()),
        "individuals" => profile.individuals.map(|n| n.to_string()),
        "total_assets_usd" => profile.total_assets_usd.map(|n| n.to_string()),
        "gross_revenue_usd" => (!profile.gross_revenue_usd.is_empty()).then(|| {
            let years: Vec<String> = profile.gross_revenue_usd.iter().map(f64::to_string).collect();
            list(&years)
        }),
        "hipaa_functions" => profile.hipaa_functions.as_deref().map(list),
        "institution_type" => profile.institution_type.clone(),
        "bank_affiliate" => profile.bank_affiliate.map(|b| b.to_string()),
        "flags" => (!profile.flags.is_empty()).then(|| list(&profile.flags)),
        _ => None,
    }
}

/// Every profile fact a condition tests, once each, in the order they appear.
pub fn facts_tested(condition: &Condition, out: &mut Vec<String>) {
    match condition {
        Condition::All { all } => all.iter().for_each(|c| facts_tested(c, out)),
        Condition::Any { any } => any.iter().for_each(|c| facts_tested(c, out)),
        Condition::Not { not } => facts_tested(not, out),
        Condition::Fact(test) => {
            if !out.contains(&test.fact) {
                out.push(test.fact.clone());
            }
        }
    }
}

/// The facts a condition tests that the scope does not declare (for "applies because…").
pub fn undeclared(condition: &Condition, facts: Facts, out: &mut Vec<String>) {
    match condition {
        Condition::All { all } => all.iter().for_each(|c| undeclared(c, facts, out)),
        Condition::Any { any } => any.iter().for_each(|c| undeclared(c, facts, out)),
        Condition::Not { not } => undeclared(not, facts, out),
        Condition::Fact(test) => {
            if fact_value(&test.fact, facts).is_none() && !out.contains(&test.fact) {
                out.push(test.fact.clone());
            }
        }
    }
}

fn fact_value(fact: &str, facts: Facts) -> Option<serde_json::Value> {
    use serde_json::Value;
    let profile = facts.profile;
    Some(match fact {
        // The regimes: not declaring one means the client is not under it.
        "hipaa" => Value::from(profile.hipaa.clone().unwrap_or_else(|| "none".into())),
        "glba" => Value::from(profile.glba.unwrap_or(false)),
        "nydfs" => Value::from(profile.nydfs.clone().unwrap_or_else(|| "none".into())),
        // Determinations the client must declare: undeclared is unknown.
        "class_a" => Value::from(profile.class_a?),
        "employees" => Value::from(profile.employees?),
        "gross_revenue_usd" => {
            if profile.gross_revenue_usd.is_empty() {
                return None;
            }
            Value::from(profile.gross_revenue_usd.clone())
        }
        "total_assets_usd" => Value::from(profile.total_assets_usd?),
        "consumers" => Value::from(profile.consumers?),
        "individuals" => Value::from(profile.individuals?),
        "hipaa_functions" => Value::from(profile.hipaa_functions.clone()?),
        "institution_type" => Value::from(profile.institution_type.clone()?),
        "bank_affiliate" => Value::from(profile.bank_affiliate?),
        // Flags are declarations of exemptions: an absent flag is a known "no".
        "flags" => Value::from(profile.flags.clone()),
        "exempt" => Value::from(!facts.exemptions?.is_empty()),
        "exemptions" => Value::from(facts.exemptions?.to_vec()),
        _ => return None,
    })
}

fn fact_holds(test: &FactTest, facts: Facts) -> Option<bool> {
    let value = fact_value(&test.fact, facts)?;
    let number = value.as_f64();
    Some(if let Some(eq) = &test.eq {
        value == *eq
    } else if let Some(ne) = &test.ne {
        value != *ne
    } else if let Some(lt) = test.lt {
        number.is_some_and(|n| n < lt)
    } else if let Some(lte) = test.lte {
        number.is_some_and(|n| n <= lte)
    } else if let Some(gt) = test.gt {
        number.is_some_and(|n| n > gt)
    } else if let Some(gte) = test.gte {
        number.is_some_and(|n| n >= gte)
    } else if let Some(limit) = test.each_lt {
        // "in each of the last three fiscal years": all three must be declared.
        value
            .as_array()
            .is_some_and(|a| a.len() >= 3 && a.iter().all(|v| v.as_f64().is_some_and(|n| n < limit)))
    } else if let Some(item) = &test.contains {
        value
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(item)))
    } else {
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile {
            employees: Some(15),
            gross_revenue_usd: vec![9e6, 8e6, 7e6],
            consumers: Some(3000),
            flags: vec!["x".into()],
            ..Profile::default()
        }
    }

    fn cond(json: &str) -> Condition {
        serde_json::from_str(json).expect("condition")
    }

    #[test]
    fn any_of_three_small_entity_tests_is_enough() {
        let c = cond(
            "{\"any\": [{\"fact\": \"employees\", \"lt\": 20}, {\"fact\": \"total_assets_usd\", \"lt\": 15000000}]}",
        );
        assert!(holds(&c, &profile()));
    }

    #[test]
    fn revenue_must_be_under_the_limit_in_each_of_three_years() {
        assert!(!holds(
            &cond("{\"fact\": \"gross_revenue_usd\", \"each_lt\": 7500000}"),
            &profile()
        ));
        let mut p = profile();
        p.gross_revenue_usd = vec![7e6, 6e6];
        assert!(
            !holds(&cond("{\"fact\": \"gross_revenue_usd\", \"each_lt\": 7500000}"), &p),
            "two years declared are not three"
        );
        p.gross_revenue_usd = vec![7e6, 6e6, 5e6];
        assert!(holds(
            &cond("{\"fact\": \"gross_revenue_usd\", \"each_lt\": 7500000}"),
            &p
        ));
    }

    #[test]
    fn undeclared_facts_never_grant_an_exemption_and_never_remove_a_duty() {
        let p = profile();
        let assets = cond("{\"fact\": \"total_assets_usd\", \"lt\": 15000000}");
        assert_eq!(evaluate(&assets, Facts::of(&p)), None, "undeclared is unknown");
        assert!(!holds(&assets, &p), "an exemption needs a known true");
        let not_assets = cond("{\"not\": {\"fact\": \"total_assets_usd\", \"lt\": 15000000}}");
        assert_eq!(evaluate(&not_assets, Facts::of(&p)), None, "not of unknown is unknown");
        let class_a = cond("{\"fact\": \"class_a\", \"eq\": true}");
        assert_eq!(
            evaluate(&class_a, Facts::of(&p)),
            None,
            "an undeclared Class A determination cannot remove Class A duties"
        );
        let mut missing = Vec::new();
        undeclared(&class_a, Facts::of(&p), &mut missing);
        assert_eq!(missing, ["class_a"]);
    }

    #[test]
    fn all_is_false_when_one_part_is_false_even_if_another_is_unknown() {
        let p = profile();
        let c = cond("{\"all\": [{\"fact\": \"employees\", \"gt\": 100}, {\"fact\": \"individuals\", \"gte\": 500}]}");
        assert_eq!(evaluate(&c, Facts::of(&p)), Some(false));
        let c = cond("{\"any\": [{\"fact\": \"employees\", \"lt\": 20}, {\"fact\": \"individuals\", \"gte\": 500}]}");
        assert_eq!(evaluate(&c, Facts::of(&p)), Some(true));
        let c = cond("{\"any\": [{\"fact\": \"employees\", \"gt\": 20}, {\"fact\": \"individuals\", \"gte\": 500}]}");
        assert_eq!(evaluate(&c, Facts::of(&p)), None);
    }

    #[test]
    fn exemptions_that_hold_are_facts_for_the_other_conditions() {
        let p = profile();
        let granted = vec!["500.19(a)".to_string()];
        let c = cond("{\"fact\": \"exemptions\", \"contains\": \"500.19(a)\"}");
        assert_eq!(evaluate(&c, Facts::with_exemptions(&p, &granted)), Some(true));
        assert_eq!(evaluate(&c, Facts::with_exemptions(&p, &[])), Some(false));
        assert_eq!(
            evaluate(&c, Facts::of(&p)),
            None,
            "not known while exemptions are evaluated"
        );
        let exempt = cond("{\"fact\": \"exempt\", \"eq\": true}");
        assert_eq!(evaluate(&exempt, Facts::with_exemptions(&p, &granted)), Some(true));
    }

    #[test]
    fn flags_and_equality() {
        assert!(holds(&cond("{\"fact\": \"flags\", \"contains\": \"x\"}"), &profile()));
        let mut p = profile();
        p.class_a = Some(false);
        assert!(holds(&cond("{\"fact\": \"class_a\", \"eq\": false}"), &p));
        assert!(holds(
            &cond("{\"all\": [{\"fact\": \"consumers\", \"lt\": 5000}, {\"fact\": \"hipaa\", \"eq\": \"none\"}]}"),
            &profile()
        ));
    }
}
