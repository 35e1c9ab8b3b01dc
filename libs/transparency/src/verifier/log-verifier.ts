import { openCheckpoint } from '../checkpoint/checkpoint';
import { NoteVerifier } from '../checkpoint/signed-note';
import { applyLeaf, RecomputedBalance } from '../leaf/balances';
import {
  encodeLeaf,
  LEAF_FORMAT_VERSION,
  LeafFormatVersion,
  LedgerLeaf,
  parseLeaf,
} from '../leaf/ledger-leaf';
import { leafOfEntry } from '../log/entry-leaf';
import { leafHash, sameHash } from '../merkle/hash';
import { StreamingRoot } from '../merkle/streaming-root';
import { verifyConsistency } from '../merkle/verify';

/** What the verifier remembers between runs: the last checkpoint it accepted. */
export interface VerifierState {
  readonly origin: string;
  readonly treeSize: number;
  readonly root: string;
}

export interface VerifyProblem {
  readonly kind:
    | 'signature'
    | 'rollback'
    | 'inconsistent'
    | 'leaf'
    | 'root'
    | 'entry'
    | 'missing_entry'
    | 'balance'
    | 'http';
  readonly message: string;
  readonly index?: number;
  readonly entryId?: string;
  readonly account?: string;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly treeSize: number;
  readonly root: string;
  readonly leavesChecked: number;
  readonly entriesChecked: number;
  readonly accountsChecked: number;
  readonly problems: VerifyProblem[];
  /** The state to keep when ok (the checkpoint just verified). */
  readonly state: VerifierState | null;
}

export interface VerifyOptions {
  readonly baseUrl: string;
  readonly verifierKey: string;
  readonly previous?: VerifierState | null;
  readonly onProgress?: (done: number, total: number, phase: string) => void;
  readonly fetchImpl?: typeof fetch;
  /** At most this many problems of each kind are listed. */
  readonly maxProblems?: number;
}

interface ApiEntry {
  id: string;
  logIndex: number | null;
  kind: string;
  businessRef: string;
  flow: 'posted' | 'pending' | 'post_pending' | 'void_pending';
  pendingEntryId: string | null;
  reversesEntryId: string | null;
  policyVersion: number | null;
  description: string | null;
  metadata: Record<string, unknown>;
  occurredAt: string;
  postings: { account: string; direction: 'debit' | 'credit'; amount: string; currency: string }[];
}

interface ApiAccount {
  account: string;
  currency: string;
  debitsPosted: string;
  creditsPosted: string;
  debitsPending: string;
  creditsPending: string;
}

const PAGE = 1000;

/**
 * Verifies a Librery from the outside, trusting only the verifier key: the checkpoint signature,
 * consistency with the last checkpoint seen, every leaf and the root, that every published entry
 * is the leaf it claims to be, and that the published balances are the fold of the leaves.
 */
export class LogVerifier {
  private readonly fetch: typeof fetch;
  private readonly base: string;
  private readonly problems: VerifyProblem[] = [];
  private readonly counts = new Map<string, number>();

  constructor(private readonly options: VerifyOptions) {
    this.fetch = options.fetchImpl ?? fetch;
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  private problem(p: VerifyProblem): void {
    const n = (this.counts.get(p.kind) ?? 0) + 1;
    this.counts.set(p.kind, n);
    if (n <= (this.options.maxProblems ?? 50)) this.problems.push(p);
  }

  private async get(path: string): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetch(`${this.base}${path}`, { headers: { accept: 'application/json, text/plain' } });
    } catch (e) {
      const cause = (e as { cause?: { message?: string } }).cause?.message;
      throw new Error(
        `cannot reach ${this.base}${path}: ${(e as Error).message}${cause ? ` (${cause})` : ''}`,
      );
    }
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return res;
  }

  private async json<T>(path: string): Promise<T> {
    return (await (await this.get(path)).json()) as T;
  }

  async run(): Promise<VerifyReport> {
    const verifier = NoteVerifier.parse(this.options.verifierKey.trim());
    const note = await (await this.get('/log/checkpoint')).text();
    let size: number;
    let root: Buffer;
    try {
      ({ size, root } = openCheckpoint(note, verifier));
    } catch (e) {
      this.problem({
        kind: 'signature',
        message: `the checkpoint does not verify with the key: ${(e as Error).message}`,
      });
      return this.report(0, Buffer.alloc(32), 0, 0, 0, null);
    }

    const prev = this.options.previous;
    if (prev && prev.origin === verifier.name) {
      const prevRoot = Buffer.from(prev.root, 'base64');
      if (size < prev.treeSize) {
        this.problem({
          kind: 'rollback',
          message: `the log shrank from ${prev.treeSize} to ${size} leaves since the last verification`,
        });
      } else if (size === prev.treeSize) {
        if (!sameHash(prevRoot, root))
          this.problem({ kind: 'inconsistent', message: `two different roots for size ${size}` });
      } else {
        const c = await this.json<{ proof: string[] }>(
          `/log/proof/consistency?size1=${prev.treeSize}&size2=${size}`,
        );
        if (
          !verifyConsistency(
            prev.treeSize,
            size,
            prevRoot,
            root,
            c.proof.map((p) => Buffer.from(p, 'base64')),
          )
        ) {
          this.problem({
            kind: 'inconsistent',
            message: `the checkpoint at ${size} is not consistent with the one seen before at ${prev.treeSize}`,
          });
        }
      }
    }

    // Every leaf: canonical, in place, hashed into the root.
    const stream = new StreamingRoot();
    // Constant per-leaf memory: 32 bytes of hash and the entry id; balances are folded as leaves stream in.
    const hashes = Buffer.alloc(size * 32);
    const entryIds: string[] = new Array<string>(size);
    // Each leaf's format version: a published entry is rebuilt in the format of its own leaf.
    const versions = new Uint8Array(size);
    const signedBalances = new Map<string, RecomputedBalance>();
    for (let start = 0; start < size; start += PAGE) {
      const page = await this.json<{ entries: { index: number; entryId: string; leaf: string }[] }>(
        `/log/entries?start=${start}&end=${Math.min(size, start + PAGE)}`,
      );
      for (const item of page.entries) {
        const expected = stream.size;
        if (item.index !== expected || expected >= size) {
          this.problem({
            kind: 'leaf',
            index: expected,
            message: `leaf #${expected} is missing (got #${item.index})`,
          });
          return this.report(size, root, stream.size, 0, 0, null);
        }
        stream.add(Buffer.from(item.leaf, 'utf8')).copy(hashes, item.index * 32);
        entryIds[item.index] = item.entryId;
        try {
          const parsed: LedgerLeaf = parseLeaf(item.leaf);
          versions[item.index] = parsed.v;
          applyLeaf(signedBalances, parsed);
          if (parsed.seq !== item.index || parsed.tx !== item.entryId) {
            this.problem({
              kind: 'leaf',
              index: item.index,
              entryId: item.entryId,
              message: `leaf #${item.index} carries seq ${parsed.seq} / entry ${parsed.tx}`,
            });
          }
        } catch (e) {
          this.problem({
            kind: 'leaf',
            index: item.index,
            entryId: item.entryId,
            message: `leaf #${item.index} (entry ${item.entryId}) is not a valid leaf: ${(e as Error).message}`,
          });
        }
      }
      this.options.onProgress?.(stream.size, size, 'leaves');
    }
    if (stream.size !== size) {
      this.problem({
        kind: 'leaf',
        message: `the log served ${stream.size} leaves for a checkpoint of ${size}`,
      });
    } else if (!sameHash(stream.root(), root)) {
      const bad = await this.firstBadLeaf(hashes, size, root);
      this.problem({
        kind: 'root',
        index: bad,
        entryId: entryIds[bad],
        message: `the leaves do not hash to the signed root; the first leaf that differs from the signed tree is #${bad} (entry ${entryIds[bad] ?? '?'})`,
      });
    }

    // Every published entry is its leaf.
    let entriesChecked = 0;
    const seen = new Uint8Array(size);
    let after: string | null = null;
    for (;;) {
      const page: { items: ApiEntry[]; nextCursor: string | null } = await this.json(
        `/public/entries?order=asc&limit=500${after ? `&after=${after}` : ''}`,
      );
      for (const e of page.items) {
        if (e.logIndex === null) {
          this.problem({
            kind: 'missing_entry',
            entryId: e.id,
            message: `entry ${e.id} is published but not in the log`,
          });
          continue;
        }
        if (e.logIndex >= size) continue;
        entriesChecked += 1;
        seen[e.logIndex] = 1;
        let rebuilt: string;
        try {
          rebuilt = encodeLeaf(
            leafOfEntry(
              {
                ...e,
                occurredAt: new Date(e.occurredAt),
                postings: e.postings.map((p) => ({ ...p, accountId: '', amount: BigInt(p.amount) })),
              },
              e.logIndex,
              (versions[e.logIndex] || LEAF_FORMAT_VERSION) as LeafFormatVersion,
            ),
          );
        } catch (error) {
          rebuilt = `unbuildable: ${(error as Error).message}`;
        }
        if (
          entryIds[e.logIndex] !== e.id ||
          !sameHash(leafHash(rebuilt), hashes.subarray(e.logIndex * 32, e.logIndex * 32 + 32))
        ) {
          this.problem({
            kind: 'entry',
            index: e.logIndex,
            entryId: e.id,
            message: `entry ${e.id} as published differs from its leaf #${e.logIndex}`,
          });
        }
      }
      this.options.onProgress?.(entriesChecked, size, 'entries');
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    for (let index = 0; index < stream.size; index++) {
      if (!seen[index]) {
        this.problem({
          kind: 'missing_entry',
          index,
          entryId: entryIds[index],
          message: `leaf #${index} names entry ${entryIds[index]}, which is not published`,
        });
      }
    }

    // Balances: the fold of the leaves must be what the API publishes (retry while the log grows).
    let accountsChecked = 0;
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = await this.json<{ size: number }>('/log/head');
      const accounts = await this.json<ApiAccount[]>('/public/accounts');
      const after2 = await this.json<{ size: number }>('/log/head');
      if (before.size !== after2.size && attempt < 2) continue;
      const balances = new Map<string, RecomputedBalance>();
      for (const [code, b] of signedBalances) balances.set(code, { ...b });
      for (let start = size; start < after2.size; start += PAGE) {
        const page = await this.json<{ entries: { leaf: string }[] }>(
          `/log/entries?start=${start}&end=${Math.min(after2.size, start + PAGE)}`,
        );
        for (const item of page.entries) applyLeaf(balances, parseLeaf(item.leaf));
      }
      accountsChecked = this.compareBalances(accounts, balances);
      break;
    }

    const ok = this.problems.length === 0 && [...this.counts.values()].every((n) => n === 0);
    return this.report(
      size,
      root,
      stream.size,
      entriesChecked,
      accountsChecked,
      ok ? { origin: verifier.name, treeSize: size, root: root.toString('base64') } : null,
    );
  }

  private compareBalances(accounts: ApiAccount[], balances: Map<string, RecomputedBalance>): number {
    const published = new Map(accounts.map((a) => [a.account, a]));
    for (const a of accounts) {
      const r = balances.get(a.account);
      const fields = [
        ['debitsPosted', a.debitsPosted, r?.debitsPosted ?? 0n],
        ['creditsPosted', a.creditsPosted, r?.creditsPosted ?? 0n],
        ['debitsPending', a.debitsPending, r?.debitsPending ?? 0n],
        ['creditsPending', a.creditsPending, r?.creditsPending ?? 0n],
      ] as const;
      for (const [name, api, mine] of fields) {
        if (BigInt(api) !== mine) {
          this.problem({
            kind: 'balance',
            account: a.account,
            message: `account ${a.account}: ${name} published ${api}, recomputed from the leaves ${mine.toString()}`,
          });
        }
      }
    }
    for (const [code, r] of balances) {
      if (
        !published.has(code) &&
        (r.debitsPosted || r.creditsPosted || r.debitsPending || r.creditsPending)
      ) {
        this.problem({
          kind: 'balance',
          account: code,
          message: `account ${code} moves in the leaves but is not published`,
        });
      }
    }
    return accounts.length;
  }

  /** Bisects with consistency proofs: the smallest prefix that the signed tree does not extend ends with the bad leaf. */
  private async firstBadLeaf(hashes: Buffer, size: number, root: Buffer): Promise<number> {
    const prefixRoot = (m: number): Buffer => {
      const s = new StreamingRoot();
      for (let i = 0; i < m; i++) s.addHash(hashes.subarray(i * 32, i * 32 + 32));
      return s.root();
    };
    const good = async (m: number): Promise<boolean> => {
      if (m === size) return sameHash(prefixRoot(m), root);
      const c = await this.json<{ proof: string[] }>(`/log/proof/consistency?size1=${m}&size2=${size}`);
      return verifyConsistency(
        m,
        size,
        prefixRoot(m),
        root,
        c.proof.map((p) => Buffer.from(p, 'base64')),
      );
    };
    let lo = 1;
    let hi = size;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (await good(mid)) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  private report(
    treeSize: number,
    root: Buffer,
    leavesChecked: number,
    entriesChecked: number,
    accountsChecked: number,
    state: VerifierState | null,
  ): VerifyReport {
    return {
      ok: state !== null,
      treeSize,
      root: root.toString('base64'),
      leavesChecked,
      entriesChecked,
      accountsChecked,
      problems: this.problems,
      state,
    };
  }
}
