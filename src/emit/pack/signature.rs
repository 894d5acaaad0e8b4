//! Signing a pack with an SSH key, and checking the signature, the way OpenSSH does it.
//!
//! `ctrlmap pack --sign KEY` signs `SHA256SUMS` with an OpenSSH private key (Ed25519 or ECDSA)
//! in the SSH signature format that `ssh-keygen -Y sign` writes (PROTOCOL.sshsig), under the
//! namespace `ctrlmap-pack`, into `SHA256SUMS.sig`. An auditor checks it with OpenSSH alone:
//!
//! ```text
//! ssh-keygen -Y verify -f allowed_signers -I ID -n ctrlmap-pack -s SHA256SUMS.sig < SHA256SUMS
//! ```
//!
//! `ctrlmap pack verify --signers allowed_signers` reads the same allowed-signers file (the
//! format of ssh-keygen(1), "ALLOWED SIGNERS": principals, options, key type, key) and accepts a
//! signature only from a key listed there for this namespace, within its validity dates.
//!
//! Ed25519 signatures are deterministic: the same `SHA256SUMS` and key give the same
//! `SHA256SUMS.sig`. ECDSA signatures made here use RFC 6979 nonces, deterministic too; one
//! made by `ssh-keygen` (random nonces) differs from run to run while verifying the same.

pub use crate::emit::documents::pack_view::Signer;
use ssh_key::{Algorithm, HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};
use std::fmt;
use std::path::Path;

/// The namespace every pack signature is made in, so a signature over a pack cannot be passed
/// off as one over an email or a git commit (and the reverse).
pub const NAMESPACE: &str = "ctrlmap-pack";
/// The signature file, beside `SHA256SUMS`.
pub const SIG: &str = "SHA256SUMS.sig";
/// The largest signature file read: an SSH signature of any supported key is well under 1 KiB.
pub const MAX_SIG_BYTES: u64 = 64 * 1024;
/// The largest allowed-signers file read.
const MAX_SIGNERS_BYTES: u64 = 4 * 1024 * 1024;

/// A signing key read from an OpenSSH private key file.
pub struct SigningKey {
    key: PrivateKey,
}

impl SigningKey {
    /// Read an unencrypted Ed25519 or ECDSA private key in the OpenSSH format.
    pub fn read(path: &Path) -> Result<SigningKey, String> {
        let shown = crate::fs::input::display_path(path);
        let bytes = crate::fs::input::Root::anywhere()
            .read(path, MAX_SIGNERS_BYTES)
            .map_err(|why| format!("--sign {shown}: the key file {why}"))?;
        let key = PrivateKey::from_openssh(&bytes).map_err(|e| {
            format!(
                "--sign {shown}: not an OpenSSH private key ({e}); give the private key file `ssh-keygen -t ed25519` wrote (it starts with `-----BEGIN OPENSSH PRIVATE KEY-----`), not the .pub file"
            )
        })?;
        if key.is_encrypted() {
            return Err(format!(
                "--sign {shown}: the key is protected by a passphrase, and ctrlmap does not ask for one; sign with a key kept without a passphrase in a protected place (a CI secret), or make such a copy with `ssh-keygen -p -N '' -f COPY`"
            ));
        }
        match key.algorithm() {
            Algorithm::Ed25519 | Algorithm::Ecdsa { .. } => Ok(SigningKey { key }),
            other => Err(format!(
                "--sign {shown}: a {} key; sign with an Ed25519 or ECDSA key (`ssh-keygen -t ed25519`)",
                other.as_str()
            )),
        }
    }

    /// Who signs: algorithm, fingerprint and public key.
    pub fn signer(&self) -> Signer {
        signer_of(self.key.public_key())
    }

    /// The SSH signature of `message` in the pack's namespace, armored as `ssh-keygen -Y sign`
    /// writes it.
    pub fn sign(&self, message: &[u8]) -> Result<String, String> {
        self.key
            .sign(NAMESPACE, HashAlg::Sha512, message)
            .and_then(|sig| sig.to_pem(LineEnding::LF))
            .map_err(|e| format!("signing {}: {e}", super::SUMS))
    }
}

fn signer_of(key: &PublicKey) -> Signer {
    let public_key = PublicKey::new(key.key_data().clone(), "")
        .to_openssh()
        .unwrap_or_default()
        .trim()
        .to_string();
    Signer {
        algorithm: key.algorithm().as_str().to_string(),
        fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
        public_key,
    }
}

/// What the signature check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SignatureCheck {
    /// No `SHA256SUMS.sig` in the pack.
    #[default]
    Unsigned,
    /// The signature is good for `SHA256SUMS` and was made by the key it names; nobody said
    /// whose key that should be (no `--signers`).
    SignedBy(Signer),
    /// Good, and made by a key the allowed-signers file lists for this namespace.
    Allowed { signer: Signer, principals: Vec<String> },
    /// The signature does not hold: why.
    Bad(String),
}

impl fmt::Display for SignatureCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureCheck::Unsigned => write!(f, "not signed (no {SIG})"),
            SignatureCheck::SignedBy(s) => write!(
                f,
                "{SIG} is a valid signature of {} by the {} key {}; whose key that is was not checked (give --signers allowed_signers)",
                super::SUMS,
                s.algorithm,
                s.fingerprint
            ),
            SignatureCheck::Allowed { signer, principals } => write!(
                f,
                "{SIG} is a valid signature of {} by {} ({} key {}), an allowed signer",
                super::SUMS,
                principals.join(", "),
                signer.algorithm,
                signer.fingerprint
            ),
            SignatureCheck::Bad(why) => write!(f, "{why}"),
        }
    }
}

/// Check a pack's signature over `sums`. With `signers`, the signing key must be one of them.
pub fn check(sums: &[u8], sig: Option<&[u8]>, signers: Option<&AllowedSigners>, now: i64) -> SignatureCheck {
    let Some(sig) = sig else {
        return match signers {
            Some(_) => SignatureCheck::Bad(format!(
                "the pack is not signed (no {SIG}), but --signers asks for a signature"
            )),
            None => SignatureCheck::Unsigned,
        };
    };
    let parsed = match SshSig::from_pem(sig) {
        Ok(s) => s,
        Err(e) => return SignatureCheck::Bad(format!("{SIG} is not an SSH signature ({e})")),
    };
    if parsed.namespace() != NAMESPACE {
        return SignatureCheck::Bad(format!(
            "{SIG} was made for the namespace `{}`, not `{NAMESPACE}`: it is not a pack signature",
            parsed.namespace()
        ));
    }
    let key = PublicKey::new(parsed.public_key().clone(), "");
    let signer = signer_of(&key);
    if let Err(e) = key.verify(NAMESPACE, sums, &parsed) {
        return SignatureCheck::Bad(format!(
            "{SIG} does not match {} ({e}): the list of checksums changed after it was signed, or the signature is not of this pack",
            super::SUMS
        ));
    }
    let Some(signers) = signers else {
        return SignatureCheck::SignedBy(signer);
    };
    let mut principals: Vec<String> = Vec::new();
    let mut refused = Vec::new();
    for entry in signers.entries.iter().filter(|e| e.key == *key.key_data()) {
        match entry.refusal(now) {
            None => principals.extend(entry.principals.iter().cloned()),
            Some(why) => refused.push(format!("line {}: {why}", entry.line)),
        }
    }
    if principals.is_empty() {
        return SignatureCheck::Bad(if refused.is_empty() {
            format!(
                "{SIG} was made by the {} key {}, which {} does not list: not an allowed signer",
                signer.algorithm, signer.fingerprint, signers.file
            )
        } else {
            format!(
                "{SIG} was made by the {} key {}, which {} does not allow here ({})",
                signer.algorithm,
                signer.fingerprint,
                signers.file,
                refused.join("; ")
            )
        });
    }
    principals.sort();
    principals.dedup();
    SignatureCheck::Allowed { signer, principals }
}

/// An allowed-signers file (ssh-keygen(1), "ALLOWED SIGNERS").
#[derive(Debug, Clone)]
pub struct AllowedSigners {
    /// The file, as the user named it.
    pub file: String,
    entries: Vec<AllowedSigner>,
}

#[derive(Debug, Clone)]
struct AllowedSigner {
    line: usize,
    principals: Vec<String>,
    key: ssh_key::public::KeyData,
    /// `cert-authority`: the key signs certificates, never a pack directly.
    cert_authority: bool,
    namespaces: Option<String>,
    valid_after: Option<i64>,
    valid_before: Option<i64>,
}

impl AllowedSigner {
    /// Why this line does not allow a pack signature at `now` (Unix seconds), if it does not.
    fn refusal(&self, now: i64) -> Option<String> {
        if self.cert_authority {
            return Some("the key is listed as a certificate authority, which signs certificates, not packs".into());
        }
        if let Some(list) = &self.namespaces
            && !pattern_list_matches(list, NAMESPACE)
        {
            return Some(format!("its namespaces=\"{list}\" do not include `{NAMESPACE}`"));
        }
        if self.valid_after.is_some_and(|t| now < t) {
            return Some("the key is not valid yet (valid-after)".into());
        }
        if self.valid_before.is_some_and(|t| now > t) {
            return Some("the key is no longer valid (valid-before)".into());
        }
        None
    }
}

/// A line of an allowed-signers file that cannot be read: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignersError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for SignersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
        }
    }
}

impl AllowedSigners {
    /// Read an allowed-signers file. Every line must be a signer or a comment; a file with no
    /// signer at all is refused too (it could never accept anything).
    pub fn read(path: &Path) -> Result<AllowedSigners, SignersError> {
        let file = crate::fs::input::display_path(path);
        let error = |line, column, message: String| SignersError {
            file: file.clone(),
            line,
            column,
            message,
        };
        let bytes = crate::fs::input::Root::anywhere()
            .read(path, MAX_SIGNERS_BYTES)
            .map_err(|why| error(0, 0, format!("the allowed-signers file {why}")))?;
        let text = String::from_utf8(bytes).map_err(|_| error(0, 0, "not UTF-8 text".into()))?;
        AllowedSigners::parse(&file, &text)
    }

    /// Parse the text of an allowed-signers file named `file`.
    pub fn parse(file: &str, text: &str) -> Result<AllowedSigners, SignersError> {
        let mut entries = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indent = line.len() - trimmed.len();
            let entry = parse_line(trimmed, n + 1).map_err(|(at, message)| SignersError {
                file: file.to_string(),
                line: n + 1,
                column: line[..indent + at].chars().count() + 1,
                message,
            })?;
            entries.push(entry);
        }
        if entries.is_empty() {
            return Err(SignersError {
                file: file.to_string(),
                line: 0,
                column: 0,
                message: "lists no signer; write one line per signer: `PRINCIPAL KEYTYPE BASE64KEY`, e.g. the `.pub` file of the signing key with `auditor@example.com ` before it".into(),
            });
        }
        Ok(AllowedSigners {
            file: file.to_string(),
            entries,
        })
    }
}

/// Split off the next field of a line: a run of characters up to a space, where double quotes
/// may hold spaces. Returns the field and where the rest starts.
fn field(text: &str) -> (&str, usize) {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ' ' | '\t' if !quoted => return (&text[..i], i),
            _ => {}
        }
    }
    (text, text.len())
}

/// The next field and the offset of the one after it (spaces skipped).
fn next_field(line: &str, at: usize) -> Option<(&str, usize, usize)> {
    let rest = &line[at..];
    let skipped = rest.len() - rest.trim_start().len();
    let start = at + skipped;
    if start >= line.len() {
        return None;
    }
    let (f, len) = field(&line[start..]);
    Some((f, start, start + len))
}

/// Key types a line may name (the key itself is checked when it is decoded).
fn is_key_type(word: &str) -> bool {
    word.starts_with("ssh-") || word.starts_with("ecdsa-") || word.starts_with("sk-")
}

fn parse_line(line: &str, number: usize) -> Result<AllowedSigner, (usize, String)> {
    let (principals, p_at, after) = next_field(line, 0).ok_or((0, "empty line".to_string()))?;
    let principals: Vec<String> = principals
        .trim_matches('"')
        .split(',')
        .map(str::to_string)
        .filter(|p| !p.is_empty())
        .collect();
    if principals.is_empty() {
        return Err((
            p_at,
            "no principal before the key; start the line with who signs, e.g. `auditor@example.com`".into(),
        ));
    }
    let (mut word, mut w_at, mut after) = next_field(line, after).ok_or((
        line.len(),
        "a principal but no key; write `PRINCIPAL KEYTYPE BASE64KEY`".to_string(),
    ))?;
    let mut entry = AllowedSigner {
        line: number,
        principals,
        key: ssh_key::public::KeyData::Ed25519(ssh_key::public::Ed25519PublicKey([0; 32])),
        cert_authority: false,
        namespaces: None,
        valid_after: None,
        valid_before: None,
    };
    if !is_key_type(word) {
        parse_options(word, w_at, &mut entry)?;
        (word, w_at, after) = next_field(line, after).ok_or((
            line.len(),
            "options but no key; write `PRINCIPAL [OPTIONS] KEYTYPE BASE64KEY`".to_string(),
        ))?;
    }
    let (base64, b_at, _) =
        next_field(line, after).ok_or((line.len(), format!("the key type `{word}` but no key after it")))?;
    let key = PublicKey::from_openssh(&format!("{word} {base64}")).map_err(|e| {
        (
            w_at,
            format!(
                "`{word} {}` is not an SSH public key this build reads ({e})",
                crate::model::text::shorten(base64, 13)
            ),
        )
    })?;
    let _ = b_at;
    entry.key = key.key_data().clone();
    Ok(entry)
}

fn parse_options(text: &str, at: usize, entry: &mut AllowedSigner) -> Result<(), (usize, String)> {
    let mut start = 0;
    let mut quoted = false;
    let mut parts = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push((start, &text[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push((start, &text[start..]));
    for (offset, option) in parts {
        let (name, value) = match option.split_once('=') {
            Some((n, v)) => (n, Some(v.trim_matches('"'))),
            None => (option, None),
        };
        let here = at + offset;
        match (name.to_ascii_lowercase().as_str(), value) {
            ("cert-authority", None) => entry.cert_authority = true,
            ("namespaces", Some(v)) => entry.namespaces = Some(v.to_string()),
            ("valid-after", Some(v)) => entry.valid_after = Some(timestamp(v).ok_or((here, bad_time(v)))?),
            ("valid-before", Some(v)) => entry.valid_before = Some(timestamp(v).ok_or((here, bad_time(v)))?),
            _ => {
                return Err((
                    here,
                    format!(
                        "`{option}` is not an option of an allowed-signers line, nor a key type; options are cert-authority, namespaces=\"…\", valid-after=… and valid-before=…"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn bad_time(v: &str) -> String {
    format!("`{v}` is not a timestamp; write YYYYMMDD[Z] or YYYYMMDDHHMM[SS][Z]")
}

/// An allowed-signers timestamp (`YYYYMMDD[Z]`, `YYYYMMDDHHMM[SS][Z]`) as Unix seconds. Without
/// `Z`, OpenSSH reads it in the local time zone; ctrlmap reads every timestamp as UTC.
fn timestamp(text: &str) -> Option<i64> {
    let digits = text.strip_suffix(['Z', 'z']).unwrap_or(text);
    if !digits.bytes().all(|b| b.is_ascii_digit()) || ![8, 12, 14].contains(&digits.len()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| digits.get(r).and_then(|s| s.parse::<u32>().ok());
    let year = i32::try_from(num(0..4)?).ok()?;
    let month = time::Month::try_from(u8::try_from(num(4..6)?).ok()?).ok()?;
    let date = time::Date::from_calendar_date(year, month, u8::try_from(num(6..8)?).ok()?).ok()?;
    let (h, m, s) = match digits.len() {
        8 => (0, 0, 0),
        12 => (num(8..10)?, num(10..12)?, 0),
        _ => (num(8..10)?, num(10..12)?, num(12..14)?),
    };
    let time = time::Time::from_hms(u8::try_from(h).ok()?, u8::try_from(m).ok()?, u8::try_from(s).ok()?).ok()?;
    Some(time::PrimitiveDateTime::new(date, time).assume_utc().unix_timestamp())
}

/// OpenSSH's pattern lists (ssh_config(5), PATTERNS): comma-separated patterns with `*` and
/// `?`; a `!` before one excludes what it matches.
fn pattern_list_matches(list: &str, text: &str) -> bool {
    let mut matched = false;
    for pattern in list.split(',') {
        match pattern.strip_prefix('!') {
            Some(negated) if wildcard(negated, text) => return false,
            Some(_) => {}
            None => matched |= wildcard(pattern, text),
        }
    }
    matched
}

/// `*` matches any run of characters, `?` one character (iterative, linear in practice).
fn wildcard(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti";

    #[test]
    fn namespace_patterns_follow_openssh() {
        assert!(pattern_list_matches("ctrlmap-pack", NAMESPACE));
        assert!(pattern_list_matches("file,ctrlmap-*", NAMESPACE));
        assert!(!pattern_list_matches("file,git", NAMESPACE));
        assert!(!pattern_list_matches("*,!ctrlmap-pack", NAMESPACE));
        assert!(pattern_list_matches("c?rlmap-pack", NAMESPACE));
    }

    #[test]
    fn timestamps_read_as_openssh_writes_them() {
        assert_eq!(timestamp("19700102Z"), Some(86_400));
        assert_eq!(timestamp("197001020001"), Some(86_460));
        assert_eq!(timestamp("19700102000001Z"), Some(86_401));
        assert_eq!(timestamp("2026-01-01"), None);
        assert_eq!(timestamp("20261301"), None);
    }

    #[test]
    fn signer_lines_with_options_and_comments_parse() {
        let text = format!(
            "# auditors\nauditor@example.com {KEY} laptop\n\"a@x,b@y\" namespaces=\"file,ctrlmap-pack\",valid-after=20260101 {KEY}\n"
        );
        let signers = AllowedSigners::parse("allowed_signers", &text).expect("parses");
        assert_eq!(signers.entries.len(), 2);
        assert_eq!(signers.entries[1].principals, ["a@x", "b@y"]);
        assert_eq!(signers.entries[1].namespaces.as_deref(), Some("file,ctrlmap-pack"));
        assert_eq!(
            signers.entries[1].refusal(0).as_deref(),
            Some("the key is not valid yet (valid-after)")
        );
    }

    #[test]
    fn a_bad_line_is_located() {
        let e = AllowedSigners::parse("s", &format!("a@b {KEY}\n  c@d nonsense {KEY}\n")).expect_err("bad option");
        assert_eq!((e.line, e.column), (2, 7), "{e}");
        let e = AllowedSigners::parse("s", "a@b ssh-ed25519 AAAAnotbase64!!\n").expect_err("bad key");
        assert_eq!((e.line, e.column), (1, 5), "{e}");
        assert!(AllowedSigners::parse("s", "# nothing\n").is_err(), "no signer at all");
    }

    #[test]
    fn a_bad_key_is_quoted_by_its_first_twelve_characters_and_marked_only_when_cut() {
        let e = AllowedSigners::parse("s", "a@b ssh-ed25519 AAAAnotbase64!!\n").expect_err("bad key");
        assert!(e.to_string().contains("`ssh-ed25519 AAAAnotbase6…` is not"), "{e}");
        let e = AllowedSigners::parse("s", "a@b ssh-ed25519 AAAA!\n").expect_err("bad key");
        assert!(e.to_string().contains("`ssh-ed25519 AAAA!` is not"), "{e}");
    }
}
