//! Pooled connections as they come out of their pools: a model's hooks for a connection type
//! serve that connection from a deadpool or bb8 pool of `diesel-async`, each hook called with the
//! connection inside.
//!
//! These impls cover every model, so a model's own hooks impl must name a connection type (as
//! `impl DeleteHooks<PgConnection> for Post`), not any connection at all.

/// Implements the six hooks of `$hooks` for the pooled connection type `$pooled`, each calling
/// the model's hook for the connection inside (`$conn`), reached by dereferencing twice.
macro_rules! pooled_hooks {
    (
        $hooks:ident, [$($generics:tt)*], $pooled:ty, $conn:ident, where [$($bounds:tt)*],
        $(async $($send:tt)+)?
    ) => {
        // Hidden: rustdoc would list this impl, which covers every type, on every type's page.
        // The trait's docs say that hooks for a connection serve its pooled connections.
        #[doc(hidden)]
        impl<$($generics)*> $hooks<$pooled> for M
        where
            M: $hooks<$conn>,
            $($bounds)*
        {
            pooled_hooks!(@stage $hooks, $pooled, $conn, before_delete $(, async $($send)+)?);
            pooled_hooks!(@stage $hooks, $pooled, $conn, after_delete $(, async $($send)+)?);
            pooled_hooks!(@stage $hooks, $pooled, $conn, before_soft_delete $(, async $($send)+)?);
            pooled_hooks!(@stage $hooks, $pooled, $conn, after_soft_delete $(, async $($send)+)?);
            pooled_hooks!(@stage $hooks, $pooled, $conn, before_restore $(, async $($send)+)?);
            pooled_hooks!(@stage $hooks, $pooled, $conn, after_restore $(, async $($send)+)?);
        }
    };
    (@stage $hooks:ident, $pooled:ty, $conn:ident, $stage:ident) => {
        fn $stage(conn: &mut $pooled, rows: &[Self::HookRow]) -> Result<(), crate::HookError> {
            <M as $hooks<$conn>>::$stage(<$pooled as std::ops::DerefMut>::deref_mut(conn), rows)
        }
    };
    (@stage $hooks:ident, $pooled:ty, $conn:ident, $stage:ident, async $($send:tt)+) => {
        fn $stage(
            conn: &mut $pooled,
            rows: &[Self::HookRow],
        ) -> impl std::future::Future<Output = Result<(), crate::HookError>> $($send)+ {
            <M as $hooks<$conn>>::$stage(<$pooled as std::ops::DerefMut>::deref_mut(conn), rows)
        }
    };
}

#[cfg(feature = "deadpool")]
mod deadpool {
    use deadpool::managed::Manager;
    use diesel_async::pooled_connection::deadpool::Object;
    use diesel_async::pooled_connection::AsyncDieselConnectionManager;

    use crate::AsyncDeleteHooks;

    pooled_hooks!(
        AsyncDeleteHooks, [M, C], Object<C>, C,
        where [AsyncDieselConnectionManager<C>: Manager<Type = C>, C: Send,],
        async + Send
    );
}

#[cfg(feature = "bb8")]
mod bb8 {
    use bb8::ManageConnection;
    use diesel_async::pooled_connection::bb8::PooledConnection;
    use diesel_async::pooled_connection::AsyncDieselConnectionManager;

    use crate::AsyncDeleteHooks;

    pooled_hooks!(
        AsyncDeleteHooks, ['p, M, C], PooledConnection<'p, C>, C,
        where [AsyncDieselConnectionManager<C>: ManageConnection<Connection = C>, C: Send,],
        async + Send
    );
}
