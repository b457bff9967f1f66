import parseSpdxExpression from 'spdx-expression-parse';
import LICENSE_IDS from 'spdx-license-ids/index.json';
import DEPRECATED_IDS from 'spdx-license-ids/deprecated.json';

// License text as SBOMs really carry it: SPDX expressions with a stray non-SPDX token
// (`MIT AND GPL-unspecified`), deprecated ids (`GPL-3.0`), names instead of ids (CycloneDX
// `license.name: "Apache License 2.0"`). Each is read into SPDX ids so a deny-list means the same on
// every SBOM; what maps to nothing is kept as a `LicenseRef-…` of its own.

type Node = ReturnType<typeof parseSpdxExpression>;

const BY_LOWERCASE = new Map<string, string>([...LICENSE_IDS, ...DEPRECATED_IDS].map((id) => [id.toLowerCase(), id]));

/** SPDX's deprecated GNU ids mean the "-only" licenses (SPDX license list, 3.0 deprecations). */
const DEPRECATED_TO_CURRENT: Readonly<Record<string, string>> = {
  'GPL-1.0': 'GPL-1.0-only', 'GPL-2.0': 'GPL-2.0-only', 'GPL-3.0': 'GPL-3.0-only',
  'LGPL-2.0': 'LGPL-2.0-only', 'LGPL-2.1': 'LGPL-2.1-only', 'LGPL-3.0': 'LGPL-3.0-only',
  'AGPL-1.0': 'AGPL-1.0-only', 'AGPL-3.0': 'AGPL-3.0-only',
  'GFDL-1.1': 'GFDL-1.1-only', 'GFDL-1.2': 'GFDL-1.2-only', 'GFDL-1.3': 'GFDL-1.3-only',
  'BSD-2-Clause-FreeBSD': 'BSD-2-Clause', 'BSD-2-Clause-NetBSD': 'BSD-2-Clause', 'StandardML-NJ': 'SMLNJ',
};

/** Names package managers and SBOM tools write where an id belongs, lowercased. Only unambiguous ones. */
const NAME_TO_ID: Readonly<Record<string, string>> = {
  'apache 2': 'Apache-2.0', 'apache 2.0': 'Apache-2.0', 'apache-2': 'Apache-2.0', 'apache license 2.0': 'Apache-2.0',
  'apache license, version 2.0': 'Apache-2.0', 'apache license version 2.0': 'Apache-2.0', 'the apache software license, version 2.0': 'Apache-2.0',
  'mit license': 'MIT', 'the mit license': 'MIT', 'isc license': 'ISC',
  'bsd 2-clause': 'BSD-2-Clause', 'bsd-2': 'BSD-2-Clause', 'simplified bsd': 'BSD-2-Clause',
  'bsd 3-clause': 'BSD-3-Clause', 'bsd-3': 'BSD-3-Clause', 'new bsd license': 'BSD-3-Clause', 'modified bsd': 'BSD-3-Clause',
  'gpl-2': 'GPL-2.0-only', 'gplv2': 'GPL-2.0-only', 'gpl v2': 'GPL-2.0-only', 'gpl-2+': 'GPL-2.0-or-later', 'gplv2+': 'GPL-2.0-or-later',
  'gpl-3': 'GPL-3.0-only', 'gplv3': 'GPL-3.0-only', 'gpl v3': 'GPL-3.0-only', 'gpl-3+': 'GPL-3.0-or-later', 'gplv3+': 'GPL-3.0-or-later',
  'lgpl-2.1': 'LGPL-2.1-only', 'lgplv2.1': 'LGPL-2.1-only', 'lgpl-2.1+': 'LGPL-2.1-or-later', 'lgpl-3': 'LGPL-3.0-only', 'lgplv3': 'LGPL-3.0-only',
  'agplv3': 'AGPL-3.0-only', 'mpl 2.0': 'MPL-2.0', 'mozilla public license 2.0': 'MPL-2.0',
  'eclipse public license 2.0': 'EPL-2.0', 'eclipse public license - v 2.0': 'EPL-2.0',
};

const OPERATORS = new Set(['AND', 'OR', 'WITH']);
/** Parentheses nest at most this deep before we stop parsing and read every id as required (AND). */
const MAX_NESTING = 64;

/** The SPDX id a single token or name stands for, or a `LicenseRef-` of the token when none. */
export function canonicalLicenseId(token: string): string {
  const trimmed = token.trim();
  if (/^(LicenseRef|DocumentRef)-/i.test(trimmed)) return trimmed;
  const id = BY_LOWERCASE.get(trimmed.toLowerCase()) ?? NAME_TO_ID[trimmed.toLowerCase()];
  if (id) return DEPRECATED_TO_CURRENT[id] ?? id;
  return `LicenseRef-${trimmed.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'unknown'}`;
}

function plusId(id: string): string {
  const base = DEPRECATED_TO_CURRENT[id] ?? id;
  return base.endsWith('-only') ? `${base.slice(0, -'-only'.length)}-or-later` : `${base}+`;
}

/** A license expression read into a tree of SPDX ids; unknown tokens become `LicenseRef-…`, never an error. */
export function parseLicense(expression: string): Node {
  const whole = NAME_TO_ID[expression.trim().toLowerCase()];
  if (whole) return { license: whole };
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let depth = 0;
  for (const token of tokens) {
    depth += token === '(' ? 1 : token === ')' ? -1 : 0;
    if (depth > MAX_NESTING) return allRequired(tokens);
  }
  const rewritten = tokens.map((token, index) => {
    if (token === '(' || token === ')') return token;
    const upper = token.toUpperCase();
    if (OPERATORS.has(upper)) return upper;
    // The token after WITH is an exception (`Classpath-exception-2.0`), kept as written.
    if (tokens[index - 1]?.toUpperCase() === 'WITH') return token;
    const plus = token.endsWith('+') && token.length > 1;
    const id = canonicalLicenseId(plus ? token.slice(0, -1) : token);
    return plus && !id.startsWith('LicenseRef-') ? `${id}+` : id;
  }).join(' ');
  try {
    return normalisePlus(parseSpdxExpression(rewritten));
  } catch {
    // Unbalanced parentheses or operators in odd places: fail closed, every id counts.
    return allRequired(tokens);
  }
}

function allRequired(tokens: readonly string[]): Node {
  const ids = tokens.filter((token) => token !== '(' && token !== ')' && !OPERATORS.has(token.toUpperCase())).map(canonicalLicenseId);
  let node: Node = { license: ids[0] ?? 'LicenseRef-unknown' };
  for (const id of ids.slice(1)) node = { left: node, conjunction: 'and', right: { license: id } };
  return node;
}

// `GPL-2.0+` is `GPL-2.0-or-later`; done on the tree iteratively (an expression is outside data).
function normalisePlus(root: Node): Node {
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ('license' in node) {
      if (node.plus) {
        (node as { license: string }).license = plusId(node.license);
        delete (node as { plus?: boolean }).plus;
      } else {
        (node as { license: string }).license = DEPRECATED_TO_CURRENT[node.license] ?? node.license;
      }
    } else {
      stack.push(node.left, node.right);
    }
  }
  return root;
}

/** Every license id an expression names (each choice of an OR included). */
export function licenseIds(expression: string): string[] {
  const ids: string[] = [];
  const stack: Node[] = [parseLicense(expression)];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if ('license' in node) ids.push(node.license);
    else stack.push(node.right, node.left);
  }
  return ids;
}

/**
 * Whether an expression is denied: an `OR` only when every choice is denied, an `AND` when any part
 * is. `deny` holds canonical ids (see `canonicalLicenseId`).
 */
export function isDeniedLicense(expression: string, deny: ReadonlySet<string>): boolean {
  if (deny.size === 0) return false;
  // Post-order evaluation with an explicit stack: a hostile expression cannot overflow the call stack.
  const root = parseLicense(expression);
  const results = new Map<Node, boolean>();
  const stack: { node: Node; expanded: boolean }[] = [{ node: root, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const node = top.node;
    if ('license' in node) {
      results.set(node, deny.has(node.license));
    } else if (!top.expanded) {
      stack.push({ node, expanded: true }, { node: node.left, expanded: false }, { node: node.right, expanded: false });
    } else {
      const left = results.get(node.left)!;
      const right = results.get(node.right)!;
      results.set(node, node.conjunction === 'or' ? left && right : left || right);
    }
  }
  return results.get(root) ?? false;
}

/** A deny-list as written by users (`GPL-3.0`, `agpl-3.0-only`) in canonical ids. */
export function denySet(deny: readonly string[]): ReadonlySet<string> {
  return new Set(deny.map(canonicalLicenseId));
}
