::core::compile_error! {
    "unknown on_delete option `explode`\nhelp: the actions are `cascade`, `protect`, `restrict`, `set_null`, `set_default = <value>`, `do_nothing`; the options are `references = <Model>` and `tree`"
}
::core::compile_error! {
    "`set_null` needs a nullable foreign key, but `user_id` is `i32`\nhelp: make the field `Option<i32>` (and the column `Nullable`), or choose another action"
}
const _: () = {
    const _: posts::table = posts::table;
    #[automatically_derived]
    impl ::deletable::__private::Model for Post {
        const TABLE: &'static str = "posts";
        const META: ::deletable::__private::ModelMeta = ::deletable::__private::ModelMeta {
            name: ::core::stringify!(Post),
            table: "posts",
            primary_key: &[],
            foreign_keys: &[],
            hooks: ::core::option::Option::None,
            soft_delete: ::core::option::Option::None,
        };
    }
    #[automatically_derived]
    impl ::deletable::__private::Hooked for Post {
        type Hooks = ::deletable::__private::NoHooks;
    }
};
