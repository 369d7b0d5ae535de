//! Passes decided per second, from QR text to verdict, on one core:
//! `cargo bench -p passgate-gate --bench decide`.
//!
//! Criterion reports wall time. On a shared, busy machine wall time also
//! counts the time other processes held the core, so the bench ends with a
//! second figure measured in this thread's own CPU time (Linux
//! `/proc/thread-self/schedstat`), which is what one core can do.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group};
use passgate_gate::{VenuePolicy, decide};

#[path = "../tests/support/mod.rs"]
mod support;

fn bench(c: &mut Criterion) {
    let w = support::World::new();
    let text = w.pass(|_| {});
    let policy = VenuePolicy::default();
    assert!(decide(&text, &w.state, &policy, w.now, Some(36.6)).is_admit());
    let mut group = c.benchmark_group("pass verification");
    group.throughput(Throughput::Elements(1));
    group.bench_function("qr text to admit verdict", |b| {
        b.iter(|| decide(black_box(&text), &w.state, &policy, w.now, Some(36.6)))
    });
    let tampered = text.replacen('A', "B", 1);
    assert!(!decide(&tampered, &w.state, &policy, w.now, Some(36.6)).is_admit());
    group.bench_function("qr text to deny verdict (altered)", |b| {
        b.iter(|| decide(black_box(&tampered), &w.state, &policy, w.now, Some(36.6)))
    });
    group.finish();
}

/// Nanoseconds this thread has run on a CPU, if the kernel exposes it.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// CPU seconds `f` takes for `n` iterations, or NaN without schedstat.
fn cpu_seconds(n: u32, mut f: impl FnMut()) -> f64 {
    let start = thread_cpu_ns();
    for _ in 0..n {
        f();
    }
    match (start, thread_cpu_ns()) {
        (Some(a), Some(b)) => (b - a) as f64 / 1e9,
        _ => f64::NAN,
    }
}

/// Admit verdicts per CPU-second, with the shares of decoding and of the
/// signature check. The three are measured in interleaved rounds so that
/// load from other processes affects them alike.
fn cpu_time_summary() {
    const ROUNDS: u32 = 20;
    const PER_ROUND: u32 = 1_000;
    let w = support::World::new();
    let text = w.pass(|_| {});
    let policy = VenuePolicy::default();
    let message = [7u8; 200];
    let signature = ed25519_dalek::Signer::sign(&w.ln, &message);
    let public = w.ln.verifying_key();
    let (mut full, mut decode, mut verify) = (0.0, 0.0, 0.0);
    let wall = Instant::now();
    for _ in 0..ROUNDS {
        full += cpu_seconds(PER_ROUND, || {
            assert!(decide(black_box(&text), &w.state, &policy, w.now, Some(36.6)).is_admit());
        });
        decode += cpu_seconds(PER_ROUND, || {
            assert!(passgate_pass::RawPass::decode(black_box(&text)).is_ok());
        });
        verify += cpu_seconds(PER_ROUND, || {
            assert!(
                public
                    .verify_strict(black_box(&message), &signature)
                    .is_ok()
            );
        });
    }
    let wall = wall.elapsed().as_secs_f64();
    let n = f64::from(ROUNDS * PER_ROUND);
    if full.is_nan() {
        println!("thread CPU time unavailable: see the criterion figures above");
        return;
    }
    println!(
        "pass verification (QR text to admit verdict), {n} runs: {:.0} passes/s per CPU-second \
         ({:.1} µs each; of which decode {:.1} µs, ed25519 verify_strict {:.1} µs); \
         {:.0} runs/s of all three by wall clock",
        n / full,
        full * 1e6 / n,
        decode * 1e6 / n,
        verify * 1e6 / n,
        3.0 * n / wall
    );
}

criterion_group!(benches, bench);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // `cargo bench` passes --bench; `cargo test --benches` runs each benchmark once and skips this.
    if std::env::args().any(|a| a == "--bench") {
        cpu_time_summary();
    }
}
