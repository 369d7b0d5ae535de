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

/// Admit verdicts per second of this thread's CPU time and of wall time.
fn cpu_time_summary() {
    const N: u32 = 20_000;
    let w = support::World::new();
    let text = w.pass(|_| {});
    let policy = VenuePolicy::default();
    let (Some(cpu0), wall0) = (thread_cpu_ns(), Instant::now()) else {
        println!("thread CPU time unavailable: see the criterion figures above");
        return;
    };
    let mut admitted = 0u32;
    for _ in 0..N {
        admitted +=
            u32::from(decide(black_box(&text), &w.state, &policy, w.now, Some(36.6)).is_admit());
    }
    let wall = wall0.elapsed().as_secs_f64();
    let cpu = thread_cpu_ns().map_or(f64::NAN, |c| (c - cpu0) as f64 / 1e9);
    assert_eq!(admitted, N);
    // The share of decoding (no signature check).
    let Some(dec0) = thread_cpu_ns() else { return };
    for _ in 0..N {
        assert!(passgate_pass::RawPass::decode(black_box(&text)).is_ok());
    }
    let dec_cpu = thread_cpu_ns().map_or(f64::NAN, |c| (c - dec0) as f64 / 1e9);
    println!(
        "decode alone (HC1 text to RawPass): {:.1} µs CPU each",
        dec_cpu * 1e6 / f64::from(N)
    );
    // The share of one Ed25519 verify_strict over a pass-sized message.
    let message = [7u8; 200];
    let signature = ed25519_dalek::Signer::sign(&w.ln, &message);
    let public = w.ln.verifying_key();
    let Some(sig0) = thread_cpu_ns() else { return };
    for _ in 0..N {
        assert!(
            public
                .verify_strict(black_box(&message), &signature)
                .is_ok()
        );
    }
    let sig_cpu = thread_cpu_ns().map_or(f64::NAN, |c| (c - sig0) as f64 / 1e9);
    println!(
        "ed25519 verify_strict alone: {:.1} µs CPU each",
        sig_cpu * 1e6 / f64::from(N)
    );
    println!(
        "pass verification, {N} admits: {:.0} passes/s per CPU-second ({:.1} µs each); \
         {:.0} passes/s wall clock",
        f64::from(N) / cpu,
        cpu * 1e6 / f64::from(N),
        f64::from(N) / wall
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
