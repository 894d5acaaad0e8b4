//! `ctrlmap init DIR --client PROFILE…`: a new workspace whose gate means something.
//!
//! One scope per `--client`, with a profile whose declared facts make exactly that client's
//! regulations apply (HIPAA: a covered entity that is a health care provider; GLBA: an
//! institution type the FTC oversees; NY DFS: a covered entity, Class A or not). The scope
//! lists every applicable control that no subscribed service decides, each with its id, its
//! catalog title and a quote of its text as comments, so deciding is editing:
//!
//! - `--start client-owned` (the default) lists them under `client_owned`: before a contract
//!   hands a duty to the MSP, the regulated client is the one responsible for it, so this is
//!   the honest starting point, and the gate passes at once. A comment on each control names
//!   the services of `services/` that claim a CSF 2.0 outcome the crosswalks link to it: what
//!   could be handed to the MSP.
//! - `--start undecided` lists them as assignments with `responsible: undecided`, which the
//!   engine treats as unassigned: `check` fails with CM001 at each stub until a person
//!   decides it.
//!
//! With `--package`, those decisions go into a starter package per profile
//! (`packages/PROFILE-standard.yaml`, the engagement every such client shares) and each scope
//! holds only the client's facts and names the package: the shape of a portfolio, where a new
//! client is a short file (`ctrlmap add-client`).
//!
//! A profile given twice makes two clients (`hipaa-client`, `hipaa-client-2`).
//!
//! Every file starts with a `# yaml-language-server: $schema=…` line pointing at the
//! schemas written into `DIR/.ctrlmap/schemas/` (the ones of this binary), and
//! `DIR/.vscode/settings.json` maps each folder's files to their schema (`yaml.schemas`), so
//! a file moved within its folder keeps its schema.

use super::scaffold::{UNDECIDED_HELP, control_comment, one_line};
use crate::load::Loaded;
use crate::model::{Scope, Service};
use crate::resolve::{self, Summary};
use anyhow::{Context, Result, anyhow};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Folder to create (must not exist or be empty, unless --allow-non-empty).
    pub dir: PathBuf,
    /// A client to start with, by regulatory profile (repeatable; one scope each):
    /// hipaa, glba, nydfs, nydfs-class-a, csf. Default: csf.
    #[arg(long, value_enum, value_name = "PROFILE")]
    pub client: Vec<ClientProfile>,
    /// How the listed controls start: `client-owned` (the client performs each until a
    /// contract says otherwise; the gate passes) or `undecided` (each is a stub the gate
    /// reports as unassigned, CM001, until a person decides it).
    #[arg(long, value_enum, default_value_t = Start::ClientOwned)]
    pub start: Start,
    /// Write into a folder that already holds files (a git repository, say). Files that
    /// `init` would write must still not exist: init never replaces a file.
    #[arg(long)]
    pub allow_non_empty: bool,
    /// Put the decisions into a starter package per profile (`packages/PROFILE-standard.yaml`)
    /// that the scopes name: each scope then holds only the client's facts.
    #[arg(long)]
    pub package: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClientProfile {
    /// A HIPAA covered entity that is a health care provider (45 CFR 164 Subparts C and D).
    Hipaa,
    /// A financial institution under the FTC Safeguards Rule (16 CFR 314): a tax preparer.
    Glba,
    /// A NY DFS covered entity that is not Class A (23 NYCRR 500).
    Nydfs,
    /// A NY DFS Class A company (23 NYCRR 500.1(d)).
    NydfsClassA,
    /// No regulation: NIST CSF 2.0 only.
    Csf,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    ClientOwned,
    Undecided,
}

impl ClientProfile {
    pub(crate) fn slug(self) -> &'static str {
        match self {
            ClientProfile::Hipaa => "hipaa",
            ClientProfile::Glba => "glba",
            ClientProfile::Nydfs => "nydfs",
            ClientProfile::NydfsClassA => "nydfs-class-a",
            ClientProfile::Csf => "csf",
        }
    }

    fn client_name(self) -> &'static str {
        match self {
            ClientProfile::Hipaa => "Example Health Practice",
            ClientProfile::Glba => "Example Tax Preparer",
            ClientProfile::Nydfs => "Example NY DFS Licensee",
            ClientProfile::NydfsClassA => "Example NY DFS Class A Company",
            ClientProfile::Csf => "Example Client LLC",
        }
    }

    /// The profile block (YAML, indented for `client:`), with the facts that decide
    /// applicability and a comment on each saying what to change.
    pub(crate) fn profile_yaml(self) -> &'static str {
        match self {
            ClientProfile::Hipaa => {
                "    # 45 CFR 160.103: covered-entity or business-associate. Which functions the entity has\n\
                 \x20   # decides the group health plan (164.314(b)) and clearinghouse (164.308(a)(4)(ii)(A)) duties.\n\
                 \x20   hipaa: covered-entity\n\
                 \x20   hipaa_functions: [health-care-provider]\n\
                 \x20   # The most individuals one breach could involve (decides the 164.406 / 164.408 notices):\n\
                 \x20   # individuals: 4000\n\
                 \x20   employees: 25\n"
            }
            ClientProfile::Glba => {
                "    # 16 CFR 314.1(b): the kind of financial institution decides whether the FTC rule applies\n\
                 \x20   # (e.g. mortgage-lender, finance-company, collection-agency,\n\
                 \x20   # tax-preparer; the catalog's `institution_types` lists them all, each with its citation).\n\
                 \x20   institution_type: tax-preparer\n\
                 \x20   # Fewer than 5,000 consumers lifts 314.4(b)(1), (d)(2), (h), (i) (16 CFR 314.6); undeclared, they apply:\n\
                 \x20   # consumers: 1200\n\
                 \x20   employees: 25\n"
            }
            ClientProfile::Nydfs => {
                "    # 23 NYCRR 500.1: a covered entity; not a Class A company (500.1(d)).\n\
                 \x20   nydfs: covered-entity\n\
                 \x20   class_a: false\n\
                 \x20   # Fewer than 20 employees and contractors, or the revenue / asset tests of 500.19(a), lift\n\
                 \x20   # part of Part 500; declare `gross_revenue_usd` (three years) and `total_assets_usd` to use them.\n\
                 \x20   employees: 25\n"
            }
            ClientProfile::NydfsClassA => {
                "    # 23 NYCRR 500.1(d): Class A — at least $20M gross annual revenue from New York business and\n\
                 \x20   # over 2,000 employees or over $1B gross annual revenue worldwide.\n\
                 \x20   nydfs: covered-entity\n\
                 \x20   class_a: true\n\
                 \x20   employees: 2500\n"
            }
            ClientProfile::Csf => {
                "    # Declare facts to make a regulation apply, e.g. `hipaa: covered-entity`,\n\
                 \x20   # `institution_type: tax-preparer` (FTC Safeguards Rule), `nydfs: covered-entity`;\n\
                 \x20   # then `ctrlmap scaffold THIS_FILE --write` adds a stub for each control that applies anew.\n\
                 \x20   employees: 25\n"
            }
        }
    }

    /// The profile as data, to resolve the scope before it is written.
    pub(crate) fn profile_json(self) -> serde_json::Value {
        match self {
            ClientProfile::Hipaa => serde_json::json!({
                "hipaa": "covered-entity", "hipaa_functions": ["health-care-provider"], "employees": 25
            }),
            ClientProfile::Glba => serde_json::json!({ "institution_type": "tax-preparer", "employees": 25 }),
            ClientProfile::Nydfs => serde_json::json!({ "nydfs": "covered-entity", "class_a": false, "employees": 25 }),
            ClientProfile::NydfsClassA => {
                serde_json::json!({ "nydfs": "covered-entity", "class_a": true, "employees": 2500 })
            }
            ClientProfile::Csf => serde_json::json!({ "employees": 25 }),
        }
    }

    /// A HIPAA client gets no service subscribed at first: the helpdesk handles ePHI, and a
    /// subscription without `provider.baa_signed` is CM016 (45 CFR 164.308(b)). Recording
    /// the BAA is the user's fact to write, never ours to invent.
    fn subscribes_helpdesk(self) -> bool {
        self != ClientProfile::Hipaa
    }

    /// The starter package `init --package` writes for clients of this profile.
    pub(crate) fn package_id(self) -> String {
        format!("{}-standard", self.slug())
    }

    fn package_name(self) -> &'static str {
        match self {
            ClientProfile::Hipaa => "Standard engagement for HIPAA covered entities (starter)",
            ClientProfile::Glba => "Standard engagement for FTC Safeguards Rule institutions (starter)",
            ClientProfile::Nydfs => "Standard engagement for NY DFS covered entities (starter)",
            ClientProfile::NydfsClassA => "Standard engagement for NY DFS Class A companies (starter)",
            ClientProfile::Csf => "Standard engagement, NIST CSF 2.0 (starter)",
        }
    }
}

/// The lines a HIPAA scope carries for its business associate agreement date, which only
/// the user can write (45 CFR 164.308(b), 164.314(a)). `provider_block` is whether the scope
/// writes its own `provider:` block (the comment then goes inside it).
pub(crate) fn baa_comment(provider_block: bool) -> &'static str {
    if provider_block {
        "  # The date the business associate agreement was signed (45 CFR 164.308(b), 164.314(a)):\n  # baa_signed: 2026-01-15\n"
    } else {
        "# The date the business associate agreement was signed (45 CFR 164.308(b), 164.314(a)):\n# provider:\n#   baa_signed: 2026-01-15\n"
    }
}

/// The first line of every file init writes: where editors find its schema.
/// VS Code's workspace settings, where its YAML extension (yaml-language-server) reads
/// `yaml.schemas`.
const VSCODE_SETTINGS: &str = ".vscode/settings.json";

/// `yaml.schemas`: each kind's schema in `.ctrlmap/schemas/`, for the globs where files of
/// that kind sit.
fn vscode_settings() -> String {
    let schemas: serde_json::Map<String, serde_json::Value> = crate::load::schema::Kind::ALL
        .into_iter()
        .map(|kind| {
            (
                format!("./.ctrlmap/schemas/{}.schema.json", kind.name()),
                serde_json::json!(kind.globs()),
            )
        })
        .collect();
    let doc = serde_json::json!({ "yaml.schemas": schemas });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

pub(crate) fn schema_line(kind: &str, to_root: &str) -> String {
    format!("# yaml-language-server: $schema={to_root}.ctrlmap/schemas/{kind}.schema.json\n")
}

const CONFIG: &str = "\
kind: config
# Your company, as it appears on documents.
provider: Example Managed IT
# `ctrlmap check` fails on findings of this severity or higher (critical, high, medium, low, none).
fail_on: high
";

const SERVICE: &str = "\
kind: service
id: helpdesk
name: Helpdesk and End-User Support
tower: managed-end-user
description: >-
  Remote and on-site support for the client's staff, 8x5 with P1 critical 1-hour response,
  P2 high 4-hour response and P3 standard next-business-day response.
# Technicians who remote into workstations can see patient data: for a HIPAA client this
# service needs a business associate agreement (`provider.baa_signed` in the scope).
ephi: true
controls:
  - control: csf-2.0:RS.MA-02
    split: shared
    msp: Triage every reported incident within the SLA response time and escalate confirmed incidents.
    client: Report suspected incidents to the helpdesk without delay.
    evidence: [Monthly ticket report with response times]
";

fn helpdesk() -> Result<Service> {
    serde_saphyr::from_str(SERVICE).map_err(|e| anyhow!("the built-in example service does not parse: {e}"))
}

/// A client `init` writes: its profile, id and name.
#[derive(Debug, Clone)]
struct Client {
    profile: ClientProfile,
    id: String,
    name: String,
}

/// The clients of `--client`, in profile order; a profile given again is another client
/// (`hipaa-client-2`, "Example Health Practice 2"), never dropped.
fn clients_of(profiles: &[ClientProfile]) -> Vec<Client> {
    let mut sorted = profiles.to_vec();
    if sorted.is_empty() {
        sorted.push(ClientProfile::Csf);
    }
    sorted.sort();
    let mut out: Vec<Client> = Vec::new();
    for profile in sorted {
        let n = out.iter().filter(|c| c.profile == profile).count() + 1;
        let (id, name) = if n == 1 {
            (format!("{}-client", profile.slug()), profile.client_name().to_string())
        } else {
            (
                format!("{}-client-{n}", profile.slug()),
                format!("{} {n}", profile.client_name()),
            )
        };
        out.push(Client { profile, id, name });
    }
    out
}

/// The scope before its stubs: as data (to resolve) and as text (to write).
fn scope_head(client: &Client, provider: &str) -> (serde_json::Value, String) {
    let (profile, id) = (client.profile, &client.id);
    let services = if profile.subscribes_helpdesk() {
        serde_json::json!([{ "ref": "helpdesk" }])
    } else {
        serde_json::json!([])
    };
    let data = serde_json::json!({
        "kind": "scope",
        "id": id,
        "client": { "name": client.name, "profile": profile.profile_json() },
        "provider": { "name": provider },
        "model": "co-managed",
        "services": services,
        "sla": { "p1_response": "1h", "p2_response": "4h", "p3_response": "next-business-day", "incident_notification": "24h" },
    });
    let mut text = schema_line("scope", "../");
    let _ = write!(
        text,
        "kind: scope\nid: {id}\nclient:\n  name: {}\n  profile:\n{}provider:\n  name: {provider}\n",
        client.name,
        profile.profile_yaml()
    );
    if profile == ClientProfile::Hipaa {
        text.push_str(baa_comment(true));
    }
    text.push_str(&engagement(profile));
    (data, text)
}

/// The engagement `init` starts a client of this profile with: model, services, SLA (what a
/// starter package holds, or the scope itself without one).
fn engagement(profile: ClientProfile) -> String {
    let mut text = String::from("model: co-managed\n");
    if profile.subscribes_helpdesk() {
        text.push_str("services:\n  - ref: helpdesk\n");
    } else {
        text.push_str("# Subscribe services once each client's BAA is signed and recorded in its scope:\nservices: []\n# services:\n#   - ref: helpdesk\n");
    }
    text.push_str(
        "sla:\n  p1_response: 1h\n  p2_response: 4h\n  p3_response: next-business-day\n  incident_notification: 24h\n",
    );
    text
}

/// A starter package for clients of `profile`: the engagement and every decision `init`
/// would otherwise write into each scope.
fn package_text(ws: &Loaded, services: &[Service], client: &Client, start: Start, provider: &str) -> Result<String> {
    let (data, _) = scope_head(client, provider);
    let scope: Scope = serde_json::from_value(data).context("building the example scope")?;
    let profile = client.profile;
    let mut text = schema_line("package", "../");
    let _ = write!(
        text,
        "kind: package\nid: {}\nname: {}\ndescription: >-\n  What every {} client of this MSP shares: the engagement, its services and SLA, and who\n  performs each control. A scope names it (`package: {}`) and states only what differs.\n",
        profile.package_id(),
        profile.package_name(),
        profile.slug(),
        profile.package_id()
    );
    text.push_str(&engagement(profile));
    text.push_str(&decisions(
        ws,
        services,
        &scope,
        start,
        &format!("for the profile `init --client {}` writes", profile.slug()),
    ));
    Ok(text)
}

/// A scope that names its starter package: the client's facts only.
fn packaged_scope_text(client: &Client) -> String {
    let profile = client.profile;
    let mut text = schema_line("scope", "../");
    let _ = write!(
        text,
        "kind: scope\nid: {}\nclient:\n  name: {}\n  profile:\n{}# The engagement: services, SLA and who performs each control (packages/{}.yaml).\n# Add here only what differs for this client.\npackage: {}\n",
        client.id,
        client.name,
        profile.profile_yaml(),
        profile.package_id(),
        profile.package_id()
    );
    if profile == ClientProfile::Hipaa {
        text.push_str(baa_comment(false));
    }
    text
}

/// The CSF 2.0 outcomes the crosswalks link to a control, with their relationships.
pub(crate) fn linked_outcomes<'a>(ws: &'a Loaded, framework: &str, id: &str) -> Vec<(&'a str, &'static str)> {
    let mut out: Vec<(&str, &str)> = ws
        .crosswalks
        .iter()
        .filter(|cw| cw.from == framework && cw.to == "csf-2.0")
        .flat_map(|cw| cw.mappings.iter().flatten())
        .filter(|m| m.from == id)
        .map(|m| (m.to.as_str(), m.relationship.as_str()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The services of the catalog that claim a control (`csf-2.0:…` or `framework:id`).
pub(crate) fn claimed_by<'a>(services: &'a [Service], control: &str) -> Vec<&'a str> {
    services
        .iter()
        .filter(|s| s.controls.iter().flatten().any(|c| c.control == control))
        .map(|s| s.id.as_str())
        .collect()
}

/// One scope file's text: the head and one stub per control nobody decides yet.
fn scope_text(ws: &Loaded, services: &[Service], client: &Client, start: Start, provider: &str) -> Result<String> {
    let (data, mut text) = scope_head(client, provider);
    let scope: Scope = serde_json::from_value(data).context("building the example scope")?;
    text.push_str(&decisions(ws, services, &scope, start, "from the profile above"));
    Ok(text)
}

/// The decisions of a new scope (or starter package): every applicable control of `scope` that
/// nobody decides yet, under `client_owned:` or as `responsible: undecided` stubs, each with the
/// catalog's title and text and the services that could take it.
pub(crate) fn decisions(ws: &Loaded, services: &[Service], scope: &Scope, start: Start, profile_note: &str) -> String {
    let mut text = String::new();
    let matrix = resolve::resolve(ws, scope);
    let open: Vec<_> = matrix.rows.iter().filter(|r| open_for_scope(r)).collect();
    let frameworks: Vec<&str> = matrix.frameworks.iter().map(|f| f.id.as_str()).collect();
    let _ = writeln!(
        text,
        "# Frameworks that apply ({profile_note}): {}.",
        frameworks.join(", ")
    );
    match start {
        Start::ClientOwned => {
            text.push_str(
                "# Before a contract hands a duty to the MSP, the client performs it: every applicable control\n\
                 # that no subscribed service covers starts here. Move one to the MSP by subscribing a service\n\
                 # that claims it (services/) or by an `assignments:` entry, and delete its line here.\n\
                 # `could go to the MSP` names services of services/ that claim a linked CSF 2.0 outcome.\n\
                 client_owned:\n",
            );
        }
        Start::Undecided => {
            text.push_str(
                "# Every applicable control that no subscribed service covers, waiting for a decision:\n\
                 # replace each `undecided` with the party that performs it. Until then `ctrlmap check`\n\
                 # reports it as unassigned (CM001) at its line.\n\
                 assignments:\n",
            );
        }
    }
    let mut current = "";
    for row in &open {
        let Some(fw) = ws.framework(&row.framework) else {
            continue;
        };
        if *row.framework != *current {
            let _ = writeln!(
                text,
                "\n  # ── {} ({}) ──",
                one_line(&fw.catalog.title),
                one_line(&fw.catalog.citation)
            );
            current = fw.id();
        }
        control_comment(&mut text, "  ", fw, &row.id);
        let mut handoff: BTreeSet<String> = BTreeSet::new();
        for s in claimed_by(services, &row.control) {
            handoff.insert(format!("service `{s}` claims it"));
        }
        for (outcome, relationship) in linked_outcomes(ws, &row.framework, &row.id) {
            for s in claimed_by(services, &format!("csf-2.0:{outcome}")) {
                handoff.insert(format!("service `{s}` claims csf-2.0:{outcome} ({relationship})"));
            }
        }
        if start == Start::ClientOwned && !handoff.is_empty() {
            let list: Vec<String> = handoff.into_iter().collect();
            let _ = writeln!(text, "  #   could go to the MSP: {}", one_line(&list.join("; ")));
        }
        let _ = writeln!(text, "  - control: {}", row.control);
        if start == Start::Undecided {
            let _ = writeln!(text, "    responsible: undecided  # {UNDECIDED_HELP}");
        }
    }
    if open.is_empty() {
        // Nothing to list: keep the key valid.
        text.truncate(text.trim_end_matches('\n').len());
        text.push_str(" []\n");
    }
    text
}

/// A row the scope itself should decide: assignable and unassigned, and not waiting on a stub of
/// its package (`responsible: undecided` there: the package decides it for all its clients).
pub(crate) fn open_for_scope(row: &crate::resolve::Row) -> bool {
    row.assignable
        && row.summary == Summary::Unassigned
        && !row
            .provenance
            .iter()
            .any(|p| p.kind == crate::resolve::SourceKind::Default && p.package.is_some())
}

/// Is the folder absent or empty?
fn is_empty_dir(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(anyhow!(e).context(format!("reading {}", dir.display()))),
    }
}

/// Write the workspace; returns the files written (relative to `dir`) and one line of
/// summary per scope.
pub fn scaffold(args: &InitArgs) -> Result<(Vec<String>, Vec<String>)> {
    let dir = &args.dir;
    let shown = crate::fs::input::display_path(dir);
    if !args.allow_non_empty && !is_empty_dir(dir)? {
        return Err(super::fail(&format!(
            "{shown} is not empty; init writes only into a new or empty folder (pick one, or pass --allow-non-empty to add a workspace next to what is there)"
        )));
    }
    let clients = clients_of(&args.client);
    let ws = Loaded::builtin().map_err(|e| anyhow!(e))?;
    let mut ws = ws;
    let service = helpdesk()?;
    ws.services.insert(service.id.clone(), service.clone());
    let services = vec![service];
    let provider = "Example Managed IT";

    let mut files: Vec<(String, String)> = Vec::new();
    files.push(("ctrlmap.yaml".into(), schema_line("config", "./") + CONFIG));
    files.push(("services/helpdesk.yaml".into(), schema_line("service", "../") + SERVICE));
    let mut summary = Vec::new();
    let listed = |text: &str| {
        let stubs = text.lines().filter(|l| l.starts_with("  - control: ")).count();
        format!(
            "{stubs} controls {}",
            match args.start {
                Start::ClientOwned => "client-owned",
                Start::Undecided => "undecided",
            }
        )
    };
    for client in &clients {
        if !args.package {
            let text = scope_text(&ws, &services, client, args.start, provider)?;
            summary.push(format!(
                "scopes/{}.yaml: {} ({})",
                client.id,
                client.name,
                listed(&text)
            ));
            files.push((format!("scopes/{}.yaml", client.id), text));
            continue;
        }
        let id = client.profile.package_id();
        let file = format!("packages/{id}.yaml");
        if !files.iter().any(|(name, _)| *name == file) {
            let text = package_text(&ws, &services, client, args.start, provider)?;
            summary.push(format!("{file}: {} ({})", client.profile.package_name(), listed(&text)));
            files.push((file, text));
        }
        summary.push(format!("scopes/{}.yaml: {} (package `{id}`)", client.id, client.name));
        files.push((format!("scopes/{}.yaml", client.id), packaged_scope_text(client)));
    }
    for (name, text) in super::schema::files()? {
        files.push((format!(".ctrlmap/schemas/{name}"), text));
    }
    // The editor finds each file's schema by where it sits, wherever it is moved to inside
    // its folder (the `$schema` lines are relative to the file). A settings file the folder
    // already has is left alone, and the summary says what to add.
    let settings = vscode_settings();
    if std::fs::symlink_metadata(dir.join(VSCODE_SETTINGS)).is_ok() {
        summary.push(format!(
            "{VSCODE_SETTINGS} exists and was kept; add this to it for editors that do not read the `$schema` lines:\n{settings}"
        ));
    } else {
        files.push((VSCODE_SETTINGS.into(), settings));
    }
    files.push((
        "evidence/README.md".into(),
        "Evidence files (reports, exports, signed policies) go here; scopes reference them by path.\n".into(),
    ));
    // Never replace a file (with --allow-non-empty the folder may hold some).
    let existing: Vec<&str> = files
        .iter()
        .filter(|(name, _)| std::fs::symlink_metadata(dir.join(name)).is_ok())
        .map(|(name, _)| name.as_str())
        .collect();
    if !existing.is_empty() {
        return Err(super::fail(&format!(
            "{shown} already holds {}; init never replaces a file (move them away or pick another folder)",
            existing.join(", ")
        )));
    }
    for (name, text) in &files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        super::write_file(&path, text.as_bytes())?;
    }
    Ok((files.into_iter().map(|(n, _)| n).collect(), summary))
}

pub fn run(args: InitArgs) -> Result<u8> {
    let (_, summary) = scaffold(&args)?;
    let shown = crate::fs::input::display_path(&args.dir);
    let mut text = format!("Created a ctrlmap workspace in {shown}:\n");
    for line in &summary {
        let _ = writeln!(text, "  {line}");
    }
    let _ = write!(
        text,
        "Editor schemas are in {shown}/.ctrlmap/schemas/ (each file's first line points at its schema, and {shown}/.vscode/settings.json maps each folder's files to theirs).\nNext: `ctrlmap check {shown}`{}.\n",
        match args.start {
            Start::ClientOwned =>
                ", then hand controls to the MSP by subscribing services (see the `could go to the MSP` comments)",
            Start::Undecided => ", then replace each `responsible: undecided` with the party that performs it",
        }
    );
    crate::emit::terminal::print(&text, false)?;
    Ok(0)
}
