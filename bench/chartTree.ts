// `steward check` on a tree shaped like a Helm chart collection: thousands of YAML files, most of
// them templates, CRDs and dashboards that name no image, some over 10,000 lines; against a bare
// `yaml` parse of the same files and Node's start-up, measured in this run.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { median, ratio, row, timed } from './measure';

const execFileAsync = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'dist', 'cli.js');
const CHARTS = 200;

const TEMPLATES: Readonly<Record<string, string>> = {
  'service.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "chart.fullname" . }}\n  labels:\n    {{- include "chart.labels" . | nindent 4 }}\nspec:\n  type: {{ .Values.service.type }}\n  ports:\n    - port: {{ .Values.service.port }}\n      targetPort: http\n      protocol: TCP\n      name: http\n  selector:\n    {{- include "chart.selectorLabels" . | nindent 4 }}\n',
  'serviceaccount.yaml': '{{- if .Values.serviceAccount.create -}}\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {{ include "chart.serviceAccountName" . }}\n  {{- with .Values.serviceAccount.annotations }}\n  annotations:\n    {{- toYaml . | nindent 4 }}\n  {{- end }}\nautomountServiceAccountToken: {{ .Values.serviceAccount.automount }}\n{{- end }}\n',
  'configmap.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include "chart.fullname" . }}\ndata:\n  LOG_LEVEL: {{ .Values.logLevel | quote }}\n  config.yaml: |\n    server:\n      port: 8080\n      timeout: 30s\n    cache:\n      size: 512\n',
  'ingress.yaml': '{{- if .Values.ingress.enabled -}}\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: {{ include "chart.fullname" . }}\nspec:\n  {{- if .Values.ingress.className }}\n  ingressClassName: {{ .Values.ingress.className }}\n  {{- end }}\n  rules:\n    {{- range .Values.ingress.hosts }}\n    - host: {{ .host | quote }}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: {{ include "chart.fullname" $ }}\n                port:\n                  number: {{ $.Values.service.port }}\n    {{- end }}\n{{- end }}\n',
  'hpa.yaml': '{{- if .Values.autoscaling.enabled }}\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: {{ include "chart.fullname" . }}\nspec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: {{ include "chart.fullname" . }}\n  minReplicas: {{ .Values.autoscaling.minReplicas }}\n  maxReplicas: {{ .Values.autoscaling.maxReplicas }}\n{{- end }}\n',
  'pdb.yaml': 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: {{ include "chart.fullname" . }}\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      {{- include "chart.selectorLabels" . | nindent 6 }}\n',
  'role.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {{ include "chart.fullname" . }}\nrules:\n  - apiGroups: [""]\n    resources: ["configmaps", "secrets"]\n    verbs: ["get", "list", "watch"]\n',
  'rolebinding.yaml': 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: {{ include "chart.fullname" . }}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {{ include "chart.fullname" . }}\nsubjects:\n  - kind: ServiceAccount\n    name: {{ include "chart.serviceAccountName" . }}\n',
  'networkpolicy.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {{ include "chart.fullname" . }}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress]\n  ingress:\n    - from:\n        - podSelector: {}\n',
  'servicemonitor.yaml': 'apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: {{ include "chart.fullname" . }}\nspec:\n  endpoints:\n    - port: http\n      interval: 30s\n      path: /metrics\n',
  'secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ include "chart.fullname" . }}\ntype: Opaque\ndata:\n  password: {{ .Values.password | b64enc | quote }}\n',
  'deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include "chart.fullname" . }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      serviceAccountName: {{ include "chart.serviceAccountName" . }}\n      containers:\n        - name: {{ .Chart.Name }}\n          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"\n          imagePullPolicy: {{ .Values.image.pullPolicy }}\n          ports:\n            - name: http\n              containerPort: 8080\n          livenessProbe:\n            httpGet: {path: /healthz, port: http}\n          resources:\n            {{- toYaml .Values.resources | nindent 12 }}\n',
  'tests/test-connection.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "{{ include "chart.fullname" . }}-test-connection"\n  annotations:\n    "helm.sh/hook": test\nspec:\n  containers:\n    - name: wget\n      image: busybox:1.36.1\n      command: [wget]\n      args: ["{{ include "chart.fullname" . }}:{{ .Values.service.port }}"]\n  restartPolicy: Never\n',
};

function values(chart: number): string {
  const lines = ['replicaCount: 1', 'image:', `  repository: ghcr.io/acme/chart-${chart}`, '  pullPolicy: IfNotPresent', `  tag: "${chart % 5 === 0 ? 'latest' : `1.${chart}.0`}"`, 'serviceAccount:', '  create: true', '  automount: true', '  annotations: {}', 'service:', '  type: ClusterIP', '  port: 80', 'ingress:', '  enabled: false', '  className: ""', '  hosts:', '    - host: chart.local', 'autoscaling:', '  enabled: false', '  minReplicas: 1', '  maxReplicas: 10'];
  for (let index = 0; lines.length < 160; index++) lines.push(`# option ${index}: what it does and why one would change it`, `option${index}:`, `  enabled: ${index % 2 === 0}`, `  value: "setting ${index}"`);
  return `${lines.join('\n')}\n`;
}

/** A CRD of `lines` lines: an OpenAPI schema of plain fields, no image. */
function customResourceDefinition(chart: number, lines: number): string {
  const out = ['apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata:', `  name: widgets${chart}.example.com`, 'spec:', '  group: example.com', '  versions:', '    - name: v1', '      served: true', '      schema:', '        openAPIV3Schema:', '          type: object', '          properties:'];
  for (let field = 0; out.length < lines; field++) out.push(`            field${field}:`, `              description: Field ${field} of the widget, which sets how often it runs and where it reports.`, '              type: string', `              default: value-${field}`);
  return `${out.join('\n')}\n`;
}

/** A Grafana dashboard in a ConfigMap, `lines` lines of JSON in a block scalar. */
function dashboard(chart: number, lines: number): string {
  const out = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', `  name: dashboard-${chart}`, '  labels: {grafana_dashboard: "1"}', 'data:', `  dashboard-${chart}.json: |`, '    {"panels": ['];
  for (let panel = 0; out.length < lines; panel++) out.push(`      {"id": ${panel}, "type": "timeseries", "title": "Requests ${panel}",`, `       "targets": [{"expr": "sum(rate(http_requests_total{job=\\"app\\", code=~\\"5..\\"}[5m]))", "refId": "A"}]},`);
  out.push('      {}', '    ]}');
  return `${out.join('\n')}\n`;
}

/** Writes the tree; returns the YAML files it holds. */
export function writeChartCollection(root: string): string[] {
  const files: string[] = [];
  const write = (path: string, text: string) => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    if (/\.ya?ml$/.test(path)) files.push(file);
  };
  for (let chart = 0; chart < CHARTS; chart++) {
    const dir = `charts/chart-${chart}`;
    write(`${dir}/Chart.yaml`, `apiVersion: v2\nname: chart-${chart}\ndescription: A Helm chart for service ${chart}\ntype: application\nversion: 0.${chart}.0\nappVersion: "1.${chart}.0"\n`);
    write(`${dir}/values.yaml`, values(chart));
    write(`${dir}/ci/default-values.yaml`, 'replicaCount: 2\nservice:\n  port: 8080\n');
    write(`${dir}/templates/_helpers.tpl`, '{{- define "chart.fullname" -}}\n{{ .Release.Name }}\n{{- end }}\n');
    write(`${dir}/templates/NOTES.txt`, 'Get the application URL by running these commands.\n');
    write(`${dir}/README.md`, `# chart-${chart}\n`);
    for (const [name, text] of Object.entries(TEMPLATES)) write(`${dir}/templates/${name}`, text);
    if (chart % 10 === 0) write(`${dir}/crds/widgets.yaml`, customResourceDefinition(chart, 12_000));
    if (chart % 25 === 0) write(`${dir}/templates/dashboards/dashboard.yaml`, dashboard(chart, 10_500));
  }
  return files;
}

export async function benchChartTree(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'steward-bench-charts-'));
  try {
    const files = writeChartCollection(root);
    const lines = files.reduce((sum, file) => sum + readFileSync(file, 'utf8').split('\n').length - 1, 0);
    const big = files.filter((file) => readFileSync(file, 'utf8').split('\n').length > 10_000).length;
    const options = { cwd: root, maxBuffer: 256 * 1024 * 1024 };
    // Exit 1 (findings at error) is a result, not a failure.
    const check = () => execFileAsync(process.execPath, [CLI, 'check', '--format', 'json'], options).catch((error: { code?: number }) => {
      if (error.code !== 1) throw error;
    });
    const bareParse = () => {
      for (const file of files) parseAllDocuments(readFileSync(file, 'utf8'));
    };
    await check();
    const checkTimes: number[] = [];
    const parseTimes: number[] = [];
    const nodeTimes: number[] = [];
    for (let round = 0; round < 5; round++) {
      checkTimes.push(await timed(check));
      parseTimes.push(await timed(async () => bareParse()));
      nodeTimes.push(await timed(() => execFileAsync(process.execPath, ['-e', ''], options)));
    }
    const [checkTime, parseTime, nodeTime] = [median(checkTimes), median(parseTimes), median(nodeTimes)];
    console.log(`\nChart collection: ${CHARTS} charts, ${files.length.toLocaleString('en')} YAML files (${big} over 10,000 lines), ${lines.toLocaleString('en')} lines (median of 5)`);
    row('node -e "" (bare Node start-up)', nodeTime);
    row('yaml parseAllDocuments of every file', parseTime, `${Math.round(files.length / (parseTime / 1000)).toLocaleString('en')} files/s`);
    row('steward check (whole process)', checkTime, `${Math.round(files.length / (checkTime / 1000)).toLocaleString('en')} files/s (goal ≥ 1,000); ${ratio(checkTime, parseTime)} the bare parse, ${ratio(checkTime, nodeTime)} Node start-up`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
