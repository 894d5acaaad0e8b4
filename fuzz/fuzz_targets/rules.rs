//! A custom policy rule from the input (first line: the `when` expression, the rest: the
//! `message` template), loaded and run over a small workspace: never panics, never runs away
//! (fuel, recursion limit), and a rule that fails is a located diagnostic (E019 or E021).
#![no_main]

use ctrlmap::load::Loaded;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A scratch copy of the finding fixtures, made once per fuzzing process.
fn root() -> &'static PathBuf {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/findings");
        let dst = std::env::temp_dir().join(format!("ctrlmap-fuzz-rules-{}", std::process::id()));
        copy_dir(&src, &dst);
        dst
    })
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for entry in std::fs::read_dir(src).expect("read dir").flatten() {
        let target = dst.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (when, message) = text.split_once('\n').unwrap_or((text, ""));
    // JSON strings are YAML double-quoted scalars: the input lands in the file verbatim.
    let quote = |s: &str| serde_json_quote(s);
    let policy = format!(
        "kind: policy\nid: fuzz\ntitle: Fuzz\nframework: mini\nrules:\n  - code: X001\n    kind: custom\n    severity: low\n    when: {}\n    message: {}\n",
        quote(when),
        quote(message)
    );
    let root = root();
    std::fs::create_dir_all(root.join("policies")).expect("mkdir");
    std::fs::write(root.join("policies/fuzz.yaml"), policy).expect("write");
    let ws = Loaded::load(root).expect("loads");
    if ws.diagnostics.is_empty() {
        for scope in &ws.scopes {
            let matrix = ctrlmap::resolve::resolve(&ws, scope);
            let findings = ctrlmap::assess::assess_on(
                &ws,
                scope,
                &matrix,
                &ctrlmap::cli::overrides(&ws),
                time::macros::date!(2026 - 11 - 30),
            );
            std::hint::black_box(findings);
        }
    }
    for d in ws.diagnostics.iter().chain(&ws.take_rule_failures()) {
        assert!(d.line >= 1 && !d.file.is_empty(), "{d:?}");
    }
});

/// `s` as a JSON string literal.
fn serde_json_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
