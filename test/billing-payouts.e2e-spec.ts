import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { Principal } from '@app/identity';
import { Accounts, LedgerService } from '@app/ledger';
import { ProjectsService, ProjectVerificationService } from '@app/projects';
import { camt053, euros } from './support/camt';
import { createTestApp, createTestWorker, createUserWithToken, http } from './support/create-test-app';

const FUND_IBAN = 'FR7630006000011234567890189';

/** A pain.002.001.10 status report for the payouts of one pain.001 file. */
function pain002(
  originalMessageId: string,
  statuses: { e2e: string; status: string; reason?: string }[],
): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>STS-${randomUUID().slice(0, 8)}</MsgId><CreDtTm>2026-12-02T10:00:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>${originalMessageId}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>PMT</OrgnlPmtInfId>${statuses
        .map(
          (s) => `
      <TxInfAndSts>
        <OrgnlEndToEndId>${s.e2e}</OrgnlEndToEndId>
        <TxSts>${s.status}</TxSts>${s.reason ? `<StsRsnInf><Rsn><Cd>${s.reason}</Cd></Rsn><AddtlInf>account closed</AddtlInf></StsRsnInf>` : ''}
      </TxInfAndSts>`,
        )
        .join('')}
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>`;
}

/**
 * SEPA payouts closed by the bank: a pain.002 report executes one payout (ACSC) and rejects
 * another (RJCT AC04, voided, the money back in the project's balance); a debit in a camt.053
 * naming the third by its end-to-end id posts it. Sending the report again changes nothing.
 */
describe('payouts closed by the bank (pain.002, camt.053 debits)', () => {
  let app: NestExpressApplication;
  let worker: INestApplicationContext | null = null;
  let ledger: LedgerService;
  let db: DataSource;
  let treasurer: { auth: { Authorization: string } };
  let admin: Principal;
  const env = { ...process.env };

  beforeAll(async () => {
    process.env.FUND_ACCOUNT_NAME = 'Fonds Librery';
    process.env.FUND_IBAN = FUND_IBAN;
    app = await createTestApp();
    ledger = app.get(LedgerService);
    db = app.get(DataSource);
    treasurer = await createUserWithToken(app, [{ role: 'treasurer' }]);
    const adminUser = await createUserWithToken(app, [{ role: 'admin' }]);
    admin = {
      kind: 'user',
      userId: adminUser.userId,
      tokenId: null,
      grants: [{ role: 'admin', scopeId: '' }],
    };
  });

  afterAll(async () => {
    await worker?.close();
    await app.close();
    process.env = env;
  });

  async function sepaProject(name: string): Promise<string> {
    const slug = `pay-${randomUUID().slice(0, 8)}`;
    const created = await app.get(ProjectsService).propose(admin, {
      slug,
      name,
      repositoryUrl: `https://git.example.org/${slug}`,
      licence: 'MIT',
      opennessLevel: 'A',
    });
    await app.get(ProjectsService).changeStatus(admin, created.id, 'admitted', 'committee decision (test)');
    await db.query(
      `UPDATE projects SET control_verified_at = now(), control_method = 'well_known_token' WHERE id = $1`,
      [created.id],
    );
    const verification = app.get(ProjectVerificationService);
    const details = await verification.setPayoutDetails(admin, created.id, {
      kind: 'sepa',
      accountHolder: name,
      iban: 'NL91ABNA0417164300',
    });
    await verification.verifyPayoutDetails(admin, created.id, details.revision);
    return created.id;
  }

  it('executes, rejects and posts SEPA payouts from the bank’s files, once', async () => {
    const [a, b, c] = [await sepaProject('Alpha'), await sepaProject('Beta'), await sepaProject('Gamma')];
    const key = randomUUID();
    await ledger.ensureAccounts([
      Accounts.bank(),
      Accounts.pool(),
      ...[a, b, c].map((p) => Accounts.projectDirected(p)),
    ]);
    await ledger.post({
      kind: 'contribution.booked',
      businessRef: `contribution:${key}`,
      idempotencyKey: `test-contribution:${key}`,
      postings: [
        { account: Accounts.bank().code, direction: 'debit', amount: 30000n, currency: 'EUR' },
        ...[a, b, c].map((p) => ({
          account: Accounts.projectDirected(p).code,
          direction: 'credit' as const,
          amount: 10000n,
          currency: 'EUR',
        })),
      ],
    });
    const started = await http(app)
      .post('/disbursements/runs')
      .set(treasurer.auth)
      .send({ cutoff: new Date().toISOString() })
      .expect(202);
    worker = await createTestWorker();
    for (let i = 0; i < 300; i++) {
      const res = await http(app).get(`/disbursements/runs/${started.body.id}`).expect(200);
      if (res.body.status === 'completed') break;
      if (res.body.status === 'failed') throw new Error('run failed');
      await new Promise((r) => setTimeout(r, 100));
    }
    const batches = await http(app)
      .get(`/disbursements/runs/${started.body.id}/batches`)
      .set(treasurer.auth)
      .expect(200);
    const sepa = batches.body.find((x: { rail: string }) => x.rail === 'sepa');
    const submitted = await http(app)
      .post(`/disbursements/batches/${sepa.id}/submit`)
      .set(treasurer.auth)
      .send({})
      .expect(200);
    type Payout = { id: string; projectId: string; endToEndId: string; amount: string };
    const payout = (p: string) => submitted.body.payouts.find((x: Payout) => x.projectId === p) as Payout;
    const [pa, pb, pc] = [payout(a), payout(b), payout(c)];
    const [file] = (await db.query('SELECT message_id FROM disbursement_batches WHERE id = $1', [
      sepa.id,
    ])) as {
      message_id: string;
    }[];

    const report = pain002(file.message_id, [
      { e2e: pa.endToEndId, status: 'ACSC' },
      { e2e: pc.endToEndId, status: 'RJCT', reason: 'AC04' },
      { e2e: pb.endToEndId, status: 'ACSP' },
    ]);
    const res = await http(app)
      .post('/payment-status-reports')
      .set(treasurer.auth)
      .set('content-type', 'application/xml')
      .send(report)
      .expect(201);
    expect(res.body.payouts).toEqual([
      expect.objectContaining({ payoutId: pa.id, outcome: 'executed' }),
      expect.objectContaining({ payoutId: pc.id, outcome: 'rejected', reasonCode: 'AC04' }),
      expect.objectContaining({ payoutId: pb.id, outcome: 'accepted' }),
    ]);
    const status = async (id: string) =>
      (
        (await db.query('SELECT status, failure_reason FROM disbursement_payouts WHERE id = $1', [id])) as {
          status: string;
          failure_reason: string | null;
        }[]
      )[0];
    expect(await status(pa.id)).toEqual({ status: 'paid', failure_reason: null });
    expect(await status(pc.id)).toEqual({
      status: 'failed',
      failure_reason: 'bank rejected (pain.002 RJCT AC04: account closed)',
    });
    expect(await status(pb.id)).toMatchObject({ status: 'pending' });
    const directedC = (await ledger.balances([Accounts.projectDirected(c).code])).get(
      Accounts.projectDirected(c).code,
    )!;
    expect(directedC.balance).toBe(BigInt(pc.amount));

    // The same report again: nothing changes.
    const again = await http(app)
      .post('/payment-status-reports')
      .set(treasurer.auth)
      .set('content-type', 'application/xml')
      .send(report)
      .expect(201);
    expect(again.body.payouts.map((p: { outcome: string }) => p.outcome)).toEqual([
      'already_resolved',
      'already_resolved',
      'accepted',
    ]);

    // A schema failure is refused with the reason.
    const bad = await http(app)
      .post('/payment-status-reports')
      .set(treasurer.auth)
      .set('content-type', 'application/xml')
      .send(report.replace(/<OrgnlMsgNmId>.*<\/OrgnlMsgNmId>/, ''))
      .expect(422);
    expect(bad.body.code).toBe('billing.invalid_bank_file');

    // B's debit on the statement posts it.
    const bankBefore = (await ledger.balances([Accounts.bank().code])).get(Accounts.bank().code)!.balance;
    const statement = camt053({
      iban: FUND_IBAN,
      id: `PAY-${randomUUID().slice(0, 8)}`,
      opening: euros(30000n),
      entries: [
        {
          ref: `PAY-${randomUUID().slice(0, 8)}`,
          amount: euros(BigInt(pb.amount)),
          dir: 'DBIT',
          endToEndId: pb.endToEndId,
        },
      ],
    });
    const imported = await http(app)
      .post('/bank-statements')
      .set(treasurer.auth)
      .set('content-type', 'application/xml')
      .send(statement)
      .expect(201);
    expect(imported.body.states).toEqual({ payout: 1 });
    expect(await status(pb.id)).toMatchObject({ status: 'paid' });
    const bankAfter = (await ledger.balances([Accounts.bank().code])).get(Accounts.bank().code)!.balance;
    expect(bankAfter).toBe(bankBefore - BigInt(pb.amount));
  });
});
