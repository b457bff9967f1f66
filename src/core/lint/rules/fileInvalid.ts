import type { FileRule } from '../rule';

export const fileInvalid: FileRule = {
  id: 'file-invalid',
  description: 'A file that could not be read or parsed: nothing in it (or in the broken part) was checked.',
  defaultSeverity: 'error',
  appliesTo: 'file',
};
