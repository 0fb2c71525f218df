//! Cold start and idle memory of `herald serve`, as a report.
//!
//! `cargo bench -p herald --bench startup` builds the release binary and, for each run,
//! starts `herald serve` on a fresh data folder (first start: creates the SQLite database,
//! runs the migrations, generates the secret key) and on an existing one (restart), timing
//! from spawn to the first 200 from `/healthz`. It then leaves one server idle for two
//! seconds and reads its resident memory from /proc. In the same run it times
//! `herald --version` (spawn, dynamic loading, exit), the floor any start pays on this machine.
//!
//! Goals: start under 150 ms, idle resident memory under 30 MB.

#![allow(clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_herald");
const RUNS: usize = 15;
const START_GOAL_MS: f64 = 150.0;
const RSS_GOAL_MB: f64 = 30.0;

fn main() {
    // `cargo bench` passes --bench; honour a filter-less run only.
    let base = std::env::temp_dir().join(format!("herald-bench-startup-{}", std::process::id()));
    std::fs::create_dir_all(&base).expect("temp dir");

    let mut floor = vec![];
    for _ in 0..RUNS {
        let t = Instant::now();
        let ok = Command::new(BIN)
            .arg("--version")
            .stdout(Stdio::null())
            .status()
            .expect("run herald --version");
        assert!(ok.success());
        floor.push(ms(t.elapsed()));
    }

    let mut first = vec![];
    let mut restart = vec![];
    for i in 0..RUNS {
        let dir = base.join(format!("run{i}"));
        let (t, child) = start(&dir);
        first.push(t);
        stop(child);
        let (t, child) = start(&dir);
        restart.push(t);
        stop(child);
    }

    let (_, child) = start(&base.join("idle"));
    std::thread::sleep(Duration::from_secs(2));
    let (rss, hwm) = memory(child.id());
    stop(child);
    let _ = std::fs::remove_dir_all(&base);

    let p = |v: &mut Vec<f64>, q: f64| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[((v.len() - 1) as f64 * q).round() as usize]
    };
    println!("herald startup report ({RUNS} runs each, release build)");
    println!(
        "  floor: `herald --version` spawn+exit   p50 {:7.1} ms  max {:7.1} ms",
        p(&mut floor, 0.5),
        p(&mut floor, 1.0)
    );
    for (name, v) in [
        ("first start (empty data folder)", &mut first),
        ("restart (existing database)", &mut restart),
    ] {
        let p50 = p(v, 0.5);
        let max = p(v, 1.0);
        println!(
            "  {name:<34} p50 {p50:7.1} ms  max {max:7.1} ms  -> p50 is {:.2} x the {START_GOAL_MS} ms goal {}",
            p50 / START_GOAL_MS,
            if max < START_GOAL_MS { "(every run under the goal)" } else { "(NOT every run under the goal)" }
        );
    }
    println!(
        "  idle resident memory after 2 s: {rss:.1} MB (peak {hwm:.1} MB) -> {:.2} x the {RSS_GOAL_MB} MB goal {}",
        rss / RSS_GOAL_MB,
        if rss < RSS_GOAL_MB { "(met)" } else { "(NOT met)" }
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Starts a server in `dir` and returns the time to its first 200 from /healthz.
// The child goes back to the caller, which stops and waits for it.
#[allow(clippy::zombie_processes)]
fn start(dir: &std::path::Path) -> (f64, Child) {
    let t = Instant::now();
    let mut child = Command::new(BIN)
        .args([
            "--data-dir",
            dir.to_str().expect("utf-8 path"),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("HERALD_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn herald serve");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    let addr = loop {
        line.clear();
        assert!(
            reader.read_line(&mut line).expect("read stdout") > 0,
            "herald exited before listening"
        );
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split_whitespace().next().expect("address").to_string();
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = reader.read_to_end(&mut sink);
    });
    loop {
        if healthz(&addr) {
            return (ms(t.elapsed()), child);
        }
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "no 200 from /healthz"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn healthz(addr: &str) -> bool {
    let Ok(mut s) = TcpStream::connect(addr) else {
        return false;
    };
    let req = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if s.write_all(req.as_bytes()).is_err() {
        return false;
    }
    let mut buf = [0u8; 12];
    s.read_exact(&mut buf).is_ok() && &buf[9..12] == b"200"
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// VmRSS and VmHWM of a process, in MB (Linux).
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or(f64::NAN)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
