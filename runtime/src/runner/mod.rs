//! The runners: each drives an [operation](crate::operation) over one kind of connection,
//! answering its requests with that connection's I/O and the schema's hooks for it.

#[cfg(feature = "async")]
pub(crate) mod async_hooks;
#[cfg(feature = "async")]
pub(crate) mod asynchronous;
#[cfg(feature = "async")]
mod pause;
pub(crate) mod sync;
pub(crate) mod sync_hooks;

/// A batch of a hooked model's rows as loaded for its hooks: the rows (type-erased, for the
/// runner to hold between the hooks), the keys of the rows, flattened, and how many rows.
#[doc(hidden)]
pub struct LoadedBatch<R> {
    pub rows: R,
    pub keys: Vec<crate::value::SqlValue>,
    pub len: usize,
}

/// How a model's rows meet hooks: [`NoHooks`], or [`WithHooks`] its hooks trait and a loader.
/// Implemented by the derive, for every connection type at once.
#[doc(hidden)]
pub trait Hooked {
    /// `NoHooks`, or `WithHooks<Self, Loader>`.
    type Hooks;
}

/// A model without hooks: its rows go set-based, and no runner asks for a batch of them.
#[doc(hidden)]
pub struct NoHooks;

/// A model with hooks, whose batches `L` loads (whole rows, or keys only).
#[doc(hidden)]
pub struct WithHooks<M, L>(std::marker::PhantomData<(M, L)>);

/// The error a runner reports when asked for the hooks of a model that has none, or of a table
/// no model of the schema maps: a plan and its schema that disagree.
#[doc(hidden)]
pub fn no_hooks(table: &str) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("deletable: no model of the schema has hooks for table `{table}`").into(),
    )
}
