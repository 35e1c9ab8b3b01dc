import { createHash } from 'node:crypto';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { AuditService, IdentityError, IdentityService, Principal } from '@app/identity';
import { createTestApp, createUserWithToken } from '../../../test/support/create-test-app';
import { WebSessionService } from './web-session.service';

const hash = (id: string) => createHash('sha256').update(id).digest();

describe('web sessions in PostgreSQL', () => {
  let app: NestExpressApplication;
  let sut: WebSessionService;
  let db: DataSource;

  beforeAll(async () => {
    app = await createTestApp();
    sut = app.get(WebSessionService);
    db = app.get(DataSource);
  });
  afterAll(() => app.close());

  it('stores only the hash of the id, and reads an anonymous session back with its CSRF token', async () => {
    const s = await sut.create();
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.user).toBeNull();
    expect(s.principal).toBeNull();
    const rows = (await db.query('SELECT id_hash FROM web_sessions WHERE id_hash = $1', [
      hash(s.id),
    ])) as unknown[];
    expect(rows).toHaveLength(1);
    const raw = (await db.query(
      `SELECT count(*)::int AS n FROM web_sessions WHERE encode(id_hash, 'escape') = $1`,
      [s.id],
    )) as { n: number }[];
    expect(raw[0].n).toBe(0);
    const again = await sut.load(s.id);
    expect(again?.csrfToken).toBe(s.csrfToken);
    expect(await sut.load('not-a-session')).toBeNull();
    expect(await sut.load(`${s.id.slice(0, -1)}${s.id.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
  });

  it('rotates the id and the CSRF token at sign-in, keeps the journey data, audits it', async () => {
    const { userId, token } = await createUserWithToken(app, [
      { role: 'donor' },
      { role: 'maintainer', scopeId: 'proj-x' },
    ]);
    const anonymous = await sut.create();
    await sut.setData(anonymous.id, { choice: 'monthly' });
    const signedIn = await sut.signIn(anonymous.id, userId, 'email-link', 'req-1');
    expect(signedIn.id).not.toBe(anonymous.id);
    expect(signedIn.csrfToken).not.toBe(anonymous.csrfToken);
    expect(await sut.load(anonymous.id)).toBeNull();
    const loaded = await sut.load(signedIn.id, 'req-2');
    expect(loaded?.user?.id).toBe(userId);
    expect(loaded?.data).toEqual({ choice: 'monthly' });
    expect(loaded?.authMethod).toBe('email-link');
    // the same principal as the API token path
    const viaToken = await app.get(IdentityService).authenticate(token, 'req-2');
    // (grants are a set: neither path promises an order)
    const byRole = (p: Principal | null) => ({
      ...p!,
      grants: [...(p?.grants ?? [])].sort((a, b) =>
        `${a.role}:${a.scopeId}`.localeCompare(`${b.role}:${b.scopeId}`),
      ),
    });
    expect(byRole(loaded!.principal)).toEqual(byRole({ ...viaToken, tokenId: null }));
    const audit = await app.get(AuditService).forTarget('user', userId);
    expect(audit.map((a) => a.action)).toContain('session.sign_in');
    expect(audit.find((a) => a.action === 'session.sign_in')).toMatchObject({
      actorId: userId,
      requestId: 'req-1',
      details: { method: 'email-link' },
    });
  });

  it('signs in a second time with yet another id (no fixation), and refuses an unknown user', async () => {
    const { userId } = await createUserWithToken(app, []);
    const first = await sut.signIn(null, userId, 'proconnect');
    const second = await sut.signIn(first.id, userId, 'proconnect');
    expect(second.id).not.toBe(first.id);
    expect(await sut.load(first.id)).toBeNull();
    await expect(
      sut.signIn(null, '00000000-0000-0000-0000-000000000000', 'proconnect'),
    ).rejects.toBeInstanceOf(IdentityError);
  });

  it('expires a session idle for 30 minutes, and any session after 12 hours', async () => {
    const idle = await sut.create();
    await db.query(
      `UPDATE web_sessions SET last_seen_at = now() - interval '31 minutes' WHERE id_hash = $1`,
      [hash(idle.id)],
    );
    expect(await sut.load(idle.id)).toBeNull();
    expect(await db.query('SELECT 1 FROM web_sessions WHERE id_hash = $1', [hash(idle.id)])).toHaveLength(0);

    const old = await sut.create();
    await db.query(
      `UPDATE web_sessions SET created_at = now() - interval '12 hours 1 minute', last_seen_at = now() WHERE id_hash = $1`,
      [hash(old.id)],
    );
    expect(await sut.load(old.id)).toBeNull();

    const alive = await sut.create();
    await db.query(
      `UPDATE web_sessions SET last_seen_at = now() - interval '29 minutes' WHERE id_hash = $1`,
      [hash(alive.id)],
    );
    expect(await sut.load(alive.id)).not.toBeNull();
    const [row] = (await db.query(
      `SELECT last_seen_at > now() - interval '1 minute' AS fresh FROM web_sessions WHERE id_hash = $1`,
      [hash(alive.id)],
    )) as { fresh: boolean }[];
    expect(row.fresh).toBe(true);
  });

  it('signs out: the row is deleted and the sign-out audited', async () => {
    const { userId } = await createUserWithToken(app, []);
    const s = await sut.signIn(null, userId, 'email-link');
    await sut.signOut(s.id);
    expect(await sut.load(s.id)).toBeNull();
    const audit = await app.get(AuditService).forTarget('user', userId);
    const sessionEvents = audit.filter((a) => String(a.action).startsWith('session.'));
    expect(sessionEvents.map((a) => a.action).sort()).toEqual(['session.sign_in', 'session.sign_out']);
    expect(sessionEvents.find((a) => a.action === 'session.sign_out')).toMatchObject({
      actorId: userId,
      details: { method: 'email-link' },
    });
    await sut.signOut(s.id); // twice: nothing more
    expect(await app.get(AuditService).forTarget('user', userId)).toHaveLength(3);
  });

  it('checks the CSRF token in constant time, only against its own session', async () => {
    const a = await sut.create();
    const b = await sut.create();
    expect(sut.checkCsrf(a, a.csrfToken)).toBe(true);
    expect(sut.checkCsrf(a, b.csrfToken)).toBe(false);
    expect(sut.checkCsrf(a, undefined)).toBe(false);
    expect(sut.checkCsrf(a, '')).toBe(false);
    expect(sut.checkCsrf(null, a.csrfToken)).toBe(false);
  });
});
