//! Whether a `CREATE TABLE` text declares a column's foreign key `DEFERRABLE INITIALLY
//! DEFERRED`: SQLite's errors do not name the key that failed, and its catalog has no column for
//! deferral, so the table's own text is read instead (only after a delete failed).

/// Whether `create_table` declares the foreign key of `column` deferred: as a column
/// constraint (`col INTEGER REFERENCES t (id) DEFERRABLE INITIALLY DEFERRED`) or a table
/// constraint (`FOREIGN KEY (col) REFERENCES t (id) DEFERRABLE INITIALLY DEFERRED`).
pub(crate) fn declares_key_deferred(create_table: &str, column: &str) -> bool {
    let text: String = create_table
        .chars()
        .filter(|c| !matches!(c, '"' | '`' | '[' | ']'))
        .collect::<String>()
        .to_ascii_uppercase();
    let column = column.to_ascii_uppercase();
    let Some(body) = text
        .split_once('(')
        .and_then(|(_, rest)| rest.rsplit_once(')'))
        .map(|(body, _)| body)
    else {
        return false;
    };
    definitions(body).into_iter().any(|definition| {
        let words: Vec<&str> = definition.split_whitespace().collect();
        let names_column = match words.iter().position(|word| *word == "FOREIGN") {
            Some(at)
                if words
                    .get(at + 1)
                    .is_some_and(|word| word.starts_with("KEY")) =>
            {
                let columns = definition
                    .split_once("FOREIGN")
                    .and_then(|(_, rest)| rest.split_once('('))
                    .and_then(|(_, rest)| rest.split_once(')'))
                    .map_or("", |(columns, _)| columns);
                columns.split(',').any(|name| name.trim() == column)
            }
            _ => words.first() == Some(&column.as_str()) && words.contains(&"REFERENCES"),
        };
        names_column
            && definition.contains("DEFERRABLE INITIALLY DEFERRED")
            && !definition.contains("NOT DEFERRABLE")
    })
}

/// The comma-separated definitions of a table's body, commas inside parentheses kept.
fn definitions(body: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (at, c) in body.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(body[start..at].trim());
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(body[start..].trim());
    parts
}

#[cfg(test)]
mod tests {
    use super::declares_key_deferred;

    #[test]
    fn column_and_table_constraints_are_read() {
        let column = "CREATE TABLE users (id INTEGER PRIMARY KEY, \
                      pinned_comment_id INTEGER NOT NULL REFERENCES comments (id) \
                      DEFERRABLE INITIALLY DEFERRED)";
        assert!(declares_key_deferred(column, "pinned_comment_id"));
        assert!(!declares_key_deferred(column, "id"));
        let table = "CREATE TABLE \"users\" (id INTEGER, pin INTEGER, other INTEGER, \
                     FOREIGN KEY (other) REFERENCES a (id), \
                     CONSTRAINT k FOREIGN KEY (\"pin\") REFERENCES comments (id) DEFERRABLE INITIALLY DEFERRED)";
        assert!(declares_key_deferred(table, "pin"));
        assert!(!declares_key_deferred(table, "other"));
    }

    #[test]
    fn immediate_keys_are_not_deferred() {
        for sql in [
            "CREATE TABLE t (id INTEGER, pin INTEGER REFERENCES c (id))",
            "CREATE TABLE t (id INTEGER, pin INTEGER REFERENCES c (id) DEFERRABLE INITIALLY IMMEDIATE)",
            "CREATE TABLE t (id INTEGER, pin INTEGER REFERENCES c (id) NOT DEFERRABLE INITIALLY DEFERRED)",
            "CREATE TABLE t (id INTEGER, pinned INTEGER REFERENCES c (id) DEFERRABLE INITIALLY DEFERRED, pin INTEGER REFERENCES c (id))",
        ] {
            assert!(!declares_key_deferred(sql, "pin"), "{sql}");
        }
    }
}
