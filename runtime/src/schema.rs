//! `deletable::schema!`: the one line per schema that sees every model at once, checks the
//! deletion graph and computes each model's plan at compile time.

/// Lists the `Deletable` models of one schema, so their plans can see each other.
///
/// Write it once, beside the models (as Diesel's `allow_tables_to_appear_in_same_query!`). It
/// fails to compile, naming the problem, when:
/// - cascades form a cycle (`cyclic on_delete(cascade): users -> posts -> users`);
/// - an `on_delete` references a table whose model is not listed;
/// - two listed models map the same table.
///
/// ```
/// # #[cfg(feature = "sqlite")] {
/// # mod schema {
/// #     diesel::table! { users (id) { id -> Integer, } }
/// #     diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
/// # }
/// # use schema::*;
/// # use deletable::Deletable;
/// # #[derive(Deletable)] #[diesel(table_name = users)] struct User { id: i32 }
/// # #[derive(Deletable)] #[diesel(table_name = posts)]
/// # struct Post { id: i32, #[on_delete(cascade, references = User)] user_id: i32 }
/// deletable::schema!(User, Post);
/// # }
/// ```
#[macro_export]
macro_rules! schema {
    ($($model:ty),+ $(,)?) => {
        const _: () = {
            const MODELS: &[&$crate::__private::ModelMeta] =
                &[$(&<$model as $crate::__private::Model>::META),+];
            const MODEL_COUNT: usize = MODELS.len();
            const EDGE_COUNT: usize = $crate::__private::edge_count(MODELS);
            const GRAPH: $crate::__private::Graph<{ MODEL_COUNT }, { EDGE_COUNT }> =
                $crate::__private::graph::<{ MODEL_COUNT }, { EDGE_COUNT }>(MODELS);
            const CHECK: $crate::__private::Message =
                $crate::__private::check_schema::<{ MODEL_COUNT }, { EDGE_COUNT }>(MODELS, &GRAPH);
            if !CHECK.is_empty() {
                ::core::panic!("{}", CHECK.as_str());
            }
            const REACHES: [$crate::__private::Reach<{ MODEL_COUNT }>; MODEL_COUNT] =
                $crate::__private::reaches::<{ MODEL_COUNT }, { EDGE_COUNT }>(MODELS, &GRAPH);
            const TOTAL: $crate::__private::PlanSizes =
                $crate::__private::total_sizes::<{ MODEL_COUNT }, { EDGE_COUNT }>(MODELS, &GRAPH, &REACHES);
            const PLANS: $crate::__private::Plans<
                { MODEL_COUNT },
                { TOTAL.nodes },
                { TOTAL.vias },
                { TOTAL.steps },
            > = $crate::__private::plans::<
                { MODEL_COUNT },
                { EDGE_COUNT },
                { TOTAL.nodes },
                { TOTAL.vias },
                { TOTAL.steps },
            >(MODELS, &GRAPH, &REACHES);
            const TABLE: $crate::__private::PlanTable = $crate::__private::PlanTable {
                models: MODELS,
                nodes: &PLANS.nodes,
                vias: &PLANS.vias,
                steps: &PLANS.steps,
                ranges: &PLANS.ranges,
            };
            // A `static`, not one `const` per model: a constant's value is validated deeply, so
            // per-model constants would each walk every model's metadata again.
            static PLAN_LIST: [$crate::Plan; MODEL_COUNT] = TABLE.plans::<{ MODEL_COUNT }>(&PLAN_LIST);
            /// Reaches each model's hooks by the model's table.
            pub struct __DeletableSchema;

            impl<__DeletableConnection> $crate::__private::SchemaHooks<__DeletableConnection> for __DeletableSchema
            where
                __DeletableConnection: $crate::DeleteConnection,
                $(<$model as $crate::__private::Hooked>::Hooks: $crate::__private::ModelHooks<__DeletableConnection>,)+
            {
                fn load<__DeletableFilter>(
                    table: &str,
                    conn: &mut __DeletableConnection,
                    statement: $crate::__private::Statement<'_, __DeletableFilter>,
                ) -> $crate::__private::diesel::QueryResult<
                    $crate::__private::LoadedBatch<::std::boxed::Box<dyn ::core::any::Any>>,
                >
                where
                    __DeletableFilter: $crate::__private::diesel::query_builder::QueryFragment<__DeletableConnection::Backend>,
                {
                    $(
                        if table == <$model as $crate::__private::Model>::TABLE {
                            return <<$model as $crate::__private::Hooked>::Hooks as $crate::__private::ModelHooks<__DeletableConnection>>::load(
                                conn, statement,
                            );
                        }
                    )+
                    ::core::result::Result::Err($crate::__private::unknown_table(table))
                }

                fn hook(
                    table: &str,
                    stage: $crate::HookStage,
                    conn: &mut __DeletableConnection,
                    rows: &dyn ::core::any::Any,
                ) -> ::core::result::Result<(), $crate::HookError> {
                    $(
                        if table == <$model as $crate::__private::Model>::TABLE {
                            return <<$model as $crate::__private::Hooked>::Hooks as $crate::__private::ModelHooks<__DeletableConnection>>::hook(
                                stage, conn, rows,
                            );
                        }
                    )+
                    ::core::result::Result::Err($crate::__private::unknown_table(table).into())
                }
            }
            $crate::__async_schema_hooks!(__DeletableSchema; $($model),+);
            $(
                impl $crate::__private::Registered for $model {
                    type Schema = __DeletableSchema;
                    fn registered_plan() -> &'static $crate::Plan {
                        $crate::__private::plan_of(
                            &PLAN_LIST,
                            <$model as $crate::__private::Model>::TABLE,
                        )
                    }
                }
            )+
        };
    };
}

/// Without the `async` feature, a schema has no asynchronous hooks to dispatch.
#[cfg(not(feature = "async"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __async_schema_hooks {
    ($($tokens:tt)*) => {};
}
