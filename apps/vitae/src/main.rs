use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    vitae::cli::main().await
}
