//! Signed checkpoints of the audit trail. The hash chain alone shows that events were not
//! edited in place; it cannot show that the newest events were cut off, that everything was
//! deleted, or that someone with database access rewrote the trail and recomputed every
//! hash. A checkpoint is Holdfast's signed statement "the trail had `seq` events ending in
//! `head` at `at`", made with an Ed25519 key kept outside the database. Checkpoints chain
//! too (each signs its predecessor's signature), so removing one from the middle shows; a
//! copy kept elsewhere (a witness) shows the removal of the newest.
//!
//! The signed message is plain text so an auditor's own script can rebuild it:
//! `holdfast-checkpoint-v1\n{number}\n{seq}\n{head}\n{at}\n{previous signature or -}`.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// One checkpoint, signed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    /// 1, 2, 3 … without gaps.
    pub number: i64,
    /// How many events the trail had.
    pub seq: i64,
    /// The hash of event `seq` (64 zeros for an empty trail).
    pub head: String,
    /// When it was signed (RFC 3339, UTC).
    pub at: String,
    /// The previous checkpoint's signature (`-` for the first).
    pub prev: String,
    /// Ed25519 signature of [`Checkpoint::message`], hex.
    pub signature: String,
}

/// The text that is signed.
#[must_use]
pub fn message(number: i64, seq: i64, head: &str, at: &str, prev: &str) -> String {
    format!("holdfast-checkpoint-v1\n{number}\n{seq}\n{head}\n{at}\n{prev}")
}

/// A signing key read from its file: 64 hex digits of the Ed25519 seed.
#[derive(Clone)]
pub struct Key(SigningKey);

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret.
        write!(f, "Key(public {})", self.public_hex())
    }
}

/// A key file or public key that is not what it should be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(String);

impl Key {
    /// A key from a 32-byte random seed.
    #[must_use]
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self(SigningKey::from_bytes(&seed))
    }

    /// Reads a key file's text.
    ///
    /// # Errors
    /// When the text is not 64 hex digits.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let mut seed = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut seed)
            .map_err(|_| KeyError("a signing key file holds 64 hex digits".into()))?;
        Ok(Self::from_seed(seed))
    }

    /// The key file's text.
    #[must_use]
    pub fn to_file_text(&self) -> String {
        format!("{}\n", hex::encode(self.0.to_bytes()))
    }

    /// The public key, hex, as stored and printed.
    #[must_use]
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }

    /// Signs the checkpoint that follows `previous` (the first when `None`).
    #[must_use]
    pub fn sign(
        &self,
        previous: Option<&Checkpoint>,
        seq: i64,
        head: &str,
        at: &str,
    ) -> Checkpoint {
        let number = previous.map_or(1, |p| p.number + 1);
        let prev = previous.map_or_else(|| "-".to_owned(), |p| p.signature.clone());
        let text = message(number, seq, head, at, &prev);
        Checkpoint {
            number,
            seq,
            head: head.to_owned(),
            at: at.to_owned(),
            prev,
            signature: hex::encode(self.0.sign(text.as_bytes()).to_bytes()),
        }
    }
}

/// What is wrong with the checkpoints, each naming the checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The signature does not verify under the public key: forged or altered.
    BadSignature(i64),
    /// A checkpoint is missing before this one.
    Missing { expected: i64, found: i64 },
    /// It does not sign its predecessor's signature: the checkpoints were rewritten.
    Unchained(i64),
    /// It counts more events than the trail holds: events were cut off.
    Truncated { number: i64, seq: i64, trail: i64 },
    /// The event it names no longer has the hash it signed: the trail was rewritten.
    Rewritten { number: i64, seq: i64 },
    /// A later checkpoint counts fewer events than an earlier one.
    Shrank { number: i64 },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadSignature(n) => write!(
                f,
                "checkpoint {n}: its signature does not verify (forged or altered)"
            ),
            Self::Missing { expected, found } => write!(
                f,
                "checkpoint {expected} is missing (found {found} next): checkpoints were removed"
            ),
            Self::Unchained(n) => write!(
                f,
                "checkpoint {n} does not sign the checkpoint before it: the checkpoints were rewritten"
            ),
            Self::Truncated { number, seq, trail } => write!(
                f,
                "checkpoint {number} signed {seq} events but the trail holds {trail}: events after {trail} were removed"
            ),
            Self::Rewritten { number, seq } => write!(
                f,
                "checkpoint {number} signed a different hash for event {seq}: the trail was rewritten and its hashes recomputed"
            ),
            Self::Shrank { number } => write!(
                f,
                "checkpoint {number} counts fewer events than the one before it"
            ),
        }
    }
}

/// Checks `checkpoints` (in number order) against `public_key` and the trail: `trail` events,
/// `hash_of(seq)` the stored hash of event `seq` (only asked for `seq <= trail`).
#[must_use]
pub fn check(
    checkpoints: &[Checkpoint],
    public_key: &str,
    trail: i64,
    hash_of: impl Fn(i64) -> Option<String>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let key = parse_public(public_key).ok();
    let mut previous: Option<&Checkpoint> = None;
    for c in checkpoints {
        let expected = previous.map_or(1, |p| p.number + 1);
        if c.number != expected {
            problems.push(Problem::Missing {
                expected,
                found: c.number,
            });
        } else if c.prev != previous.map_or("-", |p| p.signature.as_str()) {
            problems.push(Problem::Unchained(c.number));
        }
        if !key.as_ref().is_some_and(|k| verifies(k, c)) {
            problems.push(Problem::BadSignature(c.number));
        }
        if previous.is_some_and(|p| c.seq < p.seq) {
            problems.push(Problem::Shrank { number: c.number });
        }
        if c.seq > trail {
            problems.push(Problem::Truncated {
                number: c.number,
                seq: c.seq,
                trail,
            });
        } else if c.seq > 0 && hash_of(c.seq).as_deref() != Some(c.head.as_str()) {
            problems.push(Problem::Rewritten {
                number: c.number,
                seq: c.seq,
            });
        }
        previous = Some(c);
    }
    problems
}

fn parse_public(hex_key: &str) -> Result<VerifyingKey, KeyError> {
    let mut bytes = [0u8; 32];
    hex::decode_to_slice(hex_key, &mut bytes).map_err(|_| KeyError("not a public key".into()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError("not a public key".into()))
}

fn verifies(key: &VerifyingKey, c: &Checkpoint) -> bool {
    let mut sig = [0u8; 64];
    if hex::decode_to_slice(&c.signature, &mut sig).is_err() {
        return false;
    }
    let text = message(c.number, c.seq, &c.head, &c.at, &c.prev);
    key.verify(text.as_bytes(), &Signature::from_bytes(&sig))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(n: i64) -> String {
        format!("{n:064x}")
    }

    fn signed(key: &Key, seqs: &[i64]) -> Vec<Checkpoint> {
        let mut out: Vec<Checkpoint> = Vec::new();
        for &s in seqs {
            let c = key.sign(out.last(), s, &head(s), "2026-12-03T10:00:00.000000Z");
            out.push(c);
        }
        out
    }

    #[test]
    fn intact_checkpoints_raise_nothing() {
        let key = Key::from_seed([7; 32]);
        let cps = signed(&key, &[0, 3, 10]);
        assert!(check(&cps, &key.public_hex(), 12, |s| Some(head(s))).is_empty());
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let key = Key::from_seed([7; 32]);
        let cps = signed(&key, &[3, 10]);
        let pk = key.public_hex();
        assert_eq!(
            check(&cps, &pk, 9, |s| Some(head(s))),
            [Problem::Truncated {
                number: 2,
                seq: 10,
                trail: 9
            }]
        );
        assert_eq!(
            check(&cps, &pk, 12, |s| Some(if s == 10 {
                head(99)
            } else {
                head(s)
            })),
            [Problem::Rewritten { number: 2, seq: 10 }]
        );
        assert_eq!(
            check(&cps[1..], &pk, 12, |s| Some(head(s))),
            [Problem::Missing {
                expected: 1,
                found: 2
            }]
        );
        let mut altered = cps.clone();
        altered[1].seq = 11;
        assert_eq!(
            check(&altered, &pk, 12, |s| Some(head(s))),
            [
                Problem::BadSignature(2),
                Problem::Rewritten { number: 2, seq: 11 }
            ]
        );
        let other = Key::from_seed([8; 32]);
        let forged = signed(&other, &[3, 10]);
        assert_eq!(check(&forged, &pk, 12, |s| Some(head(s))).len(), 2);
        let mut unchained = cps.clone();
        unchained[1] = key.sign(None, 10, &head(10), "2026-12-03T10:00:00.000000Z");
        unchained[1].number = 2;
        assert!(check(&unchained, &pk, 12, |s| Some(head(s))).contains(&Problem::Unchained(2)));
    }

    #[test]
    fn a_key_file_round_trips_and_never_prints_its_secret() {
        let key = Key::from_seed([1; 32]);
        let again = Key::parse(&key.to_file_text()).expect("parse");
        assert_eq!(again.public_hex(), key.public_hex());
        assert!(!format!("{key:?}").contains(&hex::encode([1u8; 32])));
        assert!(Key::parse("nope").is_err());
    }
}
