//! `herald user add`, `token create`, `backup`, `migrate`, configuration layers, and `serve`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_herald");

fn herald(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir);
    for (k, _) in std::env::vars() {
        if k.starts_with("HERALD_") {
            c.env_remove(k);
        }
    }
    c
}

fn run_with_stdin(mut cmd: Command, input: &str) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn user_token_backup_and_migrate() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    let mut add = herald(dir);
    add.args([
        "--data-dir",
        "d",
        "user",
        "add",
        "Anna@Example.com",
        "--password-stdin",
        "--admin",
    ]);
    let out = run_with_stdin(add, "correct horse battery\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        dir.join("d/herald.db").exists(),
        "SQLite in the data folder by default"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            std::fs::metadata(dir.join("d/secret.key")).map(|m| m.permissions().mode() & 0o777);
        // The key is created by commands that need it; user add does not.
        assert!(mode.is_err() || mode.unwrap() == 0o600);
    }

    // A short password names the field; nothing is created.
    let mut bad = herald(dir);
    bad.args([
        "--data-dir",
        "d",
        "user",
        "add",
        "b@example.com",
        "--password-stdin",
    ]);
    let out = run_with_stdin(bad, "short\n");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("password"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A duplicate (any case) is refused.
    let mut dup = herald(dir);
    dup.args([
        "--data-dir",
        "d",
        "user",
        "add",
        "anna@EXAMPLE.com",
        "--password-stdin",
    ]);
    assert!(!run_with_stdin(dup, "correct horse battery\n")
        .status
        .success());

    // token create prints only the token.
    let out = herald(dir)
        .args([
            "--data-dir",
            "d",
            "token",
            "create",
            "anna@example.com",
            "--name",
            "ci",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(
        lines[0].starts_with("hld_") && lines[0].len() == 47,
        "{stdout}"
    );
    let out = herald(dir)
        .args(["--data-dir", "d", "token", "create", "nobody@example.com"])
        .output()
        .unwrap();
    assert!(!out.status.success());

    // backup writes an openable copy and refuses to overwrite.
    let out = herald(dir)
        .args(["--data-dir", "d", "backup", "copy.db"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = herald(dir)
        .args([
            "--database-url",
            "sqlite://copy.db",
            "token",
            "create",
            "anna@example.com",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the backup holds the user: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = herald(dir)
        .args(["--data-dir", "d", "backup", "copy.db"])
        .output()
        .unwrap();
    assert!(!out.status.success());

    let out = herald(dir)
        .args(["--data-dir", "d", "migrate"])
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn configuration_layers_and_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // herald.toml in the working directory sets the data folder...
    std::fs::write(dir.join("herald.toml"), "data_dir = \"from-file\"\n").unwrap();
    let out = herald(dir).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("from-file/herald.db").exists());
    // ...the environment overrides the file...
    let out = herald(dir)
        .arg("migrate")
        .env("HERALD_DATA_DIR", "from-env")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(dir.join("from-env/herald.db").exists());
    // ...and a flag overrides both.
    let out = herald(dir)
        .args(["--data-dir", "from-flag", "migrate"])
        .env("HERALD_DATA_DIR", "from-env")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(dir.join("from-flag/herald.db").exists());

    // A typo in the file is named.
    std::fs::write(dir.join("herald.toml"), "data_dri = \"x\"\n").unwrap();
    let out = herald(dir).arg("migrate").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("data_dri"), "{err}");
    std::fs::remove_file(dir.join("herald.toml")).unwrap();

    // Bad values name their setting.
    let out = herald(dir)
        .arg("migrate")
        .env("HERALD_DATABASE_URL", "mysql://x")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
    let out = herald(dir)
        .args(["serve"])
        .env("HERALD_SECRET_KEY", "abc")
        .env("HERALD_LISTEN", "127.0.0.1:0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("secret_key"));
}

/// Waits for a line containing `needle` on the child's stdout.
fn wait_for_line(child: &mut std::process::Child, needle: &str) -> String {
    use std::io::BufRead;
    let stdout = child.stdout.take().unwrap();
    let mut reader = std::io::BufReader::new(stdout);
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut line = String::new();
    while Instant::now() < deadline {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if line.contains(needle) {
            return line;
        }
    }
    panic!("no line with '{needle}'");
}

#[tokio::test]
async fn serve_answers_and_stops_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = herald(tmp.path())
        .args(["--data-dir", "d", "serve", "--listen", "127.0.0.1:0"])
        .env("HERALD_SECRET_KEY", "ab".repeat(32))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = wait_for_line(&mut child, "listening on");
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    let health: serde_json::Value = reqwest::get(format!("{url}/healthz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    let ready = reqwest::get(format!("{url}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    let metrics = reqwest::get(format!("{url}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("herald_http_requests_total"), "{metrics}");
    assert!(
        !tmp.path().join("d/secret.key").exists(),
        "a configured key is not written to disk"
    );

    #[cfg(unix)]
    {
        let pid = child.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "clean exit on SIGTERM: {status}");
                break;
            }
            assert!(Instant::now() < deadline, "did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    #[cfg(not(unix))]
    child.kill().unwrap();
}

#[test]
fn text_check_counts_like_the_platform() {
    let tmp = tempfile::tempdir().unwrap();
    let check = |platform: &str, extra: &[&str], text: &str| {
        let mut cmd = herald(tmp.path());
        cmd.args(["text", "check", "--platform", platform])
            .args(extra);
        let out = run_with_stdin(cmd, text);
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    // A family emoji is one ZWJ sequence: weight 2 on X; " hello" is 6.
    let (ok, out, _) = check("x", &[], "👨‍👩‍👧‍👦 hello\n");
    assert!(ok);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["platform"], "x");
    assert_eq!(v["length"], 8);
    assert_eq!(v["limit"], 280);
    assert_eq!(v["ok"], true);
    assert_eq!(v["unit"], "weighted");
    assert_eq!(out.trim().lines().count(), 1, "one JSON object");
    // Telegram counts UTF-16 units; a caption has 1,024.
    let (_, out, _) = check("telegram", &["--caption"], &"😀".repeat(513));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["length"].as_u64(), v["limit"].as_u64(), v["ok"].as_bool()),
        (Some(1026), Some(1024), Some(false))
    );
    // Bluesky: 300 graphemes.
    let (_, out, _) = check("bluesky", &[], &"é".repeat(301));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["length"].as_u64(), v["ok"].as_bool(), v["unit"].as_str()),
        (Some(301), Some(false), Some("graphemes"))
    );
    // An unknown platform names the valid ones.
    let (ok, _, err) = check("myspace", &[], "hi");
    assert!(!ok);
    assert!(err.contains("vk") && err.contains("tiktok"), "{err}");
}

#[test]
fn demo_creates_a_workspace_with_a_week_of_posts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = herald(tmp.path())
        .args(["--data-dir", "d", "demo"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("demo@example.com") && text.contains("password"),
        "{text}"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = herald_store::connect(&format!(
            "sqlite://{}",
            tmp.path().join("d/herald.db").display()
        ))
        .await
        .unwrap();
        let user = store
            .user_by_email(&herald_domain::Email::parse("demo@example.com").unwrap())
            .await
            .unwrap()
            .unwrap();
        let (ws, _) = store.workspaces_of(user.id).await.unwrap().remove(0);
        assert_eq!(store.channels(ws.id).await.unwrap().len(), 2);
        let now = chrono::Utc::now();
        let posts = store
            .posts(ws.id, now, now + chrono::Duration::days(9), false)
            .await
            .unwrap();
        assert!(
            (12..=14).contains(&posts.len()),
            "a week, twice a day: {}",
            posts.len()
        );
        assert!(posts
            .iter()
            .all(|p| p.channels.len() == 2 && p.scheduled_at.unwrap() > now));
    });
}

#[test]
fn text_classify_prints_one_json_object() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = herald(tmp.path());
    cmd.args(["text", "classify"]);
    let out = run_with_stdin(cmd, "Подскажите, пожалуйста, где мой заказ\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim().lines().count(),
        1,
        "one JSON object: {stdout}"
    );
    assert!(
        stdout.starts_with(r#"{"language":"ru","is_question":true,"#),
        "{stdout}"
    );
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["sentiment"], "neutral");

    let mut cmd = herald(tmp.path());
    cmd.args(["text", "classify"]);
    let out = run_with_stdin(cmd, "What a great day at the gym! 😍");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            v["language"].as_str(),
            v["is_question"].as_bool(),
            v["sentiment"].as_str()
        ),
        (Some("en"), Some(false), Some("positive"))
    );
}

#[test]
fn strategy_brief_writes_html_and_pdf() {
    let tmp = tempfile::tempdir().unwrap();
    let out = herald(tmp.path())
        .args(["--data-dir", "d", "demo"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ws = rt.block_on(async {
        let store = herald_store::connect(&format!(
            "sqlite://{}",
            tmp.path().join("d/herald.db").display()
        ))
        .await
        .unwrap();
        let user = store
            .user_by_email(&herald_domain::Email::parse("demo@example.com").unwrap())
            .await
            .unwrap()
            .unwrap();
        let (ws, _) = store.workspaces_of(user.id).await.unwrap().remove(0);
        let persona =
            herald_domain::strategy::PersonaDraft::parse(herald_domain::strategy::PersonaDraft {
                name: "Анна".into(),
                ..Default::default()
            })
            .unwrap();
        store
            .create_persona(ws.id, &persona, chrono::Utc::now())
            .await
            .unwrap();
        ws.id.0.to_string()
    });
    for (format, file) in [("html", "brief.html"), ("pdf", "brief.pdf")] {
        let out = herald(tmp.path())
            .args([
                "--data-dir",
                "d",
                "strategy",
                "brief",
                "--workspace",
                &ws,
                "--format",
                format,
                "--out",
                file,
                "--language",
                "ru",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let html = std::fs::read_to_string(tmp.path().join("brief.html")).unwrap();
    assert!(
        html.contains("Портреты аудитории") && html.contains("Анна"),
        "{html}"
    );
    let pdf = std::fs::read(tmp.path().join("brief.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF-") && pdf.len() > 1000);
    let missing = herald(tmp.path())
        .args([
            "--data-dir",
            "d",
            "strategy",
            "brief",
            "--workspace",
            "999",
            "--format",
            "pdf",
            "--out",
            "x.pdf",
        ])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no workspace with id 999"));
}
