import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { repoRoot } from '@app/config';

export interface XsdResult {
  readonly valid: boolean;
  readonly errors: string[];
}

/** The run-time schemas shipped in `libs/billing/xsd/`. */
export function billingXsdPath(name: string): string {
  return join(repoRoot(), 'libs', 'billing', 'xsd', name);
}

/**
 * XSD validation with libxml2-wasm in one worker thread (the library is an ES module; the worker
 * compiles each schema once). The worker does not keep the process alive and is stopped with
 * the module.
 */
@Injectable()
export class XsdValidator implements OnModuleDestroy {
  private worker: Worker | null = null;
  private next = 0;
  private readonly waiting = new Map<number, (r: XsdResult) => void>();

  async validate(xsdPath: string, xml: Uint8Array | string): Promise<XsdResult> {
    const worker = this.start();
    const id = ++this.next;
    const bytes = typeof xml === 'string' ? Buffer.from(xml, 'utf8') : xml;
    return new Promise<XsdResult>((resolve) => {
      this.waiting.set(id, resolve);
      worker.postMessage({ id, xsd: xsdPath, xml: bytes });
    });
  }

  async onModuleDestroy(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(billingXsdPath('xsd-validate.worker.mjs'));
    worker.unref();
    worker.on('message', (m: { id: number; valid: boolean; errors: string[] }) => {
      const resolve = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      resolve?.({ valid: m.valid, errors: m.errors });
    });
    const failAll = (reason: string) => {
      for (const resolve of this.waiting.values()) resolve({ valid: false, errors: [reason] });
      this.waiting.clear();
      if (this.worker === worker) this.worker = null;
    };
    worker.on('error', (e) => failAll(`the validator failed: ${e.message}`));
    worker.on('exit', () => failAll('the validator stopped'));
    this.worker = worker;
    return worker;
  }
}
