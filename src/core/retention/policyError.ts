import { UnsafePatternError } from '../patterns/userPatterns';

/** A policy file that cannot be evaluated: names the file, the field and the problem. */
export class PolicyError extends Error {
  constructor(readonly file: string, readonly field: string, problem: string) {
    super(`${file}: ${field ? `${field}: ` : ''}${problem}`);
    this.name = 'PolicyError';
  }
}

/** Field checks shared by the policy readers; each throws a PolicyError naming the field. */
export class FieldReader {
  constructor(readonly file: string) {}

  fail(field: string, problem: string): never {
    throw new PolicyError(this.file, field, problem);
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'must be an object');
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'must be a list');
    return value;
  }

  strings(value: unknown, field: string): string[] | undefined {
    if (value === undefined) return undefined;
    const list = this.array(value, field);
    for (const [index, item] of list.entries()) if (typeof item !== 'string' || item === '') this.fail(`${field}[${index}]`, 'must be a non-empty string');
    return list as string[];
  }

  count(value: unknown, field: string, minimum = 1): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) this.fail(field, `must be a whole number ≥ ${minimum}`);
    return value;
  }

  /** Compiles a regex or glob (core/patterns/userPatterns.ts), failing on the field when it is refused. */
  pattern<T>(source: string, field: string, compile: (source: string) => T): T {
    try {
      return compile(source);
    } catch (error) {
      if (error instanceof UnsafePatternError) this.fail(field, error.message);
      throw error;
    }
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback?: T): T {
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string' || !allowed.includes(value as T)) this.fail(field, `must be one of ${allowed.map((item) => JSON.stringify(item)).join(', ')}`);
    return value as T;
  }
}
