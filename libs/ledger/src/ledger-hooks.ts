import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PostedEntry } from './ledger.types';

/**
 * Work that must commit with every new ledger entry, inside its transaction (the transparency log
 * appends its leaf here). A hook that throws aborts the entry.
 */
export interface LedgerEntryHook {
  onEntryPosted(manager: EntityManager, entry: PostedEntry): Promise<void>;
}

@Injectable()
export class LedgerHooks {
  private readonly hooks: LedgerEntryHook[] = [];

  register(hook: LedgerEntryHook): void {
    this.hooks.push(hook);
  }

  async run(manager: EntityManager, entry: PostedEntry): Promise<void> {
    for (const hook of this.hooks) await hook.onEntryPosted(manager, entry);
  }
}
