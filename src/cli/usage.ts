import { inert } from './terminalText';

/** What `steward <command> --help` prints; `steward --help` prints every command's, in this order. */
interface CommandHelp {
  /** `steward …` lines, each followed by what it does: the command's entries in the overview. */
  readonly synopsis: string;
  readonly options: string;
  /** Talks to registries: the registry flags and where credentials come from apply. */
  readonly readsRegistries: boolean;
  readonly exitCodes: string;
}

export const COMMAND_HELP = {
  check: {
    synopsis: `  steward check [paths…]   lint Dockerfiles and manifests
`,
    options: `  --format text|json|sarif   output format (default: text)
  --fail-on error|warning|info|none
                             exit 1 when a finding is at or above this severity (default: error)
  --config-root <dir>        folder holding .steward.yaml (default: the nearest one from
                             the current folder up to the repository root)
  (the registry options below matter only when .steward.yaml enables image-tag-drift)
`,
    readsRegistries: true,
    exitCodes: '0 nothing at or above --fail-on; 1 a finding is; 2 usage error, missing path, broken config',
  },
  ls: {
    synopsis: `  steward ls <registry>[/<repository>]
                           list a registry's repositories, or a repository's tags
`,
    options: `  --digests                  also resolve each tag's digest (one HEAD per tag)
  --json                     JSON output
`,
    readsRegistries: true,
    exitCodes: '0 listed; 1 the registry could not be read; 2 usage error',
  },
  inspect: {
    synopsis: `  steward inspect <reference>
                           digest, media type, platforms, labels and attachments of an image
                           (a reference without tag or digest means its latest tag)
`,
    options: `  --key <pem>                also check each signature against these public keys (repeatable)
  --json                     JSON output
`,
    readsRegistries: true,
    exitCodes: '0 inspected; 1 the image could not be read; 2 usage error',
  },
  pin: {
    synopsis: `  steward pin [paths…]     rewrite tagged image references to tag@digest in place
`,
    options: `  --dry-run                  print the diff and each reference left alone with why; change no file
  --json                     JSON output
`,
    readsRegistries: true,
    exitCodes: '0 pinned or nothing to pin; 1 a reference not resolved or not written; 2 usage error',
  },
  promote: {
    synopsis: `  steward promote <source> <target>
                           copy or tag an image by digest with its attachments, behind the
                           gates and immutable tags of .steward.yaml promotion.targets
`,
    options: `  --strategy tag|repository|registry
                             default: implied by source and target (same repository: tag;
                             same registry: repository, by blob mounts; else registry)
  --semver-aliases           also tag v1.2 and v1 for v1.2.3
  --timestamp-tag            also tag <tag>-<unix time> (unique, safe to make immutable)
  --also-tag <tag>           another tag for the same digest (repeatable)
  --dev-tag                  also tag <branch>-<short sha> of the git repository here
  --trivy <path>             trivy for a scan gate with "trivy: true" (default: trivy on PATH)
  --trivy-arg <arg>          an extra trivy flag, e.g. --trivy-arg=--skip-db-update (repeatable)
  --scan-report <file>       the scan report the scan gate reads (default: the attached one)
  --override-reason <text>   go ahead despite failed gates (never immutability); recorded
  --update-manifests <path>  point the manifests there that deploy the target repository at
                             repo:tag@digest when the tag is newer (repeatable); lists the rest
  --allow-downgrade          --update-manifests: also where the tag is older or not SemVer
  --update-source-references --update-manifests: also move the promoted source image's own
                             references to the target repository
  --config-root <dir>        folder holding .steward.yaml
  --dry-run                  show the plan (and the manifest diff), change nothing
  --json                     JSON output
`,
    readsRegistries: true,
    exitCodes: '0 promoted or already there; 1 refused (gates, immutable tags) or failed; 2 usage error',
  },
  retention: {
    synopsis: `  steward retention plan|apply <registry>[/<repository>]
                           what a retention policy keeps and deletes (and why), then apply it
  steward retention export --to ecr|gar
                           .steward.yaml retention rules as ECR or GAR policy JSON
`,
    options: `  --policy <file>            ECR lifecycle JSON, GAR cleanup policies, Harbor retention JSON,
                             or retention: rules (default: .steward.yaml's retention:)
  --format ecr|gar|harbor|steward
                             the policy's language (default: told from its shape)
  --workspace <path>         never delete what the Dockerfiles and manifests there use
                             (repeatable; default: the current folder)
  --now <time>               evaluate ages as of this time (ISO 8601)
  --yes                      apply: delete the planned digests (without it, nothing is deleted)
  --allow-unreadable         apply: delete although some workspace files could not be read or
                             parsed (without it, apply refuses: what they use is not protected)
  --to ecr|gar, --repository <repo>, --output <file>
                             export: the language, the one repository, where to write
  --config-root <dir>        folder holding .steward.yaml
  --json                     JSON output
`,
    readsRegistries: true,
    exitCodes: '0 done; 1 a delete failed; 2 usage or policy error, apply without --yes or with unreadable files',
  },
  find: {
    synopsis: `  steward find <registry>[/<repository-prefix>]
                           images whose labels, annotations or provenance match, and the
                           workspace files that deploy each
`,
    options: `  --label KEY=VALUE          a config label or annotation with this value (repeatable: all must hold)
  --revision <sha>           built from this commit (7 to 64 hex; a short SHA matches its full form):
                             the org.opencontainers.image.revision label/annotation or the provenance
  --source <url>             built from this repository: the source label/annotation or the provenance
  --base-digest <digest>     org.opencontainers.image.base.digest is this digest
  --created-after <time>     created after this ISO 8601 date or time
  --annotations-only         match manifest and index annotations only (no configs, no provenance)
  --workspace <path>         the folder whose manifests say where each result is deployed
                             (repeatable; default: the current folder)
  --concurrency <n>          requests in flight at once (default 8)
  --json                     JSON output
`,
    readsRegistries: true,
    exitCodes: '0 searched (found or not); 1 something could not be read (the rest is listed); 2 usage error',
  },
  replicate: {
    synopsis: `  steward replicate        copy images by digest as .steward.yaml replication: rules say
`,
    options: `  --dry-run                  print what would be copied, refused or left; copy nothing
  --check                    list stale targets (missing, behind, attachments missing); exit 1 if any
  --config-root <dir>        folder holding .steward.yaml
  --json                     JSON output
`,
    readsRegistries: true,
    exitCodes: '0 replicated or nothing to do; 1 refused, failed, or (--check) stale; 2 usage or config error',
  },
  gate: {
    synopsis: `  steward gate <report>    judge a scan report (Trivy, Grype, SARIF, CycloneDX) by a gate
`,
    options: `  --gate <name>              a gate under .steward.yaml gates (default: the one named
                             default, or the only one); the flags below override its fields
  --block-on CRITICAL|HIGH|MEDIUM|LOW
  --max-high <n>             fail when more than n HIGH findings count
  --ignore-unfixed           vulnerabilities without a fixed version do not count
  --unknown-severity block|ignore
                             findings without a severity block a --block-on gate (default: block)
  --allow <file>             exceptions: a YAML/JSON list of {id, reason, expires: YYYY-MM-DD}
  --vex <file>               OpenVEX or CycloneDX VEX: not_affected/fixed statements (repeatable)
  --deny-license <id>        a license no license finding may carry (repeatable)
  --format text|json|sarif   output (text also prints GitHub annotations when GITHUB_ACTIONS=true)
  --config-root <dir>        folder holding .steward.yaml
`,
    readsRegistries: false,
    exitCodes: '0 the gate passes; 1 it fails; 2 usage error or a report that cannot be judged',
  },
  sbom: {
    synopsis: `  steward sbom diff <a> <b>
                           packages added, removed and changed between two SBOMs (files or
                           image references with an SBOM attached), and vulnerabilities gained/lost
  steward sbom licenses <sbom>
                           licenses of an SBOM; with --deny, exit 1 on a denied one
`,
    options: `  --deny <id>                licenses: a denied SPDX id (repeatable; GPL-3.0 means GPL-3.0-only)
  --platform <os/arch>       of a multi-platform image, the SBOM about this platform (default: one
                             about the whole image, else linux/amd64, else the first)
  --json                     JSON output
`,
    readsRegistries: true,
    exitCodes: '0 compared or listed; 1 a denied license; 2 usage error or an input that is not an SBOM',
  },
  verify: {
    synopsis: `  steward verify <image>   check the image's signatures and attestations offline against public keys
                           or keyless identities (sigstore bundles, cosign certificates)
`,
    options: `  --key <pem>                a trusted public key: ECDSA, RSA or Ed25519 (repeatable)
  --certificate-identity <san> | --certificate-identity-regexp <re>
                             keyless: the certificate's SAN, exactly or as an RE2 regexp the whole SAN matches
  --certificate-oidc-issuer <issuer>
                             keyless: the OIDC issuer the certificate must name
  --trusted-root <file>      keyless: a sigstore trusted_root.json (CAs, logs), read offline
  --threshold <n>            signatures needed, each by a distinct key or identity (default 1)
  --attestation <type>       a verified attestation of this predicate type is needed too
                             (slsaprovenance, spdx, cyclonedx, vuln, openvex, or a type URI)
  --json                     JSON output
`,
    readsRegistries: true,
    exitCodes: '0 verified; 1 not verified; 2 usage error',
  },
  status: {
    synopsis: `  steward status           what each environment deploys, per image repository (tag, digest, age,
                           file:line), and the drift between environments (.steward.yaml
                           environments, else inferred from overlays/<env>, deploy/<env>, …)
  steward status --promote <repository> --from <env>
                           point the next environment's files at the digest <env> runs
`,
    options: `  --check                    exit 1 on drift, a forbidden registry or a reference not resolved
                             (with --gates: also on a digest failing its gates, or not judged)
  --gates                    judge each row's digest by the gates of the promotion target matching
                             its repository (what Promote to next environment checks)
  --promote <repository>     with --from: the repository (host/path) to promote to the next environment
  --from <env>               the environment whose digest moves on
  --allow-downgrade          --promote: also move references the promoted tag is older than, or not
                             known to be newer than
  --dry-run                  --promote: print the diff; change no file
  --json                     JSON output
  --config-root <dir>        folder holding .steward.yaml
`,
    readsRegistries: true,
    exitCodes: '0 shown (or promoted); 1 --check found drift, or --promote was refused; 2 usage error, broken config',
  },
} as const satisfies Record<string, CommandHelp>;

export type CommandName = keyof typeof COMMAND_HELP;

export const COMMAND_NAMES = Object.keys(COMMAND_HELP) as CommandName[];

const REGISTRY_OPTIONS_HELP = `  --insecure-registry <host> plain HTTP or unverified TLS for this host (repeatable)
  --registry-ca <host>=<pem> CA certificate for this host's TLS (repeatable)
Credentials come from ~/.docker/config.json (auths, credHelpers, credsStore) and from
STEWARD_REGISTRY_USERNAME / STEWARD_REGISTRY_PASSWORD, sent only to the hosts listed in
STEWARD_REGISTRY_HOSTS (comma-separated). Loopback registries may use plain HTTP.
`;

const REGISTRY_COMMANDS = COMMAND_NAMES.filter((name) => COMMAND_HELP[name].readsRegistries);

export const USAGE = `Usage:
${COMMAND_NAMES.map((name) => COMMAND_HELP[name].synopsis).join('')}
${COMMAND_NAMES.map((name) => `${name} options:\n${COMMAND_HELP[name].options}`).join('')}\
registry options (${REGISTRY_COMMANDS.join(', ')}):
${REGISTRY_OPTIONS_HELP}
  -h, --help                 show this help (steward <command> --help: that command's only)
  -v, --version              print the version

Exit codes:
${COMMAND_NAMES.map((name) => `  ${name.padEnd(10)} ${COMMAND_HELP[name].exitCodes}\n`).join('')}`;

/** One command's part of USAGE, with the registry options where they apply. */
export function commandUsage(name: CommandName): string {
  const help: CommandHelp = COMMAND_HELP[name];
  return `Usage:
${help.synopsis}
Options:
${help.options}  -h, --help                 show this help
${help.readsRegistries ? `\nRegistry options:\n${REGISTRY_OPTIONS_HELP}` : ''}
Exit codes: ${help.exitCodes}
`;
}

export function isCommandName(word: string): word is CommandName {
  return Object.hasOwn(COMMAND_HELP, word);
}

export class UsageError extends Error {
  // Each command is a bundle of its own (scripts/build.mjs), with its own copy of this class: the
  // dispatcher recognises its usage errors by name, not by `instanceof`.
  override readonly name = 'UsageError';
}

/** An input a command cannot judge (not a report, not an SBOM, unreadable): exit 2 like a usage error, without the usage text. */
export class UnusableInput extends Error {}

/** Exit code 2 with `steward: <command>: <why>` for an UnusableInput; any other error goes on up. */
export function unusableInput(command: string, error: unknown): number {
  if (!(error instanceof UnusableInput)) throw error;
  process.stderr.write(`steward: ${command}: ${inert(error.message)}\n`);
  return 2;
}

export function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${option} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

/** Writes to stdout and waits until it is flushed (large outputs piped to a file). */
export function print(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}
