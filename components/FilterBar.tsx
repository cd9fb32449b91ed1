'use client';

import type { FilterFlag } from '@/lib/graph/elements';
import type { ViewLevel } from '@/lib/view/view-state';

const FILTER_LABEL: Record<FilterFlag, string> = {
  lo: 'Hide loopback',
  down: 'Hide down devices',
  collapse: 'Collapse namespaces',
  faulty: 'Only faulty',
  trace: 'Only traced path',
};

export interface FilterBarProps {
  filters: FilterFlag[];
  onToggle(flag: FilterFlag): void;
  hosts: string[];
  host?: string;
  onHost(host: string | undefined): void;
  level?: ViewLevel;
  onLevel(level: ViewLevel | undefined): void;
}

export function FilterBar({ filters, onToggle, hosts, host, onHost, level, onLevel }: FilterBarProps) {
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm" data-testid="filters">
      <label className="flex items-center gap-1">
        <span className="text-slate-600 dark:text-slate-400">Host</span>
        <select className="input max-w-[14rem]" data-testid="host-select" value={host ?? ''} onChange={(e) => onHost(e.target.value || undefined)}>
          <option value="">All hosts</option>
          {hosts.map((h) => (
            <option key={h} value={h}>
              {h}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-1">
        <span className="text-slate-600 dark:text-slate-400">Level</span>
        <select className="input" data-testid="level-select" value={level ?? ''} onChange={(e) => onLevel(e.target.value === 'overview' || e.target.value === 'full' ? e.target.value : undefined)}>
          <option value="">Automatic</option>
          <option value="overview">Overview (hosts)</option>
          <option value="full">All devices</option>
        </select>
      </label>
      {(Object.keys(FILTER_LABEL) as FilterFlag[]).map((flag) => (
        <label key={flag} className="flex items-center gap-1">
          <input type="checkbox" data-testid={`filter-${flag}`} checked={filters.includes(flag)} onChange={() => onToggle(flag)} />
          {FILTER_LABEL[flag]}
        </label>
      ))}
    </div>
  );
}
