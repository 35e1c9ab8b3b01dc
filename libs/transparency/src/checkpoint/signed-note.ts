import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { TransparencyError, TransparencyErrorCode } from '../transparency.errors';

/** C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 signatures (type 0x01). */

const ED25519_TYPE = 0x01;
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const SIGNATURE_PREFIX = '\u2014 ';

function assertKeyName(name: string): void {
  if (name.length === 0 || /[\s+]/u.test(name)) {
    throw new TransparencyError(
      TransparencyErrorCode.InvalidKey,
      'a key name is non-empty, without spaces or "+"',
      {
        name,
      },
    );
  }
}

/** Key ID = first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key). */
export function noteKeyId(name: string, publicKey: Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from(name, 'utf8'))
    .update(Buffer.from([0x0a, ED25519_TYPE]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** Verifier key text: name + "+" + hex key ID + "+" + base64(0x01 ‖ public key). */
export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  assertKeyName(name);
  const keyBytes = Buffer.concat([Buffer.from([ED25519_TYPE]), publicKey]);
  return `${name}+${noteKeyId(name, publicKey).toString('hex')}+${keyBytes.toString('base64')}`;
}

export class NoteVerifier {
  private readonly key: KeyObject;
  readonly keyId: Buffer;

  constructor(
    readonly name: string,
    readonly publicKey: Buffer,
  ) {
    assertKeyName(name);
    if (publicKey.length !== 32)
      throw new TransparencyError(TransparencyErrorCode.InvalidKey, 'an Ed25519 key has 32 bytes');
    this.key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    this.keyId = noteKeyId(name, publicKey);
  }

  /** Parses a verifier key, splitting on the first two "+" only (the base64 part may contain "+"). */
  static parse(vkey: string): NoteVerifier {
    const first = vkey.indexOf('+');
    const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
    if (first <= 0 || second < 0)
      throw new TransparencyError(TransparencyErrorCode.InvalidKey, 'malformed verifier key');
    const name = vkey.slice(0, first);
    const idHex = vkey.slice(first + 1, second);
    const keyB64 = vkey.slice(second + 1);
    const keyBytes = Buffer.from(keyB64, 'base64');
    if (
      !/^[0-9a-f]{8}$/.test(idHex) ||
      keyBytes.toString('base64') !== keyB64 ||
      keyBytes.length !== 33 ||
      keyBytes[0] !== ED25519_TYPE
    ) {
      throw new TransparencyError(TransparencyErrorCode.InvalidKey, 'malformed or non-Ed25519 verifier key');
    }
    const verifier = new NoteVerifier(name, keyBytes.subarray(1));
    if (verifier.keyId.toString('hex') !== idHex) {
      throw new TransparencyError(TransparencyErrorCode.InvalidKey, 'verifier key ID does not match its key');
    }
    return verifier;
  }

  get verifierKey(): string {
    return formatVerifierKey(this.name, this.publicKey);
  }

  verifySignature(text: string, signature: Uint8Array): boolean {
    if (signature.length !== 64) return false;
    return verify(null, Buffer.from(text, 'utf8'), this.key, signature);
  }
}

export class NoteSigner {
  private readonly key: KeyObject;
  readonly verifier: NoteVerifier;

  /** `seed` is the RFC 8032 32-byte private key. */
  constructor(
    readonly name: string,
    seed: Uint8Array,
  ) {
    assertKeyName(name);
    if (seed.length !== 32)
      throw new TransparencyError(TransparencyErrorCode.InvalidKey, 'an Ed25519 seed has 32 bytes');
    this.key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    const spki = createPublicKey(this.key).export({ format: 'der', type: 'spki' });
    this.verifier = new NoteVerifier(name, Buffer.from(spki.subarray(SPKI_PREFIX.length)));
  }

  static fromSeedHex(name: string, seedHex: string): NoteSigner {
    if (!/^[0-9a-fA-F]{64}$/.test(seedHex)) {
      throw new TransparencyError(TransparencyErrorCode.InvalidKey, 'the signing seed is 64 hex digits');
    }
    return new NoteSigner(name, Buffer.from(seedHex, 'hex'));
  }

  /** The signature line (with its newline) for `text`. */
  signatureLine(text: string): string {
    const signature = sign(null, Buffer.from(text, 'utf8'), this.key);
    return `${SIGNATURE_PREFIX}${this.name} ${Buffer.concat([this.verifier.keyId, signature]).toString('base64')}\n`;
  }

  /** text + blank line + signature line. */
  sign(text: string): string {
    assertNoteText(text);
    return `${text}\n${this.signatureLine(text)}`;
  }
}

function assertNoteText(text: string): void {
  if (!text.endsWith('\n') || text.includes('\r')) {
    throw new TransparencyError(
      TransparencyErrorCode.InvalidNote,
      'a note text ends with a newline and has no CR',
    );
  }
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: Buffer;
  readonly signature: Buffer;
}

export interface ParsedNote {
  readonly text: string;
  readonly signatures: NoteSignature[];
}

/** Splits a signed note at its last blank line into the text and the signature lines. */
export function parseNote(note: string): ParsedNote {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) {
    throw new TransparencyError(
      TransparencyErrorCode.InvalidNote,
      'a signed note has a text, a blank line and signatures',
    );
  }
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split('\n');
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const match = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!match) throw new TransparencyError(TransparencyErrorCode.InvalidNote, 'malformed signature line');
    const raw = Buffer.from(match[2], 'base64');
    if (raw.toString('base64') !== match[2] || raw.length < 5) {
      throw new TransparencyError(TransparencyErrorCode.InvalidNote, 'malformed signature');
    }
    signatures.push({ name: match[1], keyId: raw.subarray(0, 4), signature: raw.subarray(4) });
  }
  return { text, signatures };
}

/**
 * Opens a signed note: returns its text when a signature by the known key (same name and key
 * ID) verifies; unknown signatures are ignored (witnesses, rotation). Throws otherwise.
 */
export function openNote(note: string, verifier: NoteVerifier): string {
  const parsed = parseNote(note);
  const ours = parsed.signatures.filter((s) => s.name === verifier.name && s.keyId.equals(verifier.keyId));
  if (ours.length === 0) {
    throw new TransparencyError(TransparencyErrorCode.InvalidNote, `no signature by ${verifier.name}`);
  }
  if (!ours.some((s) => verifier.verifySignature(parsed.text, s.signature))) {
    throw new TransparencyError(TransparencyErrorCode.InvalidNote, 'the signature does not verify');
  }
  return parsed.text;
}

export function isValidNote(note: string, verifier: NoteVerifier): boolean {
  try {
    openNote(note, verifier);
    return true;
  } catch (e) {
    if (e instanceof TransparencyError) return false;
    throw e;
  }
}
