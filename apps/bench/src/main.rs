//! `vitae-bench`: prints figures, asserts nothing. Each benchmark measures the service and, in
//! the same run, the floor beneath it (the model called directly, the SQL run directly), and
//! reports both.
//!
//!   vitae-bench embed                    local model latency and throughput
//!   vitae-bench import [--profiles N]    profiles per second through POST /v1/profiles:import
//!   vitae-bench search [--profiles N]    search per mode at 1/2/8 clients, recall, filtered pages

mod embed;
mod import;
mod indexes;
mod population;
mod search;
mod server;
mod stats;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "vitae-bench", about = "Benchmarks that print figures")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Local model: single-query latency and batch throughput (~60-token sentences).
    Embed(embed::Args),
    /// End-to-end import throughput through the HTTP API with the local model.
    Import(import::Args),
    /// Search latency, throughput, recall and filtered page fullness at scale, against raw SQL.
    Search(search::Args),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Embed(args) => embed::run(args).await,
            Command::Import(args) => import::run(args).await,
            Command::Search(args) => search::run(args).await,
        }
    })
}
