//! Load: engagement packages (`packages/`) and the parties declared once for the workspace
//! (`parties/`), and what a scope inherits from its package (see [`crate::model::package`]
//! for the idea and the precedence).
//!
//! A package is checked once, against the workspace (its controls, services, options,
//! parties, SLA windows and evidence files), and flattened once with the packages it builds
//! on; every scope that names it then receives a copy of its entries, each marked with the
//! package that declares it and pointing at its line there. Problems in a package are
//! reported once, at the package's file, not once per client.

use super::{Doc, Loaded, defined_twice, fits, list_or_null, origin_at, patch_fields, sla_problems};
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::package::{Inherited, Package, PartyFile};
use crate::model::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// The fields of a scope (and of a package) whose place a finding may name, so a scope
/// that inherits one points at the package's line.
const INHERITED_FIELDS: [&str; 10] = [
    "/sla",
    "/sla/p1_response",
    "/sla/p2_response",
    "/sla/p3_response",
    "/sla/incident_notification",
    "/sla/client_margin",
    "/sla/security_incident_report",
    "/sla/unsuccessful_attempts",
    "/services",
    "/evidence",
];

impl Loaded {
    /// Type a package document, give its entries their places, and record it.
    pub(super) fn build_package(&mut self, doc: &mut Doc) {
        let mut json = std::mem::take(&mut doc.json);
        let text = || Some(Value::String(String::new()));
        let patched = patch_fields(
            &mut json,
            &[
                ("id", fits::<String>, text()),
                ("name", fits::<String>, text()),
                ("description", fits::<Option<String>>, None),
                ("extends", fits::<Option<String>>, None),
                ("model", fits::<Option<String>>, None),
                ("sla", fits::<Option<Sla>>, None),
                ("parties", fits::<Vec<String>>, None),
                ("notes", fits::<Option<String>>, None),
                ("services", list_or_null, None),
                ("assignments", list_or_null, None),
                ("client_owned", list_or_null, None),
                ("not_applicable", list_or_null, None),
                ("addressable", list_or_null, None),
                ("evidence", list_or_null, None),
            ],
        );
        let Ok(mut package) = serde_json::from_value::<Package>(json) else {
            return;
        };
        let file = doc.file.clone();
        let root = &doc.root;
        let id: Arc<str> = package.id.as_str().into();
        package.origin = origin_at(&file, root, String::new());
        let at = |list: &str, i: usize| origin_at(&file, root, format!("/{list}/{i}"));
        // Each entry of each list knows its place in the file and the package it came from.
        macro_rules! stamp {
            ($($list:ident),*) => {$(
                for (i, x) in package.$list.iter_mut().enumerate() {
                    if let Some(x) = x {
                        x.origin = at(stringify!($list), i);
                        x.package = Some(id.clone());
                    }
                }
            )*};
        }
        stamp!(
            services,
            assignments,
            client_owned,
            not_applicable,
            addressable,
            evidence
        );
        if patched {
            // Schema errors: reported, and the package is not used.
            return;
        }
        if let Some(existing) = self.packages.get(&package.id) {
            let first = existing.origin.clone();
            self.diagnostics.push(defined_twice(
                &file,
                root.locate("/id"),
                format!("package `{}` is also defined in {}", package.id, first.file),
                "package ids must be unique across `packages/`; rename one",
                &first,
            ));
            return;
        }
        self.packages.insert(package.id.clone(), package);
    }

    /// Type a workspace party (`parties/ID.yaml`) and record it.
    pub(super) fn build_party(&mut self, doc: &mut Doc) {
        let json = std::mem::take(&mut doc.json);
        let Ok(party) = serde_json::from_value::<PartyFile>(json) else {
            return;
        };
        let origin = origin_at(&doc.file, &doc.root, String::new());
        let baa_at = origin_at(&doc.file, &doc.root, "/baa".into());
        if let Some(existing) = self.parties.get(&party.id) {
            let first = existing.origin.clone();
            self.diagnostics.push(defined_twice(
                &doc.file,
                doc.root.locate("/id"),
                format!("party `{}` is also defined in {}", party.id, first.file),
                "party ids must be unique across `parties/`; rename one",
                &first,
            ));
            return;
        }
        self.parties.insert(party.id.clone(), party.into_party(origin, baa_at));
    }

    /// Check every package against the workspace, hash its evidence, and flatten each chain
    /// of packages into what a scope naming it inherits.
    pub(super) fn check_packages(&mut self) {
        let mut diags = Vec::new();
        let cyclic = self.cycles(&mut diags);
        for package in self.packages.values() {
            diags.extend(self.package_problems(package, &packages_parties(&self.packages, package)));
        }
        // Evidence files are hashed once per package, not once per client.
        let mut packages = std::mem::take(&mut self.packages);
        for package in packages.values_mut() {
            diags.extend(self.hash_evidence(&mut package.evidence, &|o: &Origin| self.pos_in(o, "file")));
        }
        self.packages = packages;
        let mut inherited = BTreeMap::new();
        for id in self.packages.keys().filter(|id| !cyclic.contains(*id)) {
            inherited.insert(id.clone(), Arc::new(self.flatten(id)));
        }
        self.inherited = inherited;
        self.diagnostics.extend(diags);
    }

    /// Packages whose `extends` chains run in a circle (E024, once per circle, at the `extends`
    /// of its first package by id); an `extends` naming no package is E023. Returns the ids
    /// on a circle or leading into one: they cannot be flattened.
    fn cycles(&self, diags: &mut Vec<Diagnostic>) -> BTreeSet<String> {
        let packages = &self.packages;
        let mut bad = BTreeSet::new();
        let mut reported: BTreeSet<Vec<String>> = BTreeSet::new();
        for (id, package) in packages {
            if let Some(base) = &package.extends
                && !packages.contains_key(base)
            {
                let pos = self.pos_in(&package.origin, "extends");
                let mut d = self.unknown_package(base, &package.origin.file, pos, "extends");
                d.help = d.help.replace("known packages", "packages");
                diags.push(d);
            }
            let mut path: Vec<&str> = vec![id];
            let mut next = package.extends.as_deref();
            while let Some(base) = next {
                if let Some(k) = path.iter().position(|p| *p == base) {
                    let mut circle: Vec<String> = path[k..].iter().map(|s| s.to_string()).collect();
                    bad.insert(id.clone());
                    let start = circle.iter().min().cloned().unwrap_or_default();
                    let turn = circle.iter().position(|c| *c == start).unwrap_or(0);
                    circle.rotate_left(turn);
                    if reported.insert(circle.clone()) {
                        let Some(first) = packages.get(&start) else { break };
                        let mut words = circle.clone();
                        words.push(start.clone());
                        let mut d = Diagnostic::new(
                            &first.origin.file,
                            self.pos_in(&first.origin, "extends"),
                            Code::E024,
                            format!(
                                "packages build on each other in a circle: {}",
                                words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(" → ")
                            ),
                            "a package may build on another only if that one does not build on it, directly or through others: remove one `extends`",
                        );
                        for other in circle.iter().skip(1) {
                            if let Some(p) = packages.get(other) {
                                d = d.with_label(
                                    &p.origin.file,
                                    self.pos_in(&p.origin, "extends"),
                                    format!("`{other}` extends `{}`", p.extends.as_deref().unwrap_or_default()),
                                );
                            }
                        }
                        diags.push(d);
                    }
                    break;
                }
                path.push(base);
                next = packages.get(base).and_then(|p| p.extends.as_deref());
            }
        }
        bad
    }

    /// The reference problems of one package: controls, services and their options, parties,
    /// evidence owners, SLA windows. `parties` are the parties its clients work with through
    /// it (its own and those of the packages it builds on).
    fn package_problems(&self, package: &Package, parties: &BTreeSet<String>) -> Vec<Diagnostic> {
        let file = package.origin.file.clone();
        let mut diags = Vec::new();
        let pos = |origin: &Origin, field: &str| self.pos_in(origin, field);
        let known: BTreeSet<&str> = ["client", "msp"]
            .into_iter()
            .chain(parties.iter().map(String::as_str))
            .collect();
        for (k, id) in package.parties.iter().enumerate() {
            if !self.parties.contains_key(id) {
                let at = self
                    .node(&file)
                    .map(|r| r.locate(&format!("/parties/{k}")))
                    .unwrap_or_default();
                diags.push(self.unknown_shared_party(id, &file, at));
            }
        }
        diags.extend(self.entry_problems(
            super::references::Entries {
                services: &package.services,
                assignments: &package.assignments,
                client_owned: &package.client_owned,
                not_applicable: &package.not_applicable,
                addressable: &package.addressable,
                evidence: &package.evidence,
            },
            &super::references::EntryChecks {
                pos: &pos,
                parties: &known,
                suggestions: std::cell::Cell::new(super::SUGGESTIONS_PER_FILE),
                declared_where: "the ids the package lists under `parties:`",
                declare: "list the party's id under the package's `parties:` (declared in `parties/`)",
                undecided_help: "write `responsible: undecided` alone while the owner is open, or list only parties",
            },
        ));
        if let Some(sla) = &package.sla {
            let root = self.node(&file);
            diags.extend(sla_problems(sla, &file, |field| {
                root.map(|r| r.locate(&format!("/sla/{field}"))).unwrap_or_default()
            }));
        }
        diags
    }

    /// What a scope naming package `id` inherits: the package's entries, then those of the
    /// packages it builds on that it does not override. Call only on packages off any circle.
    fn flatten(&self, id: &str) -> Inherited {
        let mut out = Inherited::default();
        let mut next = Some(id);
        while let Some(pid) = next {
            let Some(p) = self.packages.get(pid) else { break };
            out.chain.push(pid.into());
            self.add_layer(&mut out, p);
            next = p.extends.as_deref();
            if out.chain.len() > self.packages.len() {
                break; // never on a circle (checked before), but never loop either
            }
        }
        out.positions.sort_by(|a, b| a.0.cmp(&b.0));
        out.positions.dedup_by(|a, b| a.0 == b.0);
        out
    }

    /// Add one package of a chain under what the packages nearer the scope already decided.
    fn add_layer(&self, out: &mut Inherited, p: &Package) {
        if out.model.is_none() {
            out.model = p.model.clone();
        }
        if let Some(sla) = &p.sla {
            fill_sla(&mut out.sla, sla);
        }
        for sub in p.services.iter().flatten() {
            if !out.services.iter().any(|s| s.service == sub.service) {
                out.services.push(sub.clone());
            }
        }
        for id in &p.parties {
            if let Some(party) = self.parties.get(id)
                && !out.parties.iter().any(|x| x.id == *id)
            {
                out.parties.push(party.clone());
            }
        }
        // A control decided by a nearer package (an assignment or not-applicable entry) is
        // not decided again by one it builds on.
        let decided: BTreeSet<String> = out
            .assignments
            .iter()
            .map(|a| a.control.clone())
            .chain(out.not_applicable.iter().map(|n| n.control.clone()))
            .collect();
        out.assignments.extend(
            p.assignments
                .iter()
                .flatten()
                .filter(|a| !decided.contains(&a.control))
                .cloned(),
        );
        out.not_applicable.extend(
            p.not_applicable
                .iter()
                .flatten()
                .filter(|n| !decided.contains(&n.control))
                .cloned(),
        );
        let owned: BTreeSet<String> = out.client_owned.iter().map(|c| c.control.clone()).collect();
        out.client_owned.extend(
            p.client_owned
                .iter()
                .flatten()
                .filter(|c| !owned.contains(&c.control))
                .cloned(),
        );
        let documented: BTreeSet<String> = out.addressable.iter().map(|a| a.control.clone()).collect();
        out.addressable.extend(
            p.addressable
                .iter()
                .flatten()
                .filter(|a| !documented.contains(&a.control))
                .cloned(),
        );
        // Evidence items get `@PACKAGE/evidence/N` pointers, so a finding about one points at
        // the package's line even from a scope that also has evidence of its own.
        for e in p.evidence.iter().flatten() {
            let mut e = e.clone();
            e.origin.pointer = format!("@{}{}", p.id, e.origin.pointer);
            out.evidence.push(e);
        }
        let Some(root) = self.node(&p.origin.file) else { return };
        let file = p.origin.file.clone();
        for pointer in INHERITED_FIELDS {
            if root.at(pointer).is_some() && !out.positions.iter().any(|(q, _)| q == pointer) {
                out.positions
                    .push((pointer.to_string(), origin_at(&file, root, pointer.to_string())));
            }
        }
        for (i, _) in p.evidence.iter().enumerate().filter(|(_, e)| e.is_some()) {
            for field in ["file", "effective"] {
                let pointer = format!("/evidence/{i}/{field}");
                out.positions
                    .push((format!("@{}{pointer}", p.id), origin_at(&file, root, pointer)));
            }
        }
    }

    /// Give a scope what it inherits from its package chain (nothing without a package), and
    /// fill what neither gives from `ctrlmap.yaml` (the provider's name). A scope that still
    /// has no model or provider name is E005. Runs on worker threads: reads the workspace only.
    pub(super) fn inherit(&self, scope: &mut Scope, root: &crate::format::yaml::Node) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        if let Some(found) = scope.package.as_deref().and_then(|id| self.inherited.get(id)) {
            let found = Arc::clone(found);
            scope.packages = found.chain.clone();
            if scope.model.is_empty()
                && let Some(model) = &found.model
            {
                scope.model = model.clone();
            }
            fill_sla(&mut scope.sla, &found.sla);
            // The package's services in its order, a subscription of the scope's own to the same
            // service in its place (its options, note and retention win; a note or retention it
            // leaves unsaid is the package's), then the scope's other services.
            let mut own = std::mem::take(&mut scope.services);
            for sub in &found.services {
                match own
                    .iter()
                    .position(|s| s.as_ref().is_some_and(|s| s.service == sub.service))
                {
                    Some(k) => {
                        let mut mine = own.remove(k);
                        if let Some(m) = mine.as_mut() {
                            if m.note.is_none() {
                                m.note.clone_from(&sub.note);
                            }
                            if m.retains.is_none() {
                                m.retains.clone_from(&sub.retains);
                            }
                        }
                        scope.services.push(mine);
                    }
                    None => scope.services.push(Some(sub.clone())),
                }
            }
            scope.services.extend(own);
            let declared: BTreeSet<String> = scope.parties().map(|p| p.id.clone()).collect();
            scope.parties.extend(
                found
                    .parties
                    .iter()
                    .filter(|p| !declared.contains(&p.id))
                    .cloned()
                    .map(Some),
            );
            scope.assignments.extend(found.assignments.iter().cloned().map(Some));
            scope
                .not_applicable
                .extend(found.not_applicable.iter().cloned().map(Some));
            // A control the scope lists as client-owned itself is in its own words.
            let owned: BTreeSet<String> = scope.client_owned.iter().flatten().map(|c| c.control.clone()).collect();
            scope.client_owned.extend(
                found
                    .client_owned
                    .iter()
                    .filter(|c| !owned.contains(&c.control))
                    .cloned()
                    .map(Some),
            );
            let documented: BTreeSet<String> = scope.addressable.iter().flatten().map(|a| a.control.clone()).collect();
            scope.addressable.extend(
                found
                    .addressable
                    .iter()
                    .filter(|a| !documented.contains(&a.control))
                    .cloned()
                    .map(Some),
            );
            scope.evidence.extend(found.evidence.iter().cloned().map(Some));
            // A field the scope's own file does not hold is found where the package writes it.
            scope.inherited_positions = found
                .positions
                .iter()
                .filter(|(pointer, _)| pointer.starts_with('@') || root.at(pointer).is_none())
                .cloned()
                .collect();
        }
        if scope.provider.name.is_empty()
            && let Some(name) = &self.config.provider
        {
            scope.provider.name = name.clone();
        }
        if scope.package.is_some() {
            for (field, missing, help) in [
                (
                    "model",
                    scope.model.is_empty(),
                    "add `model:` (fully-managed, co-managed or partial) to the scope or to its package",
                ),
                (
                    "provider",
                    scope.provider.name.is_empty(),
                    "add `provider:` with `name:` to the scope, or `provider:` (your company's name) to ctrlmap.yaml",
                ),
            ] {
                if missing
                    && self
                        .inherited
                        .contains_key(scope.package.as_deref().unwrap_or_default())
                {
                    diags.push(Diagnostic::new(
                        &scope.origin.file,
                        root.pos,
                        Code::E005,
                        format!("missing required field `{field}`: neither the scope nor its package sets it"),
                        help,
                    ));
                }
            }
        }
        diags
    }
}

/// The parties the clients of a package work with through it: its own and those of the
/// packages it builds on (stopping at a circle).
fn packages_parties(packages: &BTreeMap<String, Package>, package: &Package) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = package.parties.iter().cloned().collect();
    let mut seen: BTreeSet<&str> = BTreeSet::from([package.id.as_str()]);
    let mut next = package.extends.as_deref();
    while let Some(id) = next {
        if !seen.insert(id) {
            break;
        }
        let Some(p) = packages.get(id) else { break };
        out.extend(p.parties.iter().cloned());
        next = p.extends.as_deref();
    }
    out
}

/// Fill each SLA window `into` does not set from `from`.
fn fill_sla(into: &mut Sla, from: &Sla) {
    let fill = |a: &mut Option<String>, b: &Option<String>| {
        if a.is_none() {
            a.clone_from(b);
        }
    };
    fill(&mut into.p1_response, &from.p1_response);
    fill(&mut into.p2_response, &from.p2_response);
    fill(&mut into.p3_response, &from.p3_response);
    fill(&mut into.incident_notification, &from.incident_notification);
    fill(&mut into.client_margin, &from.client_margin);
    fill(&mut into.security_incident_report, &from.security_incident_report);
    fill(&mut into.unsuccessful_attempts, &from.unsuccessful_attempts);
    if into.notice.is_none() {
        into.notice.clone_from(&from.notice);
    }
}
