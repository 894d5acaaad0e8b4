//! A signed pack, checked with OpenSSH alone (`ssh-keygen -Y verify`, then `sha256sum -c`) and
//! with `ctrlmap pack verify --signers`: both accept the pack as signed, and both fail once
//! any file of it changes. The key is a throwaway Ed25519 key `ssh-keygen` makes for the test.

mod support;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::{Scratch, ctrlmap};

const AS_OF: &str = "2026-11-30";

/// Is OpenSSH's `ssh-keygen` here? `.ci/run` installs it (openssh-client); a machine without
/// it skips these tests and says so.
fn have_ssh_keygen() -> bool {
    let found = Command::new("ssh-keygen")
        .arg("-?")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !found {
        eprintln!("skipped: ssh-keygen (OpenSSH) is not installed; `.ci/run` installs openssh-client");
    }
    found
}

struct Signed {
    dir: Scratch,
}

impl Signed {
    fn pack(&self) -> PathBuf {
        self.dir.join("pack")
    }
    fn signers(&self) -> PathBuf {
        self.dir.join("allowed_signers")
    }
    fn key(&self) -> PathBuf {
        self.dir.join("key")
    }
}

/// A throwaway key, an allowed-signers file naming it `auditor@example.com`, and a pack signed
/// with it.
fn signed_pack(name: &str) -> Signed {
    let s = Signed {
        dir: Scratch::new(&format!("signing-{name}")),
    };
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "pack signing key", "-f"])
        .arg(s.key())
        .status()
        .expect("ssh-keygen");
    assert!(made.success());
    let public = std::fs::read_to_string(s.dir.join("key.pub")).expect("key.pub");
    let key: Vec<&str> = public.split_whitespace().take(2).collect();
    std::fs::write(s.signers(), format!("auditor@example.com {}\n", key.join(" "))).expect("write");
    let run = ctrlmap([
        "pack".as_ref(),
        support::repo()
            .join("examples/northwind-msp/scopes/riverside-dental.yaml")
            .as_os_str(),
        "-o".as_ref(),
        s.pack().as_os_str(),
        "--zip".as_ref(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
        "--sign".as_ref(),
        s.key().as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("signed: SHA256SUMS.sig by the ssh-ed25519 key SHA256:"),
        "{}",
        run.stdout
    );
    s
}

/// What an auditor without ctrlmap runs: the signature over SHA256SUMS, then the sums.
fn openssh_checks(s: &Signed) -> (bool, bool) {
    let sums = std::fs::File::open(s.pack().join("SHA256SUMS")).expect("sums");
    let signature = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(s.signers())
        .args(["-I", "auditor@example.com", "-n", "ctrlmap-pack", "-s"])
        .arg(s.pack().join("SHA256SUMS.sig"))
        .stdin(sums)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("ssh-keygen -Y verify")
        .success();
    let sums = Command::new("sha256sum")
        .args(["-c", "--quiet", "SHA256SUMS"])
        .current_dir(s.pack())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("sha256sum")
        .success();
    (signature, sums)
}

fn verify_signed(path: &Path, signers: &Path) -> support::Run {
    ctrlmap([
        "pack".as_ref(),
        "verify".as_ref(),
        path.as_os_str(),
        "--signers".as_ref(),
        signers.as_os_str(),
    ])
}

fn files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .expect("inside")
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn a_signed_pack_verifies_with_openssh_and_with_pack_verify() {
    if !have_ssh_keygen() {
        return;
    }
    let s = signed_pack("good");
    assert_eq!(
        openssh_checks(&s),
        (true, true),
        "ssh-keygen -Y verify and sha256sum -c accept it"
    );
    for path in [s.pack(), s.dir.join("pack.zip")] {
        let run = verify_signed(&path, &s.signers());
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert!(
            run.stdout.contains("by auditor@example.com (ssh-ed25519 key SHA256:"),
            "{}",
            run.stdout
        );
    }
    let index = std::fs::read_to_string(s.pack().join("index.html")).expect("index");
    assert!(
        index.contains(
            "ssh-keygen -Y verify -f allowed_signers -I ID -n ctrlmap-pack -s SHA256SUMS.sig &lt; SHA256SUMS"
        )
    );
    assert!(index.contains("ctrlmap pack verify"), "both ways are told");
    assert!(!index.contains("This pack is not signed"));
}

#[test]
fn any_changed_file_fails_both_checks() {
    if !have_ssh_keygen() {
        return;
    }
    let s = signed_pack("changed");
    let dir = s.pack();
    for rel in files(&dir) {
        let path = dir.join(&rel);
        let original = std::fs::read(&path).expect("read");
        let mut changed = original.clone();
        let at = changed.len() / 2;
        changed[at] ^= 0x01;
        std::fs::write(&path, &changed).expect("write");
        let (signature, sums) = openssh_checks(&s);
        assert!(
            !(signature && sums),
            "{rel}: OpenSSH and sha256sum together notice the change"
        );
        let run = verify_signed(&dir, &s.signers());
        assert_eq!(run.code, 1, "{rel}: {}{}", run.stdout, run.stderr);
        std::fs::write(&path, &original).expect("restore");
    }
    // A forger who recomputes SHA256SUMS cannot sign it.
    std::fs::write(dir.join("index.html"), "<p>All clear.</p>").expect("write");
    let sums: String = std::fs::read_to_string(dir.join("SHA256SUMS"))
        .expect("sums")
        .lines()
        .map(|l| match l.strip_suffix("  index.html") {
            Some(_) => format!(
                "{}  index.html\n",
                ctrlmap::model::digest::sha256_hex(b"<p>All clear.</p>")
            ),
            None => format!("{l}\n"),
        })
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), sums).expect("write");
    assert!(!openssh_checks(&s).0, "ssh-keygen refuses the recomputed list");
    let run = verify_signed(&dir, &s.signers());
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("does not match SHA256SUMS"), "{}", run.stdout);
}

#[test]
fn a_signature_by_another_key_or_none_fails_with_signers() {
    if !have_ssh_keygen() {
        return;
    }
    let s = signed_pack("other");
    let other = signed_pack("other-key");
    let run = verify_signed(&s.pack(), &other.signers());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("not an allowed signer"), "{}", run.stdout);
    // An unsigned pack, asked for a signer.
    let unsigned = s.dir.join("unsigned");
    let run = ctrlmap([
        "pack".as_ref(),
        support::repo()
            .join("examples/northwind-msp/scopes/riverside-dental.yaml")
            .as_os_str(),
        "-o".as_ref(),
        unsigned.as_os_str(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
    ]);
    assert_eq!(run.code, 0);
    let index = std::fs::read_to_string(unsigned.join("index.html")).expect("index");
    assert!(index.contains("This pack is not signed"), "the index says so plainly");
    let run = verify_signed(&unsigned, &s.signers());
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("not signed"), "{}", run.stdout);
    // A signers file that allows the key for other namespaces only.
    let line = std::fs::read_to_string(s.signers()).expect("signers");
    let narrow = s.dir.join("narrow_signers");
    std::fs::write(&narrow, line.replacen(' ', " namespaces=\"git,file\" ", 1)).expect("write");
    let run = verify_signed(&s.pack(), &narrow);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("namespaces"), "{}", run.stdout);
}

#[test]
fn a_bad_signers_file_is_exit_2_with_its_line() {
    if !have_ssh_keygen() {
        return;
    }
    let s = signed_pack("bad-signers");
    let bad = s.dir.join("bad_signers");
    std::fs::write(&bad, "# auditors\nauditor@example.com ssh-ed25519 not-a-key\n").expect("write");
    let run = verify_signed(&s.pack(), &bad);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("bad_signers:2:21"), "{}", run.stderr);
    let run = verify_signed(&s.pack(), &s.dir.join("no-such-file"));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
}

#[test]
fn an_ed25519_signed_pack_is_byte_identical_when_built_twice() {
    if !have_ssh_keygen() {
        return;
    }
    let s = signed_pack("twice");
    // Same folder name, so the zips' top folders match.
    let again = s.dir.join("again/pack");
    let run = ctrlmap([
        "pack".as_ref(),
        support::repo()
            .join("examples/northwind-msp/scopes/riverside-dental.yaml")
            .as_os_str(),
        "-o".as_ref(),
        again.as_os_str(),
        "--zip".as_ref(),
        "--as-of".as_ref(),
        AS_OF.as_ref(),
        "--sign".as_ref(),
        s.key().as_os_str(),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        std::fs::read(s.dir.join("pack.zip")).expect("zip")
            == std::fs::read(s.dir.join("again/pack.zip")).expect("zip"),
        "same inputs, same key: same bytes, signature included"
    );
    assert!(
        std::fs::read(s.pack().join("SHA256SUMS.sig")).expect("sig")
            == std::fs::read(again.join("SHA256SUMS.sig")).expect("sig")
    );
}

#[test]
fn signing_refuses_a_key_it_cannot_use() {
    if !have_ssh_keygen() {
        return;
    }
    let s = signed_pack("refuse");
    let locked = s.dir.join("locked");
    assert!(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "a passphrase", "-f"])
            .arg(&locked)
            .status()
            .expect("ssh-keygen")
            .success()
    );
    for (key, says) in [
        (locked.clone(), "passphrase"),
        (s.dir.join("key.pub"), "not an OpenSSH private key"),
    ] {
        let run = ctrlmap([
            "pack".as_ref(),
            support::repo()
                .join("examples/northwind-msp/scopes/riverside-dental.yaml")
                .as_os_str(),
            "-o".as_ref(),
            s.dir.join("refused").as_os_str(),
            "--sign".as_ref(),
            key.as_os_str(),
        ]);
        assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains(says), "{}", run.stderr);
        assert!(!s.dir.join("refused").exists());
    }
}
