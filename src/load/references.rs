//! Reference checks after typing: every `FRAMEWORK:CONTROL`, service, package, shared party
//! and finding code a file names must exist (with "did you mean"); SLA windows must make
//! sense; declared evidence is located and hashed under the read policy.
//!
//! May use: `model`, `fs`, `format`.

use super::*;

impl Loaded {
    // -----------------------------------------------------------------------------------
    // Reference checks
    // -----------------------------------------------------------------------------------

    /// Position of a field of the item at `origin` (its value, or the item if absent).
    pub(super) fn pos_in(&self, origin: &Origin, field: &str) -> Pos {
        match self.node(&origin.file) {
            Some(root) => root.locate(&format!("{}/{field}", origin.pointer)),
            None => Pos {
                line: origin.line,
                column: origin.column,
            },
        }
    }

    /// Check a `FRAMEWORK:CONTROL` reference; push a diagnostic when it does not resolve.
    pub fn check_ref(&mut self, reference: &str, origin: &Origin, field: &str) -> bool {
        let problem = self.ref_problem(reference, origin, || self.pos_in(origin, field), true);
        let ok = problem.is_none();
        self.diagnostics.extend(problem);
        ok
    }

    /// The diagnostic for a `FRAMEWORK:CONTROL` reference that does not resolve. `pos` is
    /// only asked for when there is a problem (finding a position walks the tree);
    /// `suggest` says whether to look for the closest ids (see [`SUGGESTIONS_PER_FILE`]).
    pub(super) fn ref_problem(
        &self,
        reference: &str,
        origin: &Origin,
        pos: impl FnOnce() -> Pos,
        suggest: bool,
    ) -> Option<Diagnostic> {
        let Some((fw, id)) = reference.split_once(':') else {
            return Some(Diagnostic::new(
                &origin.file,
                pos(),
                Code::E009,
                format!("`{reference}` is not a control reference"),
                "write FRAMEWORK:CONTROL, e.g. `hipaa:164.308(a)(1)(ii)(A)` or `csf-2.0:PR.AA-03`",
            ));
        };
        let Some(framework) = self.frameworks.get(fw) else {
            let ids: Vec<&str> = self.frameworks.keys().map(String::as_str).collect();
            let help = match closest(fw, ids.iter().copied(), 1).first() {
                Some(s) => format!("did you mean `{s}:{id}`? Known frameworks: {}", ids.join(", ")),
                None => format!("known frameworks: {}", ids.join(", ")),
            };
            return Some(Diagnostic::new(
                &origin.file,
                pos(),
                Code::E008,
                format!("unknown framework `{fw}` in `{reference}`"),
                help,
            ));
        };
        if framework.get(id).is_some() {
            return None;
        }
        let near = if suggest {
            closest(id, framework.controls.iter().map(|c| c.id.as_str()), 3)
        } else {
            Vec::new()
        };
        let help = if near.is_empty() {
            format!("run `ctrlmap frameworks show {fw}` to list its controls")
        } else {
            format!(
                "did you mean {}?",
                near.iter()
                    .map(|n| format!("`{fw}:{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Some(Diagnostic::new(
            &origin.file,
            pos(),
            Code::E009,
            format!("`{id}` is not a control of `{fw}`"),
            help,
        ))
    }

    pub(super) fn check_catalogs(&mut self) {
        let mut diags = Vec::new();
        for fw in self.frameworks.values() {
            let mut seen: BTreeMap<&str, &Origin> = BTreeMap::new();
            for c in &fw.controls {
                let at = Pos {
                    line: c.origin.line,
                    column: c.origin.column,
                };
                if let Some(first) = seen.get(c.id.as_str()) {
                    diags.push(Diagnostic::new(
                        &c.origin.file,
                        at,
                        Code::E011,
                        format!(
                            "control `{}` is defined twice in catalog `{}` (first at {first})",
                            c.id,
                            fw.id()
                        ),
                        "control ids must be unique within a catalog",
                    ));
                } else {
                    seen.insert(&c.id, &c.origin);
                }
                if let Some(parent) = &c.parent
                    && fw.get(parent).is_none()
                {
                    let near = closest(parent, fw.controls.iter().map(|c| c.id.as_str()), 1);
                    diags.push(Diagnostic::new(
                        &c.origin.file,
                        at,
                        Code::E015,
                        format!(
                            "control `{}` names parent `{parent}`, which is not in catalog `{}`",
                            c.id,
                            fw.id()
                        ),
                        match near.first() {
                            Some(n) => format!("did you mean `{n}`?"),
                            None => "add the parent control or fix `parent`".into(),
                        },
                    ));
                }
                for (j, d) in c.deadlines.iter().enumerate() {
                    if let Some(within) = &d.within
                        && parse_duration_hours(within).is_none()
                    {
                        diags.push(duration_too_long(
                            &c.origin.file,
                            self.pos_in(&c.origin, &format!("deadlines/{j}/within")),
                            "deadlines.within",
                            within,
                        ));
                    }
                }
            }
        }
        self.diagnostics.extend(diags);
    }

    pub(super) fn check_crosswalks(&mut self) {
        let crosswalks = std::mem::take(&mut self.crosswalks);
        for cw in &crosswalks {
            for (label, fw) in [("from", &cw.from), ("to", &cw.to)] {
                if !self.frameworks.contains_key(fw) {
                    let pos = self.pos_in(&cw.origin, label);
                    self.diagnostics.push(Diagnostic::new(
                        &cw.origin.file,
                        pos,
                        Code::E008,
                        format!("crosswalk `{}` names unknown framework `{fw}`", cw.id),
                        "use the id of a loaded catalog",
                    ));
                }
            }
            for m in cw.mappings.iter().flatten() {
                self.check_ref(&format!("{}:{}", cw.from, m.from), &m.origin, "from");
                self.check_ref(&format!("{}:{}", cw.to, m.to), &m.origin, "to");
            }
        }
        self.crosswalks = crosswalks;
    }

    /// The reference problems of one service's claims.
    pub(super) fn service_problems(&self, service: &Service) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let mut suggestions = SUGGESTIONS_PER_FILE;
        for claim in service.controls.iter().flatten() {
            let suggest = suggestions > 0;
            if let Some(d) = self.ref_problem(
                &claim.control,
                &claim.origin,
                || self.pos_in(&claim.origin, "control"),
                suggest,
            ) {
                suggestions = suggestions.saturating_sub(1);
                diags.push(d);
            }
            if let Some(option) = &claim.option
                && !service.options.iter().any(|o| &o.id == option)
            {
                diags.push(Diagnostic::new(
                    &claim.origin.file,
                    self.pos_in(&claim.origin, "option"),
                    Code::E018,
                    format!("service `{}` has no option `{option}`", service.id),
                    "declare it under `options:` or remove `option:`",
                ));
            }
        }
        diags
    }

    pub(super) fn check_services(&mut self) {
        let mut diags = Vec::new();
        for service in self.services.values().chain(&self.unusable_services) {
            diags.extend(self.service_problems(service));
        }
        self.unusable_services.clear();
        self.diagnostics.extend(diags);
    }

    /// `severity:` in `ctrlmap.yaml` must name finding codes that exist (a built-in rule or a
    /// rule of a loaded pack), exactly or by the rule's name: a typo would weaken the gate.
    /// Names are replaced by their codes.
    pub(super) fn check_severity_codes(&mut self) {
        if self.config.severity.is_empty() {
            return;
        }
        let known = crate::model::codes::KnownCodes::of(&self.packs);
        let file = self.config.origin.file.clone();
        let mut resolved = BTreeMap::new();
        let mut diags = Vec::new();
        for (key, level) in std::mem::take(&mut self.config.severity) {
            match known.resolve(&key) {
                Ok(code) => {
                    resolved.insert(code, level);
                }
                Err(help) => {
                    let pos = self
                        .node(&file)
                        .and_then(|root| root.key_pos("/severity", &key))
                        .unwrap_or_default();
                    diags.push(Diagnostic::new(
                        &file,
                        pos,
                        Code::E007,
                        format!("`severity` names `{key}`, which is not a finding code of any loaded rule"),
                        help,
                    ));
                }
            }
        }
        self.config.severity = resolved;
        self.diagnostics.extend(diags);
    }

    /// Check one scope's references, parties, durations and evidence paths against the
    /// workspace, and hash its evidence files (I/O belongs to load, so assess can judge
    /// missing and tampered evidence without touching the disk). Reads the workspace, writes
    /// nothing shared: runs on worker threads.
    pub(super) fn check_scope(&self, scope: &mut Scope, root: &Node) -> Vec<Diagnostic> {
        let pos_in = |origin: &Origin, field: &str| root.locate(&format!("{}/{field}", origin.pointer));
        let mut diags = self.hash_evidence(&mut scope.evidence, &|o: &Origin| pos_in(o, "file"));
        diags.extend(self.resolve_party_references(&mut scope.parties, &scope.origin.file, root));
        let inherited = match scope.package.as_deref() {
            None => None,
            Some(id) => match self.inherited.get(id) {
                Some(found) => Some(found.clone()),
                // A package on a circle of `extends` is reported at the package (E024).
                None if self.packages.contains_key(id) => None,
                None => {
                    diags.push(self.unknown_package(id, &scope.origin.file, root.locate("/package"), "package"));
                    None
                }
            },
        };
        // A waiver's finding is checked as `--deny` is: a typo would waive nothing, silently.
        // A built-in rule's name stands for its code.
        let known = (!scope.waivers.is_empty()).then(|| crate::model::codes::KnownCodes::of(&self.packs));
        for w in scope.waivers.iter_mut().flatten() {
            match known.as_ref().map(|k| k.resolve(&w.finding)) {
                Some(Ok(code)) => w.finding = code,
                Some(Err(help)) => diags.push(Diagnostic::new(
                    &w.origin.file,
                    pos_in(&w.origin, "finding"),
                    Code::E007,
                    format!(
                        "the waiver names `{}`, which is not a finding code of any loaded rule",
                        w.finding
                    ),
                    help,
                )),
                None => {}
            }
        }
        let scope = &*scope;
        diags.extend(sla_problems(&scope.sla, &scope.origin.file, |field| {
            root.locate(&format!("/sla/{field}"))
        }));
        if let Some(frameworks) = &scope.frameworks {
            for fw in frameworks {
                if !self.frameworks.contains_key(fw) {
                    let ids: Vec<&str> = self.frameworks.keys().map(String::as_str).collect();
                    diags.push(Diagnostic::new(
                        &scope.origin.file,
                        pos_in(&scope.origin, "frameworks"),
                        Code::E008,
                        format!("unknown framework `{fw}`"),
                        format!("known frameworks: {}", ids.join(", ")),
                    ));
                }
            }
        }
        let mut parties: BTreeSet<&str> = ["client", "msp"].into_iter().collect();
        for p in scope.parties() {
            if !parties.insert(&p.id) {
                diags.push(Diagnostic::new(
                    &scope.origin.file,
                    pos_in(&scope.origin, "parties"),
                    Code::E011,
                    format!("party `{}` is declared twice", p.id),
                    "party ids must be unique in a scope",
                ));
            }
        }
        // The parties the package brings are parties of the scope too.
        for p in inherited.iter().flat_map(|i| &i.parties) {
            parties.insert(&p.id);
        }
        let checks = EntryChecks {
            pos: &pos_in,
            parties: &parties,
            suggestions: std::cell::Cell::new(SUGGESTIONS_PER_FILE),
            declared_where: "the ids under `parties:`",
            declare: "declare the party under `parties:`",
            undecided_help: "write `responsible: undecided` alone while the owner is open, or list only parties (`client`, `msp`, the ids under `parties:`)",
        };
        diags.extend(self.entry_problems(
            Entries {
                services: &scope.services,
                assignments: &scope.assignments,
                client_owned: &scope.client_owned,
                not_applicable: &scope.not_applicable,
                addressable: &scope.addressable,
                evidence: &scope.evidence,
            },
            &checks,
        ));
        for w in scope.waivers.iter().flatten() {
            diags.extend(self.control_problem(&w.control, &w.origin, "control", &checks));
        }
        // Who holds what a service retains: the MSP or a declared party.
        for sub in scope.services.iter().flatten() {
            for (i, r) in sub.retains.iter().flatten().enumerate() {
                if let Some(holder) = &r.held_by {
                    diags.extend(party_problem(
                        holder,
                        &sub.origin,
                        &format!("retains/{i}/held_by"),
                        &checks,
                    ));
                }
            }
        }
        diags
    }

    /// The problems of the entries a scope and a package both declare, checked alike: each
    /// subscription's service and options (E010, E018), each entry's control (E009), and the
    /// parties an assignment or an evidence entry names (E017).
    pub(super) fn entry_problems(&self, entries: Entries<'_>, checks: &EntryChecks<'_>) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let pos = checks.pos;
        for sub in entries.services.iter().flatten() {
            match self.services.get(&sub.service) {
                None => {
                    let near = if checks.suggestions.get() > 0 {
                        checks.suggestions.set(checks.suggestions.get() - 1);
                        closest(&sub.service, self.services.keys().map(String::as_str), 2)
                    } else {
                        Vec::new()
                    };
                    diags.push(Diagnostic::new(
                        &sub.origin.file,
                        pos(&sub.origin, "ref"),
                        Code::E010,
                        format!("unknown service `{}`", sub.service),
                        if near.is_empty() {
                            "add the service under `services/` or fix `ref`".to_string()
                        } else {
                            format!(
                                "did you mean {}?",
                                near.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                            )
                        },
                    ));
                }
                Some(service) => {
                    for option in &sub.options {
                        if !service.options.iter().any(|o| &o.id == option) {
                            let known: Vec<&str> = service.options.iter().map(|o| o.id.as_str()).collect();
                            diags.push(Diagnostic::new(
                                &sub.origin.file,
                                pos(&sub.origin, "options"),
                                Code::E018,
                                format!("service `{}` has no option `{option}`", service.id),
                                format!(
                                    "options of this service: {}",
                                    if known.is_empty() {
                                        "none".to_string()
                                    } else {
                                        known.join(", ")
                                    }
                                ),
                            ));
                        }
                    }
                }
            }
        }
        let party = |diags: &mut Vec<Diagnostic>, id: &str, origin: &Origin, field: &str| {
            diags.extend(party_problem(id, origin, field, checks));
        };
        for a in entries.assignments.iter().flatten() {
            diags.extend(self.control_problem(&a.control, &a.origin, "control", checks));
            if a.is_undecided() {
                // A stub for a person to decide (see `crate::model::UNDECIDED`).
            } else if a.responsible.as_slice().iter().any(|p| p == crate::model::UNDECIDED) {
                diags.push(Diagnostic::new(
                    &a.origin.file,
                    pos(&a.origin, "responsible"),
                    Code::E017,
                    format!(
                        "`{}` cannot be one of several responsible parties",
                        crate::model::UNDECIDED
                    ),
                    checks.undecided_help,
                ));
            } else {
                for p in a.responsible.as_slice() {
                    party(&mut diags, p, &a.origin, "responsible");
                }
            }
            if let Some(p) = &a.accountable {
                party(&mut diags, p, &a.origin, "accountable");
            }
            for p in a.consulted.iter().chain(&a.informed) {
                party(&mut diags, p, &a.origin, "consulted");
            }
        }
        let controls = entries
            .client_owned
            .iter()
            .flatten()
            .map(|c| (&c.control, &c.origin))
            .chain(entries.not_applicable.iter().flatten().map(|n| (&n.control, &n.origin)))
            .chain(entries.addressable.iter().flatten().map(|a| (&a.control, &a.origin)));
        for (control, origin) in controls {
            diags.extend(self.control_problem(control, origin, "control", checks));
        }
        for e in entries.evidence.iter().flatten() {
            for c in &e.controls {
                diags.extend(self.control_problem(c, &e.origin, "controls", checks));
            }
            party(&mut diags, &e.owner, &e.origin, "owner");
        }
        diags
    }

    /// The problem of one control reference of an entry, if any: "did you mean" only while
    /// the file's budget of suggestions lasts.
    fn control_problem(
        &self,
        reference: &str,
        origin: &Origin,
        field: &str,
        checks: &EntryChecks<'_>,
    ) -> Option<Diagnostic> {
        let suggest = checks.suggestions.get() > 0;
        let problem = self.ref_problem(reference, origin, || (checks.pos)(origin, field), suggest);
        if problem.is_some() {
            checks.suggestions.set(checks.suggestions.get().saturating_sub(1));
        }
        problem
    }

    /// Hash the evidence files of a list of entries (a scope's or a package's), so assess can
    /// judge missing and tampered evidence without touching the disk; paths that leave the
    /// workspace or cannot be read are diagnostics, located by `file_pos`.
    pub(super) fn hash_evidence(
        &self,
        evidence: &mut [Option<Evidence>],
        file_pos: &dyn Fn(&Origin) -> Pos,
    ) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        for e in evidence.iter_mut().flatten() {
            let at = || file_pos(&e.origin);
            match self.evidence_path_to_read(&e.file) {
                Ok(path) => match self.reader.sha256(&path) {
                    Ok(sha) => e.found_sha256 = Some(sha),
                    Err(Refusal::Missing) => e.found_sha256 = None,
                    Err(Refusal::Outside) => diags.push(Diagnostic::new(
                        &e.origin.file,
                        at(),
                        Code::E012,
                        format!(
                            "evidence path `{}` resolves (through a symbolic link) to a file outside the workspace",
                            e.file
                        ),
                        "keep evidence inside the workspace, e.g. `evidence/2026-q3-restore-test.pdf`",
                    )),
                    Err(why) => diags.push(Diagnostic::new(
                        &e.origin.file,
                        at(),
                        Code::E016,
                        format!("evidence file `{}` {why}", e.file),
                        why.help(),
                    )),
                },
                Err(why) => diags.push(Diagnostic::new(
                    &e.origin.file,
                    at(),
                    Code::E012,
                    format!("evidence path `{}` {why}", e.file),
                    "keep evidence inside the workspace, e.g. `evidence/2026-q3-restore-test.pdf`",
                )),
            }
        }
        diags
    }

    /// Replace each `parties:` item that names a workspace party by id with that party as
    /// `parties/ID.yaml` declares it; an id nobody declares is E017 at the item.
    pub(super) fn resolve_party_references(
        &self,
        parties: &mut [Option<ThirdParty>],
        file: &str,
        root: &Node,
    ) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        for (k, slot) in parties.iter_mut().enumerate() {
            let Some(p) = slot.as_ref().filter(|p| p.shared) else {
                continue;
            };
            match self.parties.get(&p.id) {
                Some(declared) => *slot = Some(declared.clone()),
                None => {
                    diags.push(self.unknown_shared_party(&p.id, file, root.locate(&format!("/parties/{k}"))));
                    *slot = None;
                }
            }
        }
        diags
    }

    /// E017 for an id in `parties:` that no `parties/*.yaml` declares.
    pub(super) fn unknown_shared_party(&self, id: &str, file: &str, pos: Pos) -> Diagnostic {
        let near = closest(id, self.parties.keys().map(String::as_str), 1);
        Diagnostic::new(
            file,
            pos,
            Code::E017,
            format!("unknown party `{id}`: no file in `parties/` declares it"),
            match near.first() {
                Some(n) => format!(
                    "did you mean `{n}`? Declare the party in `parties/{id}.yaml` (`kind: party`), or declare it here with `id`, `name` and `kind`"
                ),
                None => format!(
                    "declare the party in `parties/{id}.yaml` (`kind: party`), or declare it here with `id`, `name` and `kind`"
                ),
            },
        )
    }

    /// E023 for a package id nobody defines (`what` is the field that names it).
    pub(super) fn unknown_package(&self, id: &str, file: &str, pos: Pos, what: &str) -> Diagnostic {
        let near = closest(id, self.packages.keys().map(String::as_str), 1);
        let known = if self.packages.is_empty() {
            "the workspace has no packages".to_string()
        } else {
            format!(
                "known packages: {}",
                self.packages.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
            )
        };
        Diagnostic::new(
            file,
            pos,
            Code::E023,
            format!("unknown package `{id}` in `{what}`"),
            match near.first() {
                Some(n) => format!("did you mean `{n}`? {known}"),
                None => format!("add `packages/{id}.yaml` (`kind: package`) or fix `{what}`; {known}"),
            },
        )
    }

    /// [`crate::fs::evidence::evidence_path`] without resolving links: the path is then read through the
    /// workspace's reader, which resolves it once and refuses one that leaves the workspace
    /// (E012, in the same words), so resolving it here as well would only repeat the work.
    pub(super) fn evidence_path_to_read(&self, file: &str) -> Result<PathBuf, &'static str> {
        crate::fs::evidence::evidence_path_in(&self.root, None, file)
    }
}

/// The SLA windows that are too long to mean anything, located by `locate(field)`.
pub(super) fn sla_problems(sla: &Sla, file: &str, locate: impl Fn(&str) -> Pos) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    for (field, value) in [
        ("p1_response", &sla.p1_response),
        ("p2_response", &sla.p2_response),
        ("p3_response", &sla.p3_response),
        ("incident_notification", &sla.incident_notification),
        ("client_margin", &sla.client_margin),
        ("security_incident_report", &sla.security_incident_report),
    ] {
        if let Some(text) = value
            && parse_duration_hours(text).is_none()
        {
            diags.push(duration_too_long(file, locate(field), &format!("sla.{field}"), text));
        }
    }
    diags
}

/// A duration too long to mean anything (or to compute with): located, with the bound.
pub(super) fn duration_too_long(file: &str, pos: Pos, field: &str, text: &str) -> Diagnostic {
    Diagnostic::new(
        file,
        pos,
        Code::E007,
        format!(
            "`{field}` is `{text}`, longer than any contract or regulation period ctrlmap accepts (at most {} hours, ten years)",
            MAX_DURATION_HOURS
        ),
        "write the period as agreed, e.g. `24h`, `3d` or `2bd`",
    )
}

/// The entries a scope and a package both declare, for [`Loaded::entry_problems`].
pub(super) struct Entries<'a> {
    pub services: &'a [Option<Subscription>],
    pub assignments: &'a [Option<Assignment>],
    pub client_owned: &'a [Option<ClientOwned>],
    pub not_applicable: &'a [Option<NotApplicable>],
    pub addressable: &'a [Option<Addressable>],
    pub evidence: &'a [Option<Evidence>],
}

/// How the file holding the entries is checked: where a field of an entry is, the parties it
/// may name, its budget of "did you mean" suggestions (each compares with every id), and the
/// words of the help that say where its parties are declared.
pub(super) struct EntryChecks<'a> {
    pub pos: &'a dyn Fn(&Origin, &str) -> Pos,
    pub parties: &'a BTreeSet<&'a str>,
    pub suggestions: std::cell::Cell<usize>,
    /// `the ids under `parties:``: what the parties are, besides `client` and `msp`.
    pub declared_where: &'a str,
    /// How to declare a party that is missing.
    pub declare: &'a str,
    /// The help for `undecided` listed among other responsible parties.
    pub undecided_help: &'a str,
}

/// E017 for a party an entry names that the file may not name.
fn party_problem(party: &str, origin: &Origin, field: &str, checks: &EntryChecks<'_>) -> Option<Diagnostic> {
    if checks.parties.contains(party) {
        return None;
    }
    let near = closest(party, checks.parties.iter().copied(), 1);
    Some(Diagnostic::new(
        &origin.file,
        (checks.pos)(origin, field),
        Code::E017,
        format!("unknown party `{party}`"),
        match near.first() {
            Some(n) => format!(
                "did you mean `{n}`? Parties are `client`, `msp` and {}",
                checks.declared_where
            ),
            None => format!("use `client`, `msp`, or {}", checks.declare),
        },
    ))
}
