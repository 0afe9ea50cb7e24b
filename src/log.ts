/** Logging through pino. Secrets are redacted by path so they never reach logs. */
import pino from 'pino';

export type Logger = pino.Logger;

const REDACT = [
  'apiKey',
  'serviceRoleKey',
  'refreshToken',
  'clientSecret',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'config.openai.apiKey',
  'config.supabase.serviceRoleKey',
  '*.apiKey',
  '*.token',
  '*.secret',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'earshot' }, redact: { paths: REDACT, censor: '[redacted]' } }, destination);
}

/** A logger that writes nothing, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
