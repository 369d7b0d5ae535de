//! Passes decided per second, from QR text to verdict, on one core:
//! `cargo bench -p passgate-gate --bench decide`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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
    group.bench_function("qr text to deny verdict (altered)", |b| {
        b.iter(|| decide(black_box(&tampered), &w.state, &policy, w.now, Some(36.6)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
