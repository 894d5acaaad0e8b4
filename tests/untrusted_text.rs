//! User text cannot drive the terminal, forge a CI workflow command or plant a link
//! (issue 11): terminal and Markdown output show control characters, never start a line with
//! `::`, never carry `##[`, and Markdown escapes `\`. Through the real binary.

mod support;
use support::*;

const AS_OF: &str = "2026-11-30";

/// A waiver ticket with a line break and a workflow command, a client name with escape
/// sequences, and a duty with an escaped Markdown link.
fn hostile_workspace(name: &str) -> Scratch {
    let s = Scratch::example(name);
    s.edit("ws/scopes/riverside-dental.yaml", |t| {
        t.replacen(
            "name: Riverside Dental Group, PLLC",
            "name: \"Riverside \\e[2J\\e]0;pwned\\a Dental ##[error]legacy\"",
            1,
        )
        .replacen(
            "ticket: NW-4821",
            "ticket: \"NW-4821\\n::warning file=x.yaml::forged\\n##[error]forged too\"",
            1,
        )
        .replacen(
            "client: The Security Official leads the annual risk analysis",
            "client: \"\\\\[phish\\\\](https://evil.example/login) The Security Official leads the annual risk analysis",
            1,
        )
    });
    // The duty above now opens a double-quoted string: close it at the end of its line.
    s.edit("ws/scopes/riverside-dental.yaml", |t| {
        let start = t.find("\\\\[phish").expect("planted");
        let end = start + t[start..].find('\n').expect("line end");
        format!("{}\"{}", &t[..end], &t[end..])
    });
    s
}

/// No line a CI log would run, no escape character, whatever the user wrote.
fn assert_inert(what: &str, text: &str) {
    for line in text.lines() {
        let body = line.trim_start();
        assert!(
            !body.starts_with("::"),
            "{what}: a line starts a workflow command: {line:?}"
        );
        assert!(!line.contains("##["), "{what}: a legacy workflow command: {line:?}");
        assert!(
            !line.contains('\u{1b}') && !line.contains('\u{7}'),
            "{what}: a control character: {line:?}"
        );
    }
}

#[test]
fn text_and_markdown_reports_neutralise_control_characters_and_workflow_commands() {
    let s = hostile_workspace("hostile-report");
    // --fail-on none: the report, not the gate, is under test.
    for format in ["text", "markdown"] {
        let run = invoke(
            s.path(),
            ["check", "ws", "--as-of", AS_OF, "--format", format, "--fail-on", "none"],
            60,
        )
        .go();
        run.assert_code(0);
        assert_inert(format, &run.stdout);
        assert!(
            run.stdout.contains("Riverside \\u{1b}"),
            "{format}: shown, not obeyed: {}",
            run.stdout
        );
    }
    let waived = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--fail-on", "none"], 60).go();
    assert!(
        waived
            .stdout
            .contains("NW-4821 ::warning file=x.yaml::forged #\\#[error]forged too"),
        "the ticket stays on its line: {}",
        waived.stdout
    );
    // The GitHub format keeps its own escaping: the ticket is data, not a command.
    let github = invoke(
        s.path(),
        [
            "check",
            "ws",
            "--as-of",
            AS_OF,
            "--format",
            "github",
            "--fail-on",
            "none",
        ],
        60,
    )
    .go();
    github.assert_code(0);
    for line in github.stdout.lines() {
        assert!(line.starts_with("::error ") || line.starts_with("::warning ") || line.starts_with("::notice "));
        assert!(!line.contains("\n"));
    }
}

#[test]
fn matrix_explain_and_documents_neutralise_user_text() {
    let s = hostile_workspace("hostile-docs");
    let scope = "ws/scopes/riverside-dental.yaml";
    let runs = [
        vec!["matrix", scope],
        vec!["matrix", scope, "--format", "markdown"],
        vec!["explain", scope, "hipaa:164.308(a)(1)(ii)(A)"],
        vec!["render", "baa-appendix", scope, "--as-of", AS_OF],
    ];
    for args in runs {
        let run = invoke(s.path(), &args, 60).go();
        run.assert_code(0);
        assert_inert(&args.join(" "), &run.stdout);
    }
}

#[test]
fn markdown_escapes_backslashes_so_an_escaped_link_stays_text() {
    let s = hostile_workspace("hostile-link");
    let scope = "ws/scopes/riverside-dental.yaml";
    for args in [
        vec!["matrix", scope, "--format", "markdown"],
        vec!["render", "baa-appendix", scope, "--as-of", AS_OF],
    ] {
        let run = invoke(s.path(), &args, 60).go();
        run.assert_code(0);
        // `\[phish\](url)` would render as a live link `[phish](url)`; escaped, the reader
        // sees the backslashes and brackets as text.
        assert!(
            run.stdout.contains("\\\\\\[phish\\\\\\](https://evil.example/login)"),
            "{}: {}",
            args.join(" "),
            run.stdout.lines().find(|l| l.contains("phish")).unwrap_or("(no line)")
        );
        assert!(!run.stdout.contains("\\[phish\\](https"), "{}", args.join(" "));
    }
}

#[test]
fn diagnostics_show_the_control_characters_of_the_source_they_quote() {
    let s = Scratch::example("hostile-diagnostics");
    // An unknown key whose line carries escape sequences and a workflow command.
    s.write(
        "ws/scopes/zz.yaml",
        "kind: scope\nid: zz\n\"\\e]8;;https://evil.example\\a::warning::x\": 1\n",
    );
    std::fs::write(
        s.ws().join("services/zz.yaml"),
        "kind: service\nid: zz\nname: \u{1b}[31mred\u{1b}[0m\n::error file=a::b\n",
    )
    .expect("write");
    let run = invoke(s.path(), ["check", "ws"], 60).go();
    run.assert_code(2);
    assert_inert("diagnostics", &run.stderr);
    assert!(run.stderr.contains("\\u{1b}[31mred"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn pack_verify_shows_file_names_with_control_characters() {
    let s = Scratch::example("hostile-names");
    invoke(
        s.path(),
        ["pack", "ws/scopes/riverside-dental.yaml", "-o", "out", "--as-of", AS_OF],
        120,
    )
    .go()
    .assert_code(0);
    std::fs::write(s.path().join("out/\u{1b}[2Jadded\n::error::forged.txt"), "x").expect("write");
    let run = invoke(s.path(), ["pack", "verify", "out"], 30).go();
    run.assert_code(1);
    assert_inert("pack verify", &run.stdout);
    assert!(run.stdout.contains("added:   \\u{1b}[2Jadded"), "{}", run.stdout);
}
