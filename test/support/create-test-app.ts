import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { IdentityService, Principal, Role } from '@app/identity';
import { createApiApp } from '../../apps/api/src/bootstrap';
import { createWorkerApp } from '../../apps/worker/src/bootstrap';

/**
 * The API booted through the same bootstrap as main.ts, on this Jest worker's own database
 * (migrated by the real migrations) and the real Redis.
 */
export async function createTestApp(): Promise<NestExpressApplication> {
  const app = await createApiApp();
  await app.init();
  return app;
}

export async function createTestWorker(): Promise<INestApplicationContext> {
  const worker = await createWorkerApp();
  await worker.init();
  return worker;
}

const SYSTEM: Principal = { kind: 'cli', userId: null, tokenId: null, grants: [] };

let counter = 0;

/** A user with the given roles and a fresh API token, as an administrator would create them. */
export async function createUserWithToken(
  app: INestApplicationContext,
  roles: { role: Role; scopeId?: string }[],
): Promise<{ userId: string; token: string; auth: { Authorization: string } }> {
  const identity = app.get(IdentityService);
  counter += 1;
  const user = await identity.createUser(SYSTEM, {
    email: `user-${Date.now()}-${process.pid}-${counter}@example.test`,
    roles: roles.map((r) => ({ role: r.role, scopeId: r.scopeId ?? '' })),
  });
  const issued = await identity.issueToken(SYSTEM, user.id, 'test');
  return { userId: user.id, token: issued.token, auth: { Authorization: `Bearer ${issued.token}` } };
}

export function http(app: INestApplication) {
  return request(app.getHttpServer());
}

export function uniqueId(prefix = 't'): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${process.pid.toString(36)}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
}
