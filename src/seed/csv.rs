//! CSV text -> records, one field at a time through a callback (no per-field allocation).
//!
//! RFC 4180 with the tolerances both Python's csv module and DuckDB's reader share: a
//! quote inside an unquoted field is an ordinary character, and `\n`, `\r\n` and a lone
//! `\r` all end a record. What they do not tolerate alike is an error here: a quoted field
//! left open, or text after a closing quote.

use super::SeedError;

/// Reads records from the text of a CSV file (BOM already removed).
pub(crate) struct Records<'a> {
    text: &'a str,
    delimiter: &'a [u8],
    pos: usize,
    /// 1-based line of `pos`.
    line: u32,
    /// A quoted field with doubled quotes is unescaped here, reused across fields.
    scratch: String,
}

/// Where a record started and how many fields it had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Record {
    pub line: u32,
    pub fields: usize,
}

impl<'a> Records<'a> {
    pub fn new(text: &'a str, delimiter: &'a str) -> Records<'a> {
        Records {
            text,
            delimiter: delimiter.as_bytes(),
            pos: 0,
            line: 1,
            scratch: String::new(),
        }
    }

    /// The next record: `field(index, value)` is called for each of its fields. A blank
    /// line is a record of no fields, as Python's csv module reads it.
    pub fn next_record(
        &mut self,
        mut field: impl FnMut(usize, &str),
    ) -> Result<Option<Record>, SeedError> {
        let bytes = self.text.as_bytes();
        if self.pos >= bytes.len() {
            return Ok(None);
        }
        let start_line = self.line;
        if self.at_newline() {
            self.eat_newline();
            return Ok(Some(Record {
                line: start_line,
                fields: 0,
            }));
        }
        let mut index = 0;
        loop {
            let ended = if bytes[self.pos..].first() == Some(&b'"') {
                self.quoted_field(index, &mut field)?
            } else {
                self.plain_field(index, &mut field)
            };
            index += 1;
            if ended {
                return Ok(Some(Record {
                    line: start_line,
                    fields: index,
                }));
            }
        }
    }

    /// Reads an unquoted field; true when it ended its record.
    fn plain_field(&mut self, index: usize, field: &mut impl FnMut(usize, &str)) -> bool {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        while self.pos < bytes.len() {
            if self.at_delimiter() {
                field(index, &self.text[start..self.pos]);
                self.pos += self.delimiter.len();
                return false;
            }
            if self.at_newline() {
                field(index, &self.text[start..self.pos]);
                self.eat_newline();
                return true;
            }
            self.pos += 1;
        }
        field(index, &self.text[start..]);
        true
    }

    /// Reads a field that opens with a quote; true when it ended its record.
    fn quoted_field(
        &mut self,
        index: usize,
        field: &mut impl FnMut(usize, &str),
    ) -> Result<bool, SeedError> {
        let bytes = self.text.as_bytes();
        let opened_at = self.line;
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        self.scratch.clear();
        let mut piece = start;
        loop {
            match bytes.get(self.pos) {
                None => return Err(SeedError::UnterminatedQuote { line: opened_at }),
                Some(b'"') if bytes.get(self.pos + 1) == Some(&b'"') => {
                    // A doubled quote stands for one: keep everything up to and including
                    // the first, skip the second.
                    self.scratch.push_str(&self.text[piece..=self.pos]);
                    self.pos += 2;
                    piece = self.pos;
                    escaped = true;
                }
                Some(b'"') => break,
                Some(b'\n') => {
                    self.line += 1;
                    self.pos += 1;
                }
                Some(b'\r') => {
                    if bytes.get(self.pos + 1) != Some(&b'\n') {
                        self.line += 1;
                    }
                    self.pos += 1;
                }
                Some(_) => self.pos += 1,
            }
        }
        if escaped {
            self.scratch.push_str(&self.text[piece..self.pos]);
            field(index, &self.scratch);
        } else {
            field(index, &self.text[start..self.pos]);
        }
        self.pos += 1;
        if self.pos >= bytes.len() {
            return Ok(true);
        }
        if self.at_delimiter() {
            self.pos += self.delimiter.len();
            return Ok(false);
        }
        if self.at_newline() {
            self.eat_newline();
            return Ok(true);
        }
        Err(SeedError::TextAfterQuote { line: self.line })
    }

    fn at_delimiter(&self) -> bool {
        self.text.as_bytes()[self.pos..].starts_with(self.delimiter)
    }

    fn at_newline(&self) -> bool {
        matches!(self.text.as_bytes().get(self.pos), Some(b'\n' | b'\r'))
    }

    /// Steps over one `\n`, `\r\n` or `\r`.
    fn eat_newline(&mut self) {
        let bytes = self.text.as_bytes();
        if bytes.get(self.pos) == Some(&b'\r') && bytes.get(self.pos + 1) == Some(&b'\n') {
            self.pos += 1;
        }
        self.pos += 1;
        self.line += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, delimiter: &str) -> Result<Vec<(u32, Vec<String>)>, SeedError> {
        let mut records = Records::new(text, delimiter);
        let mut out = Vec::new();
        loop {
            let mut fields = Vec::new();
            match records.next_record(|_, v| fields.push(v.to_string()))? {
                Some(r) => {
                    assert_eq!(r.fields, fields.len());
                    if r.fields > 0 {
                        out.push((r.line, fields));
                    }
                }
                None => return Ok(out),
            }
        }
    }

    fn row(line: u32, fields: &[&str]) -> (u32, Vec<String>) {
        (line, fields.iter().map(|f| f.to_string()).collect())
    }

    #[test]
    fn quoting_follows_rfc_4180() {
        let text = "a,b\n1,\"x,y\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,a\"b\n5,\"\"\n";
        assert_eq!(
            read(text, ",").unwrap(),
            [
                row(1, &["a", "b"]),
                row(2, &["1", "x,y"]),
                row(3, &["2", "say \"hi\""]),
                row(4, &["3", "two\nlines"]),
                row(6, &["4", "a\"b"]),
                row(7, &["5", ""]),
            ]
        );
    }

    #[test]
    fn every_newline_style_ends_a_record() {
        let text = "a;b\r\n1;2\r\r\n\n3;\n;4";
        assert_eq!(
            read(text, ";").unwrap(),
            [
                row(1, &["a", "b"]),
                row(2, &["1", "2"]),
                row(5, &["3", ""]),
                row(6, &["", "4"]),
            ]
        );
        assert_eq!(read("", ",").unwrap(), []);
        let mut blank = Records::new("\n\r\n", ",");
        let mut count = 0;
        while let Some(r) = blank.next_record(|_, _| count += 1).unwrap() {
            assert_eq!(r.fields, 0);
        }
        assert_eq!((count, blank.line), (0, 3));
        assert_eq!(read("x¦y\n", "¦").unwrap(), [row(1, &["x", "y"])]);
    }

    #[test]
    fn broken_quotes_name_their_line() {
        assert_eq!(
            read("a\n1\n\"open\n\n", ",").unwrap_err(),
            SeedError::UnterminatedQuote { line: 3 }
        );
        assert_eq!(
            read("a,b\n\"x\ny\"z,1\n", ",").unwrap_err(),
            SeedError::TextAfterQuote { line: 3 }
        );
    }
}
