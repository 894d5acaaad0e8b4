//! Helpers shared by the integration tests: run the real binary on fixtures.

#![allow(dead_code)]

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

/// The `file:line:column: error[CODE]` headers of a run's diagnostics.
pub fn headers(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains(": error[E"))
        .map(|l| {
            l.split(": error[").next().unwrap_or_default().to_string()
                + " "
                + &l[l.find("error[").unwrap_or(0)..l.find(']').unwrap_or(0) + 1]
        })
        .collect()
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
