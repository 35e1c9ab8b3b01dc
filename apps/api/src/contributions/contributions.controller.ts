import {
  Body,
  Controller,
  Get,
  Headers,
  Param,
  ParseIntPipe,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import {
  BankReceiptsService,
  DeclarationsService,
  OrganisationsService,
  StatementsService,
} from '@app/contributions';
import { Caller, Principal, Public } from '@app/identity';
import {
  AddBuyerRequest,
  CreateOrganisationRequest,
  DeclareRequest,
  RecordReceiptRequest,
} from './dto/contributions.request';
import { JsonOnly } from '../common/request-body.guard';

const MAX_CSV_BYTES = 5 * 1024 * 1024;

@ApiTags('contributions')
@ApiBearerAuth()
@JsonOnly()
@Controller()
export class ContributionsController {
  constructor(
    private readonly organisations: OrganisationsService,
    private readonly declarations: DeclarationsService,
    private readonly receipts: BankReceiptsService,
    private readonly statements: StatementsService,
  ) {}

  @Post('organisations')
  create(@Caller() caller: Principal, @Body() body: CreateOrganisationRequest) {
    return this.organisations.create(caller, body);
  }

  @Get('organisations/:id')
  get(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.organisations.get(caller, id);
  }

  @Post('organisations/:id/buyers')
  addBuyer(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AddBuyerRequest,
  ) {
    return this.organisations.addBuyer(caller, id, body.userId);
  }

  @Post('organisations/:id/declarations')
  declare(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() body: DeclareRequest) {
    return this.declarations.declare(caller, id, body);
  }

  /** A CSV of declarations (text/csv, UTF-8, header row); see DECLARATION_CSV_COLUMNS. */
  @Post('organisations/:id/declarations/import')
  @ApiConsumes('text/csv')
  async importCsv(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string, @Req() req: Request) {
    return this.declarations.importCsv(caller, id, await readBody(req));
  }

  @Get('organisations/:id/obligations')
  obligations(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.declarations.list(caller, id);
  }

  @Get('obligations/:id')
  obligation(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.declarations.get(caller, id);
  }

  @Post('obligations/:id/receipts')
  receipt(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RecordReceiptRequest,
  ) {
    return this.receipts.record(caller, id, body);
  }

  /** The organisation's statement for a calendar year, JSON or `?format=csv`. */
  @Get('organisations/:id/statements/:year')
  async statement(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('year', ParseIntPipe) year: number,
    @Query('format') format: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const statement = await this.statements.forOrganisation(caller, id, year);
    if (format !== 'csv') return statement;
    res
      .type('text/csv; charset=utf-8')
      .setHeader('content-disposition', `attachment; filename="statement-${id}-${year}.csv"`);
    return this.statements.toCsv(statement);
  }

  /** The signed-in donor's statement for a calendar year, JSON or `?format=csv`. */
  @Get('donations/statements/:year')
  async donorStatement(
    @Caller() caller: Principal,
    @Param('year', ParseIntPipe) year: number,
    @Query('format') format: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const statement = await this.statements.forDonor(caller, year);
    if (format !== 'csv') return statement;
    res.type('text/csv; charset=utf-8');
    return this.statements.toCsv(statement);
  }

  /**
   * One donation's statement for a calendar year, for a donor without an account: the
   * `Statement-Key` header carries the key returned once by the checkout. JSON or `?format=csv`.
   */
  @Public()
  @Get('donations/statements/:year/by-key')
  async donationStatement(
    @Headers('statement-key') key: string | undefined,
    @Param('year', ParseIntPipe) year: number,
    @Query('format') format: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const statement = await this.statements.forStatementKey(key, year);
    res.setHeader('cache-control', 'no-store');
    if (format !== 'csv') return statement;
    res.type('text/csv; charset=utf-8');
    return this.statements.toCsv(statement);
  }
}

/** The request body as bytes: parsed types keep their raw body; others (text/csv) are read here. */
async function readBody(req: Request & { rawBody?: Buffer }): Promise<Buffer> {
  if (req.rawBody) return req.rawBody;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_CSV_BYTES)
      throw Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
