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
    /// Whether only a key the database declares `ON DELETE CASCADE` changes (a key no rule
    /// covers, into a table with hooks); a rule's key changes whatever it declares.
    pub(crate) only_cascading: bool,
}

/// The statements of a migration, up and down, each ending in `;`.
#[derive(Debug, Default)]
pub(crate) struct Statements {
    /// What declares the rules.
    pub(crate) up: Vec<String>,
    /// What puts the database back, in the reverse order.
    pub(crate) down: Vec<String>,
}

/// An `ON DELETE` or `ON UPDATE` action as SQL words.
const ACTIONS: [&str; 5] = [
    "CASCADE",
    "SET NULL",
    "SET DEFAULT",
    "RESTRICT",
    "NO ACTION",
];

/// One foreign key the database declares, read from a row of
/// [`push_existing_keys`](crate::sql::dialect::SqlDialect).
#[derive(Debug, Clone)]
pub(crate) struct ExistingKey {
    /// Its name (on SQLite, its number).
    pub(crate) name: String,
    /// Its `ON UPDATE` action.
    pub(crate) on_update: &'static str,
    /// Its `ON DELETE` action.
    pub(crate) on_delete: &'static str,
    /// The referenced column (empty on SQLite for the parent's key).
    pub(crate) referenced: String,
    /// On PostgreSQL, its deferral clause and its definition as the database writes it.
    pub(crate) postgres: Option<(&'static str, String)>,
}

/// The foreign keys from a column to a table, and what a new key's name must avoid.
#[derive(Debug, Clone, Default)]
pub(crate) struct ExistingKeys {
    /// The keys.
    pub(crate) keys: Vec<ExistingKey>,
    /// Whether an index leads with the column (InnoDB creates one for a key otherwise).
    pub(crate) indexed: bool,
    /// Names a new key cannot take.
    pub(crate) taken: Vec<String>,
}

impl ExistingKeys {
    /// Reads the rows of `push_existing_keys`; `None` when one does not read as the dialect
    /// writes it (a name holding the separator, an action of no known name).
    pub(crate) fn read(ddl: KeyDdl, rows: &[String]) -> Option<ExistingKeys> {
        let mut existing = ExistingKeys::default();
        for row in rows {
            let fields: Vec<&str> = row.split('\u{1f}').collect();
            match (ddl, fields.as_slice()) {
                (_, ["", index]) => existing.indexed |= !index.is_empty(),
                (_, ["", "", name]) => existing.taken.push((*name).to_owned()),
                (
                    KeyDdl::Postgres,
                    [name, deferral, on_update, definition, referenced, on_delete],
                ) => {
                    let deferral = ["", "DEFERRABLE", "DEFERRABLE INITIALLY DEFERRED"]
                        .into_iter()
                        .find(|known| known == deferral)?;
                    existing.keys.push(ExistingKey {
                        name: (*name).to_owned(),
                        on_update: postgres_action(on_update)?,
                        on_delete: postgres_action(on_delete)?,
                        referenced: (*referenced).to_owned(),
                        postgres: Some((deferral, (*definition).to_owned())),
                    });
                }
                (
                    KeyDdl::InnoDb | KeyDdl::SqliteRebuild,
                    [name, on_update, on_delete, referenced],
                ) => {
                    existing.keys.push(ExistingKey {
                        name: (*name).to_owned(),
                        on_update: action(on_update)?,
                        on_delete: action(on_delete)?,
                        referenced: (*referenced).to_owned(),
                        postgres: None,
                    });
                }
                _ => return None,
            }
        }
        Some(existing)
    }
}

/// An action by its SQL name, as one of [`ACTIONS`].
fn action(name: &str) -> Option<&'static str> {
    ACTIONS.into_iter().find(|known| *known == name)
}

/// An action by PostgreSQL's letter (`pg_constraint.confdeltype`).
fn postgres_action(letter: &str) -> Option<&'static str> {
    Some(match letter {
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        "r" => "RESTRICT",
        "a" => "NO ACTION",
        _ => return None,
    })
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

/// The statements that replace the keys `existing` with `change`'s, and the ones that put them
/// back; `used` holds the names this migration gave its keys so far, and gets the new one.
pub(crate) fn alter_key(
    ddl: KeyDdl,
    change: &KeyChange,
    existing: &ExistingKeys,
    used: &mut Vec<String>,
) -> Statements {
    let key = &change.key;
    let keys = &existing.keys;
    let table = quote(ddl, key.table);
    // InnoDB compares names without their case.
    let taken = |name: &str| {
        let same = |other: &String| match ddl {
            KeyDdl::InnoDb => other.eq_ignore_ascii_case(name),
            _ => other == name,
        };
        existing.taken.iter().any(same)
            || used.iter().any(same)
            || keys.iter().any(|old| same(&old.name))
    };
    let fresh = |suffix: &str| {
        (1..)
            .map(|n| match n {
                1 => default_name(change, suffix),
                n => default_name(change, &format!("{suffix}{n}")),
            })
            .find(|name| !taken(name))
            .unwrap_or_default()
    };
    let name = match (ddl, keys.first()) {
        // MySQL commits each ALTER as it goes: the new key is added before the old ones are
        // dropped, so that rows it refuses leave them in place; it takes a name of its own.
        (KeyDdl::InnoDb, _) => fresh("fk"),
        (_, Some(old)) => old.name.clone(),
        (_, None) => fresh("fkey"),
    };
    used.push(name.clone());
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
    let kept = keys.first().map_or_else(String::new, |old| {
        let on_update = match old.on_update {
            "NO ACTION" => String::new(),
            action => format!(" ON UPDATE {action}"),
        };
        let deferral = match &old.postgres {
            Some((clause, _)) if !clause.is_empty() => format!(" {clause}"),
            _ => String::new(),
        };
        format!("{on_update}{deferral}")
    });
    let Some(parent_column) = key.parent_column.as_deref() else {
        return Statements::default();
    };
    let add = format!(
        "ALTER TABLE {table} ADD CONSTRAINT {} {references} ({}) ON DELETE {}{kept};",
        quote(ddl, &name),
        quote(ddl, parent_column),
        change.on_delete,
    );
    let drops_old = keys.iter().map(|old| drop(&old.name));
    let mut drops_new = vec![drop(&name)];
    if ddl == KeyDdl::InnoDb && keys.is_empty() && !existing.indexed {
        // InnoDB created an index for the key, named as it.
        drops_new.push(format!(
            "ALTER TABLE {table} DROP INDEX {};",
            quote(ddl, &name)
        ));
    }
    let adds_old = keys.iter().map(|old| {
        let definition = match &old.postgres {
            Some((_, definition)) => definition.clone(),
            None => {
                let on_update = match old.on_update {
                    "NO ACTION" => String::new(),
                    action => format!(" ON UPDATE {action}"),
                };
                format!(
                    "{references} ({}) ON DELETE {}{on_update}",
                    quote(ddl, &old.referenced),
                    old.on_delete
                )
            }
        };
        format!(
            "ALTER TABLE {table} ADD CONSTRAINT {} {definition};",
            quote(ddl, &old.name)
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
    use super::{alter_key, quote, ExistingKeys, KeyChange, Statements};
    use crate::sql::dialect::{KeyDdl, ReplacedKey};

    /// `alter_key` on the rows of the catalog, in a migration that named no key yet.
    fn altered(ddl: KeyDdl, rows: &[&str]) -> Statements {
        let rows: Vec<String> = rows.iter().map(|row| (*row).to_owned()).collect();
        let existing = ExistingKeys::read(ddl, &rows).expect("rows as the dialect writes them");
        alter_key(ddl, &change(), &existing, &mut Vec::new())
    }

    fn change() -> KeyChange {
        KeyChange {
            key: ReplacedKey {
                table: "posts",
                column: "user_id".into(),
                parent_table: "users".into(),
                parent_column: Some("id".into()),
            },
            on_delete: "CASCADE",
            only_cascading: false,
        }
    }

    #[test]
    fn postgres_keeps_the_name_deferral_and_update_action() {
        let statements = altered(
            KeyDdl::Postgres,
            &[
                "posts_user_id_fkey\u{1f}DEFERRABLE INITIALLY DEFERRED\u{1f}c\u{1f}\
               FOREIGN KEY (user_id) REFERENCES users(id) ON UPDATE CASCADE \
               DEFERRABLE INITIALLY DEFERRED\u{1f}id\u{1f}a",
            ],
        );
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
        let statements = altered(KeyDdl::InnoDb, &[]);
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
        let indexed = altered(KeyDdl::InnoDb, &["\u{1f}posts_by_user"]);
        assert_eq!(indexed.up, statements.up);
        assert_eq!(
            indexed.down,
            ["ALTER TABLE `posts` DROP FOREIGN KEY `posts_user_id_fk`;"]
        );
        // A key replaced: the new one first, under a name the old one does not have.
        // ... and one another table's key already has, whatever its case.
        let replaced = altered(
            KeyDdl::InnoDb,
            &[
                "posts_user_id_fk\u{1f}CASCADE\u{1f}RESTRICT\u{1f}id",
                "\u{1f}\u{1f}POSTS_USER_ID_FK2",
            ],
        );
        assert_eq!(
            replaced.up,
            [
                "ALTER TABLE `posts` ADD CONSTRAINT `posts_user_id_fk3` FOREIGN KEY (`user_id`) \
                 REFERENCES `users` (`id`) ON DELETE CASCADE ON UPDATE CASCADE;",
                "ALTER TABLE `posts` DROP FOREIGN KEY `posts_user_id_fk`;"
            ]
        );
        assert_eq!(
            replaced.down,
            [
                "ALTER TABLE `posts` ADD CONSTRAINT `posts_user_id_fk` FOREIGN KEY (`user_id`) \
                 REFERENCES `users` (`id`) ON DELETE RESTRICT ON UPDATE CASCADE;",
                "ALTER TABLE `posts` DROP FOREIGN KEY `posts_user_id_fk3`;"
            ]
        );
        assert_eq!(quote(KeyDdl::InnoDb, "a`b"), "`a``b`");
        assert_eq!(quote(KeyDdl::Postgres, "a\"b"), "\"a\"\"b\"");
    }

    #[test]
    fn a_row_that_does_not_read_is_refused() {
        // A name holding the separator splits into more fields than the dialect writes.
        for (ddl, row) in [
            (
                KeyDdl::InnoDb,
                "k\u{1f}CASCADE; DROP TABLE victims; #\u{1f}CASCADE\u{1f}RESTRICT\u{1f}id",
            ),
            (KeyDdl::InnoDb, "k\u{1f}EVIL\u{1f}RESTRICT\u{1f}id"),
            (
                KeyDdl::Postgres,
                "k\u{1f}; DROP TABLE victims\u{1f}a\u{1f}FOREIGN KEY\u{1f}id\u{1f}a",
            ),
        ] {
            assert!(
                ExistingKeys::read(ddl, &[row.to_owned()]).is_none(),
                "{row}"
            );
        }
    }

    #[test]
    fn names_a_migration_gave_are_not_given_again() {
        let mut used = vec!["posts_user_id_fkey".to_owned()];
        let statements = alter_key(
            KeyDdl::Postgres,
            &change(),
            &ExistingKeys::default(),
            &mut used,
        );
        assert!(
            statements.up[0].contains("\"posts_user_id_fkey2\""),
            "{:?}",
            statements.up
        );
        assert_eq!(used, ["posts_user_id_fkey", "posts_user_id_fkey2"]);
    }
}
