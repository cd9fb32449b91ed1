import type { CommandRecord, NamespaceCapture } from '../types';

/** Groups records by namespace in order of first appearance, the root namespace first. */
export class NamespaceGroups {
  private readonly byNetns = new Map<string | null, CommandRecord[]>([[null, []]]);

  add(netns: string | null, record: CommandRecord): void {
    const list = this.byNetns.get(netns);
    if (list) list.push(record);
    else this.byNetns.set(netns, [record]);
  }

  get size(): number {
    let n = 0;
    for (const list of this.byNetns.values()) n += list.length;
    return n;
  }

  namespaces(): NamespaceCapture[] {
    return [...this.byNetns.entries()].filter(([netns, commands]) => netns === null || commands.length > 0).map(([netns, commands]) => ({ netns, commands }));
  }
}
