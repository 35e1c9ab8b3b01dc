import { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppConfig, repoRoot } from '@app/config';
import { ApiModule } from './api.module';
import { bigintReplacer, ProblemDetailsFilter } from './common/problem-details.filter';
import { ValidationProblem } from './common/validation-problem';
import { securityHeaders } from './web/security';

/** Uploads streamed by their controller, whatever their media type (SBOMs have their own, larger limit). */
const STREAMED_UPLOADS = ['/sbom-analyses'];

function isJsonBody(req: IncomingMessage): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const path = (req.url ?? '').split('?')[0];
  if (STREAMED_UPLOADS.includes(path)) return false;
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Builds the API exactly as it runs: main.ts and the end-to-end tests both call this. */
export async function createApiApp(): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, {
    bufferLogs: true,
    rawBody: true,
    bodyParser: false,
  });
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.set('json replacer', bigintReplacer);
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.use(securityHeaders(config));
  // The pages' stylesheet and images: read from the repository (not from compiled code), so ts-jest and dist agree.
  app.useStaticAssets(join(repoRoot(), 'apps', 'api', 'assets'), {
    prefix: '/assets/',
    index: false,
    maxAge: '1h',
  });
  app.useBodyParser('json', { limit: config.BODY_LIMIT, type: isJsonBody });
  app.useBodyParser('urlencoded', { limit: config.BODY_LIMIT, extended: false });
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      exceptionFactory: (errors) => ValidationProblem.from(errors),
    }),
  );
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('The Librery')
      .setDescription(
        'Collective-management fund for open-source software: contributions, governance, payouts and the public ledger.',
      )
      .setVersion('0.1.0')
      .setLicense('Apache-2.0', 'https://www.apache.org/licenses/LICENSE-2.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}
