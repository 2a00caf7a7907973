use deletable::Deletable;

mod schema {
    diesel::table! { memberships (user_id, group_id) { user_id -> Integer, group_id -> Integer, } }
    diesel::table! { badges (id) { id -> Integer, membership_id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = memberships, primary_key(user_id, group_id))]
pub struct Membership {
    pub user_id: i32,
    pub group_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = badges)]
pub struct Badge {
    pub id: i32,
    #[on_delete(cascade, references = Membership)]
    pub membership_id: i32,
}

deletable::schema!(Membership, Badge);

fn main() {}
