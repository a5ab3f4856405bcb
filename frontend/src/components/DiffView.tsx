// Before and after of a body side by side, one row per field, with the
// changed, added and removed fields highlighted.
import { useMemo } from 'react';
import { diffCounts, diffJSON, showLeaf } from '../jsondiff';

interface Props {
  before: unknown;
  after: unknown;
  beforeLabel?: string;
  afterLabel?: string;
  /** Show unchanged fields too (they are greyed). */
  all?: boolean;
}

export function DiffView({ before, after, beforeLabel = 'before', afterLabel = 'after', all = true }: Props) {
  const rows = useMemo(() => diffJSON(before, after), [before, after]);
  const c = diffCounts(rows);
  const shown = all ? rows : rows.filter((r) => r.kind !== 'same');
  return (
    <div className="diff" data-testid="diff">
      <p className="small muted diff-sum">
        {c.changed + c.added + c.removed === 0
          ? 'no field changed'
          : [c.changed && `${c.changed} changed`, c.added && `${c.added} added`, c.removed && `${c.removed} removed`].filter(Boolean).join(' · ')}
      </p>
      {shown.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>field</th>
              <th>{beforeLabel}</th>
              <th>{afterLabel}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={`${r.kind}${r.path}`} className={`diff-${r.kind}`} data-kind={r.kind}>
                <td><code>{r.path || '(value)'}</code></td>
                <td className="diff-before">{r.kind === 'added' ? '' : showLeaf(r.before)}</td>
                <td className="diff-after">{r.kind === 'removed' ? '' : showLeaf(r.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
