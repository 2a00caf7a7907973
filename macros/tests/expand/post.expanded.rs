const _: () = {
    #[automatically_derived]
    impl ::deletable::__private::Model for Post {
        const TABLE: &'static str = <posts::table as ::deletable::__private::SqlTableName>::NAME;
        const META: ::deletable::__private::ModelMeta = ::deletable::__private::ModelMeta {
            name: ::core::stringify!(Post),
            table: <posts::table as ::deletable::__private::SqlTableName>::NAME,
            primary_key: &[<posts::id as ::deletable::__private::diesel::Column>::NAME],
            foreign_keys: &[
                ::deletable::__private::ForeignKey {
                    column: <posts::user_id as ::deletable::__private::diesel::Column>::NAME,
                    parent_table: ::deletable::__private::table_of::<User>(),
                    rule: ::deletable::__private::Rule::Cascade,
                    tree: false,
                    nullable: false,
                },
                ::deletable::__private::ForeignKey {
                    column: <posts::editor_id as ::deletable::__private::diesel::Column>::NAME,
                    parent_table: ::deletable::__private::table_of::<User>(),
                    rule: ::deletable::__private::Rule::SetNull,
                    tree: false,
                    nullable: true,
                },
                ::deletable::__private::ForeignKey {
                    column: <posts::category_id as ::deletable::__private::diesel::Column>::NAME,
                    parent_table: ::deletable::__private::table_of::<Category>(),
                    rule: ::deletable::__private::Rule::SetDefault({
                        fn default_value() -> ::deletable::__private::SqlValue {
                            let value: i32 = ::core::convert::Into::into(1);
                            ::deletable::__private::IntoSqlValue::into_sql_value(value)
                        }
                        default_value
                    }),
                    tree: false,
                    nullable: false,
                },
            ],
            hooks: ::core::option::Option::None,
            soft_delete: ::core::option::Option::None,
        };
    }
    #[automatically_derived]
    impl ::deletable::__private::Hooked for Post {
        type Hooks = ::deletable::__private::NoHooks;
    }
    #[automatically_derived]
    impl ::deletable::Deletable for Post {
        type Table = posts::table;
        type PrimaryKey = i32;
        type HookRow = Self;
        type KeyColumns = posts::id;
        fn plan() -> &'static ::deletable::Plan {
            <Self as ::deletable::__private::Registered>::registered_plan()
        }
        fn __primary_key(&self) -> Self::PrimaryKey {
            ::core::clone::Clone::clone(&self.id)
        }
    }
    #[automatically_derived]
    impl<__DeletableBackend> ::deletable::__private::BindKey<__DeletableBackend> for Post
    where
        __DeletableBackend: ::deletable::__private::diesel::backend::Backend + 'static,
        __DeletableBackend: ::deletable::__private::diesel::sql_types::HasSqlType<
            <posts::id as ::deletable::__private::diesel::Expression>::SqlType,
        >,
        i32: ::deletable::__private::diesel::serialize::ToSql<
                <posts::id as ::deletable::__private::diesel::Expression>::SqlType,
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
                            <posts::id as ::deletable::__private::diesel::Expression>::SqlType,
                            i32,
                        >(::core::clone::Clone::clone(key)),
                    ),
                );
        }
    }
};
