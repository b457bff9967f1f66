import semver from 'semver';
import { compileUserGlob, compileUserGlobs } from '../patterns/userPatterns';
import { isDigestTag } from '../registry/explorer';
import type { AttachmentKind } from '../registry/inspect';

export type IncludedAttachments = 'signatures' | 'sboms' | 'attestations';

/** A `.steward.yaml` `replication:` entry (validated against schemas/steward.schema.json). */
export interface ReplicationRule {
  /** host/repository glob of the source: `registry-a.example.com/prod/**`. */
  readonly from: string;
  /** host[/folder] of each target: the folder takes the place of `from`'s (the path before its first wildcard). */
  readonly to: readonly string[];
  /** Tag globs, or a semver range as one string; every tag when absent. */
  readonly tags?: readonly string[] | string;
  /** Attachments carried besides the image; all of them when absent. */
  readonly include?: readonly IncludedAttachments[];
}

const GLOB_CHARACTERS = /[*?[\]{}()!+@]/;

const ATTACHMENT_KINDS: Readonly<Record<IncludedAttachments, readonly AttachmentKind[]>> = {
  signatures: ['signature'],
  sboms: ['sbom'],
  attestations: ['provenance', 'attestation', 'vex', 'scan-report', 'promotion'],
};

/** What the schema cannot check: a semver range that parses, and hosts without wildcards. */
export function replicationRuleProblem(rule: ReplicationRule): { key: 'from' | 'to' | 'tags'; message: string } | undefined {
  if (GLOB_CHARACTERS.test(rule.from.split('/')[0]!)) return { key: 'from', message: `the registry host of ${JSON.stringify(rule.from)} cannot be a wildcard: name the host, then the repository glob` };
  const wild = rule.to.find((target) => GLOB_CHARACTERS.test(target));
  if (wild !== undefined) return { key: 'to', message: `${JSON.stringify(wild)} is a target folder, not a glob` };
  if (typeof rule.tags === 'string' && semver.validRange(rule.tags) === null) return { key: 'tags', message: `${JSON.stringify(rule.tags)} is not a semver range (write tag globs as a list, e.g. ["v*"])` };
  return undefined;
}

/** `registry-a/prod/**` → the host, the repository glob and its folder before the first wildcard (`prod`). */
export function sourceOf(rule: ReplicationRule): { registry: string; repositoryGlob: string; folder: string; exact: boolean } {
  const [registry, ...path] = rule.from.split('/');
  const repositoryGlob = path.join('/');
  const wildcard = repositoryGlob.search(GLOB_CHARACTERS);
  const exact = wildcard === -1;
  const fixed = exact ? repositoryGlob : repositoryGlob.slice(0, wildcard);
  return { registry: registry!, repositoryGlob, folder: fixed.includes('/') ? fixed.slice(0, fixed.lastIndexOf('/')) : '', exact };
}

/** Whether a source repository falls under the rule (the glob is matched on host/repository, as promotion targets are). */
export function matchesSource(rule: ReplicationRule): (repository: string) => boolean {
  const { registry } = sourceOf(rule);
  const matches = compileUserGlob(rule.from);
  return (repository) => matches(`${registry}/${repository}`);
}

/** Where a source repository goes for one `to`: `prod/team/app` under `registry-b/mirror` → `mirror/team/app`. */
export function targetOf(rule: ReplicationRule, to: string, repository: string): { registry: string; repository: string } {
  const { folder } = sourceOf(rule);
  const rest = folder && repository.startsWith(`${folder}/`) ? repository.slice(folder.length + 1) : repository;
  const [registry, ...targetFolder] = to.replace(/\/+$/, '').split('/');
  return { registry: registry!, repository: [...targetFolder, rest].filter(Boolean).join('/') };
}

/** Tags the rule replicates: never attachment tags (`sha256-…`), which travel with their image. */
export function tagSelector(rule: ReplicationRule): (tag: string) => boolean {
  const { tags } = rule;
  const selected = tags === undefined ? () => true
    : typeof tags === 'string' ? (tag: string) => semver.valid(tag) !== null && semver.satisfies(tag, tags)
    : tags.length === 0 ? () => false : compileUserGlobs(tags);
  return (tag) => !isDigestTag(tag) && selected(tag);
}

/** Whether an attachment of this kind is carried under the rule. */
export function carriesAttachment(rule: ReplicationRule, kind: AttachmentKind): boolean {
  return rule.include === undefined || rule.include.some((included) => ATTACHMENT_KINDS[included].includes(kind));
}
