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

            /// Reaches each model's rows by the model's index, set-based or through its hooks.
            pub struct __DeletableSchema;

            impl<__DeletableConnection> $crate::__private::SchemaHooks<__DeletableConnection> for __DeletableSchema
            where
                __DeletableConnection: $crate::DeleteConnection,
                $($model: $crate::__private::HookDispatch<__DeletableConnection>,)+
            {
                fn node<__DeletableFilter>(
                    model: usize,
                    plan: &$crate::Plan,
                    roots: &$crate::__private::Roots<'_, __DeletableFilter>,
                    node: usize,
                    batch_size: usize,
                    operation: &$crate::__private::Operation,
                    conn: &mut __DeletableConnection,
                ) -> ::core::result::Result<u64, $crate::DeleteError>
                where
                    __DeletableFilter: $crate::__private::diesel::query_builder::QueryFragment<__DeletableConnection::Backend>,
                {
                    $(
                        if model == $crate::__private::model_index(
                            MODELS,
                            &<$model as $crate::__private::Model>::META,
                        ) {
                            return <$model as $crate::__private::HookDispatch<__DeletableConnection>>::node(
                                plan, roots, node, batch_size, operation, conn,
                            );
                        }
                    )+
                    $crate::__private::set_based(plan, roots, node, operation, conn)
                }
            }
            $(
                impl $crate::__private::Registered for $model {
                    type Schema = __DeletableSchema;
                    const PLAN: &'static $crate::Plan = {
                        const REACH: $crate::__private::Reach<{ MODEL_COUNT }> =
                            $crate::__private::reach::<{ MODEL_COUNT }, { EDGE_COUNT }>(
                                MODELS,
                                &GRAPH,
                                $crate::__private::model_index(
                                    MODELS,
                                    &<$model as $crate::__private::Model>::META,
                                ),
                            );
                        const SIZES: $crate::__private::PlanSizes =
                            $crate::__private::plan_sizes(MODELS, &GRAPH, &REACH);
                        const NODES: (
                            [$crate::__private::Node; SIZES.nodes],
                            [$crate::__private::Via; SIZES.vias],
                        ) = $crate::__private::plan_graph::<
                            { MODEL_COUNT },
                            { EDGE_COUNT },
                            { SIZES.nodes },
                            { SIZES.vias },
                        >(MODELS, &GRAPH, &REACH);
                        const STEPS: [$crate::__private::Step; SIZES.steps] =
                            $crate::__private::plan_steps::<
                                { MODEL_COUNT },
                                { EDGE_COUNT },
                                { SIZES.steps },
                            >(MODELS, &GRAPH, &REACH);
                        &$crate::Plan {
                            models: MODELS,
                            nodes: &NODES.0,
                            vias: &NODES.1,
                            steps: &STEPS,
                        }
                    };
                }
            )+
        };
    };
}
