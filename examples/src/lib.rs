//! Runnable examples of `deletable`; see `examples/*.rs`.
