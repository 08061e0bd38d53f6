import { z } from 'zod';
import { HttpExchangeSchema } from '../record/index.js';

// The HTTP exchange is part of the evidence contract and lives in record/http-exchange.ts.
export {
  HttpCertificateSchema,
  HttpErrorCodeSchema,
  HttpErrorSchema,
  HttpExchangeSchema,
  HttpRedirectSchema,
  HttpResponseSchema,
  HttpSentRequestSchema,
  HttpTimingsSchema,
  HttpTlsSchema,
} from '../record/index.js';
export type { HttpCertificate, HttpError, HttpErrorCode, HttpExchange, HttpRedirect, HttpResponse, HttpSentRequest, HttpTimings, HttpTls } from '../record/index.js';

export const PromqlDataSchema = z.object({
  resultType: z.string(),
  result: z.array(z.unknown()),
});
export type PromqlData = z.infer<typeof PromqlDataSchema>;

/** One instant query's outcome: skipped (no server configured), data, or an error. */
export const PromqlResultSchema = z.object({
  query: z.string(),
  skipped: z.string().optional(),
  exchange: HttpExchangeSchema.optional(),
  data: PromqlDataSchema.optional(),
  /** Prometheus' own warnings for the query. */
  warnings: z.array(z.string()).optional(),
  error: z.string().optional(),
});
export type PromqlResult = z.infer<typeof PromqlResultSchema>;
