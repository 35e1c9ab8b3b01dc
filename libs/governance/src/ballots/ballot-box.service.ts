import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { queryRows } from '@app/database';
import { AuditService, Principal } from '@app/identity';
import { ChainLink, sealBallot, verifyReceipt } from '../chain/ballot-chain';
import { GovernanceError, GovernanceErrorCode } from '../governance.errors';
import { BallotReceipt, PublicBallot, VoteSettings, VoteType } from '../governance.types';
import { MembersService } from '../members/members.service';
import { checkNewProxy, countedBallots, defaultProxyCap, ProxyGrant } from '../proxies/proxy-rules';

const TABLE: Record<VoteType, string> = { motion: 'governance_motions', round: 'governance_rounds' };

interface VoteLockRow {
  id: string;
  state: string;
  opens_at: Date;
  closes_at: Date;
  settings: VoteSettings | null;
  genesis_hash: string | null;
  head_hash: string | null;
  ballot_count: number;
}

export interface BallotRow {
  height: number;
  credential: string;
  voter_user_id: string;
  cast_by_user_id: string;
  college_id: string;
  choice: unknown;
  nonce: string;
  previous_hash: string;
  receipt: string;
  cast_at: Date;
}

export interface ProxyView {
  id: string;
  voteId: string;
  collegeId: string;
  principalUserId: string;
  holderUserId: string;
  createdAt: Date;
  revokedAt: Date | null;
}

function notAllowed(message: string): GovernanceError {
  return new GovernanceError(GovernanceErrorCode.NotAllowed, message);
}

/**
 * The ballot box shared by motions and rounds: who may vote (members, proxy holders), the
 * append-only hash chain with receipts, proxies, and the ballots that count at the close.
 */
@Injectable()
export class BallotBoxService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly members: MembersService,
    private readonly audit: AuditService,
  ) {}

  private userOf(caller: Principal): string {
    if (!caller.userId) throw notAllowed('only a member (a user) can vote');
    return caller.userId;
  }

  private async lockVote(m: EntityManager, type: VoteType, voteId: string): Promise<VoteLockRow> {
    const rows = (await m.query(
      `SELECT id, state, opens_at, closes_at, settings, genesis_hash, head_hash, ballot_count
         FROM ${TABLE[type]} WHERE id = $1 FOR UPDATE`,
      [voteId],
    )) as VoteLockRow[];
    if (rows.length === 0) throw new GovernanceError(GovernanceErrorCode.NotFound, `no ${type} ${voteId}`);
    return rows[0];
  }

  /**
   * Casts a ballot (the caller's own, or for `onBehalfOf` under a proxy). Validates the choice
   * with `validate` (which throws 422 errors), appends it to the chain and returns the receipt.
   */
  async cast(
    caller: Principal,
    type: VoteType,
    voteId: string,
    input: { choice: unknown; onBehalfOf?: string; nonce?: string },
    validate: (choice: unknown) => unknown,
  ): Promise<BallotReceipt> {
    const castBy = this.userOf(caller);
    if (input.nonce !== undefined && !/^[0-9a-f]{32,128}$/.test(input.nonce)) {
      throw new GovernanceError(
        GovernanceErrorCode.InvalidInput,
        'a nonce is 32 to 128 lower-case hex digits (128 bits or more)',
      );
    }
    return this.dataSource.transaction(async (m) => {
      const vote = await this.lockVote(m, type, voteId);
      const now = new Date();
      if (vote.state !== 'open' || now < vote.opens_at || now >= vote.closes_at) {
        throw new GovernanceError(
          GovernanceErrorCode.WindowClosed,
          `the ${type} is not open for voting now`,
          {
            state: vote.state,
            opensAt: vote.opens_at,
            closesAt: vote.closes_at,
          },
        );
      }
      const callerCollege = await this.members.collegeOf(castBy, now, m);
      const voter = input.onBehalfOf ?? castBy;
      if (callerCollege === null) throw notAllowed('only a sitting member of a college can vote');
      if (voter !== castBy) {
        const proxy = (await m.query(
          `SELECT id FROM governance_proxies WHERE vote_id = $1 AND principal_user_id = $2 AND holder_user_id = $3 AND revoked_at IS NULL`,
          [voteId, voter, castBy],
        )) as unknown[];
        if (proxy.length === 0) throw notAllowed('no active proxy lets you vote for this member');
        const own = (await m.query(
          `SELECT 1 FROM governance_ballots WHERE vote_id = $1 AND voter_user_id = $2 AND cast_by_user_id = $2 LIMIT 1`,
          [voteId, voter],
        )) as unknown[];
        if (own.length > 0) throw notAllowed('the member has voted itself: its own vote overrides the proxy');
      }
      const college = voter === castBy ? callerCollege : await this.members.collegeOf(voter, now, m);
      if (college === null || college !== callerCollege)
        throw notAllowed('a proxy holder votes only for a sitting member of its college');
      const choice = validate(input.choice);

      if (voter === castBy) {
        // The principal's own vote overrides (and ends) any proxy it gave for this vote.
        await m.query(
          `UPDATE governance_proxies SET revoked_at = now(), revoked_reason = 'principal voted'
            WHERE vote_id = $1 AND principal_user_id = $2 AND revoked_at IS NULL`,
          [voteId, voter],
        );
      }
      const credential = await this.credentialOf(m, voteId, voter, college);
      const previous = vote.head_hash ?? vote.genesis_hash!;
      const link = sealBallot({ election: voteId, credential, choice }, previous, input.nonce);
      const inserted = (await m.query(
        `INSERT INTO governance_ballots
           (vote_id, height, credential, voter_user_id, cast_by_user_id, college_id, choice, nonce, previous_hash, receipt)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING cast_at`,
        [
          voteId,
          vote.ballot_count,
          credential,
          voter,
          castBy,
          college,
          JSON.stringify(choice),
          link.ballot.nonce,
          previous,
          link.receipt,
        ],
      )) as { cast_at: Date }[];
      await m.query(
        `UPDATE ${TABLE[type]} SET head_hash = $2, ballot_count = ballot_count + 1 WHERE id = $1`,
        [voteId, link.receipt],
      );
      await this.audit.record(
        caller,
        'governance.ballot.cast',
        { type: `governance_${type}`, id: voteId },
        { receipt: link.receipt, byProxy: voter !== castBy },
        m,
      );
      return {
        voteId,
        receipt: link.receipt,
        height: vote.ballot_count,
        previous,
        nonce: link.ballot.nonce,
        credential,
        castAt: inserted[0].cast_at,
      };
    });
  }

  private async credentialOf(
    m: EntityManager,
    voteId: string,
    userId: string,
    college: string,
  ): Promise<string> {
    const existing = (await m.query(
      'SELECT credential FROM governance_credentials WHERE vote_id = $1 AND user_id = $2',
      [voteId, userId],
    )) as { credential: string }[];
    if (existing.length > 0) return existing[0].credential;
    const credential = `c-${randomBytes(12).toString('hex')}`;
    await m.query(
      'INSERT INTO governance_credentials (vote_id, user_id, credential, college_id) VALUES ($1, $2, $3, $4)',
      [voteId, userId, credential, college],
    );
    return credential;
  }

  /** A member gives its vote to another member of its college, for one vote. */
  async grantProxy(
    caller: Principal,
    type: VoteType,
    voteId: string,
    holderUserId: string,
  ): Promise<ProxyView> {
    const principal = this.userOf(caller);
    return this.dataSource.transaction(async (m) => {
      const vote = await this.lockVote(m, type, voteId); // serialises proxies of one vote
      if (vote.state === 'closed' || vote.state === 'tallied' || new Date() >= vote.closes_at) {
        throw new GovernanceError(GovernanceErrorCode.WindowClosed, `the ${type} is closed`);
      }
      const at = new Date() < vote.opens_at ? vote.opens_at : new Date();
      const principalCollege = await this.members.collegeOf(principal, at, m);
      if (principalCollege === null) throw notAllowed('only a sitting member can give a proxy');
      const holderCollege = await this.members.collegeOf(holderUserId, at, m);
      const own = (await m.query(
        `SELECT 1 FROM governance_ballots WHERE vote_id = $1 AND voter_user_id = $2 AND cast_by_user_id = $2 LIMIT 1`,
        [voteId, principal],
      )) as unknown[];
      if (own.length > 0)
        throw new GovernanceError(
          GovernanceErrorCode.InvalidProxy,
          'you have already voted: a proxy would not count',
        );
      const active = await this.activeProxies(m, voteId);
      const cap = vote.settings?.maxProxiesPerMember ?? (await this.defaultCap(m, principalCollege, at));
      checkNewProxy(active, { principal, principalCollege, holder: holderUserId, holderCollege }, cap);
      const rows = (await m.query(
        `INSERT INTO governance_proxies (vote_id, college_id, principal_user_id, holder_user_id) VALUES ($1, $2, $3, $4) RETURNING *`,
        [voteId, principalCollege, principal, holderUserId],
      )) as ProxyRow[];
      await this.audit.record(
        caller,
        'governance.proxy.grant',
        { type: 'governance_proxy', id: rows[0].id },
        { voteId, holderUserId },
        m,
      );
      return toProxyView(rows[0]);
    });
  }

  private async defaultCap(m: EntityManager, college: string, at: Date): Promise<number> {
    return defaultProxyCap(await this.members.collegeSize(college, at, m));
  }

  async revokeProxy(caller: Principal, proxyId: string): Promise<ProxyView> {
    const principal = this.userOf(caller);
    return this.dataSource.transaction(async (m) => {
      const rows = await queryRows<ProxyRow>(
        m,
        `UPDATE governance_proxies SET revoked_at = now(), revoked_reason = 'revoked by the principal'
            WHERE id = $1 AND principal_user_id = $2 AND revoked_at IS NULL RETURNING *`,
        [proxyId, principal],
      );
      if (rows.length === 0)
        throw new GovernanceError(GovernanceErrorCode.NotFound, `no active proxy ${proxyId} of yours`);
      await this.audit.record(
        caller,
        'governance.proxy.revoke',
        { type: 'governance_proxy', id: proxyId },
        {},
        m,
      );
      return toProxyView(rows[0]);
    });
  }

  async activeProxies(m: EntityManager, voteId: string): Promise<ProxyGrant[]> {
    const rows = (await m.query(
      `SELECT principal_user_id, holder_user_id, college_id FROM governance_proxies WHERE vote_id = $1 AND revoked_at IS NULL`,
      [voteId],
    )) as { principal_user_id: string; holder_user_id: string; college_id: string }[];
    return rows.map((r) => ({
      principal: r.principal_user_id,
      holder: r.holder_user_id,
      college: r.college_id,
    }));
  }

  async ballots(m: EntityManager, voteId: string): Promise<BallotRow[]> {
    return (await m.query(
      `SELECT height, credential, voter_user_id, cast_by_user_id, college_id, choice, nonce, previous_hash, receipt, cast_at
         FROM governance_ballots WHERE vote_id = $1 ORDER BY height`,
      [voteId],
    )) as BallotRow[];
  }

  /** The ballots that count: one per member, its own last ballot or else its proxy holder's last. */
  async counted(m: EntityManager, voteId: string): Promise<BallotRow[]> {
    const ballots = await this.ballots(m, voteId);
    const proxies = await this.activeProxies(m, voteId);
    return countedBallots(
      ballots.map((b) => ({ ...b, voter: b.voter_user_id, castBy: b.cast_by_user_id })),
      proxies,
    );
  }

  toLinks(voteId: string, ballots: readonly BallotRow[]): ChainLink[] {
    return ballots.map((b) => ({
      ballot: {
        election: voteId,
        credential: b.credential,
        choice: b.choice,
        nonce: b.nonce,
        previous: b.previous_hash,
      },
      receipt: b.receipt,
    }));
  }

  publicBallots(
    voteId: string,
    ballots: readonly BallotRow[],
    publicity: VoteSettings['ballotPublicity'],
  ): PublicBallot[] {
    const links = this.toLinks(voteId, ballots);
    return ballots.map((b, i) => ({
      height: b.height,
      credential: b.credential,
      ...(publicity === 'named' ? { voterUserId: b.voter_user_id } : {}),
      castByProxy: b.voter_user_id !== b.cast_by_user_id,
      college: b.college_id,
      ballot: links[i].ballot,
      receipt: b.receipt,
    }));
  }

  /**
   * The proxies a member gave and received, still active, with the vote each is for (its type,
   * title, state and close): what the member's page lists.
   */
  async proxiesOf(userId: string): Promise<{ given: ProxyListing[]; received: ProxyListing[] }> {
    const rows = (await this.dataSource.query(
      `SELECT p.*, v.type, v.title, v.state, v.closes_at,
              coalesce(pu.display_name, pu.email) AS principal_name, coalesce(hu.display_name, hu.email) AS holder_name
         FROM governance_proxies p
         JOIN (SELECT id, 'motion' AS type, title, state, closes_at FROM governance_motions
               UNION ALL SELECT id, 'round', title, state, closes_at FROM governance_rounds) v ON v.id = p.vote_id
         JOIN users pu ON pu.id = p.principal_user_id
         JOIN users hu ON hu.id = p.holder_user_id
        WHERE p.revoked_at IS NULL AND (p.principal_user_id = $1 OR p.holder_user_id = $1)
        ORDER BY v.closes_at, p.created_at`,
      [userId],
    )) as (ProxyRow & {
      type: VoteType;
      title: string;
      state: string;
      closes_at: Date;
      principal_name: string;
      holder_name: string;
    })[];
    const listing = (r: (typeof rows)[number]): ProxyListing => ({
      ...toProxyView(r),
      vote: { type: r.type, id: r.vote_id, title: r.title, state: r.state, closesAt: r.closes_at },
      principalName: r.principal_name,
      holderName: r.holder_name,
    });
    return {
      given: rows.filter((r) => r.principal_user_id === userId).map(listing),
      received: rows.filter((r) => r.holder_user_id === userId).map(listing),
    };
  }

  /** The ballots `castBy` cast in a vote (its own and under proxies), newest first. */
  async castBy(voteId: string, castBy: string): Promise<(BallotRow & { voter_name: string })[]> {
    return (await this.dataSource.query(
      `SELECT b.height, b.credential, b.voter_user_id, b.cast_by_user_id, b.college_id, b.choice, b.nonce,
              b.previous_hash, b.receipt, b.cast_at, coalesce(u.display_name, u.email) AS voter_name
         FROM governance_ballots b JOIN users u ON u.id = b.voter_user_id
        WHERE b.vote_id = $1 AND b.cast_by_user_id = $2 ORDER BY b.height DESC`,
      [voteId, castBy],
    )) as (BallotRow & { voter_name: string })[];
  }

  /** Which vote a receipt belongs to, if any (anyone may ask: receipts are public after the close). */
  async locateReceipt(receipt: string): Promise<{ type: VoteType; voteId: string; title: string } | null> {
    if (!/^[0-9a-f]{64}$/.test(receipt)) return null;
    const rows = (await this.dataSource.query(
      `SELECT b.vote_id, v.type, v.title FROM governance_ballots b
         JOIN (SELECT id, 'motion' AS type, title FROM governance_motions
               UNION ALL SELECT id, 'round', title FROM governance_rounds) v ON v.id = b.vote_id
        WHERE b.receipt = $1 LIMIT 1`,
      [receipt],
    )) as { vote_id: string; type: VoteType; title: string }[];
    return rows[0] ? { type: rows[0].type, voteId: rows[0].vote_id, title: rows[0].title } : null;
  }

  /** Checks a receipt against the vote's chain (after the close, or during the vote for one's own receipt). */
  async verify(voteId: string, genesis: string, head: string | null, receipt: string) {
    const ballots = await this.ballots(this.dataSource.manager, voteId);
    const links = this.toLinks(voteId, ballots);
    return { head: head ?? genesis, ...verifyReceipt(receipt, genesis, links, head ?? genesis) };
  }
}

interface ProxyRow {
  id: string;
  vote_id: string;
  college_id: string;
  principal_user_id: string;
  holder_user_id: string;
  created_at: Date;
  revoked_at: Date | null;
}

export interface ProxyListing extends ProxyView {
  vote: { type: VoteType; id: string; title: string; state: string; closesAt: Date };
  principalName: string;
  holderName: string;
}

function toProxyView(r: ProxyRow): ProxyView {
  return {
    id: r.id,
    voteId: r.vote_id,
    collegeId: r.college_id,
    principalUserId: r.principal_user_id,
    holderUserId: r.holder_user_id,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}
