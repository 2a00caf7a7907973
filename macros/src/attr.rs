//! Attribute parsing: what the user wrote, read from Diesel's own `#[diesel(...)]` and from
//! `#[on_delete(...)]`, with no judgement beyond syntax. Meaning is checked in `model`.

use proc_macro2::{Span, TokenTree};
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, Ident, Path, Token, Type};

use crate::ctxt::Ctxt;

/// The struct-level facts Diesel's attributes state.
#[derive(Default)]
pub struct DieselStruct {
    pub table_name: Option<Path>,
    pub primary_key: Option<(Vec<Ident>, Span)>,
    pub belongs_to: Vec<BelongsTo>,
}

/// `#[diesel(belongs_to(Parent, foreign_key = column))]`.
pub struct BelongsTo {
    pub parent: Path,
    pub foreign_key: Option<Ident>,
}

/// `#[deletable(hooks, batch_size = N, crate = path)]` on the struct.
#[derive(Default)]
pub struct DeletableStruct {
    pub hooks: Option<(HookMode, Span)>,
    pub batch_size: Option<(usize, Span)>,
    /// Where the `deletable` crate is, for crates that reach it through a facade or rename it.
    pub crate_path: Option<syn::Path>,
}

/// What a model's hooks receive.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum HookMode {
    /// Whole rows (`#[deletable(hooks)]`).
    Rows,
    /// Primary keys (`#[deletable(hooks = keys)]`).
    Keys,
}

/// Reads every `#[deletable(...)]` attribute of the struct.
pub fn deletable_struct(cx: &mut Ctxt, attrs: &[Attribute]) -> DeletableStruct {
    let mut out = DeletableStruct::default();
    for attr in attrs
        .iter()
        .filter(|attr| attr.path().is_ident("deletable"))
    {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("hooks") {
                let mode = if meta.input.peek(Token![=]) {
                    let value: Ident = meta.value()?.parse()?;
                    if value == "keys" {
                        HookMode::Keys
                    } else if value == "rows" {
                        HookMode::Rows
                    } else {
                        cx.error_spanned_by(
                            &value,
                            format!(
                                "unknown hooks mode `{value}`\n\
                                 help: `#[deletable(hooks)]` passes whole rows, `#[deletable(hooks = keys)]` primary keys only"
                            ),
                        );
                        return Ok(());
                    }
                } else {
                    HookMode::Rows
                };
                out.hooks = Some((mode, meta.path.span()));
            } else if meta.path.is_ident("crate") {
                // `crate = facade::deletable`, or serde's string form `crate = "facade::deletable"`.
                let value = meta.value()?;
                let path = if value.peek(syn::LitStr) {
                    value.parse::<syn::LitStr>()?.parse::<syn::Path>()?
                } else {
                    value.call(syn::Path::parse_mod_style)?
                };
                out.crate_path = Some(path);
            } else if meta.path.is_ident("batch_size") {
                let value: syn::LitInt = meta.value()?.parse()?;
                let size: usize = value.base10_parse()?;
                if size == 0 {
                    cx.error_spanned_by(&value, "`batch_size` must be at least 1");
                } else {
                    out.batch_size = Some((size, value.span()));
                }
            } else {
                let path = &meta.path;
                cx.error_spanned_by(
                    path,
                    format!(
                        "unknown deletable option `{}`\n\
                         help: the options are `hooks`, `hooks = keys`, `batch_size = <rows>` \
                         and `crate = <path to deletable>`",
                        quote::quote!(#path)
                    ),
                );
                skip_value(meta.input)?;
            }
            Ok(())
        });
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    out
}

/// One field and its attributes.
pub struct Field {
    pub ident: Ident,
    pub ty: Type,
    pub column_name: Option<Ident>,
    pub on_delete: Option<OnDelete>,
    /// `#[soft_delete]`, kept for its span.
    pub soft_delete: Option<Attribute>,
}

/// `#[on_delete(action, references = Parent)]`.
pub struct OnDelete {
    /// The whole attribute, for errors about it.
    pub attr: Attribute,
    /// Whether parsing it already reported an error (later checks then stay quiet about it).
    pub had_errors: bool,
    pub action: Option<(ActionAttr, Span)>,
    pub references: Option<Type>,
    /// `tree`: a self-reference whose cascade deletes whole subtrees.
    pub tree: Option<Span>,
}

/// The action keyword of an `on_delete` attribute.
#[derive(Clone)]
pub enum ActionAttr {
    Cascade,
    Protect,
    Restrict,
    SetNull,
    SetDefault(Expr),
    DoNothing,
}

pub const ACTIONS: &str =
    "`cascade`, `protect`, `restrict`, `set_null`, `set_default = <value>`, `do_nothing`";

/// Reads every `#[diesel(...)]` attribute of the struct.
pub fn diesel_struct(cx: &mut Ctxt, attrs: &[Attribute]) -> DieselStruct {
    let mut out = DieselStruct::default();
    for attr in attrs.iter().filter(|attr| attr.path().is_ident("diesel")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("table_name") {
                out.table_name = Some(meta.value()?.parse()?);
            } else if meta.path.is_ident("primary_key") {
                let mut columns = Vec::new();
                meta.parse_nested_meta(|column| {
                    columns.push(column.path.require_ident()?.clone());
                    Ok(())
                })?;
                out.primary_key = Some((columns, meta.path.span()));
            } else if meta.path.is_ident("belongs_to") {
                let mut parent = None;
                let mut foreign_key = None;
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("foreign_key") {
                        foreign_key = Some(inner.value()?.parse()?);
                    } else if parent.is_none() {
                        parent = Some(inner.path.clone());
                    } else {
                        skip_value(inner.input)?;
                    }
                    Ok(())
                })?;
                if let Some(parent) = parent {
                    out.belongs_to.push(BelongsTo {
                        parent,
                        foreign_key,
                    });
                }
            } else {
                // Diesel's other options are Diesel's business.
                skip_value(meta.input)?;
            }
            Ok(())
        });
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
    out
}

/// Consumes the rest of one nested item (`= value` or `(...)`), up to the next comma.
fn skip_value(input: ParseStream) -> syn::Result<()> {
    while !input.is_empty() && !input.peek(Token![,]) {
        input.parse::<TokenTree>()?;
    }
    Ok(())
}

/// The column of `#[diesel(column_name = ...)]`, in either of Diesel's forms: an identifier
/// (`column_name = kind`) or a string (`column_name = "type"`, for a name that is a keyword),
/// which names the column `r#type` of Diesel's `table!`.
fn column_name_value(input: syn::parse::ParseStream) -> syn::Result<Ident> {
    if !input.peek(syn::LitStr) {
        return input.parse();
    }
    let name: syn::LitStr = input.parse()?;
    match syn::parse_str::<Ident>(&format!("r#{}", name.value())) {
        Ok(mut ident) => {
            ident.set_span(name.span());
            Ok(ident)
        }
        Err(_) => Err(syn::Error::new(
            name.span(),
            format!(
                "`{}` is not a column Diesel's `table!` can declare\n\
                 help: write the column's name as in `table!`: `column_name = \"type\"` or \
                 `column_name = kind`",
                name.value()
            ),
        )),
    }
}

/// Reads a field's `#[diesel(column_name = ...)]` and `#[on_delete(...)]`.
pub fn field(cx: &mut Ctxt, field: &syn::Field, ident: Ident) -> Field {
    let mut column_name = None;
    let mut on_delete: Option<OnDelete> = None;
    let mut soft_delete: Option<Attribute> = None;
    for attr in &field.attrs {
        if attr.path().is_ident("soft_delete") {
            if !matches!(attr.meta, syn::Meta::Path(_)) {
                cx.error_spanned_by(
                    attr,
                    "`#[soft_delete]` takes no arguments\nhelp: write `#[soft_delete]` on the column that marks a row",
                );
            } else if soft_delete.is_some() {
                cx.error_spanned_by(attr, "`#[soft_delete]` is given twice on this field");
            }
            soft_delete = Some(attr.clone());
            continue;
        }
        if attr.path().is_ident("diesel") {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("column_name") {
                    column_name = Some(column_name_value(meta.value()?)?);
                } else {
                    skip_value(meta.input)?;
                }
                Ok(())
            });
            if let Err(error) = result {
                cx.syn_error(error);
            }
        } else if attr.path().is_ident("on_delete") {
            if on_delete.is_some() {
                cx.error_spanned_by(
                    attr,
                    "a field takes one `#[on_delete(...)]` attribute\n\
                     help: put the action and its options in a single attribute: \
                     `#[on_delete(cascade, references = User)]`",
                );
                continue;
            }
            on_delete = Some(parse_on_delete(cx, attr));
        }
    }
    Field {
        ident,
        ty: field.ty.clone(),
        column_name,
        on_delete,
        soft_delete,
    }
}

fn parse_on_delete(cx: &mut Ctxt, attr: &Attribute) -> OnDelete {
    let errors_before = cx.error_count();
    let mut out = OnDelete {
        attr: attr.clone(),
        had_errors: false,
        action: None,
        references: None,
        tree: None,
    };
    if let syn::Meta::Path(_) = attr.meta {
        cx.error_spanned_by(
            attr,
            format!(
                "`#[on_delete]` needs an action\nhelp: one of {ACTIONS}, e.g. `#[on_delete(cascade)]`"
            ),
        );
        return out;
    }
    let result = attr.parse_nested_meta(|meta| {
        let path = &meta.path;
        let action = if path.is_ident("cascade") {
            Some(ActionAttr::Cascade)
        } else if path.is_ident("protect") {
            Some(ActionAttr::Protect)
        } else if path.is_ident("restrict") {
            Some(ActionAttr::Restrict)
        } else if path.is_ident("set_null") {
            Some(ActionAttr::SetNull)
        } else if path.is_ident("do_nothing") {
            Some(ActionAttr::DoNothing)
        } else if path.is_ident("set_default") {
            if meta.input.peek(Token![=]) {
                Some(ActionAttr::SetDefault(meta.value()?.parse()?))
            } else {
                cx.error_spanned_by(
                    path,
                    "`set_default` needs the value to set\nhelp: write `set_default = <value>`, e.g. `#[on_delete(set_default = 0)]`",
                );
                return Ok(());
            }
        } else if path.is_ident("tree") {
            out.tree = Some(path.span());
            return Ok(());
        } else if path.is_ident("references") {
            let parent: Type = meta.value()?.parse()?;
            if out.references.is_some() {
                cx.error_spanned_by(path, "`references` is given twice");
            }
            out.references = Some(parent);
            return Ok(());
        } else {
            let name = path
                .get_ident()
                .map_or_else(|| quote::quote!(#path).to_string(), Ident::to_string);
            cx.error_spanned_by(
                path,
                format!(
                    "unknown on_delete option `{name}`\n\
                     help: the actions are {ACTIONS}; the options are `references = <Model>` and `tree`"
                ),
            );
            skip_value(meta.input)?;
            return Ok(());
        };
        if let Some(action) = action {
            if out.action.is_some() {
                cx.error_spanned_by(
                    path,
                    "an `on_delete` takes one action\nhelp: keep the one you mean, e.g. `#[on_delete(cascade)]`",
                );
            } else {
                out.action = Some((action, path.span()));
            }
        }
        Ok(())
    });
    if let Err(error) = result {
        cx.syn_error(error);
    }
    if out.action.is_none() && cx.error_count() == errors_before {
        cx.error_spanned_by(
            attr,
            format!("`#[on_delete(...)]` needs an action\nhelp: one of {ACTIONS}"),
        );
    }
    out.had_errors = cx.error_count() > errors_before;
    out
}
