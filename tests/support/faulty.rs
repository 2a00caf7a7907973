//! Fault injection: a connection wrapper that makes one chosen statement fail.
//!
//! [`FaultyConnection`] borrows a real connection and forwards everything to it, as r2d2's
//! `PooledConnection` does, counting the statements that pass through it while armed: every
//! `execute`, every `load` and every `batch_execute` (a hook's own statements included).
//! Transaction control (`BEGIN`, savepoints, `COMMIT`, `ROLLBACK`) goes through its transaction
//! manager straight to the wrapped connection: it is neither counted nor made to fail, since a
//! library cannot roll back without it. Implementing Diesel's `Connection` outside Diesel takes
//! its `i-implement-a-third-party-backend-and-opt-into-breaking-changes` feature (the test
//! crate's manifest turns it on); it only makes Diesel's internals public.
//!
//! The bookkeeping (arming, counting, choosing the statement, the errors) is an [`Injector`],
//! which the asynchronous runner's wrapper,
//! [`AsyncFaultyConnection`](crate::AsyncFaultyConnection), shares. [`FaultInjection`] names
//! each test connection's wrapper, so that one suite drives either runner.

use std::fmt::Write as _;
use std::marker::PhantomData;

use diesel::backend::Backend;
use diesel::connection::{
    CacheSize, Connection, ConnectionSealed, Instrumentation, LoadConnection, SimpleConnection,
    TransactionManager, TransactionManagerStatus,
};
use diesel::expression::QueryMetadata;
use diesel::query_builder::{Query, QueryFragment, QueryId};
use diesel::result::{ConnectionError, ConnectionResult, DatabaseErrorKind, Error, QueryResult};

/// A table no test database has: selecting from it is a genuine error of the server.
pub const MISSING_TABLE: &str = "deletable_injected_fault";

/// How the chosen statement fails. Every message and missing table name contains `injected`,
/// so a test can tell the injected error from another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The statement is not sent; an error comes back in its place (a client-side failure).
    Refuse,
    /// A statement the server rejects (it reads [`MISSING_TABLE`]) is sent in its place: a real
    /// database error, which on PostgreSQL aborts the transaction until it is rolled back.
    Database,
    /// The statement runs and its changes stay in the transaction; then an error comes back:
    /// only a rollback can undo them.
    AfterRunning,
    /// The statement is not sent; a serialization failure (a deadlock) comes back, which a
    /// library may answer by running its whole transaction again.
    Deadlock,
}

impl Fault {
    /// Every kind of fault.
    pub const ALL: [Fault; 4] = [
        Fault::Refuse,
        Fault::Database,
        Fault::AfterRunning,
        Fault::Deadlock,
    ];
}

/// What happened while the wrapper was armed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Injection {
    /// How many statements passed through (the failed one included).
    pub statements: usize,
    /// The SQL of the statement made to fail (shortened), if the fault fired.
    pub failed_statement: Option<String>,
}

/// The fault bookkeeping of a wrapper, synchronous ([`FaultyConnection`]) or asynchronous
/// ([`AsyncFaultyConnection`](crate::AsyncFaultyConnection)): whether it is armed, the
/// statements counted, the one chosen to fail and how, and the error values.
#[derive(Debug, Default)]
pub struct Injector {
    armed: bool,
    fail_at: Option<(usize, Fault)>,
    injection: Injection,
}

/// What a wrapper does with one statement, as its [`Injector`] decided.
#[derive(Debug)]
pub enum Injected {
    /// It runs, as it is.
    Run,
    /// It runs (every row it returns read); then, unless it failed by itself, this error comes
    /// back in place of its result ([`Fault::AfterRunning`]).
    RunThenFail(Error),
    /// It is not sent; this error comes back ([`Fault::Refuse`], [`Fault::Deadlock`]).
    Refuse(Error),
    /// It is not sent; `sql`, which the server rejects, is sent in its place and the server's
    /// error comes back, or `otherwise` should the server accept it ([`Fault::Database`]).
    Replace {
        /// The statement sent in its place.
        sql: String,
        /// The error if the server accepts `sql`.
        otherwise: Error,
    },
}

/// The longest statement text kept for a message.
const SHOWN_SQL: usize = 400;

impl Injector {
    /// Starts counting statements from zero; with `Some((k, fault))` the `k`-th (1-based) fails
    /// with `fault`, with `None` none does.
    pub fn arm(&mut self, fail_at: Option<(usize, Fault)>) {
        self.armed = true;
        self.fail_at = fail_at;
        self.injection = Injection::default();
    }

    /// Stops counting and tells what happened since [`arm`](Injector::arm).
    pub fn disarm(&mut self) -> Injection {
        self.armed = false;
        self.fail_at = None;
        std::mem::take(&mut self.injection)
    }

    /// Counts one statement (whose text `sql` gives, read only if it is the one chosen) and
    /// tells what to do with it.
    pub fn next_statement(&mut self, sql: impl FnOnce() -> String) -> Injected {
        if !self.armed {
            return Injected::Run;
        }
        self.injection.statements += 1;
        let Some((k, fault)) = self.fail_at else {
            return Injected::Run;
        };
        if k != self.injection.statements {
            return Injected::Run;
        }
        let mut sql = sql();
        if let Some((cut, _)) = sql.char_indices().nth(SHOWN_SQL) {
            sql.truncate(cut);
            sql.push_str("...");
        }
        self.injection.failed_statement = Some(sql);
        match fault {
            Fault::Refuse => Injected::Refuse(self.injected_error(DatabaseErrorKind::Unknown)),
            Fault::Deadlock => {
                Injected::Refuse(self.injected_error(DatabaseErrorKind::SerializationFailure))
            }
            Fault::AfterRunning => {
                Injected::RunThenFail(self.injected_error(DatabaseErrorKind::Unknown))
            }
            Fault::Database => Injected::Replace {
                sql: format!("SELECT * FROM {MISSING_TABLE}"),
                otherwise: self.injected_error(DatabaseErrorKind::Unknown),
            },
        }
    }

    /// The error an injected fault returns without the server's help.
    fn injected_error(&self, kind: DatabaseErrorKind) -> Error {
        Error::DatabaseError(
            kind,
            Box::new(format!(
                "injected fault at statement {}",
                self.injection.statements
            )),
        )
    }
}

/// A wrapper that makes a chosen statement fail, armed and disarmed around an operation:
/// [`FaultyConnection`], or an [`AsyncFaultyConnection`](crate::AsyncFaultyConnection) behind
/// the blocking wrapper the tests drive it through.
pub trait Armable {
    /// The wrapper's bookkeeping.
    fn injector(&mut self) -> &mut Injector;

    /// [`Injector::arm`].
    fn arm(&mut self, fail_at: Option<(usize, Fault)>) {
        self.injector().arm(fail_at);
    }

    /// [`Injector::disarm`].
    fn disarm(&mut self) -> Injection {
        self.injector().disarm()
    }
}

/// A test connection the fault-injection suite wraps, one wrapper type per runner: Diesel's
/// synchronous connections in a [`FaultyConnection`], `diesel-async`'s (behind the blocking
/// wrapper the tests read the database through) in an
/// [`AsyncFaultyConnection`](crate::AsyncFaultyConnection) behind that wrapper again.
pub trait FaultInjection: Connection + 'static {
    /// This connection, borrowed, in the runner's fault-injecting wrapper.
    type Faulty<'c>: Connection + Armable
    where
        Self: 'c;

    /// Wraps this connection; nothing is counted until the wrapper is armed.
    fn faulty(&mut self) -> Self::Faulty<'_>;
}

/// Implements [`FaultInjection`] for Diesel's synchronous connection types, each named (a
/// blanket impl would overlap the asynchronous runner's).
macro_rules! sync_fault_injection {
    ($($(#[$attribute:meta])* $conn:ty;)*) => {$(
        $(#[$attribute])*
        impl FaultInjection for $conn {
            type Faulty<'c> = FaultyConnection<'c, $conn>;

            fn faulty(&mut self) -> Self::Faulty<'_> {
                FaultyConnection::new(self)
            }
        }
    )*};
}

sync_fault_injection! {
    diesel::SqliteConnection;
    #[cfg(feature = "postgres")]
    diesel::PgConnection;
    #[cfg(feature = "mysql")]
    diesel::MysqlConnection;
    #[cfg(feature = "mariadb")]
    diesel::mariadb::MariadbConnection;
}

/// A connection that forwards to `inner` and, once armed, fails the statement chosen.
pub struct FaultyConnection<'c, C> {
    inner: &'c mut C,
    injector: Injector,
}

impl<'c, C> FaultyConnection<'c, C> {
    /// Wraps `inner`; nothing is counted until [`arm`](Armable::arm).
    pub fn new(inner: &'c mut C) -> Self {
        FaultyConnection {
            inner,
            injector: Injector::default(),
        }
    }
}

impl<C> Armable for FaultyConnection<'_, C> {
    fn injector(&mut self) -> &mut Injector {
        &mut self.injector
    }
}

impl<C: SimpleConnection> FaultyConnection<'_, C> {
    /// Runs `statement` on the wrapped connection as `injected` says.
    fn inject<T>(
        &mut self,
        injected: Injected,
        statement: impl FnOnce(&mut C) -> QueryResult<T>,
    ) -> QueryResult<T> {
        match injected {
            Injected::Run => statement(self.inner),
            Injected::RunThenFail(error) => {
                statement(self.inner)?;
                Err(error)
            }
            Injected::Refuse(error) => Err(error),
            Injected::Replace { sql, otherwise } => {
                Err(self.inner.batch_execute(&sql).err().unwrap_or(otherwise))
            }
        }
    }
}

/// The SQL Diesel sends for `source`, for messages.
pub(crate) fn sql_of<DB, T>(source: &T) -> String
where
    DB: Backend + Default,
    DB::QueryBuilder: Default,
    T: QueryFragment<DB>,
{
    let mut sql = String::new();
    let _ = write!(sql, "{}", diesel::debug_query::<DB, _>(source));
    sql
}

impl<C: SimpleConnection> SimpleConnection for FaultyConnection<'_, C> {
    fn batch_execute(&mut self, query: &str) -> QueryResult<()> {
        let injected = self.injector.next_statement(|| query.to_owned());
        self.inject(injected, |inner| inner.batch_execute(query))
    }
}

impl<C> ConnectionSealed for FaultyConnection<'_, C> {}

impl<C> Connection for FaultyConnection<'_, C>
where
    C: Connection,
    C::Backend: Default,
    <C::Backend as Backend>::QueryBuilder: Default,
{
    type Backend = C::Backend;
    type TransactionManager = FaultyTransactionManager<C::TransactionManager>;

    fn establish(_: &str) -> ConnectionResult<Self> {
        Err(ConnectionError::BadConnection(
            "a FaultyConnection wraps an open connection".to_owned(),
        ))
    }

    fn execute_returning_count<T>(&mut self, source: &T) -> QueryResult<usize>
    where
        T: QueryFragment<Self::Backend> + QueryId,
    {
        let injected = self.injector.next_statement(|| sql_of(source));
        self.inject(injected, |inner| inner.execute_returning_count(source))
    }

    fn transaction_state(
        &mut self,
    ) -> &mut <Self::TransactionManager as TransactionManager<Self>>::TransactionStateData {
        self.inner.transaction_state()
    }

    fn instrumentation(&mut self) -> &mut dyn Instrumentation {
        self.inner.instrumentation()
    }

    fn set_instrumentation(&mut self, instrumentation: impl Instrumentation) {
        self.inner.set_instrumentation(instrumentation)
    }

    fn set_prepared_statement_cache_size(&mut self, size: CacheSize) {
        self.inner.set_prepared_statement_cache_size(size)
    }
}

impl<B, C> LoadConnection<B> for FaultyConnection<'_, C>
where
    C: LoadConnection<B>,
    C::Backend: Default,
    <C::Backend as Backend>::QueryBuilder: Default,
{
    type Cursor<'conn, 'query>
        = C::Cursor<'conn, 'query>
    where
        Self: 'conn;
    type Row<'conn, 'query>
        = C::Row<'conn, 'query>
    where
        Self: 'conn;

    fn load<'conn, 'query, T>(
        &'conn mut self,
        source: T,
    ) -> QueryResult<Self::Cursor<'conn, 'query>>
    where
        T: Query + QueryFragment<Self::Backend> + QueryId + 'query,
        Self::Backend: QueryMetadata<T::SqlType>,
    {
        match self.injector.next_statement(|| sql_of(&source)) {
            Injected::Run => self.inner.load(source),
            Injected::RunThenFail(error) => {
                // Read every row, so that the statement has run whatever the backend's cursor.
                let rows = self.inner.load(source)?;
                for row in rows {
                    row?;
                }
                Err(error)
            }
            injected => self.inject(injected, |_| unreachable!("the statement is not sent")),
        }
    }
}

/// The transaction manager of a [`FaultyConnection`]: the wrapped connection's own, applied to
/// it.
pub struct FaultyTransactionManager<T>(PhantomData<T>);

impl<'c, C, T> TransactionManager<FaultyConnection<'c, C>> for FaultyTransactionManager<T>
where
    C: Connection<TransactionManager = T>,
    C::Backend: Default,
    <C::Backend as Backend>::QueryBuilder: Default,
    T: TransactionManager<C>,
{
    type TransactionStateData = T::TransactionStateData;

    fn begin_transaction(conn: &mut FaultyConnection<'c, C>) -> QueryResult<()> {
        T::begin_transaction(conn.inner)
    }

    fn rollback_transaction(conn: &mut FaultyConnection<'c, C>) -> QueryResult<()> {
        T::rollback_transaction(conn.inner)
    }

    fn commit_transaction(conn: &mut FaultyConnection<'c, C>) -> QueryResult<()> {
        T::commit_transaction(conn.inner)
    }

    fn transaction_manager_status_mut<'a>(
        conn: &'a mut FaultyConnection<'c, C>,
    ) -> &'a mut TransactionManagerStatus {
        T::transaction_manager_status_mut(conn.inner)
    }
}
