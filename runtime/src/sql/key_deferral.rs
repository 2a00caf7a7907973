//! How a SQLite `CREATE TABLE` text declares a column's foreign key: SQLite's catalog has no
//! column for deferral (`PRAGMA foreign_key_list` leaves it out), so the table's own text is read.

use crate::sql::dialect::KeyDeclaration;

/// How `create_table` declares the foreign key from `column` to `parent`: as a column constraint
/// (`col INTEGER REFERENCES t (id) DEFERRABLE INITIALLY DEFERRED`) or a table constraint
/// (`FOREIGN KEY (col) REFERENCES t (id) ...`). Only `DEFERRABLE INITIALLY DEFERRED` defers a
/// SQLite key; without one naming the column and the parent, nothing checks it.
pub(crate) fn declaration(create_table: &str, column: &str, parent: &str) -> KeyDeclaration {
    let tokens = tokens(create_table);
    let (column, parent) = (column.to_ascii_uppercase(), parent.to_ascii_uppercase());
    // The table's body: the tokens inside its outermost parentheses, split at top-level commas.
    let Some(open) = tokens.iter().position(|token| token == "(") else {
        return KeyDeclaration::Absent;
    };
    let mut definitions: Vec<&[String]> = Vec::new();
    let (mut depth, mut start) = (0usize, open + 1);
    for (at, token) in tokens.iter().enumerate().skip(open + 1) {
        match token.as_str() {
            "(" => depth += 1,
            ")" if depth == 0 => {
                definitions.push(&tokens[start..at]);
                break;
            }
            ")" => depth -= 1,
            "," if depth == 0 => {
                definitions.push(&tokens[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    let mut found = KeyDeclaration::Absent;
    for words in definitions {
        let names_column = match words
            .windows(3)
            .position(|w| w[0] == "FOREIGN" && w[1] == "KEY" && w[2] == "(")
        {
            Some(at) => words[at + 3..]
                .iter()
                .take_while(|word| *word != ")")
                .any(|word| *word == column),
            None => words.first() == Some(&column),
        };
        let references_parent = words
            .windows(2)
            .any(|w| w[0] == "REFERENCES" && w[1] == parent);
        if !(names_column && references_parent) {
            continue;
        }
        let deferred = words.windows(3).enumerate().any(|(at, w)| {
            w[0] == "DEFERRABLE"
                && w[1] == "INITIALLY"
                && w[2] == "DEFERRED"
                && (at == 0 || words[at - 1] != "NOT")
        });
        if !deferred {
            return KeyDeclaration::Immediate;
        }
        found = KeyDeclaration::Deferrable;
    }
    found
}

/// The words of a SQL text, upper-cased, names unquoted, with `(`, `)` and `,` words of their
/// own; comments dropped, a string literal one opaque word.
fn tokens(sql: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    let mut chars = sql.chars().peekable();
    let end_word = |word: &mut String, tokens: &mut Vec<String>| {
        if !word.is_empty() {
            tokens.push(std::mem::take(word));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                end_word(&mut word, &mut tokens);
                chars.by_ref().find(|&c| c == '\n');
            }
            '/' if chars.peek() == Some(&'*') => {
                end_word(&mut word, &mut tokens);
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '\'' => {
                end_word(&mut word, &mut tokens);
                chars.by_ref().find(|&c| c == '\'');
                tokens.push("''".to_owned());
            }
            '"' | '`' | '[' | ']' => {}
            '(' | ')' | ',' => {
                end_word(&mut word, &mut tokens);
                tokens.push(c.to_string());
            }
            c if c.is_whitespace() => end_word(&mut word, &mut tokens),
            c => word.push(c.to_ascii_uppercase()),
        }
    }
    end_word(&mut word, &mut tokens);
    tokens
}

#[cfg(test)]
mod tests {
    use super::declaration;
    use crate::sql::dialect::KeyDeclaration::{Absent, Deferrable, Immediate};

    #[test]
    fn column_and_table_constraints_are_read() {
        let column = "CREATE TABLE users (id INTEGER PRIMARY KEY,
                      pinned_comment_id INTEGER NOT NULL REFERENCES comments (id)
                      DEFERRABLE
                        INITIALLY DEFERRED)";
        assert_eq!(
            declaration(column, "pinned_comment_id", "comments"),
            Deferrable
        );
        assert_eq!(declaration(column, "id", "comments"), Absent);
        let table = "CREATE TABLE \"users\" (id INTEGER, pin INTEGER, other INTEGER,
                     FOREIGN KEY (other) REFERENCES comments(id),
                     CONSTRAINT keyed FOREIGN KEY(\"pin\") REFERENCES \"comments\" (id) DEFERRABLE INITIALLY DEFERRED)";
        assert_eq!(declaration(table, "pin", "comments"), Deferrable);
        assert_eq!(declaration(table, "other", "comments"), Immediate);
        assert_eq!(declaration(table, "pin", "posts"), Absent);
    }

    #[test]
    fn immediate_absent_and_commented_keys() {
        for (sql, expected) in [
            ("CREATE TABLE t (id INTEGER, pin INTEGER REFERENCES c (id))", Immediate),
            ("CREATE TABLE t (id INTEGER, pin INTEGER REFERENCES c (id) DEFERRABLE INITIALLY IMMEDIATE)", Immediate),
            ("CREATE TABLE t (id INTEGER, pin INTEGER REFERENCES c (id) NOT DEFERRABLE INITIALLY DEFERRED)", Immediate),
            ("CREATE TABLE t (id INTEGER, pinned INTEGER REFERENCES c (id) DEFERRABLE INITIALLY DEFERRED, pin INTEGER REFERENCES c (id))", Immediate),
            ("CREATE TABLE t (id INTEGER, pin INTEGER NOT NULL)", Absent),
            ("CREATE TABLE t (id INTEGER, pin INTEGER REFERENCES c (id) -- DEFERRABLE INITIALLY DEFERRED\n)", Immediate),
            ("CREATE TABLE t (id INTEGER, note TEXT DEFAULT 'a, pin REFERENCES c', pin INTEGER)", Absent),
        ] {
            assert_eq!(declaration(sql, "pin", "c"), expected, "{sql}");
        }
    }
}
