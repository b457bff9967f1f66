import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { scanYaml } from '../../../src/core/manifests/scan';
import { dedent } from '../../helpers';

const images = (path: string, text: string) => scanYaml(path, dedent(text)).images.map((image) => image.text);
const located = (path: string, text: string) => scanYaml(path, dedent(text)).images.map((image) => `${image.text}@${image.range.start.line + 1}:${image.range.start.character + 1}`);

describe('Kubernetes', () => {
  it('finds containers, initContainers and ephemeralContainers in every workload, in every document', () => {
    assert.deepEqual(images('k8s/app.yaml', `
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        template:
          spec:
            initContainers: [{name: init, image: busybox:1.36.1}]
            containers:
              - name: web
                image: nginx:1.25.3
            ephemeralContainers:
              - {name: debug, image: "debian:12.5"}
      ---
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: nightly}
      spec:
        jobTemplate:
          spec:
            template:
              spec:
                containers: [{name: job, image: "ghcr.io/acme/job:2.0.1"}]
      ---
      apiVersion: argoproj.io/v1alpha1
      kind: Rollout
      metadata: {name: canary}
      spec:
        template:
          spec:
            containers: [{name: app, image: acme/app:main}]
    `), ['busybox:1.36.1', 'nginx:1.25.3', 'debian:12.5', 'ghcr.io/acme/job:2.0.1', 'acme/app:main']);
  });
  it('finds images in kind: List items and names the owning object', () => {
    const scan = scanYaml('list.yaml', dedent(`
      apiVersion: v1
      kind: List
      items:
        - apiVersion: v1
          kind: Pod
          metadata: {name: p1}
          spec: {containers: [{name: c, image: "alpine"}]}
    `));
    assert.deepEqual(scan.images.map((image) => [image.text, image.origin]), [['alpine', 'Pod p1, container c']]);
  });
  it('ignores objects without pod specs and YAML that is not Kubernetes', () => {
    assert.deepEqual(images('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\ndata: {image: nginx}\n'), []);
    assert.deepEqual(images('docs/_config.yml', 'title: Docs\nimage: banner.png\nlogo: {image: logo.svg}\n'), []);
    assert.deepEqual(images('.github/dependabot.yml', 'version: 2\nupdates: []\n'), []);
  });
});

describe('containers outside pod specs', () => {
  it('finds Argo Workflows container/script templates, Tekton steps and sidecars, and a single container of older Knative', () => {
    const scan = scanYaml('ci/all.yaml', dedent(`
      apiVersion: argoproj.io/v1alpha1
      kind: Workflow
      metadata: {name: wf}
      spec:
        templates:
          - name: build
            container: {image: golang:1.22, command: [go, build]}
          - name: report
            script: {image: "python:3", source: "print({{inputs.parameters.x}})"}
          - name: fan
            steps:
              - - name: inline
                  inline: {container: {image: alpine:latest}}
      ---
      apiVersion: tekton.dev/v1
      kind: Task
      metadata: {name: t}
      spec:
        steps:
          - {name: test, image: node:20.11.1, script: "npm test"}
        sidecars:
          - {name: db, image: postgres}
      ---
      apiVersion: serving.knative.dev/v1alpha1
      kind: Service
      metadata: {name: old}
      spec:
        runLatest:
          configuration:
            revisionTemplate:
              spec:
                container: {image: gcr.io/acme/app:latest}
    `));
    assert.deepEqual(scan.images.map((image) => [image.text, image.origin]), [
      ['golang:1.22', 'Workflow wf, container build'],
      ['python:3', 'Workflow wf, script report'],
      ['alpine:latest', 'Workflow wf, container inline'],
      ['node:20.11.1', 'Task t, step test'],
      ['postgres', 'Task t, sidecar db'],
      ['gcr.io/acme/app:latest', 'Service old, container'],
    ]);
  });
});

describe('Helm values beyond values.yaml', () => {
  it('reads any *values*.yaml and composes Istio hub/image/tag siblings with global defaults, and elastic-style imageTag', () => {
    const text = `
      global:
        hub: docker.io/istio
        tag: 1.20.0
      pilot:
        image: pilot
      gateway:
        hub: gcr.io/acme
        image: proxyv2
        tag: 1.19.3
      external:
        image: quay.io/acme/tool
      elastic:
        image: docker.elastic.co/elasticsearch/elasticsearch
        imageTag: 8.5.1
      pinned:
        image: nginx:1.25.3
        tag: ignored
      chartDefault:
        image: acme/app
        tag: ""
    `;
    for (const path of ['values-prod.yaml', 'deploy/loki-values.yaml', 'ci/default.values.yml']) {
      assert.deepEqual(located(path, text), [
        'docker.io/istio/pilot:1.20.0@5:10',
        'gcr.io/acme/proxyv2:1.19.3@9:8',
        'quay.io/acme/tool@11:10',
        'docker.elastic.co/elasticsearch/elasticsearch:8.5.1@14:13',
        'nginx:1.25.3@16:10',
      ], path);
    }
    assert.deepEqual(images('valuesets/config.yaml', 'image: nginx\n'), []);
  });
  it('takes the nearest enclosing global defaults and a registry beside a bare name', () => {
    const text = `
      defaults:
        global:
          hub: registry.example/mesh
          tag: 1.2.3
          proxy:
            image: proxyv2
        image: pilot
      azure:
        proxy:
          image: traefik
          tag: 3.1.0
          registry: docker.io/library
        full:
          image: quay.io/acme/tool:1.0.0
          registry: ignored.example
    `;
    assert.deepEqual(images('values.yaml', text), ['registry.example/mesh/proxyv2:1.2.3', 'registry.example/mesh/pilot:1.2.3', 'docker.io/library/traefik:3.1.0', 'quay.io/acme/tool:1.0.0']);
  });
});

describe('Compose', () => {
  it('finds services.*.image by file name or by shape', () => {
    assert.deepEqual(located('docker-compose.yml', `
      services:
        web:
          image: nginx:latest
        app:
          build: .
    `), ['nginx:latest@3:12']);
    assert.deepEqual(images('stack/deploy.yaml', 'name: s\nservices:\n  db: {image: "postgres:16.2"}\nx-common: {}\n'), ['postgres:16.2']);
  });
  it('resolves defaults as Compose does, and reports nothing for variables it cannot know', () => {
    assert.deepEqual(images('compose.yaml', 'services:\n  web: {image: "nginx:${TAG:-1.25.3}"}\n  app: {image: $APP}\n  job: {image: "job:${TAG:?set TAG}"}\n'), ['nginx:1.25.3']);
  });
});

describe('Kustomize', () => {
  it('builds the reference from newName/newTag/digest and anchors it on the tag', () => {
    assert.deepEqual(located('overlays/prod/kustomization.yaml', `
      resources: [../../base]
      images:
        - name: acme/api
          newTag: latest
        - name: acme/web
          newName: registry.example.com/acme/web
          digest: sha256:${'c'.repeat(64)}
        - name: acme/worker
          newName: registry.example.com/acme/worker
    `), ['acme/api:latest@4:13', `registry.example.com/acme/web@sha256:${'c'.repeat(64)}@6:14`]);
  });
});

describe('Helm values', () => {
  it('reads string images and registry/repository/tag/digest maps at any depth, keeping numeric tags as written', () => {
    assert.deepEqual(located('charts/app/values.yaml', `
      image:
        registry: docker.io
        repository: bitnami/redis
        tag: 1.10
      sidecars:
        - name: proxy
          image: envoyproxy/envoy:v1.29
      metrics:
        exporter:
          image: {repository: prom/exporter, tag: latest}
    `), ['docker.io/bitnami/redis:1.10@4:8', 'envoyproxy/envoy:v1.29@7:12', 'prom/exporter:latest@10:45']);
  });
  it('treats an empty tag as the chart appVersion: no reference', () => {
    assert.deepEqual(images('values.yaml', 'image:\n  repository: acme/app\n  tag: ""\n  pullPolicy: IfNotPresent\n'), []);
    assert.deepEqual(images('values-prod.yaml', 'image:\n  repository: acme/app\n'), []);
  });
});

describe('GitHub Actions', () => {
  it('finds job containers, services and docker:// steps, and skips expressions', () => {
    assert.deepEqual(located('.github/workflows/ci.yml', `
      on: push
      jobs:
        test:
          runs-on: ubuntu-latest
          container: node:20
          services:
            redis: {image: "redis:7.2.4"}
            db:
              image: \${{ matrix.db }}
          steps:
            - uses: actions/checkout@v4
            - uses: docker://alpine:3.19.1
        build:
          container:
            image: ghcr.io/acme/builder:latest
    `), ['node:20@5:16', 'redis:7.2.4@7:23', 'alpine:3.19.1@12:24', 'ghcr.io/acme/builder:latest@15:14']);
  });
});

describe('GitLab CI', () => {
  it('finds top-level, default and job images and services in both forms', () => {
    assert.deepEqual(images('.gitlab-ci.yml', `
      image: ruby:3.3
      services: [postgres:16.2]
      variables: {IMAGE: x}
      default:
        image: {name: "alpine:3.19.1"}
      test:
        image: $CI_REGISTRY_IMAGE:$CI_COMMIT_SHA
        services:
          - name: redis:latest
            alias: cache
        script: [rake]
    `), ['ruby:3.3', 'postgres:16.2', 'alpine:3.19.1', 'redis:latest']);
  });
});

describe('templates and broken files', () => {
  it('skips Helm templates and other template documents silently', () => {
    const scan = scanYaml('charts/app/templates/deployment.yaml', 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n        - image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"\n{{- if .Values.x }}\n');
    assert.deepEqual(scan, { images: [], problems: [] });
    assert.deepEqual(scanYaml('playbook.yml', '- hosts: all\n  tasks: {% for x in y %}\n').problems, []);
    // It parses, but the template decides the structure: a flow map opened by `{{`, a templated key.
    assert.deepEqual(scanYaml('k8s/pod.yaml', 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: nginx:latest\n      resources: {{ toYaml .Values.resources }}\n'), { images: [], problems: [] });
    assert.deepEqual(images('k8s/pod.yaml', 'apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: nginx:latest\n  "{{ .Values.key }}": x\n'), []);
    // An action yaml cannot fit in the document's root is an error of the document outside its range: still the template's.
    for (const text of ['args:\n- run\n\n{{- include "chart.labels" . | nindent 4 }}\n', 'containers:\n  - image: nginx:latest\n{{- end }}\n---\na: 1\n']) {
      assert.deepEqual(scanYaml('charts/app/templates/x.yaml', text), { images: [], problems: [] }, text);
    }
    assert.equal(scanYaml('charts/app/templates/x.yaml', 'args:\n- run\n{{- end }}\n---\na: [\n').problems.length, 1);
  });
  it('keeps checking a document where an unquoted Argo parameter stands for one value; Helm\'s {{ .Values }} in a flow position still skips it', () => {
    const job = (annotation: string) => `apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nspec:\n  metrics:\n    - provider:\n        job:\n          spec:\n            template:\n              metadata:\n                annotations:\n                  inject: ${annotation}\n              spec:\n                containers:\n                  - name: load\n                    image: acme/load-tester:latest\n`;
    assert.deepEqual(scanYaml('analysis.yaml', job('{{args.linkerd-enabled}}')).images.map((image) => image.text), ['acme/load-tester:latest']);
    assert.deepEqual(images('analysis.yaml', job('{{inputs.parameters.x}}')), ['acme/load-tester:latest']);
    for (const helm of ['{{.Values.inject}}', '{{ .Values.inject }}', '{{ toYaml .Values.inject }}', '{{inject}}']) {
      assert.deepEqual(scanYaml('analysis.yaml', job(helm)), { images: [], problems: [] }, helm);
    }
  });
  it('keeps checking a document whose `{{` sits in a comment or a string value, and the documents beside a template', () => {
    assert.deepEqual(images('rules.yaml', `
      apiVersion: monitoring.coreos.com/v1
      kind: PrometheusRule
      spec:
        groups:
          - rules:
              - alert: Down
                annotations:
                  summary: "Instance {{ $labels.instance }} is down"
                  description: '{{ $value }} for {{ .Labels.job }}'
                  runbook: see {{ .Values.url }}
      ---
      # rendered with {{ helm }} later
      apiVersion: apps/v1
      kind: Deployment
      spec:
        template:
          spec:
            containers:
              - name: app
                image: nginx:latest
                args: ["{{inputs.parameters.x}}"]
                env: [{name: DASHBOARD, value: "{{ .Title }}"}]
      ---
      {{- if .Values.extra }}
      apiVersion: v1
      kind: Pod
      spec: {containers: [{name: b, image: busybox}]}
      {{- end }}
    `), ['nginx:latest']);
  });
  it('skips placeholders a person or a script fills in ({user}, <image>, @VAR@, an all-caps tag, ko://) and keeps real references beside them', () => {
    const pod = (image: string) => `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: ${image}\n    - name: b\n      image: busybox\n`;
    for (const placeholder of ['docker.io/{username}/hello', '"<registry/repository/image:tag>"', 'gcr.io/@PROJECT_ID@/app', 'acme/app:CONTAINER_IMAGES_TAG', 'ko://github.com/acme/cmd/server', 'github.com/acme/cmd/server']) {
      assert.deepEqual(scanYaml('pod.yaml', pod(placeholder)), { images: [{ text: 'busybox', range: { start: { line: 7, character: 13 }, end: { line: 7, character: 20 } }, origin: 'Pod, container b' }], problems: [] }, placeholder);
    }
    // Still references: lowercase and mixed tags, a digest, a registry port, GitHub's registry.
    assert.deepEqual(images('pod.yaml', pod('ghcr.io/acme/server')), ['ghcr.io/acme/server', 'busybox']);
    assert.deepEqual(images('pod.yaml', pod('acme/app:Release_2')), ['acme/app:Release_2', 'busybox']);
    assert.deepEqual(images('pod.yaml', pod('localhost:5000/app@sha256:' + 'a'.repeat(64))), ['localhost:5000/app@sha256:' + 'a'.repeat(64), 'busybox']);
    assert.deepEqual(images('kustomization.yaml', 'images:\n  - name: app\n    newTag: IMAGE_TAG\n  - name: web\n    newTag: v1\n'), ['web:v1']);
  });
  it('reports a syntax error with its position and keeps scanning the valid documents', () => {
    const scan = scanYaml('k8s.yaml', 'apiVersion: v1\nkind: Pod\nspec: {containers: [{name: a, image: nginx}]}\n---\nkey: [unclosed\n');
    assert.deepEqual(scan.images.map((image) => image.text), ['nginx']);
    assert.equal(scan.problems.length, 1);
    assert.match(scan.problems[0]!.message, /YAML syntax error/);
    assert.equal(scan.problems[0]!.range.start.line >= 4, true);
  });
  it('reads quoted scalars continued at their key\'s indent, as go-yaml (kubectl, Helm) does', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    description: "a long\n    text \\" with a quote\n  and less indent"\n    note: \'it\'\'s\n    single\'\nspec:\n  containers:\n    - name: a\n      image: nginx:latest\n';
    const scan = scanYaml('pod.yaml', text);
    assert.deepEqual(scan.problems, []);
    assert.deepEqual(located('pod.yaml', text), ['nginx:latest@13:14']);
    // Still an error where go-yaml has one too: a quote never closed.
    assert.equal(scanYaml('pod.yaml', 'image: "never closed\nb: 1\n').problems.length, 1);
  });
  it('reads quoted scalars inside `[ ]` closed at the key\'s indent, and in a list item continued left of its key', () => {
    // The parser stops inside the flow sequence, lines after the opening one, and misreads the closing quote as an opening one.
    const flow = 'kind: Workflow\napiVersion: v1\nspec:\n  templates:\n    - name: t\n      container:\n        image: alpine:3.20\n        args: ["\n          echo \'a b\' &&\n          echo done\n        "]\n        command: [sh]\n    - name: u\n      container:\n        image: nginx:latest\n';
    assert.deepEqual(scanYaml('wf.yaml', flow).problems, []);
    assert.deepEqual(located('wf.yaml', flow), ['alpine:3.20@7:16', 'nginx:latest@15:16']);
    const listItem = 'apiVersion: v1\nkind: Pod\nmetadata:\n  columns:\n    - description: \'one text\n    continued at the dash\n  and further left\'\n      name: a\nspec:\n  containers:\n    - name: a\n      image: nginx:latest\n';
    assert.deepEqual(scanYaml('pod.yaml', listItem).problems, []);
    assert.deepEqual(located('pod.yaml', listItem), ['nginx:latest@12:14']);
  });
  it('counts a lone CR as a line break, as VS Code does', () => {
    const text = 'apiVersion: v1\rkind: Pod\rspec:\r  containers:\r    - name: a\r      image: nginx:latest\r';
    assert.deepEqual(scanYaml('pod.yaml', text).problems, []);
    assert.deepEqual(located('pod.yaml', text), ['nginx:latest@6:14']);
  });
  it('accepts repeated `<<` merge keys; reports a duplicate key and still checks the document', () => {
    assert.deepEqual(scanYaml('compose.yaml', 'x-a: &a {restart: always}\nx-b: &b {init: true}\nservices:\n  web:\n    <<: *a\n    <<: *b\n    image: nginx:1.25.3\n').problems, []);
    const scan = scanYaml('compose.yaml', 'services:\n  web:\n    image: nginx:latest\n    ports: []\n    ports: []\n');
    assert.deepEqual(scan.images.map((image) => image.text), ['nginx:latest']);
    assert.deepEqual(scan.problems.map((problem) => [problem.message, problem.range.start.line]), [['duplicate key "ports": Kubernetes (strict field validation) and Compose reject the file, other readers keep the last value', 4]]);
    // A hostile key is quoted only in part.
    const long = 'k'.repeat(10_000);
    assert.match(scanYaml('compose.yaml', `services: {}\n? ${long}\n: 1\n? ${long}\n: 2\n`).problems[0]!.message, new RegExp(`^duplicate key "k{80}":`));
  });
});
