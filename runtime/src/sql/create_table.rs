//! A SQLite `CREATE TABLE` text read as words: SQLite's catalog keeps no column for a foreign
//! key's deferral, and altering a key means rewriting the table's text, so the text itself is
//! read. Only what those two need is understood: the table's name, and its definitions split at
//! top-level commas.

use std::ops::Range;

/// One word of a SQL text: upper-cased, a quoted name unquoted, `(`, `)` and `,` words of
/// their own, a string literal the opaque word `''`; with where it stands in the text.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    /// The word as compared.
    pub(crate) text: String,
    /// Its bytes in the text, quotes included.
    pub(crate) span: Range<usize>,
    /// Whether it was quoted: a name or a string, never a keyword.
    pub(crate) quoted: bool,
}

/// A word equals a keyword or a punctuation mark only unquoted: a column named `"references"`
/// is no `REFERENCES`. Names are compared by [`Word::text`].
impl PartialEq<&str> for Word {
    fn eq(&self, other: &&str) -> bool {
        !self.quoted && self.text == *other
    }
}

/// A `CREATE TABLE` text as words.
#[derive(Debug)]
pub(crate) struct CreateTable {
    /// Every word of the text, comments dropped.
    pub(crate) words: Vec<Word>,
    /// The words of the table's name (`main . "users"`): indexes into `words`.
    pub(crate) name: Range<usize>,
    /// Each column or table constraint definition: indexes into `words`.
    pub(crate) definitions: Vec<Range<usize>>,
    /// The body's closing parenthesis: an index into `words`.
    pub(crate) close: usize,
}

impl CreateTable {
    /// Reads `sql`; `None` when it is not a `CREATE TABLE ... ( ... )` text.
    pub(crate) fn parse(sql: &str) -> Option<CreateTable> {
        let words = words(sql);
        let table = words.iter().position(|word| *word == "TABLE")?;
        let mut name_start = table + 1;
        if words
            .get(name_start..name_start + 3)
            .is_some_and(|w| w[0] == "IF" && w[1] == "NOT" && w[2] == "EXISTS")
        {
            name_start += 3;
        }
        let open = name_start + words[name_start..].iter().position(|w| *w == "(")?;
        let mut definitions = Vec::new();
        let (mut depth, mut start) = (0usize, open + 1);
        for (at, word) in words.iter().enumerate().skip(open + 1) {
            // A quoted name that reads `(`, `)` or `,` is a name.
            if word.quoted {
                continue;
            }
            match word.text.as_str() {
                "(" => depth += 1,
                ")" if depth == 0 => {
                    definitions.push(start..at);
                    return Some(CreateTable {
                        name: name_start..open,
                        definitions,
                        close: at,
                        words,
                    });
                }
                ")" => depth -= 1,
                "," if depth == 0 => {
                    definitions.push(start..at);
                    start = at + 1;
                }
                _ => {}
            }
        }
        None
    }

    /// The definitions that declare a foreign key from `column` to `parent` (both upper-cased):
    /// a column constraint (`col INTEGER REFERENCES t (id)`) or a table constraint
    /// (`FOREIGN KEY (col) REFERENCES t (id)`).
    pub(crate) fn key_definitions<'a>(
        &'a self,
        column: &'a str,
        parent: &'a str,
    ) -> impl Iterator<Item = &'a [Word]> + 'a {
        self.definitions.iter().filter_map(move |range| {
            let words = &self.words[range.clone()];
            let names_column = match words
                .windows(3)
                .position(|w| w[0] == "FOREIGN" && w[1] == "KEY" && w[2] == "(")
            {
                Some(at) => words[at + 3..]
                    .iter()
                    .take_while(|word| **word != ")")
                    .any(|word| word.text == column),
                None => words.first().is_some_and(|word| word.text == column),
            };
            let references_parent = words
                .windows(2)
                .any(|w| w[0] == "REFERENCES" && w[1].text == parent);
            (names_column && references_parent).then_some(words)
        })
    }
}

/// The words of a SQL text.
fn words(sql: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut current: Option<(String, usize)> = None;
    let mut chars = sql.char_indices().peekable();
    let end_word = |current: &mut Option<(String, usize)>, words: &mut Vec<Word>, end: usize| {
        if let Some((text, start)) = current.take() {
            words.push(Word {
                text,
                span: start..end,
                quoted: false,
            });
        }
    };
    while let Some((at, c)) = chars.next() {
        match c {
            '-' if chars.peek().is_some_and(|&(_, next)| next == '-') => {
                end_word(&mut current, &mut words, at);
                chars.by_ref().find(|&(_, c)| c == '\n');
            }
            '/' if chars.peek().is_some_and(|&(_, next)| next == '*') => {
                end_word(&mut current, &mut words, at);
                chars.next();
                let mut last = ' ';
                for (_, c) in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '\'' | '"' | '`' | '[' => {
                end_word(&mut current, &mut words, at);
                let close = if c == '[' { ']' } else { c };
                let mut text = String::new();
                let mut end = sql.len();
                while let Some((inner_at, inner)) = chars.next() {
                    if inner == close {
                        // A doubled quote stands for itself, except in brackets.
                        if close != ']' && chars.peek().is_some_and(|&(_, next)| next == close) {
                            chars.next();
                        } else {
                            end = inner_at + inner.len_utf8();
                            break;
                        }
                    }
                    text.push(inner.to_ascii_uppercase());
                }
                let text = if c == '\'' { "''".to_owned() } else { text };
                words.push(Word {
                    text,
                    span: at..end,
                    quoted: true,
                });
            }
            '(' | ')' | ',' => {
                end_word(&mut current, &mut words, at);
                words.push(Word {
                    text: c.to_string(),
                    span: at..at + 1,
                    quoted: false,
                });
            }
            c if c.is_whitespace() => end_word(&mut current, &mut words, at),
            c => match &mut current {
                Some((text, _)) => text.push(c.to_ascii_uppercase()),
                None => current = Some((c.to_ascii_uppercase().to_string(), at)),
            },
        }
    }
    end_word(&mut current, &mut words, sql.len());
    words
}

#[cfg(test)]
mod tests {
    use super::CreateTable;

    #[test]
    fn names_definitions_and_spans() {
        let sql = "CREATE TABLE IF NOT EXISTS main.\"my \"\"t\"\" \" (id INTEGER, -- a, b\n \
                   note TEXT DEFAULT 'a, (b', [pin] INTEGER REFERENCES c (id), CHECK (id > 0))";
        let table = CreateTable::parse(sql).expect("a CREATE TABLE text");
        let name: Vec<&str> = table.words[table.name.clone()]
            .iter()
            .map(|word| word.text.as_str())
            .collect();
        assert_eq!(name, ["MAIN.", "MY \"T\" "]);
        assert_eq!(table.definitions.len(), 4);
        let pin: Vec<_> = table.key_definitions("PIN", "C").collect();
        assert_eq!(pin.len(), 1);
        assert_eq!(&sql[pin[0][0].span.clone()], "[pin]");
        assert_eq!(&sql[table.words[table.close].span.clone()], ")");
        assert_eq!(table.words[table.close].span.end, sql.len());
        assert!(CreateTable::parse("CREATE VIEW v AS SELECT 1").is_none());
    }
}
