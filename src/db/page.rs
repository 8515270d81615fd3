//! Keyset pagination: an opaque cursor holds the sort key and id of the last item seen;
//! a page holds its rows, whether more follow, and the count of all.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// A keyset position: the sort key of the last item seen, and its id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct After {
    pub key: String,
    pub id: String,
}

/// One page of rows plus the count of all rows matching the filter.
pub struct Page<T> {
    pub rows: Vec<T>,
    pub has_more: bool,
    pub total: i64,
}

impl<T> Page<T> {
    /// `rows` was fetched with `limit + 1` to learn whether another page exists.
    pub fn from_probe(mut rows: Vec<T>, limit: i64, total: i64) -> Page<T> {
        let has_more = rows.len() as i64 > limit;
        rows.truncate(limit as usize);
        Page {
            rows,
            has_more,
            total,
        }
    }
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: u32 = 500;

#[derive(Serialize, Deserialize)]
struct CursorData {
    /// The ordering this cursor belongs to; a cursor is refused under another one.
    s: String,
    k: String,
    i: String,
}

pub fn encode_cursor(sort: &str, key: String, id: String) -> String {
    let data = CursorData {
        s: sort.to_string(),
        k: key,
        i: id,
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&data).unwrap_or_default())
}

pub fn decode_cursor(cursor: Option<&str>, sort: &str) -> Result<Option<After>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let bad = || ApiError::bad_param("cursor", crate::text!("cursor-foreign-sort"));
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| bad())?;
    let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| bad())?;
    if data.s != sort {
        return Err(bad());
    }
    Ok(Some(After {
        key: data.k,
        id: data.i,
    }))
}

pub fn limit(requested: Option<u32>) -> i64 {
    requested.map(i64::from).unwrap_or(DEFAULT_LIMIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_is_bound_to_its_sort() {
        let c = encode_cursor("due_date", "2022-06-30".into(), "abc".into());
        let after = decode_cursor(Some(&c), "due_date").unwrap().unwrap();
        assert_eq!(after.key, "2022-06-30");
        assert_eq!(after.id, "abc");
        assert!(decode_cursor(Some(&c), "created_at").is_err());
        assert!(decode_cursor(Some("not base64!"), "due_date").is_err());
        assert!(decode_cursor(None, "due_date").unwrap().is_none());
    }
}
