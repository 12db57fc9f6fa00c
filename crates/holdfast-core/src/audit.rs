//! The audit trail's hash chain.
//!
//! Every change to a record is an [`Event`]; events form one line, each carrying the hash
//! of the one before it: `hash = SHA-256(previous hash ‖ canonical event)`, starting from
//! [`GENESIS`]. The canonical event is the JSON object of the event's fields with sorted
//! keys and no whitespace, so anyone can recompute the chain from an export with ordinary
//! tools. Changing, removing, adding or reordering any stored event breaks the line at
//! that event, which is what [`ChainVerifier`] finds.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// A SHA-256 link of the chain.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainHash([u8; 32]);

/// The fixed value the first event links to: 32 zero bytes.
pub const GENESIS: ChainHash = ChainHash([0; 32]);

impl ChainHash {
    /// The lowercase hex form stored in the database and exports.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({})", self.to_hex())
    }
}

/// A stored hash that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a SHA-256 hash in hex: {0:?}")]
pub struct BadHash(String);

impl FromStr for ChainHash {
    type Err = BadHash;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| BadHash(s.to_owned()))?;
        Ok(Self(bytes))
    }
}

/// The content of one audit event, everything the hash covers except the previous hash.
///
/// `before` and `after` hold canonical JSON text (see [`canonical_json`]); `null` when the
/// record did not exist before or does not exist after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the chain, starting at 1, without gaps.
    pub seq: i64,
    /// UTC time of the change, RFC 3339 with microseconds (`2026-12-01T10:52:06.123456Z`).
    pub at: String,
    /// Who made the change (`user:<id>`, `cli:init`, `system:scheduler`).
    pub actor: String,
    /// The kind of record changed (`person`, `user_account`).
    pub entity_type: String,
    /// The changed record's id.
    pub entity_id: String,
    /// What happened (`create`, `update`, `employment_status_changed`).
    pub action: String,
    /// The record before the change, as canonical JSON.
    pub before: String,
    /// The record after the change, as canonical JSON.
    pub after: String,
}

/// A stored event: its content and the two links as they were read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The event's content.
    pub event: Event,
    /// The hash it claims to follow, as stored.
    pub prev_hash: String,
    /// Its own hash, as stored.
    pub hash: String,
}

/// Serialises a JSON value canonically: object keys sorted, no insignificant whitespace.
///
/// serde_json's map is ordered by key unless its `preserve_order` feature is on, which this
/// workspace never enables; the tests below pin that.
#[must_use]
pub fn canonical_json(value: &serde_json::Value) -> String {
    value.to_string()
}

/// An event's content borrowed from wherever it was read (a database row, an export), so
/// the verifier hashes it without copying: verification walks every event, and copies were
/// most of its cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventRef<'a> {
    /// Position in the chain.
    pub seq: i64,
    /// UTC time of the change.
    pub at: &'a str,
    /// Who made the change.
    pub actor: &'a str,
    /// The kind of record changed.
    pub entity_type: &'a str,
    /// The changed record's id.
    pub entity_id: &'a str,
    /// What happened.
    pub action: &'a str,
    /// The record before, as canonical JSON.
    pub before: &'a str,
    /// The record after, as canonical JSON.
    pub after: &'a str,
}

impl EventRef<'_> {
    /// Writes the canonical JSON text of this event into `out` (cleared first).
    pub fn canonical_into(&self, out: &mut Vec<u8>) {
        fn text(out: &mut Vec<u8>, v: &str) {
            // Writing a &str into a Vec cannot fail; serde_json escapes exactly as it
            // serialises a JSON string value.
            let _ = serde_json::to_writer(&mut *out, v);
        }
        out.clear();
        // Keys in sorted order; `before` and `after` are already canonical JSON.
        out.extend_from_slice(b"{\"action\":");
        text(out, self.action);
        out.extend_from_slice(b",\"actor\":");
        text(out, self.actor);
        out.extend_from_slice(b",\"after\":");
        out.extend_from_slice(self.after.as_bytes());
        out.extend_from_slice(b",\"at\":");
        text(out, self.at);
        out.extend_from_slice(b",\"before\":");
        out.extend_from_slice(self.before.as_bytes());
        out.extend_from_slice(b",\"entity_id\":");
        text(out, self.entity_id);
        out.extend_from_slice(b",\"entity_type\":");
        text(out, self.entity_type);
        out.extend_from_slice(b",\"seq\":");
        out.extend_from_slice(self.seq.to_string().as_bytes());
        out.push(b'}');
    }

    /// This event's hash when it follows `prev`, using `buf` for the canonical text.
    #[must_use]
    pub fn hash_after_with(&self, prev: &ChainHash, buf: &mut Vec<u8>) -> ChainHash {
        self.canonical_into(buf);
        let mut h = Sha256::new();
        h.update(prev.0);
        h.update(&buf[..]);
        ChainHash(h.finalize().into())
    }
}

impl Event {
    /// The event borrowed.
    #[must_use]
    pub fn as_ref(&self) -> EventRef<'_> {
        EventRef {
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            entity_type: &self.entity_type,
            entity_id: &self.entity_id,
            action: &self.action,
            before: &self.before,
            after: &self.after,
        }
    }

    /// The canonical JSON text of this event, the bytes the hash is computed over.
    #[must_use]
    pub fn canonical(&self) -> String {
        let mut out = Vec::with_capacity(128 + self.before.len() + self.after.len());
        self.as_ref().canonical_into(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// This event's hash when it follows `prev`.
    #[must_use]
    pub fn hash_after(&self, prev: &ChainHash) -> ChainHash {
        self.as_ref().hash_after_with(prev, &mut Vec::new())
    }
}

/// Whether the stored hex text is exactly `hash` (lowercase, as Holdfast writes it).
fn hex_is(text: &str, hash: &ChainHash) -> bool {
    let mut bytes = [0u8; 32];
    text.len() == 64
        && hex::decode_to_slice(text, &mut bytes).is_ok()
        && bytes == hash.0
        && !text.bytes().any(|b| b.is_ascii_uppercase())
}

/// What is wrong with the first event that breaks the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakKind {
    /// The event's content no longer matches its hash: it was edited after it was written.
    Modified,
    /// Events are missing before this position: it was deleted.
    Missing,
    /// The event is not part of the original chain: it was added afterwards.
    Inserted,
    /// The event belongs to the chain but stands in the wrong place.
    Reordered,
}

impl fmt::Display for BreakKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Modified => "modified",
            Self::Missing => "missing",
            Self::Inserted => "inserted",
            Self::Reordered => "reordered",
        })
    }
}

/// The first broken event of a chain and an explanation a person can follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// Sequence number of the first bad event.
    pub seq: i64,
    /// What happened to it.
    pub kind: BreakKind,
    /// Why the verifier concluded so.
    pub detail: String,
}

impl fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event {} {}: {}", self.seq, self.kind, self.detail)
    }
}

/// The verifier's verdict on one event, when it is not simply fine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Suspect {
    /// The chain is broken here and the cause is known.
    Broken(ChainBreak),
    /// The event does not link to its predecessor. Whether it was inserted or moved depends
    /// on where its claimed predecessor is; the caller looks that up (by hash) and calls
    /// [`ChainVerifier::classify_unlinked`].
    Unlinked {
        /// The event that does not link.
        seq: i64,
        /// The hash it claims to follow.
        claims_prev: String,
    },
}

/// Walks the chain event by event in sequence order, holding only the last hash, so memory
/// stays flat however long the trail is.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev: ChainHash,
    expected_seq: i64,
    buf: Vec<u8>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            prev: GENESIS,
            expected_seq: 1,
            buf: Vec::with_capacity(4096),
        }
    }
}

impl ChainVerifier {
    /// A verifier at the start of the chain.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A verifier that goes on from a point already verified: `verified` events ending in
    /// `head`. The caller must have checked that the stored event `verified` still has `head`.
    #[must_use]
    pub fn resume(verified: i64, head: ChainHash) -> Self {
        Self {
            prev: head,
            expected_seq: verified + 1,
            ..Self::default()
        }
    }

    /// How many events have verified so far.
    #[must_use]
    pub fn verified(&self) -> i64 {
        self.expected_seq - 1
    }

    /// The hash of the last verified event ([`GENESIS`] when none): the chain's head, which an
    /// auditor can note down to detect later truncation.
    #[must_use]
    pub fn head(&self) -> ChainHash {
        self.prev
    }

    /// Checks the next stored event.
    ///
    /// # Errors
    /// Returns what is suspect about the event; the verifier must not be fed further events
    /// after an error.
    pub fn check(&mut self, stored: &StoredEvent) -> Result<(), Suspect> {
        self.check_ref(stored.event.as_ref(), &stored.prev_hash, &stored.hash)
    }

    /// [`ChainVerifier::check`] on a borrowed event and its stored links, without copying.
    ///
    /// # Errors
    /// As [`ChainVerifier::check`].
    pub fn check_ref(
        &mut self,
        event: EventRef<'_>,
        prev_hash: &str,
        hash: &str,
    ) -> Result<(), Suspect> {
        let seq = event.seq;
        if seq != self.expected_seq {
            let kind = if seq > self.expected_seq {
                BreakKind::Missing
            } else {
                BreakKind::Inserted
            };
            return Err(Suspect::Broken(ChainBreak {
                seq: self.expected_seq,
                kind,
                detail: format!(
                    "expected event {} next but found event {seq}",
                    self.expected_seq
                ),
            }));
        }
        if !hex_is(prev_hash, &self.prev) {
            return Err(Suspect::Unlinked {
                seq,
                claims_prev: prev_hash.to_owned(),
            });
        }
        let computed = event.hash_after_with(&self.prev, &mut self.buf);
        if !hex_is(hash, &computed) {
            return Err(Suspect::Broken(ChainBreak {
                seq,
                kind: BreakKind::Modified,
                detail: "its content no longer matches its hash".to_owned(),
            }));
        }
        self.prev = computed;
        self.expected_seq += 1;
        Ok(())
    }

    /// Names the break for an event that does not link to its predecessor, given the
    /// sequence number of the event whose hash it claims to follow (`None` if no event has
    /// that hash).
    #[must_use]
    pub fn classify_unlinked(&self, seq: i64, linked_to: Option<i64>) -> ChainBreak {
        match linked_to {
            Some(s) if s >= seq => ChainBreak {
                seq,
                kind: BreakKind::Reordered,
                detail: format!("it follows event {s}, which now stands after it"),
            },
            Some(s) if s < seq - 1 => ChainBreak {
                seq: s + 1,
                kind: BreakKind::Inserted,
                detail: format!(
                    "event {seq} was written right after event {s}, so the events between were added later"
                ),
            },
            _ => ChainBreak {
                seq,
                kind: BreakKind::Inserted,
                detail: format!(
                    "it does not follow event {} (the hash it claims to follow matches no event): \
                     it was added later, or event {} was rewritten with a new hash",
                    seq - 1,
                    seq - 1
                ),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: i64) -> Event {
        Event {
            seq,
            at: format!("2026-12-01T10:00:{:02}.000000Z", seq % 60),
            actor: "cli:init".into(),
            entity_type: "person".into(),
            entity_id: format!("p{seq}"),
            action: "create".into(),
            before: "null".into(),
            after: canonical_json(&serde_json::json!({"name": "Ada \"A\"", "age": seq})),
        }
    }

    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut prev = GENESIS;
        (1..=n)
            .map(|seq| {
                let e = event(seq);
                let hash = e.hash_after(&prev);
                let stored = StoredEvent {
                    event: e,
                    prev_hash: prev.to_hex(),
                    hash: hash.to_hex(),
                };
                prev = hash;
                stored
            })
            .collect()
    }

    /// Runs the verifier the way the store does, resolving links by hash within `events`.
    fn verify(events: &[StoredEvent]) -> Result<i64, ChainBreak> {
        let mut v = ChainVerifier::new();
        for e in events {
            match v.check(e) {
                Ok(()) => {}
                Err(Suspect::Broken(b)) => return Err(b),
                Err(Suspect::Unlinked { seq, claims_prev }) => {
                    let linked = events
                        .iter()
                        .find(|o| o.hash == claims_prev)
                        .map(|o| o.event.seq);
                    return Err(v.classify_unlinked(seq, linked));
                }
            }
        }
        Ok(v.verified())
    }

    #[test]
    fn canonical_json_sorts_keys_and_drops_whitespace() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{ "b": 1, "a": {"d": [1, 2], "c": null} }"#)
                .expect("valid json");
        assert_eq!(canonical_json(&v), r#"{"a":{"c":null,"d":[1,2]},"b":1}"#);
    }

    #[test]
    fn canonical_event_is_valid_json_with_sorted_keys() {
        let text = event(7).canonical();
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("canonical is json");
        assert_eq!(canonical_json(&parsed), text);
    }

    #[test]
    fn hash_is_sha256_of_previous_hash_and_canonical_event() {
        let e = event(1);
        let mut h = Sha256::new();
        h.update([0u8; 32]);
        h.update(e.canonical().as_bytes());
        let expected: [u8; 32] = h.finalize().into();
        assert_eq!(e.hash_after(&GENESIS).to_hex(), hex::encode(expected));
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(50)), Ok(50));
        assert_eq!(verify(&[]), Ok(0));
    }

    #[test]
    fn edited_content_is_reported_as_modified() {
        let mut c = chain(10);
        c[3].event.actor = "user:mallory".into();
        let b = verify(&c).expect_err("tampered");
        assert_eq!((b.seq, b.kind), (4, BreakKind::Modified));
    }

    #[test]
    fn a_deleted_event_is_reported_as_missing() {
        let mut c = chain(10);
        c.remove(4);
        let b = verify(&c).expect_err("tampered");
        assert_eq!((b.seq, b.kind), (5, BreakKind::Missing));
    }

    #[test]
    fn a_forged_event_at_the_end_is_reported_as_inserted() {
        let mut c = chain(5);
        let forged = event(6);
        let fake_prev = Sha256::digest(b"forged").into();
        let hash = forged.hash_after(&ChainHash(fake_prev));
        c.push(StoredEvent {
            event: forged,
            prev_hash: hex::encode(fake_prev),
            hash: hash.to_hex(),
        });
        let b = verify(&c).expect_err("tampered");
        assert_eq!((b.seq, b.kind), (6, BreakKind::Inserted));
    }

    #[test]
    fn a_well_linked_forgery_in_the_middle_is_named_by_the_event_after_it() {
        // The forger links event 4' to event 3 correctly and renumbers the rest; the
        // original event 4 (now 5) still points at event 3.
        let original = chain(6);
        let mut c: Vec<StoredEvent> = original[..3].to_vec();
        let mut forged = event(4);
        forged.actor = "user:mallory".into();
        let prev: ChainHash = c[2].hash.parse().expect("hex");
        let h = forged.hash_after(&prev);
        c.push(StoredEvent {
            event: forged,
            prev_hash: prev.to_hex(),
            hash: h.to_hex(),
        });
        for mut e in original[3..].iter().cloned() {
            e.event.seq += 1;
            c.push(e);
        }
        let b = verify(&c).expect_err("tampered");
        assert_eq!((b.seq, b.kind), (4, BreakKind::Inserted));
    }

    #[test]
    fn two_swapped_events_are_reported_as_reordered() {
        let mut c = chain(8);
        c.swap(2, 3);
        c[2].event.seq = 3;
        c[3].event.seq = 4;
        let b = verify(&c).expect_err("tampered");
        assert_eq!((b.seq, b.kind), (3, BreakKind::Reordered));
    }

    #[test]
    fn a_malformed_stored_hash_is_rejected_when_parsed() {
        assert!("zz".parse::<ChainHash>().is_err());
        assert_eq!(GENESIS.to_hex().parse::<ChainHash>(), Ok(GENESIS));
    }
}
