import { TransparencyError, TransparencyErrorCode } from '../transparency.errors';
import { NoteSigner, NoteVerifier, openNote } from './signed-note';

/** A C2SP tlog-checkpoint body (https://c2sp.org/tlog-checkpoint). */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
}

/** origin \n size \n base64(root) \n */
export function checkpointText(cp: Checkpoint): string {
  if (!cp.origin || /[\n\r]/.test(cp.origin)) {
    throw new TransparencyError(
      TransparencyErrorCode.InvalidNote,
      'a checkpoint origin is one non-empty line',
    );
  }
  if (!Number.isSafeInteger(cp.size) || cp.size < 0) {
    throw new TransparencyError(
      TransparencyErrorCode.InvalidNote,
      'a checkpoint size is a non-negative integer',
    );
  }
  return `${cp.origin}\n${cp.size}\n${cp.root.toString('base64')}\n`;
}

export function parseCheckpointText(text: string): Checkpoint {
  const lines = text.split('\n');
  // three lines, optional extension lines, final newline
  if (lines.length < 4 || lines[lines.length - 1] !== '') {
    throw new TransparencyError(
      TransparencyErrorCode.InvalidNote,
      'a checkpoint has origin, size and root lines',
    );
  }
  const [origin, sizeText, rootText] = lines;
  const root = Buffer.from(rootText, 'base64');
  if (
    !origin ||
    !/^(0|[1-9][0-9]*)$/.test(sizeText) ||
    root.length !== 32 ||
    root.toString('base64') !== rootText
  ) {
    throw new TransparencyError(TransparencyErrorCode.InvalidNote, 'malformed checkpoint');
  }
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size))
    throw new TransparencyError(TransparencyErrorCode.InvalidNote, 'checkpoint size too large');
  return { origin, size, root };
}

export function signCheckpoint(cp: Checkpoint, signer: NoteSigner): string {
  return signer.sign(checkpointText(cp));
}

/** Verifies the signature, then parses; the origin must be the key's name unless told otherwise. */
export function openCheckpoint(
  note: string,
  verifier: NoteVerifier,
  origin: string = verifier.name,
): Checkpoint {
  const cp = parseCheckpointText(openNote(note, verifier));
  if (cp.origin !== origin) {
    throw new TransparencyError(
      TransparencyErrorCode.InvalidNote,
      `checkpoint origin ${cp.origin} is not ${origin}`,
    );
  }
  return cp;
}
