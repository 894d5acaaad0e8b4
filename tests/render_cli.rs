//! The `render` and `pack` command arguments and glue, through the same clap structs the
//! binary wires in (`Command::Render(RenderArgs)`, `Command::Pack(PackArgs)`), so they are
//! checked before the wiring lands: argument shapes, exit codes, files written.

mod support;
use clap::{CommandFactory, Parser, Subcommand};
use ctrlmap::cli::render::{PackArgs, RenderArgs, run_pack, run_render};

#[derive(Parser, Debug)]
#[command(name = "ctrlmap")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    Render(RenderArgs),
    Pack(PackArgs),
}

fn fixture(rel: &str) -> String {
    support::fixture("render/northwind")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

fn run(args: &[&str]) -> Result<u8, String> {
    let cli = Cli::try_parse_from(std::iter::once("ctrlmap").chain(args.iter().copied())).map_err(|e| e.to_string())?;
    let result = match cli.command {
        Cmd::Render(a) => run_render(a),
        Cmd::Pack(a) => run_pack(a),
    };
    result.map_err(|e| match e.downcast_ref::<ctrlmap::cli::Failure>() {
        Some(_) => "exit 2".to_string(),
        None => e.to_string(),
    })
}

#[test]
fn the_argument_definitions_are_consistent() {
    Cli::command().debug_assert();
}

#[test]
fn render_writes_the_baa_appendix_and_a_workspace_template() {
    let dir_scratch = support::Scratch::new("cli-render");
    let dir = dir_scratch.path();
    let out = dir.join("baa.html");
    let scope = fixture("scopes/riverside-dental.yaml");
    let code = run(&[
        "render",
        "baa-appendix",
        &scope,
        "--format",
        "html",
        "-o",
        out.to_str().expect("utf-8"),
        "--as-of",
        "2026-11-30",
    ]);
    assert_eq!(code, Ok(0));
    assert!(
        std::fs::read_to_string(&out)
            .expect("written")
            .starts_with("<!DOCTYPE html>")
    );
    let letter = dir.join("letter.md");
    assert_eq!(
        run(&[
            "render",
            "client-letter",
            &scope,
            "-o",
            letter.to_str().expect("utf-8"),
            "--as-of",
            "2026-11-30"
        ]),
        Ok(0)
    );
    assert!(
        std::fs::read_to_string(&letter)
            .expect("written")
            .starts_with("# Riverside Dental Group: who does what, as of 2026-11-30")
    );
    let tpsp = dir.join("tpsp.md");
    let lender = fixture("scopes/hudson-lending.yaml");
    assert_eq!(
        run(&["render", "tpsp-summary", &lender, "-o", tpsp.to_str().expect("utf-8")]),
        Ok(0)
    );
}

#[test]
fn bad_input_exits_2() {
    let scope = fixture("scopes/corner-bakery.yaml");
    assert_eq!(
        run(&["render", "baa-appendix", &scope]),
        Err("exit 2".into()),
        "HIPAA does not apply"
    );
    assert_eq!(
        run(&["render", "broken.md.j2", &scope]),
        Err("exit 2".into()),
        "template error"
    );
    assert_eq!(run(&["render", "no-such-template", &scope]), Err("exit 2".into()));
    assert_eq!(
        run(&["render", "baa-appendix", "/nonexistent/scope.yaml"]),
        Err("exit 2".into())
    );
    assert_eq!(
        run(&["pack", &scope, "-o", "/tmp/x", "--as-of", "2026-02-30"]),
        Err("exit 2".into()),
        "bad date"
    );
    assert!(
        run(&["pack", &scope]).is_err_and(|e| e.contains("--output")),
        "the output folder is required"
    );
}

#[test]
fn pack_then_verify_exits_0_and_1_after_tampering() {
    let dir_scratch = support::Scratch::new("cli-pack");
    let dir = dir_scratch.path();
    let pack = dir.join("riverside");
    let scope = fixture("scopes/riverside-dental.yaml");
    assert_eq!(
        run(&[
            "pack",
            &scope,
            "-o",
            pack.to_str().expect("utf-8"),
            "--zip",
            "--as-of",
            "2026-11-30"
        ]),
        Ok(0)
    );
    assert!(dir.join("riverside.zip").is_file());
    assert_eq!(run(&["pack", "verify", pack.to_str().expect("utf-8")]), Ok(0));
    std::fs::write(pack.join("findings.csv"), "nothing to see\r\n").expect("tamper");
    assert_eq!(run(&["pack", "verify", pack.to_str().expect("utf-8")]), Ok(1));
}
