//! The temporary schema's page cache during a chunked operation, on a backend that keeps it in
//! the process ([`SqlDialect::KEY_TABLE_CACHE_KIB`](crate::sql::dialect::SqlDialect)): made
//! small while the key tables exist, then set back to the connection's own size (SQLite's
//! default where the connection never set one).

use crate::sql::statement::{Roots, Statement, StatementKind};

use super::{Abort, Operation, Port};

/// SQLite's default page cache size (`SQLITE_DEFAULT_CACHE_SIZE`): 2,000 KiB.
const SQLITE_DEFAULT_CACHE_SIZE: i64 = -2000;

impl Operation<'_> {
    /// Caps the temporary schema's cache for the key tables: the connection's own size, to
    /// [`restore_temp_cache`](Self::restore_temp_cache).
    pub(super) async fn limit_temp_cache<F, P: Port<F>>(
        &self,
        port: &mut P,
    ) -> Result<Option<i64>, Abort> {
        let Some(limit) = port.dialect().key_table_cache_kib else {
            return Ok(None);
        };
        let no_roots = Roots::<F>::Keys(&[]);
        let read = Statement::new(self.plan, &no_roots, StatementKind::TempCacheSize);
        let own = match port.count(read).await? {
            // Never set on this connection: the temporary schema reads 0 yet caches as much as
            // SQLite's default, which setting 0 would take away.
            0 => SQLITE_DEFAULT_CACHE_SIZE,
            own => own,
        };
        let set = StatementKind::SetTempCacheSize(-limit);
        port.execute(Statement::new(self.plan, &no_roots, set))
            .await?;
        Ok(Some(own))
    }

    /// Sets the temporary schema's cache back to `own`, the size
    /// [`limit_temp_cache`](Self::limit_temp_cache) found.
    pub(super) async fn restore_temp_cache<F, P: Port<F>>(
        &self,
        own: Option<i64>,
        port: &mut P,
    ) -> Result<(), Abort> {
        let Some(own) = own else {
            return Ok(());
        };
        let no_roots = Roots::<F>::Keys(&[]);
        let set = StatementKind::SetTempCacheSize(own);
        port.execute(Statement::new(self.plan, &no_roots, set))
            .await
            .map(drop)
    }
}
