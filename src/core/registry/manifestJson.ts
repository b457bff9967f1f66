import { digestProblem, quoted } from './digest';
import type { Descriptor, ManifestJson, Platform } from './types';

// Registries, layouts and referrers answers are outside data: every descriptor is checked here,
// once, before any digest in it reaches a URL, a file path or a manifest we write.

/** More entries than any real index or image has; past it the document is refused, not walked. */
export const MAX_DESCRIPTORS = 10_000;

export class InvalidManifest extends Error {}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(at: string, problem: string): never {
  throw new InvalidManifest(`${at} ${problem}`);
}

function optionalString(value: unknown, at: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(at, `is not a string: ${quoted(value)}`);
  return value;
}

function annotations(value: unknown, at: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) fail(at, 'is not an object of strings');
  for (const [key, entry] of Object.entries(value)) if (typeof entry !== 'string') fail(`${at}[${quoted(key)}]`, `is not a string: ${quoted(entry)}`);
  return value as Record<string, string>;
}

function platform(value: unknown, at: string): Platform | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) fail(at, 'is not an object');
  const architecture = optionalString(value.architecture, `${at}.architecture`) ?? '';
  const os = optionalString(value.os, `${at}.os`) ?? '';
  const variant = optionalString(value.variant, `${at}.variant`);
  return { architecture, os, ...(variant ? { variant } : {}) };
}

/** One descriptor, checked: a sha256/sha512 digest, a media type, a non-negative whole size. */
export function checkDescriptor(value: unknown, at: string): Descriptor {
  if (!isObject(value)) fail(at, 'is not a descriptor object');
  const problem = digestProblem(value.digest, `${at}.digest`);
  if (problem) throw new InvalidManifest(problem);
  const mediaType = optionalString(value.mediaType, `${at}.mediaType`) ?? '';
  const size = value.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) fail(`${at}.size`, `is not a size in bytes: ${quoted(size)}`);
  const artifactType = optionalString(value.artifactType, `${at}.artifactType`);
  const checkedAnnotations = annotations(value.annotations, `${at}.annotations`);
  const checkedPlatform = platform(value.platform, `${at}.platform`);
  return {
    mediaType, digest: value.digest as string, size,
    ...(artifactType ? { artifactType } : {}), ...(checkedAnnotations ? { annotations: checkedAnnotations } : {}), ...(checkedPlatform ? { platform: checkedPlatform } : {}),
  };
}

function descriptorList(value: unknown, at: string): Descriptor[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) fail(at, 'is not a list');
  if (value.length > MAX_DESCRIPTORS) fail(at, `has ${value.length} entries, more than the ${MAX_DESCRIPTORS} allowed`);
  return value.map((entry, index) => checkDescriptor(entry, `${at}[${index}]`));
}

function parseObject(bytes: Buffer): Json {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InvalidManifest(`is not JSON (${(error as Error).message})`);
  }
  if (!isObject(json)) fail('the document', 'is not a JSON object');
  return json;
}

/** Parses and checks a manifest or index; throws InvalidManifest saying which field is wrong. */
export function parseManifestJson(bytes: Buffer): ManifestJson {
  const json = parseObject(bytes);
  const config = json.config === undefined || json.config === null ? undefined : checkDescriptor(json.config, 'config');
  const layers = descriptorList(json.layers, 'layers');
  const manifests = descriptorList(json.manifests, 'manifests');
  const subject = json.subject === undefined || json.subject === null ? undefined : checkDescriptor(json.subject, 'subject');
  const mediaType = optionalString(json.mediaType, 'mediaType');
  const artifactType = optionalString(json.artifactType, 'artifactType');
  const checkedAnnotations = annotations(json.annotations, 'annotations');
  return {
    ...(typeof json.schemaVersion === 'number' ? { schemaVersion: json.schemaVersion } : {}),
    ...(mediaType ? { mediaType } : {}), ...(artifactType ? { artifactType } : {}),
    ...(config ? { config } : {}), ...(layers ? { layers } : {}), ...(manifests ? { manifests } : {}), ...(subject ? { subject } : {}),
    ...(checkedAnnotations ? { annotations: checkedAnnotations } : {}),
  };
}

/**
 * The entries of an index whose entries are checked one by one (a layout's index.json): a bad
 * entry is left out and reported, the others stay usable.
 */
export function parseIndexEntries(bytes: Buffer): { entries: Descriptor[]; problems: { index: number; message: string }[]; json: Json } {
  const json = parseObject(bytes);
  const list = json.manifests ?? [];
  if (!Array.isArray(list)) fail('manifests', 'is not a list');
  if (list.length > MAX_DESCRIPTORS) fail('manifests', `has ${list.length} entries, more than the ${MAX_DESCRIPTORS} allowed`);
  const entries: Descriptor[] = [];
  const problems: { index: number; message: string }[] = [];
  list.forEach((entry, index) => {
    try {
      entries.push(checkDescriptor(entry, `manifests[${index}]`));
    } catch (error) {
      problems.push({ index, message: (error as Error).message });
    }
  });
  return { entries, problems, json };
}
