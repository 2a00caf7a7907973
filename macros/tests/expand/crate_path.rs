/// A model whose crate reaches `deletable` through a facade.
#[derive(Deletable)]
#[diesel(table_name = posts)]
#[deletable(crate = app::db::deletable, hooks)]
pub struct Post {
    pub id: i32,
    #[on_delete(cascade, references = User)]
    pub user_id: i32,
    #[soft_delete]
    pub deleted_at: Option<chrono::NaiveDateTime>,
}
