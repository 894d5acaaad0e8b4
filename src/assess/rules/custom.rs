//! The custom-rule engine: a pack rule whose `when` is a minijinja expression over each matrix
//! row, the control and the scope, run under `assess::registry`'s strict environment. Uses the
//! model, the resolved matrix and the rules' shared finding helpers.

use super::{emit, short_message};
use crate::assess::{Finding, Overrides};
use crate::model::Scope;
use crate::model::Workspace;
use crate::model::diagnostic::Diagnostic;
use crate::model::policy::PolicyRule;
use crate::resolve::Matrix;
use std::collections::BTreeMap;

/// A custom rule: its `when` expression over each row of the rule's framework. It runs
/// under [`crate::assess::registry::rule_environment`] (strict about undefined fields, with fuel and a
/// recursion limit); a rule that fails at run time stops at the first failure and returns it,
/// with its file and line (E021), so the run exits 2 — never a silent `false`.
pub(super) fn custom(
    ws: &Workspace,
    scope: &Scope,
    matrix: &Matrix,
    rule: &PolicyRule,
    fw: Option<&str>,
    overrides: &Overrides,
) -> (Vec<Finding>, Option<Diagnostic>) {
    let mut out = Vec::new();
    let Some(expr_text) = &rule.when else {
        return (out, None);
    };
    let when_at = rule.when_at;
    let env = crate::assess::registry::rule_environment();
    // Compiled when the pack was loaded (E019); a rule that did not compile never runs.
    let Ok(expr) = env.compile_expression(expr_text) else {
        return (out, None);
    };
    let message = match rule.message.as_deref().map(|m| env.template_from_str(m)) {
        Some(Ok(template)) => Some(template),
        Some(Err(_)) => return (out, None),
        None => None,
    };
    let fail = |field: &str, at: crate::model::Pos, row: &crate::resolve::Row, e: &minijinja::Error| {
        let why = match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => e.kind().to_string(),
        };
        Diagnostic::new(
            &rule.origin.file,
            at,
            crate::model::diagnostic::Code::E021,
            format!(
                "custom rule `{}`: the `{field}` failed on {} of scope `{}`: {why}",
                rule.code, row.control, scope.id
            ),
            "fix the rule: the fields are those of `row` (the matrix row as in `matrix --format json`), `control` (the catalog control) and `scope`; a loop must stay small",
        )
    };
    let scope_value = minijinja::Value::from(minijinja::value::Serde(scope));
    let optional_keys = optional_row_keys(matrix);
    for row in matrix.rows.iter().filter(|r| fw.is_none_or(|f| &*r.framework == f)) {
        let control = ws.framework(&row.framework).and_then(|f| f.get(&row.id));
        let ctx = minijinja::context! {
            row => row_value(row, &optional_keys),
            control => minijinja::Value::from(minijinja::value::Serde(control)),
            scope => scope_value.clone(),
        };
        let fires = match expr.eval(&ctx) {
            Ok(v) => v.is_true(),
            Err(e) => return (Vec::new(), Some(fail("when", when_at, row, &e))),
        };
        if !fires {
            continue;
        }
        let message = match &message {
            Some(template) => match template.render(&ctx) {
                Ok(text) => short_message(&text),
                Err(e) => return (Vec::new(), Some(fail("message", rule.message_at, row, &e))),
            },
            None => format!(
                "{}: {}",
                row.control,
                rule.title.clone().unwrap_or_else(|| expr_text.clone())
            ),
        };
        out.extend(emit(scope, &row.control, rule, message, &rule.origin, "", overrides));
    }
    (out, None)
}

/// A row as a rule sees it: the JSON shape of `matrix --format json`, with every optional
/// field present (`none` or empty) so `row.requirement == 'addressable'` works on every row
/// while a misspelt field is an error. The optional fields are the documented ones, and any
/// other field some row of the same matrix carries (`optional_keys`).
fn row_value(row: &crate::resolve::Row, optional_keys: &BTreeMap<String, serde_json::Value>) -> minijinja::Value {
    let mut json = serde_json::to_value(row).unwrap_or_default();
    if let serde_json::Value::Object(map) = &mut json {
        for (key, empty) in optional_keys {
            if !map.contains_key(key) {
                map.insert(key.clone(), empty.clone());
            }
        }
    }
    minijinja::Value::from(minijinja::value::Serde(json))
}

/// The fields a row may leave out, with the value that stands for "nothing": the documented
/// optional fields of a matrix row, and any field that only some rows of `matrix` carry.
fn optional_row_keys(matrix: &Matrix) -> BTreeMap<String, serde_json::Value> {
    use serde_json::Value;
    let mut keys: BTreeMap<String, Value> = [
        ("requirement", Value::Null),
        ("reason", Value::Null),
        ("addressable", Value::Null),
        ("applicability", Value::Null),
        ("conflicts", Value::Array(Vec::new())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for row in &matrix.rows {
        if let Ok(Value::Object(map)) = serde_json::to_value(row) {
            for (key, value) in map {
                keys.entry(key).or_insert(match value {
                    Value::Array(_) => Value::Array(Vec::new()),
                    Value::Object(_) => Value::Null,
                    _ => Value::Null,
                });
            }
        }
    }
    keys
}
