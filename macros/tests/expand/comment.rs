#[derive(Deletable)]
#[diesel(table_name = comments, belongs_to(Post))]
pub struct Comment {
    pub id: i64,
    #[on_delete(cascade)]
    pub post_id: i32,
    #[on_delete(cascade, tree, references = Self)]
    pub parent_id: Option<i64>,
}
