import { useRef } from 'preact/hooks';
import type { LocatedError } from '../rule-tests.js';

/**
 * A plain textarea with a line-number gutter; lines with an error are marked in the gutter and
 * listed below at line:column (a click puts the cursor there).
 */
export function RuleEditor(props: { value: string; onInput: (value: string) => void; errors: LocatedError[]; label: string; rows?: number }) {
  const area = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lines = props.value.split('\n');
  const byLine = new Map<number, string>();
  for (const error of props.errors) if (!byLine.has(error.line)) byLine.set(error.line, error.message);

  const jump = (error: LocatedError) => {
    const textarea = area.current;
    if (!textarea) return;
    const offset = lines.slice(0, error.line - 1).reduce((sum, line) => sum + line.length + 1, 0) + Math.max(0, error.column - 1);
    textarea.focus();
    textarea.setSelectionRange(offset, offset);
  };

  return (
    <div class="editor-wrap">
      <div class="editor">
        <div class="gutter" ref={gutter} aria-hidden="true">
          {lines.map((_, i) => (
            <div key={i} class={byLine.has(i + 1) ? 'line-number bad' : 'line-number'} title={byLine.get(i + 1)}>
              {i + 1}
            </div>
          ))}
        </div>
        <textarea
          ref={area}
          aria-label={props.label}
          spellcheck={false}
          rows={props.rows ?? 18}
          value={props.value}
          onInput={(e) => props.onInput(e.currentTarget.value)}
          onScroll={(e) => {
            if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
      {props.errors.length > 0 && (
        <ul class="located-errors" aria-label={`${props.label} errors`}>
          {props.errors.map((error, i) => (
            <li key={i}>
              <button type="button" class="link" onClick={() => jump(error)}>
                line {error.line}, column {error.column}
              </button>
              : {error.message}
              {error.path ? <span class="muted"> ({error.path})</span> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
