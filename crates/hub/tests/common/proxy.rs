//! A TCP proxy on 127.0.0.1 that breaks HTTP exchanges on purpose: one
//! request per connection, each meeting a fault drawn from a seeded
//! sequence (so a run is repeatable).
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What happens to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fault {
    /// Forwarded, answer passed back.
    Pass,
    /// The connection is dropped before the request reaches the hub.
    DropBeforeHub,
    /// The hub handles (and commits) the request; the answer is dropped.
    DropAfterHub,
    /// The proxy answers 500 without asking the hub.
    Answer500,
    /// The proxy answers 503 without asking the hub.
    Answer503,
    /// Forwarded after a short delay.
    Delay,
    /// The hub handles the request; only half of its answer is passed back.
    Truncate,
}

const DRAW: [Fault; 10] = [
    Fault::Pass,
    Fault::Pass,
    Fault::Pass,
    Fault::Pass,
    Fault::DropBeforeHub,
    Fault::DropAfterHub,
    Fault::Answer500,
    Fault::Answer503,
    Fault::Delay,
    Fault::Truncate,
];

struct Shared {
    upstream: SocketAddr,
    rng: Mutex<u64>,
    counts: Mutex<HashMap<Fault, usize>>,
}

impl Shared {
    fn draw(&self) -> Fault {
        let mut x = self.rng.lock().unwrap();
        // xorshift64
        *x ^= *x << 13;
        *x ^= *x >> 7;
        *x ^= *x << 17;
        let fault = DRAW[(*x % DRAW.len() as u64) as usize];
        *self.counts.lock().unwrap().entry(fault).or_default() += 1;
        fault
    }
}

/// The running proxy; stops when dropped.
pub struct FaultProxy {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` with a fault sequence from `seed`.
    pub async fn start(upstream: SocketAddr, seed: u64) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            upstream,
            rng: Mutex::new(seed.max(1)),
            counts: Mutex::new(HashMap::new()),
        });
        let s = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = handle(client, &s).await;
                });
            }
        });
        Self { addr, shared, task }
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// How many requests met each fault.
    pub fn counts(&self) -> HashMap<Fault, usize> {
        self.shared.counts.lock().unwrap().clone()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(mut client: TcpStream, shared: &Shared) -> std::io::Result<()> {
    let Some(request) = read_request(&mut client).await? else {
        return Ok(());
    };
    match shared.draw() {
        Fault::DropBeforeHub => Ok(()),
        Fault::Answer500 => canned(&mut client, "500 Internal Server Error").await,
        Fault::Answer503 => canned(&mut client, "503 Service Unavailable").await,
        Fault::DropAfterHub => forward(shared.upstream, &request).await.map(drop),
        Fault::Truncate => {
            let answer = forward(shared.upstream, &request).await?;
            client.write_all(&answer[..answer.len() / 2]).await
        }
        Fault::Delay => {
            tokio::time::sleep(Duration::from_millis(20)).await;
            let answer = forward(shared.upstream, &request).await?;
            client.write_all(&answer).await
        }
        Fault::Pass => {
            let answer = forward(shared.upstream, &request).await?;
            client.write_all(&answer).await
        }
    }
}

async fn canned(client: &mut TcpStream, status: &str) -> std::io::Result<()> {
    let body = "upstream trouble";
    let answer = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    client.write_all(answer.as_bytes()).await
}

/// Sends the request to the hub on a new connection and reads its whole
/// answer (the request asks the hub to close after answering).
async fn forward(upstream: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut hub = TcpStream::connect(upstream).await?;
    hub.write_all(request).await?;
    let mut answer = Vec::new();
    hub.read_to_end(&mut answer).await?;
    Ok(answer)
}

/// Reads one request (head and `content-length` body) and rewrites its
/// head to ask for `connection: close`. `None` if the client went away.
async fn read_request(client: &mut TcpStream) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut length = 0usize;
    let mut lines = Vec::new();
    for line in head.split("\r\n") {
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
        if !lower.starts_with("connection:") {
            lines.push(line.to_owned());
        }
    }
    lines.push("connection: close".into());
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let mut out = (lines.join("\r\n") + "\r\n\r\n").into_bytes();
    out.extend_from_slice(&body);
    Ok(Some(out))
}
