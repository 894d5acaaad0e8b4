//! Where a value sits in a JSON text: the line and column of the value a JSON pointer names,
//! so a warning about an imported OSCAL file can point at the exact place. serde_json has
//! already accepted the text; this scanner only walks it, and gives up (returns `None`)
//! rather than panic on anything unexpected.

use crate::load::yaml::Pos;

struct Scanner<'a> {
    text: &'a [u8],
    at: usize,
    line: usize,
    column: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.at += 1;
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if b & 0xC0 != 0x80 {
            // Count characters, not the continuation bytes of UTF-8.
            self.column += 1;
        }
        Some(b)
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.column,
        }
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        self.space();
        (self.bump()? == b).then_some(())
    }

    /// A string (the opening quote is next), decoded.
    fn string(&mut self) -> Option<String> {
        self.expect(b'"')?;
        let start = self.at;
        loop {
            match self.bump()? {
                b'"' => break,
                b'\\' => {
                    self.bump()?;
                }
                _ => {}
            }
        }
        let raw = std::str::from_utf8(self.text.get(start - 1..self.at)?).ok()?;
        serde_json::from_str(raw).ok()
    }

    /// Skip one value of any kind.
    fn skip(&mut self, depth: usize) -> Option<()> {
        if depth > 512 {
            return None;
        }
        self.space();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' => {
                self.bump();
                self.space();
                if self.peek()? == b'}' {
                    self.bump();
                    return Some(());
                }
                loop {
                    self.space();
                    self.string()?;
                    self.expect(b':')?;
                    self.skip(depth + 1)?;
                    self.space();
                    match self.bump()? {
                        b',' => continue,
                        b'}' => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.bump();
                self.space();
                if self.peek()? == b']' {
                    self.bump();
                    return Some(());
                }
                loop {
                    self.skip(depth + 1)?;
                    self.space();
                    match self.bump()? {
                        b',' => continue,
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                ) {
                    self.bump();
                }
                Some(())
            }
        }
    }

    /// Walk to the value `tokens` names and return where it starts.
    fn find(&mut self, tokens: &[String]) -> Option<Pos> {
        self.space();
        let Some((first, rest)) = tokens.split_first() else {
            return Some(self.pos());
        };
        match self.peek()? {
            b'{' => {
                self.bump();
                self.space();
                if self.peek()? == b'}' {
                    return None;
                }
                loop {
                    self.space();
                    let key = self.string()?;
                    self.expect(b':')?;
                    if key == *first {
                        return self.find(rest);
                    }
                    self.skip(0)?;
                    self.space();
                    match self.bump()? {
                        b',' => continue,
                        _ => return None,
                    }
                }
            }
            b'[' => {
                let n: usize = first.parse().ok()?;
                self.bump();
                for _ in 0..n {
                    self.skip(0)?;
                    self.expect(b',')?;
                }
                self.space();
                if self.peek()? == b']' {
                    return None;
                }
                self.find(rest)
            }
            _ => None,
        }
    }
}

/// The position of the value at a JSON pointer (`/a/0/b`) in a JSON text.
pub fn locate(text: &str, pointer: &str) -> Option<Pos> {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let mut s = Scanner {
        text: text.as_bytes(),
        at: 0,
        line: 1,
        column: 1,
    };
    if text.starts_with('\u{feff}') {
        s.at = 3;
    }
    s.find(&tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_by_pointer() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\\\"y\"},\n    {\"c\": \"é\", \"d\": true}]\n}";
        assert_eq!(locate(text, "/a/1/b"), Some(Pos { line: 2, column: 18 }));
        assert_eq!(locate(text, "/a/2/d"), Some(Pos { line: 3, column: 21 }));
        assert_eq!(locate(text, "/a/0"), Some(Pos { line: 2, column: 9 }));
        assert_eq!(locate(text, ""), Some(Pos { line: 1, column: 1 }));
    }

    #[test]
    fn a_missing_value_has_no_position() {
        assert_eq!(locate("{\"a\": []}", "/a/0"), None);
        assert_eq!(locate("{\"a\": 1}", "/b"), None);
        assert_eq!(locate("[1,", "/3"), None);
    }
}
