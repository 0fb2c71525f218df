//! Herald's web layer, tested through real HTTP against a server bound to port 0 with its
//! own fresh database (SQLite file, or PostgreSQL when `HERALD_TEST_POSTGRES_URL` is set).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod api_walk;
mod bad_input;
mod browser;
mod calendar;
mod compose;
mod exchange_api;
mod isolation;
mod mail;
mod plan_api;
mod plan_ui;
mod publishing_api;
mod strategy;
mod tasks;
mod ui;
mod ui_exchange;
mod workflow;
