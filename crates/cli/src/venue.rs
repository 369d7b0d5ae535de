//! Where `export`, `log` and `record` get the database, the venue, the
//! device and the venue time zone: `--config kiosk.toml`, overridden by
//! `--db`, `--venue`, `--device` and `--tz`.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDate, Utc};
use passgate_kiosk::KioskConfig;
use passgate_store::{Store, Tz};

/// The database and venue options shared by the store commands.
#[derive(clap::Args, Debug)]
pub struct VenueArgs {
    /// The kiosk configuration (`kiosk.toml`): database, venue, device,
    /// time zone and admission policy. The flags below override it.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The kiosk database (default: `storage.database` of --config).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The venue's IANA time zone, e.g. Asia/Shanghai (default:
    /// `venue.time_zone` of --config, else UTC).
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    pub tz: Option<Tz>,
}

impl VenueArgs {
    /// Loads `--config` if given.
    pub fn config(&self) -> anyhow::Result<Option<KioskConfig>> {
        self.config
            .as_deref()
            .map(|path| {
                KioskConfig::load(path)
                    .with_context(|| format!("cannot use the configuration {}", path.display()))
            })
            .transpose()
    }

    /// The database path: `--db`, else the configuration's.
    pub fn db_path(&self, config: Option<&KioskConfig>) -> anyhow::Result<PathBuf> {
        match (&self.db, config) {
            (Some(db), _) => Ok(db.clone()),
            (None, Some(c)) => Ok(c.database_path()),
            (None, None) => bail!("give the database with --db PATH or --config kiosk.toml"),
        }
    }

    /// The venue time zone: `--tz`, else the configuration's, else UTC.
    pub fn tz(&self, config: Option<&KioskConfig>) -> Tz {
        self.tz
            .or_else(|| config.map(KioskConfig::time_zone))
            .unwrap_or(chrono_tz::UTC)
    }
}

/// A day of an existing kiosk database, for `log` and `export`.
#[derive(clap::Args, Debug)]
pub struct DayArgs {
    #[command(flatten)]
    venue: VenueArgs,
    /// The venue-local day, YYYY-MM-DD (default: today in the venue time zone).
    #[arg(long, value_parser = parse_day)]
    date: Option<NaiveDate>,
}

impl DayArgs {
    /// Opens the database (which must exist) and resolves the day.
    pub fn open(&self) -> anyhow::Result<(Store, NaiveDate)> {
        let config = self.venue.config()?;
        let db = self.venue.db_path(config.as_ref())?;
        let day = day_or_today(self.date, self.venue.tz(config.as_ref()));
        Ok((open_existing(&db)?, day))
    }
}

/// Parses an IANA time zone name (clap value parser).
pub fn parse_tz(s: &str) -> Result<Tz, String> {
    s.parse::<Tz>().map_err(|_| {
        format!("unknown time zone {s:?}: use an IANA name such as Asia/Shanghai or UTC")
    })
}

/// Parses a day given as YYYY-MM-DD (clap value parser).
pub fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|e| format!("{e}: expected a day as YYYY-MM-DD, e.g. 2026-11-28"))
}

/// The given day, or today in the venue time zone.
pub fn day_or_today(day: Option<NaiveDate>, tz: Tz) -> NaiveDate {
    // The CLI is the imperative shell: the clock is read here.
    day.unwrap_or_else(|| passgate_store::local_day(now(), tz))
}

/// The system clock.
pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Opens an existing database (never creates one: a mistyped path must not
/// leave an empty database behind).
pub fn open_existing(path: &Path) -> anyhow::Result<Store> {
    if !path.exists() {
        bail!(
            "the database {} does not exist; check --db (or storage.database in kiosk.toml)",
            path.display()
        );
    }
    Store::open(path).with_context(|| format!("cannot open the database {}", path.display()))
}
