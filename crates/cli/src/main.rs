//! The `passgate` command.

fn main() {}
