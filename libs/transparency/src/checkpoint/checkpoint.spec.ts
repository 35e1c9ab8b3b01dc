import { readFileSync } from 'node:fs';
import { sharedPath } from '@app/config';
import { TransparencyError } from '../transparency.errors';
import {
  checkpointText,
  isValidNote,
  NoteSigner,
  NoteVerifier,
  openCheckpoint,
  parseCheckpointText,
  signCheckpoint,
} from './index';

interface CheckpointVector {
  name: string;
  keyName: string;
  seedHex: string;
  publicKeyHex: string;
  keyIdHex: string;
  vkey: string;
  origin: string;
  treeSize: number;
  rootHex: string;
  rootBase64: string;
  noteText: string;
  signatureLine: string;
  signedNote: string;
}

const vectors = JSON.parse(readFileSync(sharedPath('test-vectors', 'merkle-ledger.json'), 'utf8')) as {
  checkpoints: CheckpointVector[];
  signedNotes: { name: string; vkey: string; note: string; expectedValid: boolean }[];
};

describe('checkpoints (merkle-ledger.json)', () => {
  it.each(vectors.checkpoints.map((c) => [c.name, c]))('%s', (_name, c) => {
    const signer = NoteSigner.fromSeedHex(c.keyName, c.seedHex);
    expect(signer.verifier.publicKey.toString('hex')).toBe(c.publicKeyHex);
    expect(signer.verifier.keyId.toString('hex')).toBe(c.keyIdHex);
    expect(signer.verifier.verifierKey).toBe(c.vkey);
    const cp = { origin: c.origin, size: c.treeSize, root: Buffer.from(c.rootHex, 'hex') };
    expect(checkpointText(cp)).toBe(c.noteText);
    expect(signer.signatureLine(c.noteText)).toBe(c.signatureLine);
    expect(signCheckpoint(cp, signer)).toBe(c.signedNote);
    const opened = openCheckpoint(c.signedNote, NoteVerifier.parse(c.vkey), c.origin);
    expect(opened.size).toBe(c.treeSize);
    expect(opened.root.toString('base64')).toBe(c.rootBase64);
  });
});

describe('signed notes (merkle-ledger.json)', () => {
  it.each(vectors.signedNotes.map((n) => [n.name, n]))('%s', (_name, n) => {
    expect(isValidNote(n.note, NoteVerifier.parse(n.vkey))).toBe(n.expectedValid);
  });

  it('ignores unknown signatures next to a valid one, rejects a note with only unknown ones', () => {
    const ours = NoteSigner.fromSeedHex('librery.test/log', '11'.repeat(32));
    const witness = NoteSigner.fromSeedHex('witness.test/w1', '22'.repeat(32));
    const text = 'librery.test/log\n3\n' + Buffer.alloc(32, 7).toString('base64') + '\n';
    const both = `${text}\n${witness.signatureLine(text)}${ours.signatureLine(text)}`;
    expect(isValidNote(both, ours.verifier)).toBe(true);
    expect(isValidNote(witness.sign(text), ours.verifier)).toBe(false);
  });

  it('rejects malformed verifier keys and seeds', () => {
    const bad = [
      '',
      'name',
      'name+1234abcd',
      'na me+42778171+ATNV',
      'librery.example/ledger-test+42778172+ATNVMu57tZ2as9UUg5N5MyKVVU3O220jnzJ/kmt+/EdT',
    ];
    for (const vkey of bad) expect(() => NoteVerifier.parse(vkey)).toThrow(TransparencyError);
    expect(() => NoteSigner.fromSeedHex('x', 'abc')).toThrow(TransparencyError);
  });

  it('parses checkpoint texts strictly', () => {
    expect(() => parseCheckpointText('origin\n01\n' + Buffer.alloc(32).toString('base64') + '\n')).toThrow(
      TransparencyError,
    );
    expect(() => parseCheckpointText('origin\n1\nAAAA\n')).toThrow(TransparencyError);
    expect(parseCheckpointText('o\n5\n' + Buffer.alloc(32).toString('base64') + '\n').size).toBe(5);
  });
});
