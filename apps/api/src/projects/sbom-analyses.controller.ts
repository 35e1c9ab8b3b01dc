import { Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { Caller, Principal, Public } from '@app/identity';
import { bufferChunks, ProjectsError, ProjectsErrorCode, SbomAnalysesService } from '@app/projects';
import { PublicDependenciesQuery, UploadSbomQuery } from './dto/projects.request';

@ApiTags('sbom')
@ApiBearerAuth()
@Controller()
export class SbomAnalysesController {
  constructor(private readonly sboms: SbomAnalysesService) {}

  /**
   * Upload an SBOM (CycloneDX JSON 1.4–1.7 or SPDX JSON 2.3) as the raw request body. Send it as
   * `application/octet-stream` to have it streamed (up to the policy's `sbom.maxBytes`, 20 MiB by
   * default); JSON media types go through the API's general body limit first. 413 over the limit,
   * 400 for malformed JSON, 422 for an unknown format or version.
   */
  @Post('sbom-analyses')
  @ApiConsumes(
    'application/octet-stream',
    'application/vnd.cyclonedx+json',
    'application/spdx+json',
    'application/json',
  )
  @ApiOperation({ summary: 'Analyse an SBOM: suggested direction, coverage, unmatched packages' })
  async upload(
    @Caller() caller: Principal,
    @Query() query: UploadSbomQuery,
    @Req() req: Request & { rawBody?: Buffer },
    @Res({ passthrough: true }) res: Response,
  ) {
    const maxBytes = await this.sboms.maxBytes();
    const declared = Number(req.headers['content-length'] ?? NaN);
    try {
      if (Number.isFinite(declared) && declared > maxBytes) {
        throw new ProjectsError(ProjectsErrorCode.SbomTooLarge, `the SBOM is larger than ${maxBytes} bytes`, {
          maxBytes,
        });
      }
      const source = req.rawBody
        ? bufferChunks(req.rawBody)
        : req.readableEnded
          ? bufferChunks(Buffer.alloc(0))
          : req;
      return await this.sboms.analyse(caller, source, query);
    } catch (error) {
      if (!req.readableEnded) {
        // Stop reading: answer now and close the connection rather than swallow the rest.
        res.setHeader('Connection', 'close');
        req.resume();
      }
      throw error;
    }
  }

  @Get('sbom-analyses/:id')
  get(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.sboms.get(caller, id);
  }

  /** What public money depends on: the packages most depended on by analysed public projects. */
  @Public()
  @Get('public/dependencies')
  publicDependencies(@Query() query: PublicDependenciesQuery) {
    return this.sboms.publicDependencies({ limit: query.limit, unfundedOnly: query.unfundedOnly === 'true' });
  }
}
