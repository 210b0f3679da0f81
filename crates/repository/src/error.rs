//! Errors of the repository layer. Constraint violations keep the constraint's name so the API can
//! map it to the field at fault; everything else is an internal error the caller logs.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum RepoError {
    #[error("not found")]
    NotFound,
    /// A unique constraint refused the write; `constraint` names it (see the migrations).
    #[error("unique constraint {constraint} violated")]
    Conflict { constraint: String },
    /// A check or foreign-key constraint refused the write.
    #[error("constraint {constraint} violated")]
    Constraint { constraint: String },
    /// The row changed since the version the caller read.
    #[error("version mismatch")]
    VersionMismatch,
    /// The database could not be reached (connection refused or lost, server shutting down).
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// Every pooled connection stayed in use for the whole acquire timeout: the database is
    /// fine, this process is saturated.
    #[error("no database connection free in time")]
    Busy,
    /// The transaction lost a deadlock or a serialization check to a concurrent one; running it
    /// again usually succeeds.
    #[error("contended: {0}")]
    Contended(#[source] sqlx::Error),
    /// A value is beyond what PostgreSQL can store (program_limit_exceeded, such as a tsvector
    /// over 1 MB).
    #[error("beyond a database limit: {0}")]
    TooLarge(#[source] sqlx::Error),
    /// A statement ran past `statement_timeout`.
    #[error("statement timed out")]
    Timeout,
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for RepoError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::WorkerCrashed => Self::Unavailable(error),
            sqlx::Error::Database(db) => {
                let constraint = db.constraint().unwrap_or_default().to_owned();
                match db.code().as_deref() {
                    Some("23505") => Self::Conflict { constraint },
                    Some("23514" | "23503" | "23502") => Self::Constraint { constraint },
                    Some("57014") => Self::Timeout,
                    // deadlock_detected, serialization_failure, lock_not_available
                    Some("40P01" | "40001" | "55P03") => Self::Contended(error),
                    Some("54000") => Self::TooLarge(error),
                    // admin_shutdown, crash_shutdown, cannot_connect_now: the server is going away.
                    Some("57P01" | "57P02" | "57P03") => Self::Unavailable(error),
                    _ => Self::Database(error),
                }
            }
            _ => Self::Database(error),
        }
    }
}

impl RepoError {
    /// An error of acquiring a connection from `pool`. A timeout with every connection open
    /// and in use means this process is saturated (`Busy`), not that the database is gone.
    pub fn on_acquire(pool: &sqlx::PgPool, error: sqlx::Error) -> Self {
        let saturated = pool.size() >= pool.options().get_max_connections() && pool.num_idle() == 0;
        match error {
            sqlx::Error::PoolTimedOut if saturated => Self::Busy,
            other => other.into(),
        }
    }
}

pub type RepoResult<T> = Result<T, RepoError>;
