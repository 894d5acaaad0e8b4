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
    /// Does the control's own `applies_when` test the Class A fact?
    class_a_condition: Vec<bool>,
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
        let class_a_condition = controls
            .iter()
            .map(|c| {
                c.applies_when
                    .as_ref()
                    .is_some_and(|cond| serde_json::to_string(cond).is_ok_and(|s| s.contains("class_a")))
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
            class_a_condition,
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

    pub fn has_class_a_condition(&self, i: usize) -> bool {
        self.class_a_condition[i]
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

    /// A leaf that carries a duty: the level where duties are assigned.
    pub fn is_assignable(&self, i: usize) -> bool {
        self.controls[i].role == Role::Requirement && self.children[i].is_empty()
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

/// Evaluate a condition against the client's profile. Missing facts make a test false, so
/// an exemption is never granted on facts the scope did not declare.
pub fn holds(condition: &Condition, profile: &Profile) -> bool {
    match condition {
        Condition::All { all } => all.iter().all(|c| holds(c, profile)),
        Condition::Any { any } => any.iter().any(|c| holds(c, profile)),
        Condition::Not { not } => !holds(not, profile),
        Condition::Fact(test) => fact_holds(test, profile),
    }
}

fn fact_value(fact: &str, profile: &Profile) -> Option<serde_json::Value> {
    use serde_json::Value;
    Some(match fact {
        "hipaa" => Value::from(profile.hipaa.clone().unwrap_or_else(|| "none".into())),
        "glba" => Value::from(profile.glba.unwrap_or(false)),
        "nydfs" => Value::from(profile.nydfs.clone().unwrap_or_else(|| "none".into())),
        "class_a" => Value::from(profile.class_a.unwrap_or(false)),
        "employees" => Value::from(profile.employees?),
        "gross_revenue_usd" => {
            if profile.gross_revenue_usd.is_empty() {
                return None;
            }
            Value::from(profile.gross_revenue_usd.clone())
        }
        "total_assets_usd" => Value::from(profile.total_assets_usd?),
        "consumers" => Value::from(profile.consumers?),
        "flags" => Value::from(profile.flags.clone()),
        _ => return None,
    })
}

fn fact_holds(test: &FactTest, profile: &Profile) -> bool {
    let Some(value) = fact_value(&test.fact, profile) else {
        return false;
    };
    let number = value.as_f64();
    if let Some(eq) = &test.eq {
        return value == *eq;
    }
    if let Some(ne) = &test.ne {
        return value != *ne;
    }
    if let Some(lt) = test.lt {
        return number.is_some_and(|n| n < lt);
    }
    if let Some(lte) = test.lte {
        return number.is_some_and(|n| n <= lte);
    }
    if let Some(gt) = test.gt {
        return number.is_some_and(|n| n > gt);
    }
    if let Some(gte) = test.gte {
        return number.is_some_and(|n| n >= gte);
    }
    if let Some(limit) = test.each_lt {
        // "in each of the last three fiscal years": all three must be declared.
        return value
            .as_array()
            .is_some_and(|a| a.len() >= 3 && a.iter().all(|v| v.as_f64().is_some_and(|n| n < limit)));
    }
    if let Some(item) = &test.contains {
        return value
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(item)));
    }
    false
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
    fn undeclared_facts_never_grant_an_exemption() {
        assert!(!holds(&cond("{fact: total_assets_usd, lt: 15000000}"), &profile()));
        assert!(holds(
            &cond("{not: {fact: total_assets_usd, lt: 15000000}}"),
            &profile()
        ));
    }

    #[test]
    fn flags_and_equality() {
        assert!(holds(&cond("{fact: flags, contains: x}"), &profile()));
        assert!(holds(&cond("{fact: class_a, eq: false}"), &profile()));
        assert!(holds(
            &cond("all: [{fact: consumers, lt: 5000}, {fact: hipaa, eq: none}]"),
            &profile()
        ));
    }
}
