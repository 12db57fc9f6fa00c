#!/usr/bin/env python3
"""Verify a Holdfast audit pack (holdfast export --audit-pack FILE) without Holdfast.

Usage: python3 verify-audit-pack.py PACK.json   (needs: pip install cryptography)
Checks that every event links to the one before and matches its SHA-256 hash, that every
checkpoint is signed by the pack's Ed25519 key and chains to the one before, and that the
trail still holds every event a checkpoint signed. Exit 0 when all holds, 1 otherwise.
"""
import hashlib, json, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

def text(s):  # a JSON string as Holdfast writes it (serde_json): UTF-8, minimal escapes
    return json.dumps(s, ensure_ascii=False)

def canonical(e):  # the event's fields in sorted key order; before/after are already JSON
    return ('{"action":%s,"actor":%s,"after":%s,"at":%s,"before":%s,"entity_id":%s,'
            '"entity_type":%s,"seq":%d}' % (text(e["action"]), text(e["actor"]), e["after"],
            text(e["at"]), e["before"], text(e["entity_id"]), text(e["entity_type"]), e["seq"]))

def main(path):
    pack = json.load(open(path, encoding="utf-8"))
    problems, prev, hashes = [], "0" * 64, {}
    for i, e in enumerate(pack["events"], start=1):
        if e["seq"] != i:
            problems.append(f"event {i} is missing (found {e['seq']})"); break
        if e["prev_hash"] != prev:
            problems.append(f"event {i} does not link to event {i - 1}"); break
        digest = hashlib.sha256(bytes.fromhex(prev) + canonical(e).encode()).hexdigest()
        if digest != e["hash"]:
            problems.append(f"event {i} was modified: its content no longer matches its hash"); break
        prev = hashes[i] = digest
    trail = len(hashes)
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(pack["public_key"] or "00" * 32))
    if not pack["checkpoints"]:
        problems.append("the pack holds no checkpoint")
    before = None
    for c in pack["checkpoints"]:
        n, want_prev = c["number"], before["signature"] if before else "-"
        if n != (before["number"] + 1 if before else 1) or c["prev"] != want_prev:
            problems.append(f"checkpoint {n} does not follow the checkpoint before it")
        message = f"holdfast-checkpoint-v1\n{n}\n{c['seq']}\n{c['head']}\n{c['at']}\n{c['prev']}"
        try:
            key.verify(bytes.fromhex(c["signature"]), message.encode())
        except Exception:
            problems.append(f"checkpoint {n}: the signature does not verify")
        if c["seq"] > trail:
            problems.append(f"checkpoint {n} signed {c['seq']} events but the trail holds {trail}")
        elif c["seq"] > 0 and hashes.get(c["seq"]) != c["head"]:
            problems.append(f"checkpoint {n} signed a different hash for event {c['seq']}")
        before = c
    for p in problems:
        print("problem:", p)
    print(f"{trail} events and {len(pack['checkpoints'])} checkpoints checked: "
          + ("intact" if not problems else f"{len(problems)} problem(s)"))
    return 1 if problems else 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
