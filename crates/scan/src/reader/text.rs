//! How a code's bytes become text: UTF-8 when valid, Shift_JIS when the bytes
//! are valid Shift_JIS with double-byte characters (Kanji mode and Japanese
//! byte-mode codes), otherwise ISO-8859-1, the QR default for byte mode.

/// The text of a code's payload, and whether the payload was valid UTF-8.
pub fn interpret(bytes: &[u8]) -> (String, bool) {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return (s.to_owned(), true);
    }
    if looks_like_sjis(bytes)
        && let Some(s) =
            encoding_rs::SHIFT_JIS.decode_without_bom_handling_and_without_replacement(bytes)
    {
        return (s.into_owned(), false);
    }
    (bytes.iter().map(|&b| b as char).collect(), false)
}

/// Double-byte characters, or two half-width katakana in a row (rare in
/// ISO-8859-1 text, where those bytes are symbols and accented capitals).
fn looks_like_sjis(bytes: &[u8]) -> bool {
    let double = bytes.windows(2).any(|w| {
        matches!(w[0], 0x81..=0x9F | 0xE0..=0xEF) && matches!(w[1], 0x40..=0x7E | 0x80..=0xFC)
    });
    let katakana = bytes
        .windows(2)
        .any(|w| w.iter().all(|b| (0xA1..=0xDF).contains(b)));
    double || katakana
}

/// `s` with every non-printable character escaped as `\u{..}`; bytes that
/// were not UTF-8 show as their ISO-8859-1 characters.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes {
        if b.is_ascii_graphic() || b == b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_shift_jis_and_latin1() {
        assert_eq!(
            interpret("HC1:6BF".as_bytes()),
            ("HC1:6BF".to_owned(), true)
        );
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("Google モバイル");
        assert_eq!(interpret(&sjis).0, "Google モバイル");
        let (kana, _, _) = encoding_rs::SHIFT_JIS.encode("ﾃﾞｻﾞｲﾝQR");
        assert_eq!(interpret(&kana).0, "ﾃﾞｻﾞｲﾝQR");
        assert_eq!(interpret(&[b'c', b'a', b'f', 0xE9]).0, "café");
        assert_eq!(escape_bytes(&[b'a', 0, 0xff]), "a\\x00\\xff");
    }
}
