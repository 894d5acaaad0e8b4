//! Running the real binary under a deadline (and optionally a memory limit) enforced by the
//! test itself, and scratch workspaces made from the example.

#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example() -> PathBuf {
    repo().join("examples/northwind-msp")
}

/// What a run did.
#[derive(Debug)]
pub struct Outcome {
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Outcome {
    /// The run ended on its own, without a panic, an abort or a signal.
    pub fn assert_clean(&self) -> &Self {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("memory allocation"),
            "the run panicked or aborted:\n{}",
            self.stderr
        );
        assert!(
            matches!(self.code, Some(0..=2)),
            "exit code {:?} (0, 1 or 2 expected)\nstderr:\n{}",
            self.code,
            self.stderr
        );
        self
    }

    pub fn assert_code(&self, code: i32) -> &Self {
        self.assert_clean();
        assert_eq!(
            self.code,
            Some(code),
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// How to run the binary.
pub struct Run {
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
pub fn ctrlmap<I, S>(dir: &Path, args: I, seconds: u64) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Run {
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

impl Run {
    pub fn env(mut self, key: &str, value: &str) -> Run {
        self.envs.push((key.into(), value.into()));
        self
    }

    /// Run without this environment variable (even the `NO_COLOR` every run has by default).
    pub fn env_removed(mut self, key: &str) -> Run {
        self.removed.push(key.into());
        self
    }

    /// Give these bytes on standard input (it is empty by default).
    pub fn stdin(mut self, bytes: &[u8]) -> Run {
        self.stdin = Some(bytes.to_vec());
        self
    }

    /// Run under `prlimit --as=BYTES`: the address space the process may use.
    pub fn memory_limit(mut self, bytes: u64) -> Run {
        self.memory = Some(bytes);
        self
    }

    /// Close the reading end of standard output before the program writes (`| true`).
    pub fn stdout_closed(mut self) -> Run {
        self.close_stdout = true;
        self
    }

    /// Close the reading end of standard error before the program writes (`2>&1 | true`).
    pub fn stderr_closed(mut self) -> Run {
        self.close_stderr = true;
        self
    }

    pub fn go(mut self) -> Outcome {
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
            std::thread::sleep(Duration::from_millis(20));
        };
        let elapsed = started.elapsed();
        Outcome {
            code: status.code(),
            stdout: stdout.map(|h| h.join().unwrap_or_default()).unwrap_or_default(),
            stderr: stderr.map(|h| h.join().unwrap_or_default()).unwrap_or_default(),
            elapsed,
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

/// A scratch folder, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("ctrlmap-t11-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch folder");
        Scratch(dir)
    }

    /// A scratch copy of the example workspace (in `ws/` inside the scratch folder).
    pub fn example(name: &str) -> Scratch {
        let s = Scratch::new(name);
        copy_dir(&example(), &s.ws());
        s
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// The workspace folder in it.
    pub fn ws(&self) -> PathBuf {
        self.0.join("ws")
    }

    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let p = self.0.join(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(&p, text).expect("write");
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.0.join(rel)).expect("read")
    }

    /// Edit a file of the scratch folder.
    pub fn edit(&self, rel: &str, f: impl FnOnce(String) -> String) {
        let text = self.read(rel);
        let new = f(text.clone());
        assert!(text != new, "the edit of {rel} changed nothing");
        self.write(rel, &new);
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

/// Make a FIFO (named pipe) with the system's `mkfifo`.
pub fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `file:line:column CODE` of each diagnostic in a run's standard error, read from the
/// rustc-style `error[CODE]: …` line and the ` --> place` line after it (just `CODE` for a
/// problem on the command line).
pub fn errors(stderr: &str) -> Vec<String> {
    let lines: Vec<&str> = stderr.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let Some(rest) = l.strip_prefix("error[") else { continue };
        let Some(code) = rest.split(']').next() else { continue };
        match lines.get(i + 1).and_then(|n| n.trim_start().strip_prefix("--> ")) {
            Some(place) => out.push(format!("{place} {code}")),
            None => out.push(code.to_string()),
        }
    }
    out
}

pub const MB: u64 = 1024 * 1024;
