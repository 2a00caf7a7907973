use deletable::Deletable;

mod schema {
    diesel::table! { users (id) { id -> Integer, } }
}

#[derive(Deletable)]
#[diesel(table_name = schema::users)]
pub struct User<T> {
    pub id: T,
}

fn main() {}
