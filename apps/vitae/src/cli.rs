//! The `vitae` command line. `vitae` alone serves.

use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand};

use vitae_repository::migrate;

use crate::config::Config;
use crate::startup::{self, Application};
use crate::telemetry;

#[derive(Debug, Parser)]
#[command(name = "vitae", version, about = "Semantic profile search over PostgreSQL")]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Apply, revert or list schema migrations (runs as VITAE_OWNER_DATABASE_URL).
    Migrate {
        #[command(subcommand)]
        action: MigrateAction,
    },
    /// Print the effective configuration, secrets masked.
    Config,
}

#[derive(Debug, Subcommand)]
enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the newest migration, or down to a version.
    Down {
        /// Revert every migration newer than this version (0 reverts all).
        #[arg(long, conflicts_with = "all")]
        to: Option<i64>,
        /// Revert every migration.
        #[arg(long)]
        all: bool,
    },
    /// List migrations and whether each is applied.
    Status,
}

pub async fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("vitae: {error}");
            return ExitCode::from(78); // EX_CONFIG
        }
    };
    telemetry::init(config.log_format, &config.log_filter);
    match run(cli, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("vitae: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate { action } => migrate_command(config, action).await,
        Command::Config => {
            for line in config.masked_env_lines() {
                println!("{line}");
            }
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    app.run_until(shutdown_signal()).await
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}

async fn migrate_command(config: Config, action: MigrateAction) -> anyhow::Result<()> {
    let pools = startup::connect(&config)?;
    let Some(owner) = pools.owner else {
        bail!("VITAE_OWNER_DATABASE_URL is required: migrations run as the owner role");
    };
    match action {
        MigrateAction::Up => {
            migrate::up(&owner).await.context("applying migrations")?;
            println!("migrations are current (version {})", migrate::latest_version());
        }
        MigrateAction::Down { to, all } => {
            let mut conn = owner.acquire().await.context("connecting as the owner role")?;
            let applied: Vec<i64> = migrate::status(&mut conn)
                .await?
                .into_iter()
                .filter(|m| m.applied)
                .map(|m| m.version)
                .collect();
            drop(conn);
            let target = match (to, all) {
                (_, true) => 0,
                (Some(version), false) => version,
                // The newest applied one: down to the one before it.
                (None, false) => applied.iter().rev().nth(1).copied().unwrap_or(0),
            };
            migrate::down_to(&owner, target).await.context("reverting migrations")?;
            println!("reverted to version {target}");
        }
        MigrateAction::Status => {
            let mut conn = owner.acquire().await.context("connecting as the owner role")?;
            for m in migrate::status(&mut conn).await? {
                let state = match (m.applied, m.checksum_mismatch) {
                    (true, true) => "applied, but the file has changed since",
                    (true, false) => "applied",
                    (false, _) => "pending",
                };
                println!("{:04} {:<24} {state}", m.version, m.description);
            }
        }
    }
    owner.close().await;
    Ok(())
}
