//! `stdin-min` is built exactly as `hookwatch` is (see
//! crates/hookwatch/build_pie.rs).

include!("../hookwatch/build_pie.rs");

fn main() {
    link_without_pie();
}
