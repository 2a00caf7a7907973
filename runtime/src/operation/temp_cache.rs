//! The temporary schema's page cache during a chunked operation, on a backend that keeps it in
//! the process ([`SqlDialect::KEY_TABLE_CACHE_KIB`](crate::sql::dialect::SqlDialect)): made
//! small while the key tables exist, then set back to the connection's own size.

use crate::sql::statement::{Roots, Statement, StatementKind};

use super::{Abort, Operation, Port};

impl Operation<'_> {
    /// Caps the temporary schema's cache for the key tables, unless the connection's own cap
    /// is smaller: the connection's size, to [`restore_temp_cache`](Self::restore_temp_cache).
    pub(super) async fn limit_temp_cache<F, P: Port<F>>(
        &self,
        port: &mut P,
    ) -> Result<Option<i64>, Abort> {
        let Some(limit) = port.dialect().key_table_cache_kib else {
            return Ok(None);
        };
        let no_roots = Roots::<F>::Keys(&[]);
        let read = Statement::new(self.plan, &no_roots, StatementKind::TempCacheSize);
        let own = port.count(read).await?;
        // Negative: KiB; positive: pages, of at least 512 bytes; 0: SQLite's default.
        let smaller = (own < 0 && -own <= limit) || (own > 0 && own * 512 <= limit * 1024);
        if smaller {
            return Ok(None);
        }
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
