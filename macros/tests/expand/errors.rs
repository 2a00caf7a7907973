#[derive(Deletable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i32,
    #[on_delete(set_null, references = User)]
    pub user_id: i32,
    #[on_delete(explode)]
    pub editor_id: Option<i32>,
}
