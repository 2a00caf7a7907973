const _: () = {
    #[automatically_derived]
    impl ::deletable::__private::Model for Article {
        const TABLE: &'static str = <articles::table as ::deletable::__private::SqlTableName>::NAME;
        const META: ::deletable::__private::ModelMeta = ::deletable::__private::ModelMeta {
            name: ::core::stringify!(Article),
            table: <articles::table as ::deletable::__private::SqlTableName>::NAME,
            primary_key: &[
                <articles::id as ::deletable::__private::diesel::Column>::NAME,
            ],
            foreign_keys: &[
                ::deletable::__private::ForeignKey {
                    column: <articles::author_id as ::deletable::__private::diesel::Column>::NAME,
                    parent_table: ::deletable::__private::table_of::<Author>(),
                    rule: ::deletable::__private::Rule::Cascade,
                    tree: false,
                    nullable: false,
                },
            ],
            hooks: ::core::option::Option::Some(250usize),
            soft_delete: ::core::option::Option::Some(::deletable::__private::SoftDeleteColumn {
                column: <articles::deleted_at as ::deletable::__private::diesel::Column>::NAME,
                kind: ::deletable::__private::SoftDeleteKind::Timestamp(
                    <<articles::deleted_at as ::deletable::__private::diesel::expression::Expression>::SqlType as ::deletable::__private::SoftDeleteTimestamp>::TYPE,
                ),
            }),
        };
    }
    #[automatically_derived]
    impl ::deletable::__private::Hooked for Article {
        type Hooks = ::deletable::__private::WithHooks<
            Article,
            ::deletable::__private::WholeRows,
        >;
    }
    #[automatically_derived]
    impl ::deletable::SoftDelete for Article {
        type Active = ::deletable::__private::diesel::dsl::Filter<
            articles::table,
            ::deletable::__private::diesel::dsl::IsNull<articles::deleted_at>,
        >;
        type OnlyDeleted = ::deletable::__private::diesel::dsl::Filter<
            articles::table,
            ::deletable::__private::diesel::dsl::IsNotNull<articles::deleted_at>,
        >;
        type Cutoff = chrono::NaiveDateTime;
        type PurgeFilter = ::deletable::__private::diesel::dsl::Lt<
            articles::deleted_at,
            chrono::NaiveDateTime,
        >;
        fn active() -> Self::Active {
            ::deletable::__private::diesel::QueryDsl::filter(
                articles::table,
                ::deletable::__private::diesel::ExpressionMethods::is_null(
                    articles::deleted_at,
                ),
            )
        }
        fn only_deleted() -> Self::OnlyDeleted {
            ::deletable::__private::diesel::QueryDsl::filter(
                articles::table,
                ::deletable::__private::diesel::ExpressionMethods::is_not_null(
                    articles::deleted_at,
                ),
            )
        }
        fn purge_filter(older_than: Self::Cutoff) -> Self::PurgeFilter {
            ::deletable::__private::diesel::ExpressionMethods::lt(
                articles::deleted_at,
                older_than,
            )
        }
    }
    #[automatically_derived]
    impl ::deletable::Deletable for Article {
        type Table = articles::table;
        type PrimaryKey = i32;
        type HookRow = Self;
        type KeyColumns = articles::id;
        fn plan() -> &'static ::deletable::Plan {
            <Self as ::deletable::__private::Registered>::registered_plan()
        }
        fn __primary_key(&self) -> Self::PrimaryKey {
            ::core::clone::Clone::clone(&self.id)
        }
    }
    #[automatically_derived]
    impl<__DeletableBackend> ::deletable::__private::BindKey<__DeletableBackend>
    for Article
    where
        __DeletableBackend: ::deletable::__private::diesel::backend::Backend + 'static,
        __DeletableBackend: ::deletable::__private::diesel::sql_types::HasSqlType<
            <articles::id as ::deletable::__private::diesel::Expression>::SqlType,
        >,
        i32: ::deletable::__private::diesel::serialize::ToSql<
                <articles::id as ::deletable::__private::diesel::Expression>::SqlType,
                __DeletableBackend,
            > + ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync
            + 'static,
    {
        fn bind_key(
            key: &<Self as ::deletable::Deletable>::PrimaryKey,
            values: &mut ::std::vec::Vec<::deletable::__private::SqlValue>,
        ) {
            values
                .push(
                    ::deletable::__private::SqlValue::Typed(
                        ::deletable::__private::TypedValue::new::<
                            __DeletableBackend,
                            <articles::id as ::deletable::__private::diesel::Expression>::SqlType,
                            i32,
                        >(::core::clone::Clone::clone(key)),
                    ),
                );
        }
    }
};
