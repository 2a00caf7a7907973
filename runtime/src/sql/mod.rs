//! SQL generation: the statements of a plan ([`statement`]) and what differs per backend
//! ([`dialect`]).

pub(crate) mod create_table;
pub(crate) mod ddl;
#[cfg(feature = "tracing")]
pub(crate) mod describe;
pub mod dialect;
#[cfg(feature = "sqlite")]
pub(crate) mod key_deferral;
pub(crate) mod sqlite_rebuild;
pub mod statement;
