//! The statements of a [`migration`](crate::Plan::migration) on backends that alter a foreign
//! key in place (PostgreSQL, MySQL, MariaDB): each key is dropped by the name the database gave
//! it and added again with the model's action, and the down migration puts back every key it
//! dropped, as the database described it.

use crate::sql::dialect::KeyDdl;

/// The longest name PostgreSQL keeps (MySQL keeps 64).
const MAX_NAME_BYTES: usize = 63;

/// One foreign key a migration declares: from `table.column` to `parent_table.parent_column`,
/// `ON DELETE on_delete`.
#[derive(Debug, Clone)]
pub(crate) struct KeyChange {
    /// The referencing table.
    pub(crate) table: &'static str,
    /// Its column.
    pub(crate) column: &'static str,
    /// The referenced table.
    pub(crate) parent_table: &'static str,
    /// Its primary key's column.
    pub(crate) parent_column: &'static str,
    /// The action, as SQL words (`CASCADE`, `SET NULL`, `RESTRICT`, `NO ACTION`).
    pub(crate) on_delete: &'static str,
}

/// The statements of a migration, up and down, each ending in `;`.
#[derive(Debug, Default)]
pub(crate) struct Statements {
    /// What declares the rules.
    pub(crate) up: Vec<String>,
    /// What puts the database back, in the reverse order.
    pub(crate) down: Vec<String>,
}

/// `name` quoted as `ddl`'s backend quotes identifiers.
pub(crate) fn quote(ddl: KeyDdl, name: &str) -> String {
    let mark = match ddl {
        KeyDdl::InnoDb => '`',
        KeyDdl::Postgres | KeyDdl::SqliteRebuild => '"',
    };
    let doubled = name.replace(mark, &format!("{mark}{mark}"));
    format!("{mark}{doubled}{mark}")
}

/// The statements that replace the keys `existing` (rows of
/// [`push_existing_keys`](crate::sql::dialect::SqlDialect)) with `change`'s, and the ones that
/// put them back.
pub(crate) fn alter_key(ddl: KeyDdl, change: &KeyChange, existing: &[String]) -> Statements {
    let table = quote(ddl, change.table);
    let (keys, indexes): (Vec<Vec<&str>>, Vec<Vec<&str>>) = existing
        .iter()
        .map(|row| row.split('\u{1f}').collect::<Vec<_>>())
        .partition(|fields| !field(fields, 0).is_empty());
    let name = keys
        .first()
        .map(|key| field(key, 0).to_owned())
        .unwrap_or_else(|| default_name(ddl, change));
    let drop = |name: &str| match ddl {
        KeyDdl::InnoDb => format!("ALTER TABLE {table} DROP FOREIGN KEY {};", quote(ddl, name)),
        _ => format!("ALTER TABLE {table} DROP CONSTRAINT {};", quote(ddl, name)),
    };
    let references = format!(
        "FOREIGN KEY ({}) REFERENCES {}",
        quote(ddl, change.column),
        quote(ddl, change.parent_table)
    );
    // What the first key says of updates and deferral is kept.
    let kept = keys.first().map(|key| match ddl {
        KeyDdl::Postgres => {
            let on_update = match field(key, 2) {
                "r" => " ON UPDATE RESTRICT",
                "c" => " ON UPDATE CASCADE",
                "n" => " ON UPDATE SET NULL",
                "d" => " ON UPDATE SET DEFAULT",
                _ => "",
            };
            let deferral = match field(key, 1) {
                "" => String::new(),
                clause => format!(" {clause}"),
            };
            format!("{on_update}{deferral}")
        }
        _ => on_update_words(field(key, 1)),
    });
    let mut statements = Statements::default();
    statements
        .up
        .extend(keys.iter().map(|key| drop(field(key, 0))));
    statements.up.push(format!(
        "ALTER TABLE {table} ADD CONSTRAINT {} {references} ({}) ON DELETE {}{};",
        quote(ddl, &name),
        quote(ddl, change.parent_column),
        change.on_delete,
        kept.unwrap_or_default()
    ));
    statements.down.push(drop(&name));
    if ddl == KeyDdl::InnoDb && keys.is_empty() && indexes.is_empty() {
        // InnoDB created an index for the key, named as it.
        statements.down.push(format!(
            "ALTER TABLE {table} DROP INDEX {};",
            quote(ddl, &name)
        ));
    }
    statements.down.extend(keys.iter().map(|key| {
        let definition = match ddl {
            KeyDdl::Postgres => field(key, 3).to_owned(),
            _ => format!(
                "{references} ({}) ON DELETE {}{}",
                quote(ddl, field(key, 3)),
                field(key, 2),
                on_update_words(field(key, 1))
            ),
        };
        format!(
            "ALTER TABLE {table} ADD CONSTRAINT {} {definition};",
            quote(ddl, field(key, 0))
        )
    }));
    statements
}

/// Field `at` of a key's row (empty when it has fewer).
fn field<'a>(key: &[&'a str], at: usize) -> &'a str {
    key.get(at).copied().unwrap_or_default()
}

/// ` ON UPDATE ...` for an `information_schema` rule, nothing for the default.
fn on_update_words(rule: &str) -> String {
    match rule {
        "" | "NO ACTION" => String::new(),
        rule => format!(" ON UPDATE {rule}"),
    }
}

/// The name a new key takes: PostgreSQL's own `table_column_fkey`, `table_column_fk` on InnoDB
/// (whose own names are numbered); cut to the length the database keeps.
fn default_name(ddl: KeyDdl, change: &KeyChange) -> String {
    let suffix = match ddl {
        KeyDdl::InnoDb => "fk",
        _ => "fkey",
    };
    let mut name = format!("{}_{}_{suffix}", change.table, change.column);
    while name.len() > MAX_NAME_BYTES {
        name.pop();
    }
    name
}

#[cfg(test)]
mod tests {
    use super::{alter_key, quote, KeyChange};
    use crate::sql::dialect::KeyDdl;

    const CHANGE: KeyChange = KeyChange {
        table: "posts",
        column: "user_id",
        parent_table: "users",
        parent_column: "id",
        on_delete: "CASCADE",
    };

    #[test]
    fn postgres_keeps_the_name_deferral_and_update_action() {
        let existing = [
            "posts_user_id_fkey\u{1f}DEFERRABLE INITIALLY DEFERRED\u{1f}c\u{1f}\
                         FOREIGN KEY (user_id) REFERENCES users(id) ON UPDATE CASCADE \
                         DEFERRABLE INITIALLY DEFERRED"
                .to_owned(),
        ];
        let statements = alter_key(KeyDdl::Postgres, &CHANGE, &existing);
        assert_eq!(
            statements.up,
            [
                "ALTER TABLE \"posts\" DROP CONSTRAINT \"posts_user_id_fkey\";",
                "ALTER TABLE \"posts\" ADD CONSTRAINT \"posts_user_id_fkey\" FOREIGN KEY \
                 (\"user_id\") REFERENCES \"users\" (\"id\") ON DELETE CASCADE ON UPDATE \
                 CASCADE DEFERRABLE INITIALLY DEFERRED;"
            ]
        );
        assert_eq!(
            statements.down,
            [
                "ALTER TABLE \"posts\" DROP CONSTRAINT \"posts_user_id_fkey\";",
                "ALTER TABLE \"posts\" ADD CONSTRAINT \"posts_user_id_fkey\" FOREIGN KEY \
                 (user_id) REFERENCES users(id) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;"
            ]
        );
    }

    #[test]
    fn innodb_adds_a_missing_key_and_drops_it_down() {
        let statements = alter_key(KeyDdl::InnoDb, &CHANGE, &[]);
        assert_eq!(
            statements.up,
            [
                "ALTER TABLE `posts` ADD CONSTRAINT `posts_user_id_fk` FOREIGN KEY (`user_id`) \
              REFERENCES `users` (`id`) ON DELETE CASCADE;"
            ]
        );
        assert_eq!(
            statements.down,
            [
                "ALTER TABLE `posts` DROP FOREIGN KEY `posts_user_id_fk`;",
                "ALTER TABLE `posts` DROP INDEX `posts_user_id_fk`;"
            ]
        );
        // With an index the column leads, InnoDB creates none, and none is dropped.
        let indexed = alter_key(KeyDdl::InnoDb, &CHANGE, &["\u{1f}posts_by_user".to_owned()]);
        assert_eq!(indexed.up, statements.up);
        assert_eq!(
            indexed.down,
            ["ALTER TABLE `posts` DROP FOREIGN KEY `posts_user_id_fk`;"]
        );
        assert_eq!(quote(KeyDdl::InnoDb, "a`b"), "`a``b`");
        assert_eq!(quote(KeyDdl::Postgres, "a\"b"), "\"a\"\"b\"");
    }
}
