//! Interoperability with compliance-trestle 3.x, the Python OSCAL tooling GRC teams script
//! with (acceptance 2 of issue 23): every exported catalog, profile, component definition,
//! plan (the provider's and each client's), assessment plan, assessment results and POA&M is
//! imported into a trestle workspace in another folder, `trestle validate -a` passes, and
//! `trestle author ssp-generate --leveraged-ssp` reads the provider plan's provided and
//! responsibility statements. (Trestle 3 reads OSCAL 1.1; the 1.2 mapping collections are not
//! among its models.)
//!
//! Trestle is installed from PyPI into `target/trestle-venv` (`.ci/run` does it first); the
//! test installs it there itself when it is missing, and is skipped, saying why, only when
//! Python or the package index cannot be reached.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::oscal::{json, tree};

/// The trestle executable, installed if needed; `Err` says why it cannot be.
fn trestle() -> Result<PathBuf, String> {
    let venv = support::repo().join("target/trestle-venv");
    let bin = venv.join("bin/trestle");
    if !bin.is_file() {
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let made = Command::new(&python)
            .args(["-m", "venv"])
            .arg(&venv)
            .output()
            .map_err(|e| format!("{python} cannot be run: {e}"))?;
        if !made.status.success() {
            return Err(format!(
                "{python} -m venv failed: {}",
                String::from_utf8_lossy(&made.stderr)
            ));
        }
        let pip = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "compliance-trestle>=3,<4"])
            .output()
            .map_err(|e| format!("pip cannot be run: {e}"))?;
        if !pip.status.success() {
            return Err(format!(
                "pip install compliance-trestle failed: {}",
                String::from_utf8_lossy(&pip.stderr)
            ));
        }
    }
    Ok(bin)
}

fn run(trestle: &Path, dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(trestle)
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run trestle");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn trestle_imports_validates_and_reads_the_providers_exports() {
    let trestle = match trestle() {
        Ok(t) => t,
        Err(why) => {
            println!("SKIPPED: compliance-trestle cannot be installed here: {why}");
            return;
        }
    };
    let (ok, version) = run(&trestle, Path::new("."), &["version"]);
    assert!(ok, "{version}");
    assert!(version.contains("version v3."), "compliance-trestle 3.x: {version}");
    let base_scratch = support::Scratch::new("oscal-trestle");
    let base = base_scratch.join("base");
    let export = base.join("export");
    std::fs::create_dir_all(&export).expect("mkdir");
    let href_base = format!("file://{}/", export.canonicalize().expect("export").display());
    let out = support::ctrlmap([
        "export",
        "oscal",
        "examples/northwind-msp",
        "-o",
        export.to_str().expect("path"),
        "--as-of",
        "2026-11-30",
        "--with-evidence",
        "--href-base",
        &href_base,
    ]);
    assert!(out.code == 0, "{}", out.stderr);
    // A trestle workspace in another folder, importing every document by absolute path.
    let ws = base.join("grc");
    std::fs::create_dir_all(&ws).expect("mkdir");
    let (ok, log) = run(&trestle, &ws, &["init"]);
    assert!(ok, "{log}");
    let files = tree(&export);
    let mut imported = 0;
    for path in files.keys() {
        if !path.ends_with(".json") || path.starts_with("mappings/") || path.starts_with("files/") {
            continue;
        }
        // Model names: the catalog's id or the scope's folder (trestle allows no `.`).
        let parts: Vec<&str> = path.trim_end_matches(".json").split('/').collect();
        let name = match parts.as_slice() {
            ["catalogs", id] => id.replace('.', "-"),
            ["component-definition"] => "msp".to_string(),
            ["provider", _] => "provider".to_string(),
            ["scopes", scope, _] => scope.to_string(),
            other => panic!("unexpected export file {other:?}"),
        };
        let file = export.join(path);
        let (ok, log) = run(
            &trestle,
            &ws,
            &["import", "-f", file.to_str().expect("path"), "-o", &name],
        );
        assert!(ok, "trestle import {path}: {log}");
        imported += 1;
    }
    assert_eq!(
        imported,
        // The example's 8 scopes each have a plan, a profile, an assessment plan and results;
        // the 6 with open findings also a POA&M.
        4 + 1 + 2 + 8 * 4 + 6,
        "catalogs, component definition, provider, scopes, POA&Ms"
    );
    let (ok, log) = run(&trestle, &ws, &["validate", "-a"]);
    assert!(ok, "trestle validate -a: {log}");
    assert!(!log.contains("INVALID"), "{log}");
    // The dental practice's plan generated with the provider's plan as the leveraged one: the
    // inheritance view holds the provider's provided and responsibility statements.
    let (ok, log) = run(
        &trestle,
        &ws,
        &[
            "author",
            "ssp-generate",
            "-p",
            "riverside-dental",
            "-ls",
            "provider",
            "-o",
            "dental-md",
        ],
    );
    assert!(ok, "trestle author ssp-generate -ls: {log}");
    let inheritance = tree(&ws.join("dental-md/inheritance"));
    assert!(!inheritance.is_empty(), "no inheritance view");
    let text: String = inheritance
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    let provider = json(&files["provider/ssp.json"]);
    let provided: Vec<&str> = support::oscal::all_of(&provider, "provided")
        .into_iter()
        .flat_map(|(_, l)| l.as_array().into_iter().flatten())
        .filter_map(|p| p["description"].as_str())
        .collect();
    // A statement of the backup service, which the practice subscribes to.
    let restore = provided
        .iter()
        .find(|p| p.contains("restore"))
        .expect("a provided statement about restores");
    assert!(text.contains(restore), "the inheritance view lacks `{restore}`");
    assert!(text.contains("# Responsibility Statement Description"));
}
