/**
 * Structured logs: one JSON object per line on stdout, `{time, level, msg, …fields}`. Secrets never reach them:
 * a field whose name says secret, token, key or password is replaced, and any string that contains a value the
 * relay knows to be secret (the master key, every tenant secret it opens) has that value replaced, wherever it
 * appears, error messages included.
 */
export type Level = 'info' | 'warn' | 'error';
export type Fields = Record<string, unknown>;

export interface Logger {
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** From now on, never print this value (shorter values are ignored: they would redact ordinary words). */
  redact(secret: string | null | undefined): void;
  /** The text with every known secret replaced, for output that is not a log line (a CLI's error sentence). */
  scrub(text: string): string;
}

const SECRET_NAMES = /secret|token|password|passwd|aes_?key|master_?key|authorization|^key$/i;
const REDACTED = '[redacted]';
const MIN_SECRET_LENGTH = 6;

export function createLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  const secrets = new Set<string>();
  const scrub = (text: string) => {
    let result = text;
    for (const secret of secrets) result = result.split(secret).join(REDACTED);
    return result;
  };
  const clean = (value: unknown, depth = 0): unknown => {
    if (typeof value === 'string') return scrub(value);
    if (value instanceof Error) return { name: value.name, message: scrub(value.message) };
    if (Array.isArray(value)) return depth > 4 ? '[…]' : value.map((item) => clean(item, depth + 1));
    if (value && typeof value === 'object') {
      if (depth > 4) return '[…]';
      return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, SECRET_NAMES.test(name) && item != null ? REDACTED : clean(item, depth + 1)]));
    }
    return value;
  };
  const emit = (level: Level) => (msg: string, fields: Fields = {}) =>
    write(JSON.stringify({ time: new Date().toISOString(), level, msg: scrub(msg), ...(clean(fields) as Fields) }));
  return {
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    redact(secret) {
      if (secret && secret.length >= MIN_SECRET_LENGTH) secrets.add(secret);
    },
    scrub,
  };
}
