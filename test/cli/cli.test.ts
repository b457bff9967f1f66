import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { EXAMPLES_FINDINGS } from '../examplesFindings';
import { doublingArgs, hugeFile, hugeLicenses, longLine, manyImages, manyStages } from '../hostileInputs';
import { REPO_ROOT, temporaryRepository } from '../helpers';

const CLI = join(REPO_ROOT, 'dist', 'cli.js');
const EXAMPLES = join(REPO_ROOT, 'examples');

interface JsonFinding { file: string; line: number; column: number; endLine: number; endColumn: number; rule: string; severity: string; message: string }

/** `timeout` (ms) bounds a run that might hang: the child is killed and `code` is null. */
function steward(args: string[], cwd: string, timeout?: number) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 256 * 1024 * 1024, ...(timeout ? { timeout } : {}) });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const temporaryRoots: string[] = [];
after(() => temporaryRoots.forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A temporary tree (a git repository root) from a map of relative paths to contents. */
function tree(files: Record<string, string>): string {
  return temporaryRepository(files, temporaryRoots);
}

const compact = (findings: JsonFinding[]) => findings.map((finding) => `${finding.file}:${finding.line}:${finding.column} ${finding.severity} ${finding.rule}`);

describe('steward check on examples/', () => {
  it('--format json reports exactly the expected findings', () => {
    const { code, stdout } = steward(['check', '--format', 'json'], EXAMPLES);
    assert.equal(code, 1);
    const { findings } = JSON.parse(stdout) as { findings: JsonFinding[] };
    assert.deepEqual(Object.keys(findings[0]!), ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message']);
    assert.deepEqual(compact(findings).sort(), [...EXAMPLES_FINDINGS].sort());
  });

  it('--format text groups by file with a summary, paths relative to the current folder', () => {
    const { code, stdout } = steward(['check', 'examples/deploy'], REPO_ROOT);
    assert.equal(code, 1);
    assert.match(stdout, /^examples\/deploy\/prod\/deployment\.yaml\n {2}10:18 +error +"registry\.example\.com:5000\/acme\/migrate" has no tag/m);
    assert.match(stdout, /\n6 problems \(5 errors, 1 warning, 0 info\) in 2 files checked\n$/);
  });

  it('--format sarif writes SARIF 2.1.0 with rule metadata and help URIs', () => {
    const { stdout } = steward(['check', '--format', 'sarif'], EXAMPLES);
    const sarif = JSON.parse(stdout);
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    const rules = run.tool.driver.rules as { id: string; helpUri: string; defaultConfiguration: { level: string } }[];
    assert.ok(rules.length >= 12);
    for (const rule of rules) assert.match(rule.helpUri, new RegExp(`/docs/rules/${rule.id}\\.md$`));
    assert.equal(rules.find((rule) => rule.id === 'label-deprecated-schema')!.defaultConfiguration.level, 'note');
    const results = run.results as { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }[] }[];
    assert.equal(results.length, 32);
    for (const result of results) assert.equal(rules[result.ruleIndex]!.id, result.ruleId);
    const prod = results.find((result) => result.ruleId === 'image-invalid-reference')!;
    assert.equal(prod.level, 'error');
    assert.deepEqual(prod.locations[0]!.physicalLocation.artifactLocation.uri, 'deploy/prod/deployment.yaml');
    assert.deepEqual(prod.locations[0]!.physicalLocation.region.startLine, 19);
  });
});

describe('steward exit codes', () => {
  const warningsOnly = () => tree({ 'k8s/pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: a, image: "nginx:latest"}]}\n' });
  it('exits 0 when nothing reaches --fail-on (default error), 1 when something does', () => {
    const root = warningsOnly();
    assert.equal(steward(['check'], root).code, 0);
    assert.equal(steward(['check', '--fail-on', 'warning'], root).code, 1);
    assert.equal(steward(['check', '--fail-on', 'none'], tree({ 'prod/pod.yaml': 'apiVersion: v1\nkind: Pod\nspec: {containers: [{image: nginx}]}\n' })).code, 0);
  });
  it('exits 0 with a clean report on a clean tree', () => {
    const { code, stdout } = steward(['check'], tree({ 'app/values.yaml': 'image: {repository: acme/app, tag: ""}\n' }));
    assert.equal(code, 0);
    assert.equal(stdout, 'No problems in 1 file.\n');
  });
  it('exits 2 on usage errors with the usage text', () => {
    for (const args of [[], ['lint'], ['check', '--format', 'xml'], ['check', '--fail-on', 'fatal'], ['check', '--bogus']]) {
      const { code, stderr } = steward(args, warningsOnly());
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /^steward: .+\n\nUsage:\n  steward check/, args.join(' '));
    }
  });
  it('exits 2 and names the path when a given path does not exist', () => {
    const { code, stderr } = steward(['check', 'nope'], warningsOnly());
    assert.equal(code, 2);
    assert.match(stderr, /no such file or folder: nope/);
  });
  it('exits 2 on a broken config, naming the file, position and key, and still lints with the defaults', () => {
    const root = tree({ '.steward.yaml': 'rules:\n  image-latst: error\n', 'Dockerfile': 'FROM nginx:latest\n' });
    const { code, stderr, stdout } = steward(['check', '--format', 'json'], root);
    assert.equal(code, 2);
    assert.equal(stderr, 'steward: .steward.yaml:2:3: rules.image-latst: unknown rule id "image-latst"; using the default configuration.\n');
    assert.ok(compact(JSON.parse(stdout).findings).includes('Dockerfile:1:6 warning image-latest'));
  });
  it('a catastrophic label pattern in .steward.yaml finishes with the right finding instead of hanging', () => {
    const root = tree({
      '.steward.yaml': 'labels:\n  defaults: false\n  required:\n    - {key: com.example.team, pattern: "(a+)+"}\n',
      'Dockerfile': `FROM nginx:1.25.3@sha256:${'0'.repeat(64)}\nLABEL com.example.team="${'a'.repeat(5000)}!"\n`,
    });
    const { code, stdout } = steward(['check', '--format', 'json'], root, 20_000);
    assert.equal(code, 0);
    assert.deepEqual(compact(JSON.parse(stdout).findings), ['Dockerfile:2:7 warning label-invalid-value']);
  });
  it('exits 2 on a pattern that needs backtracking (lookahead), naming the file, position and key', () => {
    const root = tree({ '.steward.yaml': 'exclude: ["vendor/**"]\nlabels:\n  required:\n    - {key: com.example.team, pattern: "t(?!mp)"}\n', 'Dockerfile': 'FROM nginx:latest\n' });
    const { code, stderr } = steward(['check'], root, 20_000);
    assert.equal(code, 2);
    assert.match(stderr, /^steward: \.steward\.yaml:4:40: labels\.required\.0\.pattern: is not a valid regular expression for RE2, the linear-time engine patterns run on \(invalid or unsupported Perl syntax: `\(\?!` at character 2\); lookahead, lookbehind and backreferences are not supported; using the default configuration\.\n/);
  });
  it('prints --version and --help', () => {
    assert.match(steward(['--version'], REPO_ROOT).stdout, /^\d+\.\d+\.\d+\n$/);
    assert.match(steward(['--help'], REPO_ROOT).stdout, /--format text\|json\|sarif/);
  });
});

describe('steward file selection and bad input', () => {
  it('skips .git, node_modules, git-ignored and excluded paths, but lints files named explicitly', () => {
    const latest = 'FROM nginx:latest\n';
    const root = tree({
      '.gitignore': 'build/\n*.generated.yaml\n',
      'sub/.gitignore': 'local.Dockerfile\n',
      '.steward.yaml': 'labels: {defaults: false}\nexclude: ["vendor/**"]\n',
      'Dockerfile': latest,
      'build/Dockerfile': latest,
      'node_modules/pkg/Dockerfile': latest,
      '.git/Dockerfile': latest,
      'vendor/lib/Dockerfile': latest,
      'sub/local.Dockerfile': latest,
      'sub/app.Dockerfile': latest,
      'sub/x.generated.yaml': 'services: {a: {image: "nginx:latest"}}\n',
      'README.md': 'FROM nginx:latest',
    });
    const files = (args: string[]) => [...new Set((JSON.parse(steward([...args, '--format', 'json'], root).stdout).findings as JsonFinding[]).map((finding) => finding.file))].sort();
    assert.deepEqual(files(['check']), ['Dockerfile', 'sub/app.Dockerfile']);
    assert.deepEqual(files(['check', 'sub/local.Dockerfile']), ['sub/local.Dockerfile']);
  });

  it('reports an unreadable file as a finding naming it, and goes on', () => {
    const root = tree({ 'Dockerfile': 'FROM nginx:latest\n' });
    symlinkSync(join(root, 'missing-target'), join(root, 'Containerfile'));
    const { code, stdout } = steward(['check', '--format', 'json'], root);
    assert.equal(code, 1);
    const findings = JSON.parse(stdout).findings as JsonFinding[];
    const unreadable = findings.find((finding) => finding.file === 'Containerfile');
    assert.equal(unreadable?.rule, 'file-invalid');
    assert.match(unreadable!.message, /cannot be read/);
    assert.ok(findings.some((finding) => finding.file === 'Dockerfile' && finding.rule === 'image-latest'));
  });

  it('reports malformed YAML and binary junk with positions, never crashing', () => {
    const root = tree({
      'a/pod.yaml': 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - image: [\n',
      'b/values.yaml': '\u0000\u0001\u0002binary\u00ff\n: : :\n',
      'c/Dockerfile': 'RUN echo before from\n',
    });
    const { code, stdout, stderr } = steward(['check', '--format', 'json'], root);
    assert.equal(code, 1, stderr);
    const findings = JSON.parse(stdout).findings as JsonFinding[];
    assert.deepEqual([...new Set(findings.filter((finding) => finding.rule === 'file-invalid').map((finding) => finding.file))].sort(), ['a/pod.yaml', 'b/values.yaml', 'c/Dockerfile']);
  });

  it('lints a 10 MB YAML file', () => {
    const document = (index: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${index}\n  labels: {team: payments, tier: backend, release: stable}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ghcr.io/acme/app-${index}:${index % 2 === 0 ? 'latest' : '1.2.3'}\n          env: [{name: MODE, value: production}, {name: LEVEL, value: info}]\n`;
    const documents: string[] = [];
    let size = 0;
    for (let index = 0; size < 10 * 1024 * 1024; index += 1) {
      documents.push(document(index));
      size += documents.at(-1)!.length + 4;
    }
    const root = tree({ 'k8s/big.yaml': documents.join('---\n') });
    const { code, stdout } = steward(['check', '--format', 'json'], root);
    assert.equal(code, 0);
    const findings = JSON.parse(stdout).findings as JsonFinding[];
    assert.equal(findings.length, Math.ceil(documents.length / 2));
    assert.ok(findings.every((finding) => finding.rule === 'image-latest'));
  });
});

describe('steward retention export and policy errors', () => {
  it('exports .steward.yaml retention rules as ECR JSON on stdout, notes on stderr', () => {
    const root = tree({ '.steward.yaml': 'retention:\n  rules:\n    - tags: "release-*"\n      always: true\n    - tags: ["v*"]\n      keepLast: 5\n  untagged: delete\n' });
    const { code, stdout, stderr } = steward(['retention', 'export', '--to', 'ecr'], root);
    assert.equal(code, 0, stderr);
    const rules = (JSON.parse(stdout) as { rules: { rulePriority: number; selection: Record<string, unknown> }[] }).rules;
    assert.deepEqual(rules.map((rule) => [rule.rulePriority, rule.selection.tagStatus, rule.selection.tagPrefixList, rule.selection.countNumber]), [[1, 'tagged', ['release-'], 100000], [2, 'tagged', ['v'], 5], [3, 'untagged', undefined, 1]]);
    assert.match(stderr, /^note: ECR expires untagged images one day after their push at the soonest\.$/m);
  });

  it('names the file, the field or the position of a broken policy, and exits 2', () => {
    const root = tree({ 'bad.json': '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 3}, "action": {"type": "expire"}}]}', 'broken.json': '{"rules": [\n  {"rulePriority": 1,,}\n]}' });
    const bad = steward(['retention', 'plan', '--policy', 'bad.json', '127.0.0.1:9/any'], root);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^steward: bad\.json: rules\[0\]\.selection: tagStatus "tagged" needs tagPrefixList or tagPatternList$/m);
    const broken = steward(['retention', 'plan', '--policy', 'broken.json', '127.0.0.1:9/any'], root);
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /^steward: broken\.json: line 2, column \d+: syntax error/m);
    const missing = steward(['retention', 'plan', '127.0.0.1:9/any'], root);
    assert.match(missing.stderr, /no --policy given and \.steward\.yaml has no retention rules/);
  });
});

describe('steward check on a workspace with hostile files', () => {
  // The bound is the CLI's own timeout: on the old code some of these hung (a FIFO, /dev/zero,
  // quadratic YAML keys) and others crashed the whole run (stack overflows, a string too long).
  const BOUND_MS = 240_000;

  it('ends with valid JSON, a finding for each bad file and the good file\'s findings intact', { timeout: BOUND_MS + 30_000 }, () => {
    const good = { 'good/Dockerfile': 'FROM nginx:latest\nLABEL org.opencontainers.image.licenses="MIT AND Apache-2.0"\n' };
    const hostile = [hugeFile(), longLine(), manyStages(), doublingArgs(), hugeLicenses(), manyImages()];
    const root = tree({ ...good, ...Object.fromEntries(hostile.map((file) => [file.path, file.text])) });
    mkdirSync(join(root, 'fifo'));
    execFileSync('mkfifo', [join(root, 'fifo', 'pipe')]);
    symlinkSync('pipe', join(root, 'fifo', 'Dockerfile'));
    mkdirSync(join(root, 'zero'));
    symlinkSync('/dev/zero', join(root, 'zero', 'Dockerfile'));

    const { code, stdout, stderr } = steward(['check', '--format', 'json'], root, BOUND_MS);
    assert.equal(code, 1, stderr);
    const findings = JSON.parse(stdout).findings as JsonFinding[];
    const of = (file: string, rule?: string) => compact(findings.filter((finding) => finding.file === file && (rule === undefined || finding.rule === rule)));
    assert.deepEqual(of('huge/Dockerfile'), ['huge/Dockerfile:1:1 error file-invalid']);
    assert.deepEqual(of('long-line/Dockerfile'), ['long-line/Dockerfile:2:1 error file-invalid']);
    assert.deepEqual(of('stages/Dockerfile'), ['stages/Dockerfile:1001:1 error file-invalid']);
    assert.deepEqual(of('doubling/Dockerfile', 'image-latest'), ['doubling/Dockerfile:10042:6 warning image-latest']);
    assert.deepEqual(of('licenses/Dockerfile', 'label-invalid-value'), ['licenses/Dockerfile:2:7 warning label-invalid-value']);
    assert.deepEqual(of('images/compose.yaml'), ['images/compose.yaml:150002:18 warning image-latest']);
    assert.deepEqual(of('fifo/Dockerfile'), ['fifo/Dockerfile:1:1 error file-invalid']);
    assert.match(findings.find((finding) => finding.file === 'fifo/Dockerfile')!.message, /is not a regular file/);
    assert.deepEqual(of('zero/Dockerfile'), ['zero/Dockerfile:1:1 error file-invalid']);
    assert.match(findings.find((finding) => finding.file === 'zero/Dockerfile')!.message, /leads outside/);

    const alone = JSON.parse(steward(['check', '--format', 'json'], tree(good)).stdout).findings as JsonFinding[];
    assert.ok(alone.length > 0);
    assert.deepEqual(findings.filter((finding) => finding.file === 'good/Dockerfile'), alone);
  });
});

describe('steward check reads the files beside a file, as the tools that build and deploy it do', () => {
  const noLabels = '.steward.yaml';
  const check = (root: string) => {
    const { stdout } = steward(['check', '--format', 'json'], root);
    return JSON.parse(stdout) as { findings: JsonFinding[] };
  };

  it('a Docker Bake or Compose named context is not an image in COPY --from or FROM', () => {
    const root = tree({
      [noLabels]: 'labels: {defaults: false}\n',
      'docker-bake.hcl': '# contexts = { commented = "x" }\ntarget "app" {\n  dockerfile = "build/Dockerfile"\n  contexts = {\n    binary_dir = "./bin"\n    "base-image" = "docker-image://alpine:3.19.1"\n  }\n}\n',
      'build/Dockerfile': 'FROM base-image\nCOPY --from=binary_dir /app /app\nCOPY --from=busybox /bin/sh /bin/sh\n',
      'tool/docker-bake.json': '{"target": {"t": {"contexts": {"src_dir": "../src"}}}}',
      'tool/Dockerfile': 'FROM alpine:3.19.1\nCOPY --from=src_dir / /src\n',
      'svc/compose.yaml': 'services:\n  web:\n    build:\n      context: .\n      additional_contexts:\n        assets: ../assets\n      # listed form\n    image: acme/web:1.0.0\n',
      'svc/Dockerfile': 'FROM nginx:1.25.3\nCOPY --from=assets / /usr/share/nginx/html\nCOPY --from=other / /x\n',
    });
    assert.deepEqual(compact(check(root).findings), [
      'build/Dockerfile:3:13 warning image-untagged',
      'svc/Dockerfile:3:13 warning image-untagged',
    ]);
    // steward pin sees the same images: the contexts are neither pinned nor "left as they are".
    const pin = JSON.parse(steward(['pin', '--dry-run', '--json', 'build/Dockerfile', 'svc/Dockerfile'], root).stdout) as { pinned: unknown[]; skipped: { file: string; reference: string }[] };
    assert.deepEqual(pin.pinned, []);
    assert.deepEqual(pin.skipped.map(({ file, reference }) => `${file} ${reference}`), ['build/Dockerfile busybox', 'svc/Dockerfile other']);
  });

  it('Compose interpolates images from the .env beside the file, and says where the value came from', () => {
    const root = tree({
      [noLabels]: 'labels: {defaults: false}\n',
      'demo/.env': '# demo settings\nIMAGE_NAME=ghcr.io/acme/demo\nexport DEMO_VERSION="latest"\nDB_TAG=16.2.0 # pinned\n',
      'demo/docker-compose.yml': 'services:\n  ad:\n    image: ${IMAGE_NAME}:${DEMO_VERSION}-ad\n  db:\n    image: postgres:${DB_TAG}\n  cache:\n    image: redis:${REDIS_TAG:-latest}\n  unknown:\n    image: app:${UNSET_TAG}\n  escaped:\n    image: "app:$${NOT_A_VARIABLE}"\n',
    });
    const { findings } = check(root);
    assert.deepEqual(compact(findings), ['demo/docker-compose.yml:3:12 warning image-floating-tag', 'demo/docker-compose.yml:7:12 warning image-latest']);
    assert.match(findings[0]!.message, /"\$\{IMAGE_NAME\}:\$\{DEMO_VERSION\}-ad" \(resolved to "ghcr\.io\/acme\/demo:latest-ad" from \.env lines 2, 3\)/);
    assert.match(findings[1]!.message, /resolved to "redis:latest" from the file's defaults/);
  });

  it('images Skaffold or Tilt build are placeholders in the manifests they deploy; Istio\'s image: auto too', () => {
    const pod = (image: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`;
    const root = tree({
      [noLabels]: 'labels: {defaults: false}\n',
      'skaffold.yaml': 'apiVersion: skaffold/v4beta11\nkind: Config\nbuild:\n  artifacts:\n    - image: leeroy-web\nprofiles:\n  - name: gcb\n    build:\n      artifacts: [{image: gcr.io/acme/worker}]\n',
      'k8s/web.yaml': pod('leeroy-web'),
      'k8s/worker.yaml': pod('gcr.io/acme/worker:latest'),
      'k8s/other.yaml': pod('nginx'),
      'tilt/Tiltfile': "# docker_build('commented', '.')\ndocker_build('acme/api', '.')\ncustom_build(ref='acme/job', command='make')\n",
      'tilt/deploy/api.yaml': pod('acme/api'),
      'tilt/deploy/job.yaml': pod('acme/job:dev'),
      'tilt/deploy/commented.yaml': pod('commented'),
      'istio/gateway.yaml': pod('auto'),
    });
    assert.deepEqual(compact(check(root).findings), [
      'k8s/other.yaml:7:14 warning image-untagged',
      'tilt/deploy/commented.yaml:7:14 warning image-untagged',
    ]);
  });

  it('GitLab CI files included by .gitlab-ci.yml are GitLab CI whatever their name, nested includes too', () => {
    const root = tree({
      [noLabels]: 'labels: {defaults: false}\n',
      '.gitlab-ci.yml': 'include:\n  - local: /.gitlab/ci/build.yml\n  - "/.gitlab/ci/jobs/*.yml"\n  - remote: https://example.com/x.yml\nstages: [build]\n',
      '.gitlab/ci/build.yml': 'include: {local: .gitlab/ci/nested.yml}\nbuild:\n  image: golang:latest\n',
      '.gitlab/ci/nested.yml': 'lint:\n  image: node\n',
      '.gitlab/ci/jobs/test.yml': 'test:\n  image: python:3\n',
      '.gitlab/ci/unrelated.yml': 'job:\n  image: ruby:latest\n',
    });
    assert.deepEqual(compact(check(root).findings).sort(), [
      '.gitlab/ci/build.yml:3:10 warning image-latest',
      '.gitlab/ci/jobs/test.yml:2:10 warning image-floating-tag',
      '.gitlab/ci/nested.yml:2:10 warning image-untagged',
    ]);
  });
});
