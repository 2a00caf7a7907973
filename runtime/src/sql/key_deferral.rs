//! How a SQLite `CREATE TABLE` text declares a column's foreign key: SQLite's catalog has no
//! column for deferral (`PRAGMA foreign_key_list` leaves it out), so the table's own text is read.

use crate::sql::create_table::CreateTable;
use crate::sql::dialect::KeyDeclaration;

/// How `create_table` declares the foreign key from `column` to `parent`: as a column constraint
/// (`col INTEGER REFERENCES t (id) DEFERRABLE INITIALLY DEFERRED`) or a table constraint
/// (`FOREIGN KEY (col) REFERENCES t (id) ...`). Only `DEFERRABLE INITIALLY DEFERRED` defers a
/// SQLite key; without one naming the column and the parent, nothing checks it.
pub(crate) fn declaration(create_table: &str, column: &str, parent: &str) -> KeyDeclaration {
    let Some(table) = CreateTable::parse(create_table) else {
        return KeyDeclaration::Absent;
    };
    let (column, parent) = (column.to_ascii_uppercase(), parent.to_ascii_uppercase());
    let mut found = KeyDeclaration::Absent;
    for words in table.key_definitions(&column, &parent) {
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
