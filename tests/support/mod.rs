//! What the integration tests share: where things are (the repository, its fixtures, the
//! example workspace), one way to run the real binary, scratch folders that remove themselves
//! even when a test panics (`tempfile`), and the diagnostics a run printed. The OSCAL checks,
//! the hostile zips and the text of rendered documents are submodules.
//!
//! Every test file declares `mod support;`; a test binary uses only part of it.

#![allow(dead_code)]

pub mod document_text;
pub mod hostile_zip;
pub mod oscal;

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The repository's root (the folder of `Cargo.toml`).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under `tests/fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    repo().join("tests/fixtures").join(rel)
}

/// The example workspace, `examples/northwind-msp`.
pub fn example() -> PathBuf {
    repo().join("examples/northwind-msp")
}

/// The folder of the binary under test (to put it first on `PATH` for a shell).
pub fn binary_folder() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_ctrlmap"))
        .parent()
        .expect("the binary's folder")
        .to_path_buf()
}

/// How long a run may take when the test does not say: long enough for a debug build on a
/// loaded machine, short enough that a hang fails the test instead of the whole CI job.
pub const DEFAULT_DEADLINE_SECONDS: u64 = 600;

/// What a run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The run ended on its own, without a panic, an abort or a signal.
    pub fn assert_clean(&self) -> &Self {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("memory allocation"),
            "the run panicked or aborted:\n{}",
            self.stderr
        );
        assert!(
            matches!(self.code, 0..=2),
            "exit code {} (0, 1 or 2 expected)\nstderr:\n{}",
            self.code,
            self.stderr
        );
        self
    }

    pub fn assert_code(&self, code: i32) -> &Self {
        self.assert_clean();
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// `ctrlmap ARGS` from the repository root, waited for.
pub fn ctrlmap<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    ctrlmap_in(&repo(), args)
}

/// `ctrlmap ARGS` in `dir`, waited for.
pub fn ctrlmap_in<I, S>(dir: &Path, args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    invoke(dir, args, DEFAULT_DEADLINE_SECONDS).go()
}

/// A run of the binary being set up: `ctrlmap ARGS` in a folder, with `NO_COLOR=1`, no
/// `SOURCE_DATE_EPOCH` and an empty standard input unless the test says otherwise.
pub struct Invocation {
    dir: PathBuf,
    args: Vec<OsString>,
    envs: Vec<(OsString, OsString)>,
    deadline: Duration,
    memory: Option<u64>,
    close_stdout: bool,
    close_stderr: bool,
    removed: Vec<OsString>,
    stdin: Option<Vec<u8>>,
}

/// `ctrlmap ARGS` in `dir`; the test fails if it runs longer than `seconds`.
pub fn invoke<I, S>(dir: &Path, args: I, seconds: u64) -> Invocation
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Invocation {
        dir: dir.to_path_buf(),
        args: args.into_iter().map(|a| a.as_ref().to_os_string()).collect(),
        envs: Vec::new(),
        deadline: Duration::from_secs(seconds),
        memory: None,
        close_stdout: false,
        close_stderr: false,
        removed: Vec::new(),
        stdin: None,
    }
}

impl Invocation {
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Invocation {
        self.envs.push((key.into(), value.as_ref().to_os_string()));
        self
    }

    /// Run without this environment variable (even the `NO_COLOR` every run has by default).
    pub fn env_removed(mut self, key: &str) -> Invocation {
        self.removed.push(key.into());
        self
    }

    /// Give these bytes on standard input (it is empty by default).
    pub fn stdin(mut self, bytes: &[u8]) -> Invocation {
        self.stdin = Some(bytes.to_vec());
        self
    }

    /// Run under `prlimit --as=BYTES`: the address space the process may use.
    pub fn memory_limit(mut self, bytes: u64) -> Invocation {
        self.memory = Some(bytes);
        self
    }

    /// Close the reading end of standard output before the program writes (`| true`).
    pub fn stdout_closed(mut self) -> Invocation {
        self.close_stdout = true;
        self
    }

    /// Close the reading end of standard error before the program writes (`2>&1 | true`).
    pub fn stderr_closed(mut self) -> Invocation {
        self.close_stderr = true;
        self
    }

    pub fn go(mut self) -> Run {
        let bin = env!("CARGO_BIN_EXE_ctrlmap");
        let mut cmd = match self.memory {
            Some(bytes) => {
                let mut c = Command::new("prlimit");
                c.arg(format!("--as={bytes}")).arg("--").arg(bin);
                c
            }
            None => Command::new(bin),
        };
        cmd.args(&self.args)
            .current_dir(&self.dir)
            .env_remove("SOURCE_DATE_EPOCH")
            .env("NO_COLOR", "1")
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in &self.envs {
            cmd.env(k, v);
        }
        for k in &self.removed {
            cmd.env_remove(k);
        }
        let started = Instant::now();
        let mut child = cmd.spawn().expect("start ctrlmap (and prlimit, for memory limits)");
        if let (Some(bytes), Some(mut input)) = (self.stdin.take(), child.stdin.take()) {
            use std::io::Write;
            std::thread::spawn(move || {
                let _ = input.write_all(&bytes);
            });
        }
        let stdout = take(&mut child, true, self.close_stdout);
        let stderr = take(&mut child, false, self.close_stderr);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if started.elapsed() > self.deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "ctrlmap {:?} ran longer than {:?} and was killed: a hang",
                    self.args, self.deadline
                );
            }
            std::thread::sleep(Duration::from_millis(5));
        };
        Run {
            code: status.code().unwrap_or(-1),
            stdout: stdout.map(|h| h.join().unwrap_or_default()).unwrap_or_default(),
            stderr: stderr.map(|h| h.join().unwrap_or_default()).unwrap_or_default(),
        }
    }
}

/// A thread collecting a child's stream, or none when the stream is closed on purpose.
fn take(child: &mut Child, out: bool, close: bool) -> Option<std::thread::JoinHandle<String>> {
    let mut stream: Box<dyn Read + Send> = if out {
        Box::new(child.stdout.take()?)
    } else {
        Box::new(child.stderr.take()?)
    };
    if close {
        drop(stream);
        return None;
    }
    Some(std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    }))
}

/// A scratch folder under the system's temporary folder, removed when dropped (also when the
/// test panics). Keep it alive for as long as the test uses its files.
pub struct Scratch(tempfile::TempDir);

impl Scratch {
    /// An empty scratch folder; `name` starts its folder name, to tell tests apart.
    pub fn new(name: &str) -> Scratch {
        let dir = tempfile::Builder::new()
            .prefix(&format!("ctrlmap-{name}-"))
            .tempdir()
            .expect("scratch folder");
        Scratch(dir)
    }

    /// A scratch folder holding a copy of the workspace `src` in `ws/`.
    pub fn copy_of(src: &Path, name: &str) -> Scratch {
        let s = Scratch::new(name);
        copy_dir(src, &s.ws());
        s
    }

    /// A scratch copy of the example workspace (in `ws/` inside the scratch folder).
    pub fn example(name: &str) -> Scratch {
        Scratch::copy_of(&example(), name)
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }

    /// A path inside the scratch folder (not created).
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.0.path().join(rel)
    }

    /// The workspace folder in it.
    pub fn ws(&self) -> PathBuf {
        self.join("ws")
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).expect("read")
    }

    /// Edit a file of the scratch folder.
    pub fn edit(&self, rel: &str, f: impl FnOnce(String) -> String) {
        let text = self.read(rel);
        let new = f(text.clone());
        assert!(text != new, "the edit of {rel} changed nothing");
        self.write(rel, &new);
    }
}

/// Copy a folder's files into `dst` (created), recursively.
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

/// Make a FIFO (named pipe) with the system's `mkfifo`.
pub fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `(place, code)` of each rustc-style diagnostic in a run's standard error: the
/// `error[CODE]: …` line and the ` --> place` line after it (no place for a problem on the
/// command line).
fn diagnostic_heads(stderr: &str) -> Vec<(Option<&str>, &str)> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(rest) = l.strip_prefix("error[") else { continue };
        let Some(code) = rest.split(']').next() else { continue };
        let place = lines.get(i + 1).and_then(|n| n.trim_start().strip_prefix("--> "));
        out.push((place, code));
    }
    out
}

/// `file:line:column CODE` of each diagnostic in a run's standard error (just `CODE` for a
/// problem on the command line).
pub fn errors(stderr: &str) -> Vec<String> {
    diagnostic_heads(stderr)
        .into_iter()
        .map(|(place, code)| match place {
            Some(place) => format!("{place} {code}"),
            None => code.to_string(),
        })
        .collect()
}

/// `file:line:column error[ECODE]` of each input diagnostic (codes `E…`) in a run's standard
/// error.
pub fn headers(stderr: &str) -> Vec<String> {
    diagnostic_heads(stderr)
        .into_iter()
        .filter(|(_, code)| code.starts_with('E'))
        .map(|(place, code)| format!("{} error[{code}]", place.unwrap_or_default()))
        .collect()
}

pub const MB: u64 = 1024 * 1024;
