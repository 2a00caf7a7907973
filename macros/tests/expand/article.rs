#[derive(Queryable, Selectable, Deletable)]
#[diesel(table_name = articles, belongs_to(Author))]
#[deletable(hooks, batch_size = 250)]
pub struct Article {
    pub id: i32,
    #[on_delete(cascade)]
    pub author_id: i32,
    #[soft_delete]
    pub deleted_at: Option<chrono::NaiveDateTime>,
}
