// Text from registries and files, printed for a person: control characters (escape sequences,
// carriage returns, bidirectional overrides) are shown escaped so a label or an error body cannot
// rewrite the terminal. JSON output never passes through here: it stays exact.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function inert(text: string): string {
  return text.replace(CONTROL, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
