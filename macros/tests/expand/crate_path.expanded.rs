const _: () = {
    #[automatically_derived]
    impl app::db::deletable::__private::Model for Post {
        const TABLE: &'static str = <posts::table as app::db::deletable::__private::SqlTableName>::NAME;
        const META: app::db::deletable::__private::ModelMeta = app::db::deletable::__private::ModelMeta {
            name: ::core::stringify!(Post),
            table: <posts::table as app::db::deletable::__private::SqlTableName>::NAME,
            primary_key: &[
                <posts::id as app::db::deletable::__private::diesel::Column>::NAME,
            ],
            foreign_keys: &[
                app::db::deletable::__private::ForeignKey {
                    column: <posts::user_id as app::db::deletable::__private::diesel::Column>::NAME,
                    parent_table: app::db::deletable::__private::table_of::<User>(),
                    rule: app::db::deletable::__private::Rule::Cascade,
                    tree: false,
                    nullable: false,
                },
            ],
            hooks: ::core::option::Option::Some(1000usize),
            soft_delete: ::core::option::Option::Some(app::db::deletable::__private::SoftDeleteColumn {
                column: <posts::deleted_at as app::db::deletable::__private::diesel::Column>::NAME,
                kind: app::db::deletable::__private::SoftDeleteKind::Timestamp(
                    <<posts::deleted_at as app::db::deletable::__private::diesel::expression::Expression>::SqlType as app::db::deletable::__private::SoftDeleteTimestamp>::TYPE,
                ),
            }),
        };
    }
    #[automatically_derived]
    impl app::db::deletable::__private::Hooked for Post {
        type Hooks = app::db::deletable::__private::WithHooks<
            Post,
            app::db::deletable::__private::WholeRows,
        >;
    }
    #[automatically_derived]
    impl app::db::deletable::SoftDelete for Post {
        type Active = app::db::deletable::__private::diesel::dsl::Filter<
            posts::table,
            app::db::deletable::__private::diesel::dsl::IsNull<posts::deleted_at>,
        >;
        type OnlyDeleted = app::db::deletable::__private::diesel::dsl::Filter<
            posts::table,
            app::db::deletable::__private::diesel::dsl::IsNotNull<posts::deleted_at>,
        >;
        type Cutoff = chrono::NaiveDateTime;
        type PurgeFilter = app::db::deletable::__private::diesel::dsl::Lt<
            posts::deleted_at,
            chrono::NaiveDateTime,
        >;
        fn active() -> Self::Active {
            app::db::deletable::__private::diesel::QueryDsl::filter(
                posts::table,
                app::db::deletable::__private::diesel::ExpressionMethods::is_null(
                    posts::deleted_at,
                ),
            )
        }
        fn only_deleted() -> Self::OnlyDeleted {
            app::db::deletable::__private::diesel::QueryDsl::filter(
                posts::table,
                app::db::deletable::__private::diesel::ExpressionMethods::is_not_null(
                    posts::deleted_at,
                ),
            )
        }
        fn purge_filter(older_than: Self::Cutoff) -> Self::PurgeFilter {
            app::db::deletable::__private::diesel::ExpressionMethods::lt(
                posts::deleted_at,
                older_than,
            )
        }
    }
    #[automatically_derived]
    impl app::db::deletable::Deletable for Post {
        type Table = posts::table;
        type PrimaryKey = i32;
        type HookRow = Self;
        type KeyColumns = posts::id;
        fn plan() -> &'static app::db::deletable::Plan {
            <Self as app::db::deletable::__private::Registered>::registered_plan()
        }
        fn __primary_key(&self) -> Self::PrimaryKey {
            ::core::clone::Clone::clone(&self.id)
        }
    }
    #[automatically_derived]
    impl<__DeletableBackend> app::db::deletable::__private::BindKey<__DeletableBackend>
    for Post
    where
        __DeletableBackend: app::db::deletable::__private::diesel::backend::Backend
            + 'static,
        __DeletableBackend: app::db::deletable::__private::diesel::sql_types::HasSqlType<
            <posts::id as app::db::deletable::__private::diesel::Expression>::SqlType,
        >,
        i32: app::db::deletable::__private::diesel::serialize::ToSql<
                <posts::id as app::db::deletable::__private::diesel::Expression>::SqlType,
                __DeletableBackend,
            > + ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync
            + 'static,
    {
        fn bind_key(
            key: &<Self as app::db::deletable::Deletable>::PrimaryKey,
            values: &mut ::std::vec::Vec<app::db::deletable::__private::SqlValue>,
        ) {
            values
                .push(
                    app::db::deletable::__private::SqlValue::Typed(
                        app::db::deletable::__private::TypedValue::new::<
                            __DeletableBackend,
                            <posts::id as app::db::deletable::__private::diesel::Expression>::SqlType,
                            i32,
                        >(::core::clone::Clone::clone(key)),
                    ),
                );
        }
    }
};
