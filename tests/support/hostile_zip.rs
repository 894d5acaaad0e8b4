//! Zips no honest tool writes, made byte by byte: duplicate names, names that are not UTF-8,
//! entries that share one body, a body that inflates to hundreds of MiB from a few MiB. Used by
//! the pack tests, the mutation tests and the benchmark (examples/hostile-pack.rs).

#![allow(dead_code)]

/// What an entry holds.
pub enum Body {
    /// Stored as is.
    Bytes(Vec<u8>),
    /// This many zero bytes, deflated by hand (about 13 bits per 258 bytes).
    Zeros(u64),
}

/// One entry of a hand-made zip.
pub struct Entry {
    pub name: Vec<u8>,
    pub body: Body,
    /// The uncompressed size the headers declare, when it is not the true one.
    pub declared: Option<u64>,
    /// Unix mode (with the file type bits), e.g. 0o100644 or 0o120777 for a link.
    pub mode: u32,
}

impl Entry {
    pub fn file(name: impl Into<Vec<u8>>, bytes: impl Into<Vec<u8>>) -> Entry {
        Entry {
            name: name.into(),
            body: Body::Bytes(bytes.into()),
            declared: None,
            mode: 0o100644,
        }
    }

    pub fn zeros(name: impl Into<Vec<u8>>, n: u64) -> Entry {
        Entry {
            name: name.into(),
            body: Body::Zeros(n),
            declared: None,
            mode: 0o100644,
        }
    }
}

/// CRC-32 (IEEE), bit by bit: only ever run on small bodies.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A raw deflate stream of `n` zero bytes: one block with the fixed Huffman codes, a literal
/// zero, then matches of length 258 at distance 1, then literal zeros for the rest.
pub fn deflated_zeros(n: u64) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u64,
        len: u32,
    }
    impl Bits {
        fn put(&mut self, value: u64, count: u32) {
            self.acc |= value << self.len;
            self.len += count;
            while self.len >= 8 {
                self.out.push((self.acc & 0xFF) as u8);
                self.acc >>= 8;
                self.len -= 8;
            }
        }
        /// A Huffman code, most significant bit first.
        fn code(&mut self, code: u64, count: u32) {
            let mut reversed = 0;
            for i in 0..count {
                reversed |= ((code >> i) & 1) << (count - 1 - i);
            }
            self.put(reversed, count);
        }
    }
    let mut bits = Bits {
        out: Vec::new(),
        acc: 0,
        len: 0,
    };
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed Huffman codes
    let mut left = n;
    if left > 0 {
        bits.code(0x30, 8); // literal 0
        left -= 1;
    }
    while left >= 258 {
        bits.code(0xC5, 8); // length 258 (code 285)
        bits.code(0, 5); // distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.code(0x30, 8);
    }
    bits.code(0, 7); // end of block
    bits.put(0, 7); // flush
    bits.out
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Where an entry's local header and data sit, for the central directory.
struct Written {
    name: Vec<u8>,
    method: u16,
    crc: u32,
    compressed: u32,
    size: u32,
    offset: u32,
    mode: u32,
}

fn local(out: &mut Vec<u8>, e: &Entry) -> Written {
    let (method, data, crc, true_size) = match &e.body {
        Body::Bytes(b) => (0u16, b.clone(), crc32(b), b.len() as u64),
        Body::Zeros(n) => (8u16, deflated_zeros(*n), 0, *n),
    };
    let size = u32::try_from(e.declared.unwrap_or(true_size)).unwrap_or(u32::MAX);
    let offset = out.len() as u32;
    u32le(out, 0x0403_4b50);
    u16le(out, 20);
    u16le(out, 0x0800);
    u16le(out, method);
    u16le(out, 0);
    u16le(out, 0x21);
    u32le(out, crc);
    u32le(out, data.len() as u32);
    u32le(out, size);
    u16le(out, e.name.len() as u16);
    u16le(out, 0);
    out.extend_from_slice(&e.name);
    out.extend_from_slice(&data);
    Written {
        name: e.name.clone(),
        method,
        crc,
        compressed: data.len() as u32,
        size,
        offset,
        mode: e.mode,
    }
}

fn central(out: &mut Vec<u8>, written: &[Written]) {
    let start = out.len() as u32;
    for w in written {
        u32le(out, 0x0201_4b50);
        u16le(out, (3 << 8) | 20);
        u16le(out, 20);
        u16le(out, 0x0800);
        u16le(out, w.method);
        u16le(out, 0);
        u16le(out, 0x21);
        u32le(out, w.crc);
        u32le(out, w.compressed);
        u32le(out, w.size);
        u16le(out, w.name.len() as u16);
        u16le(out, 0);
        u16le(out, 0);
        u16le(out, 0);
        u16le(out, 0);
        u32le(out, w.mode << 16);
        u32le(out, w.offset);
        out.extend_from_slice(&w.name);
    }
    let size = out.len() as u32 - start;
    u32le(out, 0x0605_4b50);
    u16le(out, 0);
    u16le(out, 0);
    u16le(out, written.len() as u16);
    u16le(out, written.len() as u16);
    u32le(out, size);
    u32le(out, start);
    u16le(out, 0);
}

/// A zip of these entries, in this order, each with its own local header.
pub fn zip(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    let written: Vec<Written> = entries.iter().map(|e| local(&mut out, e)).collect();
    central(&mut out, &written);
    out
}

/// A zip whose central directory lists `names`, every one pointing at the same local header
/// and body (`body`'s): a few MiB that unpack to `names.len()` times the body.
pub fn zip_sharing(body: &Entry, names: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    let first = local(&mut out, body);
    let written: Vec<Written> = names
        .iter()
        .map(|n| Written {
            name: n.clone(),
            method: first.method,
            crc: first.crc,
            compressed: first.compressed,
            size: first.size,
            offset: first.offset,
            mode: first.mode,
        })
        .collect();
    central(&mut out, &written);
    out
}

/// The entries of a zip, in order: names and contents.
pub fn entries_of(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let file = std::fs::File::open(path).expect("open the zip");
    let mut archive = zip::ZipArchive::new(file).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut e = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut bytes).expect("read entry");
            (e.name().expect("name").into_owned(), bytes)
        })
        .collect()
}
