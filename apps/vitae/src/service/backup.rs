//! Backups of schema `vitae` with PostgreSQL's own tools: `pg_dump` in the custom format (compressed,
//! restorable table by table) and `pg_restore` in one transaction, so a failed restore leaves
//! the target as it was. Both run as the owner role.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::{Context, bail};
use tokio::process::Command;

/// `program` from `bin_dir`, or from PATH.
pub fn tool(bin_dir: Option<&Path>, program: &str) -> PathBuf {
    bin_dir.map_or_else(|| PathBuf::from(program), |dir| dir.join(program))
}

/// Dumps schema `vitae` (tables, data, indexes, policies, grants) of `owner_url`'s database.
pub async fn backup(bin_dir: Option<&Path>, owner_url: &str, out: &Path) -> anyhow::Result<u64> {
    let partial = out.with_extension("part");
    let status = Command::new(tool(bin_dir, "pg_dump"))
        .args(["--format=custom", "--schema=vitae", "--no-password", "--file"])
        .arg(&partial)
        .arg(format!("--dbname={owner_url}"))
        .stdin(Stdio::null())
        .status()
        .await
        .context("running pg_dump (set VITAE_PG_BIN_DIR when it is not on PATH)")?;
    if !status.success() {
        let _ = std::fs::remove_file(&partial);
        bail!("pg_dump failed ({status})");
    }
    // Only a complete dump takes the name: an interrupted backup never looks like a good one.
    std::fs::rename(&partial, out).with_context(|| format!("writing {}", out.display()))?;
    Ok(std::fs::metadata(out)?.len())
}

/// Restores a dump into `owner_url`'s database, which must not hold schema `vitae` yet (create it
/// from a template with the extensions: deploy/sql/extensions.sql).
pub async fn restore(bin_dir: Option<&Path>, owner_url: &str, file: &Path) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("no backup at {}", file.display());
    }
    let status = Command::new(tool(bin_dir, "pg_restore"))
        .args(["--single-transaction", "--exit-on-error", "--no-password"])
        .arg(format!("--dbname={owner_url}"))
        .arg(file)
        .stdin(Stdio::null())
        .status()
        .await
        .context("running pg_restore (set VITAE_PG_BIN_DIR when it is not on PATH)")?;
    if !status.success() {
        bail!("pg_restore failed ({status}); nothing was restored");
    }
    Ok(())
}
