//! Vault benchmarks (written below).
fn main() {}
