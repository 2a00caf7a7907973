//! Semantic validation: turns what the user wrote into a model whose every fact is resolved (the
//! table, the key, each foreign key's parent and action), or records why it cannot be.

use proc_macro2::Span;
use quote::format_ident;
use syn::{Data, DeriveInput, Fields, Ident, Path, Type};

use crate::attr::{self, ActionAttr, DieselStruct, Field, HookMode};
use crate::ctxt::Ctxt;

/// A model, validated. Fields that could not be resolved are `None`; code generation still
/// emits what it can so that one mistake does not cause a cascade of errors.
pub struct Model {
    pub ident: Ident,
    pub table: Path,
    /// Whether the user named the table (`#[diesel(table_name = ...)]`) rather than leaving it
    /// to Diesel's inference.
    pub table_given: bool,
    /// Whether the input is a non-generic struct with named fields, the only shape that can be
    /// given impls.
    pub well_formed: bool,
    pub table_name: String,
    pub primary_key: Option<Vec<KeyField>>,
    pub foreign_keys: Vec<ForeignKey>,
    /// `#[deletable(hooks)]`: what the hooks receive, and the batch size.
    pub hooks: Option<(HookMode, usize)>,
    /// The `#[soft_delete]` column.
    pub soft_delete: Option<SoftField>,
    /// The path of the `deletable` crate in generated code: `::deletable`, or the model's
    /// `#[deletable(crate = ...)]`.
    pub krate: Path,
}

/// The `#[soft_delete]` column: a timestamp (`Some(its type)`, from `Option<its type>`) or a flag
/// (`None`).
pub struct SoftField {
    pub column: Ident,
    pub timestamp: Option<Type>,
}

/// The timestamp types Diesel maps (chrono, time, std).
const TIMESTAMP_TYPES: &[&str] = &[
    "NaiveDateTime",
    "DateTime",
    "PrimitiveDateTime",
    "OffsetDateTime",
    "SystemTime",
];

/// The batch size of a hooked model that does not set one.
const DEFAULT_BATCH_SIZE: usize = 1_000;

/// A primary key field.
pub struct KeyField {
    pub field: Ident,
    pub column: Ident,
    pub ty: Type,
}

/// A foreign key with its rule.
pub struct ForeignKey {
    pub column: Ident,
    pub parent: Type,
    pub action: ActionAttr,
    pub field_ty: Type,
    pub tree: bool,
    /// Whether the field is an `Option` (its column may be set to `NULL`).
    pub nullable: bool,
}

pub fn validate(cx: &mut Ctxt, input: &DeriveInput) -> Model {
    let ident = input.ident.clone();
    let mut well_formed = input.generics.params.is_empty();
    match &input.data {
        Data::Struct(data) => {
            if !matches!(data.fields, Fields::Named(_)) {
                well_formed = false;
                cx.error_spanned_by(
                    &input.ident,
                    "`Deletable` needs a struct with named fields\nhelp: name the fields as Diesel's `Queryable` models do: `struct Post { id: i32, ... }`",
                );
            }
        }
        Data::Enum(data) => {
            well_formed = false;
            cx.error_spanned_by(
                data.enum_token,
                "`Deletable` can only be derived for a struct that maps a table, not for an enum",
            )
        }
        Data::Union(data) => {
            well_formed = false;
            cx.error_spanned_by(
                data.union_token,
                "`Deletable` can only be derived for a struct that maps a table, not for a union",
            )
        }
    }
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "`Deletable` cannot be derived for a generic struct\nhelp: derive it on the model that maps the table, with concrete field types",
        );
    }

    let diesel = attr::diesel_struct(cx, &input.attrs);
    let options = attr::deletable_struct(cx, &input.attrs);
    if let (None, Some((_, span))) = (options.hooks, options.batch_size) {
        cx.syn_error(syn::Error::new(
            span,
            "`batch_size` sets the batch of a model's hooks, and this model has none\n\
             help: add `hooks`: `#[deletable(hooks, batch_size = 500)]`",
        ));
    }
    let hooks = options.hooks.map(|(mode, _)| {
        let batch = options
            .batch_size
            .map_or(DEFAULT_BATCH_SIZE, |(size, _)| size);
        (mode, batch)
    });
    let fields = parse_fields(cx, input);
    let table = diesel.table_name.clone().unwrap_or_else(|| {
        let inferred = format_ident!("{}s", snake_case(&ident.to_string()));
        Path::from(inferred)
    });
    let table_name = table
        .segments
        .last()
        .map(|segment| segment.ident.to_string())
        .unwrap_or_default();
    // A shape without named fields has been reported already; its key would only add noise.
    let primary_key = if well_formed {
        primary_key(cx, &ident, &diesel, &fields)
    } else {
        None
    };
    let foreign_keys = foreign_keys(cx, &ident, &diesel, &fields);
    let soft_delete = soft_delete(cx, &fields);
    Model {
        ident,
        table_given: diesel.table_name.is_some(),
        table,
        well_formed,
        table_name,
        primary_key,
        foreign_keys,
        hooks,
        soft_delete,
        krate: options
            .crate_path
            .unwrap_or_else(|| syn::parse_quote!(::deletable)),
    }
}

fn soft_delete(cx: &mut Ctxt, fields: &[Field]) -> Option<SoftField> {
    let mut found: Option<SoftField> = None;
    for field in fields {
        let Some(attr) = &field.soft_delete else {
            continue;
        };
        if found.is_some() {
            cx.error_spanned_by(
                attr,
                "a model has one `#[soft_delete]` column\nhelp: keep it on the column that marks a row as deleted",
            );
            continue;
        }
        let timestamp = option_inner(&field.ty).filter(|inner| {
            last_ident(inner).is_some_and(|name| TIMESTAMP_TYPES.iter().any(|t| name == t))
        });
        let flag = last_ident(&field.ty).is_some_and(|name| name == "bool");
        if timestamp.is_none() && !flag {
            let ty = &field.ty;
            cx.error_spanned_by(
                attr,
                format!(
                    "`#[soft_delete]` needs an optional timestamp or a `bool`, but `{}` is `{}`\n\
                     help: mark the row with `Option<chrono::NaiveDateTime>` (a `Nullable<Timestamp>` column) or `bool`",
                    field.ident,
                    type_name(ty),
                ),
            );
            continue;
        }
        found = Some(SoftField {
            column: column_of(field),
            timestamp: timestamp.cloned(),
        });
    }
    found
}

/// A type as the user wrote it, for messages (`Option<String>`, not `Option < String >`).
fn type_name(ty: &Type) -> String {
    quote::quote!(#ty)
        .to_string()
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" <", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace(" :: ", "::")
}

/// `T` of `Option<T>`.
/// The type inside the invisible group a `macro_rules!` `$ty:ty` becomes, or inside parentheses.
fn ungrouped(ty: &Type) -> &Type {
    match ty {
        Type::Group(group) => ungrouped(&group.elem),
        Type::Paren(paren) => ungrouped(&paren.elem),
        other => other,
    }
}

fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ungrouped(ty) else {
        return None;
    };
    let segment = path.path.segments.last()?;
    if segment.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(arguments) = &segment.arguments else {
        return None;
    };
    match arguments.args.first()? {
        syn::GenericArgument::Type(inner) => Some(inner),
        _ => None,
    }
}

fn last_ident(ty: &Type) -> Option<&Ident> {
    match ungrouped(ty) {
        Type::Path(path) => path.path.segments.last().map(|segment| &segment.ident),
        _ => None,
    }
}

fn parse_fields(cx: &mut Ctxt, input: &DeriveInput) -> Vec<Field> {
    let Data::Struct(data) = &input.data else {
        return Vec::new();
    };
    let Fields::Named(named) = &data.fields else {
        return Vec::new();
    };
    named
        .named
        .iter()
        .filter_map(|field| {
            let ident = field.ident.clone()?;
            Some(attr::field(cx, field, ident))
        })
        .collect()
}

fn column_of(field: &Field) -> Ident {
    field
        .column_name
        .clone()
        .unwrap_or_else(|| field.ident.clone())
}

fn primary_key(
    cx: &mut Ctxt,
    ident: &Ident,
    diesel: &DieselStruct,
    fields: &[Field],
) -> Option<Vec<KeyField>> {
    let (names, span) = match &diesel.primary_key {
        Some((names, span)) => (names.clone(), *span),
        None => (vec![Ident::new("id", Span::call_site())], ident.span()),
    };
    let mut keys = Vec::new();
    for name in &names {
        let found = fields
            .iter()
            .find(|field| field.ident == *name)
            .or_else(|| fields.iter().find(|field| column_of(field) == *name));
        match found {
            Some(field) => keys.push(KeyField {
                field: field.ident.clone(),
                column: column_of(field),
                ty: field.ty.clone(),
            }),
            None if diesel.primary_key.is_none() => {
                let example = fields
                    .first()
                    .map_or_else(|| "id".to_owned(), |field| column_of(field).to_string());
                cx.syn_error(syn::Error::new(
                    span,
                    format!(
                        "`{ident}` has no primary key Diesel knows: no field `id` and no `#[diesel(primary_key(...))]`\n\
                         help: name the key's fields: `#[diesel(primary_key({example}))]`"
                    ),
                ));
                return None;
            }
            None => {
                cx.syn_error(syn::Error::new(
                    name.span(),
                    format!("`primary_key` names `{name}`, which is not a field of `{ident}`"),
                ));
                return None;
            }
        }
    }
    if keys.is_empty() {
        cx.syn_error(syn::Error::new(
            span,
            "`primary_key()` is empty\nhelp: name the key's fields: `#[diesel(primary_key(id))]`",
        ));
        return None;
    }
    Some(keys)
}

fn foreign_keys(
    cx: &mut Ctxt,
    ident: &Ident,
    diesel: &DieselStruct,
    fields: &[Field],
) -> Vec<ForeignKey> {
    let mut out = Vec::new();
    for field in fields {
        let Some(on_delete) = &field.on_delete else {
            continue;
        };
        let Some((action, action_span)) = &on_delete.action else {
            continue;
        };
        let column = column_of(field);
        let parent = match &on_delete.references {
            Some(parent) => Some(parent.clone()),
            None => diesel
                .belongs_to
                .iter()
                .find(|belongs_to| {
                    let foreign_key = belongs_to.foreign_key.clone().or_else(|| {
                        let parent = belongs_to.parent.segments.last()?;
                        Some(format_ident!(
                            "{}_id",
                            snake_case(&parent.ident.to_string())
                        ))
                    });
                    foreign_key.is_some_and(|key| key == column || key == field.ident)
                })
                .map(|belongs_to| {
                    let parent = &belongs_to.parent;
                    syn::parse_quote!(#parent)
                }),
        };
        let Some(parent) = parent else {
            if on_delete.had_errors {
                continue;
            }
            cx.syn_error(syn::Error::new_spanned(
                &on_delete.attr,
                format!(
                    "cannot tell which model `{}` references: no `references = ...` and no `#[diesel(belongs_to(...))]` with this foreign key\n\
                     help: name the parent: `#[on_delete({}, references = User)]`",
                    field.ident,
                    action_name(action),
                ),
            ));
            continue;
        };
        if matches!(action, ActionAttr::SetNull) && !is_option(&field.ty) {
            let ty = &field.ty;
            cx.syn_error(syn::Error::new(
                *action_span,
                format!(
                    "`set_null` needs a nullable foreign key, but `{}` is `{}`\n\
                     help: make the field `Option<{}>` (and the column `Nullable`), or choose another action",
                    field.ident,
                    type_name(ty),
                    type_name(ty),
                ),
            ));
            continue;
        }
        if let Some(tree) = on_delete.tree {
            if !matches!(action, ActionAttr::Cascade) {
                cx.syn_error(syn::Error::new(
                    tree,
                    format!(
                        "`tree` marks a cascade along a self-reference, not `{}`\n\
                         help: write `#[on_delete(cascade, tree)]`, or drop `tree`",
                        action_name(action)
                    ),
                ));
                continue;
            }
            if !names_model(&parent, ident) {
                cx.syn_error(syn::Error::new(
                    tree,
                    format!(
                        "`tree` is for a foreign key to the model's own table, but `{}` references `{}`\n\
                         help: point it at `{ident}` (`references = {ident}`), or drop `tree`",
                        field.ident,
                        quote::quote!(#parent),
                    ),
                ));
                continue;
            }
            if !is_option(&field.ty) {
                let ty = &field.ty;
                cx.syn_error(syn::Error::new(
                    tree,
                    format!(
                        "a tree's parent key must be nullable, but `{}` is `{}`: the roots of a tree have no parent\n\
                         help: make the field `Option<{}>` (and the column `Nullable`)",
                        field.ident,
                        type_name(ty),
                        type_name(ty),
                    ),
                ));
                continue;
            }
        }
        out.push(ForeignKey {
            column,
            parent,
            action: action.clone(),
            field_ty: field.ty.clone(),
            tree: on_delete.tree.is_some(),
            nullable: option_inner(&field.ty).is_some(),
        });
    }
    out
}

fn action_name(action: &ActionAttr) -> &'static str {
    match action {
        ActionAttr::Cascade => "cascade",
        ActionAttr::Protect => "protect",
        ActionAttr::Restrict => "restrict",
        ActionAttr::SetNull => "set_null",
        ActionAttr::SetDefault(_) => "set_default = <value>",
        ActionAttr::DoNothing => "do_nothing",
    }
}

/// Whether `ty` names the model itself (`Self` or its own name).
fn names_model(ty: &Type, ident: &Ident) -> bool {
    match ungrouped(ty) {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == *ident || segment.ident == "Self"),
        _ => false,
    }
}

fn is_option(ty: &Type) -> bool {
    match ungrouped(ty) {
        Type::Path(path) => path
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident == "Option"),
        _ => false,
    }
}

/// `BlogPost` -> `blog_post`, as Diesel infers names.
fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (index, ch) in name.chars().enumerate() {
        if ch.is_uppercase() {
            if index > 0 {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}
