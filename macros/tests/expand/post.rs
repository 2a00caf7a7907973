#[derive(Queryable, Selectable, Identifiable, Associations, Deletable)]
#[diesel(table_name = posts, belongs_to(User))]
pub struct Post {
    pub id: i32,
    #[on_delete(cascade)]
    pub user_id: i32,
    #[on_delete(set_null, references = User)]
    pub editor_id: Option<i32>,
    #[on_delete(set_default = 1, references = Category)]
    pub category_id: i32,
    pub title: String,
}
