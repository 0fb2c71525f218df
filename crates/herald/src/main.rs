//! `herald`: the one binary. Serves the web UI and API, runs the workers, and carries the
//! administrative commands (migrate, users, tokens, backups).

mod cli;
mod config;
mod demo;
mod exchange;
mod media;
mod serve;
mod strategy;

use anyhow::Result;
use clap::Parser;

fn main() -> Result<()> {
    let args = cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(cli::run(args))
}
