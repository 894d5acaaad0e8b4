//! A scope file's bytes through every per-file step against the example workspace (UTF-8,
//! YAML, schema, typing, reference checks, evidence hashing), then resolve and assess when it
//! loads cleanly: never panics, and every problem points into the file.
#![no_main]

use ctrlmap::load::Loaded;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn workspace() -> &'static Loaded {
    static WS: OnceLock<Loaded> = OnceLock::new();
    WS.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/northwind-msp");
        Loaded::load(&root).expect("the example workspace loads")
    })
}

fuzz_target!(|data: &[u8]| {
    let ws = workspace();
    let file = "scopes/fuzz.yaml";
    let (scope, diagnostics) = ws.check_scope_bytes(file, data.to_vec());
    // YAML breaks lines at LF, CRLF and a lone CR.
    let text = String::from_utf8_lossy(data);
    let lines = text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count() + 1;
    for d in &diagnostics {
        assert_eq!(d.file, file, "{d:?}");
        assert!(d.line >= 1 && d.line <= lines + 1 && d.column >= 1, "{d:?}");
    }
    if let Some(scope) = scope {
        let matrix = ctrlmap::resolve::resolve(ws, &scope);
        let findings = ctrlmap::assess::assess_on(
            ws,
            &scope,
            &matrix,
            &ctrlmap::cli::overrides(ws),
            time::macros::date!(2026 - 11 - 30),
        );
        std::hint::black_box(findings);
    }
});
