/** Something in an imported text that could not be read; `line` is 1-based. */
export interface ImportProblem {
  line: number;
  text: string;
  message: string;
  /** File the problem is in, when several files are imported. */
  file?: string;
}

export function problemAt(line: number, text: string, message: string): ImportProblem {
  return { line, text: text.length > 300 ? `${text.slice(0, 300)}…` : text, message };
}
