//! The statements of a [`migration`](crate::Plan::migration) on backends that alter a foreign
//! key in place (PostgreSQL, MySQL, MariaDB): each key is dropped by the name the database gave
//! it and added again with the model's action, and the down migration puts back every key it
//! dropped, as the database described it.

use crate::sql::dialect::{KeyDdl, ReplacedKey};

/// The longest name PostgreSQL keeps (MySQL keeps 64).
const MAX_NAME_BYTES: usize = 63;

/// One foreign key a migration declares: `key`, `ON DELETE on_delete`.
#[derive(Debug, Clone)]
pub(crate) struct KeyChange {
    /// The key.
    pub(crate) key: ReplacedKey,
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
    let key = &change.key;
    let table = quote(ddl, key.table);
    let (keys, others): (Vec<Vec<&str>>, Vec<Vec<&str>>) = existing
        .iter()
        .map(|row| row.split('\u{1f}').collect::<Vec<_>>())
        .partition(|fields| !field(fields, 0).is_empty());
    let indexes = others.iter().filter(|other| other.len() == 2).count();
    let taken = |name: &str| {
        keys.iter().any(|key| field(key, 0) == name)
            || others.iter().any(|other| field(other, 2) == name)
    };
    let name = match ddl {
        // MySQL commits each ALTER as it goes: the new key is added before the old ones are
        // dropped, so that rows it refuses leave them in place; it takes a name of its own,
        // which no key of the database has.
        KeyDdl::InnoDb => (1..)
            .map(|n| match n {
                1 => default_name(change, "fk"),
                n => default_name(change, &format!("fk{n}")),
            })
            .find(|name| !taken(name))
            .unwrap_or_default(),
        _ => keys
            .first()
            .map(|key| field(key, 0).to_owned())
            .unwrap_or_else(|| default_name(change, "fkey")),
    };
    let drop = |name: &str| match ddl {
        KeyDdl::InnoDb => format!("ALTER TABLE {table} DROP FOREIGN KEY {};", quote(ddl, name)),
        _ => format!("ALTER TABLE {table} DROP CONSTRAINT {};", quote(ddl, name)),
    };
    let references = format!(
        "FOREIGN KEY ({}) REFERENCES {}",
        quote(ddl, &key.column),
        quote(ddl, &key.parent_table)
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
    // A rule's key references the parent's key; a key no rule covers, what it referenced.
    let referenced_field = if ddl == KeyDdl::InnoDb { 3 } else { 4 };
    let Some(parent_column) = key
        .parent_column
        .or_else(|| keys.first().map(|old| field(old, referenced_field)))
    else {
        return Statements::default();
    };
    let add = format!(
        "ALTER TABLE {table} ADD CONSTRAINT {} {references} ({}) ON DELETE {}{};",
        quote(ddl, &name),
        quote(ddl, parent_column),
        change.on_delete,
        kept.unwrap_or_default()
    );
    let drops_old = keys.iter().map(|key| drop(field(key, 0)));
    let mut drops_new = vec![drop(&name)];
    if ddl == KeyDdl::InnoDb && keys.is_empty() && indexes == 0 {
        // InnoDB created an index for the key, named as it.
        drops_new.push(format!(
            "ALTER TABLE {table} DROP INDEX {};",
            quote(ddl, &name)
        ));
    }
    let adds_old = keys.iter().map(|key| {
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
    });
    let mut statements = Statements::default();
    if ddl == KeyDdl::InnoDb {
        statements.up.push(add);
        statements.up.extend(drops_old);
        statements.down.extend(adds_old);
        statements.down.extend(drops_new);
    } else {
        statements.up.extend(drops_old);
        statements.up.push(add);
        statements.down.extend(drops_new);
        statements.down.extend(adds_old);
    }
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

/// The name of a new key: `table_column_suffix` (PostgreSQL's own names end in `fkey`), its
/// stem cut so that the whole fits the length the database keeps.
fn default_name(change: &KeyChange, suffix: &str) -> String {
    let mut stem = format!("{}_{}", change.key.table, change.key.column);
    while stem.len() + 1 + suffix.len() > MAX_NAME_BYTES {
        stem.pop();
    }
    format!("{stem}_{suffix}")
}

#[cfg(test)]
mod tests {
    use super::{alter_key, quote, KeyChange};
    use crate::sql::dialect::{KeyDdl, ReplacedKey};

    fn change() -> KeyChange {
        KeyChange {
            key: ReplacedKey {
                table: "posts",
                column: "user_id".into(),
                parent_table: "users".into(),
                parent_column: Some("id"),
            },
            on_delete: "CASCADE",
        }
    }

    #[test]
    fn postgres_keeps_the_name_deferral_and_update_action() {
        let existing = [
            "posts_user_id_fkey\u{1f}DEFERRABLE INITIALLY DEFERRED\u{1f}c\u{1f}\
                         FOREIGN KEY (user_id) REFERENCES users(id) ON UPDATE CASCADE \
                         DEFERRABLE INITIALLY DEFERRED"
                .to_owned(),
        ];
        let statements = alter_key(KeyDdl::Postgres, &change(), &existing);
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
        let statements = alter_key(KeyDdl::InnoDb, &change(), &[]);
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
        let indexed = alter_key(
            KeyDdl::InnoDb,
            &change(),
            &["\u{1f}posts_by_user".to_owned()],
        );
        assert_eq!(indexed.up, statements.up);
        assert_eq!(
            indexed.down,
            ["ALTER TABLE `posts` DROP FOREIGN KEY `posts_user_id_fk`;"]
        );
        // A key replaced: the new one first, under a name the old one does not have.
        let existing = ["posts_user_id_fk\u{1f}CASCADE\u{1f}RESTRICT\u{1f}id".to_owned()];
        let replaced = alter_key(KeyDdl::InnoDb, &change(), &existing);
        assert_eq!(
            replaced.up,
            [
                "ALTER TABLE `posts` ADD CONSTRAINT `posts_user_id_fk2` FOREIGN KEY (`user_id`) \
                 REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE CASCADE;",
                "ALTER TABLE `posts` DROP FOREIGN KEY `posts_user_id_fk`;"
            ]
        );
        assert_eq!(
            replaced.down,
            [
                "ALTER TABLE `posts` ADD CONSTRAINT `posts_user_id_fk` FOREIGN KEY (`user_id`) \
                 REFERENCES `users` (`id`) ON DELETE RESTRICT ON UPDATE CASCADE;",
                "ALTER TABLE `posts` DROP FOREIGN KEY `posts_user_id_fk2`;"
            ]
        );
        assert_eq!(quote(KeyDdl::InnoDb, "a`b"), "`a``b`");
        assert_eq!(quote(KeyDdl::Postgres, "a\"b"), "\"a\"\"b\"");
    }
}
