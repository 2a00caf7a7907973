//! Compile-time behaviour, pinned with trybuild: every misuse is a compile error spanned on its
//! cause (`ui/*.rs` with the expected `.stderr`), and every valid form compiles (`pass/*.rs`).
//! The toolchain is pinned in `rust-toolchain.toml` so the messages stay stable.

#[test]
fn misuse_is_a_compile_error() {
    trybuild::TestCases::new().compile_fail("ui/*.rs");
}

#[test]
fn every_valid_form_compiles() {
    trybuild::TestCases::new().pass("pass/*.rs");
}
