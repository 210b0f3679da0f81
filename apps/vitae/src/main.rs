use std::process::ExitCode;

fn main() -> ExitCode {
    // candle splits every matrix product for RAYON_NUM_THREADS threads (default: all cores), but
    // the local embedder already runs one single-threaded worker per core (vitae_embed::local);
    // splitting again inside each worker costs about 20% of throughput.
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        // SAFETY: no other thread exists yet, so nothing can read the environment concurrently.
        #[allow(unsafe_code)]
        unsafe {
            std::env::set_var("RAYON_NUM_THREADS", "1");
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("vitae: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(vitae::cli::main())
}
