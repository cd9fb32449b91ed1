/** Where a command writes: standard output and standard error (or a test's lists), and files named with -o. */
import { writeFile } from 'node:fs/promises';

export type Out = (text: string) => void;

export interface Io {
  out: Out;
  err: Out;
  /** On a terminal: one line redrawn in place (a progress bar), cleared with null. Absent where output is a log. */
  status?: (line: string | null) => void;
}

/** `text` into `file`, or to standard output when no file (or -) is named. */
export async function writeOutput(file: string | undefined, text: string, io: Io): Promise<void> {
  if (!file || file === '-') io.out(text);
  else await writeFile(file, text);
}
