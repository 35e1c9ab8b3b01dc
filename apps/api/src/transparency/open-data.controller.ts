import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import { Response } from 'express';
import { AppConfig } from '@app/config';
import { Public } from '@app/identity';
import { OPEN_DATA_LICENCE, OpenDataService, POSTINGS_FIELDS } from '@app/transparency';
import { entryJson } from './dto/transparency.response';

/** Waits for the socket to drain when the client reads slower than we produce: constant memory. */
async function write(res: Response, chunk: string): Promise<void> {
  if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
}

/** Open data (licence Etalab 2.0): CSV with a Table Schema, NDJSON, a data package with the last update date. */
@ApiTags('open data')
@Public()
@Controller('open-data')
export class OpenDataController {
  constructor(
    private readonly openData: OpenDataService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Data package: resources, licence (Etalab 2.0), last update' })
  async index() {
    return this.openData.dataPackage(this.config.PUBLIC_BASE_URL.replace(/\/$/, ''));
  }

  @Get('schema.json')
  @Header('Content-Type', 'application/schema+json; charset=utf-8')
  schema() {
    return this.openData.tableSchema();
  }

  @Get('postings.csv')
  async postings(@Res() res: Response): Promise<void> {
    const updated = await this.openData.lastUpdate();
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="librery-postings.csv"');
    res.setHeader('Last-Modified', updated.toUTCString());
    res.setHeader(
      'Link',
      `<${OPEN_DATA_LICENCE.path}>; rel="license", </open-data/schema.json>; rel="describedby"`,
    );
    await write(res, stringify([POSTINGS_FIELDS.map((f) => f.name)]));
    for await (const rows of this.openData.postingRows()) {
      if (rows.length > 0) await write(res, stringify(rows));
    }
    res.end();
  }

  @Get('entries.ndjson')
  async entries(@Res() res: Response): Promise<void> {
    const updated = await this.openData.lastUpdate();
    res.status(200);
    res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    res.setHeader('Last-Modified', updated.toUTCString());
    res.setHeader('Link', `<${OPEN_DATA_LICENCE.path}>; rel="license"`);
    for await (const entries of this.openData.entryBatches()) {
      await write(res, entries.map((e) => `${JSON.stringify(entryJson(e))}\n`).join(''));
    }
    res.end();
  }
}
