import { Controller, Get, Header, Query, Res, UseInterceptors } from '@nestjs/common';
import { Response } from 'express';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/identity';
import {
  CheckpointService,
  TransparencyError,
  TransparencyErrorCode,
  TransparencyLogService,
} from '@app/transparency';
import {
  CheckpointListQuery,
  ConsistencyQuery,
  InclusionQuery,
  LeafRangeQuery,
} from './dto/transparency.request';
import { PublicCacheInterceptor } from './public-cache.interceptor';

const b64 = (b: Buffer): string => b.toString('base64');
/** A proof for sizes within the log never changes (set on success only: a refusal may become an answer later). */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The verifiable log (RFC 9162 proofs, C2SP checkpoints). Public, no token. */
@ApiTags('transparency log')
@Public()
@Controller('log')
export class LogController {
  constructor(
    private readonly log: TransparencyLogService,
    private readonly checkpoints: CheckpointService,
  ) {}

  @Get('checkpoint')
  @UseInterceptors(PublicCacheInterceptor)
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'The latest signed checkpoint (C2SP signed note, Ed25519)' })
  async checkpoint(): Promise<string> {
    return (await this.checkpoints.latest())?.signedNote ?? (await this.checkpoints.signLatest()).signedNote;
  }

  @Get('key')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'The verifier key of the log (C2SP vkey)' })
  key(): string {
    return `${this.checkpoints.verifierKey}\n`;
  }

  @Get('checkpoints')
  @UseInterceptors(PublicCacheInterceptor)
  @ApiOperation({ summary: 'Every signed checkpoint, oldest first' })
  async list(@Query() q: CheckpointListQuery) {
    const items = await this.checkpoints.list(q.limit ?? 1000, q.after ?? -1);
    return items.map((c) => ({
      treeSize: c.treeSize,
      root: b64(c.root),
      signedNote: c.signedNote,
      createdAt: c.createdAt.toISOString(),
    }));
  }

  @Get('head')
  @UseInterceptors(PublicCacheInterceptor)
  @ApiOperation({
    summary: 'The committed size and root of the log (unsigned; use the checkpoint to verify)',
  })
  async head() {
    const head = await this.log.head();
    return { size: head.size, root: b64(head.root) };
  }

  @Get('entries')
  @UseInterceptors(PublicCacheInterceptor)
  @ApiOperation({
    summary: 'Leaves [start, end), at most 1000: index, entry id and the leaf bytes (canonical JSON)',
  })
  async entries(@Query() q: LeafRangeQuery) {
    if (q.end <= q.start) {
      throw new TransparencyError(TransparencyErrorCode.InvalidQuery, 'end must be greater than start', {
        field: 'end',
      });
    }
    const head = await this.log.head();
    if (q.start >= head.size) {
      throw new TransparencyError(
        TransparencyErrorCode.OutOfRange,
        `start ${q.start} is not below the tree size ${head.size}`,
        {
          start: q.start,
          treeSize: head.size,
        },
      );
    }
    const leaves = await this.log.leaves(q.start, Math.min(q.end, head.size));
    return {
      treeSize: head.size,
      entries: leaves.map((l) => ({ index: l.index, entryId: l.entryId, leaf: l.leaf })),
    };
  }

  @Get('proof/inclusion')
  @ApiOperation({ summary: 'Inclusion proof of leaf `index` in the tree of `size` leaves (RFC 9162 §2.1.3)' })
  async inclusion(@Query() q: InclusionQuery, @Res({ passthrough: true }) res: Response) {
    const { leafHash, proof, root } = await this.log.inclusionProof(q.index, q.size);
    res.setHeader('Cache-Control', IMMUTABLE);
    return { index: q.index, size: q.size, leafHash: b64(leafHash), root: b64(root), proof: proof.map(b64) };
  }

  @Get('proof/consistency')
  @ApiOperation({
    summary: 'Consistency proof between the trees of size1 and size2 leaves (RFC 9162 §2.1.4)',
  })
  async consistency(@Query() q: ConsistencyQuery, @Res({ passthrough: true }) res: Response) {
    const { proof, root1, root2 } = await this.log.consistencyProof(q.size1, q.size2);
    res.setHeader('Cache-Control', IMMUTABLE);
    return { size1: q.size1, size2: q.size2, root1: b64(root1), root2: b64(root2), proof: proof.map(b64) };
  }
}
