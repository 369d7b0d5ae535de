//! The serial thermometer: a device that sends one reading per line. The
//! port is read as a plain file (set its speed with `stty` or a udev rule),
//! so a test can feed a FIFO or a pty.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;

use regex::Regex;

use crate::error::{Error, Result};
use passgate_gate::{MAX_PLAUSIBLE_TEMPERATURE_C as MAX_C, MIN_PLAUSIBLE_TEMPERATURE_C as MIN_C};

/// The reading in a line, by the configured pattern's first group; `None`
/// when the line has none or it is not a plausible body temperature.
pub fn parse_reading(line: &str, pattern: &Regex) -> Option<f32> {
    let c: f32 = pattern
        .captures(line)?
        .get(1)?
        .as_str()
        .trim()
        .replace(',', ".")
        .parse()
        .ok()?;
    (MIN_C..=MAX_C).contains(&c).then_some(c)
}

/// Compiles `[thermometer] pattern`.
pub fn compile(pattern: &str) -> Result<Regex> {
    Regex::new(pattern).map_err(|e| {
        Error::BadInput(format!(
            "thermometer.pattern is not a valid regular expression: {e}"
        ))
    })
}

/// Reads readings from `lines` until they end, calling `on_reading` for each.
pub fn read_lines(lines: impl BufRead, pattern: &Regex, mut on_reading: impl FnMut(f32)) {
    for line in lines.lines() {
        let Ok(line) = line else { return };
        match parse_reading(&line, pattern) {
            Some(c) => on_reading(c),
            None => log::debug!("thermometer: no reading in {line:?}"),
        }
    }
}

/// Starts a thread that reads `port` for ever (reopening it after an error)
/// and reports each reading and whether the port is open.
pub fn spawn(
    port: PathBuf,
    pattern: Regex,
    on_reading: impl Fn(f32) + Send + 'static,
    on_connected: impl Fn(bool) + Send + 'static,
) {
    let spawned = std::thread::Builder::new()
        .name("thermometer".into())
        .spawn(move || {
            loop {
                match std::fs::File::open(&port) {
                    Ok(file) => {
                        on_connected(true);
                        read_lines(std::io::BufReader::new(file), &pattern, &on_reading);
                        on_connected(false);
                    }
                    Err(e) => {
                        log::warn!("thermometer: cannot open {}: {e}", port.display());
                        on_connected(false);
                    }
                }
                std::thread::sleep(Duration::from_secs(2));
            }
        });
    if let Err(e) = spawned {
        log::error!("cannot start the thermometer thread: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_taken_from_lines_by_the_pattern() {
        let re = compile(r"(\d{2}\.\d)").expect("pattern");
        assert_eq!(parse_reading("T=36.6C", &re), Some(36.6));
        assert_eq!(parse_reading("BODY 38.1", &re), Some(38.1));
        assert_eq!(parse_reading("battery low", &re), None);
        assert_eq!(parse_reading("99.9", &re), None, "not a body temperature");
        let re = compile(r"temp:\s*([\d,]+)").expect("pattern");
        assert_eq!(parse_reading("temp: 36,9", &re), Some(36.9));
    }

    #[test]
    fn a_bad_pattern_names_the_key() {
        let err = compile("(unclosed").unwrap_err().to_string();
        assert!(err.contains("thermometer.pattern"), "{err}");
    }

    #[test]
    fn a_port_is_read_line_by_line_from_a_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ttyFAKE");
        std::fs::write(&path, "READY\r\n36.5\r\nerr\r\n37.9\r\n").expect("write");
        let file = std::fs::File::open(&path).expect("open");
        let mut got = Vec::new();
        read_lines(
            std::io::BufReader::new(file),
            &compile(r"(\d{2}\.\d)").expect("re"),
            |c| got.push(c),
        );
        assert_eq!(got, vec![36.5, 37.9]);
    }
}
