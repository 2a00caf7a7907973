//! The `#[derive(Deletable)]` macro of the [`deletable`](https://docs.rs/deletable) crate.
//!
//! Parsing (`attr`), validation (`model`) and code generation (`expand`) are separate steps;
//! errors of all three are gathered in a `Ctxt` and reported together.

mod attr;
mod ctxt;
mod expand;
mod model;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Derives `deletable::Deletable` for a Diesel model. See the `deletable` crate for the
/// attributes: `#[on_delete(...)]` on foreign key fields, with Diesel's own
/// `#[diesel(table_name = ..., primary_key(...), belongs_to(...))]`.
#[proc_macro_derive(Deletable, attributes(on_delete, deletable, soft_delete, diesel))]
pub fn derive_deletable(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    derive(&input).into()
}

/// The derive's output for one input: the impls, or every error with a fallback impl.
fn derive(input: &DeriveInput) -> proc_macro2::TokenStream {
    let mut cx = ctxt::Ctxt::default();
    let model = model::validate(&mut cx, input);
    if cx.has_errors() {
        let mut out = cx.into_compile_errors();
        out.extend(expand::fallback(&model));
        return out;
    }
    expand::expand(&model)
}

#[cfg(test)]
mod snapshots;
