//! `passgate log`: one venue-local day of the log in the terminal.

use std::process::ExitCode;

use anyhow::Context;
use passgate_store::{Entry, LogQuery, MAX_PAGE};

use crate::venue::DayArgs;

/// Arguments of `passgate log`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    day: DayArgs,
    /// Only entries whose name, subject, issuer or reason contains this text.
    #[arg(long)]
    search: Option<String>,
    /// Print one JSON object per entry (the sync upload format) instead of a table.
    #[arg(long)]
    json: bool,
}

/// Prints the day's entries, oldest first, then the day's counts.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (store, day) = args.day.open()?;
    let mut query = LogQuery {
        day,
        search: args.search.clone(),
        offset: 0,
        limit: MAX_PAGE,
    };
    if !args.json {
        println!("{}", header());
    }
    let mut shown = 0u64;
    loop {
        let page = store
            .day_log(&query)
            .with_context(|| format!("cannot read the log of {day}"))?;
        for e in &page.entries {
            if args.json {
                println!("{}", serde_json::to_string(e)?);
            } else {
                println!("{}", row(e));
            }
        }
        shown += page.entries.len() as u64;
        if page.entries.is_empty() || shown >= page.total {
            break;
        }
        query.offset = shown;
    }
    if !args.json {
        let s = store.day_summary(day)?;
        let filter = args
            .search
            .as_deref()
            .map(|s| format!(" matching {s:?}"))
            .unwrap_or_default();
        println!(
            "{day}: {shown} entries{filter}; whole day {} admitted, {} denied",
            s.totals.admitted, s.totals.denied
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn header() -> String {
    format!(
        "{:<8}  {:<5}  {:<24}  {:>5}  {:<6}  {:<10}  {:<36}  {}",
        "time", "", "reason", "temp", "colour", "issuer", "entry id", "name"
    )
}

/// One table row; the name (of varying display width) comes last so the
/// columns stay aligned.
fn row(e: &Entry) -> String {
    format!(
        "{:<8}  {:<5}  {:<24}  {:>5}  {:<6}  {:<10}  {:<36}  {}",
        e.local_time.format("%H:%M:%S"),
        e.outcome.as_str().to_uppercase(),
        e.reason_code,
        e.temperature.map(|t| format!("{t:.1}")).unwrap_or_default(),
        e.colour.map(|c| c.as_str()).unwrap_or(""),
        e.issuer.as_deref().unwrap_or(""),
        e.id,
        e.masked_name.as_deref().unwrap_or(""),
    )
}
