// Each Jest worker has its own database (a copy of the migrated template) and its own queue prefix.
const worker = Number(process.env.JEST_WORKER_ID ?? '1');
const prefix = process.env.TEST_DATABASE_PREFIX;
const admin = process.env.TEST_PG_ADMIN_URL;
if (prefix && admin) {
  const slot = ((worker - 1) % Number(process.env.TEST_DATABASE_WORKERS ?? '16')) + 1;
  const url = new URL(admin);
  url.pathname = `/${prefix}_w${slot}`;
  process.env.DATABASE_URL = url.toString();
  process.env.REDIS_URL = process.env.TEST_REDIS_URL;
  process.env.QUEUE_PREFIX = `librery-test-${process.env.TEST_RUN_ID}-w${slot}`;
  process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
}
// Rate limits stay out of the way of suites that make many requests from one address; the
// rate-limit suite sets its own low limits before it boots the API.
process.env.CHECKOUT_RATE_LIMIT ??= '1000000';
process.env.AUTH_FAILURE_RATE_LIMIT ??= '1000000';
