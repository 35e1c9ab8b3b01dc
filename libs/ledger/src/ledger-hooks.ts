import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PostedEntry } from './ledger.types';

/** An entry about to be inserted: everything but its id and the time it is recorded. */
export type UnsavedEntry = Omit<PostedEntry, 'id' | 'recordedAt' | 'created'>;

/** Rows a hook writes in the entry's own statement (see `LedgerEntryHook.writeWithEntry`). */
export interface WrittenWithEntry {
  /** One data-modifying statement reading the new entry's id from the CTE `entry`, without RETURNING. */
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * Work that must commit with every new ledger entry, inside its transaction (the transparency log
 * queues its leaf here). A hook that throws aborts the entry.
 */
export interface LedgerEntryHook {
  /**
   * Optional: the hook's rows for this entry, written by the statement that inserts the entry
   * (one round trip fewer), parameters numbered from `first`; null when it cannot say before the
   * entry exists. Then `onEntryPosted` is told they are written.
   */
  writeWithEntry?(entry: UnsavedEntry, first: number): WrittenWithEntry | null;
  onEntryPosted(manager: EntityManager, entry: PostedEntry, writtenWithEntry: boolean): Promise<void>;
}

@Injectable()
export class LedgerHooks {
  private readonly hooks: LedgerEntryHook[] = [];

  register(hook: LedgerEntryHook): void {
    this.hooks.push(hook);
  }

  /** Each hook's rows to write with the entry (null for a hook that writes its own, after). */
  writeWithEntry(entry: UnsavedEntry, first: number): (WrittenWithEntry | null)[] {
    let next = first;
    return this.hooks.map((hook) => {
      const written = hook.writeWithEntry?.(entry, next) ?? null;
      if (written) next += written.params.length;
      return written;
    });
  }

  /** After the entry's statement; `written[i]` says whether hook i's rows were in it. */
  async run(manager: EntityManager, entry: PostedEntry, written: readonly boolean[] = []): Promise<void> {
    for (let i = 0; i < this.hooks.length; i++)
      await this.hooks[i].onEntryPosted(manager, entry, written[i] ?? false);
  }
}
