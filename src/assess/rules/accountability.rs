//! The `accountability-non-delegable` pack rule: a control whose regulation keeps
//! accountability with the client, made someone else's. Uses the model, the resolved matrix and
//! the rules' shared finding helpers.

use super::emit;
use crate::assess::{Finding, Overrides, origin_of};
use crate::model::Workspace;
use crate::model::policy::PolicyRule;
use crate::model::{Party, Scope};
use crate::resolve::{Matrix, Summary};

pub(super) fn accountability(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    rule: &PolicyRule,
    fw: Option<&str>,
    overrides: &Overrides,
) -> Vec<Finding> {
    let mut out = Vec::new();
    // One finding per deciding source: an assignment on 500.4(a) covers its parts too.
    let mut reported: std::collections::BTreeSet<(String, usize)> = std::collections::BTreeSet::new();
    for row in matrix
        .rows
        .iter()
        .filter(|r| fw.is_none_or(|f| &*r.framework == f) && r.summary != Summary::NotApplicable)
    {
        let Some(framework) = ws.framework(&row.framework) else {
            continue;
        };
        let Some(i) = framework.index(&row.id) else { continue };
        let Some((kept_at, _)) = framework.retained_accountable(i) else {
            continue;
        };
        let rooted = &framework.controls[kept_at];
        if row.accountable == Party::Client {
            continue;
        }
        let client_role = row
            .responsible
            .iter()
            .chain(&row.consulted)
            .chain(&row.informed)
            .any(|p| *p == Party::Client);
        let at = row
            .provenance
            .iter()
            .find(|p| p.kind == crate::resolve::SourceKind::Assignment)
            .map(|p| origin_of(&p.file, p.line))
            .unwrap_or_else(|| scope.origin.clone());
        if !reported.insert((at.file.to_string(), at.line)) {
            continue;
        }
        let note = rooted.retained.as_ref().map(|a| a.note.clone()).unwrap_or_default();
        let message = if client_role {
            format!(
                "{} makes `{}` accountable, but the regulation keeps accountability for {} with the client: {note} Set `accountable: client`; the MSP may stay responsible for doing the work.",
                row.control,
                row.accountable,
                framework.cite(&rooted.id)
            )
        } else {
            format!(
                "{} makes `{}` accountable and leaves the client with no role, but the regulation keeps accountability for {} with the client: {note} Set `accountable: client` and name the client's duty.",
                row.control,
                row.accountable,
                framework.cite(&rooted.id)
            )
        };
        out.extend(emit(scope, &row.control, rule, message, &at, "", overrides));
    }
    out
}
