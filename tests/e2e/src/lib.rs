//! End-to-end harness for the Passgate app: finds the built app and
//! `tauri-driver`, starts the driver under `xvfb-run` in its own process
//! group (killed as a group on drop, and wrapped in `timeout`), and opens a
//! WebDriver session on the real window. The tests are in `tests/`.

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder};

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The built app: `$PASSGATE_APP`, else `debug/passgate-app` in the target dir.
pub fn app_binary() -> anyhow::Result<PathBuf> {
    let path = match std::env::var_os("PASSGATE_APP") {
        Some(p) => PathBuf::from(p),
        None => std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("target"))
            .join("debug/passgate-app"),
    };
    if !path.is_file() {
        bail!(
            "the app is not built at {}: run `./dev test` (or `cd ui && npm run build && cargo build -p passgate-app`), or set PASSGATE_APP",
            path.display()
        );
    }
    Ok(path.canonicalize()?)
}

/// `tauri-driver`: `$TAURI_DRIVER`, the `./dev setup` tools folder, or PATH.
pub fn tauri_driver() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("TAURI_DRIVER") {
        return Ok(PathBuf::from(p));
    }
    let tools = std::env::var_os("PASSGATE_TOOLS_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/passgate/tools"))
        });
    if let Some(t) = tools.map(|t| t.join("bin/tauri-driver"))
        && t.is_file()
    {
        return Ok(t);
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            if dir.join("tauri-driver").is_file() {
                return Ok(dir.join("tauri-driver"));
            }
        }
    }
    bail!(
        "tauri-driver not found: run `./dev setup` (cargo install tauri-driver --locked) or set TAURI_DRIVER"
    )
}

/// A running `tauri-driver` under Xvfb; the whole process group dies on drop.
pub struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Starts the driver on `port` (and `port + 1` for WebKitWebDriver).
    pub fn start(port: u16, log: &Path) -> anyhow::Result<Self> {
        let driver = tauri_driver()?;
        let log_file = std::fs::File::create(log)?;
        let mut cmd = Command::new("timeout");
        cmd.args([
            "--kill-after=10",
            "900",
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1280x800x24",
        ])
        .arg(&driver)
        .args([
            "--port",
            &port.to_string(),
            "--native-port",
            &(port + 1).to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file);
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        let child = cmd
            .spawn()
            .context("cannot start timeout/xvfb-run/tauri-driver")?;
        let mut d = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = d.child.try_wait()? {
                bail!("tauri-driver exited with {status}; see {}", log.display());
            }
            if Instant::now() > deadline {
                bail!(
                    "tauri-driver did not listen on port {port} within 30 s; see {}",
                    log.display()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(d)
    }

    /// Opens a session on the app with these arguments.
    pub async fn session(&self, app: &Path, args: &[String]) -> anyhow::Result<Client> {
        let caps = serde_json::json!({
            "browserName": "wry",
            "tauri:options": { "application": app, "args": args },
        });
        let serde_json::Value::Object(caps) = caps else {
            unreachable!()
        };
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut tries = 0;
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(c) => return Ok(c),
                // The driver may accept connections before it can start a session.
                Err(e) if tries < 3 => {
                    tries += 1;
                    eprintln!("WebDriver session not opened yet ({e}); trying again");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
                Err(e) => return Err(e).context("cannot open a WebDriver session on the app"),
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        for signal in ["-TERM", "-KILL"] {
            let _ = Command::new("kill").args([signal, "--", &group]).status();
            if self.child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        let _ = self.child.wait();
    }
}

/// Waits until `css` matches an element whose text satisfies `ok`; returns its text.
pub async fn wait_text(
    c: &Client,
    css: &str,
    timeout: Duration,
    ok: impl Fn(&str) -> bool,
) -> anyhow::Result<String> {
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    loop {
        // textContent through a script: WebKitWebDriver's element text is
        // empty for some styled inline elements.
        let texts = c
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0]), e => e.textContent);",
                vec![serde_json::Value::from(css)],
            )
            .await;
        if let Ok(serde_json::Value::Array(texts)) = texts {
            for text in texts.iter().filter_map(|t| t.as_str()) {
                if ok(text) {
                    return Ok(text.to_string());
                }
                last = text.to_string();
            }
        }
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {css}; last text {last:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `css` matches at least one element.
pub async fn wait_for(c: &Client, css: &str, timeout: Duration) -> anyhow::Result<()> {
    wait_text(c, css, timeout, |_| true).await.map(|_| ())
}

/// Saves a screenshot of the window to `target/screenshots/NAME.png`, after
/// two animation frames so the picture matches the page.
pub async fn screenshot(c: &Client, name: &str) -> anyhow::Result<PathBuf> {
    c.execute_async(
        "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
        vec![],
    )
    .await?;
    let png = c.screenshot().await?;
    let dir = workspace().join("target/screenshots");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.png"));
    std::fs::write(&path, png)?;
    Ok(path)
}

/// The `data-seq` of the banner when it shows a verdict of this kind.
async fn banner_seq(c: &Client, kind: &str) -> anyhow::Result<Option<String>> {
    let v = c
        .execute(
            "const b = document.querySelector('#banner'); return b && b.dataset.kind === arguments[0] ? b.dataset.seq : null;",
            vec![serde_json::Value::from(kind)],
        )
        .await?;
    Ok(v.as_str().map(str::to_string))
}

/// Saves a screenshot of the banner showing a verdict of `kind`
/// (`admit`, `deny`, `needs_temperature`, `idle`) and fails unless the same
/// verdict was on screen just before and just after, so the picture is
/// known to show it.
pub async fn screenshot_verdict(c: &Client, name: &str, kind: &str) -> anyhow::Result<PathBuf> {
    let before = banner_seq(c, kind).await?;
    let path = screenshot(c, name).await?;
    let after = banner_seq(c, kind).await?;
    if before.is_none() || before != after {
        bail!(
            "the banner did not show the same {kind} verdict throughout screenshot {name} (before {before:?}, after {after:?})"
        );
    }
    Ok(path)
}
