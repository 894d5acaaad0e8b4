//! A workspace template from the input, rendered for a scope of the example: never panics,
//! never runs away (fuel, recursion limit), and a failure names the template and line.
#![no_main]

use ctrlmap::load::Loaded;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A scratch copy of the example workspace and the workspace loaded from it, once per
/// fuzzing process (templates are read when rendered, so rewriting one is enough).
fn setup() -> &'static (PathBuf, Loaded) {
    static SETUP: OnceLock<(PathBuf, Loaded)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/northwind-msp");
        let dst = std::env::temp_dir().join(format!("ctrlmap-fuzz-templates-{}", std::process::id()));
        copy_dir(&src, &dst);
        std::fs::create_dir_all(dst.join("templates")).expect("mkdir");
        let ws = Loaded::load(&dst).expect("the example loads");
        (dst, ws)
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
    let (root, ws) = setup();
    std::fs::write(root.join("templates/fuzz.md.j2"), data).expect("write");
    let Some(scope) = ws.scopes.first() else { return };
    match ctrlmap::emit::documents::render_template(ws, scope, &ctrlmap::assess::assess_scope(ws, scope, &ctrlmap::cli::overrides(ws), time::macros::date!(2026 - 11 - 30)), "fuzz.md.j2") {
        Ok(text) => {
            std::hint::black_box(text);
        }
        Err(e) => {
            let message = e.to_string();
            assert!(!message.is_empty());
        }
    }
});
