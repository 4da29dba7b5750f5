import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadGeneratedModule } from '../util/generated-module.js';

/** An ajv validator as standalone code exports it: a function with the errors of its last call. */
export interface StandaloneValidator {
  (data: unknown): boolean;
  errors?: unknown[] | null;
}

/** A module written by `scripts/build-validators.mjs`: the validators of one schema, made at build time. */
export interface StandaloneValidators {
  /** The whole schema's validator. */
  validate: StandaloneValidator;
  /** The validator of the sub-schema at a JSON Pointer (one of the schema's `$ref` targets), if generated. */
  at(pointer: string): StandaloneValidator | undefined;
}

/**
 * Loads validators generated at build time for a schema, when the file exists and was made from
 * exactly `schemaText` (its recorded SHA-256 matches). Returns `undefined` otherwise (a checkout
 * that was not built, or a schema edited since), and the caller compiles the schema itself, so a
 * missing or stale file never changes a verdict, only the start-up cost.
 *
 * @param generated - the `.cjs` file's URL
 * @param schemaText - the schema's text as shipped
 */
export function loadStandaloneValidators(generated: URL, schemaText: string): StandaloneValidators | undefined {
  const file = fileURLToPath(generated);
  if (!existsSync(file)) return undefined;
  const module = loadGeneratedModule(file).exports as {
    validate: StandaloneValidator;
    schemaSha256: string;
    pointers: Record<string, string>;
  } & Record<string, StandaloneValidator>;
  if (module.schemaSha256 !== createHash('sha256').update(schemaText).digest('hex')) return undefined;
  return {
    validate: module.validate,
    at: (pointer) => {
      const name = module.pointers[pointer];
      return name === undefined ? undefined : module[name];
    },
  };
}
