//! SQL generation: the statements of a plan ([`statement`]) and what differs per backend
//! ([`dialect`]).

#[cfg(feature = "tracing")]
pub(crate) mod describe;
pub mod dialect;
#[cfg(feature = "sqlite")]
pub(crate) mod key_deferral;
pub mod statement;
