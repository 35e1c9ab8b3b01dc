import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@app/identity';
import { PublicLedgerService } from '@app/transparency';
import { CurrencyQuery, EntriesQuery } from './dto/transparency.request';
import { entryJson, publicJson } from './dto/transparency.response';
import { PublicCacheInterceptor } from './public-cache.interceptor';

/** The public read API: where the money comes from and where it goes. No token. */
@ApiTags('public ledger')
@Public()
@Controller('public')
@UseInterceptors(PublicCacheInterceptor)
export class PublicLedgerController {
  constructor(private readonly ledger: PublicLedgerService) {}

  @Get('entries')
  @ApiOperation({
    summary: 'Ledger entries, newest first (or order=asc), filtered, keyset-paginated with `after`',
  })
  async entries(@Query() q: EntriesQuery) {
    const page = await this.ledger.entries({
      ...q,
      from: q.from ? new Date(q.from) : undefined,
      to: q.to ? new Date(q.to) : undefined,
    });
    return { items: page.items.map(entryJson), nextCursor: page.nextCursor };
  }

  @Get('entries/:id')
  async entry(@Param('id') id: string) {
    return entryJson(await this.ledger.entry(id));
  }

  @Get('accounts')
  @ApiOperation({ summary: 'Every account with its posted and pending totals' })
  async accounts() {
    return publicJson(await this.ledger.accounts());
  }

  @Get('totals')
  async totals() {
    return publicJson(await this.ledger.totals());
  }

  @Get('flows')
  @ApiOperation({ summary: 'Flows from contributors through directed shares and the pool to projects' })
  async flows(@Query() q: CurrencyQuery) {
    return publicJson(await this.ledger.flows(q.currency ?? 'EUR'));
  }

  @Get('projects/:slug')
  async project(@Param('slug') slug: string, @Query() q: CurrencyQuery) {
    const view = await this.ledger.project(slug, q.currency ?? 'EUR');
    return publicJson({ ...view, entries: view.entries.map(entryJson) });
  }

  @Get('contributors/:id')
  async contributor(@Param('id') id: string, @Query() q: CurrencyQuery) {
    const view = await this.ledger.contributor(id, q.currency ?? 'EUR');
    return publicJson({ ...view, entries: view.entries.map(entryJson) });
  }

  @Get('rounds/:id')
  async round(@Param('id') id: string) {
    const view = await this.ledger.round(id);
    return publicJson({ ...view, entries: view.entries.map(entryJson) });
  }
}
