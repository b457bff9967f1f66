export const USAGE = `Usage:
  steward check [paths…]   lint Dockerfiles and manifests
  steward ls <registry>[/<repository>]
                           list a registry's repositories, or a repository's tags
  steward inspect <reference>
                           digest, media type, platforms, labels and attachments of an image
  steward pin [paths…]     rewrite tagged image references to tag@digest in place
  steward promote <source> <target>
                           copy or tag an image by digest with its attachments, behind the
                           gates and immutable tags of .steward.yaml promotion.targets
  steward retention plan|apply <registry>[/<repository>]
                           what a retention policy keeps and deletes (and why), then apply it
  steward retention export --to ecr|gar
                           .steward.yaml retention rules as ECR or GAR policy JSON
  steward gate <report>    judge a scan report (Trivy, Grype, SARIF, CycloneDX) by a gate
  steward sbom diff <a> <b>
                           packages added, removed and changed between two SBOMs (files or
                           image references with an SBOM attached), and vulnerabilities gained/lost
  steward sbom licenses <sbom>
                           licenses of an SBOM; with --deny, exit 1 on a denied one

check options:
  --format text|json|sarif   output format (default: text)
  --fail-on error|warning|info|none
                             exit 1 when a finding is at or above this severity (default: error)
  --config-root <dir>        folder holding .steward.yaml (default: the nearest one from
                             the current folder up to the repository root)
ls, inspect, pin, promote (and check, when image-tag-drift is enabled) options:
  --json                     JSON output
  --digests                  ls: also resolve each tag's digest (one HEAD per tag)
  --dry-run                  pin: print the diff, change no file
promote options:
  --strategy tag|repository|registry
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
  --dry-run                  show the plan (and the manifest diff), change nothing
  --json                     JSON output
gate options:
  --gate <name>              a gate under .steward.yaml gates (default: the one named
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
sbom options:
  --deny <id>                licenses: a denied SPDX id (repeatable; GPL-3.0 means GPL-3.0-only)
  --json                     JSON output
retention options:
  --policy <file>            ECR lifecycle JSON, GAR cleanup policies, Harbor retention JSON,
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
  --json                     JSON output
  --insecure-registry <host> plain HTTP or unverified TLS for this host (repeatable)
  --registry-ca <host>=<pem> CA certificate for this host's TLS (repeatable)
Credentials come from ~/.docker/config.json (auths, credHelpers, credsStore) and from
STEWARD_REGISTRY_USERNAME / STEWARD_REGISTRY_PASSWORD, sent only to the hosts listed in
STEWARD_REGISTRY_HOSTS (comma-separated). Loopback registries may use plain HTTP.

  -h, --help                 show this help
  -v, --version              print the version

Exit codes: 0 success; 1 a finding at or above --fail-on (check), an operation that failed
(ls, inspect, pin, retention apply), a promotion refused (gates, immutable tags), a gate that
failed, or a denied license (sbom licenses); 2 usage or config error, an unusable report or
SBOM (gate, sbom), or retention apply without --yes (or with unreadable workspace files and
no --allow-unreadable).
`;

export class UsageError extends Error {}

export function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${option} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

/** Writes to stdout and waits until it is flushed (large outputs piped to a file). */
export function print(text: string): Promise<void> {
  return new Promise((resolve) => process.stdout.write(text, () => resolve()));
}
