//! A catalog indexed for lookups: controls by id, children by parent, and the conditions of
//! the client profile that decide applicability.

use crate::model::{Catalog, Condition, Control, FactTest, Profile, Role};
use rustc_hash::FxHashMap;
use std::sync::Arc;

/// A loaded catalog with its controls in source order and an index.
#[derive(Debug, Clone)]
pub struct Framework {
    pub catalog: Catalog,
    pub controls: Vec<Control>,
    by_id: FxHashMap<String, usize>,
    children: Vec<Vec<usize>>,
    /// Ancestors of each control, nearest first (computed once: resolve asks often).
    ancestors: Vec<Vec<usize>>,
    /// For each exemption of the catalog, which controls it lifts (independent of the client).
    lifted: Vec<Vec<bool>>,
    /// Labels every matrix row of a control carries, shared by all rows (a portfolio of
    /// thousands of scopes repeats them millions of times; they are never copied).
    labels: Vec<Labels>,
    shared_id: Arc<str>,
}

/// A control's labels as a matrix row shows them.
#[derive(Debug, Clone)]
pub struct Labels {
    /// `framework:id`.
    pub control: Arc<str>,
    pub id: Arc<str>,
    pub title: Arc<str>,
    pub level: Arc<str>,
}

impl Framework {
    pub fn new(catalog: Catalog) -> Framework {
        let controls: Vec<Control> = catalog.controls.iter().flatten().cloned().collect();
        let mut by_id = FxHashMap::default();
        for (i, c) in controls.iter().enumerate() {
            by_id.entry(c.id.clone()).or_insert(i);
        }
        let mut children = vec![Vec::new(); controls.len()];
        for (i, c) in controls.iter().enumerate() {
            if let Some(p) = c.parent.as_ref().and_then(|p| by_id.get(p)) {
                children[*p].push(i);
            }
        }
        let parent_of: Vec<Option<usize>> = controls
            .iter()
            .map(|c| c.parent.as_ref().and_then(|p| by_id.get(p).copied()))
            .collect();
        let ancestors: Vec<Vec<usize>> = (0..controls.len())
            .map(|i| {
                let mut out = Vec::new();
                let mut cur = parent_of[i];
                while let Some(p) = cur {
                    if out.contains(&p) || out.len() > controls.len() {
                        break; // a cycle: reported by the loader, never followed forever
                    }
                    out.push(p);
                    cur = parent_of[p];
                }
                out
            })
            .collect();
        let within = |i: usize, a: usize| i == a || ancestors[i].contains(&a);
        let lifted = catalog
            .exemptions
            .iter()
            .map(|ex| {
                let targets = |list: &Option<Vec<String>>| -> Vec<usize> {
                    list.iter().flatten().filter_map(|id| by_id.get(id).copied()).collect()
                };
                (0..controls.len())
                    .map(|i| match ex {
                        Some(ex) => match (&ex.exempts, &ex.still_applies) {
                            (Some(_), _) => targets(&ex.exempts).iter().any(|&a| within(i, a)),
                            (None, Some(_)) => {
                                !targets(&ex.still_applies).iter().any(|&a| within(i, a) || within(a, i))
                            }
                            (None, None) => false,
                        },
                        None => false,
                    })
                    .collect()
            })
            .collect();
        let labels = controls
            .iter()
            .map(|c| Labels {
                control: format!("{}:{}", catalog.id, c.id).into(),
                id: c.id.as_str().into(),
                title: c.title.as_str().into(),
                level: c.level.as_str().into(),
            })
            .collect();
        let shared_id = catalog.id.as_str().into();
        Framework {
            catalog,
            controls,
            by_id,
            children,
            ancestors,
            lifted,
            labels,
            shared_id,
        }
    }

    /// Which controls each exemption lifts, in the order of `catalog.exemptions`.
    pub fn lifted_by(&self, exemption: usize, i: usize) -> bool {
        self.lifted
            .get(exemption)
            .and_then(|l| l.get(i))
            .copied()
            .unwrap_or(false)
    }

    pub fn id(&self) -> &str {
        &self.catalog.id
    }

    /// The framework id, shared (for rows).
    pub fn shared_id(&self) -> &Arc<str> {
        &self.shared_id
    }

    /// The labels of control `i`, shared (for rows).
    pub fn labels(&self, i: usize) -> &Labels {
        &self.labels[i]
    }

    /// The official citation of a control: `23 NYCRR 500.2(c)`, `45 CFR 164.308(a)(1)`.
    pub fn cite(&self, id: &str) -> String {
        let citation = &self.catalog.citation;
        match citation.split_once(" Part ") {
            Some((prefix, _)) => format!("{prefix} {id}"),
            None => format!("{citation} {id}"),
        }
    }

    pub fn short_title(&self) -> &str {
        self.catalog.short_title.as_deref().unwrap_or(&self.catalog.title)
    }

    pub fn get(&self, id: &str) -> Option<&Control> {
        self.by_id.get(id).map(|&i| &self.controls[i])
    }

    pub fn index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn children(&self, i: usize) -> &[usize] {
        &self.children[i]
    }

    pub fn parent_index(&self, i: usize) -> Option<usize> {
        self.controls[i].parent.as_ref().and_then(|p| self.index(p))
    }

    /// Ancestors of a control, nearest first.
    pub fn ancestors(&self, i: usize) -> &[usize] {
        &self.ancestors[i]
    }

    /// Does `i` sit at or under `ancestor`?
    pub fn is_within(&self, i: usize, ancestor: usize) -> bool {
        i == ancestor || self.ancestors(i).contains(&ancestor)
    }

    /// A leaf that carries a duty: the level where duties are assigned. A parent whose
    /// catalog entry says it has a duty of its own (`own_duty: row`) is assignable too, when
    /// its condition holds for the client; resolve decides that per scope
    /// ([`Framework::own_duty_row`]).
    pub fn is_assignable(&self, i: usize) -> bool {
        self.controls[i].role == Role::Requirement && self.children[i].is_empty()
    }

    /// Is a parent a row of its own for this client (catalog `own_duty: {decision: row}`,
    /// and its `when` not false)?
    pub fn own_duty_row(&self, i: usize, facts: Facts) -> bool {
        let c = &self.controls[i];
        c.role == Role::Requirement
            && !self.children[i].is_empty()
            && c.own_duty.as_ref().is_some_and(|o| {
                o.decision == crate::model::OwnDutyDecision::Row
                    && o.when.as_ref().is_none_or(|w| evaluate(w, facts) != Some(false))
            })
    }

    /// The nearest control at or above `i` whose `retained` keeps performing the duty with
    /// the regulated entity.
    pub fn retained_responsible(&self, i: usize) -> Option<(usize, &crate::model::Retained)> {
        self.retained_where(i, |r| r.responsible)
    }

    /// The nearest control at or above `i` whose `retained` keeps accountability with the
    /// regulated entity.
    pub fn retained_accountable(&self, i: usize) -> Option<(usize, &crate::model::Retained)> {
        self.retained_where(i, |r| r.accountable)
    }

    fn retained_where(
        &self,
        i: usize,
        keeps: impl Fn(&crate::model::Retained) -> bool,
    ) -> Option<(usize, &crate::model::Retained)> {
        std::iter::once(i)
            .chain(self.ancestors(i).iter().copied())
            .find_map(|c| self.controls[c].retained.as_ref().filter(|r| keeps(r)).map(|r| (c, r)))
    }

    /// Count of controls per level, in order of first appearance.
    pub fn level_counts(&self) -> Vec<(String, usize)> {
        let mut out: Vec<(String, usize)> = Vec::new();
        for c in &self.controls {
            match out.iter_mut().find(|(l, _)| *l == c.level) {
                Some((_, n)) => *n += 1,
                None => out.push((c.level.clone(), 1)),
            }
        }
        out
    }
}

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

    fn cond(yaml: &str) -> Condition {
        serde_json::from_value(
            crate::load::yaml::parse(yaml, Default::default())
                .root
                .expect("yaml")
                .to_json(),
        )
        .expect("condition")
    }

    #[test]
    fn any_of_three_small_entity_tests_is_enough() {
        let c = cond("any: [{fact: employees, lt: 20}, {fact: total_assets_usd, lt: 15000000}]");
        assert!(holds(&c, &profile()));
    }

    #[test]
    fn revenue_must_be_under_the_limit_in_each_of_three_years() {
        assert!(!holds(&cond("{fact: gross_revenue_usd, each_lt: 7500000}"), &profile()));
        let mut p = profile();
        p.gross_revenue_usd = vec![7e6, 6e6];
        assert!(
            !holds(&cond("{fact: gross_revenue_usd, each_lt: 7500000}"), &p),
            "two years declared are not three"
        );
        p.gross_revenue_usd = vec![7e6, 6e6, 5e6];
        assert!(holds(&cond("{fact: gross_revenue_usd, each_lt: 7500000}"), &p));
    }

    #[test]
    fn undeclared_facts_never_grant_an_exemption_and_never_remove_a_duty() {
        let p = profile();
        let assets = cond("{fact: total_assets_usd, lt: 15000000}");
        assert_eq!(evaluate(&assets, Facts::of(&p)), None, "undeclared is unknown");
        assert!(!holds(&assets, &p), "an exemption needs a known true");
        let not_assets = cond("{not: {fact: total_assets_usd, lt: 15000000}}");
        assert_eq!(evaluate(&not_assets, Facts::of(&p)), None, "not of unknown is unknown");
        let class_a = cond("{fact: class_a, eq: true}");
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
        let c = cond("all: [{fact: employees, gt: 100}, {fact: individuals, gte: 500}]");
        assert_eq!(evaluate(&c, Facts::of(&p)), Some(false));
        let c = cond("any: [{fact: employees, lt: 20}, {fact: individuals, gte: 500}]");
        assert_eq!(evaluate(&c, Facts::of(&p)), Some(true));
        let c = cond("any: [{fact: employees, gt: 20}, {fact: individuals, gte: 500}]");
        assert_eq!(evaluate(&c, Facts::of(&p)), None);
    }

    #[test]
    fn exemptions_that_hold_are_facts_for_the_other_conditions() {
        let p = profile();
        let granted = vec!["500.19(a)".to_string()];
        let c = cond("{fact: exemptions, contains: '500.19(a)'}");
        assert_eq!(evaluate(&c, Facts::with_exemptions(&p, &granted)), Some(true));
        assert_eq!(evaluate(&c, Facts::with_exemptions(&p, &[])), Some(false));
        assert_eq!(
            evaluate(&c, Facts::of(&p)),
            None,
            "not known while exemptions are evaluated"
        );
        let exempt = cond("{fact: exempt, eq: true}");
        assert_eq!(evaluate(&exempt, Facts::with_exemptions(&p, &granted)), Some(true));
    }

    #[test]
    fn flags_and_equality() {
        assert!(holds(&cond("{fact: flags, contains: x}"), &profile()));
        let mut p = profile();
        p.class_a = Some(false);
        assert!(holds(&cond("{fact: class_a, eq: false}"), &p));
        assert!(holds(
            &cond("all: [{fact: consumers, lt: 5000}, {fact: hipaa, eq: none}]"),
            &profile()
        ));
    }
}
