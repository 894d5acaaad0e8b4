//! The YAML reader on any text: never panics, never runs away (alias and nesting budgets),
//! and every problem has a position inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = ctrlmap::format::yaml::parse(text, Default::default());
    // YAML breaks lines at LF, CRLF and a lone CR.
    let lines = text.matches('\n').count() + text.matches('\r').count() - text.matches("\r\n").count() + 1;
    for problem in &parsed.problems {
        let pos = match problem {
            ctrlmap::format::yaml::YamlProblem::Syntax { pos, .. }
            | ctrlmap::format::yaml::YamlProblem::DuplicateKey { pos, .. }
            | ctrlmap::format::yaml::YamlProblem::TooComplex { pos, .. }
            | ctrlmap::format::yaml::YamlProblem::NonStringKey { pos }
            | ctrlmap::format::yaml::YamlProblem::MultipleDocuments { pos } => *pos,
        };
        assert!(pos.line <= lines + 1, "{problem:?} is past the end ({lines} lines)");
    }
    if let Some(root) = parsed.root {
        let json = root.to_json();
        let _ = root.locate("/a/0/b");
        std::hint::black_box(json);
    }
});
