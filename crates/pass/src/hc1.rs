//! The HC1 container: `HC1:` + Base45 + zlib, and bounded CBOR parsing.
//!
//! Every step is bounded: the text by [`MAX_QR_TEXT_BYTES`], the inflated
//! bytes by [`MAX_INFLATED_BYTES`] (inflation stops as soon as the cap is
//! passed, so a zip bomb costs at most that much), and CBOR nesting by
//! [`MAX_CBOR_DEPTH`]. Encodings must be canonical where they can be checked
//! (Base45) and nothing may follow the zlib stream or the CBOR item.

use std::io::Write;

use ciborium::Value;
use flate2::write::ZlibEncoder;
use flate2::{Compression, Decompress, FlushDecompress, Status};

use crate::error::DecodeError;

/// Prefix of every pass text.
pub const PREFIX: &str = "HC1:";
/// Maximum length of the QR text in bytes.
pub const MAX_QR_TEXT_BYTES: usize = 4096;
/// Maximum size of the inflated COSE bytes.
pub const MAX_INFLATED_BYTES: usize = 16 * 1024;
/// Maximum CBOR nesting depth.
pub const MAX_CBOR_DEPTH: usize = 16;

/// Wraps COSE bytes into the QR text: zlib (best compression), Base45, `HC1:` prefix.
pub fn encode_container(cose: &[u8]) -> String {
    let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
    // Writing to a Vec cannot fail.
    let compressed = z
        .write_all(cose)
        .and_then(|()| z.finish())
        .unwrap_or_default();
    format!("{PREFIX}{}", base45::encode(compressed))
}

/// Unwraps the QR text into the inflated COSE bytes.
pub fn decode_container(text: &str) -> Result<Vec<u8>, DecodeError> {
    if text.len() > MAX_QR_TEXT_BYTES {
        return Err(DecodeError::TooLong { len: text.len() });
    }
    let body = text.strip_prefix(PREFIX).ok_or(DecodeError::WrongPrefix)?;
    let compressed = base45::decode(body).map_err(|_| DecodeError::Base45)?;
    // The two-character tail of Base45 can alias several texts onto one byte.
    if base45::encode(&compressed) != body {
        return Err(DecodeError::NonCanonicalBase45);
    }
    inflate_bounded(&compressed, MAX_INFLATED_BYTES)
}

/// Inflates a zlib stream, refusing output beyond `cap` bytes and trailing input.
pub fn inflate_bounded(input: &[u8], cap: usize) -> Result<Vec<u8>, DecodeError> {
    let mut inflater = Decompress::new(true);
    let mut out = Vec::with_capacity(cap + 1);
    loop {
        let (in_before, out_before) = (inflater.total_in(), inflater.total_out());
        let consumed = usize::try_from(in_before).unwrap_or(usize::MAX);
        let rest = input.get(consumed..).unwrap_or_default();
        let status = inflater
            .decompress_vec(rest, &mut out, FlushDecompress::None)
            .map_err(|_| DecodeError::Inflate)?;
        if out.len() > cap {
            return Err(DecodeError::InflatedTooLarge);
        }
        match status {
            Status::StreamEnd => break,
            Status::Ok | Status::BufError => {
                if inflater.total_in() == in_before && inflater.total_out() == out_before {
                    return Err(DecodeError::Truncated);
                }
            }
        }
    }
    if usize::try_from(inflater.total_in()).ok() != Some(input.len()) {
        return Err(DecodeError::TrailingData {
            after: "zlib stream".into(),
        });
    }
    Ok(out)
}

/// Parses one CBOR item with depth at most [`MAX_CBOR_DEPTH`] and no trailing bytes.
pub fn cbor_from_slice(bytes: &[u8], part: &str) -> Result<Value, DecodeError> {
    let mut reader = bytes;
    let value: Value = ciborium::de::from_reader_with_recursion_limit(&mut reader, MAX_CBOR_DEPTH)
        .map_err(|e| match e {
            ciborium::de::Error::RecursionLimitExceeded => {
                DecodeError::TooDeep { part: part.into() }
            }
            other => DecodeError::Cbor {
                part: part.into(),
                detail: cbor_error_text(&other),
            },
        })?;
    if !reader.is_empty() {
        return Err(DecodeError::TrailingData {
            after: format!("cbor {part}"),
        });
    }
    Ok(value)
}

/// Serialises a CBOR value (writing to a `Vec` cannot fail for a `Value`).
pub fn cbor_to_vec(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    if ciborium::ser::into_writer(value, &mut out).is_err() {
        out.clear();
    }
    out
}

fn cbor_error_text<T: std::fmt::Debug>(e: &ciborium::de::Error<T>) -> String {
    match e {
        ciborium::de::Error::Io(_) => "unexpected end of data".into(),
        ciborium::de::Error::Syntax(at) => format!("syntax error at byte {at}"),
        ciborium::de::Error::Semantic(at, msg) => match at {
            Some(at) => format!("{msg} at byte {at}"),
            None => msg.clone(),
        },
        ciborium::de::Error::RecursionLimitExceeded => "nested too deep".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    #[test]
    fn container_round_trips() {
        let text = encode_container(b"hello cose");
        assert!(text.starts_with("HC1:"));
        assert_eq!(decode_container(&text).unwrap(), b"hello cose");
    }

    #[test]
    fn zip_bomb_stops_at_the_cap() {
        let bomb = zlib(&vec![0u8; 10 * 1024 * 1024]);
        assert!(bomb.len() < 11_000);
        assert_eq!(
            inflate_bounded(&bomb, MAX_INFLATED_BYTES),
            Err(DecodeError::InflatedTooLarge)
        );
    }

    #[test]
    fn truncated_and_trailing_zlib_are_refused() {
        let z = zlib(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        assert_eq!(
            inflate_bounded(&z[..z.len() - 3], 100),
            Err(DecodeError::Truncated)
        );
        let mut extra = z.clone();
        extra.push(0);
        assert!(matches!(
            inflate_bounded(&extra, 100),
            Err(DecodeError::TrailingData { .. })
        ));
        assert_eq!(
            inflate_bounded(&[0x78, 0x9c, 0xff, 0xff], 100),
            Err(DecodeError::Inflate)
        );
    }

    #[test]
    fn output_exactly_at_the_cap_is_accepted() {
        let data = vec![7u8; 64];
        assert_eq!(inflate_bounded(&zlib(&data), 64).unwrap(), data);
        assert_eq!(
            inflate_bounded(&zlib(&data), 63),
            Err(DecodeError::InflatedTooLarge)
        );
    }

    #[test]
    fn non_canonical_base45_is_refused() {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
        // Find a payload whose zlib stream has an odd length, so Base45 ends in a two-digit tail.
        let compressed = (1..64u8)
            .map(|n| zlib(&vec![n; usize::from(n)]))
            .find(|z| z.len() % 2 == 1)
            .unwrap();
        let canonical = format!("{PREFIX}{}", base45::encode(&compressed));
        assert!(decode_container(&canonical).is_ok());
        // The tail digits encode v = c0 + 45*c1; v + 256 is another spelling of the same byte.
        let last = usize::from(*compressed.last().unwrap()) + 256;
        let alias = format!(
            "{}{}{}",
            &canonical[..canonical.len() - 2],
            ALPHABET[last % 45] as char,
            ALPHABET[last / 45] as char
        );
        assert_eq!(base45::decode(&alias[4..]).unwrap(), compressed);
        assert_eq!(
            decode_container(&alias),
            Err(DecodeError::NonCanonicalBase45)
        );
    }

    #[test]
    fn deep_cbor_is_refused() {
        let mut deep = vec![0x81u8; 40];
        deep.push(0x00);
        assert!(matches!(
            cbor_from_slice(&deep, "test"),
            Err(DecodeError::TooDeep { .. })
        ));
        let mut ok = vec![0x81u8; 10];
        ok.push(0x00);
        assert!(cbor_from_slice(&ok, "test").is_ok());
        assert!(matches!(
            cbor_from_slice(&[0x00, 0x00], "test"),
            Err(DecodeError::TrailingData { .. })
        ));
    }
}
