//! The `herald` binary, run as a child process: its commands, its configuration layers, and
//! `serve` answering on a real socket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod crash_platforms;
mod exactly_once;
mod exchange;
