//! Where values sit in a JSON text: the line and column of the values JSON pointers name, all
//! found in one pass, so a warning about an imported OSCAL file can point at the exact place.
//! serde_json has already accepted the text; this scanner only walks it, and gives up (finds
//! nothing more) rather than panic on anything unexpected.

use crate::model::Pos;

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
}

impl Scanner<'_> {
    /// Walk every value, recording where those `wanted` start (by JSON pointer).
    fn collect(
        &mut self,
        at: &mut String,
        wanted: &std::collections::HashSet<&str>,
        found: &mut std::collections::HashMap<String, Pos>,
        depth: usize,
    ) -> Option<()> {
        if depth > 512 {
            return None;
        }
        self.space();
        if wanted.contains(at.as_str()) {
            found.insert(at.clone(), self.pos());
        }
        match self.peek()? {
            b'{' => {
                self.bump();
                self.space();
                if self.peek()? == b'}' {
                    self.bump();
                    return Some(());
                }
                loop {
                    self.space();
                    let key = self.string()?;
                    self.expect(b':')?;
                    let len = at.len();
                    at.push('/');
                    at.push_str(&key.replace('~', "~0").replace('/', "~1"));
                    self.collect(at, wanted, found, depth + 1)?;
                    at.truncate(len);
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
                let mut i = 0usize;
                loop {
                    let len = at.len();
                    at.push('/');
                    at.push_str(&i.to_string());
                    self.collect(at, wanted, found, depth + 1)?;
                    at.truncate(len);
                    i += 1;
                    self.space();
                    match self.bump()? {
                        b',' => continue,
                        b']' => return Some(()),
                        _ => return None,
                    }
                }
            }
            _ => self.skip(depth),
        }
    }
}

/// The positions of many JSON pointers in one pass over the text (pointers it cannot find
/// are left out), so locating thousands of warnings costs one scan, not one each.
pub fn locate_all<'p>(
    text: &str,
    pointers: impl IntoIterator<Item = &'p str>,
) -> std::collections::HashMap<String, Pos> {
    let wanted: std::collections::HashSet<&str> = pointers.into_iter().collect();
    let mut found = std::collections::HashMap::new();
    if wanted.is_empty() {
        return found;
    }
    let mut s = Scanner {
        text: text.as_bytes(),
        at: 0,
        line: 1,
        column: 1,
    };
    if text.starts_with('\u{feff}') {
        s.at = 3;
    }
    let mut at = String::new();
    let _ = s.collect(&mut at, &wanted, &mut found, 0);
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_by_pointer() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\\\"y\"},\n    {\"c\": \"é\", \"d\": true}]\n}";
        let locate = |p: &str| locate_all(text, [p]).get(p).copied();
        assert_eq!(locate("/a/1/b"), Some(Pos { line: 2, column: 18 }));
        assert_eq!(locate("/a/2/d"), Some(Pos { line: 3, column: 21 }));
        assert_eq!(locate("/a/0"), Some(Pos { line: 2, column: 9 }));
        assert_eq!(locate(""), Some(Pos { line: 1, column: 1 }));
    }

    #[test]
    fn many_pointers_are_found_in_one_pass() {
        let text = "{\n  \"a\": [1, {\"b\": \"x\\\"y\"},\n    {\"c/d\": \"é\", \"d\": true}]\n}";
        let found = locate_all(text, ["/a/1/b", "/a/2/d", "/a/2/c~1d", "/zz"]);
        assert_eq!(found.get("/a/1/b"), Some(&Pos { line: 2, column: 18 }));
        assert_eq!(found.get("/a/2/d"), Some(&Pos { line: 3, column: 23 }));
        assert_eq!(found.get("/a/2/c~1d"), Some(&Pos { line: 3, column: 13 }));
        assert_eq!(found.get("/zz"), None);
    }

    #[test]
    fn a_missing_value_has_no_position() {
        assert!(locate_all("{\"a\": []}", ["/a/0"]).is_empty());
        assert!(locate_all("{\"a\": 1}", ["/b"]).is_empty());
        assert!(locate_all("[1,", ["/3"]).is_empty());
    }
}
