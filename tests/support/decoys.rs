//! Decoys: tables that look like the test's own (same names in another namespace, or the same
//! columns under another name) and that no operation may ever touch.

use std::ops::{Deref, DerefMut};

use crate::{Catalog, Snapshot, TestDb};

/// A test database with a decoy namespace beside its own: a second PostgreSQL schema (after
/// the test's on the `search_path`), a second MySQL/MariaDB database, or an attached SQLite
/// database, whose tables bear the names of the test's tables and hold copies of their rows,
/// keys included. Dropped with the test.
pub struct Decoyed<D: Catalog> {
    db: D,
    own: String,
    decoy: String,
}

impl<D: Catalog> Decoyed<D> {
    /// Creates the decoy namespace of `db`, runs `ddl` in it (typically the test's own schema,
    /// perhaps with other `ON DELETE` actions), then copies into each of `tables` (parents
    /// first) every row of the test's table of that name.
    pub fn new(mut db: D, ddl: &str, tables: &[&str]) -> Self {
        let own = db.own_namespace();
        let decoy = db.create_namespace(ddl);
        let copies: Vec<String> = tables
            .iter()
            .map(|table| {
                format!(
                    "INSERT INTO {} SELECT * FROM {}",
                    D::qualified(&decoy, table),
                    D::qualified(&own, table)
                )
            })
            .collect();
        db.fill_namespace(&decoy, &copies.join("; "));
        Decoyed { db, own, decoy }
    }

    /// The test's own namespace.
    pub fn own_namespace(&self) -> &str {
        &self.own
    }

    /// The decoy namespace.
    pub fn decoy_namespace(&self) -> &str {
        &self.decoy
    }

    /// Every row of every table of both namespaces and of the session's temporary tables;
    /// `masked` columns only say whether they are set.
    pub fn snapshot(&mut self, masked: &[&str]) -> Snapshot {
        let namespaces = [self.own.clone(), self.decoy.clone()];
        Snapshot::take(&mut self.db, &namespaces, masked)
    }

    /// The part of `snapshot` in the decoy namespace.
    pub fn decoys_of(&self, snapshot: &Snapshot) -> Snapshot {
        let prefix = format!("{}.", self.decoy);
        snapshot.only(|label| label.starts_with(&prefix))
    }
}

impl<D: Catalog> Deref for Decoyed<D> {
    type Target = D;

    fn deref(&self) -> &D {
        &self.db
    }
}

impl<D: Catalog> DerefMut for Decoyed<D> {
    fn deref_mut(&mut self) -> &mut D {
        &mut self.db
    }
}

impl<D: Catalog> Drop for Decoyed<D> {
    fn drop(&mut self) {
        let decoy = self.decoy.clone();
        self.db.drop_namespace(&decoy);
    }
}

/// Creates, in the test's own namespace, `lookalike`: a table with the columns and rows of
/// `table` (no constraints), which a statement confusing the two would reach.
pub fn add_lookalike(db: &mut impl TestDb, table: &str, lookalike: &str) {
    db.exec(&format!(
        "CREATE TABLE {lookalike} AS SELECT * FROM {table}"
    ));
}
