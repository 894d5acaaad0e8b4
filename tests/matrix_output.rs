//! Matrix output in every format: safe against injection, complete, and deterministic.

mod support;
use support::*;

fn matrix(scope: &std::path::Path, format: &str) -> Run {
    let run = ctrlmap([
        "matrix".as_ref(),
        scope.as_os_str(),
        "--format".as_ref(),
        format.as_ref(),
    ]);
    assert_eq!(run.code, 0, "matrix {format} failed:\n{}", run.stderr);
    run
}

#[test]
fn csv_cells_that_a_spreadsheet_would_execute_are_neutralised() {
    let scope = fixture("injection/scopes/hostile.yaml");
    let out = matrix(&scope, "csv").stdout;
    let mut reader = csv::ReaderBuilder::new().from_reader(out.as_bytes());
    let headers = reader.headers().expect("header").clone();
    let mut cells = 0;
    for record in reader.records() {
        let record = record.expect("valid CSV");
        assert_eq!(record.len(), headers.len());
        for cell in record.iter() {
            cells += 1;
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "unsafe cell {cell:?}"
            );
        }
    }
    assert!(cells > 0);
    assert!(out.contains("'=1+1 then @SUM(A1:A9)"), "{out}");
    assert!(out.contains("'+cmd|' /C calc'!A0"), "{out}");
    assert!(out.contains("'=HYPERLINK("), "client name is neutralised too: {out}");
}

#[test]
fn markdown_cells_escape_pipes_and_html() {
    let scope = fixture("injection/scopes/hostile.yaml");
    let out = matrix(&scope, "markdown").stdout;
    assert!(!out.contains("<b>"), "{out}");
    assert!(!out.contains("<img"), "{out}");
    assert!(out.contains("a pipe \\| &lt;b&gt;bold&lt;/b&gt;"), "{out}");
    for line in out.lines().filter(|l| l.starts_with("| `")) {
        let unescaped = line.replace("\\|", "");
        assert_eq!(unescaped.matches('|').count(), 11, "a row keeps its 10 columns: {line}");
    }
}

#[test]
fn json_matrix_has_the_documented_row_fields() {
    let scope = fixture("injection/scopes/hostile.yaml");
    let doc: serde_json::Value = serde_json::from_str(&matrix(&scope, "json").stdout).expect("JSON");
    assert_eq!(doc["version"], "1");
    let rows = doc["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 5, "section S and its four parts");
    for row in rows {
        for key in [
            "control",
            "framework",
            "summary",
            "responsible",
            "accountable",
            "provenance",
        ] {
            assert!(!row[key].is_null(), "row lacks {key}: {row}");
        }
    }
    let s2 = rows.iter().find(|r| r["control"] == "mini:S.2").expect("S.2");
    assert_eq!(s2["summary"], "shared");
    assert_eq!(s2["accountable"], "client");
    assert_eq!(s2["provenance"][0]["file"], "scopes/hostile.yaml");
}

#[test]
fn every_command_gives_byte_identical_output_twice() {
    let scope = fixture("injection/scopes/hostile.yaml");
    for format in ["text", "markdown", "csv", "json"] {
        assert_eq!(
            matrix(&scope, format).stdout,
            matrix(&scope, format).stdout,
            "matrix {format}"
        );
    }
    let ws = fixture("findings");
    for format in ["text", "json", "markdown"] {
        let a = ctrlmap([
            "check".as_ref(),
            ws.as_os_str(),
            "--format".as_ref(),
            format.as_ref(),
            "--as-of".as_ref(),
            "2026-11-30".as_ref(),
        ]);
        let b = ctrlmap([
            "check".as_ref(),
            ws.as_os_str(),
            "--format".as_ref(),
            format.as_ref(),
            "--as-of".as_ref(),
            "2026-11-30".as_ref(),
        ]);
        assert_eq!(a.stdout, b.stdout, "check {format}");
    }
}

#[test]
fn output_file_is_written_whole_and_replaces_the_old_one() {
    let scratch = Scratch::new("out");
    let dir = scratch.join("dir");
    std::fs::create_dir_all(&dir).expect("tmp");
    let target = dir.join("matrix.csv");
    std::fs::write(&target, "old contents").expect("seed");
    let scope = fixture("injection/scopes/hostile.yaml");
    let run = ctrlmap([
        "matrix".as_ref(),
        scope.as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
        "-o".as_ref(),
        target.as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = std::fs::read_to_string(&target).expect("read");
    assert_eq!(written, matrix(&scope, "csv").stdout);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left behind");
}
