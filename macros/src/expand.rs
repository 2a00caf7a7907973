//! Code generation: the `Model` and `Deletable` impls of a validated model. Everything is named by
//! absolute path through `::deletable::__private` (or the model's `#[deletable(crate = ...)]`),
//! inside `const _: () = { ... };`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::attr::{ActionAttr, HookMode};
use crate::model::{ForeignKey, KeyField, Model};

pub fn expand(model: &Model) -> TokenStream {
    let model_impl = model_impl(model);
    let deletable_impl = deletable_impl(model);
    quote! {
        const _: () = {
            #model_impl
            #deletable_impl
        };
    }
}

/// The fallback when the derive reported errors: a `Model` impl with no foreign keys, so the
/// schema and other models that name this one still compile and the user sees only the errors
/// that matter.
pub fn fallback(model: &Model) -> TokenStream {
    if !model.well_formed {
        return TokenStream::new();
    }
    let ident = &model.ident;
    let table_name = &model.table_name;
    let private = private(model);
    // Naming the table keeps the user's `use schema::*` in use, so no warning joins the error.
    let table = &model.table;
    let touch_table = if model.table_given {
        quote!(const _: #table::table = #table::table;)
    } else {
        TokenStream::new()
    };
    quote! {
        const _: () = {
            #touch_table
            #[automatically_derived]
            impl #private::Model for #ident {
                const TABLE: &'static str = #table_name;
                const META: #private::ModelMeta = #private::ModelMeta {
                    name: ::core::stringify!(#ident),
                    table: #table_name,
                    primary_key: &[],
                    foreign_keys: &[],
                    hooks: ::core::option::Option::None,
                    soft_delete: ::core::option::Option::None,
                };
            }
            #[automatically_derived]
            impl #private::Hooked for #ident {
                type Hooks = #private::NoHooks;
            }
        };
    }
}

/// `tokens` with every `Self` replaced by `ident`, groups included.
fn with_self_as(tokens: TokenStream, ident: &proc_macro2::Ident) -> TokenStream {
    use proc_macro2::{Group, TokenTree};
    tokens
        .into_iter()
        .map(|token| match token {
            TokenTree::Ident(found) if found == "Self" => {
                let mut renamed = ident.clone();
                renamed.set_span(found.span());
                TokenTree::Ident(renamed)
            }
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), with_self_as(group.stream(), ident));
                inner.set_span(group.span());
                TokenTree::Group(inner)
            }
            other => other,
        })
        .collect()
}

/// The runtime's private module, through the model's path to the crate.
fn private(model: &Model) -> TokenStream {
    let krate = &model.krate;
    quote!(#krate::__private)
}

fn model_impl(model: &Model) -> TokenStream {
    let private = private(model);
    let ident = &model.ident;
    let table = &model.table;
    let key_columns = model.primary_key.iter().flatten().map(|key| {
        let column = &key.column;
        quote!(<#table::#column as #private::diesel::Column>::NAME)
    });
    let foreign_keys = model
        .foreign_keys
        .iter()
        .map(|foreign_key| foreign_key_meta(model, foreign_key));
    let hooks = match model.hooks {
        Some((_, batch)) => quote!(::core::option::Option::Some(#batch)),
        None => quote!(::core::option::Option::None),
    };
    let soft_delete = match &model.soft_delete {
        Some(soft) => {
            let column = &soft.column;
            // The column's SQL type says how a mark is written as an instant.
            let kind = if soft.timestamp.is_some() {
                quote_spanned! {column.span()=>
                    #private::SoftDeleteKind::Timestamp(
                        <<#table::#column as #private::diesel::expression::Expression>::SqlType
                            as #private::SoftDeleteTimestamp>::TYPE
                    )
                }
            } else {
                quote!(#private::SoftDeleteKind::Flag)
            };
            quote! {
                ::core::option::Option::Some(#private::SoftDeleteColumn {
                    column: <#table::#column as #private::diesel::Column>::NAME,
                    kind: #kind,
                })
            }
        }
        None => quote!(::core::option::Option::None),
    };
    // Diesel's own SQL name of the table (`#[sql_name]` included), not the module's.
    let sql_name = quote!(<#table::table as #private::SqlTableName>::NAME);
    quote! {
        #[automatically_derived]
        impl #private::Model for #ident {
            const TABLE: &'static str = #sql_name;
            const META: #private::ModelMeta = #private::ModelMeta {
                name: ::core::stringify!(#ident),
                table: #sql_name,
                primary_key: &[#(#key_columns),*],
                foreign_keys: &[#(#foreign_keys),*],
                hooks: #hooks,
                soft_delete: #soft_delete,
            };
        }
    }
}

fn foreign_key_meta(model: &Model, foreign_key: &ForeignKey) -> TokenStream {
    let private = private(model);
    let table = &model.table;
    let column = &foreign_key.column;
    let parent = &foreign_key.parent;
    let action = match &foreign_key.action {
        ActionAttr::Cascade => quote!(Cascade),
        ActionAttr::Protect => quote!(Protect),
        ActionAttr::Restrict => quote!(Restrict),
        ActionAttr::SetNull => quote!(SetNull),
        ActionAttr::DoNothing => quote!(DoNothing),
        ActionAttr::SetDefault(value) => {
            let field_ty = &foreign_key.field_ty;
            // The value is read in a function of its own, where `Self` is not in scope (E0401):
            // `Self::GENERAL` becomes `Post::GENERAL`.
            let value = with_self_as(quote!(#value), &model.ident);
            quote! {
                SetDefault({
                    fn default_value() -> #private::SqlValue {
                        let value: #field_ty = ::core::convert::Into::into(#value);
                        #private::IntoSqlValue::into_sql_value(value)
                    }
                    default_value
                })
            }
        }
    };
    let tree = foreign_key.tree;
    let nullable = foreign_key.nullable;
    quote! {
        #private::ForeignKey {
            column: <#table::#column as #private::diesel::Column>::NAME,
            parent_table: #private::table_of::<#parent>(),
            rule: #private::Rule::#action,
            tree: #tree,
            nullable: #nullable,
        }
    }
}

fn deletable_impl(model: &Model) -> TokenStream {
    let krate = &model.krate;
    let private = private(model);
    let ident = &model.ident;
    let table = &model.table;
    let Some(keys) = &model.primary_key else {
        return TokenStream::new();
    };
    let key_types = keys.iter().map(|key| &key.ty);
    let key_type = if keys.len() == 1 {
        let ty = &keys[0].ty;
        quote!(#ty)
    } else {
        quote!((#(#key_types,)*))
    };
    let key_value = if keys.len() == 1 {
        let field = &keys[0].field;
        quote!(::core::clone::Clone::clone(&self.#field))
    } else {
        let fields = keys.iter().map(|key| &key.field);
        quote!((#(::core::clone::Clone::clone(&self.#fields),)*))
    };
    let bind_key = bind_key_impl(model, keys);
    let key_columns = if keys.len() == 1 {
        let column = &keys[0].column;
        quote!(#table::#column)
    } else {
        let columns = keys.iter().map(|key| &key.column);
        quote!((#(#table::#columns,)*))
    };
    let hook_row = match model.hooks {
        Some((HookMode::Keys, _)) => quote!(#key_type),
        _ => quote!(Self),
    };
    let dispatch = hook_dispatch(model);
    let soft_delete = soft_delete_impl(model);
    quote! {
        #dispatch
        #soft_delete

        #[automatically_derived]
        impl #krate::Deletable for #ident {
            type Table = #table::table;
            type PrimaryKey = #key_type;
            type HookRow = #hook_row;
            type KeyColumns = #key_columns;

            fn plan() -> &'static #krate::Plan {
                <Self as #private::Registered>::registered_plan()
            }

            fn __primary_key(&self) -> Self::PrimaryKey {
                #key_value
            }
        }

        #bind_key
    }
}

/// How the model's keys are bound: each column's value by Diesel, as the column's SQL type, on
/// any backend for which Diesel can.
fn bind_key_impl(model: &Model, keys: &[KeyField]) -> TokenStream {
    let krate = &model.krate;
    let private = private(model);
    let ident = &model.ident;
    let table = &model.table;
    let bounds = keys.iter().map(|key| {
        let column = &key.column;
        let ty = &key.ty;
        let sql_type = quote!(<#table::#column as #private::diesel::Expression>::SqlType);
        quote! {
            __DeletableBackend: #private::diesel::sql_types::HasSqlType<#sql_type>,
            #ty: #private::diesel::serialize::ToSql<#sql_type, __DeletableBackend>
                + ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static,
        }
    });
    let pushes = keys.iter().enumerate().map(|(index, key)| {
        let column = &key.column;
        let ty = &key.ty;
        let value = if keys.len() == 1 {
            quote!(key)
        } else {
            let index = syn::Index::from(index);
            quote!(&key.#index)
        };
        quote! {
            values.push(#private::SqlValue::Typed(#private::TypedValue::new::<
                __DeletableBackend,
                <#table::#column as #private::diesel::Expression>::SqlType,
                #ty,
            >(::core::clone::Clone::clone(#value))));
        }
    });
    quote! {
        #[automatically_derived]
        impl<__DeletableBackend> #private::BindKey<__DeletableBackend> for #ident
        where
            __DeletableBackend: #private::diesel::backend::Backend + 'static,
            #(#bounds)*
        {
            fn bind_key(
                key: &<Self as #krate::Deletable>::PrimaryKey,
                values: &mut ::std::vec::Vec<#private::SqlValue>,
            ) {
                #(#pushes)*
            }
        }
    }
}

/// How the model's rows meet hooks when a plan reaches them: none (set-based), or its hooks
/// with the loader of whole rows or of keys. The same for every runner and connection type.
fn hook_dispatch(model: &Model) -> TokenStream {
    let private = private(model);
    let ident = &model.ident;
    let hooks = match model.hooks {
        None => quote!(#private::NoHooks),
        Some((HookMode::Rows, _)) => quote!(#private::WithHooks<#ident, #private::WholeRows>),
        Some((HookMode::Keys, _)) => quote!(#private::WithHooks<#ident, #private::KeysOnly>),
    };
    quote! {
        #[automatically_derived]
        impl #private::Hooked for #ident {
            type Hooks = #hooks;
        }
    }
}

/// `SoftDelete` for a model with a `#[soft_delete]` column: its scoped queries and purge filter.
fn soft_delete_impl(model: &Model) -> TokenStream {
    let krate = &model.krate;
    let Some(soft) = &model.soft_delete else {
        return TokenStream::new();
    };
    let private = private(model);
    let ident = &model.ident;
    let table = &model.table;
    let column = &soft.column;
    let dsl = quote!(#private::diesel::dsl);
    let query_dsl = quote!(#private::diesel::QueryDsl);
    let methods = quote!(#private::diesel::ExpressionMethods);
    let (active, active_expr, deleted, deleted_expr, cutoff, purge, purge_expr) =
        match &soft.timestamp {
            Some(timestamp) => (
                quote!(#dsl::IsNull<#table::#column>),
                quote!(#methods::is_null(#table::#column)),
                quote!(#dsl::IsNotNull<#table::#column>),
                quote!(#methods::is_not_null(#table::#column)),
                quote!(#timestamp),
                quote!(#dsl::Lt<#table::#column, #timestamp>),
                quote!(#methods::lt(#table::#column, older_than)),
            ),
            None => (
                quote!(#dsl::Eq<#table::#column, bool>),
                quote!(#methods::eq(#table::#column, false)),
                quote!(#dsl::Eq<#table::#column, bool>),
                quote!(#methods::eq(#table::#column, true)),
                quote!(()),
                quote!(#dsl::Eq<#table::#column, bool>),
                quote!({
                    let () = older_than;
                    #methods::eq(#table::#column, true)
                }),
            ),
        };
    quote! {
        #[automatically_derived]
        impl #krate::SoftDelete for #ident {
            type Active = #dsl::Filter<#table::table, #active>;
            type OnlyDeleted = #dsl::Filter<#table::table, #deleted>;
            type Cutoff = #cutoff;
            type PurgeFilter = #purge;

            fn active() -> Self::Active {
                #query_dsl::filter(#table::table, #active_expr)
            }

            fn only_deleted() -> Self::OnlyDeleted {
                #query_dsl::filter(#table::table, #deleted_expr)
            }

            fn purge_filter(older_than: Self::Cutoff) -> Self::PurgeFilter {
                #purge_expr
            }
        }
    }
}
