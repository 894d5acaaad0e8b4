//! One read policy for every input (issue 11): regular files only, inside the workspace after
//! resolving links, bounded, evidence hashed as a stream; and every command agrees on what a
//! workspace holds. Each case runs the real binary under a deadline enforced here, and under
//! a memory limit (`prlimit --as`) where the case is about memory.

mod support;
use serde_json::Value;
use std::path::Path;
use support::*;

const AS_OF: &str = "2026-11-30";

fn json(out: &Run) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("JSON: {e}\n{}", out.stdout))
}

fn scope_files(doc: &Value) -> Vec<String> {
    doc["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .map(|s| s["file"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[cfg(unix)]
#[test]
fn check_matrix_render_and_pack_agree_on_linked_nested_and_non_utf8_scope_files() {
    use std::os::unix::ffi::OsStrExt;
    let s = Scratch::example("agree");
    let ws = s.ws();
    // A scope file that is a symbolic link (to a file inside the workspace), one in a
    // nested folder, and one whose name is not UTF-8.
    std::fs::create_dir_all(ws.join("clients")).expect("mkdir");
    std::fs::rename(
        ws.join("scopes/cedar-tax-services.yaml"),
        ws.join("clients/cedar-tax-services.yaml"),
    )
    .expect("move");
    std::os::unix::fs::symlink("../clients/cedar-tax-services.yaml", ws.join("scopes/cedar.yaml")).expect("link");
    std::fs::create_dir_all(ws.join("scopes/ny")).expect("mkdir");
    std::fs::rename(
        ws.join("scopes/hudson-valley-insurance.yaml"),
        ws.join("scopes/ny/hudson-valley-insurance.yaml"),
    )
    .expect("move");
    let latin1 = std::ffi::OsStr::from_bytes(b"riverside-d\xe9ntal.yaml");
    std::fs::rename(ws.join("scopes/riverside-dental.yaml"), ws.join("scopes").join(latin1)).expect("rename");

    let check = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--format", "json"], 60).go();
    check.assert_clean();
    assert_eq!(
        scope_files(&json(&check)),
        [
            "ws/scopes/brookside-tax-bookkeeping.yaml",
            "ws/scopes/catskill-insurance-brokers.yaml",
            "ws/scopes/cedar.yaml",
            "ws/scopes/ny/hudson-valley-insurance.yaml",
            "ws/scopes/lakeside-family-dental.yaml",
            "ws/scopes/maple-grove-pediatric-dentistry.yaml",
            "ws/scopes/riverside-d\\xE9ntal.yaml",
            "ws/scopes/summit-tax-advisors.yaml",
        ]
    );
    let files = [
        ws.join("scopes/cedar.yaml"),
        ws.join("scopes/ny/hudson-valley-insurance.yaml"),
        ws.join("scopes").join(latin1),
    ];
    for (i, file) in files.iter().enumerate() {
        let matrix = invoke(s.path(), ["matrix".as_ref(), file.as_os_str()], 60).go();
        matrix.assert_code(0);
        let explain = invoke(
            s.path(),
            ["explain".as_ref(), file.as_os_str(), "csf-2.0:GV.OC-01".as_ref()],
            60,
        )
        .go();
        explain.assert_code(0);
        let render = invoke(
            s.path(),
            [
                "render".as_ref(),
                "client-letter".as_ref(),
                file.as_os_str(),
                "--as-of".as_ref(),
                AS_OF.as_ref(),
            ],
            60,
        )
        .go();
        // The example's own template renders for the scope the file names.
        render.assert_code(0);
        assert!(
            render.stdout.contains(": who does what, as of 2026-"),
            "{}",
            render.stdout
        );
        let out = s.path().join(format!("pack-{i}"));
        let pack = invoke(
            s.path(),
            [
                "pack".as_ref(),
                file.as_os_str(),
                "-o".as_ref(),
                out.as_os_str(),
                "--as-of".as_ref(),
                AS_OF.as_ref(),
            ],
            120,
        )
        .go();
        if i == 2 {
            // A name that is not UTF-8 cannot be listed in SHA256SUMS: the pack refuses it
            // rather than leave the scope out (issue 21).
            pack.assert_code(2);
            assert!(pack.stderr.contains("cannot be stored in the pack"), "{}", pack.stderr);
        } else {
            pack.assert_code(0);
        }
    }
}

#[cfg(unix)]
#[test]
fn a_link_that_leaves_the_workspace_is_refused_and_its_content_never_printed() {
    let s = Scratch::example("environ");
    let ws = s.ws();
    std::fs::remove_file(ws.join("ctrlmap.yaml")).expect("rm");
    std::os::unix::fs::symlink("/proc/self/environ", ws.join("ctrlmap.yaml")).expect("link");
    std::os::unix::fs::symlink("/etc/passwd", ws.join("scopes/passwd.yaml")).expect("link");
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60)
        .env("CTRLMAP_TEST_SECRET", "hunter2-do-not-print")
        .go();
    run.assert_code(2);
    assert_eq!(
        errors(&run.stderr),
        ["ws/ctrlmap.yaml:1:1 E016", "ws/scopes/passwd.yaml:1:1 E016"],
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("outside"), "{}", run.stderr);
    assert!(!run.stderr.contains("hunter2") && !run.stdout.contains("hunter2"));
    assert!(!run.stderr.contains("root:x:0"), "{}", run.stderr);
}

#[test]
fn a_fifo_as_evidence_is_refused_without_being_opened() {
    let s = Scratch::example("fifo-evidence");
    let evidence = s.ws().join("evidence/riverside-2026-q3-restore-test.md");
    std::fs::remove_file(&evidence).expect("rm");
    mkfifo(&evidence);
    // Nobody ever writes to the FIFO: a blocking open or read would hang until killed.
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 30).go();
    run.assert_code(2);
    let e = errors(&run.stderr);
    assert_eq!(e.len(), 1, "{}", run.stderr);
    assert!(e[0].starts_with("ws/scopes/riverside-dental.yaml:") && e[0].ends_with(" E016"));
    assert!(
        run.stderr.contains("is a FIFO (named pipe), not a regular file"),
        "{}",
        run.stderr
    );
    // The same file in a pack: refused too, never read.
    let pack = invoke(
        s.path(),
        ["pack", "ws/scopes/riverside-dental.yaml", "-o", "out", "--as-of", AS_OF],
        30,
    )
    .go();
    pack.assert_code(2);
}

#[cfg(unix)]
#[test]
fn a_character_device_as_evidence_is_refused() {
    let s = Scratch::example("device-evidence");
    let evidence = s.ws().join("evidence/riverside-2026-q3-restore-test.md");
    std::fs::remove_file(&evidence).expect("rm");
    // A link to /dev/zero leaves the workspace (E012); a device inside it is not a regular
    // file. Either way it is never read (reading /dev/zero never ends).
    std::os::unix::fs::symlink("/dev/zero", &evidence).expect("link");
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 30).go();
    run.assert_code(2);
    assert!(
        errors(&run.stderr).iter().all(|e| e.ends_with(" E012")) && !errors(&run.stderr).is_empty(),
        "{}",
        run.stderr
    );
}

#[test]
fn a_fifo_as_sha256sums_does_not_hang_pack_verify() {
    let s = Scratch::example("fifo-sums");
    let pack = invoke(
        s.path(),
        ["pack", "ws/scopes/riverside-dental.yaml", "-o", "out", "--as-of", AS_OF],
        120,
    )
    .go();
    pack.assert_code(0);
    let sums = s.path().join("out/SHA256SUMS");
    std::fs::remove_file(&sums).expect("rm");
    mkfifo(&sums);
    let verify = invoke(s.path(), ["pack", "verify", "out"], 30).go();
    verify.assert_code(1);
    assert!(verify.stdout.contains("SHA256SUMS is a FIFO"), "{}", verify.stdout);
    // A FIFO elsewhere in the pack is reported, not read.
    std::fs::remove_file(&sums).expect("rm");
    let again = invoke(
        s.path(),
        ["pack", "ws/scopes/riverside-dental.yaml", "-o", "out", "--as-of", AS_OF],
        120,
    )
    .go();
    again.assert_code(0);
    let index = s.path().join("out/index.html");
    std::fs::remove_file(&index).expect("rm");
    mkfifo(&index);
    let verify = invoke(s.path(), ["pack", "verify", "out"], 30).go();
    verify.assert_code(1);
    assert!(verify.stdout.contains("index.html: a FIFO"), "{}", verify.stdout);
}

#[test]
fn large_evidence_is_hashed_as_a_stream_in_bounded_memory() {
    let s = Scratch::example("large-evidence");
    let evidence = s.ws().join("evidence/riverside-2026-q3-restore-test.md");
    // 600 MB (sparse: no disk used), hashed under a 400 MB address-space limit: reading the
    // file whole cannot work, streaming it does.
    std::fs::File::create(&evidence)
        .and_then(|f| f.set_len(600 * MB))
        .expect("sparse file");
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--format", "json"], 120)
        .memory_limit(400 * MB)
        .go();
    run.assert_code(1);
    let doc = json(&run);
    let about: Vec<&str> = doc["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["message"]
                .as_str()
                .unwrap_or_default()
                .contains("riverside-2026-q3-restore-test.md")
        })
        .map(|f| f["code"].as_str().unwrap_or_default())
        .collect();
    // Hashed (its pinned hash differs: CM011), not reported missing (CM010).
    assert_eq!(about, ["CM011"], "{}", run.stdout);
}

#[test]
fn one_long_string_repeated_by_aliases_is_refused_in_bounded_time_and_memory() {
    let s = Scratch::example("alias-bytes");
    // An 8 MiB string referenced 1,000 times: an 8 MB file that expands to 8 GB.
    let mut bomb = format!(
        "kind: scope\nid: bomb\nnotes: &big \"{}\"\nwaivers:\n",
        "x".repeat(8 * MB as usize)
    );
    for _ in 0..1000 {
        bomb.push_str("  - *big\n");
    }
    s.write("ws/scopes/bomb.yaml", &bomb);
    let run = invoke(s.path(), ["check", "ws", "--as-of", AS_OF], 60)
        .memory_limit(1024 * MB)
        .go();
    run.assert_code(2);
    let e = errors(&run.stderr);
    assert!(
        e.iter()
            .any(|e| e.starts_with("ws/scopes/bomb.yaml:") && e.ends_with(" E013")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("bytes of text"), "{}", run.stderr);
}

#[test]
fn a_broken_pipe_ends_the_run_quietly() {
    let s = Scratch::example("pipes");
    // `ctrlmap pack … | true`
    let pack = invoke(
        s.path(),
        ["pack", "ws/scopes/riverside-dental.yaml", "-o", "out", "--as-of", AS_OF],
        120,
    )
    .stdout_closed()
    .go();
    pack.assert_code(0);
    assert!(s.path().join("out/SHA256SUMS").is_file(), "the pack was still written");
    // `ctrlmap pack verify … | true`
    invoke(s.path(), ["pack", "verify", "out"], 30)
        .stdout_closed()
        .go()
        .assert_code(0);
    // `ctrlmap check … --format json | head -c0`, and a report with findings keeps exit 1.
    invoke(s.path(), ["check", "ws", "--as-of", AS_OF, "--format", "json"], 60)
        .stdout_closed()
        .go()
        .assert_code(0);
    invoke(&repo(), ["check", "tests/fixtures/findings", "--as-of", AS_OF], 60)
        .stdout_closed()
        .go()
        .assert_code(1);
    // `ctrlmap check BAD 2>&1 | true`: the diagnostics cannot be written; still exit 2.
    s.write("ws/scopes/broken.yaml", "kind: scope\nid: [\n");
    invoke(s.path(), ["check", "ws"], 60)
        .stderr_closed()
        .go()
        .assert_code(2);
    invoke(s.path(), ["check", "ws"], 60)
        .stderr_closed()
        .stdout_closed()
        .go()
        .assert_code(2);
}

fn file_type(p: &Path) -> std::fs::FileType {
    std::fs::symlink_metadata(p).expect("exists").file_type()
}

#[cfg(unix)]
#[test]
fn output_files_never_replace_what_is_not_a_regular_file() {
    use std::os::unix::fs::FileTypeExt;
    let s = Scratch::example("outputs");
    let scope = "ws/scopes/riverside-dental.yaml";
    // A device is written through and stays a device.
    invoke(s.path(), ["matrix", scope, "-o", "/dev/null"], 60)
        .go()
        .assert_code(0);
    assert!(file_type(Path::new("/dev/null")).is_char_device());
    // A full device is an error (exit 2), never replaced.
    let full = invoke(s.path(), ["matrix", scope, "-o", "/dev/full"], 60).go();
    full.assert_code(2);
    assert!(full.stderr.contains("writing /dev/full"), "{}", full.stderr);
    assert!(file_type(Path::new("/dev/full")).is_char_device());
    // Our own standard output: written there.
    let stdout = invoke(s.path(), ["matrix", scope, "--format", "csv", "-o", "/dev/stdout"], 60).go();
    stdout.assert_code(0);
    assert!(stdout.stdout.starts_with("scope,client,control"), "{}", stdout.stdout);
    // A FIFO (nobody reading) and a folder are refused, not replaced, and nothing hangs.
    let fifo = s.path().join("pipe");
    mkfifo(&fifo);
    let run = invoke(s.path(), ["matrix", scope, "-o", "pipe"], 30).go();
    run.assert_code(2);
    assert!(run.stderr.contains("it is a FIFO"), "{}", run.stderr);
    assert!(file_type(&fifo).is_fifo());
    std::fs::create_dir_all(s.path().join("folder")).expect("mkdir");
    let run = invoke(
        s.path(),
        ["render", "baa-appendix", scope, "-o", "folder", "--as-of", AS_OF],
        60,
    )
    .go();
    run.assert_code(2);
    assert!(file_type(&s.path().join("folder")).is_dir());
    let run = invoke(
        s.path(),
        ["check", "ws", "--write-baseline", "pipe", "--as-of", AS_OF],
        30,
    )
    .go();
    run.assert_code(2);
    assert!(file_type(&fifo).is_fifo());
    // A regular file is replaced atomically, keeping its permissions; a link to one keeps
    // the link and replaces its target.
    use std::os::unix::fs::PermissionsExt;
    let out = s.write("matrix.txt", "old");
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::symlink("matrix.txt", s.path().join("link.txt")).expect("link");
    invoke(s.path(), ["matrix", scope, "-o", "link.txt"], 60)
        .go()
        .assert_code(0);
    assert!(file_type(&s.path().join("link.txt")).is_symlink());
    assert!(s.read("matrix.txt").starts_with("Responsibility matrix"));
    assert_eq!(
        std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777,
        0o640
    );
}
