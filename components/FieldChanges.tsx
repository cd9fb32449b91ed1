import type { FieldChange } from '@/lib/diff/changes';

function OutputChange({ change }: { change: FieldChange }) {
  return (
    <details className="mt-1 text-xs" data-testid="output-change" data-field={change.field}>
      <summary className="cursor-pointer select-none text-slate-500">
        Command output changed <span className="mono">({change.field})</span>
      </summary>
      <p className="mt-1 text-slate-500">Before</p>
      <pre className="mono max-h-40 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-1 dark:bg-slate-800">{change.before}</pre>
      <p className="mt-1 text-slate-500">After</p>
      <pre className="mono max-h-40 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-100 p-1 dark:bg-slate-800">{change.after}</pre>
    </details>
  );
}

/** Each changed field as old → new (screen readers hear "was … now …"); command output folded after them. */
export function FieldChanges({ fields }: { fields: FieldChange[] }) {
  const facts = fields.filter((f) => !f.output);
  return (
    <div className="px-3 pb-2">
      {facts.length > 0 && (
        <dl className="grid grid-cols-[minmax(5rem,auto)_1fr] gap-x-2 gap-y-0.5">
          {facts.map((f) => (
            <div key={f.field} className="contents">
              <dt className="mono text-slate-500">{f.field}</dt>
              <dd className="mono break-all" data-testid="field-change" data-field={f.field}>
                <span className="sr-only">was </span>
                <del className="text-slate-500">{f.before}</del>
                <span aria-hidden> → </span>
                <span className="sr-only"> now </span>
                <ins className="font-semibold no-underline">{f.after}</ins>
              </dd>
            </div>
          ))}
        </dl>
      )}
      {fields
        .filter((f) => f.output)
        .map((f) => (
          <OutputChange key={f.field} change={f} />
        ))}
    </div>
  );
}
