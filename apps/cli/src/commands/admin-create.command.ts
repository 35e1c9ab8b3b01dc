import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { isEmail } from 'class-validator';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigModule, loadConfig } from '@app/config';
import { DatabaseModule, resolveLocalDatabase } from '@app/database';
import { IdentityModule, IdentityService } from '@app/identity';

@Module({ imports: [ConfigModule, DatabaseModule, IdentityModule] })
class AdminCliModule {}

/** `librery admin:create --email <e>`: the first administrator and its API token (printed once). */
export function registerAdminCreate(program: Command): void {
  program
    .command('admin:create')
    .description('create an administrator and print its API token (shown once)')
    .requiredOption('--email <email>', 'the administrator email', (value: string) => {
      if (!isEmail(value)) throw new InvalidArgumentError(`"${value}" is not an email address.`);
      return value.toLowerCase();
    })
    .action(async (options: { email: string }) => {
      const database = await resolveLocalDatabase(loadConfig().DATABASE_URL);
      process.env.DATABASE_URL = database.url;
      const app = await NestFactory.createApplicationContext(AdminCliModule, { logger: false });
      try {
        const { user, token } = await app
          .get(IdentityService)
          .createAdmin(options.email, { kind: 'cli', userId: null, tokenId: null, grants: [] });
        process.stdout.write(
          JSON.stringify({
            userId: user.id,
            email: user.email,
            token: token.token,
            expiresAt: token.expiresAt,
          }) + '\n',
        );
        process.stderr.write(
          'The token is shown once. To get another: POST /users/<userId>/tokens with this token, ' +
            'or sign in to the web pages with this email.\n',
        );
      } finally {
        await app.close();
        await database.stop();
      }
    });
}
