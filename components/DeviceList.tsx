'use client';

import { useMemo, type KeyboardEvent } from 'react';
import { diffStatusOf } from '@/lib/diff/graph';
import type { GraphElement, GraphNodeData } from '@/lib/graph/elements';
import { DEVICE_LABEL } from '@/lib/graph/palette';
import { SEVERITY_CLASSES } from './SeverityChip';

const INDENT = ['pl-2', 'pl-5', 'pl-8', 'pl-11', 'pl-14'];

interface Row {
  data: GraphNodeData;
  classes: string[];
  depth: number;
}

/** Nodes in tree order (host → namespace → device), the same elements and states as the graph. */
function treeRows(elements: GraphElement[]): Row[] {
  const nodes = elements.filter((e): e is Extract<GraphElement, { group: 'nodes' }> => e.group === 'nodes');
  const children = new Map<string, typeof nodes>();
  const ids = new Set(nodes.map((n) => n.data.id));
  for (const n of nodes) {
    const parent = n.data.parent && ids.has(n.data.parent) ? n.data.parent : '';
    children.set(parent, [...(children.get(parent) ?? []), n]);
  }
  const rows: Row[] = [];
  const walk = (parent: string, depth: number) => {
    for (const n of children.get(parent) ?? []) {
      rows.push({ data: n.data, classes: n.classes, depth });
      walk(n.data.id, depth + 1);
    }
  };
  walk('', 0);
  return rows;
}

function stateText(row: Row): string {
  // The kind as shown (so the name holds the visible text) and in words.
  const parts: string[] = [`${row.data.device} (${DEVICE_LABEL[row.data.device]})`];
  if (row.data.severity) parts.push(`fault: ${row.data.severity}`);
  if (row.classes.includes('contains-fault')) parts.push('contains a fault');
  if (row.data.faults) parts.push(`${row.data.faults} finding${row.data.faults === 1 ? '' : 's'}`);
  const diff = diffStatusOf(row.classes);
  if (diff) parts.push(diff);
  if (row.classes.includes('trace-break')) parts.push('path breaks here');
  else if (row.classes.includes('trace')) parts.push('on traced path');
  return parts.join(', ');
}

/** Arrow keys move between rows; Enter/Space select (buttons do that natively). */
function moveFocus(event: KeyboardEvent<HTMLUListElement>): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  const buttons = Array.from(event.currentTarget.querySelectorAll<HTMLButtonElement>('button[data-id]'));
  const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const next = buttons[Math.max(0, Math.min(buttons.length - 1, index + (event.key === 'ArrowDown' ? 1 : -1)))];
  next?.focus();
  event.preventDefault();
}

export function DeviceList({ elements, selected, onSelect }: { elements: GraphElement[]; selected?: string; onSelect(id: string): void }) {
  const rows = useMemo(() => treeRows(elements), [elements]);
  return (
    <nav aria-label="Devices on the graph" className="h-full overflow-y-auto">
      <ul className="py-1 text-sm" onKeyDown={moveFocus} data-testid="device-list">
        {rows.map((row) => (
          <li key={row.data.id}>
            <button
              type="button"
              data-id={row.data.id}
              data-testid="device-item"
              aria-current={row.data.id === selected ? 'true' : undefined}
              aria-label={`${row.data.label.replace(/^⚠ /, '')}: ${stateText(row)}`}
              onClick={() => onSelect(row.data.id)}
              className={`flex w-full items-center gap-1 truncate py-0.5 pr-2 text-left ${INDENT[Math.min(row.depth, INDENT.length - 1)]} hover:bg-slate-100 dark:hover:bg-slate-800 ${
                row.data.id === selected ? 'bg-amber-100 dark:bg-amber-900/40' : ''
              } ${row.data.severity ? `font-semibold ${SEVERITY_CLASSES[row.data.severity].text}` : ''}`}
            >
              <span aria-hidden className="w-4 shrink-0 text-center">
                {row.data.severity ? '⚠' : row.classes.includes('trace') ? '→' : '·'}
              </span>
              <span className="truncate">{row.data.label.replace(/^⚠ /, '')}</span> <span className="ml-auto shrink-0 text-xs font-normal text-slate-600 dark:text-slate-400">{row.data.device}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
