//! A statement in words, for `tracing`: its kind, and the table it acts on.

use crate::plan::{Plan, Step};

use super::statement::{ChunkRows, StatementKind};

/// The name of a statement's kind, in `snake_case`: the `kind` field of its event.
pub(crate) fn kind_name(kind: &StatementKind) -> &'static str {
    match kind {
        StatementKind::CreateRootTable(_) => "create_root_table",
        StatementKind::CopyRootTable(..) => "copy_root_table",
        StatementKind::InsertRootKeys(_) => "insert_root_keys",
        StatementKind::DropTable(_) => "drop_table",
        StatementKind::CreateSubtreeTable(..) => "create_subtree_table",
        StatementKind::FillSubtreeTable(..) => "fill_subtree_table",
        StatementKind::DetachSubtree(..) => "detach_subtree",
        StatementKind::DeleteSubtree(..) => "delete_subtree",
        StatementKind::LoadBatch { .. } => "load_batch",
        StatementKind::DetachChildren(_) => "detach_children",
        StatementKind::DetachTreeStarts(_) => "detach_tree_starts",
        StatementKind::DetachBatchReferences { .. } => "detach_batch_references",
        StatementKind::DeleteBatch(_) => "delete_batch",
        StatementKind::DetachReferences { .. } => "detach_references",
        StatementKind::MarkBatch(..) => "mark_batch",
        StatementKind::LockRoots => "lock_roots",
        StatementKind::TakeWriteLock => "take_write_lock",
        StatementKind::CheckTransaction => "check_transaction",
        StatementKind::Mark(..) | StatementKind::MarkByJoin(..) => "mark",
        StatementKind::CountDeletedParents { .. } => "count_deleted_parents",
        StatementKind::ListDeletedParents { .. } => "list_deleted_parents",
        StatementKind::CountBlocking(_) => "count_blocking",
        StatementKind::ListBlocking(_) => "list_blocking",
        StatementKind::Update(..) => "update",
        StatementKind::DatabaseCascades(_) => "database_cascades",
        StatementKind::KeyDeclaration(_) => "key_declaration",
        StatementKind::DescribeKey(_) => "describe_key",
        StatementKind::CascadingKeys(_) => "cascading_keys",
        StatementKind::ExistingKeys(_) => "existing_keys",
        StatementKind::TableDefinition(_) => "table_definition",
        StatementKind::CountLoopRows { .. } => "count_loop_rows",
        StatementKind::DeletedInTransaction(_) => "deleted_in_transaction",
        StatementKind::Delete(..) => "delete",
        StatementKind::CreateKeyTable { .. } => "create_chunk_table",
        StatementKind::FillChunk { .. } => "fill_chunk",
        StatementKind::CountChunkRows(_) => "count_rows",
        StatementKind::CountKeptUpdates { .. } => "count_updates",
        StatementKind::SetReadOnly => "set_read_only",
        StatementKind::CreateNodeKeys { .. } => "create_key_list",
        StatementKind::NumberNodeKeys { .. } => "fill_key_list",
        StatementKind::IndexNodeKeys(_) => "index_key_list",
        StatementKind::TempCacheSize => "temp_cache_size",
        StatementKind::SetTempCacheSize(_) => "set_temp_cache_size",
        StatementKind::FillChunkFromKeys { .. } => "fill_chunk",
        StatementKind::UpdateChunk { .. } => "update_chunk",
    }
}

/// The table a statement acts on: a table of the plan, or a temporary table of the operation's
/// own; `None` for the transaction's control and the database's catalog.
pub(crate) fn table<'k>(kind: &'k StatementKind, plan: &Plan) -> Option<&'k str> {
    let node = |node: usize| Some(plan.node_model(node).table);
    let step = |step: &Step| match *step {
        Step::Check { model, .. } | Step::Update { model, .. } => Some(plan.models[model].table),
        Step::Delete { node } | Step::Detach { node, .. } => Some(plan.node_model(node).table),
    };
    match kind {
        StatementKind::CreateRootTable(name)
        | StatementKind::CopyRootTable(_, name)
        | StatementKind::InsertRootKeys(name)
        | StatementKind::DropTable(name)
        | StatementKind::CreateKeyTable { name, .. }
        | StatementKind::FillChunk { name, .. }
        | StatementKind::CreateNodeKeys { name, .. }
        | StatementKind::NumberNodeKeys { name, .. }
        | StatementKind::IndexNodeKeys(name)
        | StatementKind::FillChunkFromKeys { name, .. }
        | StatementKind::CreateSubtreeTable(_, name)
        | StatementKind::FillSubtreeTable(_, name) => Some(name),
        StatementKind::DetachSubtree(index, _)
        | StatementKind::DeleteSubtree(index, _)
        | StatementKind::DetachChildren(index)
        | StatementKind::DetachTreeStarts(index)
        | StatementKind::DeleteBatch(index)
        | StatementKind::MarkBatch(index, _)
        | StatementKind::Mark(index, _)
        | StatementKind::MarkByJoin(index, _)
        | StatementKind::LoadBatch { node: index, .. }
        | StatementKind::DetachBatchReferences { node: index, .. }
        | StatementKind::DetachReferences { node: index, .. }
        | StatementKind::CountDeletedParents { node: index, .. }
        | StatementKind::ListDeletedParents { node: index, .. }
        | StatementKind::CountLoopRows { node: index, .. } => node(*index),
        StatementKind::LockRoots => node(plan.root()),
        StatementKind::CountBlocking(s)
        | StatementKind::ListBlocking(s)
        | StatementKind::Update(s, _)
        | StatementKind::Delete(s, _)
        | StatementKind::CountKeptUpdates { step: s, .. }
        | StatementKind::UpdateChunk { step: s, .. } => step(s),
        StatementKind::CountChunkRows(rows) => match rows {
            ChunkRows::Node { node: index, .. } | ChunkRows::Restore { node: index, .. } => {
                node(*index)
            }
            ChunkRows::RootsMarkedOtherwise => node(plan.root()),
            ChunkRows::Update { step: s, .. } => step(s),
        },
        StatementKind::TakeWriteLock
        | StatementKind::CheckTransaction
        | StatementKind::SetReadOnly
        | StatementKind::TempCacheSize
        | StatementKind::SetTempCacheSize(_)
        | StatementKind::DatabaseCascades(_)
        | StatementKind::KeyDeclaration(_)
        | StatementKind::DescribeKey(_)
        | StatementKind::CascadingKeys(_)
        | StatementKind::ExistingKeys(_)
        | StatementKind::TableDefinition(_)
        | StatementKind::DeletedInTransaction(_) => None,
    }
}
