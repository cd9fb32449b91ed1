'use client';

/** A labelled one-line field of the cluster panel; `hint` is said under it and read with it. */
export function TextField(props: {
  testId: string;
  label: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
  /** The id of help text elsewhere that belongs to this field. */
  describedBy?: string;
  hint?: string;
  required?: boolean;
}) {
  const hintId = `${props.testId}-hint`;
  const describedBy = [props.describedBy, props.hint ? hintId : undefined].filter(Boolean).join(' ') || undefined;
  // The hint sits outside the label, so the field's name stays its label and the hint is read as its description.
  return (
    <div>
      <label className="block">
        <span className="mb-1 block font-medium">{props.label}</span>
        <input
          className="input w-full"
          data-testid={props.testId}
          placeholder={props.placeholder}
          value={props.value}
          required={props.required}
          spellCheck={false}
          autoCapitalize="off"
          aria-describedby={describedBy}
          onChange={(event) => props.onChange(event.target.value)}
        />
      </label>
      {props.hint && (
        <span id={hintId} className="mt-1 block text-xs text-slate-500">
          {props.hint}
        </span>
      )}
    </div>
  );
}
