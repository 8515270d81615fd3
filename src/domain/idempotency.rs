//! Retried POSTs (`Idempotency-Key`): what a key may look like, how long it is kept, and
//! what makes two requests "the same request" — the fingerprint.
//!
//! The fingerprint is a SHA-256 over the method, the path with its query, the media type
//! and the body. A multipart body's boundary is left out of it (from the media type and
//! from the body): a client that retries an upload builds the request again, and picks a
//! new random boundary for the same fields and the same file.

use sha2::{Digest, Sha256};

/// How long a key's first answer is kept and replayed.
pub const KEPT_HOURS: i64 = 24;

/// Seconds a claim without an answer counts as "still running"; past that, its request
/// was carried out but its answer was lost (the server stopped in between). A claim is
/// made as its write commits, and the answer is kept a moment later: ten seconds is ample.
pub const RUNNING_SECS: i64 = 10;

/// The longest key accepted (a UUID is 36; the IETF draft leaves the length open).
pub const MAX_KEY_LEN: usize = 255;

/// The key as sent, unquoted when it came as a structured-field string (`"…"`, as the
/// IETF draft writes it); `None` when empty, too long, or not visible ASCII.
pub fn parse_key(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let key = raw
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(raw);
    let fine = !key.is_empty()
        && key.len() <= MAX_KEY_LEN
        && key.bytes().all(|b| b.is_ascii_graphic() && b != b'"');
    fine.then(|| key.to_string())
}

/// The multipart boundary of a `Content-Type`, when it has one.
pub fn boundary(content_type: &str) -> Option<&str> {
    let (essence, params) = content_type.split_once(';')?;
    if !essence
        .trim()
        .to_ascii_lowercase()
        .starts_with("multipart/")
    {
        return None;
    }
    params.split(';').find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"'))
            .filter(|b| !b.is_empty())
    })
}

/// Hashes a request as its body streams past, chunk by chunk.
pub struct Fingerprint {
    hash: Sha256,
    /// The body's boundary marker (`--` + boundary), left out wherever it occurs.
    skip: Vec<u8>,
    /// The tail of the bytes seen, which could be the start of a marker split across
    /// two chunks: hashed once the next chunk shows it is not.
    held: Vec<u8>,
}

impl Fingerprint {
    pub fn new(method: &str, path_and_query: &str, content_type: Option<&str>) -> Fingerprint {
        let mut hash = Sha256::new();
        let marker = content_type.and_then(boundary).map(|b| format!("--{b}"));
        // Only the essence of a multipart type counts; other types count whole.
        let media = match (&marker, content_type) {
            (Some(_), Some(ct)) => ct.split(';').next().unwrap_or("").trim().to_string(),
            (None, Some(ct)) => ct.trim().to_string(),
            (None, None) | (Some(_), None) => String::new(),
        };
        for part in [method, path_and_query, &media.to_ascii_lowercase()] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
        Fingerprint {
            hash,
            skip: marker.map(String::into_bytes).unwrap_or_default(),
            held: Vec::new(),
        }
    }

    pub fn update(&mut self, chunk: &[u8]) {
        if self.skip.is_empty() {
            self.hash.update(chunk);
            return;
        }
        self.held.extend_from_slice(chunk);
        let mut from = 0;
        while let Some(at) = find(&self.held[from..], &self.skip) {
            self.hash.update(&self.held[from..from + at]);
            from += at + self.skip.len();
        }
        // Keep what could still begin a marker; hash the rest.
        let keep = (self.skip.len() - 1).min(self.held.len() - from);
        let upto = self.held.len() - keep;
        self.hash.update(&self.held[from..upto]);
        self.held.drain(..upto);
    }

    /// The fingerprint, as lowercase hex.
    pub fn finish(mut self) -> String {
        let held = std::mem::take(&mut self.held);
        self.hash.update(&held);
        self.hash
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print(ct: Option<&str>, chunks: &[&[u8]]) -> String {
        let mut f = Fingerprint::new("POST", "/api/v1/measures", ct);
        for c in chunks {
            f.update(c);
        }
        f.finish()
    }

    #[test]
    fn keys_are_visible_ascii_of_limited_length() {
        assert_eq!(parse_key(" abc-123 ").as_deref(), Some("abc-123"));
        assert_eq!(parse_key("\"8e03978e\"").as_deref(), Some("8e03978e"));
        assert_eq!(parse_key(""), None);
        assert_eq!(parse_key("\"\""), None);
        assert_eq!(parse_key("has space"), None);
        assert_eq!(parse_key("键"), None);
        assert_eq!(
            parse_key(&"k".repeat(MAX_KEY_LEN)).map(|k| k.len()),
            Some(255)
        );
        assert_eq!(parse_key(&"k".repeat(MAX_KEY_LEN + 1)), None);
    }

    #[test]
    fn boundaries_come_from_multipart_types_only() {
        assert_eq!(boundary("multipart/form-data; boundary=abc"), Some("abc"));
        assert_eq!(
            boundary("Multipart/Form-Data; charset=utf-8; Boundary=\"x y\""),
            Some("x y")
        );
        assert_eq!(boundary("application/json; boundary=abc"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }

    #[test]
    fn the_same_request_has_the_same_fingerprint_however_it_is_split() {
        let whole = print(Some("application/json"), &[b"{\"a\":1}"]);
        assert_eq!(whole, print(Some("application/json"), &[b"{\"a", b"\":1}"]));
        assert_ne!(whole, print(Some("application/json"), &[b"{\"a\":2}"]));
        assert_ne!(whole, print(Some("text/plain"), &[b"{\"a\":1}"]));
        let other_path = {
            let mut f = Fingerprint::new("POST", "/api/v1/findings", Some("application/json"));
            f.update(b"{\"a\":1}");
            f.finish()
        };
        assert_ne!(whole, other_path);
    }

    #[test]
    fn a_new_boundary_for_the_same_fields_is_the_same_request() {
        let body = |b: &str| {
            format!(
                "--{b}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n%PDF-1.4\r\n--{b}--\r\n"
            )
        };
        let one = body("aaaa1111");
        let two = body("zz");
        let first = print(
            Some("multipart/form-data; boundary=aaaa1111"),
            &[one.as_bytes()],
        );
        // Split inside a boundary marker, too.
        let (a, b) = two.split_at(3);
        let again = print(
            Some("multipart/form-data; boundary=zz"),
            &[a.as_bytes(), b.as_bytes()],
        );
        assert_eq!(first, again);
        let other_file = body("zz").replace("%PDF-1.4", "%PDF-1.5");
        assert_ne!(
            first,
            print(
                Some("multipart/form-data; boundary=zz"),
                &[other_file.as_bytes()]
            )
        );
    }

    #[test]
    fn split_points_never_change_a_multipart_fingerprint() {
        let ct = Some("multipart/form-data; boundary=XyZ");
        let body = b"pre--XyZ mid --Xy--XyZ--X post--XyZ--";
        let whole = print(ct, &[body]);
        for i in 0..body.len() {
            for j in i..body.len() {
                let parts: [&[u8]; 3] = [&body[..i], &body[i..j], &body[j..]];
                assert_eq!(whole, print(ct, &parts), "split at {i}, {j}");
            }
        }
    }
}
