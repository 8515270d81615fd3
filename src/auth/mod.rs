//! Authentication: who is calling. `middleware` checks the bearer token on every `/api/v1`
//! request and leaves a `Caller` for the handlers; `token` verifies and signs JWTs; `keys`
//! says which key; `secret` keeps the generated HS256 secret that makes
//! `cargo run --release` work without one.

pub mod caller;
pub mod keys;
pub mod middleware;
pub mod secret;
pub mod token;
