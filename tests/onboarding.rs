//! Onboarding (issue 14): the README's Quick start run exactly as written, `init` by client
//! profile, `scaffold` stubs that close gaps by editing, and the schemas editors use.

mod support;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use support::*;

fn readme() -> String {
    std::fs::read_to_string(repo().join("README.md")).expect("README.md")
}

/// The text between `<!-- NAME:begin` and `<!-- NAME:end -->` of the README.
fn readme_section(name: &str) -> String {
    let text = readme();
    let begin = text
        .find(&format!("<!-- {name}:begin"))
        .unwrap_or_else(|| panic!("README has no `{name}:begin` marker"));
    let end = text[begin..]
        .find(&format!("<!-- {name}:end -->"))
        .unwrap_or_else(|| panic!("README has no `{name}:end` marker"));
    text[begin..begin + end].to_string()
}

/// The lines of the first fenced block of `lang` in `section`.
fn fenced(section: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}\n");
    let start = section.find(&open).unwrap_or_else(|| panic!("no ```{lang} block")) + open.len();
    let len = section[start..].find("```").expect("closing fence");
    section[start..start + len].lines().map(str::to_string).collect()
}

/// Run one README command line with `sh`, the binary under test first on PATH, in `dir`.
fn shell(dir: &Path, line: &str) -> Run {
    let path = format!(
        "{}:{}",
        binary_folder().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(line)
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run sh");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Run every command of a README `sh` block in `dir`; each must end as its `# exit N` says.
/// Returns each command with its run.
fn run_block(dir: &Path, lines: &[String]) -> Vec<(String, Run)> {
    let mut runs = Vec::new();
    for line in lines.iter().filter(|l| !l.trim().is_empty()) {
        let (command, comment) = line.split_once("   #").expect("every command says its `# exit N`");
        let expected: i32 = comment
            .trim()
            .strip_prefix("exit ")
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("`{line}`: the comment must start with `exit N`"));
        assert!(
            command.trim_start().starts_with("ctrlmap "),
            "`{command}` is a ctrlmap command"
        );
        let run = shell(dir, command.trim());
        assert_eq!(
            run.code, expected,
            "README command `{command}`:\n{}\n{}",
            run.stdout, run.stderr
        );
        runs.push((command.trim().to_string(), run));
    }
    runs
}

#[test]
fn the_readme_quick_start_runs_exactly_as_written_and_check_prints_what_it_shows() {
    let section = readme_section("quick-start");
    let commands = fenced(&section, "sh");
    assert!(
        commands
            .iter()
            .any(|c| c.starts_with("ctrlmap init my-msp --client hipaa --client glba")),
        "the Quick start starts with init for a HIPAA and a GLBA client"
    );
    let dir = Scratch::new("onboarding-quick-start");
    let runs = run_block(dir.path(), &commands);
    let check = &runs
        .iter()
        .find(|(c, _)| c.starts_with("ctrlmap check"))
        .expect("the Quick start runs check")
        .1;
    for shown in fenced(&section, "text") {
        assert!(
            check.stdout.lines().any(|l| l == shown),
            "README shows `{shown}`, check printed:\n{}",
            check.stdout
        );
    }
    // What the README says about it: the gate passes with nothing unassigned, and the
    // findings are the medium evidence ones (CM009), three per client, and the tax preparer's two
    // points of oversight of the MSP that no declared fact answers (CM018).
    assert!(!check.stdout.contains("[CM001]"), "{}", check.stdout);
    let codes: Vec<&str> = check
        .stdout
        .lines()
        .filter_map(|l| l.split_once("medium[").map(|(_, rest)| &rest[..5]))
        .collect();
    assert_eq!(codes.len(), 11, "{}", check.stdout);
    assert_eq!(codes.iter().filter(|c| **c == "CM009").count(), 9, "{codes:?}");
    // The tax preparer records no contract with the MSP and no assessment of it (CM018,
    // 16 CFR 314.4(f)(2) and (f)(3)).
    let oversight: Vec<&str> = check.stdout.lines().filter(|l| l.contains("medium[CM018]")).collect();
    assert_eq!(oversight.len(), 2, "{oversight:?}");
    assert!(
        oversight.iter().all(|l| l.contains("glba-client.yaml")),
        "{oversight:?}"
    );
    // The package workflow: a new client is a short file that names its package, and the
    // package decides its rows.
    let added = std::fs::read_to_string(dir.join("my-msp/scopes/lakeside-family-dental.yaml")).expect("scope");
    assert_eq!(added.lines().count(), 19, "the README says 19 lines:\n{added}");
    assert!(added.contains("package: hipaa-standard\n"), "{added}");
    let explain = &runs
        .iter()
        .find(|(c, _)| c.starts_with("ctrlmap explain"))
        .expect("the Quick start runs explain")
        .1;
    assert!(
        explain
            .stdout
            .contains("from package `hipaa-standard`, my-msp/packages/hipaa-standard.yaml:"),
        "{}",
        explain.stdout
    );
}

#[test]
fn the_readme_undecided_start_fails_the_gate_at_each_stub() {
    let section = readme_section("quick-start-undecided");
    let dir = Scratch::new("onboarding-undecided");
    let runs = run_block(dir.path(), &fenced(&section, "sh"));
    let check = &runs
        .iter()
        .find(|(c, _)| c.starts_with("ctrlmap check"))
        .expect("check")
        .1;
    let scope = dir.join("my-review/scopes/hipaa-client.yaml");
    let text = std::fs::read_to_string(&scope).expect("scope");
    // Every stub is a finding located at its own `- control:` line.
    let stub_lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("  - control: "))
        .map(|(i, _)| i + 1)
        .collect();
    assert!(stub_lines.len() > 100, "{} stubs", stub_lines.len());
    for line in &stub_lines {
        let at = format!("my-review/scopes/hipaa-client.yaml:{line}:1: high[CM00");
        assert!(
            check.stdout.contains(&at),
            "no finding at line {line}:\n{}",
            check.stdout
        );
    }
}

/// The controls of a built-in catalog file, read straight from it: id → (title, role).
fn catalog(id: &str) -> BTreeMap<String, (String, String)> {
    let text = std::fs::read_to_string(repo().join(format!("frameworks/{id}.yaml"))).expect("catalog file");
    let doc: Value = serde_saphyr::from_str(&text).expect("catalog YAML");
    doc["controls"]
        .as_array()
        .expect("controls")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().expect("id").to_string(),
                (
                    c["title"].as_str().expect("title").to_string(),
                    c["role"].as_str().unwrap_or("requirement").to_string(),
                ),
            )
        })
        .collect()
}

/// `(control, the title in its comment)` of every stub of a scope file written by init or scaffold.
fn stubs(text: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(control) = l.trim_start().strip_prefix("- control: ") else {
            continue;
        };
        // The comment that names it comes first among the lines above.
        let title = lines[..i]
            .iter()
            .rev()
            .take_while(|above| above.trim_start().starts_with('#'))
            .find_map(|above| above.trim_start().strip_prefix(&format!("# {control} — ")))
            .unwrap_or_default();
        // A HIPAA specification says whether it is required or addressable after its title.
        let title = title
            .strip_suffix(" (Required)")
            .or_else(|| title.strip_suffix(" (Addressable)"))
            .unwrap_or(title);
        out.push((control.to_string(), title.to_string()));
    }
    out
}

#[test]
fn init_lists_only_catalog_controls_with_their_catalog_titles_for_every_profile() {
    let dir = Scratch::new("onboarding-profiles");
    let ws = dir.join("ws");
    let run = ctrlmap([
        "init".as_ref(),
        ws.as_os_str(),
        "--client".as_ref(),
        "hipaa".as_ref(),
        "--client".as_ref(),
        "glba".as_ref(),
        "--client".as_ref(),
        "nydfs".as_ref(),
        "--client".as_ref(),
        "nydfs-class-a".as_ref(),
        "--client".as_ref(),
        "csf".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let catalogs: BTreeMap<&str, BTreeMap<String, (String, String)>> =
        ["csf-2.0", "hipaa", "glba-safeguards", "nydfs-500"]
            .into_iter()
            .map(|id| (id, catalog(id)))
            .collect();
    let expected_frameworks = [
        ("hipaa", vec!["csf-2.0", "hipaa"]),
        ("glba", vec!["csf-2.0", "glba-safeguards"]),
        ("nydfs", vec!["csf-2.0", "nydfs-500"]),
        ("nydfs-class-a", vec!["csf-2.0", "nydfs-500"]),
        ("csf", vec!["csf-2.0"]),
    ];
    for (profile, frameworks) in &expected_frameworks {
        let text = std::fs::read_to_string(ws.join(format!("scopes/{profile}-client.yaml"))).expect("scope");
        let listed = stubs(&text);
        assert!(!listed.is_empty(), "{profile}");
        for (control, title) in &listed {
            let (fw, id) = control.split_once(':').expect("FRAMEWORK:CONTROL");
            assert!(
                frameworks.contains(&fw),
                "{profile}: {control} is not of {frameworks:?}"
            );
            let (catalog_title, role) = catalogs[fw]
                .get(id)
                .unwrap_or_else(|| panic!("{control} is not in the catalog"));
            assert_eq!(
                title, catalog_title,
                "{profile}: {control}'s comment quotes the catalog title"
            );
            assert_ne!(role, "reference", "{control} is informative, not a duty");
        }
        for fw in frameworks {
            assert!(
                listed.iter().any(|(c, _)| c.starts_with(&format!("{fw}:"))),
                "{profile}: {fw} applies, so its controls are listed"
            );
        }
    }
    // Declared functions decide: a health care provider is no group health plan (164.314(b))
    // and no clearinghouse (164.308(a)(4)(ii)(A)).
    let hipaa = std::fs::read_to_string(ws.join("scopes/hipaa-client.yaml")).expect("scope");
    let listed: Vec<String> = stubs(&hipaa).into_iter().map(|(c, _)| c).collect();
    for na in ["hipaa:164.314(b)", "hipaa:164.308(a)(4)(ii)(A)"] {
        assert!(
            !listed.iter().any(|c| c == na || c.starts_with(&format!("{na}("))),
            "{na}"
        );
    }
    // Class A duties are listed for the Class A company only (23 NYCRR 500.2(c)).
    let stubs_of = |p: &str| -> Vec<String> {
        let text = std::fs::read_to_string(ws.join(format!("scopes/{p}-client.yaml"))).expect("scope");
        stubs(&text).into_iter().map(|(c, _)| c).collect()
    };
    assert!(stubs_of("nydfs-class-a").iter().any(|c| c == "nydfs-500:500.2(c)"));
    assert!(!stubs_of("nydfs").iter().any(|c| c == "nydfs-500:500.2(c)"));
    // Every profile passes the gate at once.
    let check = ctrlmap(["check".as_ref(), ws.as_os_str()]);
    assert_eq!(check.code, 0, "{}\n{}", check.stdout, check.stderr);
    assert!(check.stdout.contains("passed: 5 scopes"), "{}", check.stdout);
}

#[test]
fn init_never_writes_into_a_folder_with_files_unless_asked_and_never_replaces_one() {
    let dir = Scratch::new("onboarding-non-empty");
    std::fs::write(dir.join("ctrlmap.yaml"), "kind: config\n").expect("write");
    let refused = ctrlmap(["init".as_ref(), dir.path().as_os_str()]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--allow-non-empty"), "{}", refused.stderr);
    let still = ctrlmap(["init".as_ref(), dir.path().as_os_str(), "--allow-non-empty".as_ref()]);
    assert_eq!(still.code, 2, "{}", still.stderr);
    assert!(still.stderr.contains("ctrlmap.yaml"), "{}", still.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.join("ctrlmap.yaml")).expect("read"),
        "kind: config\n",
        "the user's file is untouched"
    );
    assert!(!dir.join("scopes").exists(), "nothing was written");
    std::fs::remove_file(dir.join("ctrlmap.yaml")).expect("remove");
    std::fs::write(dir.join("notes.txt"), "mine\n").expect("write");
    let added = ctrlmap(["init".as_ref(), dir.path().as_os_str(), "--allow-non-empty".as_ref()]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    assert_eq!(std::fs::read_to_string(dir.join("notes.txt")).expect("read"), "mine\n");
}

#[test]
fn undecided_mixed_with_a_party_is_a_located_error() {
    let dir = Scratch::new("onboarding-mixed");
    let ws = dir.join("ws");
    assert_eq!(ctrlmap(["init".as_ref(), ws.as_os_str()]).code, 0);
    let scope = ws.join("scopes/csf-client.yaml");
    let mut text = std::fs::read_to_string(&scope).expect("scope");
    text.push_str("assignments:\n  - control: csf-2.0:GV.OC-01\n    responsible: [undecided, msp]\n");
    std::fs::write(&scope, text).expect("write");
    let run = ctrlmap(["validate".as_ref(), ws.as_os_str()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        headers(&run.stderr).iter().any(|h| h.ends_with("E017]")),
        "{}",
        run.stderr
    );
}

/// Remove the assignment of `control` (its `- control:` line and the lines of its item).
fn drop_assignment(text: &str, control: &str) -> String {
    let mut out = String::new();
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with("- control: ") || !line.starts_with("    ") {
            skipping = line.trim_end() == format!("  - control: {control}");
        }
        if !skipping {
            out.push_str(line);
        }
    }
    out
}

#[test]
fn scaffold_writes_stubs_validate_accepts_and_check_passes_once_they_are_decided() {
    let scratch = Scratch::copy_of(&example(), "scaffold");
    let scope = scratch.ws().join("scopes/riverside-dental.yaml");
    let original = std::fs::read_to_string(&scope).expect("scope");
    // Two decisions taken out, of the scope and of its package: the security official and the
    // evaluation become unassigned. Only this practice is checked (its package's other practices
    // lose them too).
    let opened = ["hipaa:164.308(a)(2)", "hipaa:164.308(a)(8)"];
    let package = scratch.ws().join("packages/dental-complete.yaml");
    let mut package_text = std::fs::read_to_string(&package).expect("package");
    let mut text = original.clone();
    for c in opened {
        text = drop_assignment(&text, c);
        package_text = drop_assignment(&package_text, c);
    }
    assert_ne!(text, original);
    std::fs::write(&scope, &text).expect("write");
    std::fs::write(&package, &package_text).expect("write");
    let check = |dir: &Path| {
        ctrlmap([
            "check".as_ref(),
            dir.as_os_str(),
            "--scope".as_ref(),
            "riverside-dental".as_ref(),
        ])
    };
    let before = check(&scratch.ws());
    assert_eq!(before.code, 1, "the opened controls fail the gate:\n{}", before.stdout);

    // Printing changes nothing and shows a stub per open control, with its catalog title and
    // candidates.
    let printed = ctrlmap(["scaffold".as_ref(), scope.as_os_str()]);
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert_eq!(std::fs::read_to_string(&scope).expect("scope"), text);
    let hipaa = catalog("hipaa");
    let listed = stubs(&printed.stdout);
    let listed_controls: Vec<&str> = listed.iter().map(|(c, _)| c.as_str()).collect();
    for c in opened {
        assert!(listed_controls.contains(&c), "{c} in:\n{}", printed.stdout);
    }
    for (control, title) in &listed {
        let id = control.strip_prefix("hipaa:").unwrap_or(control);
        if let Some((catalog_title, _)) = hipaa.get(id) {
            assert_eq!(title, catalog_title);
        }
    }
    assert!(printed.stdout.contains("#   candidate: CSF 2.0 "), "{}", printed.stdout);

    let write = ctrlmap(["scaffold".as_ref(), scope.as_os_str(), "--write".as_ref()]);
    assert_eq!(write.code, 0, "{}", write.stderr);
    let validate = ctrlmap(["validate".as_ref(), scratch.ws().as_os_str()]);
    assert_eq!(validate.code, 0, "{}", validate.stderr);
    let undecided = check(&scratch.ws());
    assert_eq!(
        undecided.code, 1,
        "undecided stubs are unassigned:\n{}",
        undecided.stdout
    );
    let written = std::fs::read_to_string(&scope).expect("scope");
    for c in opened {
        let line = written
            .lines()
            .position(|l| l.trim_start() == format!("- control: {c}"))
            .expect("a stub")
            + 1;
        assert!(
            undecided
                .stdout
                .contains(&format!("scopes/riverside-dental.yaml:{line}:1: high[CM00")),
            "the finding points at the stub of {c} (line {line}):\n{}",
            undecided.stdout
        );
    }
    // A second run finds nothing new.
    let again = ctrlmap(["scaffold".as_ref(), scope.as_os_str(), "--write".as_ref()]);
    assert_eq!(again.code, 0);
    assert_eq!(std::fs::read_to_string(&scope).expect("scope"), written);

    // A person decides: the client performs both (edited as text, as a person would).
    let decided: String = written
        .lines()
        .map(|l| match l.split_once("responsible: undecided") {
            Some((indent, _)) => format!("{indent}responsible: client\n"),
            None => format!("{l}\n"),
        })
        .collect();
    std::fs::write(&scope, decided).expect("write");
    let after = check(&scratch.ws());
    assert_eq!(after.code, 0, "{}\n{}", after.stdout, after.stderr);
}

#[test]
fn scaffold_on_a_scope_without_assignments_adds_the_key() {
    let dir = Scratch::new("onboarding-no-assignments");
    let ws = dir.join("ws");
    assert_eq!(ctrlmap(["init".as_ref(), ws.as_os_str()]).code, 0);
    let scope = ws.join("scopes/csf-client.yaml");
    let text = std::fs::read_to_string(&scope).expect("scope");
    // Without the client-owned list, every CSF outcome but the helpdesk's is open.
    let cut = text.find("client_owned:").expect("client_owned");
    std::fs::write(&scope, &text[..cut]).expect("write");
    let write = ctrlmap(["scaffold".as_ref(), scope.as_os_str(), "--write".as_ref()]);
    assert_eq!(write.code, 0, "{}", write.stderr);
    assert_eq!(ctrlmap(["validate".as_ref(), ws.as_os_str()]).code, 0);
    let written = std::fs::read_to_string(&scope).expect("scope");
    let csf = catalog("csf-2.0");
    let listed = stubs(&written);
    assert!(listed.len() > 50);
    for (control, title) in &listed {
        let id = control.strip_prefix("csf-2.0:").expect("a CSF outcome");
        assert_eq!(&csf[id].0, title);
    }
    assert!(
        !listed.iter().any(|(c, _)| c == "csf-2.0:RS.MA-02"),
        "the helpdesk covers it"
    );
}

fn schema_validator(kind: &str) -> jsonschema::Validator {
    let printed = |kind: &str| {
        let run = ctrlmap(["schema", kind]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<Value>(&run.stdout).expect("the schema is JSON")
    };
    let schema = printed(kind);
    // The scope and service schemas refer to the control reference schema next to them, as
    // `schema --write` writes them: a validator is given it the way an editor finds it.
    let controls = printed("controls");
    let id = controls["$id"].as_str().expect("an $id").to_string();
    let registry = jsonschema::Registry::new()
        .add(id, controls)
        .and_then(|r| r.prepare())
        .expect("the control schema is a resource");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .with_registry(&registry)
        .build(&schema)
        .expect("the schema compiles")
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new(); // a workspace without this folder
    };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    out.sort();
    out
}

#[test]
fn the_printed_schemas_validate_every_example_file() {
    let example = example();
    for (kind, files) in [
        ("scope", yaml_files(&example.join("scopes"))),
        ("service", yaml_files(&example.join("services"))),
        ("package", yaml_files(&example.join("packages"))),
        ("party", yaml_files(&example.join("parties"))),
        ("config", vec![example.join("ctrlmap.yaml")]),
    ] {
        let validator = schema_validator(kind);
        assert!(!files.is_empty());
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read");
            let doc: Value = serde_saphyr::from_str(&text).expect("YAML");
            let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", file.display());
        }
    }
    // A scope that breaks the schema is refused by it (the test can fail).
    let validator = schema_validator("scope");
    let bad: Value = serde_json::json!({ "kind": "scope", "id": "x" });
    assert!(!validator.is_valid(&bad));
}

/// The `$schema` target of a file's first line, resolved against the file's folder.
fn schema_target(file: &Path) -> PathBuf {
    let text = std::fs::read_to_string(file).expect("read");
    let first = text.lines().next().unwrap_or_default();
    let rel = first
        .strip_prefix("# yaml-language-server: $schema=")
        .unwrap_or_else(|| panic!("{} does not start with the $schema line", file.display()));
    file.parent().expect("folder").join(rel)
}

#[test]
fn every_example_and_init_file_points_its_editor_at_the_right_existing_schema() {
    let example = example();
    let dir = Scratch::new("onboarding-editor");
    let ws = dir.join("ws");
    let run = ctrlmap(["init".as_ref(), ws.as_os_str(), "--client".as_ref(), "hipaa".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let packaged = dir.join("packaged");
    let run = ctrlmap([
        "init".as_ref(),
        packaged.as_os_str(),
        "--client".as_ref(),
        "glba".as_ref(),
        "--package".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for base in [&example, &ws, &packaged] {
        let mut files: Vec<(PathBuf, &str)> = vec![(base.join("ctrlmap.yaml"), "config")];
        files.extend(yaml_files(&base.join("scopes")).into_iter().map(|f| (f, "scope")));
        files.extend(yaml_files(&base.join("services")).into_iter().map(|f| (f, "service")));
        files.extend(yaml_files(&base.join("packages")).into_iter().map(|f| (f, "package")));
        files.extend(yaml_files(&base.join("parties")).into_iter().map(|f| (f, "party")));
        for (file, kind) in files {
            let target = schema_target(&file);
            assert!(
                target.ends_with(format!("{kind}.schema.json")),
                "{}: {}",
                file.display(),
                target.display()
            );
            let on_disk = std::fs::read_to_string(&target)
                .unwrap_or_else(|_| panic!("{}: {} does not exist", file.display(), target.display()));
            // The schema it names is the repository's (init writes the embedded copy).
            let repo = std::fs::read_to_string(repo().join(format!("schemas/{kind}.schema.json"))).expect("schema");
            assert_eq!(on_disk, repo, "{}", target.display());
        }
    }
}

#[test]
fn schema_write_writes_all_six_schemas_as_in_the_repository() {
    let dir = Scratch::new("onboarding-schema-write");
    let out = dir.join("schemas");
    let run = ctrlmap(["schema".as_ref(), "--write".as_ref(), out.as_os_str()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("read")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut repo: Vec<String> = std::fs::read_dir(repo().join("schemas"))
        .expect("read")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    repo.sort();
    assert_eq!(names, repo);
    for name in &names {
        assert_eq!(
            std::fs::read(out.join(name)).expect("written"),
            std::fs::read(support::repo().join("schemas").join(name)).expect("repo")
        );
    }
    let unknown = ctrlmap(["schema", "scopes"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    let neither = ctrlmap(["schema"]);
    assert_eq!(neither.code, 2, "{}", neither.stderr);
}

#[test]
fn an_undecided_stub_is_no_source_a_service_claim_still_decides_the_control() {
    let dir = Scratch::new("onboarding-stub-no-source");
    let ws = dir.join("ws");
    assert_eq!(ctrlmap(["init".as_ref(), ws.as_os_str()]).code, 0);
    let scope = ws.join("scopes/csf-client.yaml");
    let mut text = std::fs::read_to_string(&scope).expect("scope");
    // RS.MA-02 is claimed by the subscribed helpdesk (split shared, services/helpdesk.yaml).
    text.push_str("assignments:\n  - control: csf-2.0:RS.MA-02\n    responsible: undecided\n");
    std::fs::write(&scope, text).expect("write");
    let run = ctrlmap(["explain".as_ref(), scope.as_os_str(), "csf-2.0:RS.MA-02".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("owner:        Shared"), "{}", run.stdout);
    assert!(run.stdout.contains("service `helpdesk`"), "{}", run.stdout);
    assert_eq!(ctrlmap(["check".as_ref(), ws.as_os_str()]).code, 0);
}

#[test]
fn init_writes_the_same_bytes_every_time() {
    let dir = Scratch::new("onboarding-twice");
    let (a, b) = (dir.join("a"), dir.join("b"));
    for ws in [&a, &b] {
        let run = ctrlmap([
            "init".as_ref(),
            ws.as_os_str(),
            "--client".as_ref(),
            "nydfs".as_ref(),
            "--client".as_ref(),
            "hipaa".as_ref(),
            "--start".as_ref(),
            "undecided".as_ref(),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    for rel in [
        "ctrlmap.yaml",
        "services/helpdesk.yaml",
        "scopes/hipaa-client.yaml",
        "scopes/nydfs-client.yaml",
        ".ctrlmap/schemas/scope.schema.json",
    ] {
        assert_eq!(
            std::fs::read(a.join(rel)).expect("a"),
            std::fs::read(b.join(rel)).expect("b"),
            "{rel}"
        );
    }
}

/// Controls of a catalog file that only the regulated entity can perform: `retained.responsible`
/// (not `joint`, which others may share) on the control, or on the nearest control that contains
/// it when that mark says its parts are kept too (`parts: retained`) (read straight from the file).
fn retained_responsible(id: &str) -> std::collections::BTreeSet<String> {
    let text = std::fs::read_to_string(repo().join(format!("frameworks/{id}.yaml"))).expect("catalog file");
    let doc: Value = serde_saphyr::from_str(&text).expect("catalog YAML");
    let controls = doc["controls"].as_array().expect("controls");
    let parent: BTreeMap<&str, &str> = controls
        .iter()
        .filter_map(|c| Some((c["id"].as_str()?, c["parent"].as_str()?)))
        .collect();
    let mark: BTreeMap<&str, &Value> = controls
        .iter()
        .filter(|c| c["retained"]["responsible"] == Value::Bool(true))
        .filter_map(|c| Some((c["id"].as_str()?, &c["retained"])))
        .collect();
    let mut out = std::collections::BTreeSet::new();
    for c in controls {
        let own_id = c["id"].as_str().unwrap_or_default();
        let mut at = Some(own_id);
        while let Some(here) = at {
            if let Some(r) = mark.get(here) {
                let reaches = here == own_id || r["parts"] == "retained";
                if reaches && r["joint"] != Value::Bool(true) {
                    out.insert(format!("{id}:{own_id}"));
                }
                break;
            }
            at = parent.get(here).copied();
        }
    }
    out
}

#[test]
fn init_marks_exactly_the_duties_only_the_client_can_perform() {
    let dir = Scratch::new("onboarding-retained");
    let ws = dir.join("ws");
    let run = ctrlmap([
        "init".as_ref(),
        ws.as_os_str(),
        "--client".as_ref(),
        "nydfs".as_ref(),
        "--client".as_ref(),
        "glba".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (profile, fw) in [("nydfs", "nydfs-500"), ("glba", "glba-safeguards")] {
        let expected = retained_responsible(fw);
        assert!(!expected.is_empty());
        let text = std::fs::read_to_string(ws.join(format!("scopes/{profile}-client.yaml"))).expect("scope");
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            let Some(control) = l.trim_start().strip_prefix("- control: ") else {
                continue;
            };
            let marked = lines[..i]
                .iter()
                .rev()
                .take_while(|above| above.trim_start().starts_with('#'))
                .any(|above| above.contains("only the client can perform it"));
            assert_eq!(marked, expected.contains(control), "{control}");
        }
    }
}

#[test]
fn scaffold_leaves_a_disagreement_of_the_scopes_own_entries_to_the_person() {
    let dir = Scratch::new("onboarding-own-conflict");
    let ws = dir.join("ws");
    assert_eq!(ctrlmap(["init".as_ref(), ws.as_os_str()]).code, 0);
    let scope = ws.join("scopes/csf-client.yaml");
    let mut text = std::fs::read_to_string(&scope).expect("scope");
    text.push_str(
        "assignments:\n  - control: csf-2.0:GV.OC-01\n    responsible: msp\n  - control: csf-2.0:GV.OC-01\n    responsible: client\n",
    );
    std::fs::write(&scope, &text).expect("write");
    let run = ctrlmap(["scaffold".as_ref(), scope.as_os_str(), "--write".as_ref()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("csf-2.0:GV.OC-01 (CM002)"), "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(&scope).expect("scope"),
        text,
        "no stub is written"
    );
}
