import { RequestHandler } from 'express';
import helmet from 'helmet';
import { AppConfig } from '@app/config';

/**
 * Origins a form of ours may lead to through a redirect (browsers check form-action on every
 * redirect after a POST): Stripe Checkout, the local fake Stripe in tests and the demo. Add an
 * identity provider's origin here when a form posts into a redirect to it.
 */
export function formActionOrigins(config: AppConfig): string[] {
  const origins = ['https://checkout.stripe.com'];
  if (config.STRIPE_API_BASE) origins.push(new URL(config.STRIPE_API_BASE).origin);
  return origins;
}

/**
 * Security headers of every response: a strict Content-Security-Policy (only our own files; no
 * inline script or style; no framing), nosniff, a referrer policy. `/docs` (Swagger UI ships
 * inline code) gets the same headers without the CSP.
 */
export function securityHeaders(config: AppConfig): RequestHandler {
  const https = config.PUBLIC_BASE_URL.startsWith('https:');
  const common = {
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' as const },
    strictTransportSecurity: https ? { maxAge: 31536000, includeSubDomains: true } : false,
  };
  const strict = helmet({
    ...common,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'", ...formActionOrigins(config)],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
  });
  const docs = helmet({ ...common, contentSecurityPolicy: false });
  return (req, res, next) =>
    (req.path === '/docs' || req.path.startsWith('/docs/') ? docs : strict)(req, res, next);
}
