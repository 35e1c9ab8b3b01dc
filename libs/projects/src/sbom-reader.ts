import { ProjectsError, ProjectsErrorCode } from './projects.errors';

/**
 * Streaming reader of SBOM JSON: the text is tokenised chunk by chunk by stream-json's bare
 * tokenizer, and only the fields the analysis needs are assembled (a "pruned" document: refs,
 * purls, dependency edges). Everything else — descriptions, licences, hashes, files, snippets —
 * is skipped token by token and never materialised, so the file is never held twice in memory.
 */

interface Token {
  readonly name: string;
  readonly value?: unknown;
}
type Tokenizer = (chunk: string | symbol) => unknown;

// stream-json 3 is ESM only and ships typings TypeScript's CommonJS resolution cannot reach.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { jsonParser } = require('stream-json/core/parser.js') as {
  jsonParser: (options: Record<string, unknown>) => Tokenizer;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { none, isMany, getManyValues } = require('stream-chain/defs.js') as {
  none: symbol;
  isMany: (o: unknown) => boolean;
  getManyValues: (o: unknown) => Token[];
};

type Spec = ScalarSpec | ObjectSpec | ArraySpec;
interface ScalarSpec {
  readonly kind: 'scalar';
}
interface ObjectSpec {
  readonly kind: 'object';
  readonly fields: Map<string, Spec>;
}
interface ArraySpec {
  readonly kind: 'array';
  readonly items: Spec;
}

const SCALAR: ScalarSpec = { kind: 'scalar' };
const object = (fields: Record<string, Spec>): ObjectSpec => ({
  kind: 'object',
  fields: new Map(Object.entries(fields)),
});
const array = (items: Spec): ArraySpec => ({ kind: 'array', items });

/** A CycloneDX component as the analysis sees it (nested components kept, recursively). */
export interface RawCdxComponent {
  'bom-ref'?: unknown;
  purl?: unknown;
  name?: unknown;
  components?: RawCdxComponent[];
}

/** The pruned document: the only parts of a CycloneDX or SPDX JSON file the analysis reads. */
export interface RawSbom {
  bomFormat?: unknown;
  specVersion?: unknown;
  spdxVersion?: unknown;
  SPDXID?: unknown;
  metadata?: { component?: RawCdxComponent };
  components?: RawCdxComponent[];
  dependencies?: { ref?: unknown; dependsOn?: unknown[] }[];
  packages?: {
    SPDXID?: unknown;
    name?: unknown;
    externalRefs?: { referenceCategory?: unknown; referenceType?: unknown; referenceLocator?: unknown }[];
  }[];
  relationships?: { spdxElementId?: unknown; relationshipType?: unknown; relatedSpdxElement?: unknown }[];
  documentDescribes?: unknown[];
}

const COMPONENT: ObjectSpec = object({ 'bom-ref': SCALAR, purl: SCALAR, name: SCALAR });
COMPONENT.fields.set('components', array(COMPONENT));

const ROOT: ObjectSpec = object({
  // CycloneDX
  bomFormat: SCALAR,
  specVersion: SCALAR,
  metadata: object({ component: COMPONENT }),
  components: array(COMPONENT),
  dependencies: array(object({ ref: SCALAR, dependsOn: array(SCALAR) })),
  // SPDX 2.x
  spdxVersion: SCALAR,
  SPDXID: SCALAR,
  packages: array(
    object({
      SPDXID: SCALAR,
      name: SCALAR,
      externalRefs: array(
        object({ referenceCategory: SCALAR, referenceType: SCALAR, referenceLocator: SCALAR }),
      ),
    }),
  ),
  relationships: array(
    object({ spdxElementId: SCALAR, relationshipType: SCALAR, relatedSpdxElement: SCALAR }),
  ),
  documentDescribes: array(SCALAR),
});

interface Frame {
  readonly spec: ObjectSpec | ArraySpec;
  readonly value: Record<string, unknown> | unknown[];
  key: string;
  next: Spec | undefined;
}

/** Assembles the pruned document from a token stream; feed tokens, then read `result`. */
class PrunedAssembler {
  private readonly stack: Frame[] = [];
  private skip = 0;
  private top: Frame | undefined;
  done = false;
  result: unknown = undefined;

  consume(token: Token): void {
    const name = token.name;
    if (this.skip > 0) {
      if (name === 'startObject' || name === 'startArray') this.skip++;
      else if (name === 'endObject' || name === 'endArray') this.skip--;
      return;
    }
    const top = this.top;
    switch (name) {
      case 'keyValue':
        top!.key = token.value as string;
        top!.next = (top!.spec as ObjectSpec).fields.get(token.value as string);
        return;
      case 'startObject': {
        const spec = this.expected();
        if (spec?.kind === 'object') this.push({ spec, value: {}, key: '', next: undefined });
        else if (spec && this.top) this.mismatch(spec, 'an object');
        else this.skip = 1;
        return;
      }
      case 'startArray': {
        const spec = this.expected();
        if (spec?.kind === 'array') this.push({ spec, value: [], key: '', next: undefined });
        else if (spec && this.top) this.mismatch(spec, 'a list');
        else this.skip = 1;
        return;
      }
      case 'endObject':
      case 'endArray': {
        const frame = this.stack.pop()!;
        this.top = this.stack[this.stack.length - 1];
        this.deliver(frame.value);
        return;
      }
      case 'stringValue':
      case 'numberValue':
      case 'trueValue':
      case 'falseValue':
      case 'nullValue': {
        const spec = this.expected();
        if (spec?.kind === 'scalar') this.deliver(token.value);
        else if (spec && this.top && name !== 'nullValue') this.mismatch(spec, 'a single value');
        else if (this.top && this.top.spec.kind === 'object') this.top.next = undefined;
        return;
      }
      default:
        return;
    }
  }

  /** A field the analysis reads has another JSON type than the format's: the document is malformed. */
  private mismatch(spec: Spec, found: string): never {
    const where = this.stack.map((f) => (f.spec.kind === 'array' ? '[]' : f.key)).join('.') || 'the document';
    const wanted = spec.kind === 'array' ? 'a list' : spec.kind === 'object' ? 'an object' : 'a single value';
    throw new ProjectsError(ProjectsErrorCode.SbomMalformed, `${where} must be ${wanted}, not ${found}`, {
      field: where,
    });
  }

  private expected(): Spec | undefined {
    const top = this.top;
    if (!top) return this.done ? undefined : ROOT;
    return top.spec.kind === 'array' ? top.spec.items : top.next;
  }

  private push(frame: Frame): void {
    this.stack.push(frame);
    this.top = frame;
  }

  private deliver(value: unknown): void {
    const top = this.top;
    if (!top) {
      this.result = value;
      this.done = true;
      return;
    }
    if (top.spec.kind === 'array') (top.value as unknown[]).push(value);
    else {
      (top.value as Record<string, unknown>)[top.key] = value;
      top.next = undefined;
    }
  }
}

export interface ReadOptions {
  /** Refuse the document once more than this many bytes have been read. */
  readonly maxBytes: number;
}

export interface ReadResult {
  readonly document: RawSbom;
  readonly bytes: number;
}

/**
 * Reads an SBOM from a stream of chunks (an HTTP request, a file stream, a buffer cut in slices).
 * Throws `SbomTooLarge` as soon as `maxBytes` is exceeded (the rest is not read), `SbomMalformed`
 * for invalid UTF-8 or JSON, and `SbomUnknownFormat` when the top level is not an object.
 */
export async function readSbom(
  source: AsyncIterable<Uint8Array | string>,
  options: ReadOptions,
): Promise<ReadResult> {
  const tokenize = jsonParser({ streamValues: false });
  const assembler = new PrunedAssembler();
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let bytes = 0;
  let first = true;
  const feed = (out: unknown): void => {
    if (out === none) return;
    if (isMany(out)) {
      const values = getManyValues(out);
      for (let i = 0; i < values.length; i++) assembler.consume(values[i]);
    } else assembler.consume(out as Token);
  };
  try {
    for await (const chunk of source) {
      bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (bytes > options.maxBytes) {
        throw new ProjectsError(
          ProjectsErrorCode.SbomTooLarge,
          `the SBOM is larger than ${options.maxBytes} bytes`,
          {
            maxBytes: options.maxBytes,
          },
        );
      }
      let text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      if (text.length > 0) feed(tokenize(text));
    }
    const tail = decoder.decode();
    if (tail.length > 0) feed(tokenize(tail));
    feed(tokenize(none));
  } catch (error) {
    if (error instanceof ProjectsError) throw error;
    throw new ProjectsError(
      ProjectsErrorCode.SbomMalformed,
      `the SBOM is not valid JSON: ${(error as Error).message}`,
    );
  }
  const document = assembler.result;
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new ProjectsError(ProjectsErrorCode.SbomUnknownFormat, 'the SBOM is not a JSON object');
  }
  return { document: document as RawSbom, bytes };
}

/** Cuts a buffer into slices, as a stream would deliver it. */
export async function* bufferChunks(buffer: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buffer.byteLength; i += size)
    yield buffer.subarray(i, Math.min(i + size, buffer.byteLength));
}
