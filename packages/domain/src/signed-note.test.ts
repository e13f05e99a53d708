import { bytesToHex } from "@noble/hashes/utils.js";
import { base64 } from "@scure/base";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addSignature,
  type Checkpoint,
  formatCheckpoint,
  formatSignerKey,
  formatVerifierKey,
  generateNoteSigner,
  type NoteErrorCode,
  type NoteKey,
  noteKeyId,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  signNote,
  verifiedBy,
  verifierKeyOf,
  verifyNote,
} from "./signed-note.ts";

// Vectors from golang.org/x/mod/sumdb/note (note_test.go).
const PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG =
  "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";
/** Go inserts "ABCD" at byte 60; the em dash is 3 bytes in UTF-8 but 1 unit in a JS string. */
const PETER_SIG_CORRUPT = `${PETER_SIG.slice(0, 58)}ABCD${PETER_SIG.slice(58)}`;

const peter = parseVerifierKey(PETER_VKEY);
const enoch = parseVerifierKey(ENOCH_VKEY);

function codeOf(run: () => unknown): NoteErrorCode | "no error" {
  try {
    run();
    return "no error";
  } catch (error) {
    if (error instanceof Error && "code" in error) {
      return error.code as NoteErrorCode;
    }
    throw error;
  }
}

/** A syntactically valid signature line from an unknown key. */
function foreignLine(name: string): string {
  return `\u2014 ${name} ${base64.encode(new Uint8Array(68).fill(7))}\n`;
}

describe("note keys", () => {
  it("reads and writes Go's signer and verifier keys", () => {
    const signer = parseSignerKey(PETER_SKEY);
    expect(signer.name).toBe("PeterNeumann");
    expect(bytesToHex(signer.keyId)).toBe("c74f20a3");
    expect(formatSignerKey(signer)).toBe(PETER_SKEY);
    expect(formatVerifierKey(verifierKeyOf(signer))).toBe(PETER_VKEY);
    expect(bytesToHex(peter.publicKey)).toBe(bytesToHex(signer.publicKey));
    expect(bytesToHex(peter.keyId)).toBe("c74f20a3");
    expect(formatVerifierKey(peter)).toBe(PETER_VKEY);
    expect(bytesToHex(noteKeyId("EnochRoot", enoch.publicKey))).toBe("af0cfe78");
  });

  it("refuses every truncation and every single-character change of a verifier key", () => {
    const accepted: string[] = [];
    for (let i = 0; i <= PETER_VKEY.length; i++) {
      for (let j = i + 1; j <= PETER_VKEY.length; j++) {
        if (i === 0 && j === PETER_VKEY.length) {
          continue;
        }
        const text = PETER_VKEY.slice(i, j);
        if (codeOf(() => parseVerifierKey(text)) !== "invalid_key") {
          accepted.push(text);
        }
      }
    }
    for (let i = 0; i < PETER_VKEY.length; i++) {
      const text = PETER_VKEY.slice(0, i) + String.fromCharCode(PETER_VKEY.charCodeAt(i) + 1) + PETER_VKEY.slice(i + 1);
      if (codeOf(() => parseVerifierKey(text)) !== "invalid_key") {
        accepted.push(text);
      }
    }
    // A key of the wrong length, and an unknown algorithm, each with a matching key id.
    accepted.push(
      ...[
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
      ].filter((text) => codeOf(() => parseVerifierKey(text)) !== "invalid_key"),
    );
    expect(accepted).toEqual([]);
  });

  it("refuses every truncation and every single-character change of a signer key", () => {
    const accepted: string[] = [];
    for (let i = 0; i <= PETER_SKEY.length; i++) {
      for (let j = i + 1; j <= PETER_SKEY.length; j++) {
        if (i === 0 && j === PETER_SKEY.length) {
          continue;
        }
        const text = PETER_SKEY.slice(i, j);
        if (codeOf(() => parseSignerKey(text)) !== "invalid_key") {
          accepted.push(text);
        }
      }
    }
    for (let i = 0; i < PETER_SKEY.length; i++) {
      const text = PETER_SKEY.slice(0, i) + String.fromCharCode(PETER_SKEY.charCodeAt(i) + 1) + PETER_SKEY.slice(i + 1);
      if (codeOf(() => parseSignerKey(text)) !== "invalid_key") {
        accepted.push(text);
      }
    }
    expect(accepted).toEqual([]);
  });

  it("generates signers whose keys round-trip", () => {
    const a = generateNoteSigner("keyward.example/log/org-1");
    const b = generateNoteSigner("keyward.example/log/org-1");
    expect(bytesToHex(a.secretKey)).not.toBe(bytesToHex(b.secretKey));
    expect(bytesToHex(a.keyId)).toBe(bytesToHex(noteKeyId(a.name, a.publicKey)));
    const parsed = parseSignerKey(formatSignerKey(a));
    expect(bytesToHex(parsed.secretKey)).toBe(bytesToHex(a.secretKey));
    expect(formatVerifierKey(parseVerifierKey(formatVerifierKey(a)))).toBe(formatVerifierKey(a));
  });

  it("refuses key names that are empty or hold spaces or '+'", () => {
    for (const name of ["", "a b", "a+b", "a\tb", "a\nb", "a\u00a0b", "a\u3000b", "a\u2028b", "a\u0085b", "a\ud800"]) {
      expect(
        codeOf(() => generateNoteSigner(name)),
        JSON.stringify(name),
      ).toBe("invalid_key");
    }
    expect(generateNoteSigner("ünïcode.example/ключ").name).toBe("ünïcode.example/ключ");
  });
});

describe("signNote", () => {
  it("reproduces Go's signed note byte for byte", () => {
    expect(signNote(TEXT, parseSignerKey(PETER_SKEY))).toBe(`${TEXT}\n${PETER_SIG}`);
  });

  it("refuses a text that does not end in a newline or holds control characters or invalid UTF-8", () => {
    const signer = parseSignerKey(PETER_SKEY);
    for (const text of ["abc", "", "a\u0001\n", "tab\there\n", "cr\r\n", "bad \ud800 half\n"]) {
      expect(
        codeOf(() => signNote(text, signer)),
        JSON.stringify(text),
      ).toBe("malformed");
    }
  });

  it("refuses a signer whose public key is not its seed's", () => {
    const signer = { ...parseSignerKey(PETER_SKEY), publicKey: enoch.publicKey };
    expect(codeOf(() => signNote(TEXT, signer))).toBe("invalid_key");
  });

  it("signs texts that hold blank lines, and opens them intact", () => {
    const signer = generateNoteSigner("keyward.example/log");
    for (const text of ["\n", "a\n\nb\n", "a\n\n\n", "\u2014 looks like a signature\n"]) {
      const opened = verifyNote(signNote(text, signer), [signer]);
      expect(opened.text).toBe(text);
    }
  });
});

describe("openNote", () => {
  it("verifies Go's note with one known key and keeps the other signature unchecked", () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peter]);
    expect(opened.text).toBe(TEXT);
    expect(opened.signatures.map((s) => [s.name, bytesToHex(s.keyId), s.known, s.valid])).toEqual([
      ["PeterNeumann", "c74f20a3", true, true],
      ["EnochRoot", "af0cfe78", false, false],
    ]);
    expect(verifiedBy(opened, peter)).toBe(true);
    expect(verifiedBy(opened, enoch)).toBe(false);
  });

  it("verifies both signatures when both keys are known", () => {
    const opened = verifyNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [enoch, peter]);
    expect(opened.signatures.map((s) => s.valid)).toEqual([true, true]);
    expect(verifiedBy(opened, enoch)).toBe(true);
    expect(verifiedBy(opened, peter)).toBe(true);
  });

  it("opens a note without known keys, but verifyNote rejects it", () => {
    const note = `${TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    const opened = openNote(note, []);
    expect(opened.signatures.every((s) => !s.known && !s.valid)).toBe(true);
    expect(verifiedBy(opened, peter)).toBe(false);
    expect(codeOf(() => verifyNote(note, []))).toBe("no_verified_signature");
  });

  it("reports a bad signature from a known key, and verifyNote rejects the whole note", () => {
    const note = `${TEXT}\n${PETER_SIG_CORRUPT}${ENOCH_SIG}`;
    const opened = openNote(note, [peter, enoch]);
    expect(opened.signatures.map((s) => [s.known, s.valid])).toEqual([
      [true, false],
      [true, true],
    ]);
    expect(verifiedBy(opened, peter)).toBe(false);
    expect(codeOf(() => verifyNote(note, [peter, enoch]))).toBe("invalid_signature");
    const tampered = `${TEXT.replace("cryptography", "cryptographY")}\n${PETER_SIG}`;
    expect(verifiedBy(openNote(tampered, [peter]), peter)).toBe(false);
  });

  it("ignores keys that share only the name or only the key id with a signature", () => {
    const sameName = { ...generateNoteSigner("PeterNeumann") };
    const sameId: NoteKey = { name: "PeterNeumann2", keyId: peter.keyId, publicKey: peter.publicKey };
    const opened = openNote(`${TEXT}\n${PETER_SIG}`, [sameName, sameId]);
    expect(opened.signatures.map((s) => [s.known, s.valid])).toEqual([[false, false]]);
    expect(verifiedBy(opened, sameName)).toBe(false);
    expect(verifiedBy(opened, peter)).toBe(false);
  });

  it("does not let a forged key with the same name and id verify", () => {
    const forged: NoteKey = { name: peter.name, keyId: peter.keyId, publicKey: enoch.publicKey };
    const opened = openNote(`${TEXT}\n${PETER_SIG}`, [forged]);
    expect(opened.signatures.map((s) => [s.known, s.valid])).toEqual([[true, false]]);
    expect(verifiedBy(opened, forged)).toBe(false);
    // Opened with Peter's real key, the note still does not count as verified by the forged one.
    expect(verifiedBy(openNote(`${TEXT}\n${PETER_SIG}`, [peter]), forged)).toBe(false);
    expect(codeOf(() => openNote(`${TEXT}\n${PETER_SIG}`, [peter, forged]))).toBe("ambiguous_key");
    expect(verifiedBy(openNote(`${TEXT}\n${PETER_SIG}`, [peter, { ...peter }]), peter)).toBe(true);
  });

  it("rejects malformed notes", () => {
    const notes = {
      "no signatures": TEXT,
      "blank line, no signatures": `${TEXT}\n`,
      "no final newline": `${TEXT}\n${PETER_SIG.slice(0, -1)}`,
      "control character": `\u0001${TEXT}\n${PETER_SIG}`,
      "invalid UTF-16/UTF-8": `\ud800${TEXT}\n${PETER_SIG}`,
      "name with a space": `${TEXT}\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      "line after signatures": `${TEXT}\n${PETER_SIG}Unexpected line.\n`,
      "hyphen instead of em dash": `${TEXT}\n-${PETER_SIG.slice(1)}`,
      "no space after the dash": `${TEXT}\n\u2014${PETER_SIG.slice(2)}`,
      "name with a plus": `${TEXT}\n${PETER_SIG.replace("PeterNeumann", "Peter+Neumann")}`,
      "empty name": `${TEXT}\n${PETER_SIG.replace("PeterNeumann", "")}`,
      "no signature": `${TEXT}\n\u2014 PeterNeumann\n`,
      "empty signature": `${TEXT}\n\u2014 PeterNeumann \n`,
      "not base64": `${TEXT}\n${PETER_SIG.replace("x08go", "x08g!")}`,
      "unpadded base64": `${TEXT}\n${PETER_SIG.replace("=\n", "\n")}`,
      "signature of four bytes": `${TEXT}\n\u2014 PeterNeumann x08gow==\n`,
      "trailing space": `${TEXT}\n${PETER_SIG.replace("=\n", "= \n")}`,
      "same key twice": `${TEXT}\n${PETER_SIG}${PETER_SIG}`,
      "same unknown key twice": `${TEXT}\n${ENOCH_SIG}${PETER_SIG}${ENOCH_SIG}`,
      "same key twice, one corrupt": `${TEXT}\n${PETER_SIG}${PETER_SIG_CORRUPT}`,
    };
    for (const [desc, note] of Object.entries(notes)) {
      expect(
        codeOf(() => openNote(note, [peter])),
        desc,
      ).toBe("malformed");
      expect(
        codeOf(() => addSignature(note, parseSignerKey(PETER_SKEY))),
        desc,
      ).toBe("malformed");
    }
  });

  it("accepts up to 100 signature lines and no more", () => {
    const lines = Array.from({ length: 101 }, (_, i) => foreignLine(`witness-${i}.example`));
    const hundred = `${TEXT}\n${PETER_SIG}${lines.slice(0, 99).join("")}`;
    expect(openNote(hundred, [peter]).signatures).toHaveLength(100);
    expect(verifiedBy(openNote(hundred, [peter]), peter)).toBe(true);
    expect(codeOf(() => openNote(`${hundred}${lines[100]}`, [peter]))).toBe("malformed");
    expect(codeOf(() => addSignature(hundred, generateNoteSigner("one-too-many")))).toBe("malformed");
  });
});

describe("addSignature", () => {
  it("cosigns a note, keeping the text and the signatures already there", () => {
    const log = generateNoteSigner("keyward.example/log");
    const witness = generateNoteSigner("witness.example/w1");
    const signed = signNote("keyward.example/log\n5\nAAAA\n", log);
    const cosigned = addSignature(signed, witness);
    expect(cosigned.startsWith(signed)).toBe(true);
    const opened = verifyNote(cosigned, [log, witness]);
    expect(opened.signatures.map((s) => [s.name, s.valid])).toEqual([
      ["keyward.example/log", true],
      ["witness.example/w1", true],
    ]);
    expect(verifiedBy(opened, log) && verifiedBy(opened, witness)).toBe(true);
  });

  it("replaces a signature from the same key instead of repeating it", () => {
    const log = generateNoteSigner("keyward.example/log");
    const witness = generateNoteSigner("witness.example/w1");
    const cosigned = addSignature(signNote(TEXT, log), witness);
    const again = addSignature(cosigned, log);
    expect(verifyNote(again, [log, witness]).signatures.map((s) => s.name)).toEqual([
      "witness.example/w1",
      "keyward.example/log",
    ]);
  });

  it("keeps signatures it cannot check, byte for byte", () => {
    const witness = generateNoteSigner("witness.example/w1");
    const cosigned = addSignature(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, witness);
    expect(cosigned.startsWith(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}\u2014 witness.example/w1 `)).toBe(true);
    expect(verifyNote(cosigned, [peter, enoch, witness]).signatures.every((s) => s.valid)).toBe(true);
  });
});

describe("checkpoints", () => {
  const root = Uint8Array.from({ length: 32 }, (_, i) => i);

  it("formats the C2SP text and reads the spec's example", () => {
    expect(formatCheckpoint({ origin: "keyward.example/log", size: 0, rootHash: root, extensions: [] })).toBe(
      `keyward.example/log\n0\n${base64.encode(root)}\n`,
    );
    expect(formatCheckpoint({ origin: "o", size: 12, rootHash: root, extensions: ["ext one", "two"] })).toBe(
      `o\n12\n${base64.encode(root)}\next one\ntwo\n`,
    );
    const example = parseCheckpoint(
      "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    );
    expect(example.origin).toBe("example.com/behind-the-sofa");
    expect(example.size).toBe(20852163);
    expect(bytesToHex(example.rootHash)).toBe("0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62");
    expect(example.extensions).toEqual([]);
  });

  it("round-trips any checkpoint, also through a signed note", () => {
    const line = fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }).filter((s) => /^[^\p{Cc}]+$/u.test(s));
    const checkpoint = fc.record({
      origin: line,
      size: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      rootHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      extensions: fc.array(line, { maxLength: 3 }),
    });
    const signer = generateNoteSigner("keyward.example/log");
    fc.assert(
      fc.property(checkpoint, (c: Checkpoint) => {
        const text = formatCheckpoint(c);
        const parsed = parseCheckpoint(verifyNote(signNote(text, signer), [signer]).text);
        expect({ ...parsed, rootHash: bytesToHex(parsed.rootHash) }).toEqual({
          ...c,
          rootHash: bytesToHex(c.rootHash),
        });
        expect(formatCheckpoint(parsed)).toBe(text);
      }),
      { numRuns: 100 },
    );
  });

  it("parses strictly", () => {
    const r = base64.encode(root);
    const bad = {
      "no final newline": `o\n1\n${r}`,
      "two lines": "o\n1\n",
      "empty origin": `\n1\n${r}\n`,
      "leading zero": `o\n01\n${r}\n`,
      "plus sign": `o\n+1\n${r}\n`,
      negative: `o\n-1\n${r}\n`,
      fraction: `o\n1.0\n${r}\n`,
      exponent: `o\n1e3\n${r}\n`,
      hex: `o\n0x10\n${r}\n`,
      space: `o\n 1\n${r}\n`,
      "empty size": `o\n\n${r}\n`,
      "beyond 2^53": `o\n9007199254740993\n${r}\n`,
      "short root": `o\n1\n${base64.encode(root.subarray(1))}\n`,
      "long root": `o\n1\n${base64.encode(new Uint8Array(33))}\n`,
      "unpadded root": `o\n1\n${r.replace("=", "")}\n`,
      "non-canonical root": `o\n1\n${r.slice(0, -2)}B=\n`,
      "url-safe root": `o\n1\n${base64.encode(new Uint8Array(32).fill(0xfb)).replaceAll("+", "-")}\n`,
      "empty extension": `o\n1\n${r}\n\n`,
      "control character": `o\u0001\n1\n${r}\n`,
    };
    for (const [desc, text] of Object.entries(bad)) {
      expect(
        codeOf(() => parseCheckpoint(text)),
        desc,
      ).toBe("malformed_checkpoint");
    }
    expect(parseCheckpoint(`o\n9007199254740991\n${r}\n`).size).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("refuses to format what it would not parse", () => {
    const good = { origin: "o", size: 1, rootHash: root, extensions: [] };
    for (const c of [
      { ...good, origin: "" },
      { ...good, origin: "two\nlines" },
      { ...good, size: -1 },
      { ...good, size: 1.5 },
      { ...good, size: 2 ** 53 },
      { ...good, rootHash: root.subarray(1) },
      { ...good, extensions: [""] },
      { ...good, extensions: ["a\nb"] },
    ]) {
      expect(
        codeOf(() => formatCheckpoint(c)),
        JSON.stringify({ ...c, rootHash: c.rootHash.length }),
      ).toBe("malformed_checkpoint");
    }
  });
});
