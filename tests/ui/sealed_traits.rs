// `DeleteConnection`, `AsyncDeleteConnection` and `Dialect` are implemented by `deletable` for
// every connection and backend it supports, and cannot be implemented outside it.

struct MyConnection;

impl deletable::DeleteConnection for MyConnection {}

impl deletable::AsyncDeleteConnection for MyConnection {}

struct MyBackend;

impl deletable::Dialect for MyBackend {}

fn main() {}
