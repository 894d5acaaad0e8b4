//! Which service claims decided a matrix row, found from the engine's provenance: a service
//! claim directly, or the claims of the CSF 2.0 outcome a regulation's control was projected
//! from; and whether the scope's own entries (assignments, client-owned, not applicable) did.

use crate::model::{Claim, Crosswalk, Mapping, Service, Workspace};
use crate::resolve::{Matrix, Row, SourceKind};
use std::collections::HashMap;

/// What decided a row, found from its provenance: service claims, and whether the scope's own
/// entries (assignments, client-owned, not applicable) did.
pub struct Attribution<'a> {
    pub claims: Vec<(&'a Service, &'a Claim)>,
    pub scope: bool,
    /// The CSF 2.0 outcomes a projected row came from, with the relationship.
    pub projected: Vec<String>,
}

/// Service claims, crosswalk rows and matrix rows, indexed once per plan.
pub struct Index<'a> {
    claims: HashMap<(&'a str, usize), (&'a Service, &'a Claim)>,
    mappings: HashMap<(&'a str, usize), (&'a Crosswalk, &'a Mapping)>,
    rows: HashMap<&'a str, &'a Row>,
}

impl<'a> Index<'a> {
    pub fn new(ws: &'a Workspace, matrix: &'a Matrix) -> Index<'a> {
        let mut claims = HashMap::new();
        for s in ws.services.values() {
            for c in s.controls.iter().flatten() {
                claims.insert((&*c.origin.file, c.origin.line), (s, c));
            }
        }
        let mut mappings = HashMap::new();
        for cw in &ws.crosswalks {
            for m in cw.mappings.iter().flatten() {
                mappings.insert((&*m.origin.file, m.origin.line), (cw, m));
            }
        }
        let rows = matrix.rows.iter().map(|r| (&*r.control, r)).collect();
        Index { claims, mappings, rows }
    }

    pub fn attribute(&self, row: &Row, depth: usize) -> Attribution<'a> {
        let mut out = Attribution {
            claims: Vec::new(),
            scope: false,
            projected: Vec::new(),
        };
        for p in &row.provenance {
            match p.kind {
                SourceKind::Service => match self.claims.get(&(&*p.file, p.line)) {
                    Some(found) => out.claims.push(*found),
                    None => out.scope = true,
                },
                SourceKind::Crosswalk => {
                    let Some((cw, m)) = self.mappings.get(&(&*p.file, p.line)) else {
                        out.scope = true;
                        continue;
                    };
                    let outcome = format!("{}:{}", cw.to, m.to);
                    out.projected
                        .push(format!("{outcome} ({})", super::mapping::relationship(m.relationship)));
                    match self.rows.get(outcome.as_str()).filter(|_| depth == 0) {
                        Some(csf) => {
                            let inner = self.attribute(csf, depth + 1);
                            out.claims.extend(inner.claims);
                            out.scope |= inner.scope;
                        }
                        None => out.scope = true,
                    }
                }
                SourceKind::Assignment | SourceKind::ClientOwned | SourceKind::NotApplicable => out.scope = true,
                SourceKind::Applicability | SourceKind::Rollup | SourceKind::Default => {}
            }
        }
        let mut seen: Vec<*const Claim> = Vec::new();
        out.claims.retain(|(_, c)| {
            let p: *const Claim = *c;
            let first = !seen.contains(&p);
            seen.push(p);
            first
        });
        out
    }
}
