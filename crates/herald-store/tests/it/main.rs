//! The storage conformance story, run against SQLite always and against PostgreSQL when
//! `HERALD_TEST_POSTGRES_URL` names a server (each run gets a fresh database there).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backends;
mod calendar;
mod evergreen;
mod exchange;
mod plans;
mod publishing;
mod story;
mod strategy;
mod tasks;
mod workflow;
