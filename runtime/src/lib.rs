#![doc = include_str!("guide.md")]
#![warn(missing_docs)]
// The guide links the async API, which exists with the `async` feature only: without it those
// links show as plain names.
#![cfg_attr(not(feature = "async"), allow(rustdoc::broken_intra_doc_links))]
// Built without a backend (no feature), the helpers each backend's SQL uses have no user.
#![cfg_attr(
    not(any(
        feature = "sqlite",
        feature = "postgres",
        feature = "mysql",
        feature = "mariadb"
    )),
    allow(unused)
)]

mod api;
#[cfg(feature = "async")]
mod async_api;
#[cfg(feature = "async")]
mod async_connection;
#[cfg(feature = "async")]
mod async_hooks;
mod connection;
mod declared;
mod diagram;
mod error;
mod hooks;
mod mark;
mod migration;
mod model;
mod operation;
mod options;
mod plan;
mod planner;
#[cfg(any(feature = "deadpool", feature = "bb8"))]
mod pools;
mod preview;
mod progress;
mod query;
mod report;
mod runner;
mod schema;
mod soft_delete;
mod sql;
mod value;
mod verify;

pub use api::{Deletable, KeyFor};
#[cfg(feature = "async")]
pub use async_api::{AsyncDeletable, AsyncSoftDelete};
#[cfg(feature = "async")]
pub use async_connection::AsyncDeleteConnection;
#[cfg(feature = "async")]
pub use async_hooks::AsyncDeleteHooks;
pub use connection::DeleteConnection;
pub use declared::DeclaredAction;
pub use deletable_macros::Deletable;
pub use diagram::DiagramFormat;
pub use error::{Blocker, DeleteError, HookError, HookStage, SoftDeletedParent};
pub use hooks::DeleteHooks;
pub use migration::Migration;
pub use model::Action;
pub use options::DeleteOptions;
pub use plan::{Plan, PlanStatement};
pub use preview::{KeyUpdate, LoopBlocker, Preview};
pub use progress::{Progress, TableProgress};
pub use report::DeleteReport;
pub use soft_delete::SoftDelete;
pub use sql::dialect::Dialect;
pub use verify::Finding;

/// What the derive's generated code names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::api::BindKey;
    pub use crate::api::{table_of, Model, Registered};
    pub use crate::hooks::{HookLoader, KeysOnly, WholeRows};
    pub use crate::model::{
        ForeignKey, ModelMeta, Rule, SoftDeleteColumn, SoftDeleteKind, SoftDeleteTimestamp,
        SqlTableName, TimestampType,
    };
    pub use crate::plan::{Node, Step, Via};
    pub use crate::planner::{
        check_schema, edge_count, graph, plan_of, plans, reaches, total_sizes, Graph, Message,
        PlanSizes, PlanTable, Plans, Reach,
    };
    pub use crate::query::InQuery;
    pub use crate::runner::sync_hooks::{ModelHooks, SchemaHooks};
    pub use crate::runner::{no_hooks as unknown_table, Hooked, LoadedBatch, NoHooks, WithHooks};
    pub use crate::sql::statement::Roots;
    pub use crate::sql::statement::Statement;
    pub use crate::value::{IntoSqlValue, SqlValue, TypedValue};
    pub use diesel;

    #[cfg(feature = "async")]
    pub use crate::async_hooks::AsyncHookLoader;
    #[cfg(feature = "async")]
    pub use crate::runner::async_hooks::{AsyncModelHooks, AsyncRows, AsyncSchemaHooks};
    #[cfg(feature = "async")]
    pub use diesel_async;
}
