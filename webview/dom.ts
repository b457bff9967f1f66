/**
 * DOM building for the report panels. Every string lands in a text node or an attribute: report
 * content (package names, descriptions, URLs) is never parsed as HTML.
 */
type Child = Node | string | number | undefined | null | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes?: Record<string, string | undefined>, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attributes?: Record<string, string | undefined>, ...children: Child[]): HTMLElement;
export function h(tag: string, attributes: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

/** A toolkit dropdown with plain options; `onChange` gets the chosen value. */
export function dropdown(label: string, options: readonly (readonly [value: string, text: string])[], selected: string, onChange: (value: string) => void): HTMLElement {
  const select = h('vscode-dropdown', { 'aria-label': label, title: label });
  for (const [value, text] of options) {
    const option = h('vscode-option', { value }, text);
    if (value === selected) option.setAttribute('selected', '');
    select.appendChild(option);
  }
  select.addEventListener('change', () => onChange((select as unknown as { value: string }).value));
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), select);
}

/** A toolkit text field that reports each keystroke. */
export function searchField(placeholder: string, value: string, onInput: (value: string) => void): HTMLElement {
  const field = h('vscode-text-field', { placeholder, 'aria-label': placeholder, value, class: 'search' });
  field.addEventListener('input', () => onInput((field as unknown as { value: string }).value));
  return field;
}

export function button(text: string, onClick: () => void, attributes: Record<string, string> = {}): HTMLElement {
  const element = h('vscode-button', { appearance: 'secondary', ...attributes }, text);
  element.addEventListener('click', onClick);
  return element;
}
