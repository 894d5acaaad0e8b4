//! A catalog indexed for lookups: controls by id, children by parent, and the conditions of
//! the client profile that decide applicability.

use crate::model::{Catalog, Control, Role};
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

    /// The control at or above `i` whose `retained` keeps performing the duty with the
    /// regulated entity: the control's own mark, else the nearest containing control's mark
    /// when that mark says its parts are kept too (`parts: retained`). A mark on a parent does not
    /// make its parts non-delegable unless the catalog says so for that parent.
    pub fn retained_responsible(&self, i: usize) -> Option<(usize, &crate::model::Retained)> {
        if let Some(r) = self.controls[i].retained.as_ref().filter(|r| r.responsible) {
            return Some((i, r));
        }
        let (at, r) = self.ancestors(i).iter().find_map(|&a| {
            self.controls[a]
                .retained
                .as_ref()
                .filter(|r| r.responsible)
                .map(|r| (a, r))
        })?;
        (r.parts == Some(crate::model::RetainedParts::Retained)).then_some((at, r))
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
