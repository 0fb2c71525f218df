//! The publisher against a real store (SQLite) and the local test platform's fake server:
//! each fault the platforms produce, and what the delivery state machine makes of it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod faults;
mod wake;
