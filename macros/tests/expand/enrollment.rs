#[derive(Deletable)]
#[diesel(table_name = crate::schema::enrollments, primary_key(student_id, course_id))]
#[diesel(belongs_to(Student), belongs_to(Course))]
pub struct Enrollment {
    #[on_delete(cascade)]
    pub student_id: i32,
    #[diesel(column_name = course)]
    #[on_delete(protect)]
    pub course_id: i64,
}
