//! Helpers shared by the integration tests: run the real binary on fixtures.

#![allow(dead_code)]

pub mod hostile_zip;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn ctrlmap<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    ctrlmap_in(&root(), args)
}

pub fn ctrlmap_in<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let output: Output = Command::new(env!("CARGO_BIN_EXE_ctrlmap"))
        .args(args)
        .current_dir(dir)
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("run the ctrlmap binary");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `file:line:column error[CODE]` of each diagnostic of a run, from rustc-style output
/// (`error[CODE]: message` then ` --> file:line:column`).
pub fn headers(stderr: &str) -> Vec<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(rest) = l.strip_prefix("error[E") else {
            continue;
        };
        let code = &rest[..rest.find(']').unwrap_or(0)];
        let place = lines
            .get(i + 1)
            .and_then(|next| next.trim_start().strip_prefix("--> "))
            .unwrap_or_default();
        out.push(format!("{place} error[E{code}]"));
    }
    out
}

/// A scratch copy of a fixture folder, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn copy_of(src: &Path, name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("ctrlmap-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(src, &dir);
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("create dir");
    for entry in std::fs::read_dir(src).expect("read dir").flatten() {
        let p = entry.path();
        let target = dst.join(entry.file_name());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            std::fs::copy(&p, &target).expect("copy file");
        }
    }
}
