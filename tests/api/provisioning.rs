//! `scripts/dev-db`: idempotent start, one server, data kept across stop and start. Runs a second
//! server in its own folder on its own port, so it never disturbs the one the other tests use.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use vitae_tests::pg_tools::repo_root;

struct ScratchServer {
    dir: PathBuf,
    port: u16,
}

impl ScratchServer {
    fn new() -> Self {
        let port = TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port();
        let dir = std::env::temp_dir().join(format!("vitae-provisioning-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Self { dir, port }
    }

    fn dev_db(&self, args: &[&str]) -> Output {
        Command::new(repo_root().join("scripts/dev-db"))
            .args(args)
            .env("VITAE_DEV_LOCAL_DIR", &self.dir)
            .env("VITAE_DEV_PG_PORT", self.port.to_string())
            // Reuse the wheel the main server was installed from.
            .env("VITAE_DEV_DOWNLOADS_DIR", repo_root().join(".local/downloads"))
            .output()
            .expect("running scripts/dev-db")
    }

    fn ok(&self, args: &[&str]) -> String {
        let output = self.dev_db(args);
        assert!(
            output.status.success(),
            "dev-db {args:?} failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    fn psql(&self, sql: &str) -> String {
        let psql = Path::new(&self.ok(&["bin"])).join("psql");
        let output = Command::new(psql)
            .args(["-X", "-tA", "-v", "ON_ERROR_STOP=1", "-c", sql, &self.ok(&["url", "super", "vitae"])])
            .output()
            .expect("running psql");
        assert!(output.status.success(), "psql: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// Postmasters serving this scratch data folder (their command line names it; children's don't).
    fn postmasters(&self) -> usize {
        let data = self.dir.join("postgres/data");
        let mut count = 0;
        for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            let args: Vec<&[u8]> = cmdline.split(|b| *b == 0).collect();
            let serves_ours =
                args.windows(2).any(|w| w[0] == b"-D" && Path::new(std::str::from_utf8(w[1]).unwrap_or_default()) == data);
            if serves_ours && args.first().is_some_and(|a| a.ends_with(b"postgres")) {
                count += 1;
            }
        }
        count
    }
}

impl Drop for ScratchServer {
    fn drop(&mut self) {
        let _ = self.dev_db(&["stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn starting_twice_leaves_one_server_and_stop_then_start_keeps_the_data() {
    let server = ScratchServer::new();
    server.ok(&["start"]);
    server.ok(&["start"]);
    assert_eq!(server.postmasters(), 1, "start twice must leave exactly one server");
    assert!(server.ok(&["status"]).starts_with("running"));
    assert_eq!(server.psql("select extversion from pg_extension where extname = 'vector'"), "0.8.6");
    assert_eq!(server.psql("show shared_preload_libraries"), "pg_stat_statements");
    assert_eq!(server.psql("select current_setting('server_version_num')::int / 10000"), "18");

    server.psql("create table kept (word text); insert into kept values ('still here')");
    server.ok(&["stop"]);
    assert_eq!(server.postmasters(), 0);
    assert!(!server.dev_db(&["status"]).status.success(), "status reports a stopped server");
    server.ok(&["stop"]);

    server.ok(&["start"]);
    assert_eq!(server.psql("select word from kept"), "still here");
}

#[test]
fn a_stale_pid_file_left_by_a_crash_does_not_stop_a_start() {
    let server = ScratchServer::new();
    server.ok(&["start"]);
    let pid_file = server.dir.join("postgres/data/postmaster.pid");
    let pid = std::fs::read_to_string(&pid_file).expect("pid file");
    let pid = pid.lines().next().expect("pid line").to_owned();
    // Kill the whole server without letting it clean up, as a crash or power loss would.
    let _ = Command::new("pkill").args(["-KILL", "-P", &pid]).status();
    let _ = Command::new("kill").args(["-KILL", &pid]).status();
    for _ in 0..50 {
        if server.postmasters() == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(pid_file.exists(), "the crash leaves its pid file behind");
    server.ok(&["start"]);
    assert_eq!(server.postmasters(), 1);
    assert_eq!(server.psql("select 1"), "1");
}
