//! Typing each file kind: a parsed, schema-checked document becomes the model's catalog,
//! crosswalk, service, policy pack, package, shared party, config or scope, with the fields
//! that did not fit their type left out (and reported) instead of losing the whole file.
//!
//! May use: `model`, `format`.

use super::*;

/// A parsed, schema-checked document on its way to becoming typed.
pub(super) struct Doc {
    pub(super) file: std::sync::Arc<str>,
    pub(super) root: Node,
    pub(super) json: Value,
}

/// Whether a JSON value deserializes as a field's type.
type Fit = fn(&Value) -> bool;

pub(super) fn fits<T: serde::de::DeserializeOwned>(v: &Value) -> bool {
    T::deserialize(v).is_ok()
}

pub(super) fn list_or_null(v: &Value) -> bool {
    v.is_array() || v.is_null()
}

/// Make a document's top-level fields typeable: a required field (one with a placeholder)
/// that is missing or does not fit its type gets the placeholder; an optional one that does
/// not fit is removed. Returns whether anything had to change: such a document is still
/// checked for references, so a schema error never hides an unknown control, but it is
/// never used.
pub(super) fn patch_fields(json: &mut Value, fields: &[(&str, Fit, Option<Value>)]) -> bool {
    let Value::Object(map) = json else { return false };
    let mut patched = false;
    for (key, fit, placeholder) in fields {
        let fits = match map.get(*key) {
            None => placeholder.is_none(),
            Some(v) => fit(v),
        };
        if fits {
            continue;
        }
        patched = true;
        match placeholder {
            Some(p) => {
                map.insert((*key).to_string(), p.clone());
            }
            None => {
                map.remove(*key);
            }
        }
    }
    patched
}

/// The items of a list taken out of a scope document: a list that is missing or `null`
/// has none (`patch_fields` has already removed one that is neither a list nor `null`).
fn take_items<T: serde::de::DeserializeOwned>(json: &mut Value, key: &str) -> Vec<Option<T>> {
    match json.as_object_mut().and_then(|map| map.remove(key)) {
        Some(Value::Array(items)) => items.into_iter().map(|v| serde_json::from_value(v).ok()).collect(),
        _ => Vec::new(),
    }
}

/// The items of a `parties:` list: a string names a workspace party (looked up when the
/// scope is checked), a mapping declares one.
fn take_parties(json: &mut Value, key: &str) -> Vec<Option<ThirdParty>> {
    match json.as_object_mut().and_then(|map| map.remove(key)) {
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::String(id) => Some(ThirdParty::reference(&id)),
                other => serde_json::from_value(other).ok(),
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A scope's lists, typed apart from the rest of the scope (see `build_scope`).
struct ScopeLists {
    services: Vec<Option<Subscription>>,
    parties: Vec<Option<ThirdParty>>,
    assignments: Vec<Option<Assignment>>,
    client_owned: Vec<Option<ClientOwned>>,
    not_applicable: Vec<Option<NotApplicable>>,
    addressable: Vec<Option<Addressable>>,
    evidence: Vec<Option<Evidence>>,
    waivers: Vec<Option<Waiver>>,
}

impl ScopeLists {
    fn take_from(json: &mut Value) -> ScopeLists {
        ScopeLists {
            services: take_items(json, "services"),
            parties: take_parties(json, "parties"),
            assignments: take_items(json, "assignments"),
            client_owned: take_items(json, "client_owned"),
            not_applicable: take_items(json, "not_applicable"),
            addressable: take_items(json, "addressable"),
            evidence: take_items(json, "evidence"),
            waivers: take_items(json, "waivers"),
        }
    }

    fn put_into(&mut self, scope: &mut Scope) {
        scope.services = std::mem::take(&mut self.services);
        scope.parties = std::mem::take(&mut self.parties);
        scope.assignments = std::mem::take(&mut self.assignments);
        scope.client_owned = std::mem::take(&mut self.client_owned);
        scope.not_applicable = std::mem::take(&mut self.not_applicable);
        scope.addressable = std::mem::take(&mut self.addressable);
        scope.evidence = std::mem::take(&mut self.evidence);
        scope.waivers = std::mem::take(&mut self.waivers);
    }
}

/// Type a scope document and record where each of its items sits. The flag says the
/// document had to be patched to type (it has schema errors): check it, never assess it.
pub(super) fn build_scope(doc: &mut Doc, sha256: String) -> Option<(Scope, bool)> {
    let mut json = std::mem::take(&mut doc.json);
    let text = || Some(Value::String(String::new()));
    let named = || Some(serde_json::json!({ "name": "" }));
    let mut fields: Vec<(&str, Fit, Option<Value>)> = vec![
        ("id", fits::<String>, text()),
        ("client", fits::<Client>, named()),
        // Optional with a package (the schema requires them without one).
        ("provider", fits::<Provider>, None),
        ("model", fits::<String>, None),
        ("package", fits::<Option<String>>, None),
        ("frameworks", fits::<Option<Vec<String>>>, None),
        ("sla", fits::<Sla>, None),
        ("notes", fits::<Option<String>>, None),
    ];
    for list in [
        "services",
        "parties",
        "assignments",
        "client_owned",
        "not_applicable",
        "addressable",
        "evidence",
        "waivers",
    ] {
        fields.push((list, list_or_null, None));
    }
    let patched = patch_fields(&mut json, &fields);
    // The lists are typed here, item by item, as `model::lenient` would (an item that does
    // not type is `None`), but straight from their JSON values: through `Scope`'s own
    // deserializer each item would first be rebuilt as a new JSON value.
    let mut lists = ScopeLists::take_from(&mut json);
    let mut scope = serde_json::from_value::<Scope>(json).ok()?;
    lists.put_into(&mut scope);
    scope.origin = origin_at(&doc.file, &doc.root, String::new());
    scope.sha256 = sha256;
    let at = |list: &str, i: usize| origin_at(&doc.file, &doc.root, format!("/{list}/{i}"));
    for (i, x) in scope.services.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("services", i);
        }
    }
    for (i, x) in scope.parties.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("parties", i);
            x.baa_at = origin_at(&doc.file, &doc.root, format!("/parties/{i}/baa"));
        }
    }
    for (i, x) in scope.assignments.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("assignments", i);
        }
    }
    for (i, x) in scope.client_owned.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("client_owned", i);
        }
    }
    for (i, x) in scope.not_applicable.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("not_applicable", i);
        }
    }
    for (i, x) in scope.addressable.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("addressable", i);
        }
    }
    for (i, x) in scope.evidence.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("evidence", i);
        }
    }
    for (i, x) in scope.waivers.iter_mut().enumerate() {
        if let Some(x) = x {
            x.origin = at("waivers", i);
        }
    }
    Some((scope, patched))
}

/// The few positions in a scope file that findings point at, kept after its tree is dropped.
pub(super) fn kept_positions(scope: &Scope, root: &Node) -> Vec<(String, Pos)> {
    let mut pointers = vec![
        "/sla".to_string(),
        "/sla/incident_notification".to_string(),
        "/evidence".to_string(),
        "/services".to_string(),
        "/provider".to_string(),
        "/provider/baa_signed".to_string(),
        "/provider/agent".to_string(),
        "/provider/contract".to_string(),
        "/provider/assessments".to_string(),
        "/sla/client_margin".to_string(),
        "/client/profile".to_string(),
        "/client/profile/glba".to_string(),
        "/client/profile/institution_type".to_string(),
        "/client/profile/bank_affiliate".to_string(),
    ];
    for i in 0..scope.parties.len() {
        pointers.push(format!("/parties/{i}"));
        pointers.push(format!("/parties/{i}/baa"));
    }
    for e in scope.evidence.iter().flatten() {
        pointers.push(format!("{}/file", e.origin.pointer));
        pointers.push(format!("{}/effective", e.origin.pointer));
    }
    let mut kept: Vec<(String, Pos)> = pointers
        .into_iter()
        .map(|p| {
            let pos = root.locate(&p);
            (p, pos)
        })
        .collect();
    // The keys where an owner is written (`Scope::owner_anchor`): kept as `key:/NAME`.
    for key in ["assignments", "services", "client_owned"] {
        if let Some(pos) = root.key_pos("", key) {
            kept.push((format!("key:/{key}"), pos));
        }
    }
    // Sorted, so `Scope::locate` finds a pointer by binary search (a scope may have thousands).
    kept.sort_by(|a, b| a.0.cmp(&b.0));
    kept.dedup_by(|a, b| a.0 == b.0);
    kept
}

impl Loaded {
    pub(super) fn build(&mut self, kind: Kind, mut doc: Doc, builtin: bool) {
        let _ = builtin;
        let origin = origin_at(&doc.file, &doc.root, String::new());
        match kind {
            Kind::Catalog => {
                let Ok(mut catalog) = serde_json::from_value::<Catalog>(std::mem::take(&mut doc.json)) else {
                    return;
                };
                catalog.origin = origin;
                for (i, control) in catalog.controls.iter_mut().enumerate() {
                    if let Some(c) = control {
                        c.origin = origin_at(&doc.file, &doc.root, format!("/controls/{i}"));
                    }
                }
                if let Some(existing) = self.frameworks.get(&catalog.id)
                    && !existing.catalog.origin.file.starts_with("<builtin>")
                {
                    self.diagnostics.push(Diagnostic::new(
                        &doc.file,
                        doc.root.locate("/id"),
                        Code::E011,
                        format!(
                            "catalog `{}` is also defined in {}",
                            catalog.id, existing.catalog.origin
                        ),
                        "give one of the catalogs another id",
                    ));
                    return;
                }
                self.frameworks
                    .insert(catalog.id.clone(), std::sync::Arc::new(Framework::new(catalog)));
            }
            Kind::Crosswalk => {
                let Ok(mut cw) = serde_json::from_value::<Crosswalk>(std::mem::take(&mut doc.json)) else {
                    return;
                };
                cw.origin = origin;
                for (i, m) in cw.mappings.iter_mut().enumerate() {
                    if let Some(m) = m {
                        m.origin = origin_at(&doc.file, &doc.root, format!("/mappings/{i}"));
                    }
                }
                // A workspace crosswalk replaces a built-in one with the same id.
                if let Some(pos) = self.crosswalks.iter().position(|c| c.id == cw.id) {
                    if self.crosswalks[pos].origin.file.starts_with("<builtin>") {
                        self.crosswalks[pos] = cw;
                    } else {
                        self.diagnostics.push(Diagnostic::new(
                            &doc.file,
                            doc.root.locate("/id"),
                            Code::E011,
                            format!(
                                "crosswalk `{}` is also defined in {}",
                                cw.id, self.crosswalks[pos].origin
                            ),
                            "give one of the crosswalks another id",
                        ));
                    }
                } else {
                    self.crosswalks.push(cw);
                }
            }
            Kind::Service => {
                let mut json = std::mem::take(&mut doc.json);
                let text = || Some(Value::String(String::new()));
                let patched = patch_fields(
                    &mut json,
                    &[
                        ("id", fits::<String>, text()),
                        ("name", fits::<String>, text()),
                        ("tower", fits::<String>, text()),
                        ("description", fits::<String>, text()),
                        ("options", fits::<Vec<ServiceOption>>, None),
                        ("controls", list_or_null, None),
                    ],
                );
                let Ok(mut service) = serde_json::from_value::<Service>(json) else {
                    return;
                };
                service.origin = origin;
                for (i, c) in service.controls.iter_mut().enumerate() {
                    if let Some(c) = c {
                        c.origin = origin_at(&doc.file, &doc.root, format!("/controls/{i}"));
                    }
                }
                if patched {
                    // Schema errors: not a service, but its references are still checked.
                    self.unusable_services.push(service);
                } else if let Some(existing) = self.services.get(&service.id) {
                    let first = self.service_ids.get(&service.id).unwrap_or(&existing.origin);
                    self.diagnostics.push(defined_twice(
                        &doc.file,
                        doc.root.locate("/id"),
                        format!("service `{}` is also defined in {first}", service.id),
                        "service ids must be unique across `services/`; rename one",
                        first,
                    ));
                    return;
                } else {
                    self.service_ids
                        .insert(service.id.clone(), origin_at(&doc.file, &doc.root, "/id".into()));
                    self.services.insert(service.id.clone(), service);
                }
            }
            Kind::Scope => {
                let sha = self.inputs.get(&*doc.file).cloned().unwrap_or_default();
                let Some((scope, false)) = build_scope(&mut doc, sha) else {
                    return;
                };
                let id_pos = doc.root.locate("/id");
                if let Some(scope) = self.register_scope(scope, &doc.file, id_pos) {
                    self.scopes.push(scope);
                }
            }
            Kind::Package => self.build_package(&mut doc),
            Kind::Party => self.build_party(&mut doc),
            Kind::Config => {
                let Ok(mut config) = serde_json::from_value::<Config>(std::mem::take(&mut doc.json)) else {
                    return;
                };
                config.origin = origin;
                self.config = config;
            }
            Kind::Policy => {
                let Ok(mut pack) = serde_json::from_value::<crate::model::policy::Pack>(std::mem::take(&mut doc.json))
                else {
                    return;
                };
                pack.origin = origin;
                for (i, rule) in pack.rules.iter_mut().enumerate() {
                    rule.origin = origin_at(&doc.file, &doc.root, format!("/rules/{i}"));
                    rule.when_at = doc.root.locate(&format!("/rules/{i}/when"));
                    rule.message_at = doc.root.locate(&format!("/rules/{i}/message"));
                    if let Some(margin) = &rule.params.margin
                        && parse_duration_hours(margin).is_none()
                    {
                        self.diagnostics.push(duration_too_long(
                            &doc.file,
                            doc.root.locate(&format!("/rules/{i}/params/margin")),
                            "params.margin",
                            margin,
                        ));
                    }
                    if let Some(message) = &rule.message
                        && let Err(e) = crate::format::rule_template::check_message(message)
                    {
                        self.diagnostics.push(Diagnostic::new(
                            &doc.file,
                            doc.root.locate(&format!("/rules/{i}/message")),
                            Code::E019,
                            format!("rule `{}`: the `message` template does not compile: {e}", rule.code),
                            "write a minijinja template over `row`, `control` and `scope`, e.g. `{{ row.control }} is owned by the MSP alone`",
                        ));
                    }
                    if rule.kind == crate::model::policy::RuleKind::Custom {
                        let pos = doc.root.locate(&format!("/rules/{i}/when"));
                        match &rule.when {
                            None => self.diagnostics.push(Diagnostic::new(
                                &doc.file,
                                pos,
                                Code::E005,
                                format!("custom rule `{}` has no `when` expression", rule.code),
                                "add `when:` with a minijinja expression, e.g. `row.summary == 'unassigned'`",
                            )),
                            Some(expr) => {
                                if let Err(e) = crate::format::rule_template::check_expression(expr) {
                                    self.diagnostics.push(Diagnostic::new(&doc.file, pos, Code::E019, format!("custom rule `{}`: the `when` expression does not compile: {e}", rule.code), "write a minijinja expression over `row`, `control` and `scope`, e.g. `row.summary == 'msp' and control.requirement == 'addressable'`"));
                                }
                            }
                        }
                    }
                }
                // A workspace pack replaces the built-in pack with the same id.
                if let Some(existing) = self.packs.get(&pack.id)
                    && !existing.origin.file.starts_with("<builtin>")
                {
                    self.diagnostics.push(defined_twice(
                        &doc.file,
                        doc.root.locate("/id"),
                        format!("policy pack `{}` is also defined in {}", pack.id, existing.origin),
                        "give one of the packs another id",
                        &existing.origin,
                    ));
                    return;
                }
                self.packs.insert(pack.id.clone(), pack);
            }
        }
        self.nodes.insert(doc.file.to_string(), doc.root);
    }
}
