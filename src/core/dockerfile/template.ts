/** Names that say the file is rendered before it is built: `Dockerfile.tmpl`, `Dockerfile-alpine.template`, `Dockerfile.j2`. */
const TEMPLATE_NAME = /\.(?:tmpl|tpl|template|j2|jinja2?|gotmpl|mustache|hbs|erb|in)$/i;

/** A line a template engine owns: `{{ if … }}`, `{% for %}`, `{# … #}`, `<% … %>`. */
const TEMPLATE_LINE = /^[ \t]*(?:\{\{|\{%|\{#|<%)/m;

/** `%%NGINX_VERSION%%`, the placeholders the official images' update scripts fill. */
const PLACEHOLDER = /%%[A-Za-z_][A-Za-z0-9_]*%%/;

/**
 * Template syntax in an instruction that names images or metadata (`FROM {{ .Base }}`). In RUN,
 * CMD and the like `{{` is common and literal (`docker inspect --format '{{.Id}}'`).
 */
const TEMPLATED_INSTRUCTION = /^[ \t]*(?:from|arg|env|label|copy|add|user|workdir|expose|onbuild)[ \t][^\n]*(?:\{\{|\{%)/im;

/**
 * Whether a Dockerfile is a template that a script renders first (the official images' update
 * scripts, gomplate, Jinja): until rendered, its lines are not instructions and its images are
 * placeholders, so it is not linted.
 */
export function isDockerfileTemplate(path: string, text: string): boolean {
  // The line-by-line expression only where its `{{`/`{%` occurs at all (a 2,000-line file costs it ~0.2 ms).
  const templated = (text.includes('{{') || text.includes('{%')) && TEMPLATED_INSTRUCTION.test(text);
  return TEMPLATE_NAME.test(path) || TEMPLATE_LINE.test(text) || PLACEHOLDER.test(text) || templated;
}
