const _: () = {
    #[automatically_derived]
    impl ::deletable::__private::Model for Enrollment {
        const TABLE: &'static str = <crate::schema::enrollments::table as ::deletable::__private::SqlTableName>::NAME;
        const META: ::deletable::__private::ModelMeta = ::deletable::__private::ModelMeta {
            name: ::core::stringify!(Enrollment),
            table: <crate::schema::enrollments::table as ::deletable::__private::SqlTableName>::NAME,
            primary_key: &[
                <crate::schema::enrollments::student_id as ::deletable::__private::diesel::Column>::NAME,
                <crate::schema::enrollments::course as ::deletable::__private::diesel::Column>::NAME,
            ],
            foreign_keys: &[
                ::deletable::__private::ForeignKey {
                    column: <crate::schema::enrollments::student_id as ::deletable::__private::diesel::Column>::NAME,
                    parent_table: ::deletable::__private::table_of::<Student>(),
                    rule: ::deletable::__private::Rule::Cascade,
                    tree: false,
                    nullable: false,
                },
                ::deletable::__private::ForeignKey {
                    column: <crate::schema::enrollments::course as ::deletable::__private::diesel::Column>::NAME,
                    parent_table: ::deletable::__private::table_of::<Course>(),
                    rule: ::deletable::__private::Rule::Protect,
                    tree: false,
                    nullable: false,
                },
            ],
            hooks: ::core::option::Option::None,
            soft_delete: ::core::option::Option::None,
        };
    }
    #[automatically_derived]
    impl ::deletable::__private::Hooked for Enrollment {
        type Hooks = ::deletable::__private::NoHooks;
    }
    #[automatically_derived]
    impl ::deletable::Deletable for Enrollment {
        type Table = crate::schema::enrollments::table;
        type PrimaryKey = (i32, i64);
        type HookRow = Self;
        type KeyColumns = (
            crate::schema::enrollments::student_id,
            crate::schema::enrollments::course,
        );
        fn plan() -> &'static ::deletable::Plan {
            <Self as ::deletable::__private::Registered>::registered_plan()
        }
        fn __primary_key(&self) -> Self::PrimaryKey {
            (
                ::core::clone::Clone::clone(&self.student_id),
                ::core::clone::Clone::clone(&self.course_id),
            )
        }
    }
    #[automatically_derived]
    impl<__DeletableBackend> ::deletable::__private::BindKey<__DeletableBackend>
    for Enrollment
    where
        __DeletableBackend: ::deletable::__private::diesel::backend::Backend + 'static,
        __DeletableBackend: ::deletable::__private::diesel::sql_types::HasSqlType<
            <crate::schema::enrollments::student_id as ::deletable::__private::diesel::Expression>::SqlType,
        >,
        i32: ::deletable::__private::diesel::serialize::ToSql<
                <crate::schema::enrollments::student_id as ::deletable::__private::diesel::Expression>::SqlType,
                __DeletableBackend,
            > + ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync
            + 'static,
        __DeletableBackend: ::deletable::__private::diesel::sql_types::HasSqlType<
            <crate::schema::enrollments::course as ::deletable::__private::diesel::Expression>::SqlType,
        >,
        i64: ::deletable::__private::diesel::serialize::ToSql<
                <crate::schema::enrollments::course as ::deletable::__private::diesel::Expression>::SqlType,
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
                            <crate::schema::enrollments::student_id as ::deletable::__private::diesel::Expression>::SqlType,
                            i32,
                        >(::core::clone::Clone::clone(&key.0)),
                    ),
                );
            values
                .push(
                    ::deletable::__private::SqlValue::Typed(
                        ::deletable::__private::TypedValue::new::<
                            __DeletableBackend,
                            <crate::schema::enrollments::course as ::deletable::__private::diesel::Expression>::SqlType,
                            i64,
                        >(::core::clone::Clone::clone(&key.1)),
                    ),
                );
        }
    }
};
