//! The real yaml-language-server (the engine of VS Code's YAML extension, and of Neovim's,
//! Helix's and JetBrains' YAML support) over the example workspace, with ctrlmap's schemas:
//! no diagnostics on the example's files, the planted errors reported on their lines,
//! completion at `control:` offering every built-in control id with its title, and a scope
//! moved out of reach of its `$schema` line still checked through the `yaml.schemas`
//! setting `ctrlmap init` writes.
//!
//! The server is installed from npm into the target folder on first use (a pinned version;
//! later runs reuse it). Where npm or Node.js is not there at all, each test says so and
//! skips; where npm is there, a failed install fails the test.

mod support;

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};
use support::*;

/// The 1.x line: 2.0 needs Node.js 22.13 or later, and this project's machines have 20.
const SERVER_VERSION: &str = "1.25.0";

/// How long any one answer of the server may take.
const PATIENCE: Duration = Duration::from_secs(90);

/// The server's entry point, installed once per target folder; `Err` says why the tests
/// cannot run here (no npm or no Node.js).
fn server_script() -> Result<PathBuf, String> {
    static INSTALLED: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let have = |tool: &str| {
                Command::new(tool)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            };
            if !have("node") || !have("npm") {
                return Err("Node.js and npm are not installed on this machine".into());
            }
            let prefix =
                PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("yaml-language-server-{SERVER_VERSION}"));
            let script = prefix.join("node_modules/yaml-language-server/bin/yaml-language-server");
            if !script.is_file() {
                std::fs::create_dir_all(&prefix).expect("a folder for the server");
                let out = Command::new("npm")
                    .args(["install", "--no-audit", "--no-fund", "--no-save", "--prefix"])
                    .arg(&prefix)
                    .arg(format!("yaml-language-server@{SERVER_VERSION}"))
                    .output()
                    .expect("run npm");
                assert!(
                    out.status.success() && script.is_file(),
                    "npm could not install yaml-language-server@{SERVER_VERSION}:\n{}{}",
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            Ok(script)
        })
        .clone()
}

macro_rules! server_or_skip {
    () => {
        match server_script() {
            Ok(script) => script,
            Err(why) => {
                eprintln!("skipped: {why}; this test drives yaml-language-server, which runs on Node.js");
                return;
            }
        }
    };
}

/// A yaml-language-server over stdio, answering its configuration requests with `settings`.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    settings: Value,
    /// The latest diagnostics published for each document.
    diagnostics: BTreeMap<String, Vec<Value>>,
}

impl Server {
    fn start(script: &Path, root: &Path, schemas: Value) -> Server {
        let mut child = Command::new("node")
            .arg(script)
            .arg("--stdio")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the language server");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(n) = header.strip_prefix("Content-Length:") {
                        length = n.trim().parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.unwrap_or(0)];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if let Ok(message) = serde_json::from_slice::<Value>(&body)
                    && tx.send(message).is_err()
                {
                    return;
                }
            }
        });
        let settings = json!({
            "yaml": {
                "validate": true,
                "completion": true,
                "hover": true,
                "schemaStore": { "enable": false },
                "schemas": schemas,
            }
        });
        let mut server = Server {
            child,
            stdin,
            messages,
            next_id: 0,
            settings,
            diagnostics: BTreeMap::new(),
        };
        let root_uri = uri(root);
        server.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{ "uri": root_uri, "name": "workspace" }],
                "capabilities": {
                    "workspace": { "configuration": true },
                    "textDocument": { "completion": { "completionItem": { "documentationFormat": ["plaintext"] } } }
                }
            }),
        );
        server.notify("initialized", json!({}));
        let settings = server.settings.clone();
        server.notify("workspace/didChangeConfiguration", json!({ "settings": settings }));
        server
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to the server");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + PATIENCE;
        loop {
            let message = self.next(deadline).unwrap_or_else(|| panic!("no answer to {method}"));
            if message["id"] == id && message.get("method").is_none() {
                return message["result"].clone();
            }
            self.handle(message);
        }
    }

    fn next(&mut self, deadline: Instant) -> Option<Value> {
        let left = deadline.saturating_duration_since(Instant::now());
        self.messages.recv_timeout(left).ok()
    }

    /// Notifications are recorded; the server's own requests are answered.
    fn handle(&mut self, message: Value) {
        match (message["method"].as_str(), message.get("id")) {
            (Some("textDocument/publishDiagnostics"), None) => {
                let params = &message["params"];
                let list = params["diagnostics"].as_array().cloned().unwrap_or_default();
                self.diagnostics
                    .insert(params["uri"].as_str().unwrap_or_default().to_string(), list);
            }
            (Some("workspace/configuration"), Some(id)) => {
                let items = message["params"]["items"].as_array().cloned().unwrap_or_default();
                let result: Vec<Value> = items
                    .iter()
                    .map(|item| self.settings[item["section"].as_str().unwrap_or_default()].clone())
                    .collect();
                let id = id.clone();
                self.send(json!({ "jsonrpc": "2.0", "id": id, "result": result }));
            }
            (Some(_), Some(id)) => {
                let id = id.clone();
                self.send(json!({ "jsonrpc": "2.0", "id": id, "result": null }));
            }
            _ => {}
        }
    }

    /// Open a document (its text need not be on disk) and wait for its diagnostics: the
    /// first list published for it, and any that follows within a moment.
    fn open(&mut self, document: &str, text: &str) -> Vec<Value> {
        self.diagnostics.remove(document);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": document, "languageId": "yaml", "version": 1, "text": text } }),
        );
        let deadline = Instant::now() + PATIENCE;
        while !self.diagnostics.contains_key(document) {
            let message = self
                .next(deadline)
                .unwrap_or_else(|| panic!("no diagnostics for {document}"));
            self.handle(message);
        }
        let settle = Instant::now() + Duration::from_millis(500);
        while let Some(message) = self.next(settle) {
            self.handle(message);
        }
        self.diagnostics[document].clone()
    }

    /// The completion items at a place of an open document.
    fn complete(&mut self, document: &str, line: usize, character: usize) -> Vec<Value> {
        let result = self.request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": document }, "position": { "line": line, "character": character } }),
        );
        match result {
            Value::Array(items) => items,
            other => other["items"].as_array().cloned().unwrap_or_default(),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", path.display())
}

/// `(line, message)` of each diagnostic, lines counted from 1.
fn where_and_what(diagnostics: &[Value]) -> Vec<(u64, String)> {
    diagnostics
        .iter()
        .map(|d| {
            (
                d["range"]["start"]["line"].as_u64().unwrap_or_default() + 1,
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// An item's text as inserted, and its documentation.
fn offered(items: &[Value]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|item| {
            let text = item["insertText"]
                .as_str()
                .or_else(|| item["label"].as_str())
                .unwrap_or_default()
                .trim_matches(['"', '\''])
                .to_string();
            let doc = match &item["documentation"] {
                Value::String(s) => s.clone(),
                other => other["value"].as_str().unwrap_or_default().to_string(),
            };
            (text, doc)
        })
        .collect()
}

/// Every control id of the built-in catalog files (read here, not from ctrlmap).
fn catalog_ids() -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(repo().join("frameworks"))
        .expect("frameworks/")
        .flatten()
    {
        let path = entry.path();
        if path.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        let doc: Value = serde_saphyr::from_str(&std::fs::read_to_string(&path).expect("catalog")).expect("YAML");
        let id = doc["id"].as_str().expect("id").to_string();
        for c in doc["controls"].as_array().expect("controls") {
            out.push(format!("{id}:{}", c["id"].as_str().expect("control id")));
        }
    }
    out
}

const DENTAL: &str = "examples/northwind-msp/scopes/riverside-dental.yaml";

/// The example scope with `edit` applied to its lines: the text, and the 0-based line index
/// `edit` returns.
fn planted(edit: impl Fn(&mut Vec<String>) -> usize) -> (String, usize) {
    let text = std::fs::read_to_string(repo().join(DENTAL)).expect("example scope");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let at = edit(&mut lines);
    (lines.join("\n") + "\n", at)
}

/// The line index just after `assignments:`, where a new entry can go.
fn after_assignments(lines: &[String]) -> usize {
    lines
        .iter()
        .position(|l| l == "assignments:")
        .expect("the example has assignments")
        + 1
}

#[test]
fn the_example_has_no_diagnostics_and_planted_errors_are_reported_on_their_lines() {
    let script = server_or_skip!();
    let mut server = Server::start(&script, &repo(), json!({}));
    let example = example();
    let mut files = vec![example.join("ctrlmap.yaml")];
    for folder in ["services", "scopes", "packages", "parties"] {
        let mut list: Vec<PathBuf> = std::fs::read_dir(example.join(folder))
            .expect("folder")
            .flatten()
            .map(|e| e.path())
            .collect();
        list.sort();
        files.extend(list);
    }
    assert!(files.len() > 10, "{files:?}");
    for file in &files {
        let text = std::fs::read_to_string(file).expect("example file");
        assert!(
            text.starts_with("# yaml-language-server: $schema="),
            "{}",
            file.display()
        );
        let found = server.open(&uri(file), &text);
        assert!(found.is_empty(), "{}: {found:#?}", file.display());
    }

    // Three mistakes in a copy of a scope next to the real one (its `$schema` line resolves
    // the same way): a value outside the allowed set, an unknown key, and a CSF 1.1 id.
    let (text, model) = planted(|lines| {
        // The example's scope takes its model from its package: write one of its own.
        let package = lines.iter().position(|l| l.starts_with("package: ")).expect("package");
        let model = package + 1;
        lines.insert(model, "model: comanaged".into());
        let at = after_assignments(lines);
        lines.insert(at, "  - control: csf-2.0:PR.AC-01".into());
        lines.insert(at + 1, "    responsible: client".into());
        lines.push("bogus_key: 1".into());
        model
    });
    let csf11 = text
        .lines()
        .position(|l| l == "  - control: csf-2.0:PR.AC-01")
        .expect("planted") as u64
        + 1;
    let bogus = text.lines().count() as u64;
    let document = uri(&example.join("scopes")) + "/planted.yaml";
    let found = where_and_what(&server.open(&document, &text));
    let lines: Vec<u64> = found.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [model as u64 + 1, csf11, bogus], "{found:#?}");
    assert!(found[0].1.contains("\"co-managed\""), "{found:#?}");
    assert!(
        found[1].1.starts_with("Not a control of the built-in catalogs"),
        "{found:#?}"
    );
    assert!(found[2].1.contains("bogus_key"), "{found:#?}");

    // A service's split outside msp / shared / client.
    let service = std::fs::read_to_string(example.join("services/managed-backup.yaml")).expect("service");
    let broken = service.replacen("split: msp", "split: half", 1);
    assert_ne!(broken, service);
    let line = broken.lines().position(|l| l.contains("split: half")).expect("planted") as u64 + 1;
    let document = uri(&example.join("services")) + "/planted.yaml";
    let found = where_and_what(&server.open(&document, &broken));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, line);
}

#[test]
fn completion_at_control_offers_every_built_in_control_with_its_title() {
    let script = server_or_skip!();
    let mut server = Server::start(&script, &repo(), json!({}));
    let (text, at) = planted(|lines| {
        let at = after_assignments(lines);
        lines.insert(at, "  - control: ".into());
        lines.insert(at + 1, "    responsible: ".into());
        at
    });
    let document = uri(&example().join("scopes")) + "/typing.yaml";
    server.open(&document, &text);
    let items = offered(&server.complete(&document, at, "  - control: ".len()));
    for id in catalog_ids() {
        assert!(items.contains_key(&id), "{id} is offered");
    }
    // Each with its title from the regulation (45 CFR 164.308(a)(7)(ii)(A); CSF 2.0 PR.DS-11).
    assert_eq!(items["hipaa:164.308(a)(7)(ii)(A)"], "Data backup plan (Required)");
    assert_eq!(
        items["csf-2.0:PR.DS-11"],
        "Backups of data are created, protected, maintained, and tested"
    );
    assert!(
        !items["nydfs-500:500.12(a)"].is_empty(),
        "NY DFS controls have titles too"
    );
    // At `responsible:`, the parties every scope has, and the stub.
    let parties = offered(&server.complete(&document, at + 1, "    responsible: ".len()));
    for party in ["client", "msp", "undecided"] {
        assert!(parties.contains_key(party), "{party}: {parties:?}");
    }
}

#[test]
fn a_moved_scope_keeps_its_schema_through_the_settings_init_writes() {
    let script = server_or_skip!();
    let s = Scratch::new("lsp-moved");
    invoke(s.path(), ["init", "ws", "--client", "hipaa"], 60)
        .go()
        .assert_code(0);
    let settings: Value = serde_json::from_str(&s.read("ws/.vscode/settings.json")).expect("settings");
    // Moved into scopes/nj/, without its `$schema` line, with a mistake.
    let text = s.read("ws/scopes/hipaa-client.yaml");
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("# yaml-language-server:"))
        .map(|l| {
            if l.starts_with("model: ") {
                "model: bogus\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    s.write("ws/scopes/nj/moved.yaml", &text);
    std::fs::remove_file(s.ws().join("scopes/hipaa-client.yaml")).expect("moved");
    let document = uri(&s.ws().join("scopes/nj/moved.yaml"));

    let mut with_settings = Server::start(&script, &s.ws(), settings["yaml.schemas"].clone());
    let found = where_and_what(&with_settings.open(&document, &text));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].1.contains("\"co-managed\""), "{found:#?}");
    let line = text.lines().position(|l| l == "model: bogus").expect("planted") as u64 + 1;
    assert_eq!(found[0].0, line);

    // Without them, nothing would have checked the file.
    let mut without = Server::start(&script, &s.ws(), json!({}));
    assert!(without.open(&document, &text).is_empty());
}
