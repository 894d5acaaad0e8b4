//! The one way out: everything ctrlmap prints goes through here.
//!
//! - A closed pipe ends the output quietly (`ctrlmap check | head`, `ctrlmap pack … | true`):
//!   later writes are dropped and the run finishes with the exit code it would have had;
//!   nothing panics (`println!` would).
//! - Text meant for people (reports, diagnostics, messages) passes through
//!   [`crate::emit::escape::terminal_text`], so no input can drive the terminal or forge a CI
//!   workflow command. Machine formats (JSON, SARIF, JUnit, CSV, workflow annotations) are
//!   written as they are: their own escaping applies.
//! - Any other write error on standard output (a full disk, `/dev/full`) is returned, so the
//!   command can report it and exit 2.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether standard output's reader has gone away.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Standard output as a writer: a closed pipe swallows the rest quietly.
pub struct Stdout {
    inner: io::StdoutLock<'static>,
}

impl Stdout {
    pub fn lock() -> Stdout {
        Stdout {
            inner: io::stdout().lock(),
        }
    }
}

fn closed(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if stdout_closed() {
            return Ok(buf.len());
        }
        match self.inner.write(buf) {
            Err(e) if closed(&e) => {
                STDOUT_CLOSED.store(true, Ordering::Relaxed);
                Ok(buf.len())
            }
            other => other,
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if stdout_closed() {
            return Ok(());
        }
        match self.inner.flush() {
            Err(e) if closed(&e) => {
                STDOUT_CLOSED.store(true, Ordering::Relaxed);
                Ok(())
            }
            other => other,
        }
    }
}

/// Write bytes of a machine format to standard output as they are.
pub fn print_raw(bytes: &[u8]) -> io::Result<()> {
    let mut out = Stdout::lock();
    out.write_all(bytes)?;
    out.flush()
}

/// Write text for people to standard output: control characters made visible, no line a
/// CI log would run. `keep_colour` keeps ctrlmap's own colour sequences (when standard
/// output is a terminal); user text in coloured output must be escaped by its writer.
pub fn print(text: &str, keep_colour: bool) -> io::Result<()> {
    print_raw(crate::emit::escape::terminal_text(text, keep_colour).as_bytes())
}

/// Whether to colour output: `--color auto|always|never`. `auto` follows the stream and the
/// environment as anstream reads it: `NO_COLOR` turns colour off, `CLICOLOR_FORCE` on, else
/// colour when the stream is a terminal (and `TERM` is not `dumb`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

/// Set the colour choice for the run (once, from the command line).
pub fn set_colour(when: ColorWhen) {
    match when {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    }
    .write_global();
}

/// Whether text on standard output is coloured.
pub fn stdout_colour() -> bool {
    anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
}

/// Whether text on standard error (diagnostics, messages) is coloured.
pub fn stderr_colour() -> bool {
    anstream::AutoStream::choice(&io::stderr()) != anstream::ColorChoice::Never
}

/// `text` in `style` when `on`, else as it is.
pub fn paint(on: bool, style: anstyle::Style, text: &str) -> String {
    if on {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

/// Write text for people to standard error, neutralised as [`print`] does (ctrlmap's own
/// colour kept when standard error is coloured). Errors are ignored: there is nowhere left
/// to report them, and the exit code still tells.
pub fn eprint(text: &str) {
    let text = crate::emit::escape::terminal_text(text, stderr_colour());
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

/// [`eprint`] with a line feed.
pub fn eprintln(text: &str) {
    eprint(&format!("{text}\n"));
}
