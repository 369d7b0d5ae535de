//! Key/value settings and the manager PIN (argon2 hash, persistent
//! rate limit on wrong tries).

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use chrono::{DateTime, TimeDelta, Utc};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::entries::utc_text;
use crate::{Error, Result, Store};

const PIN_HASH: &str = "manager_pin.hash";
const PIN_FAILURES: &str = "manager_pin.failures";
const PIN_LOCKED_UNTIL: &str = "manager_pin.locked_until";

/// Wrong tries allowed before the first lockout.
pub const PIN_FREE_TRIES: u32 = 5;
/// The first lockout; each further wrong try doubles it.
pub const PIN_FIRST_LOCKOUT: TimeDelta = TimeDelta::seconds(30);
/// The longest lockout.
pub const PIN_MAX_LOCKOUT: TimeDelta = TimeDelta::hours(1);

/// The result of checking a manager PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinCheck {
    /// The PIN is right; the failure count was reset.
    Ok,
    /// The PIN is wrong; `remaining` more wrong tries lock the PIN.
    Wrong {
        /// Wrong tries left before a lockout.
        remaining: u32,
    },
    /// Too many wrong tries: no PIN is checked until `until`.
    LockedOut {
        /// When tries are allowed again.
        until: DateTime<Utc>,
    },
}

/// The outcome of the `failures`-th consecutive wrong try at `now`. Pure.
pub fn after_wrong_pin(failures: u32, now: DateTime<Utc>) -> PinCheck {
    if failures < PIN_FREE_TRIES {
        return PinCheck::Wrong {
            remaining: PIN_FREE_TRIES - failures,
        };
    }
    let doublings = (failures - PIN_FREE_TRIES).min(16);
    let lockout = (PIN_FIRST_LOCKOUT * (1 << doublings)).min(PIN_MAX_LOCKOUT);
    PinCheck::LockedOut {
        until: now + lockout,
    }
}

/// Checks the format of a new PIN: 4 to 12 ASCII digits.
pub fn validate_pin(pin: &str) -> Result<()> {
    if !(4..=12).contains(&pin.len()) {
        return Err(Error::InvalidPin("a pin has 4 to 12 digits"));
    }
    if !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::InvalidPin("a pin has digits only"));
    }
    Ok(())
}

impl Store {
    /// A setting's value, if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        get(&self.conn, key)
    }

    /// Sets a setting (insert or replace).
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        set(&self.conn, key, value)
    }

    /// Whether a manager PIN is set.
    pub fn has_pin(&self) -> Result<bool> {
        Ok(get(&self.conn, PIN_HASH)?.is_some())
    }

    /// Sets the manager PIN (argon2id hash with a random salt) and clears
    /// any lockout. A PIN that is not 4 to 12 digits is refused.
    pub fn set_pin(&mut self, pin: &str) -> Result<()> {
        validate_pin(pin)?;
        let hash = Argon2::default()
            .hash_password(pin.as_bytes())
            .map_err(|e| Error::PinHash(e.to_string()))?
            .to_string();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        set(&tx, PIN_HASH, &hash)?;
        tx.execute(
            "DELETE FROM settings WHERE key IN (?1, ?2)",
            params![PIN_FAILURES, PIN_LOCKED_UNTIL],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Checks a manager PIN at `now`. While locked out the PIN is not even
    /// compared. Wrong tries are counted in the database, so restarting
    /// the kiosk does not reset them.
    pub fn check_pin(&mut self, pin: &str, now: DateTime<Utc>) -> Result<PinCheck> {
        if let Some(until) = locked_until(&self.conn)?
            && now < until
        {
            return Ok(PinCheck::LockedOut { until });
        }
        let stored = get(&self.conn, PIN_HASH)?.ok_or(Error::PinNotSet)?;
        let parsed = PasswordHash::new(&stored).map_err(|e| Error::PinHash(e.to_string()))?;
        let right = Argon2::default()
            .verify_password(pin.as_bytes(), &parsed)
            .is_ok();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let result = if right {
            tx.execute(
                "DELETE FROM settings WHERE key IN (?1, ?2)",
                params![PIN_FAILURES, PIN_LOCKED_UNTIL],
            )?;
            PinCheck::Ok
        } else {
            let failures = get(&tx, PIN_FAILURES)?
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0)
                .saturating_add(1);
            set(&tx, PIN_FAILURES, &failures.to_string())?;
            let result = after_wrong_pin(failures, now);
            if let PinCheck::LockedOut { until } = result {
                set(&tx, PIN_LOCKED_UNTIL, &utc_text(until))?;
            }
            result
        };
        tx.commit()?;
        Ok(result)
    }
}

fn locked_until(conn: &Connection) -> Result<Option<DateTime<Utc>>> {
    get(conn, PIN_LOCKED_UNTIL)?
        .map(|v| {
            DateTime::parse_from_rfc3339(&v)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| Error::Corrupt {
                    table: "settings",
                    detail: format!("{PIN_LOCKED_UNTIL} {v:?}: {e}"),
                })
        })
        .transpose()
}

fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?)
}

fn set(conn: &Connection, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![key, value])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn lockout_policy_table() {
        let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
        let locked = |secs: i64| PinCheck::LockedOut {
            until: now + TimeDelta::seconds(secs),
        };
        let cases = [
            (1, PinCheck::Wrong { remaining: 4 }),
            (4, PinCheck::Wrong { remaining: 1 }),
            (5, locked(30)),
            (6, locked(60)),
            (7, locked(120)),
            (11, locked(1920)),
            (12, locked(3600)),
            (40, locked(3600)),
            (u32::MAX, locked(3600)),
        ];
        for (failures, want) in cases {
            assert_eq!(after_wrong_pin(failures, now), want, "failures={failures}");
        }
    }

    #[test]
    fn pin_format() {
        assert!(validate_pin("1234").is_ok());
        assert!(validate_pin("123456789012").is_ok());
        for bad in ["", "123", "1234567890123", "12a4", "１２３４"] {
            assert!(validate_pin(bad).is_err(), "{bad:?}");
        }
    }
}
