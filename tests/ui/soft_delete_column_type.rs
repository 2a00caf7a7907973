use deletable::Deletable;

mod schema {
    diesel::table! { notes (id) { id -> Integer, deleted_at -> Nullable<Text>, } }
}
use schema::*;

// A timestamp field over a text column: a mark written as text could not be compared as an
// instant, so the column's SQL type must be a timestamp type.
#[derive(Deletable)]
#[diesel(table_name = notes)]
pub struct Note {
    pub id: i32,
    #[soft_delete]
    pub deleted_at: Option<chrono::NaiveDateTime>,
}

deletable::schema!(Note);

fn main() {}
