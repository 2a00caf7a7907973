const _: () = {
    #[automatically_derived]
    impl ::deletable::__private::Model for Comment {
        const TABLE: &'static str = <comments::table as ::deletable::__private::SqlTableName>::NAME;
        const META: ::deletable::__private::ModelMeta = ::deletable::__private::ModelMeta {
            name: ::core::stringify!(Comment),
            table: <comments::table as ::deletable::__private::SqlTableName>::NAME,
            primary_key: &[
                <comments::id as ::deletable::__private::diesel::Column>::NAME,
            ],
            foreign_keys: &[
                ::deletable::__private::ForeignKey {
                    column: <comments::post_id as ::deletable::__private::diesel::Column>::NAME,
                    parent_table: ::deletable::__private::table_of::<Post>(),
                    rule: ::deletable::__private::Rule::Cascade,
                    tree: false,
                    nullable: false,
                },
                ::deletable::__private::ForeignKey {
                    column: <comments::parent_id as ::deletable::__private::diesel::Column>::NAME,
                    parent_table: ::deletable::__private::table_of::<Self>(),
                    rule: ::deletable::__private::Rule::Cascade,
                    tree: true,
                    nullable: true,
                },
            ],
            hooks: ::core::option::Option::None,
            soft_delete: ::core::option::Option::None,
        };
    }
    #[automatically_derived]
    impl ::deletable::__private::Hooked for Comment {
        type Hooks = ::deletable::__private::NoHooks;
    }
    #[automatically_derived]
    impl ::deletable::Deletable for Comment {
        type Table = comments::table;
        type PrimaryKey = i64;
        type HookRow = Self;
        type KeyColumns = comments::id;
        fn plan() -> &'static ::deletable::Plan {
            <Self as ::deletable::__private::Registered>::registered_plan()
        }
        fn __primary_key(&self) -> Self::PrimaryKey {
            ::core::clone::Clone::clone(&self.id)
        }
    }
    #[automatically_derived]
    impl<__DeletableBackend> ::deletable::__private::BindKey<__DeletableBackend>
    for Comment
    where
        __DeletableBackend: ::deletable::__private::diesel::backend::Backend + 'static,
        __DeletableBackend: ::deletable::__private::diesel::sql_types::HasSqlType<
            <comments::id as ::deletable::__private::diesel::Expression>::SqlType,
        >,
        i64: ::deletable::__private::diesel::serialize::ToSql<
                <comments::id as ::deletable::__private::diesel::Expression>::SqlType,
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
                            <comments::id as ::deletable::__private::diesel::Expression>::SqlType,
                            i64,
                        >(::core::clone::Clone::clone(key)),
                    ),
                );
        }
    }
};
