//! Fault injection through the asynchronous runner: [`AsyncFaultyConnection`], a `diesel-async`
//! connection that borrows a real one and makes one chosen statement fail.
//!
//! It is [`FaultyConnection`](crate::FaultyConnection)'s twin, forwarding everything as
//! `diesel-async`'s pooled connections do and sharing its [`Injector`]: every `execute`, every
//! `load` and every `batch_execute` counts while armed (a hook's own statements included), and
//! the chosen one fails with the same [`Fault`](crate::Fault) kinds and the same errors.
//! Transaction control goes through its transaction manager straight to the wrapped
//! connection's, neither counted nor made to fail. The tests drive it through the blocking
//! wrapper ([`Blocking`]) as every other asynchronous test connection.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use diesel::backend::Backend;
use diesel::connection::{CacheSize, Instrumentation, TransactionManagerStatus};
use diesel::query_builder::{AsQuery, QueryFragment, QueryId};
use diesel::result::{ConnectionError, ConnectionResult, Error, QueryResult};
// `diesel-async`'s own re-export of `futures-util`, whose `Stream` its `load` returns.
use diesel_async::futures_util::Stream;
use diesel_async::{
    AsyncConnection, AsyncConnectionCore, SimpleAsyncConnection, TransactionManager,
};

use crate::asynchronous::{runtime, Blocking};
use crate::faulty::{sql_of, Armable, FaultInjection, Injected, Injector};

/// A `diesel-async` connection that forwards to `inner` and, once armed, fails the statement
/// chosen.
pub struct AsyncFaultyConnection<'c, C> {
    inner: &'c mut C,
    injector: Injector,
}

impl<'c, C> AsyncFaultyConnection<'c, C> {
    /// Wraps `inner`; nothing is counted until [`arm`](Armable::arm).
    pub fn new(inner: &'c mut C) -> Self {
        AsyncFaultyConnection {
            inner,
            injector: Injector::default(),
        }
    }
}

impl<C> Armable for AsyncFaultyConnection<'_, C> {
    fn injector(&mut self) -> &mut Injector {
        &mut self.injector
    }
}

impl<C> Armable for Blocking<AsyncFaultyConnection<'_, C>> {
    fn injector(&mut self) -> &mut Injector {
        &mut self.injector
    }
}

/// The asynchronous runner's wrapper of a test connection: the connection inside the blocking
/// wrapper, borrowed by an [`AsyncFaultyConnection`], behind the blocking wrapper again (on the
/// tests' runtime).
impl<C> FaultInjection for Blocking<C>
where
    C: AsyncConnection + 'static,
    C::Backend: Default,
    <C::Backend as Backend>::QueryBuilder: Default,
{
    type Faulty<'c> = Blocking<AsyncFaultyConnection<'c, C>>;

    fn faulty(&mut self) -> Self::Faulty<'_> {
        let _entered = runtime().enter();
        Blocking::from(AsyncFaultyConnection::new(&mut **self))
    }
}

/// A statement the server rejects, sent in place of the chosen one ([`Injected::Replace`]).
type Replacement<'conn> = Pin<Box<dyn Future<Output = QueryResult<()>> + Send + 'conn>>;

/// The future of a statement through an [`AsyncFaultyConnection`]: the wrapped connection's
/// future `F` (whose rows, a stream `S`, are read to their end before an error replaces them),
/// the statement sent in its place, or an error at once.
pub struct AsyncFaultyStatement<'conn, F, S> {
    state: State<'conn, F, S>,
}

enum State<'conn, F, S> {
    /// The statement runs; then, with an error, that error replaces its result.
    Running(Pin<Box<F>>, Option<Error>),
    /// Its rows are read to their end; then the error replaces them.
    Reading(Pin<Box<S>>, Option<Error>),
    /// A statement the server rejects runs in its place: its error, or this one.
    Replaced(Replacement<'conn>, Option<Error>),
    /// The error, without the server.
    Refused(Option<Error>),
    /// The output was taken.
    Done,
}

/// The rows of a statement that returns none (`execute`'s, `batch_execute`'s).
pub enum NoRows {}

impl<'conn, F, S> AsyncFaultyStatement<'conn, F, S> {
    /// The future of a statement `injected` says is not sent.
    fn not_sent<C>(injected: Injected, inner: &'conn mut C) -> Self
    where
        C: SimpleAsyncConnection + Send + 'conn,
    {
        let state = match injected {
            Injected::Refuse(error) => State::Refused(Some(error)),
            Injected::Replace { sql, otherwise } => State::Replaced(
                Box::pin(async move { inner.batch_execute(&sql).await }),
                Some(otherwise),
            ),
            Injected::Run | Injected::RunThenFail(_) => unreachable!("the statement is sent"),
        };
        AsyncFaultyStatement { state }
    }

    /// The future of a statement `injected` says is sent: `run`, then its error if any.
    fn sent(injected: Injected, run: F) -> Self {
        let then = match injected {
            Injected::RunThenFail(error) => Some(error),
            _ => None,
        };
        AsyncFaultyStatement {
            state: State::Running(Box::pin(run), then),
        }
    }

    /// Polls the states both kinds of statement share: those that end in an error.
    fn poll_failure(&mut self, context: &mut Context<'_>) -> Poll<Error> {
        let error = match &mut self.state {
            State::Replaced(replacement, otherwise) => match replacement.as_mut().poll(context) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(error)) => error,
                Poll::Ready(Ok(())) => otherwise.take().expect("an error to return"),
            },
            State::Refused(error) => error.take().expect("an error to return"),
            _ => unreachable!("a statement that was sent"),
        };
        self.state = State::Done;
        Poll::Ready(error)
    }
}

impl<F> Future for AsyncFaultyStatement<'_, F, NoRows>
where
    F: Future<Output = QueryResult<usize>>,
{
    type Output = QueryResult<usize>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let State::Running(statement, then) = &mut this.state else {
            return this.poll_failure(context).map(Err);
        };
        let Poll::Ready(outcome) = statement.as_mut().poll(context) else {
            return Poll::Pending;
        };
        let outcome = match (outcome, then.take()) {
            (Ok(_), Some(error)) => Err(error),
            (outcome, _) => outcome,
        };
        this.state = State::Done;
        Poll::Ready(outcome)
    }
}

impl<F, S, R> Future for AsyncFaultyStatement<'_, F, S>
where
    F: Future<Output = QueryResult<S>>,
    S: Stream<Item = QueryResult<R>>,
{
    type Output = QueryResult<S>;

    fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Running(statement, then) => {
                    let Poll::Ready(outcome) = statement.as_mut().poll(context) else {
                        return Poll::Pending;
                    };
                    match (outcome, then.take()) {
                        (Ok(rows), Some(error)) => {
                            // Read every row, so that the statement has run whatever the
                            // backend's stream.
                            this.state = State::Reading(Box::pin(rows), Some(error));
                        }
                        (outcome, _) => {
                            this.state = State::Done;
                            return Poll::Ready(outcome);
                        }
                    }
                }
                State::Reading(rows, then) => match rows.as_mut().poll_next(context) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Some(Ok(_))) => {}
                    Poll::Ready(Some(Err(error))) => {
                        this.state = State::Done;
                        return Poll::Ready(Err(error));
                    }
                    Poll::Ready(None) => {
                        let error = then.take().expect("an error to return");
                        this.state = State::Done;
                        return Poll::Ready(Err(error));
                    }
                },
                _ => return this.poll_failure(context).map(Err),
            }
        }
    }
}

impl<C> SimpleAsyncConnection for AsyncFaultyConnection<'_, C>
where
    C: SimpleAsyncConnection + Send,
{
    async fn batch_execute(&mut self, query: &str) -> QueryResult<()> {
        match self.injector.next_statement(|| query.to_owned()) {
            Injected::Run => self.inner.batch_execute(query).await,
            Injected::RunThenFail(error) => {
                self.inner.batch_execute(query).await?;
                Err(error)
            }
            Injected::Refuse(error) => Err(error),
            Injected::Replace { sql, otherwise } => Err(self
                .inner
                .batch_execute(&sql)
                .await
                .err()
                .unwrap_or(otherwise)),
        }
    }
}

impl<C> AsyncConnectionCore for AsyncFaultyConnection<'_, C>
where
    C: AsyncConnectionCore,
    C::Backend: Default,
    <C::Backend as Backend>::QueryBuilder: Default,
{
    type ExecuteFuture<'conn, 'query> =
        AsyncFaultyStatement<'conn, C::ExecuteFuture<'conn, 'query>, NoRows>;
    type LoadFuture<'conn, 'query> =
        AsyncFaultyStatement<'conn, C::LoadFuture<'conn, 'query>, C::Stream<'conn, 'query>>;
    type Stream<'conn, 'query> = C::Stream<'conn, 'query>;
    type Row<'conn, 'query> = C::Row<'conn, 'query>;
    type Backend = C::Backend;

    fn load<'conn, 'query, T>(&'conn mut self, source: T) -> Self::LoadFuture<'conn, 'query>
    where
        T: AsQuery + 'query,
        T::Query: QueryFragment<Self::Backend> + QueryId + 'query,
    {
        let query = source.as_query();
        match self.injector.next_statement(|| sql_of(&query)) {
            injected @ (Injected::Run | Injected::RunThenFail(_)) => {
                AsyncFaultyStatement::sent(injected, self.inner.load(query))
            }
            injected => AsyncFaultyStatement::not_sent(injected, &mut *self.inner),
        }
    }

    fn execute_returning_count<'conn, 'query, T>(
        &'conn mut self,
        source: T,
    ) -> Self::ExecuteFuture<'conn, 'query>
    where
        T: QueryFragment<Self::Backend> + QueryId + 'query,
    {
        match self.injector.next_statement(|| sql_of(&source)) {
            injected @ (Injected::Run | Injected::RunThenFail(_)) => {
                AsyncFaultyStatement::sent(injected, self.inner.execute_returning_count(source))
            }
            injected => AsyncFaultyStatement::not_sent(injected, &mut *self.inner),
        }
    }
}

impl<C> AsyncConnection for AsyncFaultyConnection<'_, C>
where
    C: AsyncConnection,
    C::Backend: Default,
    <C::Backend as Backend>::QueryBuilder: Default,
{
    type TransactionManager = AsyncFaultyTransactionManager<C::TransactionManager>;

    async fn establish(_: &str) -> ConnectionResult<Self> {
        Err(ConnectionError::BadConnection(
            "an AsyncFaultyConnection wraps an open connection".to_owned(),
        ))
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

/// The transaction manager of an [`AsyncFaultyConnection`]: the wrapped connection's own,
/// applied to it.
pub struct AsyncFaultyTransactionManager<T>(PhantomData<T>);

impl<'c, C, T> TransactionManager<AsyncFaultyConnection<'c, C>> for AsyncFaultyTransactionManager<T>
where
    C: AsyncConnection<TransactionManager = T>,
    C::Backend: Default,
    <C::Backend as Backend>::QueryBuilder: Default,
    T: TransactionManager<C>,
{
    type TransactionStateData = T::TransactionStateData;

    async fn begin_transaction(conn: &mut AsyncFaultyConnection<'c, C>) -> QueryResult<()> {
        T::begin_transaction(conn.inner).await
    }

    async fn rollback_transaction(conn: &mut AsyncFaultyConnection<'c, C>) -> QueryResult<()> {
        T::rollback_transaction(conn.inner).await
    }

    async fn commit_transaction(conn: &mut AsyncFaultyConnection<'c, C>) -> QueryResult<()> {
        T::commit_transaction(conn.inner).await
    }

    fn transaction_manager_status_mut<'a>(
        conn: &'a mut AsyncFaultyConnection<'c, C>,
    ) -> &'a mut TransactionManagerStatus {
        T::transaction_manager_status_mut(conn.inner)
    }

    fn is_broken_transaction_manager(conn: &mut AsyncFaultyConnection<'c, C>) -> bool {
        T::is_broken_transaction_manager(conn.inner)
    }
}
