//! Authentication: JWT verification and issuing (`token.rs`) and the signing secret that
//! makes `cargo run --release` work without a key (`secret.rs`).

pub mod secret;
pub mod token;
