//! The GitHub Action (`action.yml` at the repository root) and the README's workflow that
//! uses it: the action is a composite action whose inputs are all declared and described,
//! that installs ctrlmap from the folder it is checked out in, and whose check step, run
//! with bash as a runner would (inputs as environment variables), writes the SARIF and
//! JUnit reports, its `exit-code` output and the job summary. Every `with:` key of the
//! README's workflow is an input of the action, and every file a later step reads is one
//! the action writes.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use support::*;

fn yaml(text: &str) -> Value {
    serde_saphyr::from_str(text).expect("valid YAML")
}

fn action() -> Value {
    yaml(&std::fs::read_to_string(repo().join("action.yml")).expect("action.yml at the repository root"))
}

/// The README's workflow, between its markers.
fn readme_workflow() -> Value {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README");
    let block = readme
        .split("<!-- ci-workflow:begin")
        .nth(1)
        .and_then(|rest| rest.split("<!-- ci-workflow:end -->").next())
        .expect("the README marks its GitHub workflow");
    let yaml_text = block
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a yaml block between the markers");
    yaml(yaml_text)
}

fn steps(workflow: &Value) -> Vec<Value> {
    workflow["jobs"]
        .as_object()
        .expect("jobs")
        .values()
        .flat_map(|job| job["steps"].as_array().cloned().unwrap_or_default())
        .collect()
}

fn inputs(action: &Value) -> BTreeMap<String, Value> {
    action["inputs"]
        .as_object()
        .expect("inputs")
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `${{ inputs.NAME }}` references in a text.
fn input_refs(text: &str) -> Vec<String> {
    text.split("inputs.")
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn the_action_is_composite_and_every_input_it_uses_is_declared_and_described() {
    let action = action();
    assert_eq!(action["runs"]["using"], "composite");
    let declared = inputs(&action);
    for (name, input) in &declared {
        assert!(
            input["description"].as_str().is_some_and(|d| !d.is_empty()),
            "input {name} is described"
        );
    }
    let text = std::fs::read_to_string(repo().join("action.yml")).expect("action.yml");
    for used in input_refs(&text) {
        assert!(declared.contains_key(&used), "`inputs.{used}` is declared");
    }
    let steps = action["runs"]["steps"].as_array().expect("steps");
    for step in steps.iter().filter(|s| s.get("run").is_some()) {
        assert!(
            step["shell"].is_string(),
            "a composite run step names its shell: {step}"
        );
        // Inputs reach scripts through the environment, never pasted into them.
        let script = step["run"].as_str().unwrap_or_default();
        assert!(!script.contains("${{"), "no expression inside a script: {script}");
    }
    // It installs ctrlmap from the folder the action is checked out in: this repository, at
    // the ref the workflow names; `--locked` needs the lock file.
    let install = steps.iter().find(|s| s["id"] == "install").expect("an install step");
    assert_eq!(install["env"]["CTRLMAP_SOURCE"], "${{ github.action_path }}");
    assert!(
        install["run"]
            .as_str()
            .unwrap_or_default()
            .contains("cargo install --locked")
    );
    assert!(repo().join("Cargo.toml").is_file() && repo().join("Cargo.lock").is_file());
    // And uploads the SARIF file it wrote.
    let upload = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload step");
    assert_eq!(upload["with"]["sarif_file"], "${{ inputs.sarif }}");
    assert!(upload["if"].as_str().unwrap_or_default().contains("always()"));
}

#[test]
fn every_path_and_input_the_readme_workflow_names_exists() {
    let action = action();
    let declared = inputs(&action);
    let workflow = readme_workflow();
    let steps = steps(&workflow);
    let ours: Vec<&Value> = steps
        .iter()
        .filter(|s| s["uses"].as_str().is_some_and(|u| u.contains("/ctrlmap@")))
        .collect();
    assert_eq!(ours.len(), 1, "the workflow uses this repository's action once");
    for key in ours[0]["with"]
        .as_object()
        .map(|w| w.keys().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        assert!(declared.contains_key(key), "`with: {key}` is an input of action.yml");
    }
    for step in &steps {
        if let Some(local) = step["uses"].as_str().and_then(|u| u.strip_prefix("./")) {
            assert!(repo().join(local).join("action.yml").is_file(), "uses: ./{local}");
        }
        let script = step["run"].as_str().unwrap_or_default();
        let words: Vec<&str> = script.split_whitespace().collect();
        for pair in words.windows(2).filter(|w| w[0] == "--path") {
            assert!(repo().join(pair[1]).exists(), "`--path {}` exists", pair[1]);
        }
    }
    // A later step reads the JUnit report the action writes, under the name it writes.
    let artifact = steps
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("actions/upload-artifact@"))
        })
        .expect("the JUnit report is kept");
    assert_eq!(artifact["with"]["path"], declared["junit"]["default"]);
}

/// The action's check step as a runner runs it: bash, the inputs (defaults, then the
/// README workflow's `with:`) as the environment its `env:` names, `ctrlmap` on the PATH.
#[test]
fn the_check_step_writes_both_reports_its_exit_code_and_the_job_summary() {
    let action = action();
    let steps = action["runs"]["steps"].as_array().expect("steps").clone();
    let step = steps.iter().find(|s| s["id"] == "check").expect("a check step");
    let mut given: BTreeMap<String, String> = inputs(&action)
        .into_iter()
        .map(|(k, v)| (k, v["default"].as_str().unwrap_or_default().to_string()))
        .collect();
    let workflow = readme_workflow();
    let ours = steps_using_ours(&workflow);
    for (k, v) in ours["with"].as_object().cloned().unwrap_or_default() {
        given.insert(k, v.as_str().map_or_else(|| v.to_string(), str::to_string));
    }

    // The workflow's repository: the example workspace, with the baseline started the way
    // the README says.
    let s = Scratch::new("action");
    copy_dir(&example(), s.path());
    invoke(
        s.path(),
        ["check", ".", "--write-baseline", "ctrlmap-baseline.json"],
        60,
    )
    .go()
    .assert_code(0);
    let output = s.write("github-output", "");
    let summary = s.write("step-summary.md", "");
    let path = format!(
        "{}:{}",
        binary_folder().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = std::process::Command::new("bash");
    cmd.arg("-eo")
        .arg("pipefail")
        .arg("-c")
        .arg(step["run"].as_str().expect("a script"))
        .current_dir(s.path())
        .env("PATH", path)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("NO_COLOR", "1")
        .env_remove("SOURCE_DATE_EPOCH");
    for (key, value) in step["env"].as_object().expect("the step's env") {
        let expr = value.as_str().unwrap_or_default();
        let name = input_refs(expr).pop().expect("an input");
        cmd.env(key, &given[&name]);
    }
    let out = cmd.output().expect("bash runs the step");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.read("github-output"), "exit-code=0\n");
    let sarif: Value = serde_json::from_str(&s.read(&given["sarif"])).expect("SARIF");
    assert_eq!(sarif["version"], "2.1.0");
    let junit = s.read(&given["junit"]);
    roxmltree::Document::parse(&junit).expect("JUnit XML");
    assert!(s.read("step-summary.md").starts_with("## ctrlmap check: ✅ passed"));
    // `--format github` with the README's `args`: the baseline holds every finding of the
    // example, so the log annotates none and says so.
    assert!(stdout.contains("0 findings annotated; "), "{stdout}");
    assert!(stdout.contains(" in the baseline not annotated"), "{stdout}");
}

fn steps_using_ours(workflow: &Value) -> Value {
    steps(workflow)
        .into_iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.contains("/ctrlmap@")))
        .expect("the workflow uses the action")
}
