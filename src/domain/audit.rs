//! The audit trail's hash chain: every event carries the SHA-256 of its own fields and of
//! the event before it, so changing, removing or reordering any stored event breaks every
//! hash after it. Pure; `db::repo::events` stores and walks the chain.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields an event's hash covers, in a fixed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed<'a> {
    pub seq: i64,
    pub id: &'a str,
    pub at: NaiveDateTime,
    pub actor: &'a str,
    pub role: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
    /// Sealed only when present, so that events written before names were kept verify as
    /// they were written.
    pub actor_name: Option<&'a str>,
}

/// The events that only announce what the ledger already shows — a deadline drawing near
/// or passed, a duty behind pace — without changing any item: they lengthen the chain (and
/// the history and the change feed that show them), but leave every list, number and
/// dashboard as it was, so the version cached answers follow does not move for them.
pub const ANNOUNCEMENTS: [&str; 4] = [
    "measure.due_soon",
    "measure.overdue",
    "duty.behind",
    "duty.missed",
];

/// Whether an event changes something an answer shows (anything but an announcement).
pub fn changes_answers(action: &str) -> bool {
    !ANNOUNCEMENTS.contains(&action)
}

/// `at` as the hash sees it: microseconds, what both databases keep.
pub fn timestamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// The hash of an event whose predecessor's hash is `prev`.
pub fn hash(prev: &str, event: &Sealed) -> String {
    // A JSON array: unambiguous field boundaries whatever the texts contain.
    let mut canonical = serde_json::json!([
        prev,
        event.seq,
        event.id,
        timestamp(event.at),
        event.actor,
        event.role,
        event.action,
        event.object_type,
        event.object_id,
        event.before,
        event.after,
    ]);
    if let (Some(name), Some(fields)) = (event.actor_name, canonical.as_array_mut()) {
        fields.push(serde_json::json!(name));
    }
    let text = canonical.to_string();
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Why an event does not fit the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Break {
    /// Its sequence number is not the one after its predecessor's (an event was removed or
    /// inserted).
    Gap { expected: i64 },
    /// It does not point at its predecessor's hash.
    Link,
    /// Its stored hash is not the hash of its fields (it was edited).
    Hash,
}

impl Break {
    pub fn describe(&self) -> String {
        match self {
            Break::Gap { expected } => {
                format!("sequence gap: expected event {expected}; events were removed or inserted")
            }
            Break::Link => "does not point at the previous event's hash".into(),
            Break::Hash => "its content does not match its hash; it was changed".into(),
        }
    }
}

/// Checks one stored event against the chain so far (`prev_seq`, `prev_hash`).
pub fn check(
    prev_seq: i64,
    prev_hash: &str,
    event: &Sealed,
    stored_prev: &str,
    stored_hash: &str,
) -> Result<(), Break> {
    if event.seq != prev_seq + 1 {
        return Err(Break::Gap {
            expected: prev_seq + 1,
        });
    }
    if stored_prev != prev_hash {
        return Err(Break::Link);
    }
    if hash(prev_hash, event) != stored_hash {
        return Err(Break::Hash);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_announcements_leave_answers_as_they_were() {
        for action in ANNOUNCEMENTS {
            assert!(!changes_answers(action), "{action}");
        }
        for action in [
            "measure.create",
            "measure.verify",
            "measure.quota_light",
            "measure.reminded",
            "duty.create",
            "unit.create",
        ] {
            assert!(changes_answers(action), "{action}");
        }
    }

    fn event(seq: i64, after: &str) -> (String, String) {
        (format!("e{seq}"), after.to_string())
    }

    fn sealed<'a>(seq: i64, id: &'a str, after: &'a str) -> Sealed<'a> {
        Sealed {
            seq,
            id,
            at: chrono::NaiveDate::from_ymd_opt(2022, 7, 1)
                .unwrap()
                .and_hms_micro_opt(9, 30, 0, 123_456)
                .unwrap(),
            actor: "office-wang",
            role: "office",
            action: "measure.verify",
            object_type: "measure",
            object_id: "m1",
            before: Some(r#"{"status":"endorsed"}"#),
            after: Some(after),
            actor_name: None,
        }
    }

    #[test]
    fn events_without_a_name_hash_as_they_always_did_and_a_name_is_sealed() {
        // The canonical form before names were kept: an 11-field array.
        #[derive(serde::Serialize)]
        struct Old<'a>(
            &'a str,
            i64,
            &'a str,
            String,
            &'a str,
            &'a str,
            &'a str,
            &'a str,
            &'a str,
            Option<&'a str>,
            Option<&'a str>,
        );
        let e = sealed(7, "e7", r#"{"名称":"差旅费\u0000"}"#);
        let old = Old(
            GENESIS,
            e.seq,
            e.id,
            timestamp(e.at),
            e.actor,
            e.role,
            e.action,
            e.object_type,
            e.object_id,
            e.before,
            e.after,
        );
        let text = serde_json::to_string(&old).unwrap();
        let expected: String = Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(hash(GENESIS, &e), expected);
        let named = Sealed {
            actor_name: Some("王主任"),
            ..e.clone()
        };
        assert_ne!(hash(GENESIS, &named), expected);
        let renamed = Sealed {
            actor_name: Some("李主任"),
            ..e
        };
        assert_ne!(hash(GENESIS, &named), hash(GENESIS, &renamed));
    }

    #[test]
    fn a_chain_checks_out_and_any_change_breaks_it() {
        let events = [event(1, "{}"), event(2, r#"{"a":1}"#), event(3, "{}")];
        let mut prev = GENESIS.to_string();
        let mut stored = vec![];
        for (i, (id, after)) in events.iter().enumerate() {
            let e = sealed(i as i64 + 1, id, after);
            let h = hash(&prev, &e);
            stored.push((prev.clone(), h.clone()));
            prev = h;
        }
        let mut prev = GENESIS.to_string();
        for (i, (id, after)) in events.iter().enumerate() {
            let e = sealed(i as i64 + 1, id, after);
            assert_eq!(
                check(i as i64, &prev, &e, &stored[i].0, &stored[i].1),
                Ok(())
            );
            prev = stored[i].1.clone();
        }
        // Edited content.
        let edited = sealed(2, "e2", r#"{"a":2}"#);
        assert_eq!(
            check(1, &stored[0].1, &edited, &stored[1].0, &stored[1].1),
            Err(Break::Hash)
        );
        // A removed event.
        let third = sealed(3, "e3", "{}");
        assert_eq!(
            check(1, &stored[0].1, &third, &stored[2].0, &stored[2].1),
            Err(Break::Gap { expected: 2 })
        );
        // A relinked event.
        assert_eq!(
            check(2, GENESIS, &third, GENESIS, &stored[2].1),
            Err(Break::Hash)
        );
        assert_eq!(
            check(2, &stored[1].1, &third, GENESIS, &stored[2].1),
            Err(Break::Link)
        );
    }

    #[test]
    fn field_boundaries_cannot_be_shifted() {
        let mut a = sealed(1, "e1", "{}");
        let mut b = a.clone();
        a.actor = "ab";
        a.role = "c";
        b.actor = "a";
        b.role = "bc";
        assert_ne!(hash(GENESIS, &a), hash(GENESIS, &b));
    }
}
